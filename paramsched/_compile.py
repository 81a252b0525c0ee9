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

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt

from . import _schedules as pure
from ._base import CurveScheduler, ScheduleBacked
from ._clocks import Clock, ClockCounter
from ._composite import ConcatScheduler
from ._cyclical import CosineAnnealingScheduler, LinearCyclicalScheduler, PiecewiseLinear
from ._exceptions import LimitError, NonFiniteValueError, ScheduleArgumentError
from ._key_check import require_param_key
from ._limits import MAX_EVENTS, MAX_EVENTS_TEXT
from ._resolve import Resolver, resolve
from ._resume import CompiledPlanPolicy, ResumePolicy, check_resume
from ._step_order import watch_step_order
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
    tokens_per_step: int | None = None,
    samples_per_step: int | None = None,
    clock: Clock = "steps",
) -> npt.NDArray[np.float64]:
    """The values a compiled scheduler writes over `num_events` events, bit for bit, vectorised.

    `schedule` is text, a plain number, an AST node or a mapping. On a token (sample) clock the values are
    those at positions 0 .. num_events-1 tokens (samples): value i is what a step that starts after i tokens
    gets.

    Args:
        schedule: text, a plain number, an AST node or a mapping.
        num_events: how many values, from event (or token, sample) 0; at most 10**15.
        total: events in the run, for `%` durations.
        steps_per_epoch: events per epoch, for `ep` durations.
        tokens_per_step: tokens per step, for `tok` durations on the step clock.
        samples_per_step: samples per step, for `sp` durations on the step clock.
        clock: what an event is: "steps", "tokens" or "samples".

    Returns:
        A float64 array of `num_events` values.

    Raises:
        ScheduleError: a subclass for bad text or arguments (`UnitError` for a unit without its setting,
            `LimitError` past a limit, `NonFiniteValueError` for a value that is not finite).
    """
    if isinstance(num_events, bool) or not isinstance(num_events, int) or num_events < 0:
        raise ScheduleArgumentError(f"num_events must be a whole number ≥ 0, got {num_events!r}")
    if num_events > MAX_EVENTS:
        raise LimitError(f"num_events {num_events} is more than the limit of {MAX_EVENTS_TEXT} events")
    node = to_node(schedule)
    resolver = Resolver(
        total, steps_per_epoch, clock=clock, tokens_per_step=tokens_per_step, samples_per_step=samples_per_step
    )
    resolved = resolver.schedule(node)
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
    tokens_per_step: int | None = None,
    samples_per_step: int | None = None,
    clock: Clock = "steps",
    clock_source: Callable[[], Any] | None = None,
    resume: ResumePolicy = "strict",
    scale_key: str | None = None,
    create_new: bool = False,
) -> ScheduleBacked:
    """A ParamScheduler that writes the schedule's value into `optimizer`'s `param_name` at every event.

    `schedule` is text, a plain number, an AST node or a mapping. Its state records the canonical text
    and the run settings that resolved its units. `param_name` may name one element of a tuple entry:
    `"betas[0]"` is Adam's β1 (β2 kept). A `param_name` that a param group it writes lacks is refused
    (with the closest key) unless `create_new=True`.

    On `clock="tokens"` (or `"samples"`) the schedule's position counts tokens: call `step(tokens=n)`
    before each step with the n tokens it consumes (it writes f(tokens seen so far)), or give
    `clock_source`, a callable returning the tokens seen so far, read at each call.

    `resume` decides what loading a state saved under another plan does: "strict" refuses it
    (StateDictError with both plans and their values at the saved position), "replan" continues this
    plan from the saved position and warns (PlanChangedWarning). `scale_key="lr_scale"` writes
    value · group.get("lr_scale", 1) into each group (timm's convention).

    Args:
        schedule: text, a plain number, an AST node or a mapping.
        optimizer: a torch optimizer (or any object with `param_groups`).
        param_name: the param-group key to write: "lr", "momentum", "weight_decay", "betas[0]", ….
        param_group_index: write only this group (default: every group).
        save_history: record the values in `engine.state.param_history`, as ignite does.
        total: events in the run, for `%` durations.
        steps_per_epoch: events per epoch, for `ep` durations.
        tokens_per_step: tokens per step, for `tok` durations on the step clock.
        samples_per_step: samples per step, for `sp` durations on the step clock.
        clock: what an event is: "steps", "tokens" or "samples".
        clock_source: on a token or sample clock, a callable returning the count seen so far.
        resume: "strict" or "replan", for a state saved under another plan.
        scale_key: a group entry that multiplies the value in that group (missing = 1).
        create_new: allow a `param_name` the param groups do not have.

    Returns:
        The schedule-backed scheduler (an ignite-family class where one computes this schedule): call it,
        or its `step()`, before each `optimizer.step()`.

    Raises:
        ScheduleError: a subclass for bad text, arguments, keys (`ScheduleArgumentError`) or units.
    """
    if scale_key is not None and not isinstance(scale_key, str):
        raise TypeError(f"scale_key should be a str (e.g. 'lr_scale') or None, but given {scale_key!r}")
    policy = CompiledPlanPolicy(check_resume(resume), param_name, param_group_index)
    node = to_node(schedule)
    require_param_key(optimizer, param_name, None if param_group_index is None else [param_group_index],
                      create_new=create_new)  # fmt: skip
    resolver = Resolver(
        total, steps_per_epoch, clock=clock, tokens_per_step=tokens_per_step, samples_per_step=samples_per_step
    )
    counter = ClockCounter(clock, clock_source)
    resolved = resolver.schedule(node)
    scheduler = scheduler_of(resolved, optimizer, param_name, param_group_index, save_history)
    note = resolver.note()  # the settings this schedule's units used
    scheduler.record_source(lambda: unparse(node) + note)
    scheduler.follow_plan_policy(policy)
    scheduler.scale_by(scale_key)
    if counter.clock != "steps":
        scheduler.run_on_clock(counter)
    else:
        watch_step_order(scheduler, optimizer)
    return scheduler
