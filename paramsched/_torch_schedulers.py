"""The members of the family that wrap torch objects: LRScheduler, create_lr_scheduler_with_warmup,
ReduceLROnPlateauScheduler and BatchSizeScheduler. torch is imported only when one is built."""

from __future__ import annotations

import copy
import functools
import warnings
from collections.abc import Callable
from typing import Any

from ._base import BaseParamScheduler, ParamScheduler, default_event, plain, record_history
from ._composite import ConcatScheduler, ParamGroupScheduler
from ._cyclical import PiecewiseLinear

__all__ = [
    "BatchSizeScheduler",
    "LRScheduler",
    "ReduceLROnPlateauScheduler",
    "create_lr_scheduler_with_warmup",
]


def _torch() -> Any:
    try:
        import torch
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise ModuleNotFoundError("this scheduler wraps a torch object: pip install 'paramsched[torch]'") from error
    return torch


def _quietly_step(lr_scheduler: Any) -> None:
    """Step a torch scheduler without its warning about the order of optimizer.step() calls."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Detected call of `lr_scheduler.step\(\)`")
        lr_scheduler.step()


class LRScheduler(ParamScheduler):
    """Wraps a `torch.optim.lr_scheduler.LRScheduler` as a ParamScheduler.

    Event 0 gets the optimizer's initial lr and each later event steps the torch scheduler once, so the
    values are exactly the ones a plain torch loop sees. (ignite 0.5.5 calls `get_lr()` itself and, on
    current torch, skips the initial lr of ExponentialLR, MultiplicativeLR and CosineAnnealingWarmRestarts.)
    """

    def __init__(self, lr_scheduler: Any, save_history: bool = False, use_legacy: bool = False):
        torch = _torch()
        base = torch.optim.lr_scheduler.LRScheduler
        if not isinstance(lr_scheduler, base) or isinstance(lr_scheduler, torch.optim.lr_scheduler.ReduceLROnPlateau):
            raise TypeError(
                "Argument lr_scheduler should be a subclass of torch.optim.lr_scheduler.LRScheduler "
                f"(not ReduceLROnPlateau: use ReduceLROnPlateauScheduler), but given {type(lr_scheduler)}"
            )
        self.lr_scheduler = lr_scheduler
        super().__init__(optimizer=lr_scheduler.optimizer, param_name="lr", save_history=save_history)
        if use_legacy:
            warnings.warn(
                "use_legacy=True: attach this scheduler to Events.ITERATION_COMPLETED; it steps the torch "
                "scheduler before the first event, so the optimizer's initial lr is skipped",
                stacklevel=2,
            )
        self._step_first = use_legacy
        self._state_attrs += ["lr_scheduler"]

    def _lrs(self) -> Any:
        lrs = [plain(group["lr"]) for group in self.optimizer_param_groups]
        return lrs[0] if len(lrs) == 1 else lrs

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        if self.event_index > 0 or self._step_first:
            _quietly_step(self.lr_scheduler)
        if self.save_history and engine:
            record_history(
                engine,
                self.param_name if name is None else name,
                [plain(g["lr"]) for g in self.optimizer_param_groups],
            )
        self.event_index += 1

    def get_param(self) -> Any:
        """The lr(s) the next call writes, found on a copy (the torch scheduler is not touched)."""
        if self.event_index == 0 and not self._step_first:
            return self._lrs()
        ahead = copy.deepcopy(self)
        ahead(None)
        return ahead._lrs()

    def state_dict(self) -> dict[str, Any]:
        state = super().state_dict()
        state["lr_scheduler"] = copy.deepcopy(self.lr_scheduler.state_dict())
        return state

    @classmethod
    def simulate_values(  # type: ignore[override]
        cls, num_events: int, lr_scheduler: Any, **kwargs: Any
    ) -> list[list[Any]]:
        """Rows `[event, lr per param group ...]` from a copy; the given scheduler and optimizer are untouched."""
        scheduler = cls(copy.deepcopy(lr_scheduler), save_history=False, **kwargs)
        rows = []
        with warnings.catch_warnings():
            # the copy's optimizer.step is no longer the wrapper torch installed, and torch says so
            warnings.filterwarnings("ignore", message=r"Seems like `optimizer.step\(\)` has been overridden")
            for index in range(num_events):
                scheduler(None)
                rows.append([index, *(plain(g["lr"]) for g in scheduler.optimizer_param_groups)])
        return rows


def create_lr_scheduler_with_warmup(
    lr_scheduler: Any,
    warmup_start_value: float,
    warmup_duration: int,
    warmup_end_value: float | None = None,
    save_history: bool = False,
    output_simulated_values: list[Any] | None = None,
) -> ConcatScheduler:
    """A linear warmup of `warmup_duration` events, then `lr_scheduler` (a ParamScheduler or a torch one).

    Every param group warms up over the same number of events (ignite 0.5.5 takes the length from
    the last group's milestones and, with a torch scheduler, mixes up the groups).
    """
    from_torch = not isinstance(lr_scheduler, ParamScheduler)
    if from_torch and not isinstance(lr_scheduler, _torch().optim.lr_scheduler.LRScheduler):
        raise TypeError(
            "Argument lr_scheduler should be a subclass of torch.optim.lr_scheduler.LRScheduler or "
            f"ParamScheduler, but given {type(lr_scheduler)}"
        )
    if not isinstance(warmup_duration, int) or isinstance(warmup_duration, bool):
        raise TypeError(f"Argument warmup_duration should be integer, but given {warmup_duration}")
    if not warmup_duration > 1:
        raise ValueError(f"Argument warmup_duration should be at least 2 events, but given {warmup_duration}")

    groups = lr_scheduler.optimizer.param_groups
    initial = [plain(g["lr"]) for g in groups] if from_torch else _as_group_list(lr_scheduler.get_param(), len(groups))
    plans: list[list[tuple[int, float]]] = []
    for index, group in enumerate(groups):
        end_value = plain(group["lr"]) if warmup_end_value is None else warmup_end_value
        milestones: list[tuple[int, float]] = [(0, warmup_start_value), (warmup_duration - 1, end_value)]
        init_lr = initial[index]
        if from_torch:
            if init_lr != end_value:
                milestones.append((warmup_duration, init_lr))
        elif init_lr == end_value:
            if warmup_duration > 2:
                step = (end_value - warmup_start_value) / (warmup_duration - 1)
                milestones[-1] = (warmup_duration - 2, end_value - step)
            else:
                milestones.pop(-1)
        plans.append(milestones)
    if from_torch:
        # the torch scheduler's epoch 0 is the warmup's end: it takes over at its epoch 1
        follower: Any = LRScheduler(lr_scheduler, save_history=save_history)
        follower._step_first = True
    else:
        follower = lr_scheduler
    owner = lr_scheduler.optimizer
    warmups = [
        PiecewiseLinear(
            owner, param_name="lr", milestones_values=plan, param_group_index=index, save_history=save_history
        )
        for index, plan in enumerate(plans)
    ]
    warmup: Any = ParamGroupScheduler(warmups, save_history=save_history)
    durations = [max(plan[-1][0] for plan in plans) + 1]
    combined = ConcatScheduler([warmup, follower], durations=durations, save_history=save_history)
    if output_simulated_values is not None:
        if not isinstance(output_simulated_values, list):
            raise TypeError(
                "Argument output_simulated_values should be a list of None, e.g. `[None] * 100`, "
                f"but given {type(output_simulated_values)}."
            )
        rows = ConcatScheduler.simulate_values(len(output_simulated_values), [warmup, follower], durations)
        output_simulated_values[:] = rows
    return combined


def _as_group_list(value: Any, count: int) -> list[Any]:
    return list(value) if isinstance(value, list) else [value] * count


@functools.cache
def _plateau_class() -> type:
    torch = _torch()

    class GroupReduceLROnPlateau(torch.optim.lr_scheduler.ReduceLROnPlateau):  # type: ignore[misc, name-defined]
        """torch's ReduceLROnPlateau limited to one param group, with that group's min_lr."""

        param_group_index: int | None = None

        def _reduce_lr(self, epoch: Any) -> None:
            groups = self.optimizer.param_groups
            indices = range(len(groups)) if self.param_group_index is None else [self.param_group_index]
            for i in indices:
                old_lr = float(groups[i]["lr"])
                new_lr = max(old_lr * self.factor, self.min_lrs[i])
                if old_lr - new_lr > self.eps:
                    if isinstance(groups[i]["lr"], torch.Tensor):
                        groups[i]["lr"].fill_(new_lr)
                    else:
                        groups[i]["lr"] = new_lr

    return GroupReduceLROnPlateau


class _Metrics:
    """The part of an ignite Engine that ReduceLROnPlateauScheduler reads."""

    def __init__(self) -> None:
        self.state = type("State", (), {})()
        self.state.metrics = {}


class ReduceLROnPlateauScheduler(ParamScheduler):
    """torch's ReduceLROnPlateau as a ParamScheduler called with an Engine whose metrics hold `metric_name`.

    `min_lr` applies to every group (ignite 0.5.5 drops it unless `param_group_index` is set), and the
    state holds only plain values (ignite's holds a bound method, which `weights_only=True` refuses).
    """

    def __init__(
        self,
        optimizer: Any,
        metric_name: str,
        trainer: Any | None = None,
        save_history: bool = False,
        param_group_index: int | None = None,
        **scheduler_kwargs: Any,
    ):
        super().__init__(optimizer, "lr", save_history=save_history, param_group_index=param_group_index)
        self.metric_name = metric_name
        self.trainer = trainer
        kwargs = dict(scheduler_kwargs)
        if "min_lr" in kwargs and param_group_index is not None:
            min_lr = kwargs["min_lr"]
            if not isinstance(min_lr, float):
                raise TypeError(f"When param_group_index is given, min_lr should be a float, but given {type(min_lr)}")
            per_group = [0.0] * len(optimizer.param_groups)
            per_group[param_group_index] = min_lr
            kwargs["min_lr"] = per_group
        if "verbose" in kwargs:
            warnings.warn(
                "Found verbose=True in provided scheduler_kwargs. It would be set to False. "
                "Please use save_history instead.",
                stacklevel=2,
            )
            del kwargs["verbose"]
        self.scheduler = _plateau_class()(optimizer, **kwargs)
        self.scheduler.param_group_index = param_group_index
        self._state_attrs += ["metric_name", "scheduler"]

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        metrics = getattr(getattr(engine, "state", None), "metrics", None)
        if metrics is None or self.metric_name not in metrics:
            raise ValueError(
                "Argument engine should have in its 'state', attribute 'metrics' which itself has the metric "
                f"{self.metric_name}."
            )
        self.scheduler.step(metrics[self.metric_name])
        super().__call__(self.trainer, name)

    def get_param(self) -> Any:
        lrs = [group["lr"] for group in self.optimizer_param_groups]
        return lrs[0] if len(lrs) == 1 else lrs

    @classmethod
    def simulate_values(  # type: ignore[override]
        cls, num_events: int, metric_values: list[float], init_lr: float, **scheduler_kwargs: Any
    ) -> list[list[Any]]:
        """Rows `[event, lr]` for the given metric values (on a private throwaway optimizer)."""
        if len(metric_values) != num_events:
            raise ValueError(
                f"Length of argument metric_values should be equal to num_events. {len(metric_values)} != {num_events}"
            )
        torch = _torch()
        kwargs = {k: v for k, v in scheduler_kwargs.items() if k not in ("optimizer", "metric_name", "save_history")}
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=init_lr)
        scheduler = cls(optimizer=optimizer, metric_name="metric", save_history=False, **kwargs)
        engine = _Metrics()
        rows = []
        for index in range(num_events):
            engine.state.metrics["metric"] = metric_values[index]
            scheduler(engine)
            rows.append([index, scheduler.optimizer_param_groups[0]["lr"]])
        return rows


class BatchSizeScheduler(BaseParamScheduler):
    """Sets a DataLoader's batch size from `scheduler_fn(event_index)` (attach on EPOCH_STARTED)."""

    def __init__(self, dataloader: Any, scheduler_fn: Callable[[int], int], save_history: bool = False):
        super().__init__(param_name="batch_size", save_history=save_history)
        torch = _torch()
        if not isinstance(dataloader, torch.utils.data.DataLoader):
            raise TypeError(f"Argument dataloader should be torch.utils.data.DataLoader, but given {type(dataloader)}")
        if not isinstance(getattr(dataloader, "batch_sampler", None), torch.utils.data.sampler.BatchSampler):
            raise ValueError(
                "Argument dataloader should have a BatchSampler, i.e. dataloader.batch_sampler should be an "
                "instance of torch.utils.data.sampler.BatchSampler"
            )
        if not callable(scheduler_fn):
            raise TypeError(f"Argument scheduler_fn should be callable, but given {type(scheduler_fn)}")
        self.dataloader = dataloader
        self.scheduler_fn = scheduler_fn

    def __call__(self, engine: Any | None = None) -> None:
        value = self.get_param()
        if not isinstance(value, int) or isinstance(value, bool) or value < 1:
            raise ValueError(f"Batch size returned by scheduler_fn should be a positive integer, but given {value}")
        self.dataloader.batch_sampler.batch_size = value
        if self.save_history and engine is not None:
            record_history(engine, self.param_name, value)  # type: ignore[arg-type]
        self.event_index += 1

    def step(self) -> None:
        """Set the batch size for the current event and advance: for loops without an Engine."""
        self(None)

    def get_param(self) -> int:
        return self.scheduler_fn(self.event_index)

    def attach(self, engine: Any, event: Any = None) -> None:
        engine.add_event_handler(default_event("EPOCH_STARTED") if event is None else event, self)

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        if "scheduler_fn" not in scheduler_kwargs:
            raise ValueError("Argument scheduler_kwargs must contain 'scheduler_fn'")
        scheduler_fn = scheduler_kwargs["scheduler_fn"]
        return [[index, scheduler_fn(index)] for index in range(num_events)]
