"""The schedule AST: frozen pydantic models that validate themselves.

Text (`parse`) and mappings or JSON (`load`) both end up constructing these models, so a schedule is
checked by the same code, with the same error and message, whichever way it arrives. Checks that need
`total` or `steps_per_epoch` (units) are the compiler's; everything decidable from the structure is here.

Every node knows two things computed once at construction from its children: its nesting depth (bounded
by MAX_DEPTH, so recursive code over a node can never hit Python's recursion limit) and its structural
extent ("zero", "finite" or "infinite" events), which decides what may stand before `then`.
"""

from __future__ import annotations

import difflib
import json
import math
import sys
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, TypeVar, Union, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    RootModel,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from paramsched._exceptions import (
    DurationError,
    LimitError,
    NonFiniteValueError,
    ScheduleArgumentError,
    ScheduleError,
    ScheduleSyntaxError,
    UnitError,
    UnknownNameError,
)
from paramsched._scanner import DURATION_TEXT, NUMBER

__all__ = [
    "KINDS",
    "MAX_DEPTH",
    "MAX_EVENTS",
    "BinaryOp",
    "Const",
    "Constant",
    "Cosine",
    "Duration",
    "DurationInput",
    "Exp",
    "Extent",
    "Extremum",
    "Linear",
    "MultiStep",
    "Negate",
    "Node",
    "Piecewise",
    "Poly",
    "Repeat",
    "Rsqrt",
    "Schedule",
    "Sqrt",
    "Step",
    "Tanh",
    "Then",
    "Triangle",
    "Warmup",
    "build",
    "check_root",
    "format_number",
    "json_schema",
    "load",
    "node_depth",
    "structural_duration",
]

MAX_EVENTS = 10**15
"""Largest duration, in events, that a schedule may name (far beyond any training run)."""

MAX_DEPTH = 100
"""Deepest nesting of schedule nodes; deeper input raises LimitError instead of exhausting the stack."""

_MAX_CONTAINER_DEPTH = 2 * MAX_DEPTH + 8  # dicts and lists in a mapping: a node costs at most two levels

Extent = Literal["zero", "finite", "infinite"]
_EXTENT_ORDER: dict[str, int] = {"zero": 0, "finite": 1, "infinite": 2}

