"""Errors of the language: positions, plain-word expectations, suggestions, limits and hostile input.

Whatever the input, `parse` returns a node or raises a ScheduleError: never a lark exception, never a
RecursionError, and within a second for 100 KB.
"""

from __future__ import annotations

import json
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

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
from paramsched._limits import MAX_DEPTH, MAX_TEXT_LENGTH, MAX_TOKENS
from paramsched.language import Node, load, parse, unparse
from paramsched.language.nodes import Constant, Negate

FAST = 1.0  # seconds allowed for any input up to 100 KB (SPEC §6)


def _error(text: str) -> ScheduleError:
    with pytest.raises(ScheduleError) as raised:
        parse(text)
    return raised.value


def test_caret_points_at_the_problem_on_its_line() -> None:
    error = _error("linear(0 -> 0.1, 500)\nthen cosine(0.1 -> 1e-4, 10k, pwr=2)")
    assert (error.line, error.column) == (2, 31)
    assert str(error).splitlines()[-2:] == [
        "    then cosine(0.1 -> 1e-4, 10k, pwr=2)",
        "                                  ^",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "expected a number, a schedule or '('"),
        ("1 +", "expected a number, a schedule or '('"),
        ("linear(0 -> 1, 5", "expected 'then', an operator, '->', ',' or ')'"),
        ("cosine(1 -> 0, 5) then", "expected a number, a schedule or '('"),
        ("piecewise((0, 1", "expected 'then', an operator, '->', ',' or ')'"),
        ("step(1, every=5, gamma=)", "expected a number, a schedule, '(' or '['"),
    ],
)
def test_expected_tokens_are_plain_words(text: str, expected: str) -> None:
    error = _error(text)
    assert isinstance(error, ScheduleSyntaxError)
    assert expected in error.message
    for internal in ("RPAR", "LPAR", "__ANON", "NUMBER", "$END", "Token(", "COMMA"):
        assert internal not in str(error)


@pytest.mark.parametrize(
    ("text", "suggestion"),
    [
        ("cosin(1 -> 0, 5)", "did you mean 'cosine'?"),
        ("lineer(1 -> 0, 5)", "did you mean 'linear'?"),
        ("multi_step(1, at=[1], gamma=0.1)", "did you mean 'multistep'?"),
        ("cosine(1 -> 0, 5, pwr=2)", "did you mean 'power'?"),
        ("repeat(cosine(1 -> 0, 5), time=2)", "did you mean 'times'?"),
        ("tanh(1 -> 0, 5, lowr=-5)", "did you mean 'lower'?"),
    ],
)
def test_unknown_names_suggest_the_closest(text: str, suggestion: str) -> None:
    error = _error(text)
    assert isinstance(error, UnknownNameError)
    assert suggestion in error.message


