"""Text → AST. The grammar only knows calls, arguments and operators; this module knows the language.

Lark runs the transformer below during LALR parsing (no parse tree, no recursion), so deep input costs
no stack; intermediate values carry their position so every error points at the right place. Names and
arguments are checked here, structure by the AST's own validators, whose errors are positioned at the
node (or argument) they concern. Nothing from lark, and no RecursionError, escapes `parse`.
"""

from __future__ import annotations

import difflib
import math
import re
import unicodedata
from collections.abc import Callable, Sequence
from contextvars import ContextVar
from dataclasses import dataclass, replace
from typing import Any, Literal

from lark import Token, Transformer
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from paramsched._ast import (
    MAX_DEPTH,
    BinaryOp,
    Const,
    Constant,
    Cosine,
    Duration,
    Exp,
    Extremum,
    Linear,
    MultiStep,
    Negate,
    Node,
    Piecewise,
    Poly,
    Repeat,
    Rsqrt,
    Sqrt,
    Step,
    Tanh,
    Then,
    Triangle,
    Warmup,
    build,
    check_root,
    failure_details,
)
from paramsched._exceptions import (
    LimitError,
    NonFiniteValueError,
    ScheduleArgumentError,
    ScheduleError,
    ScheduleSyntaxError,
    UnknownNameError,
)
from paramsched._grammar import schedule_parser
from paramsched._scanner import split_duration, tokenize

__all__ = ["MAX_BRACKET_DEPTH", "MAX_TEXT_LENGTH", "MAX_TOKENS", "fast_parse", "parse", "parse_with_lark"]

MAX_TEXT_LENGTH = 100_000
"""Longest schedule text, in characters; longer text raises LimitError before parsing."""

MAX_BRACKET_DEPTH = 2 * MAX_DEPTH
"""Deepest nesting of `(` and `[`; checked by a scan before parsing, so 10,000 `(` fail at once."""

MAX_TOKENS = 20_000
"""Most tokens (numbers, names, operators, brackets, commas) in a schedule. Parsing costs up to ~20 µs
a token, so this keeps any input within a second; `linear(0 -> 0.1, 500) then` is 10 tokens, so a
1,000-part chain of such parts is 10,000."""

_TOKEN = re.compile(r"[0-9.][0-9_.]*(?:[eE][+-]?[0-9]+)?[A-Za-z%]*|[A-Za-z_][A-Za-z0-9_]*|->|\S")
"""Roughly what the lexer will find: counted before parsing so that too many tokens fail at once."""


def parse(text: str) -> Node:
    """The AST of a schedule text; raises a ScheduleError subclass, positioned in `text`, on any problem.

    The hand-written parser below takes every text it accepts; anything else (every error included)
    goes to lark, whose grammar is the specification, so errors and their positions are lark's.
    """
    _check_limits(text)
    node = fast_parse(text)
    if node is not None:
        return node
    return _parse_checked(text)


def parse_with_lark(text: str) -> Node:
    """`parse` without the fast path: what the grammar and its transformer make of `text`."""
    _check_limits(text)
    return _parse_checked(text)


_POSITIONS: ContextVar[dict[int, tuple[int, int]] | None] = ContextVar("positions", default=None)


def parse_with_positions(text: str) -> tuple[Node, dict[int, tuple[int, int]]]:
    """The lark path, also returning where each node starts (by `id`, valid while the node lives).

    Only errors need positions, so the fast path keeps none: a compile error found after parsing (a unit
    without `total`, a zero-length part) re-parses this way to point at its place in the text."""
    positions: dict[int, tuple[int, int]] = {}
    token = _POSITIONS.set(positions)
    try:
        return parse_with_lark(text), positions
    finally:
        _POSITIONS.reset(token)


def _check_limits(text: str) -> None:
    """Type, length, token count and bracket depth, checked before either parser runs."""
    if not isinstance(text, str):
        raise ScheduleSyntaxError(f"a schedule must be text, got {type(text).__name__}")
    if len(text) > MAX_TEXT_LENGTH:
        raise LimitError(f"a schedule is at most {MAX_TEXT_LENGTH:,} characters long, got {len(text):,}")
    if len(text) > MAX_TOKENS:  # shorter text cannot have more tokens than characters
        tokens = len(_TOKEN.findall(text))
        if tokens > MAX_TOKENS:
            raise LimitError(f"a schedule has at most {MAX_TOKENS:,} tokens, got about {tokens:,}")
    try:
        _check_brackets(text)
    except _Located as located:
        raise located.error.at(text, located.line, located.column) from None


