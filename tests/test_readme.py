"""The README's quick start runs as written (its Python blocks, in one namespace, top to bottom)."""

from __future__ import annotations

import re
import warnings
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
    import paramsched as ps

    namespace: dict[str, object] = {"__name__": "readme"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ps.StepOrderWarning)  # the README drives each scheduler in its order
        for block in python_blocks(section("Quick start")):
            exec(compile(block, str(README), "exec"), namespace)


def _side_by_side_rows() -> list[tuple[str, str]]:
    text = README.read_text(encoding="utf-8")
    table = text[text.index("<!-- side-by-side -->") :].split("\n\n", 1)[0]
    rows = []
    for line in table.splitlines()[3:]:
        cells = [cell.strip().strip("`") for cell in line.strip("|").split("|")]
        rows.append((cells[0], cells[1]))
    return rows


def test_side_by_side_table_has_rows() -> None:
    assert len(_side_by_side_rows()) >= 8


@pytest.mark.parametrize(("text", "python"), _side_by_side_rows())
def test_each_python_spelling_is_its_text(text: str, python: str) -> None:
    import paramsched as ps

    node = eval(python, {"ps": ps})  # the README's own Python, not user input
    assert str(node) == text
    assert ps.parse(text) == node


CLOCKS = "Clocks: tokens, samples, and schedules for anything"


def test_clocks_section_runs() -> None:
    """The clocks section's Python blocks (GPT-3 on a token clock, ps.schedule, betas[0]) run as written."""
    pytest.importorskip("torch")
    blocks = python_blocks(section(CLOCKS))
    assert len(blocks) >= 3
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
    assert namespace["tokens_seen"] == 3 * 16 * 2048
    assert namespace["adamw"].param_groups[0]["betas"] == (0.95, 0.999)  # type: ignore[attr-defined]


def test_clocks_section_shows_the_unit_error_as_raised() -> None:
    import paramsched as ps

    text = section(CLOCKS)
    shown = text[text.index("```text\n") + len("```text\n") :]
    shown = shown[: shown.index("```")].rstrip("\n")
    with pytest.raises(ps.UnitError) as raised:
        ps.schedule("warmup(1k) then cosine(1 -> 0, 375Mtok)")
    assert shown == f"paramsched.UnitError: {raised.value}"


def test_resuming_and_changing_the_plan_runs() -> None:
    pytest.importorskip("torch")
    blocks = python_blocks(section("Resuming and changing the plan"))
    assert blocks
    namespace: dict[str, object] = {"__name__": "readme"}
    for block in blocks:
        exec(compile(block, str(README), "exec"), namespace)
