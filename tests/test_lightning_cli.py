"""LightningCLI (real lightning and jsonargparse, CPU): `paramsched.TorchScheduler` as the `lr_scheduler`
class path, from YAML (examples/lightning_cli.yaml) and from the command line; `StepwiseCLI` steps it at
every optimizer step, plain LightningCLI once per epoch; a LearningRateMonitor logs the simulated values."""

from __future__ import annotations

import csv
import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

import paramsched as ps

pytest.importorskip("lightning")
pytest.importorskip("jsonargparse")

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
YAML = EXAMPLES / "lightning_cli.yaml"
YAML_SCHEDULE = "linear(0 -> 0.1, 3) then cosine(0.1 -> 1e-3, 5)"  # as written in lightning_cli.yaml
STEPS = 8


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paramsched_example_lightning_cli", EXAMPLES / "lightning_cli.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _quiet(tmp_path: Path) -> list[str]:
    return [
        "--trainer.accelerator=cpu",
        "--trainer.devices=1",
        "--trainer.enable_progress_bar=false",
        "--trainer.enable_model_summary=false",
        "--trainer.enable_checkpointing=false",
        f"--trainer.default_root_dir={tmp_path}",
    ]


def _monitored_lrs(directory: Path) -> dict[int, float]:
    """What the LearningRateMonitor wrote to the CSVLogger: step -> lr."""
    (metrics,) = directory.glob("**/metrics.csv")
    with metrics.open() as rows:
        return {int(row["step"]): float(row["lr-SGD"]) for row in csv.DictReader(rows) if row.get("lr-SGD")}


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # lightning_logs/ and the saved config land here
    monkeypatch.setattr(sys, "argv", ["lightning_cli.py"])  # `args=` stands for the command line, not pytest's


def test_yaml_config_steps_every_optimizer_step_and_the_monitor_logs_it(tmp_path: Path) -> None:
    assert f"schedule: {YAML_SCHEDULE}" in YAML.read_text()
    cli = _example().main(["fit", "--config", str(YAML), f"--trainer.logger.init_args.save_dir={tmp_path}"])
    expected = ps.simulate(YAML_SCHEDULE, STEPS).tolist()
    assert isinstance(cli.trainer.lr_scheduler_configs[0].scheduler, ps.TorchScheduler)
    assert cli.trainer.lr_scheduler_configs[0].interval == "step"
    assert cli.model.seen_lrs == expected
    assert _monitored_lrs(tmp_path) == dict(enumerate(expected))


def test_yaml_config_with_the_schedule_overridden_on_the_command_line(tmp_path: Path) -> None:
    schedule = "warmup(2) then cosine(0.05 → 0, 6)"
    cli = _example().main(
        [
            "fit",
            "--config",
            str(YAML),
            f"--trainer.logger.init_args.save_dir={tmp_path}",
            "--lr_scheduler.init_args.schedule",
            schedule,
        ]
    )
    assert cli.model.seen_lrs == ps.simulate(schedule, STEPS).tolist()
    assert _monitored_lrs(tmp_path) == dict(enumerate(ps.simulate(schedule, STEPS).tolist()))


def test_everything_on_the_command_line(tmp_path: Path) -> None:
    schedule = "linear(0 -> 0.2, 3) then cosine(0.2 -> 0, 5)"
    cli = _example().main(
        [
            "fit",
            *_quiet(tmp_path),
            f"--trainer.max_steps={STEPS}",
            "--optimizer=torch.optim.SGD",
            "--optimizer.lr=0.5",
            "--lr_scheduler=paramsched.TorchScheduler",
            f"--lr_scheduler.schedule={schedule}",
        ]
    )
    assert cli.model.seen_lrs == ps.simulate(schedule, STEPS).tolist()


def test_plain_lightning_cli_steps_once_per_epoch(tmp_path: Path) -> None:
    """Without StepwiseCLI, Lightning steps the scheduler at the end of each epoch: the schedule's events
    are epochs, and each value holds for a whole epoch (4 batches here)."""
    schedule = "linear(0.1 -> 0.05, 2) then 0.05"
    cli = _example().main(
        [
            "fit",
            *_quiet(tmp_path),
            "--trainer.max_epochs=3",
            "--model.batches_per_epoch=4",
            "--optimizer=torch.optim.SGD",
            "--optimizer.lr=0.5",
            "--lr_scheduler=paramsched.TorchScheduler",
            f"--lr_scheduler.schedule={schedule}",
        ],
        stepwise=False,
    )
    assert cli.trainer.lr_scheduler_configs[0].interval == "epoch"
    per_epoch = ps.simulate(schedule, 3).tolist()
    assert cli.model.seen_lrs == [value for value in per_epoch for _ in range(4)]


def test_a_bad_schedule_stops_the_run_with_the_caret(tmp_path: Path) -> None:
    with pytest.raises(ps.ScheduleError) as direct:
        ps.parse("cosin(0.1 -> 0, 5)")
    with pytest.raises(ps.ScheduleError) as caught:
        _example().main(
            [
                "fit",
                *_quiet(tmp_path),
                "--trainer.max_steps=2",
                "--optimizer=torch.optim.SGD",
                "--optimizer.lr=0.5",
                "--lr_scheduler=paramsched.TorchScheduler",
                "--lr_scheduler.schedule=cosin(0.1 -> 0, 5)",
            ]
        )
    assert str(caught.value) == str(direct.value)


def test_the_example_runs_as_a_script(tmp_path: Path) -> None:
    """The documented command line (docs/getting-started/lightning.md), as a separate process: YAML plus a
    schedule override."""
    schedule = "warmup(3) then cosine(0.1 -> 0, 5)"
    command = [
        sys.executable,
        str(EXAMPLES / "lightning_cli.py"),
        "fit",
        "--config",
        str(YAML),
        f"--trainer.logger.init_args.save_dir={tmp_path}",
        "--lr_scheduler.init_args.schedule",
        schedule,
    ]
    subprocess.run(command, cwd=tmp_path, check=True, capture_output=True, timeout=300)
    assert _monitored_lrs(tmp_path) == dict(enumerate(ps.simulate(schedule, STEPS).tolist()))
