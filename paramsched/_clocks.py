"""Clocks that are not steps: what a duration means on a clock, and how a scheduler learns its position.

A schedule is a function of a position t = 0, 1, 2, … on a *clock*. On the step clock (the default) t counts
optimizer steps; on the token clock it counts training tokens seen so far, on the sample clock samples. The
language is the same on every clock; only the units resolve differently (SPEC §2):

| unit       | steps clock                   | tokens clock      | samples clock      |
|------------|-------------------------------|-------------------|--------------------|
| `500`, `2M`| steps                         | tokens            | samples            |
| `ep`       | × steps_per_epoch             | refused           | refused            |
| `tok`      | ÷ tokens_per_step             | tokens            | refused            |
| `sp`       | ÷ samples_per_step            | refused           | samples            |
| `%`        | × total / 100 (total in steps)| × total / 100 (in tokens) | × total / 100 (in samples) |

Every conversion is done on the exact decimal the user wrote and rounded half to even once, so `375Mtok`
at 32,768 tokens a step is round(375·10^6 / 32768) = round(11444.09…) = 11444 steps.

Stepping on a token clock, the position advances by what each step consumed: `step(tokens=n)`, or a
`clock_source` (a callable returning the tokens seen so far, e.g. Hugging Face's `num_input_tokens_seen`)
read at each step. The value of a step is the schedule at the position where that step starts, so a value is
f(tokens consumed before it), whatever the batch sizes. `StridedValues` keeps the per-step cost of a token
clock near the step clock's: it evaluates the schedule in one numpy call at the positions the next steps will
reach if the batch keeps its size (start, start + n, start + 2n, …), and recomputes only when the size changes.
"""

from __future__ import annotations

import difflib
import numbers
import operator
from collections.abc import Callable, Collection
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from ._exceptions import LimitError, ScheduleArgumentError, UnitError
from ._limits import MAX_EVENTS, MAX_EVENTS_TEXT
from ._schedules import Schedule, finite_values
from .language.lexemes import split_unit

if TYPE_CHECKING:
    from .language import Duration

__all__ = [
    "CLOCKS",
    "Clock",
    "ClockCounter",
    "ClockError",
    "RunUnits",
    "StridedValues",
    "check_clock",
    "whole_count",
]

Clock = Literal["steps", "tokens", "samples"]
CLOCKS: Final[tuple[Clock, ...]] = ("steps", "tokens", "samples")
"""The clocks a schedule may run on: what its position t counts."""

_COUNT_NAME: Final[dict[str, str]] = {"tokens": "tokens", "samples": "samples"}
_CLOCK_OF_UNIT: Final[dict[str, Clock]] = {"tok": "tokens", "sp": "samples"}
_PER_STEP: Final[dict[str, str]] = {"tok": "tokens_per_step", "sp": "samples_per_step"}
_UNIT_WORD: Final[dict[str, str]] = {"ep": "epochs", "tok": "tokens", "sp": "samples"}
_UNIT_OF_CLOCK: Final[dict[str, str]] = {"tokens": "tok", "samples": "sp"}


class ClockError(ValueError):
    """A step that does not fit the scheduler's clock: a count on the step clock, no count (and no clock
    source) on a token or sample clock, a count of the other kind, or a count that is not a whole number."""