_EVENT_FACTORS: dict[str, int] = {"": 1, "k": 1_000, "M": 1_000_000}
_RANGE_SHAPES = ("linear", "cosine", "exp", "poly", "sqrt", "tanh", "triangle")


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly `value`; integral values print without `.0`."""
    if value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
        return "-0" if text == "0" and math.copysign(1.0, value) < 0 else text
    return repr(value)


def _problem(cls: type[ScheduleError], message: str, *where: str | int) -> ScheduleError:
    """An error raised inside a validator; `where` is the path, below the node, of the culprit."""
    error = cls(message)
    setattr(error, "_where", where)  # noqa: B010 - read back by _explain, not part of the class
    return error


def _finite(value: float, info: ValidationInfo) -> float:
    if not math.isfinite(value):
        raise NonFiniteValueError(f"{info.field_name} must be a finite number, got {value!r}")
    return value


Real = Annotated[float, Field(strict=True), AfterValidator(_finite)]
"""A finite float; ints are accepted and become floats, bools and strings are not."""


def _exact(amount: float) -> Decimal:
    """The decimal the user wrote: the shortest decimal that reads back as this float."""
    return Decimal(repr(amount))


def _plain_amount(amount: float) -> float:
    """-0.0 + 0.0 is 0.0: "-0 events" prints and compares as 0."""
    return amount + 0.0


def _raising_schedule_errors(self: BaseModel, /, **data: Any) -> None:
    """`__init__` of the AST models: direct construction raises ScheduleError subclasses, like `load`."""
    try:
        BaseModel.__init__(self, **data)
    except ValidationError as error:
        raise schedule_error(error, root_is_union=False) from None


# Not a custom __init__ as far as pydantic is concerned, so nested mappings are validated without it.
_raising_schedule_errors.__pydantic_base_init__ = True  # type: ignore[attr-defined]


class Duration(BaseModel):
    """A length of time: whole events, thousands (k), millions (M), epochs (ep) or percent of the run (%)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["duration"] = "duration"

    if not TYPE_CHECKING:  # type checkers keep the field-by-field signature pydantic declares
        __init__ = _raising_schedule_errors

    amount: Real
    unit: Literal["", "k", "M", "ep", "%"] = ""

    @field_validator("amount", mode="after")
    @classmethod
    def _no_negative_zero(cls, amount: float) -> float:
        return _plain_amount(amount)

    @model_validator(mode="after")
    def _validate_duration(self) -> Duration:
        self._settle()
        return self

    def _settle(self) -> None:
        """The checks of a duration whose fields are typed and normalised (by validation or by `build`)."""
        amount = self.amount
        if amount < 0:
            raise _problem(ScheduleArgumentError, f"a duration must not be negative, got {self}", "amount")
        factor = _EVENT_FACTORS.get(self.unit)
        if factor is not None:
            if factor == 1 and amount.is_integer() and amount <= MAX_EVENTS:
                return  # whole events within the limit: the exact checks below would pass
            events = _exact(amount) * factor
            if events != events.to_integral_value():
                raise _problem(
                    ScheduleArgumentError,
                    f"a duration in events must be a whole number, got {self}",
                    "amount",
                )
            if events > MAX_EVENTS:
                raise _problem(LimitError, f"a duration of {self} is more than 10**15 events", "amount")

    def __str__(self) -> str:
        return format_number(self.amount) + self.unit

    @property
    def needs(self) -> Literal["total", "steps_per_epoch"] | None:
        """Which run setting resolving this duration needs, if any."""
        return "total" if self.unit == "%" else "steps_per_epoch" if self.unit == "ep" else None

    def events(self, total: int | None = None, steps_per_epoch: int | None = None) -> int:
        """Resolve to whole events.

        `ep` and `%` are rounded half to even on the exact decimal the user wrote (so `0.35ep` of 10 steps
        is 3.5 → 4, not 3.4999… → 3). Raises UnitError when the needed setting is missing.
        """
        amount = _exact(self.amount)
        factor = _EVENT_FACTORS.get(self.unit)
        if factor is not None:
            return int(amount * factor)
        if self.unit == "ep":
            if steps_per_epoch is None:
                raise UnitError(f"duration '{self}' needs `steps_per_epoch`")
            _check_setting("steps_per_epoch", steps_per_epoch, minimum=1)
            exact = amount * steps_per_epoch
        else:
            if total is None:
                raise UnitError(f"duration '{self}' needs `total`")
            _check_setting("total", total, minimum=0)
            exact = amount * total / 100
        events = int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))
        if events > MAX_EVENTS:
            raise LimitError(f"duration '{self}' resolves to {events} events, more than 10**15")
        return events


def _short_duration(value: object) -> object:
    """In a mapping, a duration may be a number of events (`5`) or text (`"10k"`, `"3ep"`, `"5%"`)."""
    if isinstance(value, bool):
        return value  # not a number here either: refused as a Duration
    if isinstance(value, (int, float)):
        return {"amount": value}
    if isinstance(value, str):
        match = DURATION_TEXT.fullmatch(value)
        if match is None:
            raise ScheduleArgumentError(
                f"a duration is a number of events or text like '500', '10k', '2M', '3ep' or '5%', got {value!r}"
            )
        sign, number, unit = match.groups()
        return {"amount": float(sign + number), "unit": unit or ""}
    return value


_DURATION_NUMBER = Annotated[float, Field(ge=0, description="a whole number of events")]
_DURATION_STRING = Annotated[
    str,
    Field(
        pattern=f"^{NUMBER}(k|M|ep|%)?$",
        description="a number with an optional unit: k (x1,000), M (x1,000,000), ep (epochs), % (of the run)",
        examples=["500", "10k", "2M", "3ep", "5%"],
    ),
]

DurationInput = Annotated[
    Duration,
    BeforeValidator(
        _short_duration,
        json_schema_input_type=Union[_DURATION_NUMBER, _DURATION_STRING, Duration],  # noqa: UP007
    ),
]
"""A Duration field: in a mapping, the full `{"kind": "duration", ...}` form, a number or a string."""


