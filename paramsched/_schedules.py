"""Pure schedules: each one a function of the event index, evaluated on whole numpy arrays at once.

This layer knows nothing of text, ASTs, optimizers or state. A schedule maps a sorted int64 array of
event indices to a float64 array of values and has a duration (an int, or `math.inf`); past its
duration it holds its final value. Stepped schedulers serve their values from blocks that these
functions compute, so that stepping and simulating give identical bits.

Formulas are written in the order pytorch-ignite computes them, so values agree with ignite's
to the last bit or two (numpy's vectorised cos/exp may differ from `math` in the last bit).
"""

from __future__ import annotations

import itertools
import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from typing import Final

import numpy as np
import numpy.typing as npt

from ._exceptions import LimitError, NonFiniteValueError
from ._limits import MAX_EVENTS, MAX_EVENTS_TEXT

__all__ = [
    "SHAPES",
    "Binary",
    "Concat",
    "Constant",
    "Cyclic",
    "Extremum",
    "MultiStep",
    "Negate",
    "Periodic",
    "Piecewise",
    "Rsqrt",
    "Schedule",
    "Shape",
    "Shift",
    "Step",
    "evaluate",
    "finite_values",
    "named_shape",
]

Events = npt.NDArray[np.int64]
Values = npt.NDArray[np.float64]
ShapeFunction = Callable[[Values | float, Values | float, Values], Values]

INFINITE: Final = math.inf


def _bounded(duration: float, what: str) -> float:
    """A finite duration, checked against MAX_EVENTS (numpy's int64 event indices stay far from overflow)."""
    if math.isfinite(duration) and duration > MAX_EVENTS:
        raise LimitError(f"{what} lasts {duration:.4g} events, more than the limit of {MAX_EVENTS_TEXT}")
    return duration


class Schedule(ABC):
    """A pure function of the event index with a duration (events it spans; `math.inf` if endless)."""

    duration: float

    @abstractmethod
    def values(self, events: Events) -> Values:
        """Values at `events`, a sorted 1-d int64 array of non-negative event indices."""

    def value_at(self, event: int) -> float:
        """One value, computed exactly as `values` would (used off the hot path)."""
        with np.errstate(all="ignore"):
            return float(self.values(np.array([event], dtype=np.int64))[0])


# ---------------------------------------------------------------------------------------------
# shapes: a -> b over d events, u = min(t, d) / d


def _linear(a: Values | float, b: Values | float, u: Values) -> Values:
    return a + (b - a) * u


def _cosine(a: Values | float, b: Values | float, u: Values) -> Values:
    return a + (b - a) / 2 * (1 - np.cos(math.pi * u))


def _triangle(a: Values | float, b: Values | float, u: Values) -> Values:
    return b + (a - b) * np.abs(u - 0.5) * 2


def _exp(a: Values | float, b: Values | float, u: Values) -> Values:
    return a * (np.divide(b, a)) ** u


def _sqrt(a: Values | float, b: Values | float, u: Values) -> Values:
    return a + (b - a) * np.sqrt(u)


def cosine_with_power(power: float) -> ShapeFunction:
    """optax's cosine decay with `exponent`: b + (a - b)·((1 + cos(π·u)) / 2)^p."""

    def shape(a: Values | float, b: Values | float, u: Values) -> Values:
        return b + (a - b) * ((1 + np.cos(math.pi * u)) / 2) ** power

    return shape


def poly(power: float) -> ShapeFunction:
    """Polynomial decay: b + (a - b)·(1 - u)^p."""

    def shape(a: Values | float, b: Values | float, u: Values) -> Values:
        return b + (a - b) * (1 - u) ** power

    return shape


def tanh(lower: float, upper: float) -> ShapeFunction:
    """timm's tanh decay: b + (a - b)·(1 - tanh(lower + (upper - lower)·u)) / 2."""

    def shape(a: Values | float, b: Values | float, u: Values) -> Values:
        return b + (a - b) * (1 - np.tanh(lower + (upper - lower) * u)) / 2

    return shape


SHAPES: Final[dict[str, ShapeFunction]] = {
    "linear": _linear,
    "cosine": _cosine,
    "triangle": _triangle,
    "exp": _exp,
    "sqrt": _sqrt,
}


