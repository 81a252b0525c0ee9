"""Smoke test of benchmarks/bench.py: the quick run finishes, and its report is complete and consistent.

No timing is asserted (the machines that run the tests are too noisy for performance targets to be checked
here, and the sizes of a quick run are too small to mean anything). What is checked can fail all the same:
every expected line is in the table and in results.json with a numeric measurement, every line with a target
has a PASS/FAIL result that agrees with its ratio, the table shows the same result as the JSON, and the
printed `N/M targets PASS` counts exactly the lines with a target (M) and those that passed (N)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"

pytest.importorskip("torch")
pytest.importorskip("ignite")
pytest.importorskip("matplotlib")

GROUPS = {"per_event", "adapter", "composite", "simulate", "compile", "import", "cli", "memory", "clocks"}

# (start of the line's name, its group, its SPEC §5 target) for every line a quick run prints
EXPECTED = [
    ("reference, per event: vs ignite ConcatScheduler", "per_event", "<= 0.4"),
    ("reference, per event: vs torch SequentialLR.step", "per_event", "<= 0.2"),
    ("TorchScheduler.step vs HF get_cosine_schedule_with_warmup .step", "adapter", "<= 0.3"),
    ("100-part then chain, per event", "composite", "<= 1.5"),
    ("arithmetic nested 10 deep, per event", "composite", "<= 1.5"),
    ("10-part then chain, per event", "composite", ""),
    ("ps.simulate(reference", "simulate", ">= 100"),
    ("CosineAnnealingScheduler.simulate_values", "simulate", ""),
    ("ConcatScheduler.simulate_values", "simulate", ">= 10"),
    ("parse+compile of the reference text", "compile", "<= 1000"),
    ("parse+compile of a 10-part chain", "compile", ""),
    ("parse+compile of a 100-part chain", "compile", ""),
    ("import paramsched vs import lark, pydantic, numpy", "import", "<= 1.3"),
    ("cold paramsched check vs a process importing lark, pydantic, numpy", "cli", "<= 2"),
    ("peak memory of ps.simulate(reference", "memory", "<= 2"),
    ("TorchScheduler.step(tokens=n) vs step() on the step clock", "clocks", "<= 1.2"),
    ("compiled step(tokens=n) vs step() on the step clock", "clocks", ""),
]

SUMMARY = re.compile(r"^(\d+)/(\d+) targets PASS$", re.MULTILINE)


def run_bench(out: Path, *options: str) -> tuple[str, dict[str, Any]]:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--out", str(out), *options],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return result.stdout, json.loads((out / "results.json").read_text(encoding="utf-8"))


def table_line(stdout: str, name: str) -> str:
    """The table line of the row called `name` (the name is left-aligned and followed by column gaps)."""
    lines = [line for line in stdout.splitlines() if line.startswith(name + "  ")]
    assert len(lines) == 1, (name, lines)
    return lines[0]


def meets(ratio: float, target: str) -> bool:
    op, bound = target.split()
    assert op in ("<=", ">="), target
    return ratio <= float(bound) if op == "<=" else ratio >= float(bound)


def check_report(stdout: str, results: dict[str, Any]) -> None:
    """Everything that holds of any run's report, whatever its timings."""
    header = next(line for line in stdout.splitlines() if line.startswith("benchmark"))
    for column in ("paramsched", "peer", "ratio", "target", "result"):
        assert column in header
    rows = results["results"]
    assert rows, "no results"
    assert len({row["name"] for row in rows}) == len(rows), "two rows share a name"
    for row in rows:
        assert isinstance(row["ours"], (int, float)) and math.isfinite(row["ours"]) and row["ours"] > 0, row
        assert row["peer"] is None or (math.isfinite(row["peer"]) and row["peer"] > 0), row
        result = table_line(stdout, row["name"]).split()[-1]
        if row["target"]:
            assert isinstance(row["passed"], bool), row
            assert isinstance(row["ratio"], (int, float)) and math.isfinite(row["ratio"]) and row["ratio"] > 0, row
            assert row["passed"] == meets(row["ratio"], row["target"]), row
            assert result == ("PASS" if row["passed"] else "FAIL"), (row["name"], result)
        else:
            assert row["passed"] is None, row
            assert result == "info", (row["name"], result)

    summaries = SUMMARY.findall(stdout)
    assert len(summaries) == 1, summaries
    passed, checked = (int(n) for n in summaries[0])
    assert checked == sum(1 for row in rows if row["target"])
    assert passed == sum(1 for row in rows if row["passed"] is True)
    failed = [row["name"] for row in rows if row["passed"] is False]
    assert re.findall(r"^  FAIL: (.*)$", stdout, re.MULTILINE) == failed


def test_quick_run_reports_every_line(tmp_path: Path) -> None:
    stdout, results = run_bench(tmp_path)
    assert results["meta"]["quick"] is True
    check_report(stdout, results)
    rows = results["results"]
    assert {row["group"] for row in rows} == GROUPS
    assert len(rows) == len(EXPECTED), [row["name"] for row in rows]
    for start, group, target in EXPECTED:
        matching = [row for row in rows if row["name"].startswith(start)]
        assert len(matching) == 1, (start, [row["name"] for row in matching])
        assert (matching[0]["group"], matching[0]["target"]) == (group, target), matching[0]
    assert (tmp_path / "scaling.png").stat().st_size > 0


def test_only_runs_the_groups_named(tmp_path: Path) -> None:
    stdout, results = run_bench(tmp_path, "--only", "cli")
    check_report(stdout, results)
    assert results["meta"]["groups"] == ["cli"]
    assert [row["group"] for row in results["results"]] == ["cli"]
    assert SUMMARY.search(stdout).group(2) == "1"  # type: ignore[union-attr]


def test_unknown_group_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--only", "nonsense"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "unknown group" in result.stderr
