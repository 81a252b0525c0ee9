"""`ps.schedule(...)`: a schedule as a pure function of its clock, for anything that is not a param group.

Loss weights, a VAE's KL β, an EMA decay, dropout, a batch size: values a training loop reads rather than
writes into an optimizer. `f = ps.schedule("warmup(1k) then cosine(0.999 -> 0.9999, 100k)")` resolves the
units once (with the clock and run settings given) and returns an immutable callable: `f(t)` is the value at
position t (a float), `f(array)` the values at an integer array of positions (a float64 array of the same
shape). The values are `ps.simulate`'s, bit for bit: `f(np.arange(n))` equals `simulate(schedule, n)`.
"""

from __future__ import annotations

import math
import numbers
from typing import Any, NoReturn, overload

import numpy as np
import numpy.typing as npt

from . import _schedules as pure
from ._clocks import Clock
from ._exceptions import LimitError, ScheduleArgumentError
from ._limits import MAX_EVENTS, MAX_EVENTS_TEXT
from ._resolve import Resolver
from .language import to_node, unparse

__all__ = ["ScheduleFunction", "schedule"]


class ScheduleFunction:
    """A resolved schedule as a function of the clock position t = 0, 1, 2, … (steps, tokens or samples).

    Immutable: nothing about it changes after `ps.schedule` built it, so one instance may be shared by
    threads, data-loader workers or several loss terms. `duration` is its length in clock units (None when
    it never ends); after it the schedule holds its final value.
    """

    __slots__ = ("_pure", "_what", "clock", "duration", "text")

    _pure: pure.Schedule
    _what: str
    clock: str
    duration: int | None
    text: str

    def __init__(self, resolved: pure.Schedule, text: str, clock: str) -> None:
        object.__setattr__(self, "_pure", resolved)
        object.__setattr__(self, "_what", f"schedule {text!r}")
        object.__setattr__(self, "text", text)
        object.__setattr__(self, "clock", clock)
        duration = resolved.duration
        object.__setattr__(self, "duration", int(duration) if math.isfinite(duration) else None)

    def __setattr__(self, name: str, value: object) -> NoReturn:
        raise AttributeError(f"a ScheduleFunction is immutable: cannot set {name!r}")

    def __delattr__(self, name: str) -> NoReturn:
        raise AttributeError(f"a ScheduleFunction is immutable: cannot delete {name!r}")

    def __repr__(self) -> str:
        return f"ps.schedule({self.text!r}, clock={self.clock!r})"

    @overload
    def __call__(self, t: int) -> float: ...

    @overload
    def __call__(self, t: npt.ArrayLike) -> npt.NDArray[np.float64]: ...

    def __call__(self, t: Any) -> float | npt.NDArray[np.float64]:
        """The value at position `t` (an int: a float), or at every position of an integer array (an array
        of the same shape). A non-finite value raises NonFiniteValueError naming the position."""
        if isinstance(t, numbers.Integral) and not isinstance(t, bool):
            position = _position(int(t))
            return float(pure.finite_values(self._pure, np.array([position], dtype=np.int64), self._what)[0])
        positions = np.asarray(t)
        if positions.dtype == np.bool_ or not np.issubdtype(positions.dtype, np.integer):
            raise TypeError(f"a schedule is a function of whole positions (an int or an integer array), got {_kind(t)}")
        flat = positions.astype(np.int64).ravel()
        if flat.size and (int(flat.min()) < 0 or int(flat.max()) > MAX_EVENTS):
            _position(int(flat.min()) if int(flat.min()) < 0 else int(flat.max()))
        order = np.argsort(flat, kind="stable")  # the pure schedules read sorted positions
        values = np.empty(flat.size, dtype=np.float64)
        values[order] = pure.finite_values(self._pure, flat[order], self._what)
        return values.reshape(positions.shape)


def _position(t: int) -> int:
    if t < 0:
        raise ScheduleArgumentError(f"a schedule's position must not be negative, got {t}")
    if t > MAX_EVENTS:
        raise LimitError(f"position {t} is more than the limit of {MAX_EVENTS_TEXT} events")
    return t


def _kind(t: object) -> str:
    dtype = getattr(t, "dtype", None)
    return f"an array of {dtype}" if dtype is not None else f"{type(t).__name__} {t!r}"


def schedule(
    schedule: Any,
    *,
    clock: Clock = "steps",
    total: int | None = None,
    steps_per_epoch: int | None = None,
    tokens_per_step: int | None = None,
    samples_per_step: int | None = None,
) -> ScheduleFunction:
    """The schedule as a pure function of its clock: `f(t)`, `f(array)`, `f.duration`.

    `schedule` is text, a plain number, an AST node or a mapping; its units resolve once, here, with the
    clock and run settings (as `compile` resolves them). Use it for what is not a param group: a loss
    weight, a KL β, an EMA decay, dropout, a batch size.

    Args:
        schedule: text, a plain number, an AST node or a mapping.
        clock: what t counts: "steps", "tokens" or "samples".
        total: events in the run, for `%` durations.
        steps_per_epoch: events per epoch, for `ep` durations.
        tokens_per_step: tokens per step, for `tok` durations on the step clock.
        samples_per_step: samples per step, for `sp` durations on the step clock.

    Returns:
        An immutable `ScheduleFunction`: `f(t)` is a float for an int t, an array for an integer array.

    Raises:
        ScheduleError: a subclass for bad text, arguments or units.
    """
    node = to_node(schedule)
    resolver = Resolver(
        total, steps_per_epoch, clock=clock, tokens_per_step=tokens_per_step, samples_per_step=samples_per_step
    )
    resolved = resolver.schedule(node)
    return ScheduleFunction(resolved, unparse(node) + resolver.note(), resolver.units.clock)
