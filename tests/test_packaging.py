"""The package as users get it: the grammar ships inside the wheel, and importing stays light."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_does_not_pull_heavy_modules() -> None:
    code = (
        "import sys, paramsched\n"
        "heavy = [m for m in ('torch', 'matplotlib', 'ignite', 'omegaconf', 'hydra') if m in sys.modules]\n"
        "print(','.join(heavy))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == ""


def test_import_does_not_load_the_language() -> None:
    """The language (lark, pydantic) loads on first use: `import paramsched`, and the scheduler family it
    exports, import neither, so neither can build a parser or read a cache at import."""
    code = (
        "import sys, paramsched\n"
        "paramsched.ConcatScheduler, paramsched.CosineAnnealingScheduler, paramsched.ScheduleError\n"
        "print(','.join(m for m in ('lark', 'pydantic') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == ""


# Counts every Lark parser made (whatever module makes it, and however: `Lark(...)`, `Lark.open(...)`, or
# loaded from tables) and every unpickling, and records the keyword arguments of each.
_PARSER_PROBE = """
import json, pickle, sys
import lark

builds, unpickled = [], []
original_init = lark.Lark.__init__

def counting_init(self, *args, **kwargs):
    builds.append(sorted(kwargs.items(), key=str))
    original_init(self, *args, **kwargs)

lark.Lark.__init__ = counting_init
original_load = lark.Lark._load

def counting_load(self, *args, **kwargs):  # a parser made from the shipped tables
    builds.append(sorted(kwargs.items(), key=str))
    return original_load(self, *args, **kwargs)

lark.Lark._load = counting_load
for name in ("load", "loads"):
    original = getattr(pickle, name)
    def counting(*args, _original=original, _name=name, **kwargs):
        unpickled.append(_name)
        return _original(*args, **kwargs)
    setattr(pickle, name, counting)

report = {}
import paramsched as ps
report["at_import"] = len(builds)
ps.parse("linear(0 -> 0.1, 500) then repeat(cosine(0.1 -> 1e-4, 9500))")
try:
    ps.parse("linear(0 -> 0.1, 500) then")
except ps.ScheduleError:
    pass
report["after_first_use"] = len(builds)
ps.parse("warmup(500) then cosine(0.1 -> 0, 9500)")
ps.parse("0.5 * linear(0 -> 1, 10) + 0.1")
try:
    ps.parse("cosine(0.1 -> 0, 10 k)")
except ps.ScheduleError:
    pass
report["after_more_use"] = len(builds)
report["cache"] = [dict(kwargs).get("cache") for kwargs in builds]
report["unpickled"] = unpickled
print(json.dumps(report, default=repr))
"""


def test_parser_is_built_lazily_once_and_never_from_a_cache(tmp_path: Path) -> None:
    """No Lark parser is built at `import paramsched`; first use (a parse, and an error) builds it, later
    parses and errors reuse it; no build asks for Lark's pickled cache (`cache=`, however passed), nothing is
    unpickled, and no file appears in the temporary folder or the working directory."""
    temp, cwd = tmp_path / "tmp", tmp_path / "cwd"
    temp.mkdir()
    cwd.mkdir()
    env = {**os.environ, "TMPDIR": str(temp), "TEMP": str(temp), "TMP": str(temp), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", _PARSER_PROBE], capture_output=True, text=True, cwd=cwd, env=env, timeout=120
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["at_import"] == 0, report
    assert report["after_first_use"] >= 1, report  # the probe does see the parser being built
    assert report["after_more_use"] == report["after_first_use"], report  # and then reused
    assert all(cache in (None, False) for cache in report["cache"]), report
    assert report["unpickled"] == [], report
    assert sorted(p.name for p in temp.iterdir()) == []
    assert sorted(p.name for p in cwd.iterdir()) == []


def _lark_calls(tree: ast.AST) -> list[ast.Call]:
    """Calls of `Lark(...)`, `lark.Lark(...)` and `Lark.open...(...)` in a module."""

    def is_lark(node: ast.expr) -> bool:
        return (isinstance(node, ast.Name) and node.id == "Lark") or (
            isinstance(node, ast.Attribute) and node.attr == "Lark"
        )

    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if is_lark(func) or (isinstance(func, ast.Attribute) and is_lark(func.value)):
                calls.append(node)
    return calls


def test_no_lark_call_in_the_source_asks_for_a_cache() -> None:
    """SPEC §6: no unpickling, which includes Lark's parser cache (`cache=` pickles the parser to a
    temporary folder and unpickles it from there). The probe above sees the options of the parsers a run
    builds; this sees every `Lark(...)` call written in the package, on whatever path it lies."""
    sources = sorted((ROOT / "paramsched").rglob("*.py"))
    assert sources
    calls = []
    for source in sources:
        tree = ast.parse(source.read_text(encoding="utf-8"), filename=str(source))
        for call in _lark_calls(tree):
            calls.append(call)
            keywords = {keyword.arg for keyword in call.keywords}
            assert "cache" not in keywords, f"{source.relative_to(ROOT)}:{call.lineno}: Lark(..., cache=...)"
    assert calls, "no Lark(...) call found in paramsched/: the scan has lost track of the parser"


def test_wheel_ships_the_grammar_and_parses(tmp_path: Path) -> None:
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    wheel = next(tmp_path.glob("paramsched-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "paramsched/grammar/schedule.lark" in names
    assert "paramsched/grammar/schedule.tables.json" in names
    installed = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    code = (
        f"import sys; sys.path.insert(0, {str(installed)!r})\n"
        "import paramsched\n"
        f"assert paramsched.__file__.startswith({str(installed)!r}), paramsched.__file__\n"
        "from paramsched.language.grammar import loaded_parser\n"
        "assert loaded_parser() is not None, 'the tables in the wheel do not load'\n"
        "print(paramsched.unparse(paramsched.parse('linear(0 -> 1, 10) then cosine(1 -> 0, 1k)')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "linear(0 -> 1, 10) then cosine(1 -> 0, 1k)"


def test_editable_install_finds_the_grammar_as_package_data() -> None:
    from importlib import resources

    assert resources.files("paramsched.grammar").joinpath("schedule.lark").is_file()
