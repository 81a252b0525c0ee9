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
from copy import copy, deepcopy
from operator import length_hint
from typing import TYPE_CHECKING, Any, ClassVar, Protocol, Self

import numpy as np

from ._exceptions import LimitError, StateDictError
from ._keys import read_param, write_element
from ._limits import MAX_EVENTS, MAX_EVENTS_TEXT
from ._schedules import Schedule, evaluate, finite_values

if TYPE_CHECKING:
    from ._clocks import ClockCounter, StridedValues

__all__ = ["BaseParamScheduler", "CurveScheduler", "ParamScheduler", "ScheduleBacked"]

STATE_FORMAT_VERSION = 1


def default_event(name: str) -> Any:
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


def record_history(engine: Any, name: str, values: list[Any]) -> None:
    state = engine.state
    if getattr(state, "param_history", None) is None:
        state.param_history = {}
    state.param_history.setdefault(name, []).append(values)


def plain(value: Any) -> Any:
    """A value as it is kept in history: a tensor lr becomes its float."""
    if value.__class__ is float or not hasattr(value, "item"):
        return value
    return value.item()


def assign(group: dict[str, Any], key: str, value: Any) -> None:
    """Write `value` into a param group; a tensor entry is updated in place (no torch.compile recompiles).
    A key naming one element of a tuple entry (`"betas[0]"`) replaces that element (paramsched._keys)."""
    current = group.get(key)
    if current is None and key.endswith("]") and write_element(group, key, value):
        return
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
    """Every key present, or a StateDictError in ignite's words (code that matches them keeps working)."""
    missing = [key for key in keys if key not in state_dict]
    if missing:
        others = f"; also absent: {', '.join(map(repr, missing[1:]))}" if len(missing) > 1 else ""
        raise StateDictError(
            f"{owner}.load_state_dict: Required state attribute {missing[0]!r} is absent in provided "
            f"state_dict (it has {sorted(map(str, state_dict))}){others}"
        )


def load_all(targets: Sequence[Any], states: Sequence[Mapping[str, Any]]) -> None:
    """Load `states[i]` into `targets[i]` for every i, all or nothing: if any target refuses its state,
    every target is restored to the state it had (a copy taken first) and the error is raised.

    The one load of a group of states: the parts of a ConcatScheduler or ParamGroupScheduler, the
    schedulers of a config, the torch scheduler a family member wraps."""
    backups = [deepcopy(target.state_dict()) for target in targets]
    try:
        for target, state in zip(targets, states, strict=True):
            target.load_state_dict(state)
    except Exception:
        for target, backup in zip(targets, backups, strict=True):
            target.load_state_dict(backup)
        raise


def require_event_index(value: Any, key: str, owner: str) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise StateDictError(f"{owner}.load_state_dict: '{key}' should be an integer, but given {value!r}")
    if value < 0:
        raise StateDictError(f"{owner}.load_state_dict: '{key}' should not be negative, but given {value}")
    return int(value)


class PlanPolicy(Protocol):
    """What a compiled scheduler does with a state saved under another plan (see paramsched._resume):
    `position_of` refuses it (resume="strict") or gives the saved position to continue from."""

    def position_of(self, owner: str, source: str, state_dict: Mapping[str, Any]) -> int: ...

    def replanned(self, owner: str, source: str, state_dict: Mapping[str, Any], position: int) -> None: ...


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
        for part in self.parts:
            part.save_history = value

    @property
    def parts(self) -> Sequence[Any]:
        """The schedulers this one is made of (a ConcatScheduler's); they follow its `save_history`."""
        return ()

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
        nested = [
            name
            for name in self._state_attrs
            if isinstance(state_dict[name], Mapping) and hasattr(getattr(self, name), "load_state_dict")
        ]
        load_all([getattr(self, name) for name in nested], [state_dict[name] for name in nested])
        for name in self._state_attrs:
            if name not in nested:
                setattr(self, name, state_dict[name])

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
            "This method requires matplotlib to be installed: pip install 'paramsched[plot]' "
            "(or pip install matplotlib)"
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
            flat.append(float(plain(value)))
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
        engine.add_event_handler(default_event("ITERATION_STARTED") if event is None else event, self)

    def step(self) -> None:
        """Write the current event's value and advance: for loops without an Engine."""
        self(None)

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        value = self._get_param()
        groups = self.optimizer_param_groups
        key = self.param_name
        if isinstance(value, list):
            if len(value) != len(groups):
                raise ValueError(
                    f"{public_name(self)}: size of value is different than optimizer_param_groups "
                    f"({len(value)} values for {len(groups)} param groups)"
                )
            for group, item in zip(groups, value, strict=True):
                assign(group, key, item)
        else:
            for group in groups:
                assign(group, key, value)
        if self.save_history and engine:
            record_history(engine, key if name is None else name, [plain(read_param(g, key)) for g in groups])
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


