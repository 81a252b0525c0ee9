"""A paramsched schedule as a real `torch.optim.lr_scheduler.LRScheduler`.

Lightning's `configure_optimizers`, Hugging Face's `Trainer(optimizers=(opt, sched))` and any loop that
calls `scheduler.step()` check for torch's base class, so the adapter subclasses it. This module imports
torch at the top: `paramsched/__init__.py` must load it lazily (only when `TorchScheduler` or
`torch_scheduler` is first used), so that `import paramsched` never imports torch.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from . import _schedules as pure
from ._base import assign, plain
from ._clocks import Clock, ClockCounter, ClockError, StridedValues, whole_count
from ._exceptions import ScheduleArgumentError, StateDictError
from ._key_check import require_param_key
from ._keys import read_param
from ._limits import MAX_EVENTS
from ._resolve import Resolver
from .language import Node, to_node, unparse

__all__ = ["TorchScheduler", "torch_scheduler"]

STATE_FORMAT_VERSION = 1
_MAX_BLOCK = 4096

ScheduleLike = str | float | Node | Mapping[str, Any]


class _Track:
    """One param group's schedule, with a block of precomputed values so `step()` costs no numpy call."""

    def __init__(self, schedule: pure.Schedule, source: str) -> None:
        self.schedule = schedule
        self.source = source
        self.block: list[float] = []
        self.start = 0
        self.size = 64

    def value(self, event: int) -> float:
        offset = event - self.start
        if not 0 <= offset < len(self.block):
            self.block = self._refill(event)
            self.start = event
            offset = 0
        return self.block[offset]

    def _refill(self, event: int) -> list[float]:
        events = np.arange(event, event + self.size, dtype=np.int64)
        self.size = min(self.size * 2, _MAX_BLOCK)
        values = pure.finite_values(self.schedule, events, f"schedule {self.source!r}", prefix=True)
        return values.tolist()  # type: ignore[no-any-return]


class _ClockTrack(StridedValues):
    """A track on a token or sample clock: positions jump by each step's count, so values come from blocks
    at the positions the next steps reach (paramsched._clocks.StridedValues)."""

    def __init__(self, schedule: pure.Schedule, source: str) -> None:
        super().__init__(schedule, f"schedule {source!r}")
        self.source = source

    value = StridedValues.at


