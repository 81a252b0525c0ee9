"""Hypothesis strategies for valid schedule ASTs, shared by the language and the scheduler tests.

Every generated node is valid and compiles: parts before `then` are finite and nonzero, exp endpoints are
nonzero and of one sign, division is only by values bounded away from zero, milestones increase, repeat
bodies are finite, multipliers are positive and cycles never shrink. Durations are small (1..200 events
mostly) so simulating is cheap.

With `with_units=True` durations also use k, ep and %; they resolve to at least one event and keep
milestones increasing for any `total >= UNIT_TOTAL` and `steps_per_epoch >= UNIT_STEPS_PER_EPOCH`.
"""

from __future__ import annotations

import functools
from typing import Any, Literal

from hypothesis import strategies as st

from paramsched.language.nodes import (
    BinaryOp,
    Const,
    Constant,
    Cosine,
    Duration,
    Exp,
    Extremum,
    Linear,
    MultiStep,
    Negate,
    Node,
    Piecewise,
    Poly,
    Repeat,
    Rsqrt,
    Sqrt,
    Step,
    Tanh,
    Then,
    Triangle,
    Warmup,
)

__all__ = ["UNIT_STEPS_PER_EPOCH", "UNIT_TOTAL", "durations", "nodes", "numbers"]

UNIT_TOTAL = 1_000
"""Pass at least this `total` when compiling nodes made with `with_units=True`."""

UNIT_STEPS_PER_EPOCH = 10
"""Pass at least this `steps_per_epoch` when compiling nodes made with `with_units=True`."""

Need = Literal["any", "bounded", "finite"]
"""What a generated node must last: anything; not infinite (zero or finite); finite and nonzero."""


def numbers(wild: bool = False) -> st.SearchStrategy[float]:
    """Finite floats; `wild` adds any finite float (tiny, huge, subnormal) to test number formatting."""
    sane = st.one_of(
        st.integers(-5, 5).map(float),
        st.sampled_from([0.1, 0.5, 1e-3, 1e-4, 2.5, -0.25]),
        st.floats(-10, 10, allow_nan=False, allow_infinity=False),
    )
    if not wild:
        return sane
    return st.one_of(sane, st.floats(allow_nan=False, allow_infinity=False))


def _positive(low: float, high: float) -> st.SearchStrategy[float]:
    return st.one_of(st.sampled_from([low, high, 1.0]), st.floats(low, high))


@functools.cache
def durations(*, with_units: bool = False, allow_zero: bool = False) -> st.SearchStrategy[Duration]:
    """Small durations: 1..200 events, or (with units) k, ep and % amounts that resolve to ≥ 1 event."""
    events = st.integers(0 if allow_zero else 1, 200).map(lambda n: Duration(amount=float(n)))
    if not with_units:
        return events
    return st.one_of(
        events,
        st.integers(1, 200).map(lambda n: Duration(amount=n / 1000, unit="k")),
        st.integers(1, 6).map(lambda n: Duration(amount=n / 2, unit="ep")),
        st.integers(1, 20).map(lambda n: Duration(amount=float(n), unit="%")),
    )


def _milestones(with_units: bool, count: int, *, first_may_be_zero: bool) -> st.SearchStrategy[tuple[Duration, ...]]:
    """Strictly increasing milestones in one unit, so they stay increasing after resolution."""
    lowest = 0 if first_may_be_zero else 1
    steps = st.lists(st.integers(lowest, 200), min_size=count, max_size=count, unique=True).map(sorted)
    plain = steps.map(lambda ms: tuple(Duration(amount=float(m)) for m in ms))
    if not with_units:
        return plain
    # % milestones 10 apart stay apart after rounding for any total >= UNIT_TOTAL
    percent = st.lists(st.integers(lowest, 10), min_size=count, max_size=count, unique=True).map(
        lambda ms: tuple(Duration(amount=float(10 * m), unit="%") for m in sorted(ms))
    )
    return st.one_of(plain, percent)