def _parse_checked(text: str) -> Node:
    """The lark path, for text that passed `_check_limits`."""
    try:
        if not text.strip():
            raise _Located(ScheduleSyntaxError("empty schedule; expected a number, a schedule or '('"), 1, 1)
        try:
            result: object = schedule_parser(_TRANSFORMER).parse(text)
        except UnexpectedInput as error:
            raise _syntax_error(text, error) from None
        assert isinstance(result, _Value)  # the transformer turns every rule into a _Value
        value = result
        node = _require_node(value, "a schedule")
        try:
            return check_root(node)
        except ScheduleError as error:
            raise _Located(error, value.line, value.column) from None
    except _Located as located:
        raise located.error.at(text, located.line, located.column) from None


class _Located(Exception):
    """A ScheduleError with the position it belongs to, on its way out to `parse`, which knows the text."""

    def __init__(self, error: ScheduleError, line: int, column: int) -> None:
        super().__init__(error.message)
        self.error, self.line, self.column = error, line, column


_BRACKET = re.compile(r"[(\[)\]]")


def _check_brackets(text: str) -> None:
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
                raise _Located(
                    LimitError(f"brackets are nested more than {MAX_BRACKET_DEPTH} levels deep"), line, column
                )
        else:
            depth -= 1


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


@dataclass(frozen=True)
class _Expr(_Value):
    """A schedule that is not a bare number."""

    node: Node


@dataclass(frozen=True)
class _DurationLiteral(_Value):
    amount: float
    unit: Literal["k", "M", "ep", "%"]
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
    if isinstance(value, _Range):
        return "a range"
    if isinstance(value, _List):
        return "a list"
    if isinstance(value, _Tuple):
        return "a tuple"
    if isinstance(value, _Number):
        return "a number"
    return "a schedule"


def _require_node(value: object, context: str) -> Node:
    """The schedule an operand or argument stands for; numbers become Constant nodes here."""
    if isinstance(value, _Expr):
        return value.node
    if isinstance(value, _Number):
        return _build(Constant, value, {}, value=value.value)
    assert isinstance(value, _Value)
    if isinstance(value, _DurationLiteral):
        message = (
            f"the duration '{value.text}' is not a value: units only go in duration arguments; "
            f"write the number of events instead"
        )
        raise _fail(ScheduleSyntaxError(message), value)
    raise _fail(ScheduleSyntaxError(f"expected {context}, found {_what(value)}"), value)


def _build(
    model: Callable[..., Node], where: _Value | Token, positions: dict[Any, _Value | Token], **fields: Any
) -> Node:
    """Construct a node; a validation error points at the argument it concerns, else at the call."""
    try:
        node = model(**fields)
    except ScheduleError as error:
        message, path = failure_details(error)
        culprit = positions.get(path[:2]) or positions.get(path[:1]) or where
        raise _fail(type(error)(message), culprit) from None
    recorder = _POSITIONS.get()
    if recorder is not None:
        recorder[id(node)] = _at(where)
    return node


def _number_token(token: Token) -> float:
    value = float(token.value)
    if not math.isfinite(value):
        raise _fail(NonFiniteValueError(f"the number {token.value} is too large to be finite"), token)
    return value


class _ToAst(Transformer[Token, Any]):
    """Lark callbacks, one per grammar rule or alias; they run bottom-up while the LALR parser reduces."""

    def number(self, children: list[Token]) -> _Number:
        token = children[0]
        return _Number(*_at(token), value=_number_token(token), literal=True)

    def duration(self, children: list[Token]) -> _DurationLiteral:
        token = children[0]
        text = str(token.value)
        unit: Literal["k", "M", "ep", "%"]
        if text.endswith("ep"):
            unit, digits = "ep", text[:-2]
        else:
            unit, digits = text[-1], text[:-1]  # type: ignore[assignment]  # the grammar allows k, M, %
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
        return _Expr(line, column, _build(Negate, minus, {}, operand=node))

    def binary(self, children: list[Any]) -> _Expr:
        left, operator, right = children
        left_node = _require_node(left, f"a number or a schedule before '{operator}'")
        right_node = _require_node(right, f"a number or a schedule after '{operator}'")
        positions: dict[Any, _Value | Token] = {("left",): left, ("right",): right}
        node = _build(BinaryOp, left, positions, op=str(operator), left=left_node, right=right_node)
        return _Expr(left.line, left.column, node)

    def then(self, children: list[Any]) -> _Expr:
        parts: list[Node] = []
        positions: dict[Any, _Value | Token] = {}
        for child in children[::2]:
            node = _require_node(child, "a schedule around 'then'")
            for part in node.parts if isinstance(node, Then) else (node,):
                positions[("parts", len(parts))] = child  # flattened here, so indices match the text
                parts.append(part)
        first = children[0]
        return _Expr(first.line, first.column, _build(Then, first, positions, parts=tuple(parts)))

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
        node = _call(name, arguments)
        return _Expr(*_at(name), node)


