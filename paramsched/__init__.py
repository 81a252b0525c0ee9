"""paramsched: one line of text becomes a parameter schedule for a training loop.

    import paramsched as ps
    scheduler = ps.compile("linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)", optimizer)

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
    NonFiniteValueError,
    ScheduleArgumentError,
    ScheduleError,
    ScheduleSyntaxError,
    StateDictError,
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
    from ._ast import Node, json_schema, load
    from ._compile import compile, simulate
    from ._config import ConfigScheduler, compile_config, validate_config
    from ._hydra import SchedulerFactory, register_resolvers, scheduler_factory
    from ._parse import parse
    from ._torch_adapter import TorchScheduler, torch_scheduler
    from ._unparse import unparse

# The language (lark, pydantic) and the integrations load on first use: `import paramsched` stays as light
# as numpy, and never imports torch, matplotlib, omegaconf or hydra.
_LAZY = {
    "parse": "._parse",
    "unparse": "._unparse",
    "load": "._ast",
    "json_schema": "._ast",
    "Node": "._ast",
    "compile": "._compile",
    "simulate": "._compile",
    "compile_config": "._config",
    "ConfigScheduler": "._config",
    "validate_config": "._config",
    "schedule_type": "._argparse",
    "register_resolvers": "._hydra",
    "scheduler_factory": "._hydra",
    "SchedulerFactory": "._hydra",
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
    "SchedulerFactory",
    "StateDictError",
    "StateParamScheduler",
    "StepStateScheduler",
    "TorchScheduler",
    "UnitError",
    "UnknownNameError",
    "compile",
    "compile_config",
    "create_lr_scheduler_with_warmup",
    "json_schema",
    "load",
    "parse",
    "register_resolvers",
    "schedule_type",
    "scheduler_factory",
    "simulate",
    "torch_scheduler",
    "unparse",
    "validate_config",
]