class ScheduleBacked(ParamScheduler):
    """A ParamScheduler whose values are a pure schedule of its position; served from numpy blocks.

    The position (events served so far) is the whole mutable state: ignite's state_dict attributes
    are derived from it (`attributes_at`), and loading a state recomputes them from the position it
    implies (`position_from_state`) and refuses the state unless every attribute matches (another
    configuration's state).

    Values come in blocks of 64 events doubling up to 4,096: one vectorised evaluation per block, so
    a call costs one `next()` on the block's iterator and the writes into the param groups.
    """

    _MAX_BLOCK: ClassVar[int] = 4096
    # set by ParamScheduler's __init__ (its event_index and param_group_index go through move_to and
    # the setter below); the rest until first used
    _block: list[float]  # values of events _block_start, _block_start + 1, ...
    _block_start: int
    _upcoming: Iterator[float]  # the block's values not yet served
    _target_index: int | None
    _block_size = 64
    _source_text: str | None = None
    _render_source: Callable[[], str] | None = None
    _clock: ClockCounter | None = None  # None: the step clock (one event per call)
    _clock_values: StridedValues | None = None
    _plan_policy: PlanPolicy | None = None
    _scale_key: str | None = None

    # -- the pure view --------------------------------------------------------------------------

    @classmethod
    def over(
        cls,
        schedule: Schedule,
        optimizer: Any,
        param_name: str,
        *,
        save_history: bool = False,
        param_group_index: int | None = None,
    ) -> Self:
        """The scheduler of this class that views `schedule`, built from it (no argument is re-checked
        or recomputed): how `paramsched.compile` builds the scheduler of a resolved schedule."""
        scheduler = cls.__new__(cls)
        ParamScheduler.__init__(scheduler, optimizer, param_name, save_history, param_group_index)
        scheduler.follow(schedule)
        return scheduler

    @abstractmethod
    def follow(self, schedule: Schedule) -> None:
        """Take `schedule` as the one this scheduler follows (once, as it is built)."""

    @property
    @abstractmethod
    def schedule(self) -> Schedule:
        """The pure schedule this scheduler follows from its construction."""

    @property
    def is_pure(self) -> bool:
        """Whether `schedule` exists: every value is the pure schedule at the position."""
        return True

    def delegate(self, engine: Any | None, name: str | None) -> None:
        """Serve an event without a pure schedule: what a scheduler that is not pure does instead."""
        raise TypeError(f"{public_name(self)} has no pure schedule to serve values from")

    def evaluate(self, num_events: int, start: int = 0) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Values for events start .. start+num_events-1, without touching any state."""
        return evaluate(self.schedule, num_events, start, self.describe())

    def record_source(self, render: Callable[[], str]) -> None:
        """Record the schedule this scheduler was compiled from: `render()` gives its canonical text
        (called on first use, so that compiling stays cheap). The state then holds that text."""
        self._render_source = render
        self._source_text = None

    def scale_by(self, scale_key: str | None) -> None:
        """Write value · group.get(scale_key, 1) into each param group (timm's `lr_scale`: layer-wise lr
        decay with one schedule); `get_param`, `evaluate` and `simulate` stay the schedule's own values."""
        self._scale_key = scale_key

    def follow_plan_policy(self, policy: PlanPolicy) -> None:
        """What loading a state of another plan does (set by `compile` with its `resume` argument)."""
        self._plan_policy = policy

    def is_other_plan(self, state_dict: Mapping[str, Any]) -> bool:
        """Whether `state_dict` was saved under another plan that this scheduler's policy decides on."""
        return (
            self._plan_policy is not None
            and self.source is not None
            and "schedule" in state_dict
            and not _same(state_dict["schedule"], self.source)
        )

    @property
    def source(self) -> str | None:
        """The canonical text of the schedule this scheduler was compiled from (None if built directly)."""
        if self._source_text is None and self._render_source is not None:
            self._source_text = self._render_source()
        return self._source_text

    def describe(self) -> str:
        """How messages name this scheduler: its schedule's text, or its class."""
        return f"schedule '{self.source}'" if self.source else public_name(self)

    # -- stepping -------------------------------------------------------------------------------

    @property
    def event_index(self) -> int:
        return self.position

    @event_index.setter
    def event_index(self, value: int) -> None:
        self.move_to(int(value))

    @property
    def position(self) -> int:
        """Events served so far: the whole mutable state (derived from the block's iterator)."""
        return self._block_start + len(self._block) - length_hint(self._upcoming)

    @position.setter
    def position(self, position: int) -> None:
        self.move_to(position)

    def run_on_clock(self, counter: ClockCounter) -> None:
        """Step on `counter`'s clock (tokens or samples): each call writes f(position), the schedule at the
        tokens seen before the step it is for, then moves the position by that step's count (or to the
        clock source's reading). Values come from StridedValues blocks, not the event block."""
        from ._clocks import StridedValues

        self._clock = counter
        self._clock_values = StridedValues(self.schedule, self.describe())
        self.move_to(self.position)

    @property
    def clock(self) -> str:
        """The clock this scheduler's position counts: "steps", "tokens" or "samples"."""
        return "steps" if self._clock is None else self._clock.clock

    def step(self, *, tokens: int | None = None, samples: int | None = None) -> None:
        """Write the current value and advance: for loops without an Engine.

        On a token (sample) clock, call it before the step with `tokens=n` (`samples=n`), the count that step
        consumes: it writes f(tokens seen so far) and advances by n. With a `clock_source`, call it bare: the
        source's reading is the position."""
        if self._clock is None:
            if tokens is not None or samples is not None:
                from ._clocks import ClockCounter

                ClockCounter("steps", None).count(tokens, samples)  # raises: the step clock takes no count
            self(None)
        else:
            self._clocked_call(None, None, self._clock.fast_count(tokens, samples))

    def _write_groups(self, groups: Sequence[dict[str, Any]], key: str, value: float) -> None:
        """`value` into each group's `key`, times the group's own `scale_key` entry when there is one
        (timm's `lr_scale`; a missing entry is 1). The step clock's `__call__` inlines the unscaled case."""
        scale_key = self._scale_key
        for group in groups:
            if scale_key is not None:
                assign(group, key, value * plain(group.get(scale_key, 1.0)))
            elif type(group.get(key)) is float:
                group[key] = value
            else:
                assign(group, key, value)

    def _clocked_call(self, engine: Any | None, name: str | None, count: int | None) -> None:
        """One event on a token or sample clock: f(position) written, then position + count (or, with a
        clock source, the position is its reading)."""
        assert self._clock is not None and self._clock_values is not None
        position = self._clock.read_source() if count is None else self.position
        value = self._clock_values.at(position)
        moved = position if count is None else position + count
        if moved > MAX_EVENTS:  # refused before anything is written
            raise LimitError(f"the {self.clock} clock reached {moved}, more than the limit of {MAX_EVENTS_TEXT}")
        key = self.param_name
        groups = self.optimizer.param_groups
        if self._target_index is not None:
            groups = [groups[self._target_index]]
        self._write_groups(groups, key, value)
        if self._save_history and engine:
            record_history(engine, key if name is None else name, [plain(read_param(g, key)) for g in groups])
        self.move_to(moved)

    def move_to(self, position: int) -> None:
        """Jump to `position`; the block is dropped and recomputed from there on the next event."""
        self._block = []
        self._block_start = position
        self._upcoming = iter(self._block)

    def _refill(self) -> float:
        """Compute the next block from the current position and serve its first value (a block stops
        before a non-finite value, which raises once it is the next event)."""
        start = self._block_start + len(self._block)
        events = np.arange(start, start + self._block_size, dtype=np.int64)
        self._block = finite_values(self.schedule, events, self.describe(), prefix=True).tolist()
        self._block_start = start
        self._upcoming = iter(self._block)
        self._block_size = min(self._block_size * 2, self._MAX_BLOCK)
        return next(self._upcoming)

    def get_param(self) -> float:
        """The value the next call writes (nothing is consumed)."""
        if self._clock_values is not None:
            return self._clock_values.at(self.position)
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

    def write_to_group(self, index: int | None) -> None:
        """Write into param group `index` only (None: all), whatever `param_group_index` reads."""
        self._target_index = index

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        # the hot path: the next value of the block; everything else happens once per block
        try:
            value = next(self._upcoming)
        except StopIteration:
            if self._clock is not None:  # a clocked scheduler's event block stays empty
                self._clocked_call(engine, name, self._clock.count(None, None))
                return
            if not self.is_pure:
                self.delegate(engine, name)
                return
            value = self._refill()
        key = self.param_name
        groups = self.optimizer.param_groups
        if self._target_index is not None:
            groups = [groups[self._target_index]]
        if self._scale_key is not None:
            self._write_groups(groups, key, value)
        else:  # the step clock's hot path: `_write_groups` inlined
            for group in groups:
                if type(group.get(key)) is float:
                    group[key] = value
                else:
                    assign(group, key, value)
        if self._save_history and engine:
            record_history(engine, key if name is None else name, [plain(read_param(g, key)) for g in groups])

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        """Rows `[event, value]` computed in one vectorised pass; no optimizer is built or touched."""
        kwargs = {k: v for k, v in scheduler_kwargs.items() if k not in ("optimizer", "save_history")}
        scheduler = cls(optimizer=_ValuesOnly(str(kwargs.get("param_name", "lr"))), **kwargs)
        values = scheduler.evaluate(num_events)
        return numbered_rows(values.tolist())

    # -- state ----------------------------------------------------------------------------------

    def attributes_at(self, position: int) -> dict[str, Any]:
        """ignite's state attributes as they stand after `position` events."""
        return {"event_index": position}

    def position_from_state(self, state_dict: Mapping[str, Any]) -> int:
        """The position a state (already checked to have every key) stands for."""
        return require_event_index(state_dict["event_index"], "event_index", public_name(self))

    def state_at(self, position: int) -> dict[str, Any]:
        """The state this scheduler would have after `position` events."""
        derived = self.attributes_at(position)
        state: dict[str, Any] = OrderedDict()
        for name in self._state_attrs:
            if name in derived:
                state[name] = derived[name]
            else:
                state[name] = copy(getattr(self, name))
        if self.source is not None:
            state["schedule"] = self.source
            state["paramsched_format"] = STATE_FORMAT_VERSION
        return state

    def state_dict(self) -> dict[str, Any]:
        return self.state_at(self.position)

    def check_state(self, state_dict: Mapping[str, Any]) -> int:
        """The position a state stands for, after checking it belongs to this scheduler (nothing changes)."""
        owner = public_name(self)
        require_mapping(state_dict)
        if self.is_other_plan(state_dict):
            assert self._plan_policy is not None and self.source is not None
            return self._plan_policy.position_of(owner, self.source, state_dict)
        keys = list(self._state_attrs)
        if self.source is not None:
            keys += ["paramsched_format", "schedule"]
            version = state_dict.get("paramsched_format")
            if isinstance(version, int) and version > STATE_FORMAT_VERSION:
                raise StateDictError(
                    f"{owner}.load_state_dict: the state was saved in format {version}, newer than this "
                    f"paramsched reads ({STATE_FORMAT_VERSION}); upgrade paramsched"
                )
        require_keys(state_dict, keys, owner)
        position = self.position_from_state(state_dict)
        if position > MAX_EVENTS:
            raise StateDictError(f"{owner}.load_state_dict: position {position} is out of range")
        expected = self.state_at(position)
        if self.source is not None and not _same(state_dict["schedule"], self.source):
            raise StateDictError(
                f"{owner}.load_state_dict: the state belongs to schedule {state_dict['schedule']!r}, "
                f"but this scheduler runs {self.source!r}"
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
        position = self.check_state(state_dict)
        other_plan = self.is_other_plan(state_dict)
        self.move_to(position)
        self._save_history = state_dict["save_history"]
        if other_plan and self._plan_policy is not None and self.source is not None:
            self._plan_policy.replanned(public_name(self), self.source, state_dict, position)


class CurveScheduler(ScheduleBacked):
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
        super().__init__(optimizer, param_name, save_history, param_group_index)
        self.follow(schedule)

    def follow(self, schedule: Schedule) -> None:
        self._curve = schedule

    @property
    def schedule(self) -> Schedule:
        return self._curve