_TRANSFORMER = _ToAst()


# --- calls ---------------------------------------------------------------------------------------------

Expects = Literal["number", "duration", "range", "schedule", "count", "durations"]


@dataclass(frozen=True)
class _Param:
    name: str  # a keyword, or for positionals the word used in messages
    expects: Expects
    field: str  # AST field; a range fills start and end
    required: bool = True


@dataclass(frozen=True)
class _Signature:
    model: type[Any]  # a node model
    positional: tuple[_Param, ...]
    keywords: tuple[_Param, ...] = ()


_VALUE = _Param("value", "number", "value")
_RANGE = _Param("range", "range", "range")
_DURATION = _Param("duration", "duration", "duration")


def _ranged(model: type[Any], *keywords: _Param) -> _Signature:
    return _Signature(model, (_RANGE, _DURATION), keywords)


def _optional(name: str, expects: Expects = "number", field: str | None = None) -> _Param:
    return _Param(name, expects, field or name, required=False)


_SIGNATURES: dict[str, _Signature] = {
    "const": _Signature(Const, (_VALUE, _DURATION)),
    "linear": _ranged(Linear),
    "cosine": _ranged(Cosine, _optional("power")),
    "exp": _ranged(Exp),
    "poly": _ranged(Poly, _optional("power")),
    "sqrt": _ranged(Sqrt),
    "tanh": _ranged(Tanh, _optional("lower"), _optional("upper")),
    "rsqrt": _Signature(Rsqrt, (_VALUE,), (_Param("timescale", "duration", "timescale"),)),
    "triangle": _ranged(Triangle),
    "step": _Signature(Step, (_VALUE,), (_Param("every", "duration", "every"), _Param("gamma", "number", "gamma"))),
    "multistep": _Signature(
        MultiStep, (_VALUE,), (_Param("at", "durations", "at"), _Param("gamma", "number", "gamma"))
    ),
    "repeat": _Signature(
        Repeat,
        (_Param("schedule", "schedule", "body"),),
        (
            _optional("times", "count"),
            _optional("cycle_mult"),
            _optional("start_mult"),
            _optional("end_mult"),
            _optional("warmup", "duration"),
        ),
    ),
    "warmup": _Signature(Warmup, (_DURATION,), (_optional("from", "number", "start"),)),
}
_VARIADIC = ("piecewise", "min", "max")
_NAMES = (*_SIGNATURES, *_VARIADIC)

_EXPECTED_WORDS: dict[Expects, str] = {
    "number": "a number",
    "duration": "a duration",
    "range": "a range a -> b",
    "schedule": "a schedule",
    "count": "a whole number",
    "durations": "a list of durations [m1, m2, …]",
}