def _check_setting(name: str, value: object, *, minimum: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise ScheduleArgumentError(f"`{name}` must be a whole number ≥ {minimum}, got {value!r}")


_NO_WARMUP = Duration(amount=0.0)


class _Node(BaseModel):
    """Shared behaviour: depth and extent bookkeeping, and the rule that warmup stands only before `then`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str  # first in every node, narrowed to a Literal by each subclass
    call_name: ClassVar[str] = ""

    if not TYPE_CHECKING:  # type checkers keep the field-by-field signature pydantic declares
        __init__ = _raising_schedule_errors

    def children(self) -> tuple[Node, ...]:
        """The schedule nodes directly inside this one."""
        return ()

    def _own_extent(self) -> Extent:
        return _widest(_extent(child) for child in self.children())

    def _check(self) -> None:
        """Structural checks of this node; children are already valid."""

    @model_validator(mode="after")
    def _validate_node(self) -> _Node:
        if self.__pydantic_private__ is not None:
            return self  # pydantic reruns after-validators on nodes passed in as fields: checked already
        self._settle()
        return self

    def _settle(self) -> None:
        """Every check of a node whose fields are typed and normalised, by validation or by `build`.

        The one place the structural rules run; it also records the node's depth and extent.
        """
        self._check_warmup_children()
        self._check()
        depth = 0
        for child in self.children():
            child_depth = _depth(child)
            if child_depth > depth:
                depth = child_depth
        depth += 1
        if depth > MAX_DEPTH:
            raise _problem(LimitError, f"the schedule is nested more than {MAX_DEPTH} levels deep")
        # Stored where pydantic keeps private attributes, without declaring any: declared private
        # attributes cost more to initialise than the whole node. Equal nodes get equal facts.
        object.__setattr__(self, "__pydantic_private__", {"depth": depth, "extent": self._own_extent()})

    def _check_warmup_children(self) -> None:
        for child in self.children():
            if isinstance(child, Warmup):
                raise _problem(DurationError, _WARMUP_PLACE)


def _facts(node: _Node) -> dict[str, Any]:
    facts = node.__pydantic_private__
    if facts is None:  # made by model_construct, which skips validation: work them out now
        depth = 1 + max((_depth(child) for child in node.children()), default=0)
        facts = {"depth": depth, "extent": node._own_extent()}
    return facts


def _depth(node: _Node) -> int:
    depth: int = _facts(node)["depth"]
    return depth


def _extent(node: _Node) -> Extent:
    extent: Extent = _facts(node)["extent"]
    return extent


_WARMUP_PLACE = "warmup(...) can only stand right before `then`: it ramps to the value the next part starts at"


def _widest(extents: Any) -> Extent:
    widest: Extent = "zero"
    for extent in extents:
        if _EXTENT_ORDER[extent] > _EXTENT_ORDER[widest]:
            widest = extent
    return widest


def _span(duration: Duration) -> Extent:
    return "zero" if duration.amount == 0 else "finite"


class Constant(_Node):
    """A bare number: holds forever and has no length of its own (duration 0)."""

    kind: Literal["constant"] = "constant"
    value: Real


class Const(_Node):
    """`const(v, d)`: v for d events."""

    kind: Literal["const"] = "const"
    call_name: ClassVar[str] = "const"
    value: Real
    duration: DurationInput

    def _own_extent(self) -> Extent:
        return _span(self.duration)


class _Ranged(_Node):
    """A shape going from `start` to `end` over `duration`."""

    start: Real
    end: Real
    duration: DurationInput

    def _own_extent(self) -> Extent:
        return _span(self.duration)


def _positive(node: _Node, field: str, value: float) -> None:
    if not value > 0:
        raise _problem(
            ScheduleArgumentError,
            f"{node.call_name}() {field} must be > 0, got {format_number(value)}",
            field,
        )


class Linear(_Ranged):
    """`linear(a -> b, d)`."""

    kind: Literal["linear"] = "linear"
    call_name: ClassVar[str] = "linear"


class Cosine(_Ranged):
    """`cosine(a -> b, d, power=p)`: half a cosine; `power` is optax's exponent."""

    kind: Literal["cosine"] = "cosine"
    call_name: ClassVar[str] = "cosine"
    power: Real = 1.0

    def _check(self) -> None:
        _positive(self, "power", self.power)


class Exp(_Ranged):
    """`exp(a -> b, d)`: geometric interpolation, so the endpoints must be nonzero and of one sign."""

    kind: Literal["exp"] = "exp"
    call_name: ClassVar[str] = "exp"

    def _check(self) -> None:
        if not ((self.start > 0 and self.end > 0) or (self.start < 0 and self.end < 0)):
            raise _problem(
                ScheduleArgumentError,
                "exp() needs start and end nonzero and of the same sign, got "
                f"{format_number(self.start)} -> {format_number(self.end)}",
            )


class Poly(_Ranged):
    """`poly(a -> b, d, power=p)`."""

    kind: Literal["poly"] = "poly"
    call_name: ClassVar[str] = "poly"
    power: Real = 1.0

    def _check(self) -> None:
        _positive(self, "power", self.power)


class Sqrt(_Ranged):
    """`sqrt(a -> b, d)`: the "1-sqrt" decay of warmup-stable-decay schedules."""

    kind: Literal["sqrt"] = "sqrt"
    call_name: ClassVar[str] = "sqrt"


class Tanh(_Ranged):
    """`tanh(a -> b, d, lower=-7, upper=3)`: timm's tanh schedule."""

    kind: Literal["tanh"] = "tanh"
    call_name: ClassVar[str] = "tanh"
    lower: Real = -7.0
    upper: Real = 3.0

    def _check(self) -> None:
        if not self.lower < self.upper:
            raise _problem(
                ScheduleArgumentError,
                f"tanh() needs lower < upper, got lower={format_number(self.lower)}, upper={format_number(self.upper)}",
                "upper",
            )


class Triangle(_Ranged):
    """`triangle(a -> b, d)`: a to b and back to a."""

    kind: Literal["triangle"] = "triangle"
    call_name: ClassVar[str] = "triangle"


class Rsqrt(_Node):
    """`rsqrt(a, timescale=s)`: inverse square root decay, infinite."""

    kind: Literal["rsqrt"] = "rsqrt"
    call_name: ClassVar[str] = "rsqrt"
    value: Real
    timescale: DurationInput

    def _check(self) -> None:
        if self.timescale.amount == 0:
            raise _problem(ScheduleArgumentError, "rsqrt() timescale must be > 0", "timescale")

    def _own_extent(self) -> Extent:
        return "infinite"


class Step(_Node):
    """`step(a, every=k, gamma=g)`: a·g^floor(t/k), infinite."""

    kind: Literal["step"] = "step"
    call_name: ClassVar[str] = "step"
    value: Real
    every: DurationInput
    gamma: Real

    def _check(self) -> None:
        if self.every.amount == 0:
            raise _problem(ScheduleArgumentError, "step() every must be > 0", "every")

    def _own_extent(self) -> Extent:
        return "infinite"


def _dimension(duration: Duration) -> str:
    return "events" if duration.unit in _EVENT_FACTORS else duration.unit


def _check_not_decreasing(node: _Node, field: str, milestones: list[Duration]) -> None:
    """Milestones in one dimension must not go back; mixed units are compared by the compiler."""
    last: dict[str, tuple[Decimal, Duration]] = {}
    for index, milestone in enumerate(milestones):
        dimension = _dimension(milestone)
        exact = _exact(milestone.amount) * _EVENT_FACTORS.get(milestone.unit, 1)
        if dimension in last and exact < last[dimension][0]:
            raise _problem(
                ScheduleArgumentError,
                f"{node.call_name}() milestones must not decrease, got {milestone} after {last[dimension][1]}",
                field,
                index,
            )
        last[dimension] = (exact, milestone)


class MultiStep(_Node):
    """`multistep(a, at=[m1, m2, …], gamma=g)`: a·g^(number of mi ≤ t)."""

    kind: Literal["multistep"] = "multistep"
    call_name: ClassVar[str] = "multistep"
    value: Real
    at: tuple[DurationInput, ...]
    gamma: Real

    def _check(self) -> None:
        if not self.at:
            raise _problem(ScheduleArgumentError, "multistep() needs at least one milestone in `at`", "at")
        _check_not_decreasing(self, "at", list(self.at))

    def _own_extent(self) -> Extent:
        return _widest(_span(milestone) for milestone in self.at)


class Piecewise(_Node):
    """`piecewise((m0, v0), (m1, v1), …)`: ignite's PiecewiseLinear."""

    kind: Literal["piecewise"] = "piecewise"
    call_name: ClassVar[str] = "piecewise"
    points: tuple[tuple[DurationInput, Real], ...]

    def _check(self) -> None:
        if not self.points:
            raise _problem(ScheduleArgumentError, "piecewise() needs at least one (milestone, value) point")
        _check_not_decreasing(self, "points", [milestone for milestone, _ in self.points])

    def _own_extent(self) -> Extent:
        return _widest(_span(milestone) for milestone, _ in self.points)


class Repeat(_Node):
    """`repeat(S, times=n, cycle_mult=…, start_mult=…, end_mult=…, warmup=d)`: ignite's CyclicalScheduler."""

    kind: Literal["repeat"] = "repeat"
    call_name: ClassVar[str] = "repeat"
    body: Node
    times: Annotated[int, Field(strict=True)] | None = None
    cycle_mult: Real = 1.0
    start_mult: Real = 1.0
    end_mult: Real = 1.0
    warmup: DurationInput = _NO_WARMUP

    def children(self) -> tuple[Node, ...]:
        return (self.body,)

    def _check(self) -> None:
        if self.times is not None and not 1 <= self.times <= MAX_EVENTS:
            raise _problem(
                ScheduleArgumentError,
                f"repeat() times must be between 1 and 10**15, got {self.times}",
                "times",
            )
        _positive(self, "cycle_mult", self.cycle_mult)
        extent = _extent(self.body)
        if extent != "finite":
            reason = "never ends" if extent == "infinite" else "lasts 0 events"
            raise _problem(
                DurationError,
                f"repeat() needs a body of finite, nonzero duration; {_describe(self.body)} {reason}",
                "body",
            )
        shaped = self.start_mult != 1 or self.end_mult != 1 or self.warmup.amount != 0
        if shaped and self.body.kind not in _RANGE_SHAPES:
            raise _problem(
                ScheduleArgumentError,
                "repeat() with start_mult, end_mult or warmup needs a body that is one shape with a range "
                f"({', '.join(_RANGE_SHAPES)}), not {self.body.kind}",
                "body",
            )
        if self.body.kind == "exp":
            for field in ("start_mult", "end_mult"):
                _positive(self, field, getattr(self, field))

    def _own_extent(self) -> Extent:
        return "infinite" if self.times is None else "finite"


class Warmup(_Node):
    """`warmup(d, from=v)`: a ramp from v to wherever the next part of a `then` starts."""

    kind: Literal["warmup"] = "warmup"
    call_name: ClassVar[str] = "warmup"
    duration: DurationInput
    start: Real = 0.0

    def _own_extent(self) -> Extent:
        return _span(self.duration)


class Then(_Node):
    """`A then B then …`: each part starts its own clock when the previous one ends. Always flat."""

    kind: Literal["then"] = "then"
    parts: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.parts

    @field_validator("parts", mode="after")
    @classmethod
    def _flatten(cls, parts: tuple[Node, ...]) -> tuple[Node, ...]:
        return _flat_parts(parts)

    def _check_warmup_children(self) -> None:
        last = len(self.parts) - 1
        for index, part in enumerate(self.parts):
            if not isinstance(part, Warmup):
                continue
            if index == last:
                raise _problem(DurationError, _WARMUP_PLACE, "parts", index)
            if isinstance(self.parts[index + 1], Warmup):
                raise _problem(
                    DurationError,
                    "a warmup must be followed by a schedule, not by another warmup",
                    "parts",
                    index + 1,
                )

    def _check(self) -> None:
        if len(self.parts) < 2:
            raise _problem(ScheduleArgumentError, "`then` needs at least two parts", "parts")
        for index, part in enumerate(self.parts[:-1]):
            extent = _extent(part)
            if extent == "infinite":
                raise _problem(
                    DurationError,
                    f"an infinite part before `then`: {_describe(part)} never ends, "
                    "so the parts after it would never start",
                    "parts",
                    index,
                )
            if extent == "zero":
                hint = (
                    "a bare number has no length of its own; write const(v, d) to hold v for d events"
                    if isinstance(part, Constant)
                    else "every part before `then` must last at least one event"
                )
                raise _problem(
                    DurationError,
                    f"a zero-length part before `then`: {_describe(part)} lasts 0 events; {hint}",
                    "parts",
                    index,
                )

    def _own_extent(self) -> Extent:
        return "infinite" if _extent(self.parts[-1]) == "infinite" else "finite"


def _flat_parts(parts: tuple[Node, ...]) -> tuple[Node, ...]:
    """`(A then B) then C` is the same schedule as `A then B then C`: keep one canonical form."""
    if not any(isinstance(part, Then) for part in parts):
        return parts
    flat: list[Node] = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, Then) else (part,))
    return tuple(flat)