@pytest.mark.parametrize(
    ("text", "cls", "words"),
    [
        ("const(1)", ScheduleArgumentError, "const() is missing its duration"),
        ("linear()", ScheduleArgumentError, "linear() is missing its range a -> b"),
        ("rsqrt(1)", ScheduleArgumentError, "rsqrt() is missing the argument timescale=…"),
        ("const(1, 5, 6)", ScheduleArgumentError, "const() takes 2 positional arguments"),
        ("step(1, every=5, 0.5)", ScheduleArgumentError, "positional argument cannot follow"),
        ("const(1, duration=5)", UnknownNameError, "const() has no argument 'duration'"),
        ("min(1, x=2)", UnknownNameError, "min() has no argument 'x'"),
        ("cosine(1 -> 0, 5, power=1 -> 2)", ScheduleArgumentError, "expects a number for 'power', not a range"),
        ("multistep(1, at=5, gamma=0.1)", ScheduleArgumentError, "expects a list of durations"),
        ("multistep(1, at=[5, 2], gamma=0.1)", ScheduleArgumentError, "must not decrease"),
        ("piecewise((5, 1), (2, 0))", ScheduleArgumentError, "must not decrease"),
        ("piecewise(1, 2)", ScheduleArgumentError, "(milestone, value) pairs"),
        ("repeat(cosine(1 -> 0, 5), times=0)", ScheduleArgumentError, "times"),
        ("repeat(cosine(1 -> 0, 5), times=1.5)", ScheduleArgumentError, "whole number"),
        ("repeat(cosine(1 -> 0, 5), times=5k)", ScheduleArgumentError, "not the duration '5k'"),
        ("repeat(const(1, 5), end_mult=0.5)", ScheduleArgumentError, "one shape with a range"),
        ("repeat(cosine(1 -> 0, 5), cycle_mult=0)", ScheduleArgumentError, "cycle_mult must be > 0"),
        ("repeat(exp(1 -> 0.1, 5), start_mult=-1)", ScheduleArgumentError, "start_mult must be > 0"),
        ("repeat(1)", DurationError, "lasts 0 events"),
        ("repeat(repeat(cosine(1 -> 0, 5)))", DurationError, "never ends"),
        ("tanh(1 -> 0, 5, lower=3)", ScheduleArgumentError, "lower < upper"),
        ("poly(1 -> 0, 5, power=0)", ScheduleArgumentError, "power must be > 0"),
        ("exp(-1 -> 1, 5)", ScheduleArgumentError, "same sign"),
        ("rsqrt(1, timescale=0)", ScheduleArgumentError, "timescale must be > 0"),
        ("step(1, every=0, gamma=0.5)", ScheduleArgumentError, "every must be > 0"),
        ("const(1, -5)", ScheduleArgumentError, "must not be negative"),
        ("const(1, -5k)", ScheduleArgumentError, "must not be negative"),
        ("const(1, 2e15)", LimitError, "more than 10**15 events"),
        ("const(1, 0) then 1", DurationError, "zero-length part"),
        ("repeat(cosine(1 -> 0, 5)) then 1", DurationError, "infinite part before `then`"),
        ("(const(1, 5) then rsqrt(1, timescale=5)) + 1 then 2", DurationError, "infinite part"),
        ("warmup(5) then warmup(5) then 1", DurationError, "not by another warmup"),
        ("min(warmup(5), 1)", DurationError, "warmup(...) can only stand right before `then`"),
        ("repeat(warmup(5), times=2)", DurationError, "warmup(...) can only stand"),
        ("-warmup(5) then 1", DurationError, "warmup(...) can only stand"),
        ("1 / 0", NonFiniteValueError, "division by the constant 0"),
        ("1e999", NonFiniteValueError, "too large to be finite"),
        ("const(1, 1e999k)", NonFiniteValueError, "too large to be finite"),
        ("10k + 1", ScheduleSyntaxError, "is not a value"),
        ("(1, 2)", ScheduleSyntaxError, "unexpected"),
        ("1 -> 2", ScheduleSyntaxError, "a range a -> b only goes inside a call"),
        ("cosine", ScheduleSyntaxError, "'cosine' needs its arguments in brackets: write cosine(a -> b,"),
        ("Linear(0 -> 1, 5)", UnknownNameError, "names are lowercase; write linear(a -> b, duration)"),
    ],
)
def test_argument_and_structure_errors(text: str, cls: type[ScheduleError], words: str) -> None:
    error = _error(text)
    assert type(error) is cls, str(error)
    assert words in error.message
    assert error.line is not None and error.column is not None


@pytest.mark.parametrize(
    "text",
    [
        "const(１, 5)",  # full-width digit
        "1 − 2",  # U+2212 MINUS SIGN
        "linear(0 — 1, 5)",  # em dash
        "1 × 2",
        "const(1,\u00a05)",  # no-break space
        "cosine(1 => 0, 5)",
        "const(1, 5) ; 2",
        "lr: 0.1",
        "{0.1}",
        "$x",
        "# comment",
        "const(1, 5٥)",  # Arabic-Indic digit five
        "1.",
        "1__0",
        "1e",
        "5 k",
    ],
)
def test_look_alikes_and_foreign_syntax_are_syntax_errors(text: str) -> None:
    error = _error(text)
    assert isinstance(error, ScheduleSyntaxError), repr(error)


def test_look_alikes_name_the_ascii_character() -> None:
    assert "did you mean '-'?" in _error("1 − 2").message
    assert "did you mean '1'?" in _error("const(１, 5)").message
    assert "U+FF11 FULLWIDTH DIGIT ONE" in _error("const(１, 5)").message


def test_units_need_their_run_settings() -> None:
    duration = parse("const(1, 5%)").duration  # type: ignore[union-attr]
    with pytest.raises(UnitError, match=r"duration '5%' needs `total`"):
        duration.events()
    assert duration.events(total=1000) == 50
    epochs = parse("const(1, 2.5ep)").duration  # type: ignore[union-attr]
    with pytest.raises(UnitError, match=r"duration '2.5ep' needs `steps_per_epoch`"):
        epochs.events(total=1000)
    assert epochs.events(steps_per_epoch=3) == 8  # 7.5 rounds half to even
    assert epochs.events(steps_per_epoch=5) == 12  # 12.5 rounds half to even
    assert parse("const(1, 0.35ep)").duration.events(steps_per_epoch=10) == 4  # type: ignore[union-attr]
    assert parse("const(1, 1.001k)").duration.events() == 1001  # type: ignore[union-attr]
    with pytest.raises(ScheduleArgumentError):
        duration.events(total=-1)
    with pytest.raises(ScheduleArgumentError):
        epochs.events(steps_per_epoch=True)
    with pytest.raises(LimitError):
        parse("const(1, 1e20ep)").duration.events(steps_per_epoch=1)  # type: ignore[union-attr]