def _range_shape(wild: bool, with_units: bool) -> st.SearchStrategy[Node]:
    value = numbers(wild)
    duration = durations(with_units=with_units)
    signs = st.sampled_from([1.0, -1.0])
    magnitude = _positive(1e-3, 10.0)
    exp = st.builds(
        lambda sign, a, b, d: Exp(start=sign * a, end=sign * b, duration=d), signs, magnitude, magnitude, duration
    )
    tanh_bounds = st.tuples(st.floats(-10, 0), _positive(0.5, 10.0)).map(lambda lu: (lu[0], lu[0] + lu[1]))
    return st.one_of(
        st.builds(Linear, start=value, end=value, duration=duration),
        st.builds(Cosine, start=value, end=value, duration=duration, power=_positive(0.25, 4.0)),
        exp,
        st.builds(Poly, start=value, end=value, duration=duration, power=_positive(0.25, 4.0)),
        st.builds(Sqrt, start=value, end=value, duration=duration),
        st.builds(
            lambda a, b, d, lu: Tanh(start=a, end=b, duration=d, lower=lu[0], upper=lu[1]),
            value,
            value,
            duration,
            tanh_bounds,
        ),
        st.builds(Triangle, start=value, end=value, duration=duration),
    )


def _finite_leaf(wild: bool, with_units: bool) -> st.SearchStrategy[Node]:
    value = numbers(wild)
    duration = durations(with_units=with_units)
    multistep = st.integers(1, 4).flatmap(
        lambda n: st.builds(MultiStep, value=value, at=_milestones(with_units, n, first_may_be_zero=False), gamma=value)
    )
    piecewise = (
        st.integers(1, 4)
        .flatmap(
            lambda n: st.tuples(
                _milestones(with_units, n, first_may_be_zero=True), st.lists(value, min_size=n, max_size=n)
            )
        )
        .filter(lambda mv: mv[0][-1].amount > 0)
    )
    return st.one_of(
        st.builds(Const, value=value, duration=duration),
        _range_shape(wild, with_units),
        multistep,
        piecewise.map(lambda mv: Piecewise(points=tuple(zip(mv[0], mv[1], strict=True)))),
    )


def _infinite_leaf(wild: bool, with_units: bool) -> st.SearchStrategy[Node]:
    value = numbers(wild)
    duration = durations(with_units=with_units)
    return st.one_of(
        st.builds(Rsqrt, value=value, timescale=duration),
        st.builds(Step, value=value, every=duration, gamma=value),
    )


def _repeat(body: st.SearchStrategy[Node], wild: bool, with_units: bool, forever: bool) -> st.SearchStrategy[Node]:
    """Plain repeats of any finite body, and shaped ones (multipliers, warmup) of a range shape."""
    times = st.none() if forever else st.integers(1, 3)
    plain = st.builds(Repeat, body=body, times=times)
    mult = st.one_of(st.just(1.0), _positive(0.5, 2.0))
    shaped = st.builds(
        Repeat,
        body=_range_shape(wild, with_units),
        times=times,
        cycle_mult=st.sampled_from([1.0, 1.5, 2.0]),
        start_mult=mult,
        end_mult=mult,
        warmup=durations(with_units=with_units, allow_zero=True),
    )
    return st.one_of(plain, shaped)


def _then(
    parts: st.SearchStrategy[Node], last: st.SearchStrategy[Node], wild: bool, with_units: bool
) -> st.SearchStrategy[Node]:
    """Finite parts, each possibly preceded by a warmup, then a last part (never a warmup)."""
    warmup = st.builds(Warmup, duration=durations(with_units=with_units), start=numbers(wild))
    # a warmup ramps into the next part, which must not itself start with a warmup
    after_warmup = parts.filter(lambda p: not (isinstance(p, Then) and isinstance(p.parts[0], Warmup)))
    part = st.one_of(parts.map(lambda p: (p,)), st.tuples(warmup, after_warmup))
    return st.builds(
        lambda head, tail: Then(parts=(*[node for group in head for node in group], tail)),
        st.lists(part, min_size=1, max_size=3),
        last,
    )


