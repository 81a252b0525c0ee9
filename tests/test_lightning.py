"""The adapter inside a real `lightning.Trainer` (CPU): the lr of every optimizer step is paramsched's."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

import paramsched as ps

pytest.importorskip("lightning")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "lightning_module.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paramsched_example_lightning", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_trainer_steps_the_adapter_every_optimizer_step() -> None:
    example = _example()
    assert example.main(max_steps=6) == ps.simulate(example.SCHEDULE, 6).tolist()


def test_trainer_resumes_the_schedule_from_its_checkpoint(tmp_path: Path) -> None:
    example = _example()
    assert example.main(max_steps=6, resume_dir=tmp_path) == ps.simulate(example.SCHEDULE, 6).tolist()
