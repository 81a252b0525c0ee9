"""Text → AST, by Lark alone. The grammar knows calls, arguments and operators; the forms know the rest.

Lark runs the transformer below during LALR parsing (no parse tree, no recursion), so deep input costs no
stack. Its values carry the line and column of their first token, every node built records its own
(`mark_position`), and the finished tree gets the text (`attach_source`): an error found later — in the
layer below, resolving `5%` without `total` — points at its node without parsing again. Calls are bound
to their node's fields by the form declarations (binding.py); structure is checked by the nodes' own
validators, whose errors are positioned at the argument they concern. Nothing from Lark, and no
RecursionError, escapes `parse`.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from lark import Token, Transformer
from lark.exceptions import UnexpectedInput

from paramsched._exceptions import (
    LimitError,
    NonFiniteValueError,
    ScheduleArgumentError,
    ScheduleError,
    ScheduleSyntaxError,
    UnknownNameError,
)
from paramsched._limits import MAX_BRACKET_DEPTH, MAX_TEXT_LENGTH, MAX_TOKENS

from .binding import BindFailure, bind, construct
from .errors import failure_details
from .forms import Form
from .grammar import schedule_parser
from .lexemes import ROUGH_TOKEN, UNITS, Unit, format_number
from .nodes import FORMS, BinaryOp, Constant, Negate, Node, Then, attach_source, check_root, mark_position
from .suggest import unknown_argument_message, unknown_form_message
from .syntax_errors import syntax_error_message

__all__ = ["parse", "parse_part"]


def parse(text: str) -> Node:
    """The AST of a schedule text.

    Args:
        text: a schedule, such as `"warmup(500) then cosine(0.1 -> 1e-4, 10k)"`; whitespace and newlines
            are free, `->` and `→` are the same range.

    Returns:
        The root node (a frozen pydantic model); `str(node)` and `unparse(node)` give its canonical text,
        and `parse(unparse(node)) == node`.

    Raises:
        ScheduleError: a subclass (ScheduleSyntaxError, UnknownNameError, ScheduleArgumentError,
            DurationError, NonFiniteValueError, LimitError) whose message names the line and column and
            shows the line with a caret under the place. Nothing else escapes, whatever the text.
    """
    return _parse(text, root=True)


def parse_part(text: str) -> Node:
    """The AST of text that is one part of a larger schedule (a sub-schedule written as text in a
    mapping): the rules of a whole schedule (`warmup` only before `then`) are the enclosing one's."""
    return _parse(text, root=False)


def _parse(text: str, *, root: bool) -> Node:
    check_limits(text)
    try:
        if not text.strip():
            raise _Located(ScheduleSyntaxError("empty schedule; expected a number, a schedule or '('"), 1, 1)
        try:
            result: object = schedule_parser(_TRANSFORMER).parse(text)
        except UnexpectedInput as error:
            message, line, column = syntax_error_message(text, error)
            raise _Located(ScheduleSyntaxError(message), line, column) from None
        assert isinstance(result, _Value)  # the transformer turns every rule into a _Value
        node = _require_node(result, "a schedule")
        try:
            if root:
                check_root(node)
        except ScheduleError as error:
            raise _Located(error, result.line, result.column) from None
    except _Located as located:
        raise located.error.at(text, located.line, located.column) from None
    attach_source(node, text)
    return node


