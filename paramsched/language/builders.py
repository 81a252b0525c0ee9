"""The Python spelling of the language: one builder per form, derived from the form's declaration.

    ps.linear(0, 0.1, 500) >> ps.cosine(0.1, 1e-4, "10k")     # linear(0 -> 0.1, 500) then cosine(…)
    0.9 - 0.05 * ps.cosine(1, 0, "10k")                        # operators on nodes, numbers lift
    ps.repeat(ps.cosine(0.1, 0, 500), cycle_mult=2)
    ps.warmup(500, from_=0.0) >> ps.cosine(0.1, 0, 9500)        # `from` is a Python keyword: `from_`

A builder takes the form's arguments as the text does — a range as two positional numbers, a duration as
an int or a string with its unit (`"10k"`, `"3ep"`, `"5%"`), a schedule as a node, a number or text — and
binds them through the same code as the parser (binding.py), so bad arguments raise the ScheduleError
subclass and message the text would (without the caret). The result is a node: `str(node)` is its
canonical text.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any, Literal

from .binding import BindFailure, bind, construct
from .forms import Form
from .lexemes import read_duration, respell_duration
from .nodes import FORMS, Duration, Node, lift, plain_number


class _Range:
    """Two positional Python arguments that fill one range argument `a -> b`."""

    __slots__ = ("end", "start")

    def __init__(self, start: object, end: object) -> None:
        self.start, self.end = start, end


class _PythonReader:
    """What Python argument values are, for binding.bind."""

    def number(self, item: object) -> float | None:
        return plain_number(item)

    def duration(self, item: object) -> tuple[float, str] | Duration | None:
        if isinstance(item, Duration):
            return item
        if isinstance(item, str):
            return read_duration(item)
        number = self.number(item)
        return None if number is None else (number, "")

    def range(self, item: object) -> tuple[object, object] | None:
        return (item.start, item.end) if isinstance(item, _Range) else None

    def schedule(self, item: object) -> Node | None:
        if isinstance(item, str):
            from .parse import parse

            return parse(item)
        return lift(item)

    def items(self, item: object, brackets: Literal["list", "tuple"]) -> Sequence[object] | None:
        return list(item) if isinstance(item, (list, tuple)) else None

    def what(self, item: object) -> str:
        if self.number(item) is not None:
            return "a number"
        if isinstance(item, str):
            respelt = respell_duration(item)
            return f"the text {item!r}" + (f" ({respelt})" if respelt else "")
        if isinstance(item, Node):
            return "a schedule"
        if isinstance(item, _Range):
            return "a range"
        return f"a {type(item).__name__}"


_READER = _PythonReader()


def _signature(form: Form) -> inspect.Signature:
    parameters: list[inspect.Parameter] = []
    for param in form.params:
        if param.variadic:
            parameters.append(inspect.Parameter(param.python_name, inspect.Parameter.VAR_POSITIONAL))
        elif param.kind == "range":
            for name in param.fields:
                parameters.append(inspect.Parameter(name, inspect.Parameter.POSITIONAL_OR_KEYWORD))
        else:
            kind = inspect.Parameter.KEYWORD_ONLY if param.keyword else inspect.Parameter.POSITIONAL_OR_KEYWORD
            default = inspect.Parameter.empty if param.required else param.default
            if isinstance(default, Duration):
                default = str(default)
            parameters.append(inspect.Parameter(param.python_name, kind, default=default))
    return inspect.Signature(parameters, return_annotation="Node")


def _builder(form: Form) -> Callable[..., Node]:
    python_names = {param.python_name: param.name for param in form.keywords}
    none_by_default = {param.python_name for param in form.keywords if param.default is None}
    positional = form.positional

    def build(*args: Any, **kwargs: Any) -> Node:
        items: list[object] = []
        if form.variadic is not None:
            items = list(args)
        else:
            remaining = list(args)
            for param in positional:
                if not remaining:
                    break
                if param.kind == "range" and len(remaining) >= 2:
                    items.append(_Range(remaining.pop(0), remaining.pop(0)))
                else:
                    items.append(remaining.pop(0))
            items.extend(remaining)  # too many: bind says how many the form takes
        keywords = [
            (python_names.get(name, name), value, value)
            for name, value in kwargs.items()
            if not (value is None and name in none_by_default)  # `times=None`: the default, as in Python
        ]
        try:
            fields, origins = bind(form, items, keywords, _READER)
            return construct(form, fields, origins)
        except BindFailure as failure:
            raise failure.error from None

    build.__name__ = build.__qualname__ = form.name
    build.__module__ = "paramsched"
    build.__doc__ = f"{form.summary}\n\nText: `{form.usage}`. Returns the node; `str()` gives its text."
    build.__signature__ = _signature(form)  # type: ignore[attr-defined]
    return build


BUILDERS: dict[str, Callable[..., Node]] = {name: _builder(form) for name, form in FORMS.items()}
"""One builder per form of the language, by the form's name."""

__all__ = ["BUILDERS", *BUILDERS]

const = BUILDERS["const"]
linear = BUILDERS["linear"]
cosine = BUILDERS["cosine"]
exp = BUILDERS["exp"]
poly = BUILDERS["poly"]
sqrt = BUILDERS["sqrt"]
tanh = BUILDERS["tanh"]
rsqrt = BUILDERS["rsqrt"]
triangle = BUILDERS["triangle"]
step = BUILDERS["step"]
multistep = BUILDERS["multistep"]
piecewise = BUILDERS["piecewise"]
repeat = BUILDERS["repeat"]
warmup = BUILDERS["warmup"]
min = BUILDERS["min"]
max = BUILDERS["max"]
