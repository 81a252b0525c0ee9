"""Schedulers made of schedulers: ignite's ConcatScheduler and ParamGroupScheduler.

When every part follows a pure schedule, a ConcatScheduler is itself one pure schedule (the parts
joined at their boundaries) and steps as fast as a single scheduler ("joined"); otherwise it delegates
each event to the current part, exactly as ignite does ("delegated"). Joined, the position is its whole
state and ignite's `_scheduler_index`, `_current_duration` and `_current_scheduler` are derived from it.
"""

from __future__ import annotations

import copy
import itertools
import numbers
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._base import (
    ParamScheduler,
    ScheduleBacked,
    default_event,
    load_all,
    numbered_rows,
    plot_rows,
    public_name,
    require_event_index,
    require_keys,
    require_mapping,
)
from ._exceptions import StateDictError
from ._schedules import Concat, Schedule, Shift

__all__ = ["ConcatScheduler", "ParamGroupScheduler"]


def _check_concat_arguments(schedulers: Any, durations: Any) -> tuple[Any, str]:
    """ignite's checks on ConcatScheduler's arguments; returns the common optimizer and param name."""
    if not isinstance(schedulers, Sequence):
        raise TypeError(f"Argument schedulers should be a sequence, but given {schedulers}")
    if len(schedulers) < 2:
        raise ValueError(f"Argument schedulers should be of more than one parameter schedulers, but given {schedulers}")
    if not isinstance(durations, (list, tuple)):
        raise TypeError(f"Argument durations should be list/tuple, but given {durations}")
    if not all(isinstance(t, numbers.Integral) for t in durations):
        raise ValueError(f"Argument durations should be list/tuple of integers, but given {durations}")
    if any(t < 0 for t in durations):
        raise ValueError(f"Argument durations should not be negative, but given {durations}")
    if len(schedulers) != len(durations) + 1:
        raise ValueError(
            f"Incorrect number schedulers or duration values, given {len(schedulers)} and {len(durations)}"
        )
    for i, scheduler in enumerate(schedulers):
        if not isinstance(scheduler, (ParamScheduler, ParamGroupScheduler)):
            raise TypeError(
                f"Value at index {i} of schedulers should be a parameter scheduler, but given {type(scheduler)}"
            )
    optimizers = _unique(itertools.chain(*(_as_list(s.optimizer) for s in schedulers)))
    if len(optimizers) != 1:
        raise ValueError("schedulers should be related to same optimizer")
    names = _unique(itertools.chain(*(_as_list(s.param_name) for s in schedulers)))
    if len(names) != 1:
        raise ValueError("schedulers should be related to same param_name")
    return optimizers[0], names[0]


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _unique(items: Any) -> list[Any]:
    seen: list[Any] = []
    for item in items:
        if not any(item is other for other in seen):
            seen.append(item)
    return seen


def _part_states(owner: Any, state_dict: Any, what: str) -> Sequence[Any]:
    """The `schedulers` entry of a state: one state per part of `owner` (ignite's checks and words)."""
    require_mapping(state_dict)
    require_keys(state_dict, ["schedulers"], public_name(owner))
    states = state_dict["schedulers"]
    if not isinstance(states, Sequence) or len(states) != len(owner.schedulers):
        count = len(states) if isinstance(states, Sequence) else type(states).__name__
        raise StateDictError(
            f"Input state_dict contains {count} state_dicts of {what}, but {len(owner.schedulers)} needed"
        )
    return states


def _joinable(schedulers: Sequence[Any]) -> bool:
    """Whether the parts can be joined into one pure schedule writing the same param groups."""
    return (
        all(isinstance(s, ScheduleBacked) and s.is_pure for s in schedulers)
        and len({s.param_group_index for s in schedulers}) == 1
    )


def _joined(schedulers: Sequence[ScheduleBacked], durations: Sequence[int]) -> Concat:
    """The parts' schedules one after another, each from where its scheduler stands now."""
    parts: list[Schedule] = [Shift(s.schedule, s.position) if s.position else s.schedule for s in schedulers]
    return Concat(parts, [int(d) for d in durations])