def check_limits(text: str) -> None:
    """Type, length, token count and bracket depth, checked before Lark runs."""
    if not isinstance(text, str):
        raise ScheduleSyntaxError(f"a schedule must be text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise LimitError(f"a schedule is at most {MAX_TEXT_LENGTH:,} characters long, got {len(text):,}")
    if len(text) > MAX_TOKENS:  # shorter text cannot have more tokens than characters
        tokens = len(ROUGH_TOKEN.findall(text))
        if tokens > MAX_TOKENS:
            raise LimitError(f"a schedule has at most {MAX_TOKENS:,} tokens, got about {tokens:,}")
    if text.count("(") + text.count("[") <= MAX_BRACKET_DEPTH:
        return  # cannot nest deeper than there are openings
    depth = 0
    for match in _BRACKET.finditer(text):
        if match.group() in "([":
            depth += 1
            if depth > MAX_BRACKET_DEPTH:
                index = match.start()
                line = text.count("\n", 0, index) + 1
                column = index - (text.rfind("\n", 0, index) + 1) + 1
                error = LimitError(f"brackets are nested more than {MAX_BRACKET_DEPTH} levels deep")
                raise error.at(text, line, column)
        else:
            depth -= 1


_BRACKET = re.compile(r"[(\[)\]]")


class _Located(Exception):
    """A ScheduleError with the position it belongs to, on its way out to `parse`, which knows the text."""

    def __init__(self, error: ScheduleError, line: int, column: int) -> None:
        super().__init__(error.message)
        self.error, self.line, self.column = error, line, column


# --- values flowing through the transformer ------------------------------------------------------------


@dataclass(frozen=True)
class _Value:
    line: int
    column: int


@dataclass(frozen=True)
class _Number(_Value):
    """A number; `literal` when it is a number token as written, so that `-2` folds to the number -2.

    It becomes a Constant node only where it is used as a schedule: most numbers are arguments.
    """

    value: float
    literal: bool = False
    source: str = ""  # the token as written, for hints about commas inside numbers


@dataclass(frozen=True)
class _Expr(_Value):
    """A schedule that is not a bare number."""

    node: Node


_UNIT_OF: dict[str, Unit] = {unit: unit for unit in UNITS}


@dataclass(frozen=True)
class _DurationLiteral(_Value):
    amount: float
    unit: Unit
    text: str


@dataclass(frozen=True)
class _Range(_Value):
    start: _Value
    end: _Value


@dataclass(frozen=True)
class _List(_Value):
    items: tuple[_Value, ...]


@dataclass(frozen=True)
class _Tuple(_Value):
    items: tuple[_Value, ...]


@dataclass(frozen=True)
class _Keyword(_Value):
    name: str
    value: _Value


def _at(item: _Value | Token) -> tuple[int, int]:
    if isinstance(item, Token):
        return int(item.line or 1), int(item.column or 1)
    return item.line, item.column


def _fail(error: ScheduleError, where: _Value | Token) -> _Located:
    return _Located(error, *_at(where))


def _what(value: _Value) -> str:
    """How an argument the user wrote is named in messages."""
    if isinstance(value, _DurationLiteral):
        return f"the duration '{value.text}'"
    return _WHAT.get(type(value), "a schedule")


_WHAT: dict[type[_Value], str] = {_Range: "a range", _List: "a list", _Tuple: "a tuple", _Number: "a number"}


def _require_node(value: object, context: str) -> Node:
    """The schedule an operand or argument stands for; numbers become Constant nodes here."""
    if isinstance(value, _Expr):
        return value.node
    if isinstance(value, _Number):
        return _make(Constant, value, {}, value=value.value)
    assert isinstance(value, _Value)
    if isinstance(value, _DurationLiteral):
        message = (
            f"the duration '{value.text}' is not a value: units only go in duration arguments; "
            f"write the number of events instead"
        )
        raise _fail(ScheduleSyntaxError(message), value)
    raise _fail(ScheduleSyntaxError(f"expected {context}, found {_what(value)}"), value)


def _placed(node: Node, where: _Value | Token) -> Node:
    mark_position(node, *_at(where))
    return node


def _make(model: Any, where: _Value | Token, origins: dict[Any, _Value], **fields: Any) -> Node:
    """An operator's node; a validation error points at the operand it concerns, else at the operator."""
    try:
        node: Node = model(**fields)
    except ScheduleError as error:
        message, path = failure_details(error)
        culprit = origins.get(path[:2], origins.get(path[:1], where))
        raise _fail(type(error)(message), culprit) from None
    return _placed(node, where)


def _number_token(token: Token) -> float:
    value = float(token.value)
    if not math.isfinite(value):
        raise _fail(NonFiniteValueError(f"the number {token.value} is too large to be finite"), token)
    return value


class _ToAst(Transformer[Token, Any]):
    """Lark callbacks, one per grammar rule or alias; they run bottom-up while the LALR parser reduces."""

    def number(self, children: list[Token]) -> _Number:
        token = children[0]
        return _Number(*_at(token), value=_number_token(token), literal=True, source=str(token.value))

    def bare_name(self, children: list[Token]) -> _Value:
        """A name without `(…)`: never a schedule; the message says what to write instead."""
        raise _fail(_bare_name_error(children[0]), children[0])

    def duration(self, children: list[Token]) -> _DurationLiteral:
        token = children[0]
        text = str(token.value)
        digits = text.rstrip("kMBeptos%")  # a unit ends the token; an exponent ends in a digit
        unit = _UNIT_OF[text[len(digits) :]]
        amount = float(digits)
        if not math.isfinite(amount):
            raise _fail(NonFiniteValueError(f"the duration {text} is too large to be finite"), token)
        return _DurationLiteral(*_at(token), amount=amount, unit=unit, text=text)

    def neg(self, children: list[Any]) -> _Value:
        minus, operand = children
        line, column = _at(minus)
        if isinstance(operand, _DurationLiteral):
            return _DurationLiteral(line, column, -operand.amount, operand.unit, "-" + operand.text)
        if isinstance(operand, _Number) and operand.literal:
            return _Number(line, column, -operand.value)
        node = _require_node(operand, "a number or a schedule after '-'")
        return _Expr(line, column, _make(Negate, minus, {}, operand=node))

    def binary(self, children: list[Any]) -> _Expr:
        left, operator, right = children
        left_node = _require_node(left, f"a number or a schedule before '{operator}'")
        right_node = _require_node(right, f"a number or a schedule after '{operator}'")
        origins: dict[Any, _Value] = {("left",): left, ("right",): right}
        node = _make(BinaryOp, left, origins, op=str(operator), left=left_node, right=right_node)
        return _Expr(left.line, left.column, node)

    def then(self, children: list[Any]) -> _Expr:
        parts: list[Node] = []
        origins: dict[Any, _Value] = {}
        for child in children[::2]:
            node = _require_node(child, "a schedule around 'then'")
            for part in node.parts if isinstance(node, Then) else (node,):
                origins[("parts", len(parts))] = child  # flattened here, so indices match the text
                parts.append(part)
        first = children[0]
        return _Expr(first.line, first.column, _make(Then, first, origins, parts=tuple(parts)))

    def paren(self, children: list[Any]) -> _Value:
        opening, inner = children[0], children[1]
        line, column = _at(opening)
        if isinstance(inner, _Number):
            return _Number(line, column, inner.value)  # not literal: `-(2)` is the negation of a schedule
        moved: _Value = replace(inner, line=line, column=column)
        return moved

    def arrow_range(self, children: list[Any]) -> _Range:
        start, _, end = children
        return _Range(start.line, start.column, start, end)

    def bracket_list(self, children: list[Any]) -> _List:
        line, column = _at(children[0])
        return _List(line, column, tuple(child for child in children if isinstance(child, _Value)))

    def paren_tuple(self, children: list[Any]) -> _Tuple:
        line, column = _at(children[0])
        return _Tuple(line, column, tuple(child for child in children if isinstance(child, _Value)))

    def keyword(self, children: list[Any]) -> _Keyword:
        name, _, value = children
        return _Keyword(*_at(name), name=str(name), value=value)

    def arguments(self, children: list[Any]) -> list[_Value]:
        return [child for child in children if isinstance(child, _Value)]

    def call(self, children: list[Any]) -> _Expr:
        name = children[0]
        arguments: list[_Value] = children[2] if isinstance(children[2], list) else []
        return _Expr(*_at(name), _call(name, arguments))


_TRANSFORMER = _ToAst()

_NON_FINITE_NAMES = frozenset({"nan", "inf", "infinity"})


def _bare_name_error(token: Token) -> ScheduleError:
    name = str(token.value)
    if name.lower() in _NON_FINITE_NAMES:
        return NonFiniteValueError(
            f"'{name}' is not a finite number, and every value of a schedule must be finite; "
            "write a number such as 0.1 or 1e-4"
        )
    form = FORMS.get(name.lower())
    if form is not None:
        return ScheduleSyntaxError(f"'{name}' needs its arguments in brackets: write {form.usage}")
    return UnknownNameError(unknown_form_message(name, FORMS, what="name"))


class _TextReader:
    """What the argument values of a text are, for binding.bind."""

    def number(self, item: _Value) -> float | None:
        return item.value if isinstance(item, _Number) else None

    def duration(self, item: _Value) -> tuple[float, str] | None:
        if isinstance(item, _DurationLiteral):
            return item.amount, item.unit
        if isinstance(item, _Number):
            return item.value, ""
        return None

    def range(self, item: _Value) -> tuple[_Value, _Value] | None:
        return (item.start, item.end) if isinstance(item, _Range) else None

    def schedule(self, item: _Value) -> Node | None:
        if isinstance(item, _Expr):
            return item.node
        if isinstance(item, _Number):
            return _require_node(item, "a schedule")
        return None

    def items(self, item: _Value, brackets: Literal["list", "tuple"]) -> Sequence[_Value] | None:
        wanted = _List if brackets == "list" else _Tuple
        return item.items if isinstance(item, wanted) else None

    def what(self, item: _Value) -> str:
        return _what(item)


_READER = _TextReader()


def _call(name: Token, arguments: list[_Value]) -> Node:
    function = str(name)
    form = FORMS.get(function)
    if form is None:
        raise _fail(UnknownNameError(unknown_form_message(function, FORMS)), name)
    positional: list[_Value] = []
    keywords: list[tuple[str, _Value, _Value]] = []
    for argument in arguments:
        if isinstance(argument, _Keyword):
            keywords.append((argument.name, argument.value, argument))
        elif keywords and form.variadic is None:
            keyword_name, _, keyword = keywords[-1]
            if keyword_name not in {param.name for param in form.keywords}:  # `cosine(lr=0.1, 10)`
                raise _fail(UnknownNameError(unknown_argument_message(form, keyword_name)), keyword)
            comma = _comma_in_number([keywords[-1][1], argument])  # `every=1,000`
            if comma is not None:
                raise _fail(ScheduleArgumentError(comma[0]), comma[1])
            message = f"{function}(): a positional argument cannot follow the keyword argument '{keyword_name}'"
            raise _fail(ScheduleArgumentError(message), argument)
        else:
            positional.append(argument)
    try:
        fields, origins = bind(form, positional, keywords, _READER)
        node = construct(form, fields, origins)
    except BindFailure as failure:
        lists = [item.items for item in arguments if isinstance(item, _List)]
        lists += [
            item.value.items for item in arguments if isinstance(item, _Keyword) and isinstance(item.value, _List)
        ]
        hint = (
            _comma_in_number(positional)
            or next(filter(None, (_comma_in_number(list(items)) for items in lists)), None)
            or _range_as_two_numbers(form, positional)
        )
        if hint is not None:
            raise _fail(ScheduleArgumentError(hint[0]), hint[1]) from None
        raise _fail(failure.error, failure.culprit or name) from None
    return _placed(node, name)


def _first_number(item: _Value) -> _Number | None:
    first = item.start if isinstance(item, _Range) else item
    return first if isinstance(first, _Number) and first.literal else None


def _comma_in_number(positional: list[_Value]) -> tuple[str, _Value] | None:
    """`10,000` or `0,1` read as two arguments: a comma right after digits and right before digits."""
    for before, after in itertools.pairwise(positional):
        left, right = _first_number(before) if not isinstance(before, _Range) else None, _first_number(after)
        if left is None or right is None or not (left.source.isdigit() and right.source[:1].isdigit()):
            continue
        if (right.line, right.column) != (left.line, left.column + len(left.source) + 1):
            continue  # `min(1, 2)`: a space after the comma, so two arguments were meant
        written = f"{left.source},{right.source}"
        if len(right.source) == 3 and right.source.isdigit():
            whole = left.source + right.source
            return (
                f"'{written}': thousands are not separated by commas (a comma separates arguments); "
                f"write {whole} or {left.source}_{right.source}",
                left,
            )
        return f"'{written}': decimals are written with a point; write {left.source}.{right.source}", left
    return None


def _range_as_two_numbers(form: Form, positional: list[_Value]) -> tuple[str, _Value] | None:
    """`cosine(0.1, 0, 10)`: the start and end written as two arguments where one range `a -> b` goes."""
    params = form.positional
    if len(positional) != len(params) + 1:
        return None
    for index, param in enumerate(params):
        if param.kind != "range":
            continue
        start, end = positional[index], positional[index + 1]
        if not (isinstance(start, _Number) and isinstance(end, _Number)):
            return None
        written = [_source(item) for item in positional]
        written[index : index + 2] = [f"{written[index]} -> {written[index + 1]}"]
        return (
            f"{form.name}() takes its start and end as one range a -> b, not two numbers: "
            f"write {form.name}({', '.join(written)})",
            start,
        )
    return None


def _source(item: _Value) -> str:
    if isinstance(item, _Number):
        return item.source or format_number(item.value)
    if isinstance(item, _DurationLiteral):
        return item.text
    return "…"
