"""AST → pure schedule → scheduler. `compile` yields ignite's classes where the SPEC maps a form to one
(repeat of cosine/triangle/linear, piecewise, then) and a CurveScheduler for every other form."""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _ast as ast
from . import _schedules as pure
from ._base import CurveScheduler, ParamScheduler, _Scheduled
from ._composite import ConcatScheduler
from ._cyclical import CosineAnnealingScheduler, LinearCyclicalScheduler, PiecewiseLinear
from ._exceptions import DurationError, LimitError, NonFiniteValueError, ScheduleArgumentError, ScheduleError
from ._parse import parse, parse_with_positions
from ._unparse import unparse

__all__ = ["compile", "resolve", "simulate", "to_node"]

_SHAPED_KINDS = ("linear", "cosine", "exp", "poly", "sqrt", "tanh", "triangle")
_CHUNK = 1 << 16


def to_node(schedule: str | ast.Node | Mapping[str, Any]) -> ast.Node:
    """Text, an AST node, or a mapping (YAML/JSON form) as a validated AST node."""
    if isinstance(schedule, str):
        return parse(schedule)
    if isinstance(schedule, Mapping):
        return ast.load(schedule)
    if isinstance(schedule, ast.Schedule):
        return ast.check_root(schedule.root)
    if isinstance(schedule, ast._Node):
        return ast.check_root(schedule)
    raise TypeError(f"a schedule is text, an AST node or a mapping, not {type(schedule).__name__}")


