"""SPEC §6: an ignite-style scheduler (from `compile`/`compile_config`) driven in torch's order —
`optimizer.step()` before the scheduler's first write — warns once; the right order is silent."""

from __future__ import annotations

import warnings

import pytest

import paramsched as ps

torch = pytest.importorskip("torch")

TEXT = "linear(0 -> 0.1, 5) then cosine(0.1 -> 0, 10)"


def _optimizer() -> torch.optim.Optimizer:
    return torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.0, momentum=0.9)


def test_torchs_order_with_an_ignite_style_scheduler_warns_once() -> None:
    optimizer = _optimizer()
    scheduler = ps.compile(TEXT, optimizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for _ in range(4):
            optimizer.step()
            scheduler.step()
    order = [w for w in caught if issubclass(w.category, ps.StepOrderWarning)]
    assert len(order) == 1
    message = str(order[0].message)
    assert "SGD.step() ran before the paramsched scheduler of 'lr' wrote its first value" in message
    assert "ps.TorchScheduler(optimizer, schedule)" in message
    assert order[0].filename == __file__  # it points at the user's optimizer.step()


def test_ignites_order_is_silent() -> None:
    optimizer = _optimizer()
    scheduler = ps.compile(TEXT, optimizer)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ps.StepOrderWarning)
        for _ in range(4):
            scheduler.step()
            optimizer.step()
    assert optimizer.param_groups[0]["lr"] == ps.simulate(TEXT, 4)[3]


def test_a_config_of_several_keys_warns_once_naming_them() -> None:
    optimizer = _optimizer()
    scheduler = ps.compile_config({"lr": TEXT, "momentum": 0.9}, optimizer)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        optimizer.step()
        optimizer.step()
    order = [str(w.message) for w in caught if issubclass(w.category, ps.StepOrderWarning)]
    assert len(order) == 1 and "of 'lr', 'momentum' wrote" in order[0]
    assert scheduler.state_dict()  # the scheduler lives on: its parts were watched, not kept alive


def test_torch_scheduler_follows_torchs_order_silently() -> None:
    optimizer = _optimizer()
    scheduler = ps.TorchScheduler(optimizer, TEXT)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ps.StepOrderWarning)
        for _ in range(3):
            optimizer.step()
            scheduler.step()
    assert scheduler.get_last_lr()[0] == ps.simulate(TEXT, 4)[3]


def test_an_optimizer_without_step_hooks_is_left_alone() -> None:
    class Plain:  # ignite's schedulers accept any object with param_groups
        def __init__(self) -> None:
            self.param_groups = [{"lr": 0.0}]

    optimizer = Plain()
    scheduler = ps.compile(TEXT, optimizer)
    scheduler.step()
    assert optimizer.param_groups[0]["lr"] == 0.0