class TorchScheduler(LRScheduler):
    """A schedule text driving one param-group key (default `lr`) as a torch LRScheduler.

    Like torch's schedulers, construction writes the value of event 0 and each `step()` moves to the
    next event; values are absolute (no `base_lrs` factor). `schedule` is one schedule for every param
    group, or a list with one per group (None leaves that group alone). A tensor entry (e.g. lr given
    as `torch.tensor(0.01)` for a compiled optimizer) is updated in place, so `torch.compile` sees
    the same tensor and does not recompile as the value changes. `param_name` schedules any other key
    of the param groups (momentum, weight_decay, ...), or one element of a tuple entry: `"betas[0]"` is
    Adam's β1, β2 kept (as torch's OneCycleLR writes it); `get_last_lr()` stays torch's "current lrs".

    Clocks: with `clock="tokens"` (or `"samples"`) the schedule's position counts tokens. Call
    `step(tokens=n)` after each optimizer step with the n tokens that step consumed, or give
    `clock_source`, a callable returning the tokens seen so far (Hugging Face's
    `state.num_input_tokens_seen`), read at each `step()`. The value written is the schedule at the position
    reached: f(tokens seen), the value for the next step. `last_epoch` still counts `step()` calls; the
    position is `position` and is saved in the state. On the step clock `tokens_per_step` and
    `samples_per_step` convert `tok` and `sp` durations to steps, as `steps_per_epoch` converts `ep`.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: ScheduleLike | Sequence[ScheduleLike | None],
        param_name: str = "lr",
        *,
        total: int | None = None,
        steps_per_epoch: int | None = None,
        tokens_per_step: int | None = None,
        samples_per_step: int | None = None,
        clock: Clock = "steps",
        clock_source: Callable[[], Any] | None = None,
        last_epoch: int = -1,
        create_new: bool = False,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if not isinstance(param_name, str):
            raise TypeError(f"param_name should be a str, but given {type(param_name).__name__}")
        per_group = _per_group(schedule, len(optimizer.param_groups))
        written = [index for index, item in enumerate(per_group) if item is not None]
        require_param_key(optimizer, param_name, written, create_new=create_new)
        resolver = Resolver(  # checks the run settings
            total, steps_per_epoch, clock=clock, tokens_per_step=tokens_per_step, samples_per_step=samples_per_step
        )
        units = resolver.units.note()
        self._counter = ClockCounter(clock, clock_source)
        self._on_steps = self._counter.clock == "steps"
        self._position = 0
        track_class = _Track if self._on_steps else _ClockTrack
        self.param_name = param_name
        self._tracks: list[_Track | _ClockTrack | None] = []
        for item in per_group:
            if item is None:
                self._tracks.append(None)
                continue
            node = to_node(item)
            self._tracks.append(track_class(resolver.schedule(node), unparse(node) + units))
        self._last_value: list[float] = []
        super().__init__(optimizer, last_epoch)

    # -- torch's protocol -----------------------------------------------------------------------

    def get_lr(self) -> list[float | torch.Tensor]:
        """The values for `last_epoch` (torch's name; for another `param_name` these are its values), or
        for `position` on a token or sample clock."""
        position = self.last_epoch if self._on_steps else self._position
        return [
            plain(read_param(group, self.param_name)) if track is None else track.value(position)
            for track, group in zip(self._tracks, self.optimizer.param_groups, strict=True)
        ]

    def step(self, epoch: int | None = None, *, tokens: int | None = None, samples: int | None = None) -> None:
        """Move to the next event (or to `epoch`, torch's deprecated form) and write its values.

        On a token (sample) clock: `tokens=n` (`samples=n`) is what the optimizer step just taken consumed;
        the position moves by n (or to `clock_source()`), and the value written is f(position)."""
        if self._step_count == 1 and not getattr(self.optimizer, "_opt_called", False):
            if hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
                warnings.warn(
                    "Detected call of `lr_scheduler.step()` before `optimizer.step()`: call them in the "
                    "opposite order or the first value of the schedule is skipped",
                    UserWarning,
                    stacklevel=2,
                )
        # on a token or sample clock, torch's first step (from its constructor) writes position 0; each later
        # one moves the position by the step's count, or to the clock source's reading
        if not self._on_steps:
            if epoch is not None:
                self._refuse_epoch()
            if self._step_count:
                position = self._counter.next_position(self._position, tokens, samples)
            else:
                position = self._position
            self._step_count += 1
            self._write(self.last_epoch + 1, position)
            return
        if tokens is not None or samples is not None:
            self._counter.count(tokens, samples)  # raises: the step clock takes no count
        self._step_count += 1
        event = self.last_epoch + 1 if epoch is None else epoch
        self._write(event)

    def _refuse_epoch(self) -> None:
        raise ClockError(
            f"step(epoch) jumps to an event of the steps clock; this scheduler runs on the "
            f"{self._counter.clock} clock: write step({self._counter.clock}=n)"
        )

    @property
    def clock(self) -> str:
        """The clock the position counts: "steps", "tokens" or "samples"."""
        return self._counter.clock

    @property
    def position(self) -> int:
        """Where the schedule stands: events on the step clock (`last_epoch`), tokens or samples seen on
        the others."""
        return self.last_epoch if self._counter.clock == "steps" else self._position

    def _write(self, event: int, position: int | None = None) -> None:
        """Compute every group's value first (a non-finite one changes nothing), then assign them."""
        if event < 0:
            raise ValueError(f"the event index must not be negative, but it is {event}")
        previous = self.last_epoch, self._position
        self.last_epoch = event
        if position is not None:
            self._position = position
        try:
            values = self.get_lr()
        except BaseException:
            self.last_epoch, self._position = previous
            raise
        key = self.param_name
        for group, track, value in zip(self.optimizer.param_groups, self._tracks, values, strict=True):
            if track is not None:
                assign(group, key, value)
        self._last_value = [float(plain(read_param(group, key))) for group in self.optimizer.param_groups]
        self._last_lr = [_copy(group["lr"]) for group in self.optimizer.param_groups]

    def get_last_value(self) -> list[float]:
        """The scheduled key's values after the last step, one per param group."""
        return list(self._last_value)

    # -- paramsched's view ----------------------------------------------------------------------

    @property
    def schedules(self) -> list[str | None]:
        """The canonical text of each group's schedule (None for a group left alone)."""
        return [None if track is None else track.source for track in self._tracks]

    def evaluate(self, num_events: int, start: int = 0) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Values for events start .. start+num_events-1, shape (events, groups); no state changes.

        A group left alone (None) shows its current value in every row."""
        columns = [
            np.full(num_events, float(plain(read_param(group, self.param_name))))
            if track is None
            else pure.evaluate(track.schedule, num_events, start, f"schedule {track.source!r}")
            for track, group in zip(self._tracks, self.optimizer.param_groups, strict=True)
        ]
        return np.stack(columns, axis=1) if columns else np.empty((num_events, 0))

    # -- state ----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values only, so `torch.load(..., weights_only=True)` reads them back."""
        state = {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "param_name": self.param_name,
            "schedules": self.schedules,
            "base_lrs": [float(plain(lr)) for lr in self.base_lrs],
            "_last_lr": [float(plain(lr)) for lr in self._last_lr],
            "paramsched_format": STATE_FORMAT_VERSION,
        }
        if self._counter.clock != "steps":  # the step clock's position is last_epoch
            state["clock"] = self._counter.clock
            state["position"] = self._position
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume at the saved event: checks the state belongs to this schedule, then writes that event's
        values into the optimizer (so the order of loading optimizer and scheduler does not matter).
        A malformed or foreign state raises StateDictError and changes nothing."""
        owner = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Argument state_dict should be a dictionary, but given {type(state_dict)}")
        required = ("last_epoch", "_step_count", "param_name", "schedules", "paramsched_format")
        missing = [key for key in required if key not in state_dict]
        if missing:
            raise StateDictError(
                f"{owner}.load_state_dict: required key(s) {', '.join(map(repr, missing))} absent "
                f"(the state has {sorted(map(str, state_dict))}); was it saved by a {owner}?"
            )
        version = state_dict["paramsched_format"]
        if not isinstance(version, int) or version > STATE_FORMAT_VERSION:
            raise StateDictError(
                f"{owner}.load_state_dict: the state was saved in format {version!r}, which this "
                f"paramsched does not read (it reads {STATE_FORMAT_VERSION}); upgrade paramsched"
            )
        last_epoch = _whole(state_dict["last_epoch"], "last_epoch", owner, minimum=-1)
        step_count = _whole(state_dict["_step_count"], "_step_count", owner, minimum=0)
        if last_epoch > MAX_EVENTS:
            raise StateDictError(f"{owner}.load_state_dict: last_epoch {last_epoch} is out of range")
        if state_dict["param_name"] != self.param_name:
            raise StateDictError(
                f"{owner}.load_state_dict: the state schedules {state_dict['param_name']!r}, "
                f"but this scheduler schedules {self.param_name!r}"
            )
        saved = state_dict["schedules"]
        if not isinstance(saved, (list, tuple)) or list(saved) != self.schedules:
            raise StateDictError(
                f"{owner}.load_state_dict: the state belongs to schedule(s) {saved!r}, "
                f"but this scheduler runs {self.schedules!r}"
            )
        position = self._position_in(state_dict, owner)
        if last_epoch >= 0:
            self._write(last_epoch, position)  # raises before writing anything if a value is not finite
        else:
            self.last_epoch = last_epoch
            if position is not None:
                self._position = position
        self._step_count = step_count

    def _position_in(self, state_dict: Mapping[str, Any], owner: str) -> int | None:
        """The saved position on a token or sample clock (None on the step clock: it is last_epoch)."""
        clock = self._counter.clock
        saved_clock = state_dict.get("clock", "steps")
        if saved_clock != clock:
            raise StateDictError(
                f"{owner}.load_state_dict: the state was saved on the {saved_clock!r} clock, "
                f"but this scheduler runs on the {clock!r} clock"
            )
        if clock == "steps":
            return None
        if "position" not in state_dict:
            raise StateDictError(f"{owner}.load_state_dict: required key 'position' absent (the {clock} seen)")
        try:
            return whole_count(state_dict["position"], "position")
        except ValueError as error:
            raise StateDictError(f"{owner}.load_state_dict: {error}") from None


def torch_scheduler(
    schedule: ScheduleLike | Sequence[ScheduleLike | None],
    optimizer: Optimizer,
    param_name: str = "lr",
    *,
    total: int | None = None,
    steps_per_epoch: int | None = None,
    tokens_per_step: int | None = None,
    samples_per_step: int | None = None,
    clock: Clock = "steps",
    clock_source: Callable[[], Any] | None = None,
) -> TorchScheduler:
    """`TorchScheduler` with `paramsched.compile`'s argument order (schedule first)."""
    return TorchScheduler(
        optimizer,
        schedule,
        param_name,
        total=total,
        steps_per_epoch=steps_per_epoch,
        tokens_per_step=tokens_per_step,
        samples_per_step=samples_per_step,
        clock=clock,
        clock_source=clock_source,
    )


def _per_group(schedule: ScheduleLike | Sequence[ScheduleLike | None], groups: int) -> list[ScheduleLike | None]:
    if isinstance(schedule, (list, tuple)):
        if len(schedule) != groups:
            raise ScheduleArgumentError(
                f"got {len(schedule)} schedules for an optimizer with {groups} param groups; "
                "give one schedule for all groups or one per group"
            )
        if all(item is None for item in schedule):
            raise ScheduleArgumentError("every schedule in the list is None: nothing to schedule")
        return list(schedule)
    return [schedule] * groups  # type: ignore[list-item]


def _copy(value: Any) -> Any:
    """torch's get_last_lr never aliases a tensor lr: it hands out a clone."""
    return value.clone() if isinstance(value, torch.Tensor) else value


def _whole(value: Any, key: str, owner: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise StateDictError(
            f"{owner}.load_state_dict: {key!r} should be a whole number ≥ {minimum}, but given {value!r}"
        )
    return int(value)