class _Resolver:
    """Turns AST nodes into pure schedules, resolving `%` and `ep` durations to whole events."""

    def __init__(self, total: int | None, steps_per_epoch: int | None) -> None:
        for name, value in (("total", total), ("steps_per_epoch", steps_per_epoch)):
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ScheduleArgumentError(f"`{name}` must be a positive whole number of events, got {value!r}")
        self.total = total
        self.steps_per_epoch = steps_per_epoch

    def events(self, duration: ast.Duration) -> int:
        if duration.unit == "":
            return int(duration.amount)  # whole events ≤ 10**15, already checked by the AST
        return duration.events(self.total, self.steps_per_epoch)

    def shape_function(self, node: Any) -> pure.ShapeFunction:
        kind = node.kind
        if kind == "cosine" and node.power != 1.0:
            return pure.cosine_with_power(node.power)
        if kind == "poly":
            return pure.poly(node.power)
        if kind == "tanh":
            return pure.tanh(node.lower, node.upper)
        return pure.SHAPES[node.kind]

    def schedule(self, node: ast.Node) -> pure.Schedule:
        """The pure schedule of a node (dispatch on its kind: one dict lookup, no isinstance chain)."""
        schedule: pure.Schedule = _RESOLVERS[node.kind](self, node)
        return schedule

    def constant(self, node: Any) -> pure.Schedule:
        return pure.Constant(node.value)

    def const(self, node: Any) -> pure.Schedule:
        return pure.Constant(node.value, self.events(node.duration))

    def shape(self, node: Any) -> pure.Schedule:
        final = node.start if node.kind == "triangle" else None
        return pure.Shape(self.shape_function(node), node.start, node.end, self.events(node.duration), final)

    def rsqrt(self, node: Any) -> pure.Schedule:
        timescale = self.events(node.timescale)
        if timescale < 1:
            raise ScheduleArgumentError(f"rsqrt's timescale {node.timescale} resolves to 0 events; it must be ≥ 1")
        return pure.Rsqrt(node.value, timescale)

    def step(self, node: Any) -> pure.Schedule:
        every = self.events(node.every)
        if every < 1:
            raise ScheduleArgumentError(f"step's `every` {node.every} resolves to 0 events; it must be ≥ 1")
        return pure.Step(node.value, every, node.gamma)

    def multistep(self, node: Any) -> pure.Schedule:
        return pure.MultiStep(node.value, self.milestones(list(node.at), "multistep"), node.gamma)

    def piecewise(self, node: Any) -> pure.Schedule:
        milestones = self.milestones([m for m, _ in node.points], "piecewise")
        return pure.Piecewise(milestones, [v for _, v in node.points])

    def binary(self, node: Any) -> pure.Schedule:
        return pure.Binary(node.op, self.schedule(node.left), self.schedule(node.right))

    def negate(self, node: Any) -> pure.Schedule:
        return pure.Negate(self.schedule(node.operand))

    def extremum(self, node: Any) -> pure.Schedule:
        return pure.Extremum(node.fn, [self.schedule(arg) for arg in node.args])

    def warmup(self, node: Any) -> pure.Schedule:
        raise DurationError("`warmup(...)` must be followed by `then` and the schedule it warms up to")

    def milestones(self, durations: list[ast.Duration], name: str) -> list[int]:
        events = [self.events(d) for d in durations]
        for before, after in itertools.pairwise(events):
            if after < before:
                raise ScheduleArgumentError(
                    f"{name}'s milestones must not decrease, but {after} events comes after {before}"
                )
        return events

    def cycle(self, node: ast.Repeat) -> tuple[pure.ShapeFunction, float, float, int, int] | None:
        """(shape, start, end, cycle size, warmup) when the body is one shape with a range."""
        body: Any = node.body
        if body.kind not in _SHAPED_KINDS:
            return None
        return (
            self.shape_function(body),
            body.start,
            body.end,
            self.events(body.duration),
            self.events(node.warmup),
        )

    def repeat(self, node: ast.Repeat) -> pure.Schedule:
        cycle = self.cycle(node)
        if cycle is not None:
            function, start, end, size, warmup = cycle
            if size < 1:
                raise DurationError(f"repeat needs a body of nonzero duration; {_quote(node.body)} lasts 0 events")
            return pure.Cyclic(
                function,
                start,
                end,
                size,
                node.cycle_mult,
                node.start_mult,
                node.end_mult,
                warmup,
                node.times,
            )
        if node.cycle_mult != 1.0:
            raise ScheduleArgumentError(
                "repeat's cycle_mult needs a body that is one shape with a range "
                f"(linear, cosine, exp, poly, sqrt, tanh, triangle), not {_quote(node.body)}"
            )
        body = self.schedule(node.body)
        if not math.isfinite(body.duration) or body.duration < 1:
            raise DurationError(f"repeat needs a body of finite, nonzero duration; {_quote(node.body)} is not")
        return pure.Periodic(body, node.times)

    def join(
        self, parts: tuple[ast.Node, ...], built: list[pure.Schedule | None]
    ) -> tuple[list[pure.Schedule], list[int]]:
        """The parts of a `then` (each warmup resolved against the part after it) and their durations.

        `built` holds the schedule of every part that is not a warmup (None for warmups)."""
        schedules = list(built)
        for index in range(len(parts) - 2, -1, -1):
            part = parts[index]
            if part.kind == "warmup":
                following = schedules[index + 1]
                assert following is not None  # the AST never puts a warmup last
                target = following.value_at(0)
                schedules[index] = pure.Shape(pure.SHAPES["linear"], part.start, target, self.events(part.duration))
        resolved = [s for s in schedules if s is not None]
        durations = []
        for part, schedule in zip(parts[:-1], resolved[:-1], strict=True):
            if not math.isfinite(schedule.duration):
                raise DurationError(f"an infinite part before `then`: {_quote(part)} never ends")
            if schedule.duration < 1:
                raise DurationError(f"a part before `then` lasts 0 events: {_quote(part)}")
            durations.append(int(schedule.duration))
        return resolved, durations

    def then(self, node: ast.Then) -> pure.Schedule:
        built = [None if isinstance(part, ast.Warmup) else self.schedule(part) for part in node.parts]
        schedules, durations = self.join(node.parts, built)
        return pure.Concat(schedules, durations)


