"""The root of the scheduler family: ignite's BaseParamScheduler and ParamScheduler, and the
schedule-backed scheduler that serves its values from vectorised blocks.

The family keeps pytorch-ignite 0.5.5's constructor signatures, value sequences and state_dict
keys, so that `from paramsched import X` can replace `from ignite.handlers import X`.
"""

from __future__ import annotations

import gc
import numbers
import sys
from abc import ABCMeta, abstractmethod
from collections import OrderedDict
from collections.abc import Callable, Iterator, Mapping, Sequence
from copy import copy
from operator import length_hint
from typing import Any, ClassVar

import numpy as np

from ._exceptions import NonFiniteValueError, StateDictError
from ._schedules import Schedule, first_non_finite

__all__ = ["BaseParamScheduler", "CurveScheduler", "ParamScheduler"]

STATE_FORMAT_VERSION = 1


def _default_event(name: str) -> Any:
    """ignite's `Events.<name>`, imported only when a default event is needed."""
    try:
        from ignite.engine import Events
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError(
            "attach() without an event needs pytorch-ignite: pip install pytorch-ignite (or pass the event explicitly)"
        ) from error
    return getattr(Events, name)


def numbered_rows(values: list[float]) -> list[list[Any]]:
    """ignite's `[[event, value], ...]` rows. The collector is paused meanwhile: the rows hold no cycles,
    and its passes over hundreds of thousands of fresh lists would double the cost."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return list(map(list, enumerate(values)))
    finally:
        if enabled:
            gc.enable()


def public_name(obj: object) -> str:
    """The name of the first public class of `obj` (a private specialisation reads as its public parent)."""
    return next(cls.__name__ for cls in type(obj).__mro__ if not cls.__name__.startswith("_"))


def _record_history(engine: Any, name: str, values: list[Any]) -> None:
    state = engine.state
    if getattr(state, "param_history", None) is None:
        state.param_history = {}
    state.param_history.setdefault(name, []).append(values)


def _plain(value: Any) -> Any:
    """A value as it is kept in history: a tensor lr becomes its float."""
    if value.__class__ is float or not hasattr(value, "item"):
        return value
    return value.item()


def _assign(group: dict[str, Any], key: str, value: Any) -> None:
    """Write `value` into a param group; a tensor entry is updated in place (no torch.compile recompiles)."""
    current = group.get(key)
    if current is not None and hasattr(current, "fill_") and hasattr(current, "dim"):
        import torch

        with torch.no_grad():
            if isinstance(value, torch.Tensor):
                current.copy_(value)
            else:
                current.fill_(value)
    else:
        group[key] = value


class _ValuesOnly:
    """Stands in for an optimizer where only values are computed (never a torch object)."""

    def __init__(self, param_name: str, groups: int = 1) -> None:
        self.param_groups: list[dict[str, Any]] = [{param_name: 0.0} for _ in range(groups)]


def _same(a: Any, b: Any) -> bool:
    """Equality of state values, treating tuples and lists alike (JSON and torch.load differ there)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return a is b
    if isinstance(a, float) or isinstance(b, float):
        return isinstance(a, numbers.Real) and isinstance(b, numbers.Real) and float(a) == float(b)
    return type(a) is type(b) and bool(a == b)


def require_mapping(state_dict: Any) -> Mapping[str, Any]:
    if not isinstance(state_dict, Mapping):
        raise TypeError(f"Argument state_dict should be a dictionary, but given {type(state_dict)}")
    return state_dict


def require_keys(state_dict: Mapping[str, Any], keys: Sequence[str], owner: str) -> None:
    missing = [key for key in keys if key not in state_dict]
    if missing:
        raise StateDictError(
            f"{owner}.load_state_dict: required state attribute(s) {', '.join(map(repr, missing))} "
            f"absent from the given state_dict (it has {sorted(map(str, state_dict))})"
        )