class BinaryOp(_Node):
    """`A + B`, `A - B`, `A * B`, `A / B`: pointwise on one clock; lasts as long as the longer operand."""

    kind: Literal["binary"] = "binary"
    op: Literal["+", "-", "*", "/"]
    left: Node
    right: Node

    def children(self) -> tuple[Node, ...]:
        return (self.left, self.right)

    def _check(self) -> None:
        if self.op == "/" and isinstance(self.right, Constant) and self.right.value == 0:
            raise _problem(NonFiniteValueError, "division by the constant 0", "right")


class Negate(_Node):
    """`-A` for a schedule A (a negative number literal is a Constant)."""

    kind: Literal["negate"] = "negate"
    operand: Node

    def children(self) -> tuple[Node, ...]:
        return (self.operand,)


class Extremum(_Node):
    """`min(A, B, …)` and `max(A, B, …)`: pointwise."""

    kind: Literal["extremum"] = "extremum"
    fn: Literal["min", "max"]
    args: tuple[Node, ...]

    def children(self) -> tuple[Node, ...]:
        return self.args

    def _check(self) -> None:
        if len(self.args) < 2:
            raise _problem(ScheduleArgumentError, f"{self.fn}() needs at least two schedules", "args")


Node = Annotated[
    Union[  # noqa: UP007 - a discriminated union needs the explicit Union form on Python 3.10
        Constant,
        Const,
        Linear,
        Cosine,
        Exp,
        Poly,
        Sqrt,
        Tanh,
        Rsqrt,
        Triangle,
        Step,
        MultiStep,
        Piecewise,
        Repeat,
        Warmup,
        Then,
        BinaryOp,
        Negate,
        Extremum,
    ],
    Field(discriminator="kind"),
]
"""Any schedule node; mappings choose the model by their `kind`."""

