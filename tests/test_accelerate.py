"""🤗 Accelerate: `accelerator.prepare(scheduler)` wraps a `ps.TorchScheduler` in an `AcceleratedScheduler`, which
steps it as accelerate documents: once per optimizer step (not per batch under gradient accumulation), and
`num_processes` times per optimizer step with the default `split_batches=False` (once with
`split_batches=True`), since each process then sees its own batch. Checked in one process and on two gloo
processes (CPU); the expected values are `ps.simulate`'s."""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.multiprocessing as mp

import paramsched as ps

accelerate = pytest.importorskip("accelerate")

from accelerate import Accelerator  # noqa: E402
from accelerate.scheduler import AcceleratedScheduler  # noqa: E402
from accelerate.utils import DataLoaderConfiguration  # noqa: E402

SCHEDULE = "linear(0 -> 0.1, 4) then cosine(0.1 -> 1e-3, 12)"
STEPS = 6
WORLD = 2


def _parts(accelerator: Accelerator) -> tuple[torch.nn.Module, torch.optim.Optimizer, Any]:
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.5)
    scheduler = ps.TorchScheduler(optimizer, SCHEDULE)
    return accelerator.prepare(model, optimizer, scheduler)  # type: ignore[no-any-return]


def _train(accelerator: Accelerator, batches: int) -> tuple[list[float], int]:
    """The lr each optimizer step ran with, and the schedule's position at the end."""
    model, optimizer, scheduler = _parts(accelerator)
    assert isinstance(scheduler, AcceleratedScheduler)
    assert isinstance(scheduler.scheduler, ps.TorchScheduler)
    inputs = torch.ones(4, 3)
    seen = []
    for _ in range(batches):
        with accelerator.accumulate(model):
            accelerator.backward(model(inputs).sum())
            if accelerator.sync_gradients:
                seen.append(float(optimizer.param_groups[0]["lr"]))
            optimizer.step()  # accelerate's wrapper skips the step on accumulation batches
            scheduler.step()  # ... and so does the scheduler's
            optimizer.zero_grad()
    return seen, scheduler.scheduler.last_epoch


def test_one_process_steps_once_per_optimizer_step() -> None:
    seen, position = _train(Accelerator(cpu=True), STEPS)
    assert seen == ps.simulate(SCHEDULE, STEPS).tolist()
    assert position == STEPS


def test_gradient_accumulation_steps_the_schedule_per_optimizer_step() -> None:
    seen, position = _train(Accelerator(cpu=True, gradient_accumulation_steps=3), 3 * STEPS)
    assert seen == ps.simulate(SCHEDULE, STEPS).tolist()
    assert position == STEPS


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _worker(rank: int, port: int, directory: str) -> None:
    os.environ.update(
        RANK=str(rank),
        LOCAL_RANK=str(rank),
        WORLD_SIZE=str(WORLD),
        LOCAL_WORLD_SIZE=str(WORLD),
        MASTER_ADDR="127.0.0.1",
        MASTER_PORT=str(port),
        OMP_NUM_THREADS="1",
    )
    per_process = Accelerator(cpu=True)  # the default: split_batches=False
    result: dict[str, Any] = {"num_processes": per_process.num_processes}
    result["per_process"] = _train(per_process, STEPS)
    split = Accelerator(cpu=True, dataloader_config=DataLoaderConfiguration(split_batches=True))
    result["split_batches"] = _train(split, STEPS)
    with open(os.path.join(directory, f"rank{rank}.json"), "w") as out:
        json.dump(result, out)
    per_process.wait_for_everyone()
    per_process.end_training()  # destroys the process group


def test_two_processes_step_num_processes_times_unless_batches_are_split(tmp_path: Path) -> None:
    context = mp.start_processes(_worker, args=(_free_port(), str(tmp_path)), nprocs=WORLD, join=False)
    deadline = time.monotonic() + 180  # a stuck rank fails the test instead of stalling the run
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail("the accelerate workers did not finish within 180 s")
    values = ps.simulate(SCHEDULE, WORLD * STEPS).tolist()
    for rank in range(WORLD):
        result = json.loads((tmp_path / f"rank{rank}.json").read_text())
        assert result["num_processes"] == WORLD
        # split_batches=False: every optimizer step advances the schedule by num_processes events
        assert result["per_process"] == [values[::WORLD][:STEPS], WORLD * STEPS]
        # split_batches=True: one event per optimizer step, as in one process
        assert result["split_batches"] == [values[:STEPS], STEPS]
