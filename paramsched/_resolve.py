"""AST → pure schedule: the one place where a node's durations become whole events.

The AST has already checked everything structural (argument kinds, a `warmup` only before `then`, an
infinite part before `then`, a repeated body of nonzero structural length). What is left here depends
on the run settings: a `%` duration is a share of `total`, an `ep` one a multiple of `steps_per_epoch`,
so only after resolving can a part last 0 events or a list of milestones in mixed units go back.

A ScheduleError raised while resolving a node is handed to `locate`, which positions it at that node in
the text it was parsed from; the innermost node wins, since an error that already has a position keeps it.
"""

from __future__ import annotations

import itertools
import math
import warnings
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from . import _schedules as pure
from ._clocks import Clock, RunUnits
from ._exceptions import DurationError, LongerThanTotalWarning, ScheduleArgumentError, ScheduleError
from .language import Duration, Node, check_run_settings, locate, quoted, to_node
from .language.lexemes import split_unit

__all__ = ["SHAPED_KINDS", "Resolver", "resolve", "units_note"]

SHAPED_KINDS = ("linear", "cosine", "exp", "poly", "sqrt", "tanh", "triangle")
"""The forms that are one shape with a range `a -> b` over a duration."""


class Resolver:
    """Turns AST nodes into pure schedules, resolving `%`, `ep`, `tok` and `sp` durations to whole events
    of the clock (`units`, a paramsched._clocks.RunUnits)."""

    def __init__(
        self,
        total: int | None,
        steps_per_epoch: int | None,
        *,
        clock: Clock = "steps",
        tokens_per_step: int | None = None,
        samples_per_step: int | None = None,
    ) -> None:
        check_run_settings(total, steps_per_epoch)
        self.total = total
        self.steps_per_epoch = steps_per_epoch
        self.units = RunUnits(clock, total, steps_per_epoch, tokens_per_step, samples_per_step)
        self._depth = 0  # how deep `schedule` is in the node being resolved (0: at its root)
        self._share_of_total = False  # whether the node being resolved has a `%` duration
        self._units_used: set[str] = set()  # the base units of its durations (for `note`)

    def schedule(self, node: Node) -> pure.Schedule:
        """The pure schedule of a node (dispatch on its kind: one dict lookup, no isinstance chain).

        At the root of a node with `%` durations, a schedule longer than `total` warns: its parts add
        up to more than 100 %, so the run ends before the schedule does."""
        if self._depth == 0:
            self._share_of_total = False
            self._units_used = set()
        self._depth += 1
        try:
            schedule: pure.Schedule = _RESOLVERS[node.kind](self, node)
        except ScheduleError as error:
            raise locate(error, node) from None
        finally:
            self._depth -= 1
        if self._depth == 0 and self._share_of_total:
            self._warn_if_longer_than_total(node, schedule)
        return schedule

    def _warn_if_longer_than_total(self, node: Node, schedule: pure.Schedule) -> None:
        if self.total is not None and math.isfinite(schedule.duration) and schedule.duration > self.total:
            warnings.warn(
                f"schedule {quoted(node)} lasts {int(schedule.duration)} events, more than total={self.total} "
                f"({100 * schedule.duration / self.total:g}% of the run): the run ends before the schedule does; "
                "make its parts add up to 100% of the run (or less)",
                LongerThanTotalWarning,
                stacklevel=3,
            )

    def note(self) -> str:
        """The run settings that resolved the units of the schedule resolved last, as a state records
        them after its canonical text (` (total=10000)`): settings it does not use are left out, so
        changing them does not make it another plan."""
        return self.units.note(self._units_used)

    def events(self, duration: Duration) -> int:
        if duration.unit == "":
            return int(duration.amount)  # whole events ≤ MAX_EVENTS, already checked by the AST
        if duration.unit == "%":
            self._share_of_total = True
        self._units_used.add(split_unit(duration.unit)[1])
        return self.units.events(duration)  # the clock and its factors (paramsched._clocks)

    def exact_events(self, duration: Duration) -> Decimal:
        """A duration's events before rounding (see `then`)."""
        if duration.unit == "%":
            self._share_of_total = True
        self._units_used.add(split_unit(duration.unit)[1])
        return self.units.exact_events(duration)

    # -- one method per kind ----------------------------------------------------------------------

    def constant(self, node: Any) -> pure.Schedule:
        return pure.Constant(node.value)

    def const(self, node: Any, events: int | None = None) -> pure.Schedule:
        return pure.Constant(node.value, self.events(node.duration) if events is None else events)

    def shape(self, node: Any, events: int | None = None) -> pure.Shape:
        """A shape over its duration, or over `events` when a `then` chain has rounded its boundaries."""
        name, function = _shape_of(node)
        final = node.start if node.kind == "triangle" else None  # a triangle ends where it began
        length = self.events(node.duration) if events is None else events
        return pure.Shape(name, function, node.start, node.end, length, final)

    def rsqrt(self, node: Any) -> pure.Schedule:
        return pure.Rsqrt(node.value, self.at_least_one(node.timescale, "rsqrt's timescale"))

    def step(self, node: Any) -> pure.Schedule:
        return pure.Step(node.value, self.at_least_one(node.every, "step's `every`"), node.gamma)

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

    def repeat(self, node: Any) -> pure.Schedule:
        """A repeated shape is a Cyclic (ignite's CyclicalScheduler arithmetic); anything else a Periodic."""
        body = node.body
        if body.kind in SHAPED_KINDS:
            shape = self.shape(body)
            if shape.duration < 1:
                raise DurationError(f"repeat needs a body of nonzero duration; {quoted(body)} lasts 0 events")
            warmup = self.events(node.warmup)
            return pure.Cyclic(shape, node.cycle_mult, node.start_mult, node.end_mult, warmup, node.times)
        schedule = self.schedule(body)
        if not math.isfinite(schedule.duration) or schedule.duration < 1:
            raise DurationError(f"repeat needs a body of finite, nonzero duration; {quoted(body)} is not")
        return pure.Periodic(schedule, node.times)

    def then(self, node: Any) -> pure.Schedule:
        """The parts one after another; a warmup ramps linearly to the value the part after it starts at
        (resolved from the last part back, so a warmup before a warmup sees the ramp after it).

        Boundaries are rounded, not parts (SPEC §2): with e_i the exact (decimal) events of part i, the
        k-th boundary is B_k = round(e_1 + … + e_k), ties to even, and part k lasts B_k − B_(k−1). So
        `warmup(10%) then cosine(0.1 -> 0, 90%)` lasts exactly `total` events for every `total` (with
        total=15: 1.5 → 2, then 15 − 2 = 13), where rounding each part (2 + 14) would overshoot."""
        parts: tuple[Any, ...] = node.parts
        lengths = self.chain_lengths(parts)
        schedules: list[pure.Schedule | None] = [
            length if isinstance(length, pure.Schedule) else None if p.kind == "warmup" else self.sized(p, length)
            for p, length in zip(parts, lengths, strict=True)
        ]
        for index in range(len(parts) - 2, -1, -1):
            part = parts[index]
            if part.kind == "warmup":
                following = schedules[index + 1]
                assert following is not None  # the AST never puts a warmup last
                length = lengths[index]
                assert isinstance(length, int)  # a warmup has one duration
                schedules[index] = self.warmup(part, following.value_at(0), length)
        resolved = [s for s in schedules if s is not None]
        durations = []
        for part, schedule in zip(parts[:-1], resolved[:-1], strict=True):
            if schedule.duration < 1:  # finite: the AST refuses an endless part before `then`
                raise locate(DurationError(f"a part before `then` lasts 0 events: {quoted(part)}"), part)
            durations.append(int(schedule.duration))
        return pure.Concat(resolved, durations)

    def chain_lengths(self, parts: tuple[Any, ...]) -> list[int | pure.Schedule]:
        """The events of each part of a `then` chain whose own length is one duration (a shape, `const`,
        `warmup`), from the chain's rounded boundaries; for any other part its pure schedule, resolved
        by itself (its duration, whole events, joins the running sum as it is). A chain nested inside
        arithmetic (`(A then B) * 2`) is such a part: its own boundaries round within it."""
        lengths: list[int | pure.Schedule] = []
        cumulative = Decimal(0)
        boundary = 0
        for part in parts:
            if not _has_one_duration(part):
                schedule = self.schedule(part)
                lengths.append(schedule)
                if not math.isfinite(schedule.duration):
                    break  # an endless last part: no boundary after it
                cumulative += int(schedule.duration)
                boundary += int(schedule.duration)  # where the next part starts: whole events, exactly
                continue
            try:
                cumulative += self.exact_events(part.duration)
            except ScheduleError as error:
                raise locate(error, part) from None
            end = int(cumulative.to_integral_value(rounding=ROUND_HALF_EVEN))
            lengths.append(end - boundary)
            boundary = end
        return lengths

    def sized(self, node: Any, events: int) -> pure.Schedule:
        """A shape or `const` part of a `then` chain over the `events` the chain's boundaries give it."""
        try:
            return self.const(node, events) if node.kind == "const" else self.shape(node, events)
        except ScheduleError as error:
            raise locate(error, node) from None

    def warmup(self, node: Any, target: float, events: int | None = None) -> pure.Schedule:
        try:
            length = self.events(node.duration) if events is None else events
            return pure.Shape("linear", pure.SHAPES["linear"], node.start, target, length)
        except ScheduleError as error:
            raise locate(error, node) from None

    # -- checks that need resolved units ----------------------------------------------------------

    def at_least_one(self, duration: Duration, what: str) -> int:
        events = self.events(duration)
        if events < 1:
            raise ScheduleArgumentError(f"{what} {duration} resolves to 0 events; it must be ≥ 1")
        return events

    def milestones(self, durations: list[Duration], name: str) -> list[int]:
        events = [self.events(d) for d in durations]
        for before, after in itertools.pairwise(events):
            if after < before:
                raise ScheduleArgumentError(
                    f"{name}'s milestones must not decrease, but {after} events comes after {before}"
                )
        return events


