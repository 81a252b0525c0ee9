"""ignite's cyclical schedulers and PiecewiseLinear, as views over pure schedules.

Each class is built either from ignite's arguments (checked as ignite checks them), or by `over(...)`
from a pure schedule that `paramsched.compile` has already resolved: the same object in both cases,
its values those of the pure schedule and its ignite state attributes derived from the position.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from ._base import ScheduleBacked, public_name, require_event_index
from ._exceptions import StateDictError
from ._limits import MAX_EVENTS
from ._schedules import SHAPES, Cyclic, Piecewise, Schedule, Shape

__all__ = ["CosineAnnealingScheduler", "CyclicalScheduler", "LinearCyclicalScheduler", "PiecewiseLinear"]


def _is_real(value: object) -> bool:
    """numbers.Real, with the common types first (ABC checks cost more than building a scheduler's state)."""
    return type(value) in (int, float) or isinstance(value, numbers.Real)


def _is_integral(value: object) -> bool:
    return type(value) is int or isinstance(value, numbers.Integral)


class CyclicalScheduler(ScheduleBacked):
    """ignite's CyclicalScheduler: cycles of `cycle_size` events, optionally growing, with multipliers
    and a warmup between cycles. `num_cycles` (a paramsched extension) stops after that many cycles
    and holds the final value; ignite's classes cycle forever.

    Cycle k+1 lasts int(size_k·cycle_mult) events; ignite crashes once `cycle_mult < 1` shrinks a
    cycle to 0 events, here a cycle never gets shorter than one event.
    """

    _shape_name: str  # the Cyclic shape this class computes
    _cyclic: Cyclic

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        start_value: float,
        end_value: float,
        cycle_size: int,
        cycle_mult: float = 1.0,
        start_value_mult: float = 1.0,
        end_value_mult: float = 1.0,
        warmup_duration: int = 0,
        save_history: bool = False,
        param_group_index: int | None = None,
        *,
        num_cycles: int | None = None,
    ):
        ScheduleBacked.__init__(self, optimizer, param_name, save_history, param_group_index)
        if not _is_real(cycle_size) or cycle_size < 2:
            raise ValueError(f"Argument cycle_size should be positive and larger than 1, but given {cycle_size}")
        if not _is_real(cycle_mult) or cycle_mult <= 0:
            raise ValueError(f"Argument cycle_mult should be a positive number, but given {cycle_mult}")
        if not _is_integral(warmup_duration) or warmup_duration < 0:
            raise ValueError(f"Argument warmup_duration should be a non-negative integer, but given {warmup_duration}")
        if num_cycles is not None and (not _is_integral(num_cycles) or num_cycles < 1):
            raise ValueError(f"Argument num_cycles should be a positive integer or None, but given {num_cycles}")
        times = None if num_cycles is None else int(num_cycles)
        body = Shape(self._shape_name, SHAPES[self._shape_name], start_value, end_value, int(cycle_size))
        self.follow(Cyclic(body, cycle_mult, start_value_mult, end_value_mult, int(warmup_duration), times))

    def follow(self, schedule: Schedule) -> None:
        """Follow `schedule`, a Cyclic of the shape this class computes whose first cycle lasts ≥ 2 events
        (`over` builds the view of a repeated shape that `paramsched.compile` returns this way)."""
        assert isinstance(schedule, Cyclic)
        cyclic = self._cyclic = schedule
        self.cycle_mult = cyclic.cycle_mult
        self.start_value_mult = cyclic.start_mult
        self.end_value_mult = cyclic.end_mult
        self.num_cycles = cyclic.times
        self._state_attrs += [
            "start_value",
            "end_value",
            "cycle_size",
            "cycle_mult",
            "cycle",
            "start_value_mult",
            "end_value_mult",
            "warmup_duration",
            "total_cycle_size",
        ]

    @property
    def schedule(self) -> Schedule:
        return self._cyclic

    # ignite's attributes, derived from the position --------------------------------------------

    def attributes_at(self, position: int) -> dict[str, Any]:
        cyclic = self._cyclic
        if position == 0:
            cycle, index, after_main = 0, 0, False
        else:
            cycles, in_cycle = cyclic.locate(np.array([position - 1], dtype=np.int64))
            cycle, last = int(cycles[0]), int(in_cycle[0])
            index = last + 1
            after_main = last >= cyclic.cycle_shape(cycle)[0]
        size, warmup = cyclic.cycle_shape(cycle)
        starts, ends = cyclic.multiplied_values(cycle + 1)
        return {
            "event_index": index,
            "cycle": cycle,
            "cycle_size": size,
            "warmup_duration": warmup,
            "total_cycle_size": size + warmup,
            "start_value": float(starts[cycle + 1] if after_main else starts[cycle]),
            "end_value": float(ends[cycle]),
        }

    def position_from_state(self, state_dict: Mapping[str, Any]) -> int:
        owner = public_name(self)
        cycle = require_event_index(state_dict["cycle"], "cycle", owner)
        index = require_event_index(state_dict["event_index"], "event_index", owner)
        if cycle > MAX_EVENTS or index > MAX_EVENTS:
            raise StateDictError(f"{owner}.load_state_dict: cycle {cycle} / event_index {index} out of range")
        try:
            return self._cyclic.cycle_start(cycle) + index
        except (ValueError, OverflowError) as error:
            raise StateDictError(f"{owner}.load_state_dict: cycle {cycle} is out of range") from error

    def _current(self, name: str) -> Any:
        return self.attributes_at(self.position)[name]

    @property
    def event_index(self) -> int:
        if not hasattr(self, "_cyclic"):  # BaseParamScheduler's __init__ sets it before the cycles exist
            return self.position
        return int(self._current("event_index"))

    @event_index.setter
    def event_index(self, value: int) -> None:
        if not hasattr(self, "_cyclic"):
            self.move_to(int(value))
        else:
            self.move_to(self._cyclic.cycle_start(int(self._current("cycle"))) + int(value))

    # read-only views of ignite's attributes: cycle, cycle_size, warmup_duration, total_cycle_size (ints),
    # start_value, end_value (floats)
    cycle = property(lambda self: int(self._current("cycle")))
    cycle_size = property(lambda self: int(self._current("cycle_size")))
    warmup_duration = property(lambda self: int(self._current("warmup_duration")))
    total_cycle_size = property(lambda self: int(self._current("total_cycle_size")))
    start_value = property(lambda self: float(self._current("start_value")))
    end_value = property(lambda self: float(self._current("end_value")))