# --- limits ----------------------------------------------------------------------------------------------


def _fast(text: str) -> ScheduleError | None:
    start = time.perf_counter()
    try:
        parse(text)
        error = None
    except ScheduleError as raised:
        error = raised
    assert time.perf_counter() - start < FAST
    return error


@pytest.mark.parametrize("opening", ["(", "[", "min(", "-(", "repeat("])
def test_deep_nesting_raises_limit_error_fast(opening: str) -> None:
    error = _fast(opening * 10_000 + "1")
    assert isinstance(error, LimitError)


@pytest.mark.parametrize(
    "text",
    [
        "-" * 99_999 + "1",
        "1" + " + 1" * 24_999,
        "1" + " * 1" * 24_999,
        "min(1, " * 101 + "2" + ")" * 101,
    ],
)
def test_long_chains_of_nesting_operators_raise_limit_error(text: str) -> None:
    assert isinstance(_fast(text), LimitError)


def test_nesting_at_the_limit_works_everywhere() -> None:
    """The deepest allowed node survives every recursive operation: unparse, dump, load, ==, hash."""
    text = "-(" * (MAX_DEPTH - 2) + "min(cosine(1 -> 0, 5), 1)" + ")" * (MAX_DEPTH - 2)
    node = parse(text)
    canonical = "-(" * (MAX_DEPTH - 3) + "-min(cosine(1 -> 0, 5), 1)" + ")" * (MAX_DEPTH - 3)
    assert unparse(node) == canonical
    assert parse(unparse(node)) == node
    assert load(node.model_dump(mode="json")) == node
    assert load(json.dumps(node.model_dump(mode="json"))) == node
    assert hash(node) == hash(parse(text))
    with pytest.raises(LimitError):
        parse("-" + text)


def test_text_longer_than_the_limit_raises_limit_error() -> None:
    assert isinstance(_fast("1" + " " * MAX_TEXT_LENGTH), LimitError)
    assert parse("1" + " " * (MAX_TEXT_LENGTH - 1)) == Constant(value=1.0)


@pytest.mark.parametrize(
    "text",
    [
        "x@" * 50_000,
        "(" * 50_000 + ")" * 50_000,
        ")" * 100_000,
        "1" * 100_000,
        "linear(0 -> 1, 5) then " * 4_347,
        "const(1, 5) then " * 5_882 + "1",
        "min(1, " + "1, " * 33_000 + "1)",
        "piecewise(" + "(1, 2), " * 12_000 + "(1, 2))",
        "\n" * 99_999 + "!",
        "é" * 100_000,
    ],
)
def test_100_kb_inputs_finish_within_a_second(text: str) -> None:
    assert len(text) <= MAX_TEXT_LENGTH
    _fast(text)