_MODELS: tuple[type[_Node], ...] = (
    Constant,
    Const,
    Linear,
    Cosine,
    Exp,
    Poly,
    Sqrt,
    Tanh,
    Rsqrt,
    Triangle,
    Step,
    MultiStep,
    Piecewise,
    Repeat,
    Warmup,
    Then,
    BinaryOp,
    Negate,
    Extremum,
)
MODEL_BY_KIND: dict[str, type[_Node]] = {model.model_fields["kind"].default: model for model in _MODELS}
KINDS: tuple[str, ...] = tuple(MODEL_BY_KIND)

for _model in _MODELS:
    _model.model_rebuild()


# --- trusted construction --------------------------------------------------------------------------------

_REQUIRED: Any = object()
_set = object.__setattr__
_new = object.__new__


def _trusted_recipe(model: type[BaseModel]) -> tuple[dict[str, Any], tuple[tuple[str, Any], ...]]:
    """The defaults of `model` (in field order) and its after field validators, taken from pydantic itself.

    So `build` applies exactly the normalisations validation applies (`Duration.amount` drops the sign of
    zero, `Then.parts` is flattened), and nothing else. Models with other kinds of field validators
    would need more than this: refuse them here rather than build them wrongly.
    """
    template = {name: _REQUIRED if info.is_required() else info.default for name, info in model.model_fields.items()}
    normalisers: list[tuple[str, Any]] = []
    for name, decorator in model.__pydantic_decorators__.field_validators.items():
        if decorator.info.mode != "after":  # pragma: no cover - a guard for future models
            raise TypeError(f"build() cannot apply the {decorator.info.mode} validator {name} of {model.__name__}")
        normalisers.extend((field, getattr(model, name)) for field in decorator.info.fields)
    return template, tuple(normalisers)


