"""Pure schedule → scheduler: `compile` and `simulate`.

There is one route from a node to a scheduler: the node is resolved once into a pure schedule
(`_resolve`), and the scheduler is a view chosen by looking at that pure schedule:

- a `Cyclic` of the plain cosine shape, cycle ≥ 2 events → ignite's CosineAnnealingScheduler;
- a `Cyclic` of the plain linear shape, or of the triangle without a warmup, cycle ≥ 2 → ignite's
  LinearCyclicalScheduler (monotonic for linear);
- a `Piecewise` → ignite's PiecewiseLinear;
- a `Concat` → ignite's ConcatScheduler, whose parts are the views of its parts;
- anything else → a CurveScheduler.

Each of these is constructed from the pure schedule itself (its arguments are not recomputed), so
`simulate` (the pure schedule evaluated on an array) and stepping give the same bits.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from . import _schedules as pure
from ._base import CurveScheduler, ScheduleBacked
from ._composite import ConcatScheduler
from ._cyclical import CosineAnnealingScheduler, LinearCyclicalScheduler, PiecewiseLinear
from ._exceptions import LimitError, NonFiniteValueError, ScheduleArgumentError
from ._limits import MAX_EVENTS, MAX_EVENTS_TEXT
from ._resolve import Resolver, resolve, units_note
from ._resume import CompiledPlanPolicy, ResumePolicy, check_resume
from .language import quoted, to_node, unparse

__all__ = ["compile", "resolve", "scheduler_of", "simulate"]


def scheduler_of(
    schedule: pure.Schedule,
    optimizer: Any,
    param_name: str,
    param_group_index: int | None = None,
    save_history: bool = False,
) -> ScheduleBacked:
    """The schedule-backed scheduler that views `schedule`: ignite's class where one computes exactly
    this schedule (see the module docstring), a CurveScheduler otherwise."""
    if isinstance(schedule, pure.Concat):
        parts = [scheduler_of(p, optimizer, param_name, param_group_index, save_history) for p in schedule.parts]
        return ConcatScheduler.joining(schedule, parts, save_history=save_history)
    if isinstance(schedule, pure.Piecewise):
        return PiecewiseLinear.over(
            schedule, optimizer, param_name, save_history=save_history, param_group_index=param_group_index
        )
    if isinstance(schedule, pure.Cyclic) and schedule.cycle_shape(0)[0] >= 2:
        shape = schedule.shape
        view: type[CosineAnnealingScheduler | LinearCyclicalScheduler] | None = None
        if shape == "cosine":
            view = CosineAnnealingScheduler
        elif shape == "linear" or (shape == "triangle" and schedule.cycle_shape(0)[1] == 0):
            view = LinearCyclicalScheduler  # ignite refuses a warmup between triangles
        if view is not None:
            return view.over(
                schedule, optimizer, param_name, save_history=save_history, param_group_index=param_group_index
            )
    return CurveScheduler.over(
        schedule, optimizer, param_name, save_history=save_history, param_group_index=param_group_index
    )


def simulate(
    schedule: Any,
    num_events: int,
    *,
    total: int | None = None,
    steps_per_epoch: int | None = None,
) -> npt.NDArray[np.float64]:
    """The values a compiled scheduler writes over `num_events` events, bit for bit, vectorised.

    `schedule` is text, a plain number, an AST node or a mapping."""
    if isinstance(num_events, bool) or not isinstance(num_events, int) or num_events < 0:
        raise ScheduleArgumentError(f"num_events must be a whole number ≥ 0, got {num_events!r}")
    if num_events > MAX_EVENTS:
        raise LimitError(f"num_events {num_events} is more than the limit of {MAX_EVENTS_TEXT} events")
    node = to_node(schedule)
    resolved = Resolver(total, steps_per_epoch).schedule(node)
    try:
        return pure.evaluate(resolved, num_events)
    except NonFiniteValueError as error:
        raise NonFiniteValueError(f"{error.message} (schedule {quoted(node)})") from None


def compile(
    schedule: Any,
    optimizer: Any,
    param_name: str = "lr",
    *,
    param_group_index: int | None = None,
    save_history: bool = False,
    total: int | None = None,
    steps_per_epoch: int | None = None,
    resume: ResumePolicy = "strict",
    scale_key: str | None = None,
) -> ScheduleBacked:
    """A ParamScheduler that writes the schedule's value into `optimizer`'s `param_name` at every event.

    `schedule` is text, a plain number, an AST node or a mapping. Its state records the canonical text
    and the run settings that resolved its units. `resume` decides what loading a state saved under
    another plan does: "strict" refuses it (StateDictError with both plans and their values at the saved
    position), "replan" continues this plan from the saved position and warns (PlanChangedWarning).
    `scale_key="lr_scale"` writes value · group.get("lr_scale", 1) into each group (timm's convention)."""
    if scale_key is not None and not isinstance(scale_key, str):
        raise TypeError(f"scale_key should be a str (e.g. 'lr_scale') or None, but given {scale_key!r}")
    policy = CompiledPlanPolicy(check_resume(resume), param_name, param_group_index)
    node = to_node(schedule)
    resolved = Resolver(total, steps_per_epoch).schedule(node)
    scheduler = scheduler_of(resolved, optimizer, param_name, param_group_index, save_history)
    scheduler.record_source(lambda: unparse(node) + units_note(total, steps_per_epoch))
    scheduler.follow_plan_policy(policy)
    scheduler.scale_by(scale_key)
    return scheduler