_RESOLVERS: dict[str, Any] = {
    "constant": _Resolver.constant,
    "const": _Resolver.const,
    **dict.fromkeys(_SHAPED_KINDS, _Resolver.shape),
    "rsqrt": _Resolver.rsqrt,
    "step": _Resolver.step,
    "multistep": _Resolver.multistep,
    "piecewise": _Resolver.piecewise,
    "repeat": _Resolver.repeat,
    "then": _Resolver.then,
    "binary": _Resolver.binary,
    "negate": _Resolver.negate,
    "extremum": _Resolver.extremum,
    "warmup": _Resolver.warmup,
}


class _TrailResolver(_Resolver):
    """A resolver that remembers the nodes it is inside, to say where an error belongs."""

    def __init__(self, total: int | None, steps_per_epoch: int | None) -> None:
        super().__init__(total, steps_per_epoch)
        self.trail: list[ast.Node] = []

    def schedule(self, node: ast.Node) -> pure.Schedule:
        self.trail.append(node)
        result = super().schedule(node)
        self.trail.pop()
        return result


def _locate(error: ScheduleError, text: str, total: int | None, steps_per_epoch: int | None) -> ScheduleError:
    """`error`, found after parsing `text`, with the line and column of the innermost node it belongs to."""
    node, positions = parse_with_positions(text)
    resolver = _TrailResolver(total, steps_per_epoch)
    try:
        resolver.schedule(node)
    except ScheduleError:
        for inner in reversed(resolver.trail):
            if id(inner) in positions:
                return error.at(text, *positions[id(inner)])
    return error


def _quote(node: ast.Node) -> str:
    text = unparse(node)
    return f"`{text if len(text) <= 60 else text[:59] + '…'}`"


def resolve(
    schedule: str | ast.Node | Mapping[str, Any],
    *,
    total: int | None = None,
    steps_per_epoch: int | None = None,
) -> pure.Schedule:
    """The pure schedule of a text, node or mapping."""
    return _Resolver(total, steps_per_epoch).schedule(to_node(schedule))


def evaluate(schedule: pure.Schedule, num_events: int, start: int = 0) -> npt.NDArray[np.float64]:
    """Values for events start .. start+num_events-1, computed in chunks (little memory beyond the result)."""
    result = np.empty(num_events, dtype=np.float64)
    for begin in range(0, num_events, _CHUNK):
        stop = min(begin + _CHUNK, num_events)
        with np.errstate(all="ignore"):  # a non-finite value is reported below, with its event
            values = schedule.values(np.arange(start + begin, start + stop, dtype=np.int64))
        bad = pure.first_non_finite(values)
        if bad is not None:
            raise NonFiniteValueError(
                f"the schedule gives a non-finite value ({values[bad]}) at event {start + begin + bad}"
            )
        result[begin:stop] = values
    return result


def simulate(
    schedule: str | ast.Node | Mapping[str, Any],
    num_events: int,
    *,
    total: int | None = None,
    steps_per_epoch: int | None = None,
) -> npt.NDArray[np.float64]:
    """The values a compiled scheduler writes over `num_events` events, bit for bit, vectorised."""
    if isinstance(num_events, bool) or not isinstance(num_events, int) or num_events < 0:
        raise ScheduleArgumentError(f"num_events must be a whole number ≥ 0, got {num_events!r}")
    if num_events > pure.MAX_EVENTS:
        raise LimitError(f"num_events {num_events} is more than the limit of 10**15 events")
    node = to_node(schedule)
    try:
        resolved = _Resolver(total, steps_per_epoch).schedule(node)
    except ScheduleError as error:
        if isinstance(schedule, str) and error.line is None:
            raise _locate(error, schedule, total, steps_per_epoch) from None
        raise
    try:
        return evaluate(resolved, num_events)
    except NonFiniteValueError as error:
        raise NonFiniteValueError(f"{error.message} (schedule {_quote(node)})") from None