_RECIPES: dict[type[BaseModel], tuple[dict[str, Any], tuple[tuple[str, Any], ...]]] = {
    model: _trusted_recipe(model) for model in (*_MODELS, cast(type[BaseModel], Duration))
}

_Built = TypeVar("_Built", bound=BaseModel)


def build(model: type[_Built], fields: dict[str, Any]) -> _Built:
    """A node (or Duration) from `fields` that already have their validated types: a fast `model(**fields)`.

    For the fast parser, whose values are finite floats, Durations, nodes, tuples and the literal strings
    of `op`, `fn` and `unit`, so pydantic's type checks could only confirm them. The normalising field
    validators and the structural checks (`_settle`, the same code the model validators run) do run, and
    raise the same ScheduleError subclass and message as validation would (without the field path). The
    result equals, hashes, dumps and unparses exactly as the validated model.
    """
    template, normalisers = _RECIPES[model]
    values = template.copy()
    values.update(fields)
    for field, normalise in normalisers:
        values[field] = normalise(values[field])
    node = _new(model)  # BaseModel has no __new__ of its own
    _set(node, "__dict__", values)
    _set(node, "__pydantic_fields_set__", set(fields))
    _set(node, "__pydantic_extra__", None)
    _set(node, "__pydantic_private__", None)
    node._settle()  # type: ignore[attr-defined]  # every model in _RECIPES has one
    return node