def check_clock(clock: object) -> Clock:
    """`clock` if it names a clock; otherwise a ScheduleArgumentError listing them (with the closest)."""
    if isinstance(clock, str) and clock in CLOCKS:
        return clock
    close = difflib.get_close_matches(str(clock), CLOCKS, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise ScheduleArgumentError(f"clock must be one of 'steps', 'tokens', 'samples', got {clock!r}{hint}")


def _exact(amount: float) -> Decimal:
    """The decimal the user wrote: the shortest decimal that reads back as this float."""
    return Decimal(repr(amount))


@dataclass(frozen=True)
class RunUnits:
    """The clock and the run settings that turn a duration into whole events of that clock.

    `total` is the run's length in events of the clock (steps, tokens or samples): `5%` is 5·total/100.
    On the step clock `steps_per_epoch` converts `ep`, `tokens_per_step` `tok` and `samples_per_step` `sp`
    (each a whole number ≥ 1); on the token or sample clock those settings mean nothing and are refused.
    """

    clock: Clock = "steps"
    total: int | None = None
    steps_per_epoch: int | None = None
    tokens_per_step: int | None = None
    samples_per_step: int | None = None

    def __post_init__(self) -> None:
        check_clock(self.clock)
        for name in ("total", "steps_per_epoch", "tokens_per_step", "samples_per_step"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ScheduleArgumentError(f"`{name}` must be a positive whole number, got {value!r}")
        if self.clock != "steps":
            for name in ("steps_per_epoch", "tokens_per_step", "samples_per_step"):
                if getattr(self, name) is not None:
                    raise ScheduleArgumentError(
                        f"`{name}` converts a duration to steps, but this schedule runs on the {self.clock} "
                        f"clock, where durations count {self.clock}: drop `{name}`, or use clock='steps'"
                    )

    def exact_events(self, duration: Duration) -> Decimal:
        """The duration in events of the clock, exactly (before rounding).

        On the step clock: n·m (a plain count with magnitude m), n·m·steps_per_epoch (`ep`),
        n·m / tokens_per_step (`tok`), n·m / samples_per_step (`sp`), n·total/100 (`%`). On the token
        clock a plain count and `tok` are tokens, on the sample clock a plain count and `sp` are samples.
        Raises UnitError naming the setting that is missing, or the clock that cannot count this unit.
        """
        magnitude, base = split_unit(duration.unit)
        amount = _exact(duration.amount) * magnitude
        if base == "":
            return amount
        if base == "%":
            if self.total is None:
                raise UnitError(f"duration '{duration}' needs `total`{self._in_clock_units()}")
            return _exact(duration.amount) * self.total / 100
        if self.clock == "steps":
            factor_name = "steps_per_epoch" if base == "ep" else _PER_STEP[base]
            factor: int | None = getattr(self, factor_name)
            if factor is None:
                other = "" if base == "ep" else f", or clock={_CLOCK_OF_UNIT[base]!r}"
                raise UnitError(f"duration '{duration}' needs `{factor_name}`{other}")
            return amount * factor if base == "ep" else amount / factor
        if _CLOCK_OF_UNIT.get(base) == self.clock:
            return amount
        own = _UNIT_OF_CLOCK[self.clock]
        raise UnitError(
            f"duration '{duration}' counts {_UNIT_WORD[base]}, which the {self.clock} clock cannot convert: "
            f"write it in {self.clock} (a plain count, or with `{own}`), or use clock='steps' with "
            f"`{'steps_per_epoch' if base == 'ep' else _PER_STEP[base]}`"
        )

    def events(self, duration: Duration) -> int:
        """The duration in whole events of the clock: `exact_events` rounded half to even."""
        exact = self.exact_events(duration)
        events = int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))
        if events > MAX_EVENTS:
            raise LimitError(f"duration '{duration}' resolves to {events} events, more than {MAX_EVENTS_TEXT}")
        return events

    def _in_clock_units(self) -> str:
        return "" if self.clock == "steps" else f" (the run's length in {self.clock})"

    def note(self, units: Collection[str] | None = None) -> str:
        """The settings as recorded after a schedule's canonical text in a state (` (clock=tokens, total=…)`):
        they change the events a text means, so a state of other settings is another plan.

        With `units` (the base units a schedule's durations use: "%", "ep", "tok", "sp"), only the
        settings that resolved one of them are recorded: `total` changed under a schedule with no `%` is
        the same plan."""
        notes = [] if self.clock == "steps" else [f"clock={self.clock}"]
        for name in ("total", "steps_per_epoch", "tokens_per_step", "samples_per_step"):
            value = getattr(self, name)
            if value is not None and (units is None or self._resolves(name, units)):
                notes.append(f"{name}={value}")
        return f" ({', '.join(notes)})" if notes else ""

    def _resolves(self, setting: str, units: Collection[str]) -> bool:
        """Whether `setting` turns one of `units` into events of this clock."""
        if setting == "total":
            return "%" in units
        if setting == "steps_per_epoch":
            return "ep" in units
        base = "tok" if setting == "tokens_per_step" else "sp"
        return self.clock == "steps" and base in units


def whole_count(value: object, what: str) -> int:
    """A count of tokens or samples (or a position): a whole number ≥ 0, from an int, a numpy integer, an
    integral float or a one-element integer tensor. Anything else raises ClockError saying what came."""
    if isinstance(value, bool):
        raise ClockError(f"{what} must be a whole number ≥ 0, got {value!r}")
    if isinstance(value, float) and value.is_integer():
        count = int(value)
    elif isinstance(value, numbers.Integral):
        count = int(value)
    else:
        try:
            count = operator.index(value)  # type: ignore[arg-type]  # integer tensors, numpy scalars
        except TypeError:
            raise ClockError(f"{what} must be a whole number ≥ 0, got {value!r}") from None
    if count < 0:
        raise ClockError(f"{what} must be a whole number ≥ 0, got {count}")
    if count > MAX_EVENTS:
        raise LimitError(f"{what} {count} is more than the limit of {MAX_EVENTS_TEXT}")
    return count


