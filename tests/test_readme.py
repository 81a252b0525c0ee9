"""The README is the landing page (SPEC §8): at most 15,000 bytes, its quick start runs as written (its
Python blocks, in one namespace, top to bottom, each scheduler driven in its own order), every relative
link points at a file of the repository, and it holds the install and test commands CI runs.

The language's side-by-side table and the clocks page moved to the site (docs/); their own checks are
here too, next to the README's, because they are the same kind of claim: text shown equals what runs.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "docs"


def section(text: str, title: str) -> str:
    start = text.index(f"\n## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:] if end < 0 else text[start:end]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", text, flags=re.DOTALL)


def test_the_readme_is_a_landing_page() -> None:
    assert len(README.read_bytes()) <= 15_000
    text = README.read_text(encoding="utf-8")
    for marker in ("<!-- install-command -->", "<!-- test-command -->"):
        assert marker in text
    assert "pip install paramsched" not in text  # not published: the install is from a clone


def test_every_relative_link_of_the_readme_exists() -> None:
    links = re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", README.read_text(encoding="utf-8"))
    assert len(links) >= 10
    missing = [link for link in links if not (ROOT / link).exists()]
    assert missing == []


def test_quick_start_has_examples() -> None:
    assert len(python_blocks(section(README.read_text(encoding="utf-8"), "Quick start"))) >= 3


def test_quick_start_runs() -> None:
    pytest.importorskip("torch")
    import paramsched as ps

    namespace: dict[str, object] = {"__name__": "readme"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ps.StepOrderWarning)  # the README drives each scheduler in its order
        for block in python_blocks(section(README.read_text(encoding="utf-8"), "Quick start")):
            exec(compile(block, str(README), "exec"), namespace)
    optimizer = namespace["optimizer"]
    assert optimizer.param_groups[0]["weight_decay"] == 1e-4  # type: ignore[attr-defined]


def _side_by_side_rows() -> list[tuple[str, str]]:
    text = (DOCS / "language.md").read_text(encoding="utf-8")
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

    node = eval(python, {"ps": ps})  # the page's own Python, not user input
    assert str(node) == text
    assert ps.parse(text) == node


def test_the_units_page_shows_the_unit_error_as_raised() -> None:
    import paramsched as ps

    text = (DOCS / "units.md").read_text(encoding="utf-8")
    shown = next(line for line in text.splitlines() if line.startswith("paramsched.UnitError: "))
    with pytest.raises(ps.UnitError) as raised:
        ps.schedule("warmup(1k) then cosine(1 -> 0, 375Mtok)")
    assert shown == f"paramsched.UnitError: {raised.value.message}"
