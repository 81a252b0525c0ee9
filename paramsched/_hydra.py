"""Hydra and OmegaConf: resolvers, and entry points for `hydra.utils.instantiate`.

Resolvers (after `register_resolvers()`); quote the schedule inside `${...}`, OmegaConf's grammar
rejects a bare `(`:

    lr: ${schedule:'cosine(0.1 -> 0, 10k)'}        # validated at resolution, canonical text
    lr0: ${schedule_value:${optim.lr}}             # value at event 0 (e.g. the optimizer's lr=)
    lr_at: ${schedule_value:${optim.lr}, 500}      # value at event 500

`_target_` entry points (the optimizer comes later, when the model exists):

    scheduler:                                     # scheduler = instantiate(cfg.scheduler)(optimizer)
      _target_: paramsched.scheduler_factory
      schedule: "linear(0 -> 0.1, 500) then cosine(0.1 -> 0, 10k)"

    scheduler:                                     # instantiate(cfg.scheduler)(optimizer=optimizer)
      _target_: paramsched.compile                 # or instantiate(cfg.scheduler, optimizer=optimizer)
      _partial_: true
      schedule: "cosine(0.1 -> 0, 10k)"
"""

from __future__ import annotations

from typing import Any

from ._base import ParamScheduler
from ._compile import compile as compile_schedule
from ._exceptions import ScheduleArgumentError
from ._resolve import resolve
from .language import to_node, unparse

__all__ = ["SchedulerFactory", "canonical", "register_resolvers", "scheduler_factory", "value_at"]


def canonical(text: str) -> str:
    """The `schedule` resolver: validates the schedule and returns its canonical text."""
    return unparse(to_node(_plain(text)))


def value_at(text: str, event: int = 0, total: int | None = None, steps_per_epoch: int | None = None) -> float:
    """The `schedule_value` resolver: the schedule's value at `event` (default 0: the initial value)."""
    if isinstance(event, bool) or not isinstance(event, int) or event < 0:
        raise ScheduleArgumentError(f"schedule_value: the event is a whole number ≥ 0, not {event!r}")
    return resolve(_plain(text), total=total, steps_per_epoch=steps_per_epoch).value_at(event)


def register_resolvers(*, schedule: str = "schedule", schedule_value: str = "schedule_value") -> None:
    """Register the OmegaConf resolvers (again on each call: idempotent; names can be changed).

    `${schedule:TEXT}` resolves to the canonical text (the schedule is checked when resolved);
    `${schedule_value:TEXT}` to its value at event 0, `${schedule_value:TEXT, N}` at event N, and a third
    argument is `total`.

    Args:
        schedule: the name of the resolver that checks and canonicalises a schedule.
        schedule_value: the name of the resolver that gives a schedule's value at an event.
    """
    from omegaconf import OmegaConf

    OmegaConf.register_new_resolver(schedule, canonical, replace=True)
    OmegaConf.register_new_resolver(schedule_value, value_at, replace=True)


class SchedulerFactory:
    """A validated schedule waiting for its optimizer: `factory(optimizer)` compiles it.

    `paramsched.scheduler_factory` is this class, for `_target_: paramsched.scheduler_factory` in a Hydra
    config: the schedule is checked when Hydra instantiates the config, before the model exists.

    Args:
        schedule: text, a mapping (a DictConfig too), a node or a number.
        param_name: the param-group key to schedule.
        param_group_index: one group only, or None for all.
        save_history: record the values in `engine.state.param_history`, as ignite does.
        total: the run's length in events, for `%` durations (checked now).
        steps_per_epoch: events per epoch, for `ep` durations (checked now).

    Raises:
        ScheduleError: a bad schedule or an unresolvable unit, at construction.
    """

    def __init__(
        self,
        schedule: Any,
        param_name: str = "lr",
        *,
        param_group_index: int | None = None,
        save_history: bool = False,
        total: int | None = None,
        steps_per_epoch: int | None = None,
    ) -> None:
        self.node = to_node(_plain(schedule))
        if total is not None or steps_per_epoch is not None:
            resolve(self.node, total=total, steps_per_epoch=steps_per_epoch)  # units fail now, not later
        self.param_name = param_name
        self.param_group_index = param_group_index
        self.save_history = save_history
        self.total = total
        self.steps_per_epoch = steps_per_epoch

    def __call__(self, optimizer: Any) -> ParamScheduler:
        return compile_schedule(
            self.node,
            optimizer,
            self.param_name,
            param_group_index=self.param_group_index,
            save_history=self.save_history,
            total=self.total,
            steps_per_epoch=self.steps_per_epoch,
        )

    def __repr__(self) -> str:
        return f"SchedulerFactory({unparse(self.node)!r}, param_name={self.param_name!r})"


def _plain(schedule: Any) -> Any:
    """Hydra passes nested config values as DictConfig; a mapping-form schedule becomes a dict. (A bare
    number, as OmegaConf hands over `${schedule:0.9}`, is a schedule as it is.)"""
    if type(schedule).__module__.startswith("omegaconf"):
        from omegaconf import OmegaConf

        return OmegaConf.to_container(schedule, resolve=True)
    return schedule


# A `_target_` for Hydra: the schedule is checked at instantiation; the optimizer is given later.
scheduler_factory = SchedulerFactory