def named_shape(kind: str, power: float = 1.0, lower: float = -7.0, upper: float = 3.0) -> tuple[str, ShapeFunction]:
    """(name, function) of a shape form. A plain shape is named by its kind (a key of SHAPES); a
    parameterised one (cosine with a power ≠ 1, poly, tanh) by its kind and parameters, so that a name
    in SHAPES always means exactly that function."""
    if kind == "cosine" and power != 1.0:
        return f"cosine(power={power!r})", cosine_with_power(power)
    if kind == "poly":
        return f"poly(power={power!r})", poly(power)
    if kind == "tanh":
        return f"tanh(lower={lower!r}, upper={upper!r})", tanh(lower, upper)
    return kind, SHAPES[kind]


class Shape(Schedule):
    """`a -> b` over `duration` events along `function`; holds `final` (default: the value at u = 1).

    `shape` names the function: a key of SHAPES exactly when `function` is that plain shape (a
    parameterised one, such as cosine with a power, has another name).
    """

    def __init__(
        self,
        shape: str,
        function: ShapeFunction,
        start: float,
        end: float,
        duration: int,
        final: float | None = None,
    ) -> None:
        self.shape, self.function = shape, function
        self.start, self.end, self.duration, self._final = start, end, duration, final

    def values(self, events: Events) -> Values:
        if self.duration == 0:
            progress = np.ones(events.shape, dtype=np.float64)
        else:
            progress = np.minimum(events, self.duration) / self.duration
        result = np.asarray(self.function(self.start, self.end, progress), dtype=np.float64)
        if self._final is not None:
            result[events >= self.duration] = self._final
        return result


class Constant(Schedule):
    """A value held for `duration` events (0 for a bare number, which holds forever)."""

    def __init__(self, value: float, duration: int = 0) -> None:
        self.value = value
        self.duration = duration

    def values(self, events: Events) -> Values:
        return np.full(events.shape, self.value, dtype=np.float64)


class Rsqrt(Schedule):
    """Inverse square root decay: a·sqrt(s / (t + s)), endless."""

    duration = INFINITE

    def __init__(self, value: float, timescale: int) -> None:
        self.value = value
        self.timescale = timescale

    def values(self, events: Events) -> Values:
        return self.value * np.sqrt(self.timescale / (events + self.timescale))


