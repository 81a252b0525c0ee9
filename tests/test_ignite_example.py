"""examples/ignite_training.py: ignite's Checkpoint saves and restores a compiled schedule exactly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import paramsched as ps

pytest.importorskip("ignite")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "ignite_training.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paramsched_example_ignite", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("stop_after", [1, 5, 10, 16, 23])
def test_stop_checkpoint_resume_continues_the_schedule_exactly(tmp_path: Path, stop_after: int) -> None:
    example = _example()
    result = example.main(tmp_path, stop_after=stop_after)
    events = example.EPOCHS * example.BATCHES
    assert result["uninterrupted"] == ps.simulate(example.SCHEDULE, events).tolist()
    assert result["resumed"] == result["uninterrupted"]
    assert result["checkpoint"].is_file()
    if stop_after % example.BATCHES == 0:
        assert result["same_weights"]


def test_the_example_runs_as_a_script() -> None:
    import subprocess

    completed = subprocess.run([sys.executable, str(EXAMPLE)], check=True, capture_output=True, text=True, timeout=120)
    assert "identical: True same weights: True" in completed.stdout
