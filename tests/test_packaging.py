"""The package as users get it: the grammar ships inside the wheel, and importing stays light."""

from __future__ import annotations

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


def test_parser_is_not_built_at_import() -> None:
    code = (
        "import paramsched._grammar as g, paramsched\n"
        "print(g.schedule_parser.cache_info().currsize if hasattr(g.schedule_parser, 'cache_info') else 0)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    assert result.stdout.strip() == "0"


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
    assert "paramsched/grammar/schedule.lark" in zipfile.ZipFile(wheel).namelist()
    installed = tmp_path / "installed"
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(installed)
    code = (
        f"import sys; sys.path.insert(0, {str(installed)!r})\n"
        "import paramsched\n"
        f"assert paramsched.__file__.startswith({str(installed)!r}), paramsched.__file__\n"
        "print(paramsched.unparse(paramsched.parse('linear(0 -> 1, 10) then cosine(1 -> 0, 1k)')))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "linear(0 -> 1, 10) then cosine(1 -> 0, 1k)"


def test_editable_install_finds_the_grammar_as_package_data() -> None:
    from importlib import resources

    assert resources.files("paramsched.grammar").joinpath("schedule.lark").is_file()