def test_token_limit() -> None:
    at_limit = "min(1" + ", 1" * ((MAX_TOKENS - 3) // 2 - 1) + ")"
    parse(at_limit)
    assert isinstance(_fast("min(1" + ", 1" * (MAX_TOKENS // 2) + ")"), LimitError)


def test_a_1000_part_chain_parses() -> None:
    node = parse(" then ".join(["linear(0 -> 0.1, 500)"] * 1000))
    assert len(node.parts) == 1000  # type: ignore[union-attr]


def test_direct_construction_is_bounded_too() -> None:
    node: Node = Constant(value=1.0)
    with pytest.raises(LimitError):
        for _ in range(MAX_DEPTH + 1):
            node = Negate(operand=node)


@given(st.text(max_size=200))
def test_any_text_parses_or_raises_schedule_error(text: str) -> None:
    try:
        parse(text)
    except ScheduleError:
        pass


_PIECES = [
    "linear", "cosine", "exp", "repeat", "min", "warmup", "then", "(", ")", "[", "]", ",", "->", "→", "+", "-",
    "*", "/", "=", "1", "0", "-2", "0.5", "10k", "5%", "3ep", "times", "power", "from", "every", "at", " ",
]  # fmt: skip


@given(st.lists(st.sampled_from(_PIECES), max_size=40).map("".join))
def test_token_soup_parses_or_raises_schedule_error(text: str) -> None:
    try:
        parse(text)
    except ScheduleError as error:
        assert error.line is not None, repr(text)


# --- load gives the same errors as parse -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "data"),
    [
        ("const(1, 2.5)", {"kind": "const", "value": 1, "duration": {"amount": 2.5}}),
        ("exp(0 -> 1, 5)", {"kind": "exp", "start": 0, "end": 1, "duration": {"amount": 5}}),
        (
            "rsqrt(1, timescale=5) then 1",
            {
                "kind": "then",
                "parts": [
                    {"kind": "rsqrt", "value": 1, "timescale": {"amount": 5}},
                    {"kind": "constant", "value": 1},
                ],
            },
        ),
        ("warmup(5)", {"kind": "warmup", "duration": {"amount": 5}}),
        (
            "repeat(const(1, 5), start_mult=2)",
            {"kind": "repeat", "body": {"kind": "const", "value": 1, "duration": {"amount": 5}}, "start_mult": 2},
        ),
        (
            "cosine(1 -> 0, 5, power=-1)",
            {"kind": "cosine", "start": 1, "end": 0, "duration": {"amount": 5}, "power": -1},
        ),
        (
            "1 / 0",
            {
                "kind": "binary",
                "op": "/",
                "left": {"kind": "constant", "value": 1},
                "right": {"kind": "constant", "value": 0},
            },
        ),
    ],
)
def test_load_raises_what_parse_raises(text: str, data: dict[str, object]) -> None:
    from_text = _error(text)
    with pytest.raises(ScheduleError) as raised:
        load(data)
    assert type(raised.value) is type(from_text)
    assert raised.value.message.startswith(from_text.message)


@pytest.mark.parametrize(
    ("data", "cls", "words"),
    [
        ({"kind": "cosin"}, UnknownNameError, "unknown schedule kind 'cosin'; did you mean 'cosine'?"),
        ({"value": 1}, ScheduleArgumentError, "needs a 'kind' field"),
        ({"kind": "const", "value": 1}, ScheduleArgumentError, "missing field 'duration'"),
        ({"kind": "constant", "value": 1, "vlue": 2}, UnknownNameError, "did you mean 'value'?"),
        (
            {"kind": "const", "value": 1, "duration": {"amount": 1, "units": "k"}},
            UnknownNameError,
            "duration has no field 'units'; did you mean 'unit'? (at duration)",
        ),
        (
            {"kind": "multistep", "value": 1, "at": [{"amont": 1}], "gamma": 0.5},
            UnknownNameError,
            "duration has no field 'amont'; did you mean 'amount'? (at at[0])",
        ),
        ({"kind": "constant", "value": float("nan")}, NonFiniteValueError, "value must be a finite number"),
        ({"kind": "constant", "value": True}, ScheduleArgumentError, "valid number"),
        ({"kind": "constant", "value": "1"}, ScheduleArgumentError, "valid number"),
        ({"kind": "const", "value": 1, "duration": {"amount": 1, "unit": "s"}}, ScheduleArgumentError, "unit"),
        (
            {"kind": "negate", "operand": {"kind": "then", "parts": [{"kind": "constant", "value": 1}]}},
            ScheduleArgumentError,
            "`then` needs at least two parts (at operand.parts)",
        ),
        (
            {
                "kind": "extremum",
                "fn": "min",
                "args": [
                    {"kind": "constant", "value": 1},
                    {"kind": "const", "value": 1, "duration": {"amount": -1}},
                ],
            },
            ScheduleArgumentError,
            "must not be negative, got -1 (at args[1].duration.amount)",
        ),
        ('{"kind": "constant", "value": NaN}', NonFiniteValueError, "finite"),
        ('{"kind": "constant", "value": 1', ScheduleSyntaxError, "invalid JSON"),
        ("[" * 100_000, LimitError, "nested more than"),
    ],
)  # fmt: skip
def test_load_errors_name_the_field(data: object, cls: type[ScheduleError], words: str) -> None:
    with pytest.raises(cls) as raised:
        load(data)  # type: ignore[arg-type]
    assert words in raised.value.message


def test_load_refuses_deep_mappings_without_recursion_error() -> None:
    data: dict[str, object] = {"kind": "constant", "value": 1}
    for _ in range(50_000):
        data = {"kind": "negate", "operand": data}
    with pytest.raises(LimitError):
        load(data)


@pytest.mark.parametrize(
    ("duration", "cls", "words"),
    [
        ("10x", ScheduleArgumentError, "a duration is a number of events or text like '500', '10k'"),
        ("-5", ScheduleArgumentError, "must not be negative, got -5 (at duration.amount)"),
        ("2.5", ScheduleArgumentError, "whole number"),
        ("1e999", NonFiniteValueError, "finite"),
        (True, ScheduleArgumentError, "(at duration)"),
        ([5], ScheduleArgumentError, "(at duration)"),
    ],
)
def test_short_durations_in_mappings_are_checked(duration: object, cls: type[ScheduleError], words: str) -> None:
    with pytest.raises(cls) as raised:
        load({"kind": "const", "value": 1, "duration": duration})
    assert words in str(raised.value)
