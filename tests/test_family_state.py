"""The family's own promises: simulate equals stepping bit for bit, resume equals an uninterrupted run
bit for bit (through torch.save / torch.load(weights_only=True)), and bad states change nothing."""

from __future__ import annotations

import copy
import io
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import cyclical_kwargs, piecewise_kwargs

import paramsched as ps

torch = pytest.importorskip("torch")


class Holder:
    """Any object with param_groups works as an optimizer."""

    def __init__(self, groups: int = 1) -> None:
        self.param_groups = [{"lr": 0.0} for _ in range(groups)]


Builder = Callable[[Any], Any]


def cyclical_builder(cls: Any, kwargs: dict[str, Any], **extra: Any) -> Builder:
    return lambda optimizer: cls(optimizer, "lr", **kwargs, **extra)


@st.composite
def builders(draw: Any) -> Builder:
    """A scheduler of the family on a given optimizer: a cyclical one, a piecewise one, or a concat of them."""
    choice = draw(st.sampled_from(["cosine", "linear", "triangle", "piecewise", "concat"]))
    if choice == "cosine":
        return cyclical_builder(
            ps.CosineAnnealingScheduler,
            draw(cyclical_kwargs()),
            num_cycles=draw(st.one_of(st.none(), st.integers(1, 4))),
        )
    if choice == "linear":
        return cyclical_builder(ps.LinearCyclicalScheduler, draw(cyclical_kwargs()), monotonic=True)
    if choice == "triangle":
        return cyclical_builder(ps.LinearCyclicalScheduler, {**draw(cyclical_kwargs()), "warmup_duration": 0})
    if choice == "piecewise":
        kwargs = draw(piecewise_kwargs())
        return lambda optimizer: ps.PiecewiseLinear(optimizer, "lr", **kwargs)
    first, second = draw(builders()), draw(builders())
    duration = draw(st.integers(1, 50))
    return lambda optimizer: ps.ConcatScheduler([first(optimizer), second(optimizer)], durations=[duration])


def step_values(scheduler: Any, optimizer: Any, events: int) -> list[float]:
    values = []
    for _ in range(events):
        scheduler(None)
        values.append(optimizer.param_groups[0]["lr"])
    return values


@given(build=builders(), events=st.integers(0, 400))
def test_simulate_equals_stepping_bit_for_bit(build: Builder, events: int) -> None:
    optimizer = Holder()
    scheduler = build(optimizer)
    simulated = scheduler.evaluate(events).tolist()
    assert step_values(scheduler, optimizer, events) == simulated


@given(kwargs=cyclical_kwargs(), events=st.integers(0, 300))
def test_simulate_values_rows_equal_stepping(kwargs: dict[str, Any], events: int) -> None:
    rows = ps.CosineAnnealingScheduler.simulate_values(events, param_name="lr", **kwargs)
    optimizer = Holder()
    stepped = step_values(ps.CosineAnnealingScheduler(optimizer, "lr", **kwargs), optimizer, events)
    assert rows == [[index, value] for index, value in enumerate(stepped)]


