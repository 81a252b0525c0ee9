"""The torch adapter: a real torch LRScheduler whose values are paramsched's, bit for bit."""

from __future__ import annotations

import io
import subprocess
import sys
import warnings
from typing import Any

import numpy as np
import pytest
import torch

import paramsched as ps
from paramsched import _torch_adapter
from paramsched._torch_adapter import TorchScheduler, torch_scheduler

WARM_COSINE = "linear(0 -> 0.1, 50) then cosine(0.1 -> 1e-4, 250)"


def _sgd(groups: int = 1, lr: Any = 0.5, **kwargs: Any) -> torch.optim.SGD:
    params = [{"params": [torch.nn.Parameter(torch.zeros(2))]} for _ in range(groups)]
    return torch.optim.SGD(params, lr=lr, **kwargs)


def _train(optimizer: torch.optim.Optimizer, scheduler: Any, events: int, key: str = "lr") -> list[list[float]]:
    """The value each optimizer step used, per group, in the order torch asks for (opt.step, then sched.step)."""
    seen = []
    for _ in range(events):
        seen.append([float(group[key]) for group in optimizer.param_groups])
        for group in optimizer.param_groups:
            for param in group["params"]:
                param.grad = torch.ones_like(param)
        optimizer.step()
        scheduler.step()
    return seen


def _roundtrip(state: dict[str, Any]) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_is_a_torch_lr_scheduler_with_torch_semantics() -> None:
    optimizer = _sgd()
    scheduler = TorchScheduler(optimizer, WARM_COSINE)
    assert isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)
    assert optimizer.param_groups[0]["lr"] == 0.0  # event 0 written at construction
    assert scheduler.last_epoch == 0
    assert scheduler.get_last_lr() == [0.0]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the right call order raises none of torch's warnings
        seen = _train(optimizer, scheduler, 700)
    assert [row[0] for row in seen] == ps.simulate(WARM_COSINE, 700).tolist()  # exact, across blocks
    assert scheduler.last_epoch == 700
    assert scheduler.get_last_lr() == [ps.simulate(WARM_COSINE, 701)[-1]]


def test_factory_takes_compiles_argument_order() -> None:
    optimizer = _sgd()
    scheduler = torch_scheduler("cosine(1 -> 0, 2ep)", optimizer, steps_per_epoch=5)
    seen = _train(optimizer, scheduler, 12)
    assert [row[0] for row in seen] == ps.simulate("cosine(1 -> 0, 2ep)", 12, steps_per_epoch=5).tolist()
    assert scheduler.schedules == ["cosine(1 -> 0, 2ep) (steps_per_epoch=5)"]


def test_one_schedule_per_group_and_groups_left_alone() -> None:
    optimizer = _sgd(groups=3, lr=0.25)
    texts = ["linear(0 -> 1, 4)", None, "step(1, every=2, gamma=0.5)"]
    scheduler = TorchScheduler(optimizer, texts)
    seen = np.array(_train(optimizer, scheduler, 8))
    assert seen[:, 0].tolist() == ps.simulate(texts[0], 8).tolist()
    assert seen[:, 1].tolist() == [0.25] * 8
    assert seen[:, 2].tolist() == ps.simulate(texts[2], 8).tolist()
    assert scheduler.evaluate(3, start=1).tolist() == [[0.25, 0.25, 1.0], [0.5, 0.25, 0.5], [0.75, 0.25, 0.5]]
    with pytest.raises(ps.ScheduleArgumentError, match="2 schedules for an optimizer with 3"):
        TorchScheduler(optimizer, texts[:2])


def test_schedules_another_key_and_keeps_get_last_lr_for_lr() -> None:
    optimizer = _sgd(lr=0.1, momentum=0.9)
    scheduler = TorchScheduler(optimizer, "linear(0.95 -> 0.85, 4)", "momentum")
    seen = _train(optimizer, scheduler, 6, key="momentum")
    assert [row[0] for row in seen] == ps.simulate("linear(0.95 -> 0.85, 4)", 6).tolist()
    assert scheduler.get_last_lr() == [0.1]
    assert scheduler.get_last_value() == [0.85]
    adam = torch.optim.Adam([torch.nn.Parameter(torch.zeros(1))])
    with pytest.raises(ValueError, match="no 'momentum' entry"):
        TorchScheduler(adam, "0.9", "momentum")


@pytest.mark.parametrize("text", [WARM_COSINE, "repeat(triangle(0 -> 1, 7), times=3) then 0.5"])
def test_resume_from_torch_load_weights_only_is_exact(text: str) -> None:
    reference = ps.simulate(text, 150).tolist()
    for stop in [0, 1, 6, 49, 50, 51, 63, 64, 65, 100]:
        optimizer = _sgd()
        scheduler = TorchScheduler(optimizer, text)
        first = _train(optimizer, scheduler, stop)
        state = _roundtrip({"sched": scheduler.state_dict(), "opt": optimizer.state_dict()})
        fresh_optimizer = _sgd(lr=123.0)
        resumed = TorchScheduler(fresh_optimizer, text)
        resumed.load_state_dict(state["sched"])  # before or without the optimizer's state
        second = _train(fresh_optimizer, resumed, 150 - stop)
        assert [row[0] for row in first + second] == reference, stop
        assert resumed.last_epoch == 150