class Step(Schedule):
    """a·gamma^floor(t / every), as ignite's StepStateScheduler; endless."""

    duration = INFINITE

    def __init__(self, value: float, every: int, gamma: float) -> None:
        self.value = value
        self.every = every
        self.gamma = gamma

    def values(self, events: Events) -> Values:
        return self.value * self.gamma ** (events // self.every).astype(np.float64)


class MultiStep(Schedule):
    """a·gamma^(number of milestones ≤ t), as ignite's MultiStepStateScheduler; lasts to the last one."""

    def __init__(self, value: float, milestones: Sequence[int], gamma: float) -> None:
        self.value = value
        self.milestones = np.asarray(milestones, dtype=np.int64)
        self.gamma = gamma
        self.duration = int(self.milestones[-1])

    def values(self, events: Events) -> Values:
        passed = np.searchsorted(self.milestones, events, side="right")
        return self.value * self.gamma ** passed.astype(np.float64)


class Piecewise(Schedule):
    """ignite's PiecewiseLinear: v0 before m0, linear between milestones, the last value after.

    Between milestones m_i ≤ t < m_(i+1): v_i + (v_(i+1) - v_i)·(t - m_i)/(m_(i+1) - m_i), in ignite's order.
    `milestones` and `points` keep the lists as given (ignite's state holds them as they are).
    """

    def __init__(self, milestones: Sequence[int], values: Sequence[float]) -> None:
        self.milestones = list(milestones)
        self.points = list(values)
        self._milestones = np.asarray(milestones, dtype=np.int64)
        self._points = np.asarray(values, dtype=np.float64)
        self.duration = int(self._milestones[-1])

    def values(self, events: Events) -> Values:
        milestones, points = self._milestones, self._points
        result = np.empty(events.shape, dtype=np.float64)
        before = events < milestones[0]
        after = events >= milestones[-1]
        result[before] = points[0] + (points[0] - points[0]) * 1 / 1
        result[after] = points[-1] + (points[-1] - points[-1]) * 1 / 1
        inside = ~(before | after)
        if inside.any():
            t = events[inside]
            index = np.searchsorted(milestones, t, side="right") - 1
            start_event, end_event = milestones[index], milestones[index + 1]
            start_value, end_value = points[index], points[index + 1]
            result[inside] = start_value + (end_value - start_value) * (t - start_event) / (end_event - start_event)
        return result


_NO_VALUES: Final[Values] = np.empty(0, dtype=np.float64)


class Cyclic(Schedule):
    """Cycles of a shape (`body`, whose duration is the first cycle's size) as ignite's
    CyclicalScheduler, with `times` cycles or endless.

    Cycle k+1 lasts int(size_k · cycle_mult) events (never fewer than 1: ignite divides by zero
    there); the start value is multiplied by start_mult when a cycle's main part ends, the end value
    by end_mult when a new cycle begins; a warmup ramps from a cycle's end to the next start value.
    `shape` is the body's: ignite's classes are views of a Cyclic whose shape is plain `cosine`,
    `triangle` or `linear`.
    """

    def __init__(
        self,
        body: Shape,
        cycle_mult: float = 1.0,
        start_mult: float = 1.0,
        end_mult: float = 1.0,
        warmup: int = 0,
        times: int | None = None,
    ) -> None:
        self.shape, self.function = body.shape, body.function
        self.start, self.end = body.start, body.end
        cycle_size = int(body.duration)
        self.cycle_mult, self.start_mult, self.end_mult = cycle_mult, start_mult, end_mult
        self.times = times
        # irregular cycles are tabulated; once sizes stop changing the rest is periodic
        self._cycle_starts: list[int] = [0]
        self._sizes: list[int] = [cycle_size]
        self._warmups: list[int] = [warmup]
        # with cycle_mult 1 every cycle has the same length from the start
        self._periodic_from: int | None = 0 if cycle_mult == 1.0 else None
        self._start_values: Values = _NO_VALUES  # S_k and E_k, filled on first use
        self._end_values: Values = _NO_VALUES
        if times is None:
            self.duration = INFINITE
        else:
            self._tabulate_cycles(times)
            self.duration = _bounded(self.cycle_start(times), "a repeat")

    # -- cycle bookkeeping (shared with CyclicalScheduler's ignite-style state) -----------------

    def _next_cycle(self, size: int, warmup: int) -> tuple[int, int]:
        # a cycle longer than MAX_EVENTS is as good as endless: cap it (int() of an overflowed float fails)
        return (
            max(1, int(min(size * self.cycle_mult, MAX_EVENTS))),
            int(min(warmup * self.cycle_mult, MAX_EVENTS)),
        )

    def _tabulate_cycles(self, count: int) -> None:
        """Make sure cycles 0 .. count-1 are known (tabulated or in the periodic tail)."""
        while self._periodic_from is None and len(self._sizes) < count:
            size, warmup = self._sizes[-1], self._warmups[-1]
            next_size, next_warmup = self._next_cycle(size, warmup)
            if (next_size, next_warmup) == (size, warmup):
                self._periodic_from = len(self._sizes) - 1
                break
            self._cycle_starts.append(self._cycle_starts[-1] + size + warmup)
            self._sizes.append(next_size)
            self._warmups.append(next_warmup)

    def _tabulate_events(self, last_event: int) -> None:
        while (
            self._periodic_from is None and self._cycle_starts[-1] + self._sizes[-1] + self._warmups[-1] <= last_event
        ):
            if self.times is not None and len(self._sizes) >= self.times:
                return
            self._tabulate_cycles(len(self._sizes) + 1)

    def cycle_start(self, cycle: int) -> int:
        """The event at which `cycle` begins."""
        self._tabulate_cycles(cycle + 1)
        if self._periodic_from is None or cycle < self._periodic_from:
            if cycle < len(self._cycle_starts):
                return self._cycle_starts[cycle]
            return self._cycle_starts[-1] + self._sizes[-1] + self._warmups[-1]
        base = self._periodic_from
        return self._cycle_starts[base] + (cycle - base) * (self._sizes[base] + self._warmups[base])

    def cycle_shape(self, cycle: int) -> tuple[int, int]:
        """(size, warmup) of `cycle`."""
        self._tabulate_cycles(cycle + 1)
        index = min(cycle, len(self._sizes) - 1)
        return self._sizes[index], self._warmups[index]

    def locate(self, events: Events) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """(cycle, index within the cycle) of each event, ignoring `times`."""
        if events.size:
            self._tabulate_events(int(events[-1]))
        starts = np.asarray(self._cycle_starts, dtype=np.int64)
        cycles = np.searchsorted(starts, events, side="right") - 1
        if self._periodic_from is not None:
            base = self._periodic_from
            period = self._sizes[base] + self._warmups[base]
            tail = events >= starts[base]
            cycles[tail] = base + (events[tail] - starts[base]) // period
            in_cycle = np.empty_like(events)
            in_cycle[tail] = (events[tail] - starts[base]) % period
            in_cycle[~tail] = events[~tail] - starts[cycles[~tail]]
            return cycles, in_cycle
        return cycles, events - starts[cycles]

    def multiplied_values(self, cycles: int) -> tuple[Values, Values]:
        """Start values S_0..S_cycles and end values E_0..E_cycles as ignite's repeated products give them."""
        if self._start_values.size <= cycles:
            count = max(cycles + 1, 2 * self._start_values.size)
            self._start_values = _repeated_products(self.start, self.start_mult, count)
            self._end_values = _repeated_products(self.end, self.end_mult, count)
        return self._start_values, self._end_values

    # -- evaluation ----------------------------------------------------------------------------

    _TABLE_LIMIT: Final = 1 << 20

    def values(self, events: Events) -> Values:
        table = self._period_table()
        if table is not None and events.size and self._table_start <= events[0] and events[-1] < self.duration:
            # identical cycles: look each event up in one cycle computed by the general path below
            return table.take((events - self._table_start) % table.size)
        return self._values(events)

    def _period_table(self) -> Values | None:
        """One cycle's values, once cycles stop changing (no multipliers; sizes at their fixed point)."""
        if self.start_mult != 1.0 or self.end_mult != 1.0:
            return None
        table: Values | None = getattr(self, "_table", None)
        if table is not None:
            return table
        if self._periodic_from is None:  # not known yet (set as cycles are tabulated), or never
            return None
        base = self._periodic_from
        size, warmup = self._sizes[base], self._warmups[base]
        if size + warmup > self._TABLE_LIMIT:
            return None
        self._table_start = self._cycle_starts[base]
        self._table = self._values(np.arange(self._table_start, self._table_start + size + warmup, dtype=np.int64))
        return self._table

    def _values(self, events: Events) -> Values:
        if self.times is not None:
            events = np.minimum(events, self.duration)
        cycles, in_cycle = self.locate(events)
        if self.times is not None:
            # the held final value: the last cycle evaluated one past its last event
            past = cycles >= self.times
            cycles[past] = self.times - 1
            in_cycle[past] = self.duration - self.cycle_start(self.times - 1)
        sizes_table = np.asarray(self._sizes, dtype=np.int64)
        warmups_table = np.asarray(self._warmups, dtype=np.int64)
        table_index = np.minimum(cycles, len(self._sizes) - 1)
        sizes = sizes_table[table_index]
        warmups = warmups_table[table_index]
        top_cycle = int(cycles.max()) + 1 if cycles.size else 1
        if self.start_mult == 1.0 and self.end_mult == 1.0:
            start_now: Values | float = self.start
            start_next: Values | float = self.start
            end: Values | float = self.end
            start_after: Values | float = np.full(events.shape, self.start)
        else:
            start_values, end_values = self.multiplied_values(top_cycle)
            start_now = start_values[cycles]
            start_next = start_values[cycles + 1]
            end = end_values[cycles]
            start_after = start_next
        # ignite multiplies the start value once the main part of a cycle is over
        main_start = np.where(in_cycle >= sizes, start_next, start_now)
        progress = in_cycle / sizes
        result = np.asarray(self.function(main_start, end, progress), dtype=np.float64)
        warming = in_cycle > sizes
        if warming.any():
            ramp = (in_cycle[warming] - sizes[warming]) / warmups[warming]
            end_w = end[warming] if isinstance(end, np.ndarray) else end
            start_w = np.asarray(start_after)[warming]
            result[warming] = end_w + (start_w - end_w) * ramp
        return result


def _repeated_products(first: float, factor: float, count: int) -> Values:
    """first, first·factor, (first·factor)·factor, ...: the same bits as multiplying in a loop."""
    factors = np.full(count, factor, dtype=np.float64)
    factors[0] = first
    return np.cumprod(factors, dtype=np.float64)


class Periodic(Schedule):
    """A finite schedule repeated `times` times (or endlessly), its clock restarting each cycle."""

    def __init__(self, body: Schedule, times: int | None = None) -> None:
        if not math.isfinite(body.duration) or body.duration <= 0:
            raise ValueError("a repeated schedule needs a finite, nonzero duration")
        self.body = body
        self.period = int(body.duration)
        self.times = times
        self.duration = INFINITE if times is None else _bounded(self.period * times, "a repeat")

    def values(self, events: Events) -> Values:
        local = events % self.period
        if self.times is not None:
            local = np.where(events >= self.duration, self.period, local)
        order = np.argsort(local, kind="stable")
        result = np.empty(events.shape, dtype=np.float64)
        result[order] = self.body.values(local[order])
        return result


class Shift(Schedule):
    """`schedule` started `offset` events in (a scheduler that had already run when it was composed)."""

    def __init__(self, schedule: Schedule, offset: int) -> None:
        self.schedule = schedule
        self.offset = offset
        self.duration = max(0.0, schedule.duration - offset)

    def values(self, events: Events) -> Values:
        return self.schedule.values(events + self.offset)


class Concat(Schedule):
    """Parts one after another, each on its own clock starting at 0 (ignite's ConcatScheduler)."""

    def __init__(self, parts: Sequence[Schedule], durations: Sequence[int]) -> None:
        if len(durations) != len(parts) - 1:
            raise ValueError("Concat needs one duration for every part but the last")
        self.parts = tuple(parts)
        self.durations = list(durations)
        starts = [0, *itertools.accumulate(durations)]
        self.duration = _bounded(starts[-1] + parts[-1].duration, "a `then` chain")
        _bounded(starts[-1], "a `then` chain")
        self.starts = np.array(starts, dtype=np.int64)

    def values(self, events: Events) -> Values:
        result = np.empty(events.shape, dtype=np.float64)
        if events.size == 0:
            return result
        first = int(np.searchsorted(self.starts, events[0], side="right")) - 1
        last = int(np.searchsorted(self.starts, events[-1], side="right")) - 1
        for index in range(first, last + 1):
            start = self.starts[index]
            begin = np.searchsorted(events, start, side="left") if index > first else 0
            stop = np.searchsorted(events, self.starts[index + 1], side="left") if index < last else events.size
            if stop > begin:
                result[begin:stop] = self.parts[index].values(events[begin:stop] - start)
        return result


_OPERATORS: Final[dict[str, Callable[[Values, Values], Values]]] = {
    "+": np.add,
    "-": np.subtract,
    "*": np.multiply,
    "/": np.divide,
}


class Binary(Schedule):
    """Pointwise `left op right` on one clock; lasts as long as the longer operand."""

    def __init__(self, operator: str, left: Schedule, right: Schedule) -> None:
        self.operator = operator
        self.left, self.right = left, right
        self.duration = max(left.duration, right.duration)

    def values(self, events: Events) -> Values:
        with np.errstate(all="ignore"):  # non-finite results are reported by the caller with their event
            return _OPERATORS[self.operator](self.left.values(events), self.right.values(events))


class Negate(Schedule):
    """Pointwise -operand."""

    def __init__(self, operand: Schedule) -> None:
        self.operand = operand
        self.duration = operand.duration

    def values(self, events: Events) -> Values:
        return -self.operand.values(events)


class Extremum(Schedule):
    """Pointwise min or max of several schedules."""

    def __init__(self, function: str, arguments: Sequence[Schedule]) -> None:
        self.function = function
        self.arguments = tuple(arguments)
        self.duration = max(argument.duration for argument in arguments)

    def values(self, events: Events) -> Values:
        reduce = np.minimum if self.function == "min" else np.maximum
        result = self.arguments[0].values(events)
        for argument in self.arguments[1:]:
            result = reduce(result, argument.values(events))
        return result


def first_non_finite(values: Values) -> int | None:
    """Index of the first value that is NaN or infinite, or None."""
    bad = ~np.isfinite(values)
    if not bad.any():
        return None
    return int(np.argmax(bad))


def finite_values(schedule: Schedule, events: Events, what: str = "the schedule", *, prefix: bool = False) -> Values:
    """The schedule's values at `events`, every one finite: the one check of non-finite values.

    A NaN or infinity raises NonFiniteValueError naming `what` and the first such event (numpy's
    warnings are silenced: the error says it better). With `prefix`, the finite values before the first
    bad one are returned instead, and only a bad first value raises: a stepped scheduler serves those
    and fails at the bad event itself, having written nothing for it.
    """
    with np.errstate(all="ignore"):
        values = schedule.values(events)
    bad = first_non_finite(values)
    if bad is None:
        return values
    if prefix and bad > 0:
        return values[:bad]
    note = "; nothing was written to the optimizer" if prefix else ""
    raise NonFiniteValueError(f"{what} gives a non-finite value ({values[bad]}) at event {int(events[bad])}{note}")


_CHUNK: Final = 1 << 16


def evaluate(schedule: Schedule, num_events: int, start: int = 0, what: str = "the schedule") -> Values:
    """Values for events start .. start+num_events-1, all finite (see finite_values), computed in chunks
    of 65,536 events so that memory beyond the result stays small."""
    result = np.empty(num_events, dtype=np.float64)
    for begin in range(0, num_events, _CHUNK):
        stop = min(begin + _CHUNK, num_events)
        result[begin:stop] = finite_values(schedule, np.arange(start + begin, start + stop, dtype=np.int64), what)
    return result
