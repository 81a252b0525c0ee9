"""The schedule AST: frozen pydantic models that validate themselves, one class per form of the language.

Each call class is the form's declaration (see forms.py): its `kind` is the call's name, its fields
marked with `Arg` are the arguments in order, their defaults the defaults, and its `check` the rules.
Text (`parse`), mappings or JSON (`load`) and Python (`ps.cosine(...)`, operators on nodes) all end up
constructing these models, so a schedule is checked by the same code, with the same error class and
message, whichever way it arrives. Checks that need `total` or `steps_per_epoch` (units) belong to the
layer below; everything decidable from the structure is here.

Every node knows three facts, computed once at construction and kept out of equality: its nesting depth
(bounded by MAX_DEPTH, so recursive code over a node never hits Python's recursion limit), its structural
extent ("zero", "finite" or "infinite" events: what may stand before `then`), and, for a node parsed from
text, where it stands in that text (so that errors found later point at it).

Nodes compose in Python: `+ - * /` with nodes or numbers on either side, unary `-`, and `A >> B`
(or `A.then(B)`) for `A then B`; `str(node)` is the canonical text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING, Annotated, Any, Literal, Union, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
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
)
from paramsched._limits import MAX_DEPTH, MAX_EVENTS, MAX_EVENTS_TEXT

from .errors import failure_details, raising_schedule_errors, with_path
from .forms import Arg, CallName, Form, forms_of
from .lexemes import DURATION_PATTERN, EVENT_FACTORS, Unit, read_duration

__all__ = [
    "FORMS",
    "MODELS",
    "RANGE_SHAPES",
    "AnyNode",
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
    "OpenChain",
    "Piecewise",
    "Poly",
    "Repeat",
    "Rsqrt",
    "Sqrt",
    "Step",
    "Tanh",
    "Then",
    "Triangle",
    "Warmup",
    "check_root",
    "check_run_settings",
    "format_number",
    "lift",
    "node_depth",
    "plain_number",
    "position_of",
    "structural_duration",
    "whole_events",
]

Extent = Literal["zero", "finite", "infinite"]
_EXTENT_ORDER: dict[str, int] = {"zero": 0, "finite": 1, "infinite": 2}

RANGE_SHAPES = ("linear", "cosine", "exp", "poly", "sqrt", "tanh", "triangle")
"""The shapes with a range `a -> b`: what `repeat`'s multipliers and warmup need as their body."""


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly `value`; integral values print without `.0`."""
    if value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
        return "-0" if text == "0" and math.copysign(1.0, value) < 0 else text
    return repr(value)


def _finite(value: float, info: ValidationInfo) -> float:
    if not math.isfinite(value):
        raise NonFiniteValueError(f"{info.field_name} must be a finite number, got {value!r}")
    return value


Real = Annotated[float, Field(strict=True), AfterValidator(_finite)]
"""A finite float; ints are accepted and become floats, bools and strings are not."""


def _exact(amount: float) -> Decimal:
    """The decimal the user wrote: the shortest decimal that reads back as this float."""
    return Decimal(repr(amount))


def check_run_settings(total: int | None, steps_per_epoch: int | None) -> None:
    """The run settings that resolve units: each absent (None) or a whole number of events ≥ 1."""
    for name, value in (("total", total), ("steps_per_epoch", steps_per_epoch)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ScheduleArgumentError(f"`{name}` must be a positive whole number of events, got {value!r}")


class Duration(BaseModel):
    """A length of time: whole events, thousands (k), millions (M), epochs (ep) or percent of the run (%).

    `k` and `M` multiply exactly; `ep` (× steps_per_epoch) and `%` (× total / 100) round half to even on
    the exact decimal the user wrote, so `0.35ep` of 10 steps is 3.5 → 4, not 3.4999… → 3.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["duration"] = "duration"

    if not TYPE_CHECKING:  # type checkers keep the field-by-field signature pydantic declares
        __init__ = raising_schedule_errors

    amount: Real
    unit: Unit = ""

    @field_validator("amount", mode="after")
    @classmethod
    def _no_negative_zero(cls, amount: float) -> float:
        return amount + 0.0  # -0 events is 0 events

    @model_validator(mode="after")
    def _validate_duration(self) -> Duration:
        amount = self.amount
        if amount < 0:
            raise with_path(ScheduleArgumentError(f"a duration must not be negative, got {self}"), "amount")
        factor = EVENT_FACTORS.get(self.unit)
        if factor is not None:
            if factor == 1 and amount.is_integer() and amount <= MAX_EVENTS:
                return self  # whole events within the limit: the exact checks below would pass
            events = _exact(amount) * factor
            if events != events.to_integral_value():
                message = f"a duration in events must be a whole number, got {self}"
                raise with_path(ScheduleArgumentError(message), "amount")
            if events > MAX_EVENTS:
                message = f"a duration of {self} is more than {MAX_EVENTS_TEXT} events"
                raise with_path(LimitError(message), "amount")
        return self

    def __str__(self) -> str:
        return format_number(self.amount) + self.unit

    @property
    def needs(self) -> Literal["total", "steps_per_epoch"] | None:
        """Which run setting resolving this duration needs, if any."""
        return "total" if self.unit == "%" else "steps_per_epoch" if self.unit == "ep" else None

    def events(self, total: int | None = None, steps_per_epoch: int | None = None) -> int:
        """Resolve to whole events; raises UnitError when the setting it needs is missing."""
        factor = EVENT_FACTORS.get(self.unit)
        if factor == 1:
            return int(self.amount)  # whole events ≤ MAX_EVENTS, checked at construction
        return whole_events(self.exact_events(total, steps_per_epoch), str(self))

    def exact_events(self, total: int | None = None, steps_per_epoch: int | None = None) -> Decimal:
        """The events this duration stands for in exact decimal arithmetic, before any rounding:
        `amount · total / 100` for `%`, `amount · steps_per_epoch` for `ep`, `amount · magnitude` else.

        A `then` chain sums these and rounds its boundaries (SPEC §2), so its parts end at `total`."""
        from paramsched._exceptions import UnitError

        factor = EVENT_FACTORS.get(self.unit)
        if factor is not None:
            return _exact(self.amount) * factor
        check_run_settings(total, steps_per_epoch)
        amount = _exact(self.amount)
        if self.unit == "ep":
            if steps_per_epoch is None:
                raise UnitError(f"duration '{self}' needs `steps_per_epoch`")
            return amount * steps_per_epoch
        if total is None:
            raise UnitError(f"duration '{self}' needs `total`")
        return amount * total / 100


