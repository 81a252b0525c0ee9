"""`ps.schedule` (issue 12): an immutable pure function of the clock, equal to `simulate` value for value."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import UNIT_STEPS_PER_EPOCH, UNIT_TOTAL, nodes

import paramsched as ps

UNITS = {"total": UNIT_TOTAL, "steps_per_epoch": UNIT_STEPS_PER_EPOCH}
EVENTS = 300


def _simulated(node: ps.Node) -> np.ndarray | None:  # type: ignore[type-arg]
    try:
        return ps.simulate(node, EVENTS, **UNITS)
    except ps.NonFiniteValueError:
        return None


@settings(max_examples=150, deadline=None)
@given(nodes(with_units=True), st.randoms(use_true_random=False))
def test_schedule_equals_simulate_value_for_value(node: ps.Node, rng: object) -> None:
    expected = _simulated(node)
    if expected is None:
        return  # a schedule that reaches a non-finite value: simulate raises, and so does f below
    f = ps.schedule(node, **UNITS)
    assert f(np.arange(EVENTS)).tobytes() == expected.tobytes()  # bit for bit
    positions = list(range(EVENTS))
    rng.shuffle(positions)  # type: ignore[attr-defined]
    shuffled = np.array(positions, dtype=np.int32).reshape(20, 15)
    assert f(shuffled).tobytes() == expected[shuffled].tobytes()
    for t in positions[:10]:
        value = f(t)
        assert type(value) is float
        assert value == expected[t] or (math.isnan(value) and math.isnan(expected[t]))


def test_values_at_a_position_follow_the_formula() -> None:
    f = ps.schedule("warmup(10) then cosine(1 -> 0.1, 90)")
    assert f(5) == 0.0 + (1.0 - 0.0) * (5 / 10)
    assert f(10 + 45) == pytest.approx(1 + (0.1 - 1) / 2 * (1 - math.cos(math.pi * 45 / 90)), rel=1e-15)
    assert f(10**12) == 1 + (0.1 - 1) / 2 * (1 - math.cos(math.pi))  # held after its duration: the end, u = 1
    assert f(np.int64(5)) == 0.5


@pytest.mark.parametrize(
    ("text", "settings_", "duration"),
    [
        ("warmup(10) then cosine(1 -> 0.1, 90)", {}, 100),
        ("0.5", {}, 0),
        ("rsqrt(1, timescale=10)", {}, None),
        ("repeat(cosine(1 -> 0, 10))", {}, None),
        ("repeat(cosine(1 -> 0, 10), times=3, cycle_mult=2)", {}, 10 + 20 + 40),
        ("const(1, 5%) then linear(1 -> 0, 2ep)", {"total": 200, "steps_per_epoch": 7}, 10 + 14),
        ("warmup(375Mtok) then cosine(6e-4 -> 6e-5, 260Btok)", {"clock": "tokens"}, 375_000_000 + 260 * 10**9),
    ],
)
def test_duration_is_the_length_in_clock_units(text: str, settings_: dict[str, object], duration: int | None) -> None:
    assert ps.schedule(text, **settings_).duration == duration  # type: ignore[arg-type]


def test_a_token_clock_function_equals_simulate_on_that_clock() -> None:
    text = "warmup(2ktok) then cosine(1 -> 0, 10ktok)"
    f = ps.schedule(text, clock="tokens")
    assert f.clock == "tokens"
    assert f(np.arange(15_000)).tolist() == ps.simulate(text, 15_000, clock="tokens").tolist()
    assert ps.schedule(text, tokens_per_step=1_000)(12) == f(12_000)


def test_it_is_immutable() -> None:
    f = ps.schedule("linear(0 -> 1, 10)")
    with pytest.raises(AttributeError, match="immutable"):
        f.duration = 3  # type: ignore[misc]
    with pytest.raises(AttributeError, match="immutable"):
        del f.text
    with pytest.raises(AttributeError):
        f.extra = 1  # type: ignore[attr-defined]
    assert f.duration == 10 and f(5) == 0.5


@pytest.mark.parametrize("bad", [1.5, "3", [0.5], np.array([1.0, 2.0]), True])
def test_positions_must_be_whole_numbers(bad: object) -> None:
    with pytest.raises(TypeError, match="whole positions"):
        ps.schedule("linear(0 -> 1, 10)")(bad)  # type: ignore[call-overload]


def test_negative_positions_are_refused() -> None:
    f = ps.schedule("linear(0 -> 1, 10)")
    with pytest.raises(ps.ScheduleArgumentError, match="must not be negative"):
        f(-1)
    with pytest.raises(ps.ScheduleArgumentError, match="must not be negative"):
        f(np.array([3, -2]))


def test_a_non_finite_value_names_its_position() -> None:
    f = ps.schedule("1 / linear(1 -> 0, 10)")
    assert f(5) == 2.0
    with pytest.raises(ps.NonFiniteValueError, match="event 10"):
        f(np.array([3, 10]))


def test_schedule_takes_text_nodes_mappings_and_numbers() -> None:
    for schedule in ("linear(0 -> 1, 4)", ps.linear(0, 1, 4), ps.linear(0, 1, 4).model_dump()):
        assert ps.schedule(schedule)(np.arange(5)).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert ps.schedule(0.3)(7) == 0.3
