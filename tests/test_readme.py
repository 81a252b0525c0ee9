"""The README's quick start runs as written (its Python blocks, in one namespace, top to bottom)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

README = Path(__file__).resolve().parent.parent / "README.md"


def section(title: str) -> str:
    text = README.read_text(encoding="utf-8")
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_quick_start_has_examples() -> None:
    assert len(python_blocks(section("Quick start"))) >= 3


def test_quick_start_runs() -> None:
    pytest.importorskip("torch")
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in python_blocks(section("Quick start")):
        exec(compile(block, str(README), "exec"), namespace)