def whole_events(exact: Decimal, what: str) -> int:
    """`exact` rounded to the nearest whole event (ties to even), within the limit of MAX_EVENTS;
    `what` names the duration in the error."""
    events = int(exact.to_integral_value(rounding=ROUND_HALF_EVEN))
    if events > MAX_EVENTS:
        raise LimitError(f"duration '{what}' resolves to {events} events, more than {MAX_EVENTS_TEXT}")
    return events


def _short_duration(value: object) -> object:
    """In a mapping or a builder, a duration may be a number of events (`5`) or text (`"10k"`, `"5%"`)."""
    if isinstance(value, bool):
        return value  # not a number here either: refused as a Duration
    if isinstance(value, (int, float)):
        return {"amount": value}
    if isinstance(value, str):
        read = read_duration(value)
        if read is None:
            raise ScheduleArgumentError(
                f"a duration is a number of events or text like '500', '10k', '2M', '3ep' or '5%', got {value!r}"
            )
        return {"amount": read[0], "unit": read[1]}
    return value


_DURATION_NUMBER = Annotated[float, Field(ge=0, description="a whole number of events")]
_DURATION_STRING = Annotated[
    str,
    Field(
        pattern=f"^{DURATION_PATTERN}$",
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
"""A Duration field: the full `{"kind": "duration", ...}` form, a number or a string."""

_NO_WARMUP = Duration(amount=0.0)


# --- the node base class ---------------------------------------------------------------------------------

_Facts = dict[str, Any]  # depth, extent, and "at": (text, line, column) for a node parsed from text


def _operator(op: str, *, reflected: bool = False) -> Any:
    """`node op other` (or, reflected, `other op node`) as a BinaryOp; numbers lift, other types do not."""

    def apply(self: Node, other: object) -> Node:
        return _binary(op, other, self) if reflected else _binary(op, self, other)

    apply.__name__ = f"__{'r' if reflected else ''}{_OPERATOR_NAMES[op]}__"
    apply.__doc__ = f"`{'other' if reflected else 'self'} {op} {'self' if reflected else 'other'}`, pointwise."
    return apply


_OPERATOR_NAMES = {"+": "add", "-": "sub", "*": "mul", "/": "truediv"}


class Node(BaseModel):
    """A schedule: a function from the event index t = 0, 1, 2, … to a finite float, with a duration.

    Every form of the language is a subclass; `isinstance(x, ps.Node)` tells a schedule node. Nodes are
    immutable and compare by their fields. They compose in Python as the language does in text:
    `A + B`, `0.9 - 0.05 * A`, `-A`, `A >> B` (`A then B`; Python's `>>` binds below `+ -`, as `then`
    does), and `str(node)` is the canonical text, which `ps.parse` reads back to an equal node.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: str  # first in every node, narrowed to a Literal by each subclass

    if not TYPE_CHECKING:  # type checkers keep the field-by-field signature pydantic declares
        __init__ = raising_schedule_errors

    # -- structure ------------------------------------------------------------------------------------

    def children(self) -> tuple[AnyNode, ...]:
        """The schedule nodes directly inside this one."""
        return ()

    def own_extent(self) -> Extent:
        """Whether this node lasts zero, finitely or infinitely many events (children are valid)."""
        return _widest(_extent(child) for child in self.children())

    def check(self) -> None:
        """The structural rules of this node; its children are already valid."""

    def check_children_placement(self) -> None:
        """A warmup stands only right before `then` (Then overrides this)."""
        for child in self.children():
            if isinstance(child, Warmup):
                raise with_path(DurationError(WARMUP_PLACE))

    @model_validator(mode="after")
    def _validate_node(self) -> Node:
        if self.__pydantic_private__ is not None:
            return self  # pydantic reruns after-validators on nodes passed in as fields: checked already
        self.check_children_placement()
        self.check()
        depth = 1 + max((_depth(child) for child in self.children()), default=0)
        if depth > MAX_DEPTH:
            raise with_path(LimitError(f"the schedule is nested more than {MAX_DEPTH} levels deep"))
        # Kept where pydantic keeps private attributes, without declaring any (declared ones cost more to
        # initialise than the whole node), and left out of equality (see __eq__).
        facts: _Facts = {"depth": depth, "extent": self.own_extent(), "at": None}
        object.__setattr__(self, "__pydantic_private__", facts)
        return self

    # -- value semantics ------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        """Equal fields, equal schedules: where a node came from (its position in a text) is not compared."""
        if not isinstance(other, Node):
            return NotImplemented
        return type(self) is type(other) and self.__dict__ == other.__dict__

    def __hash__(self) -> int:
        return hash((type(self), *self.__dict__.values()))

    def __str__(self) -> str:
        from .unparse import unparse  # unparse knows every node class; nodes must not import it first

        return unparse(self)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self}>"

    # -- composition ----------------------------------------------------------------------------------

    __add__ = _operator("+")
    __radd__ = _operator("+", reflected=True)
    __sub__ = _operator("-")
    __rsub__ = _operator("-", reflected=True)
    __mul__ = _operator("*")
    __rmul__ = _operator("*", reflected=True)
    __truediv__ = _operator("/")
    __rtruediv__ = _operator("/", reflected=True)

    def __neg__(self) -> Node:
        return _composed(Negate, operand=self)

    def __rshift__(self, other: object) -> Any:
        return _chain((self, other)) if lift(other) is not None else NotImplemented

    def __rrshift__(self, other: object) -> Any:
        return _chain((other, self)) if lift(other) is not None else NotImplemented

    def then(self, *parts: Node | float) -> Any:
        """`self then part then …`: each part starts its own clock when the one before it ends.

        A chain that ends in a warmup waits for the part it ramps to: `A >> ps.warmup(10)` is an
        `OpenChain`, and `A >> ps.warmup(10) >> B` (Python's `>>` groups from the left) is `A then
        warmup(10) then B`.
        """
        return _chain((self, *parts))


def plain_number(value: object) -> float | None:
    """An int or float (not a bool) as a float; None for anything else. A number too large for a float
    raises NonFiniteValueError, as the same digits in text do."""
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return None
    try:
        return float(value)
    except OverflowError:
        digits = str(value)
        raise NonFiniteValueError(
            f"the number {digits[:8]}… ({len(digits)} digits) is too large to be finite"
        ) from None


def lift(value: object) -> Node | None:
    """A node as it is, a plain number (not a bool) as a Constant; None for anything else."""
    if isinstance(value, Node):
        return value
    number = plain_number(value)
    return None if number is None else _composed(Constant, value=number)


def _binary(op: str, left: object, right: object) -> Node:
    lifted_left, lifted_right = lift(left), lift(right)
    if lifted_left is None or lifted_right is None:
        return NotImplemented  # type: ignore[no-any-return]  # Python then raises its TypeError
    return _composed(BinaryOp, op=op, left=lifted_left, right=lifted_right)


class OpenChain:
    """`A >> ps.warmup(d)`: a `then` chain whose last part is a warmup, waiting for the part the warmup
    ramps to. `>> B` or `.then(B)` completes it into a node; it is not a schedule by itself."""

    def __init__(self, parts: tuple[Node, ...]) -> None:
        self.parts = parts

    def then(self, *parts: Node | float) -> Any:
        """The chain continued by `parts` (a node once it no longer ends in a warmup)."""
        return _chain((*self.parts, *parts))

    def __rshift__(self, other: object) -> Any:
        return self.then(other) if lift(other) is not None else NotImplemented  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<OpenChain {' then '.join(map(str, self.parts))} then …>"


def _chain(parts: tuple[object, ...]) -> Any:
    """The `then` chain of `parts` (nodes, numbers or open chains); an OpenChain while it ends in a warmup."""
    flat: list[Node] = []
    for part in parts:
        if isinstance(part, OpenChain):
            flat.extend(part.parts)
            continue
        lifted = lift(part)
        if lifted is None:
            raise ScheduleArgumentError(f"then() takes schedules or numbers, not {type(part).__name__}")
        flat.append(lifted)
    if len(flat) < 2:
        raise ScheduleArgumentError("then() needs at least one part to follow")
    if isinstance(flat[-1], Warmup):
        return OpenChain(tuple(flat))
    return _composed(Then, parts=tuple(flat))


def _composed(model: type[Node], **fields: Any) -> Node:
    """A node made by Python composition; an error carries the bare message the text would give."""
    try:
        return model(**fields)
    except ScheduleError as error:
        raise type(error)(failure_details(error)[0]) from None


def _facts(node: Node) -> _Facts:
    facts: _Facts | None = node.__pydantic_private__
    if facts is None:  # made by model_construct, which skips validation: work them out now
        depth = 1 + max((_depth(child) for child in node.children()), default=0)
        facts = {"depth": depth, "extent": node.own_extent(), "at": None}
        object.__setattr__(node, "__pydantic_private__", facts)
    return facts


def _depth(node: Node) -> int:
    depth: int = _facts(node)["depth"]
    return depth


def _extent(node: Node) -> Extent:
    extent: Extent = _facts(node)["extent"]
    return extent


def mark_position(node: Node, line: int, column: int) -> None:
    """Record where `node` starts in the text being parsed (parse.py calls this; text comes later)."""
    _facts(node)["at"] = (None, line, column)


def attach_source(root: Node, text: str) -> None:
    """Give every node of a fresh parse of `text` its text, so `position_of` can show the line."""
    stack = [root]
    while stack:
        node = stack.pop()
        facts = _facts(node)
        at = facts["at"]
        if at is not None and at[0] is None:
            facts["at"] = (text, at[1], at[2])
            stack.extend(node.children())


def position_of(node: Node) -> tuple[str, int, int] | None:
    """(text, line, column) where a node parsed from text starts; None for nodes made otherwise."""
    at: tuple[str | None, int, int] | None = _facts(node)["at"]
    if at is None or at[0] is None:
        return None
    return at[0], at[1], at[2]


WARMUP_PLACE = "warmup(...) can only stand right before `then`: it ramps to the value the next part starts at"


def _widest(extents: Iterable[Extent]) -> Extent:
    widest: Extent = "zero"
    for extent in extents:
        if _EXTENT_ORDER[extent] > _EXTENT_ORDER[widest]:
            widest = extent
    return widest


def _span(duration: Duration) -> Extent:
    return "zero" if duration.amount == 0 else "finite"


def _sub_schedule(value: object) -> object:
    """In a mapping, a sub-schedule may be text (`"cosine(1 -> 0, 10)"`) or a number, as at the top."""
    if isinstance(value, bool):
        return value  # refused below as not a schedule
    if isinstance(value, (int, float)):
        return {"kind": "constant", "value": value}  # validated as a Constant's value, with its messages
    if isinstance(value, str):
        from .parse import parse  # the parser builds nodes: it imports this module, not the reverse

        return parse(value)
    return value


# --- the forms -----------------------------------------------------------------------------------------


class Constant(Node):
    """A bare number `v`: v at every event; it has no length of its own (duration 0) and holds forever."""

    kind: Literal["constant"] = "constant"
    value: Real


class Const(Node):
    """`const(v, d)`: v for d events (then, as every schedule, it holds its value)."""

    kind: Literal["const"] = "const"
    value: Annotated[Real, Arg("number")]
    duration: Annotated[DurationInput, Arg("duration")]

    def own_extent(self) -> Extent:
        return _span(self.duration)


class _Ranged(Node):
    """A shape going from `start` to `end` over `duration` events; u = min(t, d) / d."""

    start: Annotated[Real, Arg("range")]
    end: Annotated[Real, Arg("range", range_end=True)]
    duration: Annotated[DurationInput, Arg("duration")]

    def own_extent(self) -> Extent:
        return _span(self.duration)


def _positive(node: Node, field: str, value: float) -> None:
    if not value > 0:
        raise with_path(
            ScheduleArgumentError(f"{node.kind}() {field} must be > 0, got {format_number(value)}"),
            field,
        )


class Linear(_Ranged):
    """`linear(a -> b, d)`: a + (b − a)·u."""

    kind: Literal["linear"] = "linear"


class _Powered(_Ranged):
    """A shape with an exponent `power` > 0 (default 1)."""

    power: Annotated[Real, Arg("number", keyword=True)] = 1.0

    def check(self) -> None:
        _positive(self, "power", self.power)


class Cosine(_Powered):
    """`cosine(a -> b, d, power=p)`: a + (b − a)/2·(1 − cos(π·u)); with power p ≠ 1,
    b + (a − b)·((1 + cos(π·u))/2)^p (optax's `exponent`)."""

    kind: Literal["cosine"] = "cosine"


class Exp(_Ranged):
    """`exp(a -> b, d)`: a·(b/a)^u, geometric interpolation; a and b nonzero and of one sign."""

    kind: Literal["exp"] = "exp"

    def check(self) -> None:
        if not ((self.start > 0 and self.end > 0) or (self.start < 0 and self.end < 0)):
            raise with_path(
                ScheduleArgumentError(
                    "exp() needs start and end nonzero and of the same sign, got "
                    f"{format_number(self.start)} -> {format_number(self.end)}"
                )
            )


class Poly(_Powered):
    """`poly(a -> b, d, power=p)`: b + (a − b)·(1 − u)^p; p > 0, default 1."""

    kind: Literal["poly"] = "poly"


class Sqrt(_Ranged):
    """`sqrt(a -> b, d)`: a + (b − a)·√u, the "1-sqrt" cooldown of warmup-stable-decay schedules."""

    kind: Literal["sqrt"] = "sqrt"


class Tanh(_Ranged):
    """`tanh(a -> b, d, lower=-7, upper=3)`: b + (a − b)·(1 − tanh(lower + (upper − lower)·u))/2 (timm)."""

    kind: Literal["tanh"] = "tanh"
    lower: Annotated[Real, Arg("number", keyword=True)] = -7.0
    upper: Annotated[Real, Arg("number", keyword=True)] = 3.0

    def check(self) -> None:
        if not self.lower < self.upper:
            raise with_path(
                ScheduleArgumentError(
                    "tanh() needs lower < upper, got "
                    f"lower={format_number(self.lower)}, upper={format_number(self.upper)}"
                ),
                "upper",
            )


class Triangle(_Ranged):
    """`triangle(a -> b, d)`: a → b → a, b + (a − b)·|t/d − 0.5|·2 for t < d, then a."""

    kind: Literal["triangle"] = "triangle"


class Rsqrt(Node):
    """`rsqrt(a, timescale=s)`: a·√(s/(t + s)), inverse square root decay (a at t = 0); endless."""

    kind: Literal["rsqrt"] = "rsqrt"
    value: Annotated[Real, Arg("number")]
    timescale: Annotated[DurationInput, Arg("duration", keyword=True)]

    def check(self) -> None:
        if self.timescale.amount == 0:
            raise with_path(ScheduleArgumentError("rsqrt() timescale must be > 0"), "timescale")

    def own_extent(self) -> Extent:
        return "infinite"


class Step(Node):
    """`step(a, every=k, gamma=g)`: a·g^⌊t/k⌋ (torch's StepLR); endless."""

    kind: Literal["step"] = "step"
    value: Annotated[Real, Arg("number")]
    every: Annotated[DurationInput, Arg("duration", keyword=True)]
    gamma: Annotated[Real, Arg("number", keyword=True)]

    def check(self) -> None:
        if self.every.amount == 0:
            raise with_path(ScheduleArgumentError("step() every must be > 0"), "every")

    def own_extent(self) -> Extent:
        return "infinite"


def _check_not_decreasing(node: Node, field: str, milestones: list[Duration]) -> None:
    """Milestones in one dimension must not go back; mixed units are compared once resolved."""
    last: dict[str, tuple[Decimal, Duration]] = {}
    for index, milestone in enumerate(milestones):
        dimension = "events" if milestone.unit in EVENT_FACTORS else milestone.unit
        exact = _exact(milestone.amount) * EVENT_FACTORS.get(milestone.unit, 1)
        if dimension in last and exact < last[dimension][0]:
            raise with_path(
                ScheduleArgumentError(
                    f"{node.kind}() milestones must not decrease, got {milestone} after {last[dimension][1]}"
                ),
                field,
                index,
            )
        last[dimension] = (exact, milestone)


class MultiStep(Node):
    """`multistep(a, at=[m1, m2, …], gamma=g)`: a·g^(number of mi ≤ t) (torch's MultiStepLR)."""

    kind: Literal["multistep"] = "multistep"
    value: Annotated[Real, Arg("number")]
    at: Annotated[tuple[DurationInput, ...], Arg("durations", keyword=True)]
    gamma: Annotated[Real, Arg("number", keyword=True)]

    def check(self) -> None:
        if not self.at:
            raise with_path(ScheduleArgumentError("multistep() needs at least one milestone in `at`"), "at")
        _check_not_decreasing(self, "at", list(self.at))

    def own_extent(self) -> Extent:
        return _widest(_span(milestone) for milestone in self.at)


class Piecewise(Node):
    """`piecewise((m0, v0), (m1, v1), …)`: ignite's PiecewiseLinear — v0 before m0, linear between
    milestones, the last value after the last."""

    kind: Literal["piecewise"] = "piecewise"
    points: Annotated[tuple[tuple[DurationInput, Real], ...], Arg("points")]

    def check(self) -> None:
        if not self.points:
            raise with_path(ScheduleArgumentError("piecewise() needs at least one (milestone, value) point"))
        _check_not_decreasing(self, "points", [milestone for milestone, _ in self.points])

    def own_extent(self) -> Extent:
        return _widest(_span(milestone) for milestone, _ in self.points)


class Repeat(Node):
    """`repeat(S, times=n, cycle_mult=1, start_mult=1, end_mult=1, warmup=0)`: cycles of S as ignite's
    CyclicalScheduler. Cycle k+1 lasts int(size_k·cycle_mult) events; `start_mult` multiplies the start
    value when a cycle's main part ends, `end_mult` the end value when a cycle begins; `warmup` ramps from
    a cycle's end to the next start. Without `times` it repeats forever."""

    kind: Literal["repeat"] = "repeat"
    body: Annotated[_SubSchedule, Arg("schedule", name="schedule")]
    times: Annotated[int | None, Field(strict=True), Arg("count", keyword=True)] = None
    cycle_mult: Annotated[Real, Arg("number", keyword=True)] = 1.0
    start_mult: Annotated[Real, Arg("number", keyword=True)] = 1.0
    end_mult: Annotated[Real, Arg("number", keyword=True)] = 1.0
    warmup: Annotated[DurationInput, Arg("duration", keyword=True)] = _NO_WARMUP

    def children(self) -> tuple[AnyNode, ...]:
        return (self.body,)

    def check(self) -> None:
        if self.times is not None and not 1 <= self.times <= MAX_EVENTS:
            raise with_path(
                ScheduleArgumentError(f"repeat() times must be between 1 and {MAX_EVENTS_TEXT}, got {self.times}"),
                "times",
            )
        _positive(self, "cycle_mult", self.cycle_mult)
        extent = _extent(self.body)
        if extent != "finite":
            reason = "never ends" if extent == "infinite" else "lasts 0 events"
            raise with_path(
                DurationError(f"repeat() needs a body of finite, nonzero duration; {quoted(self.body)} {reason}"),
                "body",
            )
        shaped = self.cycle_mult != 1 or self.start_mult != 1 or self.end_mult != 1 or self.warmup.amount != 0
        if shaped and self.body.kind not in RANGE_SHAPES:
            raise with_path(
                ScheduleArgumentError(
                    "repeat() with cycle_mult, start_mult, end_mult or warmup needs a body that is one shape "
                    f"with a range ({', '.join(RANGE_SHAPES)}), not {self.body.kind}"
                ),
                "body",
            )
        if self.body.kind == "exp":
            for field in ("start_mult", "end_mult"):
                _positive(self, field, getattr(self, field))

    def own_extent(self) -> Extent:
        return "infinite" if self.times is None else "finite"


class Warmup(Node):
    """`warmup(d, from=v)`: linear from v (default 0) to the value the next part of a `then` starts at.
    It stands only right before `then`."""

    kind: Literal["warmup"] = "warmup"
    duration: Annotated[DurationInput, Arg("duration")]
    start: Annotated[Real, Arg("number", keyword=True, name="from", python_name="from_")] = 0.0

    def own_extent(self) -> Extent:
        return _span(self.duration)


class Then(Node):
    """`A then B then …`: A(t) while t < dur(A), then B(t − dur(A)) — each part starts its own clock when
    the one before it ends. Always flat: `(A then B) then C` is one chain of three parts."""

    kind: Literal["then"] = "then"
    parts: tuple[_SubSchedule, ...]

    def children(self) -> tuple[AnyNode, ...]:
        return self.parts

    @field_validator("parts", mode="after")
    @classmethod
    def _flatten(cls, parts: tuple[AnyNode, ...]) -> tuple[AnyNode, ...]:
        if not any(isinstance(part, Then) for part in parts):
            return parts
        flat: list[AnyNode] = []
        for part in parts:
            flat.extend(part.parts if isinstance(part, Then) else (part,))
        return tuple(flat)

    def check_children_placement(self) -> None:
        last = len(self.parts) - 1
        for index, part in enumerate(self.parts):
            if not isinstance(part, Warmup):
                continue
            if index == last:
                raise with_path(DurationError(WARMUP_PLACE), "parts", index)
            if isinstance(self.parts[index + 1], Warmup):
                raise with_path(
                    DurationError("a warmup must be followed by a schedule, not by another warmup"),
                    "parts",
                    index + 1,
                )

    def check(self) -> None:
        if len(self.parts) < 2:
            raise with_path(ScheduleArgumentError("`then` needs at least two parts"), "parts")
        for index, part in enumerate(self.parts[:-1]):
            extent = _extent(part)
            if extent == "infinite":
                raise with_path(
                    DurationError(
                        f"an infinite part before `then`: {quoted(part)} never ends, "
                        "so the parts after it would never start"
                    ),
                    "parts",
                    index,
                )
            if extent == "zero":
                hint = (
                    "a bare number has no length of its own; write const(v, d) to hold v for d events"
                    if isinstance(part, Constant)
                    else "every part before `then` must last at least one event"
                )
                raise with_path(
                    DurationError(f"a zero-length part before `then`: {quoted(part)} lasts 0 events; {hint}"),
                    "parts",
                    index,
                )

    def own_extent(self) -> Extent:
        return "infinite" if _extent(self.parts[-1]) == "infinite" else "finite"


class BinaryOp(Node):
    """`A + B`, `A - B`, `A * B`, `A / B`: pointwise on one clock; lasts as long as the longer operand."""

    kind: Literal["binary"] = "binary"
    op: Literal["+", "-", "*", "/"]
    left: _SubSchedule
    right: _SubSchedule

    def children(self) -> tuple[AnyNode, ...]:
        return (self.left, self.right)

    def check(self) -> None:
        if self.op == "/" and isinstance(self.right, Constant) and self.right.value == 0:
            raise with_path(NonFiniteValueError("division by the constant 0"), "right")


class Negate(Node):
    """`-A` for a schedule A: −A(t). (A negative number literal is a Constant.)"""

    kind: Literal["negate"] = "negate"
    operand: _SubSchedule

    def children(self) -> tuple[AnyNode, ...]:
        return (self.operand,)


class Extremum(Node):
    """`min(A, B, …)` and `max(A, B, …)`: the pointwise minimum or maximum; lasts as long as the longest."""

    kind: Literal["extremum"] = "extremum"
    fn: Annotated[Literal["min", "max"], CallName()]
    args: Annotated[tuple[_SubSchedule, ...], Arg("schedules")]

    def children(self) -> tuple[AnyNode, ...]:
        return self.args

    def check(self) -> None:
        if len(self.args) < 2:
            raise with_path(ScheduleArgumentError(f"{self.fn}() needs at least two schedules"), "args")


# The union of every node, for fields that hold a schedule. In a mapping such a field may also hold
# schedule text or a number (`_sub_schedule`); node instances pass through as they are.
AnyNode = Annotated[
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

_SCHEDULE_TEXT = Annotated[str, Field(description="schedule text, e.g. 'cosine(0.1 -> 0, 10k)'")]
_SubSchedule = Annotated[
    AnyNode,
    BeforeValidator(_sub_schedule, json_schema_input_type=Union[AnyNode, _SCHEDULE_TEXT, float]),  # noqa: UP007
]


MODELS: tuple[type[Node], ...] = get_args(get_args(AnyNode)[0])
"""Every node class, in the order of the union."""

for _model in MODELS:
    _model.model_rebuild()


def quoted(node: Node) -> str:
    """The node's canonical text in backquotes, cut to 60 characters: how messages name a schedule."""
    text = str(node)
    return f"`{text if len(text) <= 60 else text[:59] + '…'}`"


def structural_duration(node: Node) -> Extent:
    """Whether a node lasts zero, finitely many or infinitely many events, before resolving units.

    Zero here only comes from literal zero amounts; `5%` of a short run may still resolve to 0 events,
    which the layer below checks.
    """
    return _extent(node)


def node_depth(node: Node) -> int:
    """Nesting depth of a node (a leaf is 1); never more than MAX_DEPTH."""
    return _depth(node)


def check_root(node: Node) -> Node:
    """Checks that only apply to a whole schedule: a warmup must be followed by something."""
    if isinstance(node, Warmup):
        raise DurationError(WARMUP_PLACE)
    return node


def located(error: ScheduleError, node: Node) -> ScheduleError:
    """`error` positioned at `node` in the text it was parsed from; unchanged if the node was not parsed
    from text or the error already has a position."""
    if error.line is not None:
        return error
    where = position_of(node)
    return error if where is None else error.at(*where)


FORMS: dict[str, Form] = {form.name: form for model in MODELS for form in forms_of(model)}
"""Every call of the language by name, derived from the node classes' declarations."""