def through_torch(state: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


@given(build=builders(), stop=st.integers(0, 300), more=st.integers(1, 200))
def test_resume_equals_uninterrupted_bit_for_bit(build: Builder, stop: int, more: int) -> None:
    optimizer = Holder()
    uninterrupted = build(optimizer)
    expected = step_values(uninterrupted, optimizer, stop + more)

    first_optimizer = Holder()
    first = build(first_optimizer)
    before = step_values(first, first_optimizer, stop)
    state = through_torch(first.state_dict())

    second_optimizer = Holder()
    second = build(second_optimizer)
    second.load_state_dict(state)
    assert second.state_dict() == first.state_dict()
    assert before + step_values(second, second_optimizer, more) == expected


def corrupt_states(state: dict[str, Any]) -> list[tuple[str, Any]]:
    """Ways a saved state can be wrong, each with a name for the test report."""
    cases: list[tuple[str, Any]] = [("not a mapping", [1, 2]), ("empty", {})]
    for key in state:
        cases.append((f"missing {key}", {k: v for k, v in state.items() if k != key}))
    for key, value in state.items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            cases.append((f"negative {key}", {**state, key: -1}))
            cases.append((f"float {key}", {**state, key: 1.5}))
            cases.append((f"string {key}", {**state, key: "3"}))
        if isinstance(value, float):
            cases.append((f"nan {key}", {**state, key: math.nan}))
    return cases


@pytest.mark.parametrize(
    "build",
    [
        lambda o: ps.CosineAnnealingScheduler(o, "lr", 0.1, 0.01, 10, cycle_mult=1.5, start_value_mult=0.9),
        lambda o: ps.LinearCyclicalScheduler(o, "lr", 0.1, 0.01, 10, monotonic=True, warmup_duration=3),
        lambda o: ps.PiecewiseLinear(o, "lr", [(0, 0.0), (5, 1.0), (20, 0.5)]),
        lambda o: ps.ConcatScheduler(
            [ps.PiecewiseLinear(o, "lr", [(0, 0.0), (5, 1.0)]), ps.CosineAnnealingScheduler(o, "lr", 1.0, 0.0, 8)],
            durations=[6],
        ),
        lambda o: ps.compile("linear(0 -> 1, 5) then repeat(cosine(1 -> 0, 8))", o),
        lambda o: ps.compile("cosine(1 -> 0, 30) * 0.5", o),
    ],
)
def test_bad_states_raise_and_change_nothing(build: Builder) -> None:
    optimizer = Holder()
    scheduler = build(optimizer)
    step_values(scheduler, optimizer, 13)
    state = scheduler.state_dict()
    kept = copy.deepcopy(state)
    for name, bad in corrupt_states(state):
        with pytest.raises((ps.StateDictError, TypeError)) as error:
            scheduler.load_state_dict(bad)
        assert str(error.value), name
        assert scheduler.state_dict() == kept, name
    # still continues exactly
    reference_optimizer = Holder()
    reference = build(reference_optimizer)
    assert step_values(reference, reference_optimizer, 20)[13:] == step_values(scheduler, optimizer, 7)


def test_state_of_another_configuration_is_refused() -> None:
    optimizer = Holder()
    ours = ps.CosineAnnealingScheduler(optimizer, "lr", 0.1, 0.01, 10)
    other = ps.CosineAnnealingScheduler(Holder(), "lr", 0.1, 0.02, 10)
    step_values(other, other_optimizer := other.optimizer, 4)
    del other_optimizer
    before = ours.state_dict()
    with pytest.raises(ps.StateDictError, match="another configuration"):
        ours.load_state_dict(other.state_dict())
    assert ours.state_dict() == before


def test_compiled_state_of_another_schedule_is_refused() -> None:
    ours = ps.compile("linear(0 -> 1, 10) then cosine(1 -> 0, 10)", Holder())
    other = ps.compile("linear(0 -> 2, 10) then cosine(2 -> 0, 10)", Holder())
    before = ours.state_dict()
    with pytest.raises(ps.StateDictError, match="saved under another plan"):
        ours.load_state_dict(other.state_dict())
    assert ours.state_dict() == before


def test_state_from_a_newer_format_is_refused() -> None:
    scheduler = ps.compile("linear(0 -> 1, 10)", Holder())
    state = {**scheduler.state_dict(), "paramsched_format": 99}
    with pytest.raises(ps.StateDictError, match="newer"):
        scheduler.load_state_dict(state)


def test_state_holds_plain_values_only() -> None:
    scheduler = ps.compile("linear(0 -> 1, 10) then repeat(cosine(1 -> 0, 8), cycle_mult=2)", Holder())
    step_values(scheduler, scheduler.optimizer, 30)

    def plain(value: Any) -> bool:
        if isinstance(value, dict):
            return all(isinstance(k, str) and plain(v) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return all(plain(v) for v in value)
        return value is None or type(value) in (int, float, str, bool)

    assert plain(scheduler.state_dict())
    assert through_torch(scheduler.state_dict()) == scheduler.state_dict()


def test_non_finite_value_is_never_written() -> None:
    optimizer = Holder()
    scheduler = ps.compile("1 / linear(1 -> 0, 10)", optimizer)
    step_values(scheduler, optimizer, 10)
    written = optimizer.param_groups[0]["lr"]
    with pytest.raises(ps.NonFiniteValueError, match="event 10"):
        scheduler(None)
    assert optimizer.param_groups[0]["lr"] == written


def test_tensor_lr_is_updated_in_place() -> None:
    lr = torch.tensor(0.5)
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    scheduler = ps.compile("linear(0 -> 1, 4)", optimizer)
    for expected in (0.0, 0.25, 0.5):
        scheduler(None)
        assert optimizer.param_groups[0]["lr"] is lr
        assert float(lr) == expected


@given(kwargs=cyclical_kwargs(), start=st.integers(0, 600), count=st.integers(1, 300))
def test_cycle_table_gives_the_general_paths_bits(kwargs: dict[str, Any], start: int, count: int) -> None:
    """Identical cycles are served from a one-cycle table; it must hold exactly the general path's values."""
    schedule = ps.CosineAnnealingScheduler(Holder(), "lr", **kwargs).schedule
    schedule.values(np.arange(0, 1000, dtype=np.int64))  # lets the cycles reach their fixed point
    events = np.arange(start, start + count, dtype=np.int64)
    assert schedule.values(events).tolist() == schedule._values(events).tolist()
