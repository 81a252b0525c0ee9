"""Smoke test of benchmarks/bench.py: the quick run finishes and prints its table (no timing asserts:
the machines that run the tests are too noisy for performance targets to be checked here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"

pytest.importorskip("torch")
pytest.importorskip("ignite")
pytest.importorskip("matplotlib")


def test_quick_run_prints_the_table(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--quick", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    out = result.stdout
    header = next(line for line in out.splitlines() if line.startswith("benchmark"))
    for column in ("paramsched", "peer", "ratio", "target", "result"):
        assert column in header
    for name in (
        "per event: vs ignite ConcatScheduler",
        "per event: vs torch SequentialLR.step",
        "100-part then chain",
        "nested 10 deep",
        "ps.simulate(reference",
        "CosineAnnealingScheduler.simulate_values",
        "parse+compile of the reference text",
        "import paramsched",
        "peak memory",
    ):
        assert name in out, name
    assert "targets PASS" in out
    assert any(word in out for word in ("PASS", "FAIL"))

    results = json.loads((tmp_path / "results.json").read_text(encoding="utf-8"))
    assert results["meta"]["quick"] is True
    assert {row["group"] for row in results["results"]} == {
        "per_event",
        "composite",
        "simulate",
        "compile",
        "import",
        "memory",
    }
    for row in results["results"]:
        if row["target"]:
            assert isinstance(row["passed"], bool)
            assert row["ratio"] is not None and row["ratio"] > 0
    assert (tmp_path / "scaling.png").stat().st_size > 0


def test_unknown_group_is_refused() -> None:
    result = subprocess.run(
        [sys.executable, str(BENCH), "--only", "nonsense"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 2
    assert "unknown group" in result.stderr
