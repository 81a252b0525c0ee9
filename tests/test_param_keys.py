"""Tuple-element keys (issue 12): `param_name="betas[0]"` schedules Adam's β1 and keeps β2, as torch's
OneCycleLR does with `cycle_momentum` on an Adam-style optimizer (the reference the values are taken from)."""

from __future__ import annotations

from typing import Any

import pytest

import paramsched as ps

torch = pytest.importorskip("torch")

STEPS, PCT = 100, 0.3
UP = int(PCT * STEPS) - 1  # OneCycleLR's first phase ends at step float(pct_start * total_steps) - 1
# OneCycleLR(anneal_strategy="linear") moves momentum max → base over phase 1, then base → max
BETA1 = f"linear(0.95 -> 0.85, {UP}) then linear(0.85 -> 0.95, {STEPS - 1 - UP})"


def one_cycle_betas(optimizer_class: Any) -> list[tuple[float, float]]:
    optimizer = optimizer_class([torch.zeros(1, requires_grad=True)], lr=0.1, betas=(0.9, 0.98))
    scheduler = torch.optim.lr_scheduler.OneCycleLR(
        optimizer,
        max_lr=0.1,
        total_steps=STEPS,
        pct_start=PCT,
        anneal_strategy="linear",
        base_momentum=0.85,
        max_momentum=0.95,
        cycle_momentum=True,
    )
    betas = [tuple(optimizer.param_groups[0]["betas"])]
    for _ in range(STEPS - 1):
        optimizer.step()
        scheduler.step()
        betas.append(tuple(optimizer.param_groups[0]["betas"]))
    return betas  # type: ignore[return-value]


@pytest.mark.parametrize("optimizer_class", [torch.optim.Adam, torch.optim.AdamW])
def test_torch_scheduler_on_betas0_matches_one_cycle(optimizer_class: Any) -> None:
    expected = one_cycle_betas(optimizer_class)
    optimizer = optimizer_class([torch.zeros(1, requires_grad=True)], lr=0.1, betas=(0.9, 0.98))
    scheduler = ps.TorchScheduler(optimizer, BETA1, "betas[0]")
    got = [optimizer.param_groups[0]["betas"]]
    for _ in range(STEPS - 1):
        optimizer.step()
        scheduler.step()
        got.append(optimizer.param_groups[0]["betas"])
    assert all(type(betas) is tuple for betas in got)  # a new tuple, as torch writes it
    assert [b[1] for b in got] == [0.98] * STEPS  # β2 kept
    assert [b[0] for b in got] == pytest.approx([b[0] for b in expected], rel=1e-12, abs=0)
    assert scheduler.get_last_value() == [got[-1][0]]
    assert scheduler.get_last_lr() == [0.1]  # lr untouched


@pytest.mark.parametrize("optimizer_class", [torch.optim.Adam, torch.optim.AdamW])
def test_compiled_scheduler_on_betas0_matches_one_cycle(optimizer_class: Any) -> None:
    expected = one_cycle_betas(optimizer_class)
    optimizer = optimizer_class([torch.zeros(1, requires_grad=True)], lr=0.1, betas=(0.9, 0.98))
    scheduler = ps.compile(BETA1, optimizer, "betas[0]")
    got = []
    for _ in range(STEPS):
        scheduler.step()  # ignite's order: the value for the coming step
        got.append(optimizer.param_groups[0]["betas"])
        optimizer.step()
    assert [b[1] for b in got] == [0.98] * STEPS
    assert [b[0] for b in got] == pytest.approx([b[0] for b in expected], rel=1e-12, abs=0)


def test_betas1_schedules_beta2_and_keeps_beta1() -> None:
    optimizer = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1, betas=(0.9, 0.98))
    ps.TorchScheduler(optimizer, "linear(0.95 -> 0.999, 10)", "betas[1]")
    assert optimizer.param_groups[0]["betas"] == (0.9, 0.95)


def test_a_tensor_beta_is_updated_in_place() -> None:
    beta1, beta2 = torch.tensor(0.9), torch.tensor(0.98)
    optimizer = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1, betas=(beta1, beta2))
    scheduler = ps.TorchScheduler(optimizer, "linear(0.5 -> 1, 10)", "betas[0]")
    optimizer.step()
    scheduler.step()
    assert optimizer.param_groups[0]["betas"][0] is beta1
    assert beta1.item() == torch.tensor(0.55).item()  # 0.5 + (1 − 0.5)·0.1, rounded to the tensor's float32
    assert beta2.item() == torch.tensor(0.98).item()


def test_save_history_records_the_element() -> None:
    class Engine:
        class state:
            param_history = None

    optimizer = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1, betas=(0.9, 0.98))
    scheduler = ps.compile("linear(0.5 -> 1, 10)", optimizer, "betas[0]", save_history=True)
    engine = Engine()
    scheduler(engine)
    scheduler(engine)
    assert engine.state.param_history == {"betas[0]": [[0.5], [0.55]]}


def test_momentum_on_adam_points_at_betas0() -> None:
    optimizer = torch.optim.Adam([torch.zeros(1, requires_grad=True)], lr=0.1)
    with pytest.raises(ValueError, match=r"no 'momentum' entry; Adam's momentum is β1, .*: write 'betas\[0\]'"):
        ps.TorchScheduler(optimizer, "0.9", "momentum")
    with pytest.raises(ValueError, match=r"no 'betas\[2\]' entry"):
        ps.TorchScheduler(optimizer, "0.9", "betas[2]")


def test_a_literal_key_with_brackets_is_that_key() -> None:
    class Holder:
        def __init__(self) -> None:
            self.param_groups = [{"lr": 0.1, "w[0]": 0.0, "w": (1.0, 2.0)}]

    holder = Holder()
    ps.compile("0.5", holder, "w[0]").step()
    assert holder.param_groups[0] == {"lr": 0.1, "w[0]": 0.5, "w": (1.0, 2.0)}