def _divisor(wild: bool, with_units: bool) -> st.SearchStrategy[Node]:
    """Schedules that stay away from zero, so division keeps values finite."""
    magnitude = _positive(0.5, 4.0)
    return st.one_of(
        magnitude.map(lambda v: Constant(value=v)),
        st.builds(Exp, start=magnitude, end=magnitude, duration=durations(with_units=with_units)),
    )


@functools.cache
def _nodes(need: Need, depth: int, wild: bool, with_units: bool) -> st.SearchStrategy[Node]:
    constant = numbers(wild).map(lambda v: Constant(value=v))
    finite_leaf = _finite_leaf(wild, with_units)
    if depth <= 0:
        if need == "finite":
            return finite_leaf
        if need == "bounded":
            return st.one_of(constant, finite_leaf)
        return st.one_of(constant, finite_leaf, _infinite_leaf(wild, with_units))

    finite = _nodes("finite", depth - 1, wild, with_units)
    bounded = _nodes("bounded", depth - 1, wild, with_units)
    anything = _nodes("any", depth - 1, wild, with_units)
    same = {"finite": finite, "bounded": bounded, "any": anything}[need]
    # operands of arithmetic: a finite one and one that is not infinite make a finite result
    operand_pair = st.one_of(st.tuples(finite, bounded), st.tuples(bounded, finite))
    if need == "any":
        operand_pair = st.tuples(anything, anything)
    arithmetic = st.one_of(
        st.builds(
            lambda op, pair: BinaryOp(op=op, left=pair[0], right=pair[1]),
            st.sampled_from(["+", "-", "*"]),
            operand_pair,
        ),
        st.builds(
            lambda left, right: BinaryOp(op="/", left=left, right=right),
            same,
            _divisor(wild, with_units),
        ),
        st.builds(Negate, operand=same),
        st.builds(
            lambda fn, pair, more: Extremum(fn=fn, args=(*pair, *more)),
            st.sampled_from(["min", "max"]),
            operand_pair,
            st.lists(bounded if need != "any" else anything, max_size=1),
        ),
    )
    compound = st.one_of(
        arithmetic,
        _then(finite, same, wild, with_units),
        _repeat(finite, wild, with_units, forever=False),
    )
    choices: list[st.SearchStrategy[Node]] = [finite_leaf, compound]
    if need != "finite":
        choices.append(constant)
    if need == "any":
        choices += [_infinite_leaf(wild, with_units), _repeat(finite, wild, with_units, forever=True)]
    return st.one_of(*choices)


def nodes(
    *, finite_only: bool = False, with_units: bool = False, wild_numbers: bool = False, max_depth: int = 2
) -> st.SearchStrategy[Node]:
    """Valid schedule nodes of every kind, nested up to `max_depth` compound levels.

    finite_only: only schedules of finite, nonzero duration (usable before `then`).
    with_units: durations also in k, ep and % (see UNIT_TOTAL and UNIT_STEPS_PER_EPOCH).
    wild_numbers: values may be any finite float (for the text round trip, not for simulation).
    """
    return _nodes("finite" if finite_only else "any", max_depth, wild_numbers, with_units)


# --- the scheduler family's constructor arguments -------------------------------------------------
family_values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
multipliers = st.one_of(st.just(1.0), st.floats(0.5, 1.5))


@st.composite
def cyclical_kwargs(draw: Any) -> dict[str, Any]:
    """Arguments of ignite's cyclical schedulers, kept where ignite itself does not crash (cycle_mult ≥ 1)."""
    return {
        "start_value": draw(family_values),
        "end_value": draw(family_values),
        "cycle_size": draw(st.integers(2, 30)),
        "cycle_mult": draw(st.one_of(st.just(1.0), st.floats(1.0, 2.5))),
        "start_value_mult": draw(multipliers),
        "end_value_mult": draw(multipliers),
        "warmup_duration": draw(st.integers(0, 5)),
    }


@st.composite
def milestones_values(draw: Any) -> list[tuple[int, float]]:
    milestones = sorted(draw(st.lists(st.integers(0, 80), min_size=1, max_size=6)))
    return [(m, draw(family_values)) for m in milestones]


@st.composite
def piecewise_kwargs(draw: Any) -> dict[str, Any]:
    return {"milestones_values": draw(milestones_values())}
