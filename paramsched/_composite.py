"""Schedulers made of schedulers: ignite's ConcatScheduler and ParamGroupScheduler.

When every part is schedule-backed, a ConcatScheduler is itself one pure schedule (the parts joined
at their boundaries) and steps as fast as a single scheduler; otherwise it delegates each event to
the current part, exactly as ignite does.
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
    _default_event,
    _Scheduled,
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


def _joinable(schedulers: Sequence[Any]) -> bool:
    """Whether the parts can be joined into one pure schedule writing the same param groups."""
    return all(isinstance(s, _Scheduled) for s in schedulers) and len({s.param_group_index for s in schedulers}) == 1


def _joined(schedulers: Sequence[_Scheduled], durations: Sequence[int]) -> Concat:
    parts: list[Schedule] = [Shift(s.schedule, s._position) if s._position else s.schedule for s in schedulers]
    return Concat(parts, [int(d) for d in durations])


class ConcatScheduler(_Scheduled):
    """ignite's ConcatScheduler: part i runs for durations[i] events, the last part from then on.

    Each part keeps its own clock: the next part starts at its own event 0.
    """

    def __new__(cls, *args: Any, **kwargs: Any) -> ConcatScheduler:
        # parts that are all pure make one pure schedule, stepped by _Scheduled's fast path; the class is
        # chosen here rather than swapped later so that attribute access stays on CPython's fast path
        schedulers = args[0] if args else kwargs.get("schedulers")
        if cls is ConcatScheduler and isinstance(schedulers, Sequence) and _joinable(schedulers):
            cls = _JoinedConcatScheduler
        return super().__new__(cls)

    def __init__(self, schedulers: list[Any], durations: list[int], save_history: bool = False):
        optimizer, param_name = _check_concat_arguments(schedulers, durations)
        self._assemble(schedulers, durations, optimizer, param_name, save_history)

    @classmethod
    def _trusted(cls, schedulers: list[Any], durations: list[int], save_history: bool) -> ConcatScheduler:
        """A ConcatScheduler of parts known to be valid (the compiler's own), without re-checking them."""
        scheduler = super().__new__(_JoinedConcatScheduler if _joinable(schedulers) else cls)
        first = schedulers[0]
        scheduler._assemble(schedulers, durations, first.optimizer, first.param_name, save_history)
        return scheduler

    def _assemble(
        self, schedulers: list[Any], durations: list[int], optimizer: Any, param_name: str, save_history: bool
    ) -> None:
        self.schedulers = schedulers
        self.durations = durations
        joined = type(self) is _JoinedConcatScheduler
        self._joined: Concat | None = _joined(schedulers, durations) if joined else None
        self._offsets = [s._position if isinstance(s, _Scheduled) else 0 for s in schedulers]
        for s in schedulers:
            s.save_history = save_history
        super().__init__(optimizer=optimizer, param_name=param_name, save_history=save_history)
        if joined:
            self._target_index = schedulers[0].param_group_index
        self._scheduler_index = 0
        self._setup_scheduler()
        self._state_attrs += ["_current_duration", "durations", "_scheduler_index"]

    @property
    def param_group_index(self) -> int | None:
        return None  # as in ignite: a ConcatScheduler has no index of its own; its parts do

    @param_group_index.setter
    def param_group_index(self, value: int | None) -> None:
        pass

    @property
    def schedule(self) -> Schedule:
        if self._joined is None:
            raise TypeError("this ConcatScheduler has parts that are not pure schedules")
        return self._joined

    # -- stepping -------------------------------------------------------------------------------

    def _setup_scheduler(self) -> None:
        self._current_scheduler = self.schedulers[self._scheduler_index]
        self._current_duration = (
            self.durations[self._scheduler_index] if self._scheduler_index < len(self.durations) else -1
        )

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        while self._current_duration == 0:  # ignite skips only one part; a zero-length part is skipped too
            self._scheduler_index += 1
            self._setup_scheduler()
        self._current_scheduler(engine, name)
        self._current_duration -= 1
        self._position += 1

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
    def save_history(self) -> bool:
        return self._save_history

    @save_history.setter
    def save_history(self, value: bool) -> None:
        self._save_history = value
        for s in getattr(self, "schedulers", ()):
            s.save_history = value

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

    def _state_at(self, position: int) -> dict[str, Any]:
        state = super()._state_at(position)
        index, remaining = self._segment_at(position)
        state["event_index"] = 0
        state["_current_duration"] = remaining
        state["_scheduler_index"] = index
        state["durations"] = copy.copy(self.durations)
        state["schedulers"] = [
            s._state_at(p) for s, p in zip(self.schedulers, self._part_positions(position), strict=True)
        ]
        return state

    def _position_from_state(self, state_dict: Mapping[str, Any]) -> int:
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
        require_mapping(state_dict)
        require_keys(state_dict, ["schedulers"], public_name(self))
        states = state_dict["schedulers"]
        if not isinstance(states, Sequence) or len(states) != len(self.schedulers):
            count = len(states) if isinstance(states, Sequence) else type(states).__name__
            raise StateDictError(
                f"Input state_dict contains {count} state_dicts of concatenated schedulers, "
                f"but {len(self.schedulers)} needed"
            )
        if self._joined is not None:
            super().load_state_dict(state_dict)
            return
        self._load_delegated(state_dict, states)

    def _load_delegated(self, state_dict: Mapping[str, Any], states: Sequence[Any]) -> None:
        require_keys(state_dict, self._state_attrs, public_name(self))
        index = require_event_index(state_dict["_scheduler_index"], "_scheduler_index", public_name(self))
        if index >= len(self.schedulers):
            raise StateDictError(f"ConcatScheduler.load_state_dict: '_scheduler_index' {index} is out of range")
        backups = [s.state_dict() for s in self.schedulers]
        try:
            for s, sd in zip(self.schedulers, states, strict=True):
                s.load_state_dict(sd)
        except Exception:
            for s, sd in zip(self.schedulers, backups, strict=True):
                s.load_state_dict(sd)
            raise
        self._scheduler_index = index
        self._current_duration = int(state_dict["_current_duration"])
        self._save_history = bool(state_dict["save_history"])
        self._current_scheduler = self.schedulers[index]

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


class _JoinedConcatScheduler(ConcatScheduler):
    """A ConcatScheduler whose parts are all pure: it steps as one schedule-backed scheduler."""

    __call__ = _Scheduled.__call__


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
        engine.add_event_handler(_default_event("ITERATION_STARTED") if event is None else event, self)

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
        require_mapping(state_dict)
        require_keys(state_dict, ["schedulers"], public_name(self))
        states = state_dict["schedulers"]
        if not isinstance(states, Sequence) or len(states) != len(self.schedulers):
            count = len(states) if isinstance(states, Sequence) else type(states).__name__
            raise StateDictError(
                f"Input state_dict contains {count} state_dicts of param group schedulers, "
                f"but {len(self.schedulers)} needed"
            )
        for required, entry in zip(self.names, states, strict=True):
            if not isinstance(entry, Sequence) or len(entry) != 2:
                raise StateDictError("ParamGroupScheduler.load_state_dict: each entry should be (name, state_dict)")
            if entry[0] != required:
                raise StateDictError(
                    f"Name of scheduler from input state dict does not correspond to required one, "
                    f"{entry[0]} vs {required}"
                )
        backups = [s.state_dict() for s in self.schedulers]
        try:
            for s, (_, sd) in zip(self.schedulers, states, strict=True):
                s.load_state_dict(sd)
        except Exception:
            for s, sd in zip(self.schedulers, backups, strict=True):
                s.load_state_dict(sd)
            raise

    @classmethod
    def simulate_values(cls, num_events: int, schedulers: list[Any], **kwargs: Any) -> list[list[Any]]:
        """Rows `[event, value of each scheduler ...]`; the given schedulers are left untouched."""
        if all(isinstance(s, _Scheduled) for s in schedulers):
            columns = [s.evaluate(num_events, start=s._position).tolist() for s in schedulers]
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