def _call(name: Token, arguments: list[_Value]) -> Node:
    function = str(name)
    if function in ("min", "max"):
        return _extremum(name, function, arguments)
    if function == "piecewise":
        return _piecewise(name, arguments)
    signature = _SIGNATURES.get(function)
    if signature is None:
        close = difflib.get_close_matches(function, _NAMES, n=1)
        hint = f"; did you mean '{close[0]}'?" if close else ""
        raise _fail(UnknownNameError(f"unknown schedule '{function}'{hint}"), name)
    fields: dict[str, Any] = {}
    positions: dict[Any, _Value | Token] = {}
    positional = [argument for argument in arguments if not isinstance(argument, _Keyword)]
    seen_keyword: _Keyword | None = None
    for argument in arguments:
        if isinstance(argument, _Keyword):
            seen_keyword = argument
        elif seen_keyword is not None:
            raise _fail(
                ScheduleArgumentError(
                    f"{function}(): a positional argument cannot follow the keyword argument '{seen_keyword.name}'"
                ),
                argument,
            )
    if len(positional) > len(signature.positional):
        wanted = ", ".join(_EXPECTED_WORDS[param.expects] for param in signature.positional)
        keywords = ", ".join(f"{param.name}=" for param in signature.keywords)
        hint = f"; {keywords} must be given by name" if keywords else ""
        raise _fail(
            ScheduleArgumentError(
                f"{function}() takes {len(signature.positional)} positional argument"
                f"{'s' if len(signature.positional) != 1 else ''} ({wanted}), got {len(positional)}{hint}"
            ),
            positional[len(signature.positional)],
        )
    for param, argument in zip(signature.positional, positional, strict=False):
        _bind(function, param, argument, f"its {param.name}", fields, positions)
    given: set[str] = set()
    by_name = {param.name: param for param in signature.keywords}
    for argument in arguments:
        if not isinstance(argument, _Keyword):
            continue
        keyword_param = by_name.get(argument.name)
        if keyword_param is None:
            close = difflib.get_close_matches(argument.name, list(by_name), n=1)
            hint = f"; did you mean '{close[0]}'?" if close else ""
            raise _fail(UnknownNameError(f"{function}() has no argument '{argument.name}'{hint}"), argument)
        if argument.name in given:
            raise _fail(ScheduleArgumentError(f"{function}() got the argument '{argument.name}' twice"), argument)
        given.add(argument.name)
        _bind(function, keyword_param, argument.value, f"'{argument.name}'", fields, positions)
    missing = [param for param in signature.positional[len(positional) :] if param.required]
    missing += [param for param in signature.keywords if param.required and param.name not in given]
    if missing:
        param = missing[0]
        what = (
            ("its range a -> b" if param.expects == "range" else f"its {param.name}")
            if param in signature.positional
            else f"the argument {param.name}=…"
        )
        raise _fail(ScheduleArgumentError(f"{function}() is missing {what}"), name)
    return _build(signature.model, name, positions, **fields)


def _bind(
    function: str,
    param: _Param,
    argument: _Value,
    label: str,
    fields: dict[str, Any],
    positions: dict[Any, _Value | Token],
) -> None:
    """Convert one argument to the field(s) it fills, remembering where each came from."""

    def wrong() -> _Located:
        return _fail(
            ScheduleArgumentError(
                f"{function}() expects {_EXPECTED_WORDS[param.expects]} for {label}, not {_what(argument)}"
            ),
            argument,
        )

    if param.expects == "range":
        if not isinstance(argument, _Range):
            raise wrong()
        for field, end in (("start", argument.start), ("end", argument.end)):
            fields[field] = _number(function, end, f"the {field} of the range")
            positions[(field,)] = end
        return
    positions[(param.field,)] = argument
    if param.expects == "number":
        if not isinstance(argument, _Number):
            raise wrong()
        fields[param.field] = argument.value
    elif param.expects == "duration":
        fields[param.field] = _duration(argument, wrong)
    elif param.expects == "schedule":
        if not isinstance(argument, (_Expr, _Number)):
            raise wrong()
        fields[param.field] = _require_node(argument, "a schedule")
    elif param.expects == "count":
        if not isinstance(argument, _Number):
            raise wrong()
        count = argument.value
        if not count.is_integer():
            raise _fail(
                ScheduleArgumentError(f"{function}() {param.name} must be a whole number, got {count!r}"),
                argument,
            )
        fields[param.field] = int(count)
    else:  # a list of durations
        if not isinstance(argument, _List):
            raise wrong()
        fields[param.field] = tuple(_duration(item, wrong) for item in argument.items)
        for index, item in enumerate(argument.items):
            positions[(param.field, index)] = item


def _number(function: str, value: _Value, label: str) -> float:
    if isinstance(value, _Number):
        return value.value
    raise _fail(ScheduleArgumentError(f"{function}() expects a number for {label}, not {_what(value)}"), value)


def _duration(value: _Value, wrong: Callable[[], _Located]) -> Duration:
    unit: Literal["", "k", "M", "ep", "%"]
    if isinstance(value, _DurationLiteral):
        amount, unit = value.amount, value.unit
    elif isinstance(value, _Number):
        amount, unit = value.value, ""
    else:
        raise wrong()
    try:
        return Duration(amount=amount, unit=unit)
    except ScheduleError as error:
        raise _fail(type(error)(failure_details(error)[0]), value) from None


