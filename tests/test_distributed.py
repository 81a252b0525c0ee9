"""Two processes (gloo on CPU): every rank writes the same values, and the schedulers, used directly as
`torch.distributed.checkpoint` Stateful objects, survive `dcp.save` / `dcp.load` and resume exactly."""

from __future__ import annotations

import gc
import json
import os
import socket
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp

import paramsched as ps
from paramsched import TorchScheduler

dcp = pytest.importorskip("torch.distributed.checkpoint")

TEXT = "linear(0 -> 0.1, 4) then repeat(cosine(0.1 -> 1e-3, 5), cycle_mult=2) + 0.001"
MOMENTUM = "linear(0.95 -> 0.85, 6) then 0.85"
WORLD = 2
EVENTS = 20
STOP = 7


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _build() -> tuple[torch.nn.Module, torch.optim.SGD, ps.ParamScheduler, TorchScheduler]:
    torch.manual_seed(0)
    model = torch.nn.parallel.DistributedDataParallel(torch.nn.Linear(3, 1))
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    scheduler = ps.compile(TEXT, optimizer)  # ignite-style: writes, then advances
    adapter = TorchScheduler(optimizer, MOMENTUM, "momentum")  # torch-style: step after optimizer.step
    return model, optimizer, scheduler, adapter


def _train(parts: tuple[Any, ...], events: int, rank: int) -> list[list[float]]:
    model, optimizer, scheduler, adapter = parts
    inputs = torch.full((4, 3), float(rank + 1))
    seen = []
    for _ in range(events):
        scheduler.step()
        group = optimizer.param_groups[0]
        seen.append([group["lr"], group["momentum"]])
        optimizer.zero_grad()
        model(inputs).sum().backward()
        optimizer.step()
        adapter.step()
    return seen


def _run(rank: int, directory: str) -> None:
    parts = _build()
    first = _train(parts, STOP, rank)
    model, _, scheduler, adapter = parts
    checkpoint = os.path.join(directory, "checkpoint")
    dcp.save({"model": model.state_dict(), "scheduler": scheduler, "adapter": adapter}, checkpoint_id=checkpoint)

    fresh = _build()
    state = {"model": fresh[0].state_dict(), "scheduler": fresh[2], "adapter": fresh[3]}
    dcp.load(state, checkpoint_id=checkpoint)  # calls load_state_dict on the Stateful schedulers
    fresh[0].load_state_dict(state["model"])
    same_weights = all(torch.equal(a, b) for a, b in zip(model.parameters(), fresh[0].parameters(), strict=True))
    values = first + _train(fresh, EVENTS - STOP, rank)
    everyone: list[Any] = [None] * WORLD
    dist.all_gather_object(everyone, values)
    with open(os.path.join(directory, f"rank{rank}.json"), "w") as out:
        json.dump({"values": values, "all": everyone, "same_weights": same_weights}, out)


def _worker(rank: int, port: int, directory: str) -> None:
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD, timeout=timedelta(seconds=60))
    try:
        _run(rank, directory)
        # the DDP models must be gone before the process group: tearing one down afterwards can hang
        gc.collect()
        dist.barrier()
    finally:
        dist.destroy_process_group()


def test_two_ranks_write_the_same_values_and_resume_through_dcp(tmp_path: Path) -> None:
    context = mp.start_processes(_worker, args=(_free_port(), str(tmp_path)), nprocs=WORLD, join=False)
    deadline = time.monotonic() + 180  # a stuck rank fails the test instead of stalling the run
    while not context.join(timeout=5):
        if time.monotonic() > deadline:
            for process in context.processes:
                process.kill()
            pytest.fail("the distributed workers did not finish within 180 s")
    expected = [
        [lr, momentum]
        for lr, momentum in zip(ps.simulate(TEXT, EVENTS).tolist(), ps.simulate(MOMENTUM, EVENTS).tolist(), strict=True)
    ]
    for rank in range(WORLD):
        result = json.loads((tmp_path / f"rank{rank}.json").read_text())
        assert result["same_weights"]
        assert result["all"] == [expected] * WORLD  # every rank, bit for bit, across the resume
        assert result["values"] == expected


def test_schedulers_are_dcp_stateful() -> None:
    from torch.distributed.checkpoint.stateful import Stateful

    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    assert isinstance(ps.compile(TEXT, optimizer), Stateful)
    assert isinstance(TorchScheduler(optimizer, TEXT), Stateful)