class ConcatScheduler(ScheduleBacked):
    """ignite's ConcatScheduler: part i runs for durations[i] events, the last part from then on.

    Each part keeps its own clock: the next part starts at its own event 0. A part of duration 0 is
    skipped (ignite skips only one in a row).
    """

    def __init__(self, schedulers: list[Any], durations: list[int], save_history: bool = False):
        optimizer, param_name = _check_concat_arguments(schedulers, durations)
        joined = _joined(schedulers, durations) if _joinable(schedulers) else None
        self._assemble(schedulers, durations, optimizer, param_name, save_history, joined)

    @classmethod
    def joining(cls, schedule: Concat, parts: list[ScheduleBacked], save_history: bool = False) -> ConcatScheduler:
        """The scheduler that views `schedule`, given the views of its parts (fresh, one per part, in
        order): what `paramsched.compile` returns for `then`. Nothing is re-checked or re-joined."""
        scheduler = cls.__new__(cls)
        first = parts[0]
        scheduler._assemble(parts, schedule.durations, first.optimizer, first.param_name, save_history, schedule)
        return scheduler

    def _assemble(
        self,
        schedulers: list[Any],
        durations: list[int],
        optimizer: Any,
        param_name: str,
        save_history: bool,
        joined: Concat | None,
    ) -> None:
        self.schedulers = schedulers
        self.durations = durations
        self._joined = joined
        self._offsets = [s.position if isinstance(s, ScheduleBacked) else 0 for s in schedulers]
        for s in schedulers:
            s.save_history = save_history
        super().__init__(optimizer, param_name, save_history)
        self.move_to(0)
        # joined, it writes the groups its parts write; its own param_group_index stays None, as in ignite
        self.write_to_group(schedulers[0].param_group_index if joined is not None else None)
        self._index = 0  # delegated: ignite's _scheduler_index and _current_duration, stepped per event
        self._remaining = int(durations[0])
        self._state_attrs += ["_current_duration", "durations", "_scheduler_index"]

    @property
    def param_group_index(self) -> int | None:
        return None  # as in ignite: a ConcatScheduler has no index of its own; its parts do

    @param_group_index.setter
    def param_group_index(self, value: int | None) -> None:
        pass

    def follow(self, schedule: Schedule) -> None:
        raise TypeError("a ConcatScheduler is built from its parts: ConcatScheduler.joining(schedule, parts)")

    @property
    def is_pure(self) -> bool:
        return self._joined is not None

    @property
    def schedule(self) -> Schedule:
        if self._joined is None:
            raise TypeError("this ConcatScheduler has parts that are not pure schedules")
        return self._joined

    # -- ignite's attributes ----------------------------------------------------------------------

    @property
    def _scheduler_index(self) -> int:
        return self._segment_at(self.position)[0] if self._joined is not None else self._index

    @property
    def _current_duration(self) -> int:
        return self._segment_at(self.position)[1] if self._joined is not None else self._remaining

    @property
    def _current_scheduler(self) -> Any:
        return self.schedulers[self._scheduler_index]

    # -- stepping -------------------------------------------------------------------------------

    # __call__ is ScheduleBacked's: joined, the next value of the block; delegated, the block is always
    # empty and each event goes to `delegate` (no joined-or-not check on the joined path)

    def delegate(self, engine: Any | None, name: str | None) -> None:
        """Delegated: the current part serves the event, as in ignite."""
        while self._remaining == 0:  # zero-length parts are skipped, however many in a row
            self._index += 1
            self._remaining = int(self.durations[self._index]) if self._index < len(self.durations) else -1
        self.schedulers[self._index](engine, name)
        self._remaining -= 1
        self.move_to(self.position + 1)

    def get_param(self) -> Any:
        if self._joined is not None:
            return super().get_param()
        return self._current_scheduler.get_param()

    @property
    def optimizer_param_groups(self) -> list[dict[str, Any]]:
        current = self.schedulers[0] if self._joined is not None else self._current_scheduler
        groups: list[dict[str, Any]] = current.optimizer_param_groups
        return groups

    @property
    def parts(self) -> Sequence[Any]:
        return getattr(self, "schedulers", ())  # none yet while BaseParamScheduler's __init__ runs

    @property
    def event_index(self) -> int:
        return 0  # ignite never advances a ConcatScheduler's own event_index

    @event_index.setter
    def event_index(self, value: int) -> None:
        pass

    # -- state ----------------------------------------------------------------------------------

    def _segment_at(self, position: int) -> tuple[int, int]:
        """(_scheduler_index, _current_duration) after `position` events, zero-length parts skipped."""
        last = len(self.schedulers) - 1
        index, remaining, todo = 0, int(self.durations[0]), position
        while todo > 0:
            while remaining == 0 and index < last:
                index += 1
                remaining = int(self.durations[index]) if index < last else -1
            if remaining < 0:
                return index, remaining - todo
            taken = min(todo, remaining)
            remaining -= taken
            todo -= taken
        return index, remaining

    def _part_positions(self, position: int) -> list[int]:
        starts = [0, *itertools.accumulate(int(d) for d in self.durations)]
        positions = []
        for i, (start, offset) in enumerate(zip(starts, self._offsets, strict=True)):
            served = max(0, position - start)
            if i < len(self.durations):
                served = min(served, int(self.durations[i]))
            positions.append(offset + served)
        return positions

    def state_at(self, position: int) -> dict[str, Any]:
        state = super().state_at(position)
        index, remaining = self._segment_at(position)
        state["event_index"] = 0
        state["_current_duration"] = remaining
        state["_scheduler_index"] = index
        state["durations"] = copy.copy(self.durations)
        state["schedulers"] = [
            s.state_at(p) for s, p in zip(self.schedulers, self._part_positions(position), strict=True)
        ]
        return state

    def position_from_state(self, state_dict: Mapping[str, Any]) -> int:
        owner = public_name(self)
        index = require_event_index(state_dict["_scheduler_index"], "_scheduler_index", owner)
        remaining = state_dict["_current_duration"]
        if isinstance(remaining, bool) or not isinstance(remaining, numbers.Integral):
            raise StateDictError(f"{owner}.load_state_dict: '_current_duration' should be an integer")
        if index >= len(self.schedulers):
            raise StateDictError(
                f"{owner}.load_state_dict: '_scheduler_index' is {index}, but there are "
                f"{len(self.schedulers)} schedulers"
            )
        start = sum(int(d) for d in self.durations[:index])
        length = int(self.durations[index]) if index < len(self.durations) else -1
        position = start + length - int(remaining)
        if position < start:
            raise StateDictError(f"{owner}.load_state_dict: '_current_duration' {remaining} is out of range")
        return position

    def state_dict(self) -> dict[str, Any]:
        if self._joined is not None:
            return super().state_dict()
        state = ParamScheduler.state_dict(self)
        state["schedulers"] = [s.state_dict() for s in self.schedulers]
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        if isinstance(state_dict, Mapping) and self.is_other_plan(state_dict):
            super().load_state_dict(state_dict)  # its policy refuses it or continues at the saved position
            return
        states = _part_states(self, state_dict, "concatenated schedulers")
        if self._joined is not None:
            super().load_state_dict(state_dict)  # the position, from which everything else follows
            return
        require_keys(state_dict, self._state_attrs, public_name(self))
        position = self.position_from_state(state_dict)
        load_all(self.schedulers, states)
        self._index = int(state_dict["_scheduler_index"])
        self._remaining = int(state_dict["_current_duration"])
        self.move_to(position)
        self.save_history = bool(state_dict["save_history"])

    # -- simulation -----------------------------------------------------------------------------

    @classmethod
    def simulate_values(  # type: ignore[override]
        cls,
        num_events: int,
        schedulers: list[Any],
        durations: list[int],
        param_names: list[str] | tuple[str, ...] | None = None,
    ) -> list[list[Any]]:
        """Rows `[event, value per param group ...]`; the given schedulers and optimizer are left untouched."""
        if param_names is not None:
            if not isinstance(param_names, (list, tuple)):
                raise TypeError(f"Argument param_names should be list or tuple, but given {type(param_names)}")
            if not all(isinstance(item, str) for item in param_names):
                raise ValueError(f"Argument param_names should be list or tuple of strings, but given {param_names}")
        _, param_name = _check_concat_arguments(schedulers, durations)
        names = [param_name] if param_names is None else list(param_names)
        if _joinable(schedulers):
            values = _joined(schedulers, durations).values(np.arange(num_events, dtype=np.int64)).tolist()
            groups = schedulers[0].optimizer_param_groups
            if names == [param_name] and len(groups) == 1:
                return numbered_rows(values)
            rows = []
            for index, value in enumerate(values):
                row: list[Any] = [index]
                for name in names:
                    row.extend(value if name == param_name else group[name] for group in groups)
                rows.append(row)
            return rows
        copies = copy.deepcopy(schedulers)
        scheduler = cls(copies, durations=list(durations), save_history=False)
        rows = []
        for index in range(num_events):
            scheduler(None)
            row = [index]
            for name in names:
                row.extend(group[name] for group in scheduler.optimizer_param_groups)
            rows.append(row)
        return rows


