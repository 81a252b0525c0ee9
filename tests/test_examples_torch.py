"""examples/torch_loop.py: both ways of driving a plain PyTorch loop give paramsched's values."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

import paramsched as ps

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "torch_loop.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paramsched_example_torch_loop", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_compile_loop_writes_the_simulated_values() -> None:
    example = _example()
    lrs, momenta = example.with_compile()
    assert lrs == ps.simulate(example.SCHEDULE, example.STEPS).tolist()
    assert momenta == ps.simulate(example.MOMENTUM, example.STEPS).tolist()


def test_adapter_loop_uses_the_simulated_values() -> None:
    """The adapter's lr is a float32 tensor: each value is the float32 rounding of the simulated one."""
    example = _example()
    expected = ps.simulate(example.SCHEDULE, example.STEPS).astype(np.float32).astype(np.float64)
    assert example.with_adapter() == expected.tolist()


def test_the_example_runs_as_a_script() -> None:
    completed = subprocess.run([sys.executable, str(EXAMPLE)], check=True, capture_output=True, text=True, timeout=120)
    assert "ps.compile matches ps.simulate: True" in completed.stdout