class Schedule(RootModel[Node]):
    """A whole schedule; its JSON Schema describes the language as nested mappings."""


_NODE_ADAPTER: TypeAdapter[Node] = TypeAdapter(Node)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a schedule given as nested mappings (what `load` accepts)."""
    return Schedule.model_json_schema()


def structural_duration(node: Node) -> Extent:
    """Whether a node lasts zero, finitely many or infinitely many events, before resolving units.

    Zero here only comes from literal zero amounts; `5%` of a short run may still resolve to 0 events,
    which the compiler checks.
    """
    return _extent(node)


def node_depth(node: Node) -> int:
    """Nesting depth of a node (a leaf is 1); never more than MAX_DEPTH."""
    return _depth(node)


def _describe(node: Node) -> str:
    from paramsched._unparse import unparse  # the AST module must not depend on unparse at import time

    text = unparse(node)
    return f"`{text if len(text) <= 60 else text[:59] + '…'}`"


def check_root(node: Node) -> Node:
    """Checks that only apply to a whole schedule: a warmup must be followed by something."""
    if isinstance(node, Warmup):
        raise DurationError(_WARMUP_PLACE)
    return node


# --- pydantic errors → ScheduleError -------------------------------------------------------------------

_NODE_FIELDS = frozenset({"body", "left", "right", "operand"})
_NODE_SEQUENCE_FIELDS = frozenset({"parts", "args"})


def explain(error: ValidationError, *, root_is_union: bool) -> tuple[type[ScheduleError], str, tuple[str | int, ...]]:
    """The ScheduleError class, core message and field path (tags removed) of a pydantic error.

    Validators raise ScheduleError subclasses; pydantic keeps the original in `ctx["error"]`, so the
    class and message survive. Pydantic's own errors (missing, extra, wrong type) are translated.
    """
    errors = error.errors()
    # a misspelt field is both "extra" and "missing": naming the misspelling (with a suggestion) helps more
    details = next((item for item in errors if item["type"] == "extra_forbidden"), errors[0])
    path, kind = _clean_path(details["loc"], root_is_union=root_is_union)
    original = details.get("ctx", {}).get("error")
    if isinstance(original, ScheduleError):
        return type(original), original.message, path + tuple(getattr(original, "_where", ()))
    problem = details["type"]
    if problem == "union_tag_invalid":
        tag = str(details.get("ctx", {}).get("tag", ""))
        return UnknownNameError, f"unknown schedule kind '{tag}'{_suggest(tag, KINDS)}", path
    if problem == "union_tag_not_found":
        return ScheduleArgumentError, "a schedule mapping needs a 'kind' field", path
    field = str(path[-1]) if path else ""
    if problem == "extra_forbidden":
        model: type[BaseModel] = Duration if _in_duration(path) or kind is None else MODEL_BY_KIND[kind]
        name = "duration" if model is Duration else kind
        known = tuple(model.model_fields)
        return UnknownNameError, f"{name} has no field '{field}'{_suggest(field, known)}", path[:-1]
    if problem == "missing":
        return ScheduleArgumentError, f"missing field '{field}'", path[:-1]
    message = str(details["msg"])
    return ScheduleArgumentError, message[0].lower() + message[1:] if message else "invalid value", path


_DURATION_FIELDS = frozenset({"duration", "timescale", "every", "warmup"})


def _in_duration(path: tuple[str | int, ...]) -> bool:
    """Whether the last item of `path` is a key inside a Duration mapping."""
    return (
        (len(path) >= 2 and path[-2] in _DURATION_FIELDS)
        or (len(path) >= 3 and path[-3] == "at")
        or (len(path) >= 4 and path[-4] == "points" and path[-2] == 0)
    )


def _suggest(name: str, known: tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, known, n=1)
    return f"; did you mean '{close[0]}'?" if close else ""


def _clean_path(loc: tuple[str | int, ...], *, root_is_union: bool) -> tuple[tuple[str | int, ...], str | None]:
    """Drop the discriminator tags pydantic puts in `loc`; also return the innermost node kind seen."""
    path: list[str | int] = []
    kind: str | None = None
    expect_tag = root_is_union
    previous: str | int | None = None
    for item in loc:
        if expect_tag and isinstance(item, str) and item in MODEL_BY_KIND:
            kind = item
            expect_tag = False
            continue
        expect_tag = (isinstance(item, str) and item in _NODE_FIELDS) or (
            isinstance(item, int) and previous in _NODE_SEQUENCE_FIELDS
        )
        path.append(item)
        previous = item
    return tuple(path), kind


def schedule_error(error: ValidationError, *, root_is_union: bool) -> ScheduleError:
    """The ScheduleError to raise for a pydantic error: the message names the field path, if any.

    The core message and the path stay available (`failure_details`) for `parse`, which positions the
    error in the text instead of naming the path.
    """
    cls, message, path = explain(error, root_is_union=root_is_union)
    converted = cls(f"{message} (at {render_path(path)})" if path else message)
    setattr(converted, "_details", (message, path))  # noqa: B010 - see failure_details
    return converted


def failure_details(error: ScheduleError) -> tuple[str, tuple[str | int, ...]]:
    """The core message and field path of an error from `schedule_error` (or of any ScheduleError)."""
    details: tuple[str, tuple[str | int, ...]] = getattr(error, "_details", (error.message, ()))
    return details


def render_path(path: tuple[str | int, ...]) -> str:
    """`("parts", 1, "duration")` → `parts[1].duration`."""
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else item)
    return text


# --- load ------------------------------------------------------------------------------------------------


def load(data: Mapping[str, Any] | str | Node) -> Node:
    """A node from nested mappings (YAML, JSON objects) or JSON text, with the same checks as `parse`."""
    if isinstance(data, _Node):
        return check_root(data)
    plain = _plain(_json_mapping(data) if isinstance(data, str) else data, 0)
    try:
        node = _NODE_ADAPTER.validate_python(plain)
    except ValidationError as error:
        raise schedule_error(error, root_is_union=True) from None
    return check_root(node)


def _plain(data: object, depth: int) -> object:
    """Mappings to dicts and sequences to lists, refusing nesting that could exhaust the stack."""
    if depth > _MAX_CONTAINER_DEPTH:
        raise LimitError(f"the schedule is nested more than {MAX_DEPTH} levels deep")
    if isinstance(data, Mapping):
        return {key: _plain(value, depth + 1) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(value, depth + 1) for value in data]
    return data


def _json_mapping(text: str) -> object:
    depth = 0
    in_string = escaped = False
    for character in text:  # json.loads recurses per level: measure nesting before handing it over
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            if depth > _MAX_CONTAINER_DEPTH:
                raise LimitError(f"the schedule is nested more than {MAX_DEPTH} levels deep")
        elif character in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleSyntaxError(f"invalid JSON: {error.msg}").at(text, error.lineno, error.colno) from None
    except ValueError as error:  # e.g. Python's limit on the digits of an integer
        raise LimitError(f"invalid JSON: {error}") from None


if __name__ == "__main__":  # `python -m paramsched._ast` prints the JSON Schema
    json.dump(json_schema(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