class ParamGroupScheduler:
    """ignite's ParamGroupScheduler: several schedulers (one per param group, or per parameter)
    driven together as one handler."""

    def __init__(self, schedulers: list[Any], names: list[str] | None = None, save_history: bool = False):
        if not isinstance(schedulers, Sequence):
            raise TypeError(f"Argument schedulers should be a list/tuple, but given {schedulers}")
        if not all(isinstance(scheduler, ParamScheduler) for scheduler in schedulers):
            raise ValueError(
                f"Argument schedulers should be a list/tuple of parameter schedulers, but given {schedulers}"
            )
        if names is None:
            names = [s.param_name for s in schedulers]
        if not isinstance(names, (list, tuple)):
            raise TypeError(f"Argument names should be a list/tuple, but given {names}")
        if not all(isinstance(n, str) for n in names):
            raise ValueError(f"Argument names should be a list/tuple of parameter scheduler's names, but given {names}")
        if len(names) != len(schedulers):
            raise ValueError(f"{len(schedulers)} should be equal {len(names)}")
        self.schedulers = schedulers
        self.names = names
        for s in schedulers:
            s.save_history = save_history
        self.optimizer = [s.optimizer for s in self.schedulers]
        self.param_name = [s.param_name for s in self.schedulers]

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        for scheduler, scheduler_name in zip(self.schedulers, self.names, strict=True):
            scheduler(engine, scheduler_name)

    def step(self) -> None:
        """Advance every scheduler by one event: for loops without an Engine."""
        self(None)

    def attach(self, engine: Any, event: Any = None) -> None:
        """Call this handler on `event` of an ignite Engine (default: ITERATION_STARTED)."""
        engine.add_event_handler(default_event("ITERATION_STARTED") if event is None else event, self)

    @property
    def optimizer_param_groups(self) -> list[dict[str, Any]]:
        return [pg for scheduler in self.schedulers for pg in scheduler.optimizer_param_groups]

    @property
    def save_history(self) -> bool:
        return bool(self.schedulers[0].save_history)

    @save_history.setter
    def save_history(self, value: bool) -> None:
        for s in self.schedulers:
            s.save_history = value

    def state_dict(self) -> dict[str, list[Any]]:
        state: dict[str, list[Any]] = OrderedDict()
        state["schedulers"] = [(n, s.state_dict()) for n, s in zip(self.names, self.schedulers, strict=True)]
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore every scheduler; if any part is refused, all stay as they were."""
        states = _part_states(self, state_dict, "param group schedulers")
        for required, entry in zip(self.names, states, strict=True):
            if not isinstance(entry, Sequence) or len(entry) != 2:
                raise StateDictError("ParamGroupScheduler.load_state_dict: each entry should be (name, state_dict)")
            if entry[0] != required:
                raise StateDictError(
                    f"Name of scheduler from input state dict does not correspond to required one, "
                    f"{entry[0]} vs {required}"
                )
        load_all(self.schedulers, [state for _, state in states])

    @classmethod
    def simulate_values(cls, num_events: int, schedulers: list[Any], **kwargs: Any) -> list[list[Any]]:
        """Rows `[event, value of each scheduler ...]`; the given schedulers are left untouched."""
        if all(isinstance(s, ScheduleBacked) and s.is_pure for s in schedulers):
            columns = [s.evaluate(num_events, start=s.position).tolist() for s in schedulers]
            return [[index, *(column[index] for column in columns)] for index in range(num_events)]
        copies = copy.deepcopy(schedulers)
        scheduler = cls(schedulers=copies, **kwargs)
        rows = []
        for index in range(num_events):
            rows.append([index, *(s.get_param() for s in copies)])
            scheduler(None)
        return rows

    @classmethod
    def plot_values(cls, num_events: int, **scheduler_kwargs: Any) -> Any:
        """Plot every scheduler's values, one line each."""
        return plot_rows(cls.simulate_values(num_events, **scheduler_kwargs), "value")

    def get_param(self) -> list[Any]:
        return [scheduler.get_param() for scheduler in self.schedulers]