class ClockCounter:
    """How a scheduler's position moves at each step: by one on the step clock, by `tokens=n` (`samples=n`)
    on a token (sample) clock, or to the reading of `clock_source()`."""

    def __init__(self, clock: object, source: Callable[[], Any] | None) -> None:
        self.clock: Clock = check_clock(clock)
        if source is not None and not callable(source):
            raise TypeError(f"clock_source must be a callable returning the {clock} seen so far, got {source!r}")
        if source is not None and self.clock == "steps":
            raise ScheduleArgumentError(
                "clock_source reads a count of tokens or samples; the steps clock counts step() calls: "
                "pass clock='tokens' or clock='samples' with it"
            )
        self.source = source
        self._plain_tokens = self.clock == "tokens" and source is None

    def count(self, tokens: object, samples: object) -> int | None:
        """What this step consumed on the clock (1 on the step clock); None when the source is to be read."""
        given = {"tokens": tokens, "samples": samples}
        passed = [name for name, value in given.items() if value is not None]
        if self.clock == "steps":
            if passed:
                raise ClockError(
                    f"step({passed[0]}=...) counts {passed[0]}, but this scheduler runs on the steps clock "
                    f"(each step() is one event): build it with clock={passed[0]!r} to schedule in {passed[0]}"
                )
            return 1
        other = "samples" if self.clock == "tokens" else "tokens"
        if given[other] is not None:
            raise ClockError(
                f"step({other}=...) on a scheduler of the {self.clock} clock: write step({self.clock}=n), "
                f"or build it with clock={other!r}"
            )
        value = given[self.clock]
        if self.source is not None:
            if value is not None:
                raise ClockError(
                    f"step({self.clock}=...) on a scheduler that reads its clock_source: give one or the other"
                )
            return None
        if value is None:
            raise ClockError(
                f"this scheduler runs on the {self.clock} clock: call step({self.clock}=n) with the {self.clock} "
                f"that step consumed, or build it with clock_source=<callable returning the {self.clock} seen so "
                "far>"
            )
        return whole_count(value, f"step({self.clock}=...)")

    def read_source(self) -> int:
        """The clock source's reading: the tokens (samples) seen so far."""
        assert self.source is not None
        return whole_count(self.source(), f"clock_source() (the {self.clock} seen so far)")

    def next_position(self, position: int, tokens: object, samples: object) -> int:
        """The position after a step that started at `position` (torch's convention: step() follows the
        optimizer step, and the value it writes is for the step after)."""
        if self._plain_tokens:  # the hot path: a plain int count of tokens, no source
            if tokens.__class__ is int and samples is None and 0 <= tokens <= MAX_EVENTS - position:
                return position + tokens
        count = self.fast_count(tokens, samples)
        if count is None:
            return self.read_source()
        moved = position + count
        if moved > MAX_EVENTS:
            raise LimitError(f"the {self.clock} clock reached {moved}, more than the limit of {MAX_EVENTS_TEXT}")
        return moved

    def fast_count(self, tokens: object, samples: object) -> int | None:
        """`count`, with the common case first: a plain int of this clock's kind and no source."""
        count, other = (tokens, samples) if self.clock == "tokens" else (samples, tokens)
        if count.__class__ is int and other is None and count >= 0 and self.source is None:
            return count
        return self.count(tokens, samples)


class StridedValues:
    """A schedule's values at the positions the next steps will reach, computed one numpy block at a time.

    A block holds f(start), f(start + stride), …, f(start + (size − 1)·stride), where stride is the last
    advance seen (the batch size in tokens, or 1 on the step clock). A step of the same size is then one
    list lookup; a step of another size computes a new block with the new stride. Blocks double (64 up to
    4,096) while the stride holds and shrink (down to 8) when it keeps changing, so random batch sizes cost
    one small numpy call a step. Every value is computed by the pure schedule's vectorised code, so it is
    bit for bit the value `simulate` gives at that position.
    """

    _MAX_BLOCK: Final = 4096
    _MIN_BLOCK: Final = 8

    def __init__(self, schedule: Schedule, what: str) -> None:
        self.schedule = schedule
        self.what = what
        self._block: list[float] = []
        self._start = 0
        self._stride = 1
        self._size = 64
        self._expected = 0  # the position the next step reaches if its count is the stride: one lookup
        self._cursor = 0  # ... at this index of the block

    def at(self, position: int) -> float:
        """f(position); raises NonFiniteValueError if that value is not finite."""
        if position == self._expected:
            index = self._cursor
            block = self._block
            if index < len(block):
                self._cursor = index + 1
                self._expected = position + self._stride
                return block[index]
        return self._lookup(position)

    def _lookup(self, position: int) -> float:
        """Any position of the block (a repeated or skipped one), else a new block from `position`."""
        last = self._expected - self._stride  # the last position served
        index, rest = divmod(position - self._start, self._stride)
        if not rest and 0 <= index < len(self._block):
            value = self._block[index]
        else:
            stride = position - last if 0 <= last < position else self._stride
            value = self._refill(position, stride)
            index = 0
        self._cursor = index + 1
        self._expected = position + self._stride
        return value

    def _refill(self, position: int, stride: int) -> float:
        if stride == self._stride and position == self._start + len(self._block) * stride:
            self._size = min(self._size * 2, self._MAX_BLOCK)  # the block ran out: the stride holds
        elif stride != self._stride:
            self._size = max(self._size // 2, self._MIN_BLOCK)
        size = max(1, min(self._size, (MAX_EVENTS - position) // stride + 1))
        positions = position + stride * np.arange(size, dtype=np.int64)
        self._block = finite_values(self.schedule, positions, self.what, prefix=True).tolist()
        self._start = position
        self._stride = stride
        return self._block[0]
