"""paramsched: one line of text becomes a parameter schedule for a training loop.

    import paramsched as ps
    scheduler = ps.compile("linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)", optimizer)
    scheduler = ps.compile(ps.linear(0, 0.1, 500) >> ps.cosine(0.1, 1e-4, "10k"), optimizer)   # the same

The scheduler family mirrors pytorch-ignite's ParamScheduler classes (same signatures, values and
state_dict keys) without importing ignite or torch at import time.
"""

import importlib
from typing import TYPE_CHECKING, Any

from ._base import BaseParamScheduler, CurveScheduler, ParamScheduler
from ._composite import ConcatScheduler, ParamGroupScheduler
from ._cyclical import CosineAnnealingScheduler, CyclicalScheduler, LinearCyclicalScheduler, PiecewiseLinear
from ._exceptions import (
    DurationError,
    LimitError,
    LongerThanTotalWarning,
    NonFiniteValueError,
    PlanChangedWarning,
    ScheduleArgumentError,
    ScheduleError,
    ScheduleSyntaxError,
    ScheduleWarning,
    StateDictError,
    StepOrderWarning,
    UnitError,
    UnknownNameError,
)
from ._state_schedulers import (
    ExpStateScheduler,
    LambdaStateScheduler,
    MultiStepStateScheduler,
    PiecewiseLinearStateScheduler,
    StateParamScheduler,
    StepStateScheduler,
)
from ._torch_schedulers import (
    BatchSizeScheduler,
    LRScheduler,
    ReduceLROnPlateauScheduler,
    create_lr_scheduler_with_warmup,
)

if TYPE_CHECKING:
    from ._argparse import schedule_type
    from ._clocks import ClockError
    from ._compile import compile, simulate
    from ._config import ConfigScheduler, compile_config, validate_config
    from ._hydra import SchedulerFactory, register_resolvers, scheduler_factory
    from ._pure_function import ScheduleFunction, schedule
    from ._pydantic import ScheduleSpec
    from ._torch_adapter import TorchScheduler, torch_scheduler
    from .language import Node, json_schema, load, parse, unparse
    from .language.builders import (
        const,
        cosine,
        exp,
        linear,
        max,  # noqa: F401 - a builder, deliberately not in __all__
        min,  # noqa: F401 - a builder, deliberately not in __all__
        multistep,
        piecewise,
        poly,
        repeat,
        rsqrt,
        sqrt,
        step,
        tanh,
        triangle,
        warmup,
    )

# The language (lark, pydantic) and the integrations load on first use: `import paramsched` stays as light
# as numpy, and never imports torch, matplotlib, omegaconf or hydra.
_BUILDERS = (
    "const",
    "cosine",
    "exp",
    "linear",
    "max",
    "min",
    "multistep",
    "piecewise",
    "poly",
    "repeat",
    "rsqrt",
    "sqrt",
    "step",
    "tanh",
    "triangle",
    "warmup",
)
"""The Python spelling of the language's forms (paramsched.language.builders); `min` and `max` stay out of
`__all__`, so that `from paramsched import *` shadows no builtin."""

_LAZY = {
    "parse": ".language",
    "unparse": ".language",
    "load": ".language",
    "json_schema": ".language",
    "Node": ".language",
    **dict.fromkeys(_BUILDERS, ".language.builders"),
    "compile": "._compile",
    "schedule": "._pure_function",
    "ScheduleFunction": "._pure_function",
    "ClockError": "._clocks",
    "simulate": "._compile",
    "compile_config": "._config",
    "ConfigScheduler": "._config",
    "validate_config": "._config",
    "schedule_type": "._argparse",
    "register_resolvers": "._hydra",
    "scheduler_factory": "._hydra",
    "SchedulerFactory": "._hydra",
    "ScheduleSpec": "._pydantic",
    "TorchScheduler": "._torch_adapter",
    "torch_scheduler": "._torch_adapter",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'paramsched' has no attribute {name!r}")
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))


__version__ = "0.1.0"

__all__ = [
    "BaseParamScheduler",
    "BatchSizeScheduler",
    "ClockError",
    "ConcatScheduler",
    "ConfigScheduler",
    "CosineAnnealingScheduler",
    "CurveScheduler",
    "CyclicalScheduler",
    "DurationError",
    "ExpStateScheduler",
    "LRScheduler",
    "LambdaStateScheduler",
    "LimitError",
    "LinearCyclicalScheduler",
    "LongerThanTotalWarning",
    "MultiStepStateScheduler",
    "Node",
    "NonFiniteValueError",
    "ParamGroupScheduler",
    "ParamScheduler",
    "PiecewiseLinear",
    "PiecewiseLinearStateScheduler",
    "PlanChangedWarning",
    "ReduceLROnPlateauScheduler",
    "ScheduleArgumentError",
    "ScheduleError",
    "ScheduleFunction",
    "ScheduleSpec",
    "ScheduleSyntaxError",
    "ScheduleWarning",
    "SchedulerFactory",
    "StateDictError",
    "StateParamScheduler",
    "StepOrderWarning",
    "StepStateScheduler",
    "TorchScheduler",
    "UnitError",
    "UnknownNameError",
    "compile",
    "compile_config",
    "const",
    "cosine",
    "create_lr_scheduler_with_warmup",
    "exp",
    "json_schema",
    "linear",
    "load",
    "multistep",
    "parse",
    "piecewise",
    "poly",
    "register_resolvers",
    "repeat",
    "rsqrt",
    "schedule",
    "schedule_type",
    "scheduler_factory",
    "simulate",
    "sqrt",
    "step",
    "tanh",
    "torch_scheduler",
    "triangle",
    "unparse",
    "validate_config",
    "warmup",
]