def compile(
    schedule: str | ast.Node | Mapping[str, Any],
    optimizer: Any,
    param_name: str = "lr",
    *,
    param_group_index: int | None = None,
    save_history: bool = False,
    total: int | None = None,
    steps_per_epoch: int | None = None,
) -> ParamScheduler:
    """A ParamScheduler that writes the schedule's value into `optimizer`'s `param_name` at every event."""
    node = to_node(schedule)
    resolver = _Resolver(total, steps_per_epoch)
    try:
        scheduler = _Builder(resolver, optimizer, param_name, param_group_index, save_history).build(node)
    except ScheduleError as error:
        if isinstance(schedule, str) and error.line is None:
            raise _locate(error, schedule, total, steps_per_epoch) from None
        raise
    scheduler._describe_source = lambda: unparse(node) + _units_note(total, steps_per_epoch)
    return scheduler


def _units_note(total: int | None, steps_per_epoch: int | None) -> str:
    """Units change the events a text means; the recorded schedule says which were used."""
    notes: list[str] = []
    if total is not None:
        notes.append(f"total={total}")
    if steps_per_epoch is not None:
        notes.append(f"steps_per_epoch={steps_per_epoch}")
    return f" ({', '.join(notes)})" if notes else ""


class _Builder:
    """Maps AST nodes to the scheduler classes of the family."""

    def __init__(
        self,
        resolver: _Resolver,
        optimizer: Any,
        param_name: str,
        param_group_index: int | None,
        save_history: bool,
    ) -> None:
        self.resolver = resolver
        self.common: dict[str, Any] = {
            "optimizer": optimizer,
            "param_name": param_name,
            "save_history": save_history,
            "param_group_index": param_group_index,
        }

    def build(self, node: Any) -> _Scheduled:
        kind = node.kind  # kinds, not isinstance chains: compiling is on the benchmarked path
        if kind == "then":
            children = [None if part.kind == "warmup" else self.build(part) for part in node.parts]
            schedules, durations = self.resolver.join(
                node.parts, [None if child is None else child.schedule for child in children]
            )
            parts = [
                CurveScheduler(schedule=schedule, **self.common) if child is None else child
                for child, schedule in zip(children, schedules, strict=True)
            ]
            return ConcatScheduler._trusted(parts, durations, self.common["save_history"])
        if kind == "piecewise":
            milestones = self.resolver.milestones([m for m, _ in node.points], "piecewise")
            pairs = [(m, v) for m, (_, v) in zip(milestones, node.points, strict=True)]
            return PiecewiseLinear(milestones_values=pairs, **self.common)
        if kind == "repeat":
            built = self.cyclical(node)
            if built is not None:
                return built
        return CurveScheduler(schedule=self.resolver.schedule(node), **self.common)

    def cyclical(self, node: Any) -> _Scheduled | None:
        """ignite's class for a repeated cosine, triangle or linear (None where ignite has none)."""
        body = node.body
        kind = body.kind
        if kind not in ("cosine", "triangle", "linear") or (kind == "cosine" and body.power != 1.0):
            return None
        cycle = self.resolver.cycle(node)
        assert cycle is not None
        _, start, end, size, warmup = cycle
        if size < 2 or (kind == "triangle" and warmup > 0):
            return None  # outside what ignite's classes accept; the pure schedule still handles it
        arguments = {
            **self.common,
            "start_value": start,
            "end_value": end,
            "cycle_size": size,
            "cycle_mult": node.cycle_mult,
            "start_value_mult": node.start_mult,
            "end_value_mult": node.end_mult,
            "warmup_duration": warmup,
            "num_cycles": node.times,
        }
        if kind == "cosine":
            return CosineAnnealingScheduler(**arguments)
        return LinearCyclicalScheduler(monotonic=kind == "linear", **arguments)
