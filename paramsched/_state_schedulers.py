"""ignite's state parameter schedulers: they set an attribute of `engine.state` (not an optimizer).

Their clock advances before the value is read, as in ignite: the first call sets the value of event 1.
"""

from __future__ import annotations

import warnings
from bisect import bisect_right
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from ._base import BaseParamScheduler, default_event, require_keys, require_mapping
from ._cyclical import piecewise_index, validate_milestones
from ._schedules import Piecewise

__all__ = [
    "ExpStateScheduler",
    "LambdaStateScheduler",
    "MultiStepStateScheduler",
    "PiecewiseLinearStateScheduler",
    "StateParamScheduler",
    "StepStateScheduler",
]


class _Values:
    def __init__(self) -> None:
        self.state = type("State", (), {})()


class StateParamScheduler(BaseParamScheduler):
    """Sets `engine.state.<param_name>` at every event it is attached to (default ITERATION_COMPLETED)."""

    def __init__(self, param_name: str, save_history: bool = False, create_new: bool = False):
        super().__init__(param_name, save_history)
        self.create_new = create_new

    def keep(self, **attributes: Any) -> None:
        """Set these attributes and save them in the state (ignite's `_state_attrs`)."""
        for name, value in attributes.items():
            setattr(self, name, value)
        self._state_attrs += list(attributes)

    def attach(self, engine: Any, event: Any = None) -> None:
        if hasattr(engine.state, self.param_name):
            if self.create_new:
                raise ValueError(
                    f"Attribute '{self.param_name}' already exists in the engine.state. This may be a conflict "
                    "between multiple handlers. Please choose another name."
                )
        else:
            if not self.create_new:
                warnings.warn(
                    f"Attribute '{self.param_name}' is not defined in the engine.state. {type(self).__name__} will "
                    "create it. Remove this warning by setting create_new=True.",
                    stacklevel=2,
                )
            setattr(engine.state, self.param_name, None)
        if self.save_history:
            if getattr(engine.state, "param_history", None) is None:
                engine.state.param_history = {}
            engine.state.param_history.setdefault(self.param_name, [])
        engine.add_event_handler(default_event("ITERATION_COMPLETED") if event is None else event, self)

    def __call__(self, engine: Any) -> None:
        self.event_index += 1
        value = self.get_param()
        setattr(engine.state, self.param_name, value)
        if self.save_history:
            engine.state.param_history[self.param_name].append(value)

    def step(self, engine: Any) -> None:
        """Advance and set the value on `engine` (any object with a `state`)."""
        self(engine)

    @classmethod
    def simulate_values(cls, num_events: int, **scheduler_kwargs: Any) -> list[list[Any]]:
        """Rows `[event, value]` of a fresh scheduler (no ignite Engine needed)."""
        kwargs = {k: v for k, v in scheduler_kwargs.items() if k != "save_history"}
        scheduler = cls(save_history=False, **kwargs)
        holder = _Values()
        rows = []
        for index in range(num_events):
            scheduler(holder)
            rows.append([index, getattr(holder.state, scheduler.param_name)])
        return rows


class LambdaStateScheduler(StateParamScheduler):
    """The value is `lambda_obj(event_index)`. Its state keeps `lambda_obj` only through the object's
    own `state_dict` (a plain function has no state, and is not saved)."""

    def __init__(
        self,
        lambda_obj: Callable[[int], list[float] | float],
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        if not callable(lambda_obj):
            raise ValueError("Expected lambda_obj to be callable.")
        self.lambda_obj = lambda_obj
        if hasattr(lambda_obj, "state_dict"):
            self._state_attrs += ["lambda_obj"]

    def get_param(self) -> list[float] | float:
        return self.lambda_obj(self.event_index)


class PiecewiseLinearStateScheduler(StateParamScheduler):
    """ignite's PiecewiseLinear on `engine.state`."""

    def __init__(
        self,
        milestones_values: list[tuple[int, float]],
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.milestones, self.values = validate_milestones(milestones_values)
        self._piecewise = Piecewise(self.milestones, self.values)
        self._state_attrs += ["values", "milestones", "_index"]

    @property
    def _index(self) -> int:
        # the clock runs one ahead: after n calls ignite has looked at events 1..n
        return piecewise_index(self.milestones, self.event_index + 1) if self.event_index else 0

    @_index.setter
    def _index(self, value: int) -> None:
        pass  # derived from event_index

    def get_param(self) -> float:
        return float(self._piecewise.values(np.array([self.event_index], dtype=np.int64))[0])

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        require_mapping(state_dict)
        require_keys(state_dict, self._state_attrs, type(self).__name__)
        super().load_state_dict(state_dict)
        self.milestones, self.values = validate_milestones(
            [(int(m), v) for m, v in zip(state_dict["milestones"], state_dict["values"], strict=True)]
        )
        self._piecewise = Piecewise(self.milestones, self.values)


class ExpStateScheduler(StateParamScheduler):
    """initial_value · gamma^event_index."""

    initial_value: float
    gamma: float

    def __init__(
        self,
        initial_value: float,
        gamma: float,
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.keep(initial_value=initial_value, gamma=gamma)

    def get_param(self) -> float:
        return self.initial_value * self.gamma**self.event_index


class StepStateScheduler(StateParamScheduler):
    """initial_value · gamma^(event_index // step_size)."""

    initial_value: float
    gamma: float
    step_size: int

    def __init__(
        self,
        initial_value: float,
        gamma: float,
        step_size: int,
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.keep(initial_value=initial_value, gamma=gamma, step_size=step_size)

    def get_param(self) -> float:
        return self.initial_value * self.gamma ** (self.event_index // self.step_size)


class MultiStepStateScheduler(StateParamScheduler):
    """initial_value · gamma^(number of milestones ≤ event_index)."""

    initial_value: float
    gamma: float
    milestones: list[int]

    def __init__(
        self,
        initial_value: float,
        gamma: float,
        milestones: list[int],
        param_name: str,
        save_history: bool = False,
        create_new: bool = False,
    ):
        super().__init__(param_name, save_history, create_new)
        self.keep(initial_value=initial_value, gamma=gamma, milestones=milestones)

    def get_param(self) -> float:
        return self.initial_value * self.gamma ** bisect_right(self.milestones, self.event_index)