def test_state_is_plain_and_foreign_state_changes_nothing() -> None:
    optimizer = _sgd()
    scheduler = TorchScheduler(optimizer, WARM_COSINE)
    _train(optimizer, scheduler, 10)
    state = scheduler.state_dict()
    assert all(type(value) in (int, str, list) for value in state.values())
    other_optimizer = _sgd()
    other = TorchScheduler(other_optimizer, "const(1, 3)")
    _train(other_optimizer, other, 2)
    before = (other.last_epoch, other._step_count, other_optimizer.param_groups[0]["lr"])
    with pytest.raises(ps.StateDictError, match="saved under another plan"):
        other.load_state_dict(state)
    for broken in [{}, {**state, "last_epoch": -5}, {**state, "last_epoch": 1.5}, {**state, "param_name": "x"}]:
        with pytest.raises(ps.StateDictError):
            other.load_state_dict(broken)
    assert (other.last_epoch, other._step_count, other_optimizer.param_groups[0]["lr"]) == before


def test_non_finite_value_raises_and_writes_nothing() -> None:
    optimizer = _sgd()
    scheduler = TorchScheduler(optimizer, "1 / linear(1 -> 0, 4)")
    _train(optimizer, scheduler, 3)
    with pytest.raises(ps.NonFiniteValueError, match="at event 4"):
        scheduler.step()
    assert (scheduler.last_epoch, optimizer.param_groups[0]["lr"]) == (3, 4.0)


def test_a_tensor_lr_is_updated_in_place() -> None:
    lr = torch.tensor(0.5)
    optimizer = _sgd(lr=lr)
    scheduler = TorchScheduler(optimizer, "linear(0 -> 1, 4)")
    for expected in [0.25, 0.5]:
        optimizer.step()
        scheduler.step()
        assert optimizer.param_groups[0]["lr"] is lr
        assert float(lr) == expected
    last = scheduler.get_last_lr()[0]
    assert isinstance(last, torch.Tensor) and last is not lr  # a copy, as torch's get_last_lr gives
    assert scheduler.state_dict()["_last_lr"] == [0.5]


def test_compiled_optimizer_step_does_not_recompile_and_uses_the_scheduled_lr() -> None:
    """The PyTorch recipe "compiled optimizer with an LR scheduler", on CPU with inductor: the lr is a
    tensor in the param group, so the guard is on the tensor, not its value; an lr change that
    recompiled would raise RecompileError under `error_on_recompile`."""
    text = "linear(0.01 -> 0.1, 5) then cosine(0.1 -> 1e-3, 15)"
    torch._dynamo.reset()
    try:
        weight = torch.nn.Parameter(torch.zeros(4, dtype=torch.float64))
        optimizer = torch.optim.SGD([weight], lr=torch.tensor(0.01, dtype=torch.float64))
        scheduler = TorchScheduler(optimizer, text)
        grad = torch.tensor([1.0, 2.0, -0.5, 4.0], dtype=torch.float64)  # powers of two: lr * grad is exact

        @torch.compile(fullgraph=False)  # type: ignore[untyped-decorator, misc]
        def optimizer_step() -> None:
            optimizer.step()

        used = []
        for event in range(20):
            with torch.no_grad():
                weight.zero_()
            weight.grad = grad.clone()
            with torch._dynamo.config.patch(error_on_recompile=event > 0):
                optimizer_step()
            used.append((-weight.detach() / grad).tolist())  # SGD: w = 0 - lr * grad
            scheduler.step()
        graphs = torch._dynamo.utils.counters["stats"]["unique_graphs"]
        assert graphs >= 1
        assert np.array(used).tolist() == np.repeat(ps.simulate(text, 20)[:, None], 4, axis=1).tolist()
    finally:
        torch._dynamo.reset()


def test_a_float_lr_would_recompile() -> None:
    """The check above can fail: with a Python float lr, the next value does recompile."""
    torch._dynamo.reset()
    try:
        optimizer = _sgd(lr=0.01)
        scheduler = TorchScheduler(optimizer, "linear(0.01 -> 0.1, 5)")
        optimizer.param_groups[0]["params"][0].grad = torch.ones(2)

        @torch.compile(fullgraph=False)  # type: ignore[untyped-decorator, misc]
        def optimizer_step() -> None:
            optimizer.step()

        optimizer_step()
        scheduler.step()
        with torch._dynamo.config.patch(error_on_recompile=True):
            with pytest.raises(torch._dynamo.exc.RecompileError):
                optimizer_step()
    finally:
        torch._dynamo.reset()


def test_import_paramsched_does_not_import_torch_and_exports_the_adapter_lazily() -> None:
    code = (
        "import sys, paramsched as ps\n"
        "assert 'torch' not in sys.modules, 'import paramsched imported torch'\n"
        "cls = ps.TorchScheduler\n"
        "assert 'torch' in sys.modules\n"
        "from paramsched._torch_adapter import TorchScheduler, torch_scheduler\n"
        "assert cls is TorchScheduler and ps.torch_scheduler is torch_scheduler\n"
        "assert {'TorchScheduler', 'torch_scheduler'} <= set(ps.__all__)\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=120)
    assert _torch_adapter.TorchScheduler is TorchScheduler
