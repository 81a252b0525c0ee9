"""paramsched: one line of text becomes a parameter schedule for a training loop.

    import paramsched as ps
    scheduler = ps.compile("linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)", optimizer)

The scheduler family mirrors pytorch-ignite's ParamScheduler classes (same signatures, values and
state_dict keys) without importing ignite or torch at import time.
"""

from ._ast import Node, json_schema, load
from ._base import BaseParamScheduler, CurveScheduler, ParamScheduler
from ._compile import compile, simulate
from ._composite import ConcatScheduler, ParamGroupScheduler
from ._cyclical import CosineAnnealingScheduler, CyclicalScheduler, LinearCyclicalScheduler, PiecewiseLinear
from ._exceptions import (
    DurationError,
    LimitError,
    NonFiniteValueError,
    ScheduleArgumentError,
    ScheduleError,
    ScheduleSyntaxError,
    StateDictError,
    UnitError,
    UnknownNameError,
)
from ._parse import parse
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
from ._unparse import unparse

__version__ = "0.1.0"

__all__ = [
    "BaseParamScheduler",
    "BatchSizeScheduler",
    "ConcatScheduler",
    "CosineAnnealingScheduler",
    "CurveScheduler",
    "CyclicalScheduler",
    "DurationError",
    "ExpStateScheduler",
    "LRScheduler",
    "LambdaStateScheduler",
    "LimitError",
    "LinearCyclicalScheduler",
    "MultiStepStateScheduler",
    "Node",
    "NonFiniteValueError",
    "ParamGroupScheduler",
    "ParamScheduler",
    "PiecewiseLinear",
    "PiecewiseLinearStateScheduler",
    "ReduceLROnPlateauScheduler",
    "ScheduleArgumentError",
    "ScheduleError",
    "ScheduleSyntaxError",
    "StateDictError",
    "StateParamScheduler",
    "StepStateScheduler",
    "UnitError",
    "UnknownNameError",
    "compile",
    "create_lr_scheduler_with_warmup",
    "json_schema",
    "load",
    "parse",
    "simulate",
    "unparse",
]