def _extremum(name: Token, function: str, arguments: list[_Value]) -> Node:
    nodes: list[Node] = []
    positions: dict[Any, _Value | Token] = {}
    for index, argument in enumerate(arguments):
        if isinstance(argument, _Keyword):
            raise _fail(UnknownNameError(f"{function}() has no argument '{argument.name}'"), argument)
        if not isinstance(argument, (_Expr, _Number)):
            raise _fail(
                ScheduleArgumentError(f"{function}() expects schedules or numbers, not {_what(argument)}"),
                argument,
            )
        positions[("args", index)] = argument
        nodes.append(_require_node(argument, "a schedule"))
    return _build(Extremum, name, positions, fn=function, args=tuple(nodes))


def _piecewise(name: Token, arguments: list[_Value]) -> Node:
    points: list[tuple[Duration, float]] = []
    positions: dict[Any, _Value | Token] = {}
    for index, argument in enumerate(arguments):
        if isinstance(argument, _Keyword):
            raise _fail(UnknownNameError(f"piecewise() has no argument '{argument.name}'"), argument)
        if not (isinstance(argument, _Tuple) and len(argument.items) == 2):
            raise _fail(
                ScheduleArgumentError(
                    f"piecewise() expects (milestone, value) pairs, not {_what(argument)}"
                    + (f" of {len(argument.items)}" if isinstance(argument, _Tuple) else "")
                ),
                argument,
            )
        milestone, value = argument.items

        def wrong(milestone: _Value = milestone) -> _Located:
            return _fail(
                ScheduleArgumentError(
                    f"piecewise() expects a duration for the milestone of a point, not {_what(milestone)}"
                ),
                milestone,
            )

        points.append((_duration(milestone, wrong), _number("piecewise", value, "the value of a point")))
        positions[("points", index)] = argument
    return _build(Piecewise, name, positions, points=tuple(points))


# --- lark errors → ScheduleSyntaxError -----------------------------------------------------------------

_TERMINAL_WORDS: tuple[tuple[str, str], ...] = (
    ("THEN", "'then'"),
    ("PLUS", "an operator"),
    ("STAR", "an operator"),
    ("SLASH", "an operator"),
    ("ARROW", "'->'"),
    ("EQUAL", "'='"),
    ("COMMA", "','"),
    ("LPAR", "'('"),
    ("LSQB", "'['"),
    ("RPAR", "')'"),
    ("RSQB", "']'"),
    ("$END", "the end of the text"),
)

_LOOK_ALIKES = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00f7": "/", "\u2044": "/"}


def _expected_words(expected: Sequence[str] | set[str]) -> str:
    names = set(expected)
    words: list[str] = []
    if "NUMBER" in names or "DURATION" in names:
        words += ["a number", "a schedule", "'('"]
        names -= {"MINUS", "LPAR", "NAME"}
    elif "NAME" in names:
        words.append("a name")
    for terminal, word in _TERMINAL_WORDS:
        if (terminal in names or (terminal == "PLUS" and "MINUS" in names)) and word not in words:
            words.append(word)
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of text"
    if token.type == "NUMBER":
        return f"number '{token.value}'"
    if token.type == "DURATION":
        return f"duration '{token.value}'"
    return f"'{token.value}'"


def _describe_character(character: str) -> str:
    if character.isascii() and character.isprintable():
        text = f"character '{character}'"
        if character.isupper():
            text += " (names and keywords are lowercase)"
        return text
    name = unicodedata.name(character, "")
    text = f"character {character!r} (U+{ord(character):04X}{' ' + name if name else ''})"
    return text


def _look_alike_hint(character: str) -> str:
    """`; did you mean '-'?` for characters that look like ASCII syntax (full-width digits, −, ×)."""
    lookalike = _LOOK_ALIKES.get(character) or unicodedata.normalize("NFKC", character)
    if lookalike != character and lookalike.isascii() and lookalike.isprintable():
        return f"; did you mean '{lookalike}'?"
    return ""


def _end_position(text: str) -> tuple[int, int]:
    """Just after the last character that is not whitespace."""
    content = text.rstrip()
    line = content.count("\n") + 1
    return line, len(content) - (content.rfind("\n") + 1) + 1