def _has_one_duration(node: Any) -> bool:
    """Whether a node's length is its one `duration` argument (a shape, `const` or `warmup`)."""
    return node.kind in _ONE_DURATION_KINDS


def _shape_of(node: Any) -> tuple[str, pure.ShapeFunction]:
    if node.kind == "tanh":
        return pure.named_shape("tanh", lower=node.lower, upper=node.upper)
    return pure.named_shape(node.kind, power=getattr(node, "power", 1.0))  # cosine and poly have a power


_ONE_DURATION_KINDS = frozenset((*SHAPED_KINDS, "const", "warmup"))

_RESOLVERS: dict[str, Any] = {
    "constant": Resolver.constant,
    "const": Resolver.const,
    **dict.fromkeys(SHAPED_KINDS, Resolver.shape),
    "rsqrt": Resolver.rsqrt,
    "step": Resolver.step,
    "multistep": Resolver.multistep,
    "piecewise": Resolver.piecewise,
    "repeat": Resolver.repeat,
    "then": Resolver.then,
    "binary": Resolver.binary,
    "negate": Resolver.negate,
    "extremum": Resolver.extremum,
}


def resolve(
    schedule: Any,
    *,
    total: int | None = None,
    steps_per_epoch: int | None = None,
    clock: Clock = "steps",
    tokens_per_step: int | None = None,
    samples_per_step: int | None = None,
) -> pure.Schedule:
    """The pure schedule of a text, number, node or mapping, its units resolved with the run settings
    (every setting a state records after a plan's text)."""
    resolver = Resolver(
        total, steps_per_epoch, clock=clock, tokens_per_step=tokens_per_step, samples_per_step=samples_per_step
    )
    return resolver.schedule(to_node(schedule))


def units_note(total: int | None, steps_per_epoch: int | None) -> str:
    """The run settings a schedule's units were resolved with, as recorded after its canonical text
    (` (total=10000, steps_per_epoch=500)`): units change the events a text means."""
    notes: list[str] = []
    if total is not None:
        notes.append(f"total={total}")
    if steps_per_epoch is not None:
        notes.append(f"steps_per_epoch={steps_per_epoch}")
    return f" ({', '.join(notes)})" if notes else ""
