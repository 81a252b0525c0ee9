"""compile's one route: node → pure schedule → the scheduler that views it (SPEC §7), and the inputs
every entry point takes (text, a plain number, a node, a mapping)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import paramsched as ps
from paramsched import _schedules as pure


class Holder:
    def __init__(self, groups: int = 1) -> None:
        self.param_groups = [{"lr": 0.0} for _ in range(groups)]


def test_a_then_chain_is_one_concat_whose_parts_are_its_schedulers_schedules() -> None:
    scheduler: Any = ps.compile(
        "linear(0 -> 1, 5) then repeat(cosine(1 -> 0, 10), times=1) then piecewise((0, 1), (4, 2))", Holder()
    )
    assert type(scheduler) is ps.ConcatScheduler
    joined = scheduler.schedule
    assert isinstance(joined, pure.Concat)
    assert [type(s) for s in scheduler.schedulers] == [
        ps.CurveScheduler,
        ps.CosineAnnealingScheduler,
        ps.PiecewiseLinear,
    ]
    for part, view in zip(joined.parts, scheduler.schedulers, strict=True):
        assert view.schedule is part  # a view, not a second copy built from the arguments
    assert scheduler.durations == [5, 10]


@pytest.mark.parametrize(
    ("text", "cls", "monotonic"),
    [
        ("repeat(cosine(1 -> 0, 10), cycle_mult=2)", ps.CosineAnnealingScheduler, None),
        ("repeat(linear(1 -> 0, 10), warmup=3)", ps.LinearCyclicalScheduler, True),
        ("repeat(triangle(1 -> 0, 10))", ps.LinearCyclicalScheduler, False),
        ("repeat(triangle(1 -> 0, 10), warmup=3)", ps.CurveScheduler, None),  # ignite refuses that warmup
        ("repeat(cosine(1 -> 0, 1))", ps.CurveScheduler, None),  # ignite needs cycles of ≥ 2 events
        ("repeat(cosine(1 -> 0, 10, power=2))", ps.CurveScheduler, None),
        ("repeat(exp(1 -> 0.1, 10))", ps.CurveScheduler, None),
    ],
)
def test_the_class_is_chosen_by_the_pure_schedule(text: str, cls: type, monotonic: bool | None) -> None:
    scheduler: Any = ps.compile(text, Holder())
    assert type(scheduler) is cls
    assert isinstance(scheduler.schedule, pure.Cyclic)
    if monotonic is not None:
        assert scheduler.monotonic is monotonic
    stepped = []
    for _ in range(40):
        scheduler(None)
        stepped.append(scheduler.optimizer.param_groups[0]["lr"])
    assert stepped == ps.simulate(text, 40).tolist()


def test_a_view_has_ignites_state_attributes() -> None:
    compiled: Any = ps.compile("repeat(cosine(1 -> 0.5, 10), cycle_mult=2, start_mult=0.5)", Holder())
    built = ps.CosineAnnealingScheduler(Holder(), "lr", 1.0, 0.5, 10, cycle_mult=2.0, start_value_mult=0.5)
    for _ in range(23):
        compiled(None)
        built(None)
    state = compiled.state_dict()
    assert state.pop("schedule") == "repeat(cosine(1 -> 0.5, 10), cycle_mult=2, start_mult=0.5)"
    state.pop("paramsched_format")
    assert state == built.state_dict()


def test_a_joined_concat_follows_its_position_after_a_load() -> None:
    """ignite's test_concat_scheduler_state_dict, on a compiled chain and on one built from ignite's classes."""
    holder = Holder()
    first = ps.LinearCyclicalScheduler(holder, "lr", 1.0, 0.0, 10)
    second = ps.CosineAnnealingScheduler(holder, "lr", 0.0, 1.0, 10)
    for scheduler in (
        ps.ConcatScheduler([first, second], durations=[10]),
        ps.compile("repeat(triangle(1 -> 0, 10), times=1) then repeat(cosine(0 -> 1, 10))", holder),
    ):
        for _ in range(5):
            scheduler(None)
        state = scheduler.state_dict()
        for _ in range(20):
            scheduler(None)
        assert scheduler._current_duration == -16 and scheduler._scheduler_index == 1
        scheduler.load_state_dict(state)
        assert scheduler._current_duration == 5 and scheduler._scheduler_index == 0
        assert scheduler._current_scheduler is scheduler.schedulers[0]


def test_a_delegated_concat_steps_its_parts() -> None:
    """Parts that are not pure (here a ParamGroupScheduler) are stepped one by one, as ignite does."""
    holder = Holder(2)
    groups = ps.ParamGroupScheduler(
        [ps.PiecewiseLinear(holder, "lr", [(0, 0.0), (4, 1.0)], param_group_index=i) for i in range(2)]
    )
    tail = ps.PiecewiseLinear(holder, "lr", [(0, 1.0), (4, 0.0)])
    scheduler = ps.ConcatScheduler([groups, tail], durations=[4])
    assert not scheduler.is_pure
    seen = []
    for _ in range(8):
        scheduler(None)
        seen.append([group["lr"] for group in holder.param_groups])
    assert seen == [[v, v] for v in [0.0, 0.25, 0.5, 0.75, 1.0, 0.75, 0.5, 0.25]]
    state = scheduler.state_dict()
    scheduler(None)
    scheduler.load_state_dict(state)
    assert scheduler._current_duration == -5


@pytest.mark.parametrize("number", [0.5, 3])
def test_every_entry_point_takes_a_plain_number(number: float) -> None:
    holder = Holder()
    scheduler = ps.compile(number, holder)
    scheduler(None)
    assert holder.param_groups[0]["lr"] == float(number)
    assert ps.simulate(number, 3).tolist() == [float(number)] * 3
    config = ps.compile_config({"lr": number}, holder)
    config(None)
    assert holder.param_groups[0]["lr"] == float(number)
    torch = pytest.importorskip("torch")
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    assert ps.TorchScheduler(optimizer, number).get_last_lr() == [float(number)]


def test_a_bool_is_not_a_number_schedule() -> None:
    with pytest.raises(TypeError):
        ps.simulate(True, 3)


def test_a_node_works_where_text_does() -> None:
    node = ps.parse("linear(0 -> 1, 4) then 1")
    assert ps.simulate(node, 6).tolist() == ps.simulate("linear(0 -> 1, 4) then 1", 6).tolist()
    assert np.array_equal(
        ps.simulate(node, 6),
        ps.simulate(
            ps.load(
                {
                    "kind": "then",
                    "parts": [
                        {"kind": "linear", "start": 0, "end": 1, "duration": 4},
                        {"kind": "constant", "value": 1},
                    ],
                }
            ),
            6,
        ),
    )