def _precise_accepts(error: UnexpectedInput) -> set[str]:
    """What the parser accepts here, after the reductions the lexer's per-state set does not foresee."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is None:
        return set()
    try:
        return set(interactive.accepts())
    except Exception:  # pragma: no cover - only a better message is at stake
        return set()


def _syntax_error(text: str, error: UnexpectedInput) -> _Located:
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        character = text[position] if 0 <= position < len(text) else ""
        message = f"unexpected {_describe_character(character)}"
        expected = _precise_accepts(error) or error.allowed
        if expected:
            message += f"; expected {_expected_words(expected)}"
        message += _look_alike_hint(character)
        return _Located(ScheduleSyntaxError(message), int(error.line), int(error.column))
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = error.accepts or error.expected
        message = f"unexpected {_describe_token(token)}; expected {_expected_words(expected)}"
        if token.type == "$END":
            line, column = _end_position(text)
        else:
            line, column = _at(token)
        return _Located(ScheduleSyntaxError(message), line, column)
    line, column = _end_position(text)  # pragma: no cover - LALR raises only the two above
    return _Located(ScheduleSyntaxError("the schedule ends too early"), line, column)


# --- the fast path ---------------------------------------------------------------------------------------
#
# A recursive-descent parser of the same grammar over the tokens of `_scanner.tokenize`, building nodes
# with `build` (the AST's own normalisations and checks, without pydantic's type checks: every value here
# already has its type). It only has to be right about what it accepts: anything it does not accept, and
# any ScheduleError on the way, sends the text to lark, which finds the error and words it. It also leaves
# deep nesting to lark, so its recursion stays far from Python's limit.

_FAST_DEPTH = 40
"""Deepest nesting of calls and brackets the fast parser takes (a few frames each); deeper goes to lark."""

_NUMBER_START = frozenset("0123456789.")
_NAME_START = frozenset("abcdefghijklmnopqrstuvwxyz")
_DIGITS = frozenset("0123456789")
_OPERATORS = frozenset("+-*/")
_END = ""  # the token after the last one (twice, so that looking two ahead never runs off the end)


class _Defer(Exception):
    """The fast parser does not take this text: lark will."""


class _FastDuration:
    """A duration literal (`10k`, `-5`, `(3ep)`) on its way to a duration argument."""

    __slots__ = ("amount", "unit")

    def __init__(self, amount: float, unit: str) -> None:
        self.amount = amount
        self.unit = unit


class _FastRange:
    """`a -> b`, its ends as parsed."""

    __slots__ = ("end", "start")

    def __init__(self, start: object, end: object) -> None:
        self.start = start
        self.end = end


# Values: a float is a number (never a literal any more: literals fold into `-` as they are parsed), a
# list is `[...]`, a tuple `(a, b, ...)`; anything not of these types or the two above is a node.
_NOT_NODES = (_FastDuration, _FastRange, list, tuple)


def fast_parse(text: str) -> Node | None:
    """The node of `text` by the hand-written parser, or None where it leaves the text to lark.

    Where it returns a node, lark's path returns an equal one (tests/test_fast_parser.py checks this).
    """
    tokens = tokenize(text)
    tokens += (_END, _END)
    parser = _FastParser(tokens)
    try:
        value = parser.chain_rest(parser.sum(None))
        if tokens[parser.pos] != _END:
            return None
        node: Node = check_root(_as_node(value))
    except (_Defer, ScheduleError):
        return None
    return node


def _fast_number(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # inf or nan (a number too large): lark's path names it
        raise _Defer
    return value


def _as_node(value: object) -> Any:
    if type(value) is float:
        return build(Constant, {"value": value})
    if isinstance(value, _NOT_NODES):
        raise _Defer
    return value


def _fast_duration(value: object) -> Duration:
    if type(value) is _FastDuration:
        return build(Duration, {"amount": value.amount, "unit": value.unit})
    if type(value) is float:
        return build(Duration, {"amount": value, "unit": ""})
    raise _Defer


class _FastParser:
    __slots__ = ("depth", "pos", "tokens")

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def chain_rest(self, first: object) -> object:
        """`first (then sum)*`, with the first sum already parsed."""
        tokens = self.tokens
        if tokens[self.pos] != "then":
            return first
        parts: list[Any] = []
        value = first
        while True:
            node = _as_node(value)
            if type(node) is Then:
                parts.extend(node.parts)
            else:
                parts.append(node)
            if tokens[self.pos] != "then":
                return build(Then, {"parts": tuple(parts)})
            self.pos += 1
            value = self.sum(None)

    def sum(self, first: object) -> object:
        """`product ((+|-) product)*` with `product: unary ((*|/) unary)*`, in one loop.

        `first`, when given, is the already parsed first atom. Operators are left associative, and the
        nodes are built in the order the LALR parser reduces them.
        """
        product = self.unary() if first is None else first
        tokens = self.tokens
        operator = tokens[self.pos]
        if operator not in _OPERATORS:
            return product  # most operands stand alone
        total: object = None
        pending = ""
        while True:
            if operator == "*" or operator == "/":
                self.pos += 1
                right = self.unary()
                product = build(BinaryOp, {"op": operator, "left": _as_node(product), "right": _as_node(right)})
            elif operator == "+" or operator == "-":
                if pending:
                    total = build(BinaryOp, {"op": pending, "left": _as_node(total), "right": _as_node(product)})
                else:
                    total = product
                pending = operator
                self.pos += 1
                product = self.unary()
            else:
                break
            operator = tokens[self.pos]
        if pending:
            return build(BinaryOp, {"op": pending, "left": _as_node(total), "right": _as_node(product)})
        return product

    def unary(self) -> object:
        tokens = self.tokens
        pos = self.pos
        token = tokens[pos]
        if token != "-":
            if token and token[-1] in _DIGITS and token[0] in _NUMBER_START:  # a number, the usual operand
                self.pos = pos + 1
                return _fast_number(token)
            return self.atom()
        count = 0
        while tokens[pos] == "-":
            count += 1
            pos += 1
        self.pos = pos
        token = tokens[pos]
        value: object
        if token and token[-1] in _DIGITS and token[0] in _NUMBER_START:  # a number literal: `-2` is -2
            self.pos += 1
            value = -_fast_number(token)
            count -= 1
        else:
            value = self.atom()
        if type(value) is _FastDuration:
            amount = value.amount
            for _ in range(count):
                amount = -amount
            return _FastDuration(amount, value.unit)
        for _ in range(count):
            value = build(Negate, {"operand": _as_node(value)})
        return value

    def atom(self) -> object:
        tokens = self.tokens
        token = tokens[self.pos]
        if not token:
            raise _Defer
        first = token[0]
        if first in _NUMBER_START and token != ".":
            self.pos += 1
            if token[-1] in _DIGITS:
                return _fast_number(token)
            digits, unit = split_duration(token)
            return _FastDuration(_fast_number(digits), unit)
        if first in _NAME_START and token != "then":
            if tokens[self.pos + 1] != "(":
                raise _Defer
            self.pos += 2
            return self.call(token)
        if token == "(":
            self.depth += 1
            if self.depth > _FAST_DEPTH:
                raise _Defer
            self.pos += 1
            value = self.chain_rest(self.sum(None))
            if tokens[self.pos] != ")":
                raise _Defer
            self.pos += 1
            self.depth -= 1
            return value
        raise _Defer

    def item(self) -> object:
        """An argument, a list item or a tuple item: a chain, a range, a list or a tuple."""
        tokens = self.tokens
        token = tokens[self.pos]
        first: object = None
        if token == "(":  # a tuple, or a parenthesised chain that may go on: `(1) * 2 then 3`
            self.depth += 1
            if self.depth > _FAST_DEPTH:
                raise _Defer
            self.pos += 1
            inner = self.item()
            token = tokens[self.pos]
            self.pos += 1
            if token == ",":
                items = [inner, self.item()]
                while tokens[self.pos] == ",":
                    self.pos += 1
                    items.append(self.item())
                if tokens[self.pos] != ")":
                    raise _Defer
                self.pos += 1
                self.depth -= 1
                return tuple(items)
            if token != ")" or isinstance(inner, (_FastRange, list, tuple)):
                raise _Defer  # `(a -> b)`, `([1])`, `((1, 2))` are not chains
            self.depth -= 1
            first = inner
        elif token == "[":
            self.depth += 1
            if self.depth > _FAST_DEPTH:
                raise _Defer
            self.pos += 1
            listed: list[object] = []
            if tokens[self.pos] != "]":
                listed.append(self.item())
                while tokens[self.pos] == ",":
                    self.pos += 1
                    listed.append(self.item())
            if tokens[self.pos] != "]":
                raise _Defer
            self.pos += 1
            self.depth -= 1
            return listed
        value = self.sum(first)
        if tokens[self.pos] in ("->", "→"):
            self.pos += 1
            return _FastRange(value, self.sum(None))
        return self.chain_rest(value)

    def call(self, name: str) -> object:
        """The arguments of `name(`, up to and with the closing `)`, and the node they make."""
        self.depth += 1
        if self.depth > _FAST_DEPTH:
            raise _Defer
        tokens = self.tokens
        positional: list[object] = []
        keywords: list[tuple[str, object]] = []
        if tokens[self.pos] == ")":
            self.pos += 1
        else:
            while True:
                token = tokens[self.pos]
                if tokens[self.pos + 1] == "=" and token and token[0] in _NAME_START and token != "then":
                    self.pos += 2
                    keywords.append((token, self.item()))
                elif keywords:
                    raise _Defer  # a positional argument after a keyword
                else:
                    positional.append(self.item())
                separator = tokens[self.pos]
                self.pos += 1
                if separator == ")":
                    break
                if separator != ",":
                    raise _Defer
        self.depth -= 1
        return _fast_call(name, positional, keywords)


_KEYWORD_PARAMS: dict[str, dict[str, _Param]] = {
    function: {param.name: param for param in signature.keywords} for function, signature in _SIGNATURES.items()
}


def _needed(signature: _Signature) -> tuple[int, tuple[str, ...]]:
    """How many positional arguments a call needs (the required ones come first), and which keywords."""
    required = [param.required for param in signature.positional]
    count = required.index(False) if False in required else len(required)
    assert not any(required[count:])
    return count, tuple(param.name for param in signature.keywords if param.required)


_NEEDED = {function: _needed(signature) for function, signature in _SIGNATURES.items()}


def _fast_call(function: str, positional: list[object], keywords: list[tuple[str, object]]) -> object:
    """The node of a call, binding arguments as `_call` does; anything `_call` would refuse defers."""
    if function == "min" or function == "max":
        if keywords:
            raise _Defer
        return build(Extremum, {"fn": function, "args": tuple([_as_node(value) for value in positional])})
    if function == "piecewise":
        if keywords:
            raise _Defer
        points: list[tuple[Duration, float]] = []
        for point in positional:
            if type(point) is not tuple or len(point) != 2 or type(point[1]) is not float:
                raise _Defer
            points.append((_fast_duration(point[0]), point[1]))
        return build(Piecewise, {"points": tuple(points)})
    signature = _SIGNATURES.get(function)
    if signature is None or len(positional) > len(signature.positional):
        raise _Defer
    fields: dict[str, Any] = {}
    for param, value in zip(signature.positional, positional, strict=False):
        _fast_bind(param, value, fields)
    given: set[str] = set()
    if keywords:
        by_name = _KEYWORD_PARAMS[function]
        for name, value in keywords:
            keyword_param = by_name.get(name)
            if keyword_param is None or name in given:
                raise _Defer
            given.add(name)
            _fast_bind(keyword_param, value, fields)
    needed_positional, needed_keywords = _NEEDED[function]
    if len(positional) < needed_positional:
        raise _Defer
    for name in needed_keywords:
        if name not in given:
            raise _Defer
    return build(signature.model, fields)


def _fast_bind(param: _Param, value: object, fields: dict[str, Any]) -> None:
    """`_bind` for arguments it accepts."""
    expects = param.expects
    if expects == "range":
        if type(value) is not _FastRange or type(value.start) is not float or type(value.end) is not float:
            raise _Defer
        fields["start"] = value.start
        fields["end"] = value.end
    elif expects == "number":
        if type(value) is not float:
            raise _Defer
        fields[param.field] = value
    elif expects == "duration":
        fields[param.field] = _fast_duration(value)
    elif expects == "schedule":
        fields[param.field] = _as_node(value)
    elif expects == "count":
        if type(value) is not float or not value.is_integer():
            raise _Defer
        fields[param.field] = int(value)
    else:  # a list of durations
        if type(value) is not list:
            raise _Defer
        fields[param.field] = tuple([_fast_duration(item) for item in value])
