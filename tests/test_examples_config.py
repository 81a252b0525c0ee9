"""The config and Hydra examples run (short) as a user runs them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import paramsched as ps
from paramsched import validate_config

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_config_yaml_is_valid() -> None:
    labels = validate_config(EXAMPLES / "config.yaml", total=1000)
    assert labels == ["lr.default", "lr.head", "momentum", "weight_decay.body", "weight_decay.head", "weight_decay.2"]


def test_config_training_runs(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, str(EXAMPLES / "config_training.py"), "--steps", "20"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    last = result.stdout.strip().splitlines()[-1]
    assert last.startswith("resumed at step 11: lr ")
    value, expected = last.split("lr ")[1].split(" (expected ")
    assert value == expected.rstrip(")")
    assert "step  19" in result.stdout
    assert ps.simulate("linear(0 -> 0.1, 5%) then cosine(0.1 -> 1e-4, 95%)", 1, total=20)[0] == 0.0


# the Hydra app (examples/hydra_app) runs in tests/test_hydra.py: with a quoted override, and --multirun
