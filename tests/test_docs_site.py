"""The documentation site (mkdocs.yml, docs/): it builds with `mkdocs build --strict`, its Python blocks run,
and its plots are what the library draws now.

Each page's ```python blocks run top to bottom in one namespace, in a fresh folder, after the page's
```yaml blocks whose first line is `# NAME.yaml` have been written there as NAME.yaml. A block included
from a file (`--8<-- "examples/…"`) is that file, which its own test runs. A block preceded by
`<!-- not run: … -->` is shown, not run; the comment names the test that covers what it shows.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
PAGES = sorted(path.relative_to(DOCS).as_posix() for path in DOCS.rglob("*.md"))
BLOCK = re.compile(r"(?:<!-- (not run: [^>]*) -->\n)?```(python|yaml)\n(.*?)```", flags=re.DOTALL)


def blocks(page: str) -> list[tuple[str | None, str, str]]:
    """(not-run note or None, language, code) of each python or yaml block of a page; the code is padded
    with blank lines so that a traceback names the line of the page."""
    text = (DOCS / page).read_text(encoding="utf-8")
    return [
        (match[1] or None, match[2], "\n" * text.count("\n", 0, match.start(3)) + match[3])
        for match in BLOCK.finditer(text)
    ]


def test_mkdocs_builds_strictly(tmp_path: Path) -> None:
    """Fails if mkdocs is missing: the install command installs the docs extra."""
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(tmp_path / "site")],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "site" / "recipes" / "llama2" / "index.html").is_file()
    api = (tmp_path / "site" / "api" / "compile" / "index.html").read_text(encoding="utf-8")
    assert "bit for bit" in api  # simulate's docstring reached its API page
    language = (tmp_path / "site" / "api" / "language" / "index.html").read_text(encoding="utf-8")
    assert "optax&#39;s" in language or "optax's" in language  # the builders' section (docs/hooks.py)


def test_every_page_is_in_the_nav() -> None:
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    assert [page for page in PAGES if page not in config] == []


def test_pages_have_runnable_examples() -> None:
    runnable = [page for page in PAGES if any(note is None and lang == "python" for note, lang, _ in blocks(page))]
    assert len(runnable) >= 15


@pytest.mark.parametrize("page", PAGES)
def test_python_blocks_run(page: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("torch")
    import paramsched as ps

    page_blocks = blocks(page)
    for note, language, code in page_blocks:
        if note is not None:  # the note names the test or example that covers the block
            named = re.findall(r"(?:tests|examples)/[\w/.-]+\.py", note)
            assert named and all((ROOT / path).is_file() for path in named), note
        first = code.lstrip("\n").split("\n", 1)[0]
        if language == "yaml" and first.startswith("# ") and first.endswith(".yaml"):
            (tmp_path / first[2:].strip()).write_text(code.lstrip("\n"), encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(sys, "argv", [page])
    namespace: dict[str, object] = {"__name__": "docs"}
    with warnings.catch_warnings():
        warnings.simplefilter("error", ps.StepOrderWarning)  # the docs drive each scheduler in its own order
        for note, language, code in page_blocks:
            if language != "python" or note is not None:
                continue
            included = re.fullmatch(r'--8<-- "([^"]+)"\n', code.lstrip("\n"))
            if included:  # the example file itself, run by its own test
                path = included.group(1)
                assert (ROOT / path).is_file(), path
                parts = Path(path).parts
                assert any(
                    path in test or all(f'"{part}"' in test for part in parts)  # "examples" / "app" / "main.py"
                    for test in (t.read_text(encoding="utf-8") for t in (ROOT / "tests").glob("test_*.py"))
                ), f"no test runs {path}"
                continue
            # dont_inherit: a block runs as a user's script does, without this file's future import
            exec(compile(code, str(DOCS / page), "exec", dont_inherit=True), namespace)


def test_plots_are_current(tmp_path: Path) -> None:
    """docs/make_plots.py redraws every plot; a committed plot that differs from the redrawn one is stale."""
    plt = pytest.importorskip("matplotlib.pyplot")
    import numpy as np

    sys.path.insert(0, str(DOCS))
    try:
        import make_plots
    finally:
        sys.path.remove(str(DOCS))
    make_plots.main(tmp_path)
    drawn = sorted(path.relative_to(tmp_path).as_posix() for path in tmp_path.rglob("*.png"))
    committed = sorted(path.relative_to(DOCS / "img").as_posix() for path in (DOCS / "img").rglob("*.png"))
    assert drawn == committed
    stale = [name for name in drawn if not np.array_equal(plt.imread(tmp_path / name), plt.imread(DOCS / "img" / name))]
    assert stale == [], f"run `python docs/make_plots.py`: {stale}"


def test_each_plot_is_shown_with_the_text_it_draws() -> None:
    sys.path.insert(0, str(DOCS))
    try:
        import make_plots
    finally:
        sys.path.remove(str(DOCS))
    language = (DOCS / "language.md").read_text(encoding="utf-8")
    for name, (text, _events) in make_plots.EXAMPLES.items():
        assert f"![](img/{name}.png) `{text}`" in language, name
    for name, (text, _events, _settings) in make_plots.RECIPES.items():
        page = (DOCS / "recipes" / f"{name}.md").read_text(encoding="utf-8")
        assert f"<!-- recipe -->\n```text\n{text}\n```" in page, name
        assert f"![{name}](../img/recipes/{name}.png)" in page, name
    for name, (panels, _tokens) in make_plots.TOKEN_RECIPES.items():
        page = (DOCS / "recipes" / f"{name}.md").read_text(encoding="utf-8")
        shown = re.findall(r"<!-- recipe[^>]*-->\n```text\n(.*?)\n```", page, flags=re.DOTALL)
        assert shown == [text for _label, text in panels], name
        assert f"![{name}](../img/recipes/{name}.png)" in page, name