class LinearCyclicalScheduler(CyclicalScheduler):
    """ignite's LinearCyclicalScheduler: a triangle start → end → start per cycle, or with
    `monotonic=True` a ramp start → end (which allows a warmup between cycles)."""

    def __init__(self, *args: Any, monotonic: bool = False, **kwargs: Any):
        self._shape_name = "linear" if monotonic else "triangle"
        super().__init__(*args, **kwargs)
        if self._cyclic.cycle_shape(0)[1] > 0 and not monotonic:
            raise ValueError(
                "Invalid combination when warmup_duration > 0 and monotonic=False, "
                "please use either set warmup_duration=0 or monotonic=True"
            )

    def follow(self, schedule: Schedule) -> None:
        self.monotonic = isinstance(schedule, Cyclic) and schedule.shape == "linear"
        super().follow(schedule)


class CosineAnnealingScheduler(CyclicalScheduler):
    """ignite's CosineAnnealingScheduler: half a cosine from start to end in each cycle (SGDR)."""

    _shape_name = "cosine"


def validate_milestones(milestones_values: Any) -> tuple[list[int], list[float]]:
    """ignite's checks on `milestones_values`, with its exception types."""
    if not isinstance(milestones_values, Sequence):
        raise TypeError(f"Argument milestones_values should be a list or tuple, but given {type(milestones_values)}")
    if len(milestones_values) < 1:
        raise ValueError(f"Argument milestones_values should be with at least one value, but given {milestones_values}")
    values: list[float] = []
    milestones: list[int] = []
    for pair in milestones_values:
        if not isinstance(pair, tuple) or len(pair) != 2:
            raise ValueError("Argument milestones_values should be a list of pairs (milestone, param_value)")
        if not isinstance(pair[0], numbers.Integral):
            raise TypeError(f"Value of a milestone should be integer, but given {type(pair[0])}")
        if len(milestones) > 0 and pair[0] < milestones[-1]:
            raise ValueError(
                f"Milestones should be increasing integers, but given {pair[0]} is smaller "
                f"than the previous milestone {milestones[-1]}"
            )
        milestones.append(int(pair[0]))
        values.append(pair[1])
    return milestones, values


def piecewise_index(milestones: Sequence[int], position: int) -> int:
    """ignite's `_index` after `position` events: the interval of the last event served inside."""
    if position == 0 or len(milestones) < 2:
        return 0
    last = min(position - 1, milestones[-1] - 1)
    if last < milestones[0]:
        return 0
    return int(np.searchsorted(np.asarray(milestones), last, side="right")) - 1


class PiecewiseLinear(ScheduleBacked):
    """ignite's PiecewiseLinear: the first value before the first milestone, linear between
    milestones, the last value after the last."""

    _piecewise: Piecewise

    def __init__(
        self,
        optimizer: Any,
        param_name: str,
        milestones_values: list[tuple[int, float]],
        save_history: bool = False,
        param_group_index: int | None = None,
    ):
        ScheduleBacked.__init__(self, optimizer, param_name, save_history, param_group_index)
        self.follow(Piecewise(*validate_milestones(milestones_values)))

    def follow(self, schedule: Schedule) -> None:
        """Follow `schedule`, a Piecewise (`over` builds the view `paramsched.compile` returns for `piecewise`)."""
        assert isinstance(schedule, Piecewise)
        piecewise = self._piecewise = schedule
        self.milestones, self.values = piecewise.milestones, piecewise.points
        self._state_attrs += ["values", "milestones", "_index"]

    @property
    def schedule(self) -> Schedule:
        return self._piecewise

    @property
    def _index(self) -> int:
        return piecewise_index(self.milestones, self.position)

    def attributes_at(self, position: int) -> dict[str, Any]:
        return {"event_index": position, "_index": piecewise_index(self.milestones, position)}