def require_event_index(value: Any, key: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise StateDictError(f"{owner}.load_state_dict: '{key}' should be an integer, but given {value!r}")
    if value < 0:
        raise StateDictError(f"{owner}.load_state_dict: '{key}' should not be negative, but given {value}")
    return int(value)


class BaseParamScheduler(metaclass=ABCMeta):
    """ignite's BaseParamScheduler: a named parameter, an event index, optional history."""

    def __init__(self, param_name: str, save_history: bool = False):
        self.param_name = param_name
        self.event_index = 0
        self._save_history = save_history
        self._state_attrs = ["event_index", "param_name", "save_history"]

    @property
    def save_history(self) -> bool:
        return self._save_history

    @save_history.setter
    def save_history(self, value: bool) -> None:
        self._save_history = value

    def state_dict(self) -> dict[str, Any]:
        """The scheduler's state: plain Python values (safe for `torch.load(weights_only=True)`)."""
        destination: dict[str, Any] = OrderedDict()
        for name in self._state_attrs:
            if hasattr(self, name):
                value = getattr(self, name)
                if hasattr(value, "state_dict"):
                    value = value.state_dict()
                destination[name] = copy(value)
        return destination

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state; checks every key before changing anything."""
        require_mapping(state_dict)
        require_keys(state_dict, self._state_attrs, public_name(self))
        if "event_index" in state_dict:
            require_event_index(state_dict["event_index"], "event_index", public_name(self))
        for name in self._state_attrs:
            value = state_dict[name]
            target = getattr(self, name)
            if isinstance(value, Mapping) and hasattr(target, "load_state_dict"):
                target.load_state_dict(value)
            else:
                setattr(self, name, value)

    @abstractmethod
    def get_param(self) -> list[float] | float:
        """The value for the current event."""

    @classmethod
    @abstractmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        """Rows `[event_index, value, ...]` of a fresh scheduler built from `scheduler_kwargs`."""

    @classmethod
    def plot_values(cls, num_events: int, **scheduler_kwargs: Any) -> Any:
        """Plot `simulate_values` with matplotlib; rows with one value per param group draw a line each."""
        return plot_rows(
            cls.simulate_values(num_events=num_events, **scheduler_kwargs),
            str(scheduler_kwargs.get("param_name", "learning rate")),
        )


def plot_rows(rows: list[list[Any]], label: str) -> Any:
    try:
        import matplotlib.pyplot as plt
    except ImportError as error:
        raise ModuleNotFoundError(
            "plot_values needs matplotlib: pip install 'paramsched[plot]' (or pip install matplotlib)"
        ) from error
    events = [row[0] for row in rows]
    columns = [list(column) for column in zip(*(_flatten(row[1:]) for row in rows), strict=True)]
    lines = []
    for index, column in enumerate(columns):
        name = label if len(columns) == 1 else f"{label} [{index}]"
        lines.extend(plt.plot(events, column, label=name))
    plt.legend()
    plt.grid(which="both")
    return lines


def _flatten(values: Sequence[Any]) -> list[float]:
    flat: list[float] = []
    for value in values:
        if isinstance(value, (list, tuple)):
            flat.extend(_flatten(value))
        else:
            flat.append(float(_plain(value)))
    return flat


class ParamScheduler(BaseParamScheduler):
    """ignite's ParamScheduler: writes the value of each event into an optimizer's param groups.

    `optimizer` is a torch optimizer or any object whose `param_groups` is a sequence of dicts.
    Subclasses implement `get_param()` from `self.event_index`, as in ignite.
    """

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        super().__init__(param_name, save_history)
        if not _has_param_groups(optimizer):
            raise TypeError(
                "Argument optimizer should be torch.optim.Optimizer or have an attribute 'param_groups' "
                f"that is a list/tuple, but given {type(optimizer)}"
            )
        self.optimizer = optimizer
        self.param_group_index = param_group_index
        self._state_attrs += ["param_group_index"]

    def attach(self, engine: Any, event: Any = None) -> None:
        """Call this scheduler on `event` of an ignite Engine (default: ITERATION_STARTED)."""
        engine.add_event_handler(_default_event("ITERATION_STARTED") if event is None else event, self)

    def step(self) -> None:
        """Write the current event's value and advance: for loops without an Engine."""
        self(None)

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        value = self._get_param()
        groups = self.optimizer_param_groups
        key = self.param_name
        if isinstance(value, list):
            if len(value) != len(groups):
                raise ValueError(f"{public_name(self)}: got {len(value)} values for {len(groups)} param groups")
            for group, item in zip(groups, value, strict=True):
                _assign(group, key, item)
        else:
            for group in groups:
                _assign(group, key, value)
        if self.save_history and engine:
            _record_history(engine, key if name is None else name, [_plain(g[key]) for g in groups])
        self.event_index += 1

    @property
    def optimizer_param_groups(self) -> list[dict[str, Any]]:
        groups: list[dict[str, Any]] = self.optimizer.param_groups
        if self.param_group_index is None:
            return groups
        return [groups[self.param_group_index]]

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        """Values of a fresh scheduler over `num_events`, computed on a stand-in, never the caller's optimizer."""
        kwargs = {k: v for k, v in scheduler_kwargs.items() if k not in ("optimizer", "save_history")}
        param_name = kwargs.get("param_name", "lr")
        groups = kwargs.get("param_group_index")
        stand_in = _ValuesOnly(param_name, 1 if groups is None else groups + 1)
        scheduler = cls(optimizer=stand_in, save_history=False, **kwargs)
        rows: list[list[Any]] = []
        for index in range(num_events):
            scheduler(None)
            rows.append([index, scheduler.optimizer_param_groups[0][scheduler.param_name]])
        return rows

    def _get_param(self) -> list[float] | float:
        return self.get_param()


def _has_param_groups(optimizer: Any) -> bool:
    if type(getattr(optimizer, "param_groups", None)) is list:  # torch's optimizers, and most stand-ins
        return True
    if "torch" in sys.modules:
        import torch

        if isinstance(optimizer, torch.optim.Optimizer):
            return True
    return isinstance(getattr(optimizer, "param_groups", None), Sequence)


class _Scheduled(ParamScheduler):
    """A ParamScheduler whose values are a pure schedule of its position; served from numpy blocks.

    The position (events served so far) is the whole mutable state: ignite's state_dict attributes
    are derived from it, and loading a state recomputes them from the position it implies and
    refuses the state unless every attribute matches (another configuration's state).
    """

    _MAX_BLOCK: ClassVar[int] = 4096

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        self._block: list[float] = []  # values of events _block_start, _block_start + 1, ...
        self._block_start = 0
        self._upcoming: Iterator[float] = iter(self._block)  # the block's values not yet served
        self._block_size = 64
        self._source_text: str | None = None
        self._describe_source: Callable[[], str] | None = None
        self._target_index: int | None = param_group_index
        super().__init__(optimizer, param_name, save_history, param_group_index)

    # -- the pure view --------------------------------------------------------------------------

    @property
    @abstractmethod
    def schedule(self) -> Schedule:
        """The pure schedule this scheduler follows from its construction."""

    def evaluate(self, num_events: int, start: int = 0) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Values for events start .. start+num_events-1, without touching any state."""
        events = np.arange(start, start + num_events, dtype=np.int64)
        with np.errstate(all="ignore"):  # a non-finite value is reported below, with its event
            result = self.schedule.values(events)
        bad = first_non_finite(result)
        if bad is not None:
            raise NonFiniteValueError(
                f"{self._describe()} gives a non-finite value ({result[bad]}) at event {start + bad}"
            )
        return result

    @property
    def _source(self) -> str | None:
        """The canonical text of the schedule this scheduler was compiled from (None if built directly);
        rendered on first use, so compiling stays cheap."""
        if self._source_text is None and self._describe_source is not None:
            self._source_text = self._describe_source()
        return self._source_text

    @_source.setter
    def _source(self, text: str | None) -> None:
        self._source_text = text

    def _describe(self) -> str:
        return f"schedule '{self._source}'" if self._source else public_name(self)

    # -- stepping -------------------------------------------------------------------------------

    @property
    def event_index(self) -> int:
        return self._position

    @event_index.setter
    def event_index(self, value: int) -> None:
        self._move_to(int(value))

    @property
    def _position(self) -> int:
        """Events served so far: the whole mutable state (derived from the block's iterator)."""
        return self._block_start + len(self._block) - length_hint(self._upcoming)

    @_position.setter
    def _position(self, position: int) -> None:
        self._move_to(position)

    def _move_to(self, position: int) -> None:
        """Jump to `position`; the block is dropped and recomputed from there on the next event."""
        self._block = []
        self._block_start = position
        self._upcoming = iter(self._block)

    def _refill(self) -> float:
        """Compute the next block from the current position and serve its first value."""
        start = self._block_start + len(self._block)
        events = np.arange(start, start + self._block_size, dtype=np.int64)
        with np.errstate(all="ignore"):  # a non-finite value is reported below, with its event
            values = self.schedule.values(events)
        bad = first_non_finite(values)
        if bad is not None:
            if bad == 0:
                raise NonFiniteValueError(
                    f"{self._describe()} gives a non-finite value ({values[0]}) at event {start}; "
                    "nothing was written to the optimizer"
                )
            values = values[:bad]
        self._block = values.tolist()
        self._block_start = start
        self._upcoming = iter(self._block)
        self._block_size = min(self._block_size * 2, self._MAX_BLOCK)
        return next(self._upcoming)

    def get_param(self) -> float:
        """The value the next call writes (nothing is consumed)."""
        served = len(self._block) - length_hint(self._upcoming)
        if served < len(self._block):
            return self._block[served]
        value = self._refill()
        self._upcoming = iter(self._block)  # put the first value back
        return value

    @property
    def param_group_index(self) -> int | None:
        return self._target_index

    @param_group_index.setter
    def param_group_index(self, value: int | None) -> None:
        self._target_index = value

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        # the hot path: the next value of the block; everything else happens once per block
        try:
            value = next(self._upcoming)
        except StopIteration:
            value = self._refill()
        key = self.param_name
        groups = self.optimizer.param_groups
        if self._target_index is not None:
            groups = [groups[self._target_index]]
        for group in groups:
            if type(group.get(key)) is float:
                group[key] = value
            else:
                _assign(group, key, value)
        if self._save_history and engine:
            _record_history(engine, key if name is None else name, [_plain(g[key]) for g in groups])

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        """Rows `[event, value]` computed in one vectorised pass; no optimizer is built or touched."""
        kwargs = {k: v for k, v in scheduler_kwargs.items() if k not in ("optimizer", "save_history")}
        scheduler = cls(optimizer=_ValuesOnly(str(kwargs.get("param_name", "lr"))), **kwargs)
        values = scheduler.evaluate(num_events)
        return numbered_rows(values.tolist())

    # -- state ----------------------------------------------------------------------------------

    def _attributes_at(self, position: int) -> dict[str, Any]:
        """ignite's state attributes as they stand after `position` events."""
        return {"event_index": position}

    def _position_from_state(self, state_dict: Mapping[str, Any]) -> int:
        return require_event_index(state_dict["event_index"], "event_index", public_name(self))

    def _state_at(self, position: int) -> dict[str, Any]:
        derived = self._attributes_at(position)
        state: dict[str, Any] = OrderedDict()
        for name in self._state_attrs:
            if name in derived:
                state[name] = derived[name]
            else:
                state[name] = copy(getattr(self, name))
        if self._source is not None:
            state["schedule"] = self._source
            state["paramsched_format"] = STATE_FORMAT_VERSION
        return state

    def state_dict(self) -> dict[str, Any]:
        return self._state_at(self._position)

    def _check_state(self, state_dict: Mapping[str, Any]) -> int:
        """The position a state stands for, after checking it belongs to this scheduler."""
        owner = public_name(self)
        require_mapping(state_dict)
        keys = list(self._state_attrs)
        if self._source is not None:
            keys += ["paramsched_format", "schedule"]
            version = state_dict.get("paramsched_format")
            if isinstance(version, int) and version > STATE_FORMAT_VERSION:
                raise StateDictError(
                    f"{owner}.load_state_dict: the state was saved in format {version}, newer than this "
                    f"paramsched reads ({STATE_FORMAT_VERSION}); upgrade paramsched"
                )
        require_keys(state_dict, keys, owner)
        position = self._position_from_state(state_dict)
        if position > 10**15:
            raise StateDictError(f"{owner}.load_state_dict: position {position} is out of range")
        expected = self._state_at(position)
        if self._source is not None and not _same(state_dict["schedule"], self._source):
            raise StateDictError(
                f"{owner}.load_state_dict: the state belongs to schedule {state_dict['schedule']!r}, "
                f"but this scheduler runs {self._source!r}"
            )
        for key, value in expected.items():
            if key not in state_dict:
                raise StateDictError(f"{owner}.load_state_dict: required state attribute {key!r} is absent")
            if key == "save_history":
                if not isinstance(state_dict[key], bool):
                    raise StateDictError(f"{owner}.load_state_dict: 'save_history' should be a bool")
                continue
            if not _same(value, state_dict[key]):
                raise StateDictError(
                    f"{owner}.load_state_dict: the state belongs to another configuration: "
                    f"{key!r} is {state_dict[key]!r} in the state but {value!r} here"
                )
        return position

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state; a malformed or foreign one raises StateDictError and changes nothing."""
        position = self._check_state(state_dict)
        self._move_to(position)
        self._save_history = state_dict["save_history"]


class CurveScheduler(_Scheduled):
    """A ParamScheduler that follows any pure schedule (what `paramsched.compile` builds for forms
    with no ignite class of their own)."""

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        schedule: Schedule,
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        if not isinstance(schedule, Schedule):
            raise TypeError(f"Argument schedule should be a paramsched schedule, but given {type(schedule)}")
        self._curve = schedule
        super().__init__(optimizer, param_name, save_history, param_group_index)

    @property
    def schedule(self) -> Schedule:
        return self._curve
