"""The hand-written fast parser agrees with the lark grammar, which stays the specification.

`parse` tries `fast_parse` first and hands anything it does not take to lark. So: wherever the fast parser
returns a node, lark returns an equal node; on valid schedules it does take the text (or it would be no
faster); and `parse` as a whole raises exactly lark's errors.
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from strategies import nodes

from paramsched._ast import Node
from paramsched._exceptions import ScheduleError
from paramsched._parse import fast_parse, parse, parse_with_lark
from paramsched._unparse import unparse

from test_language_golden import _error_cases, _valid_cases  # isort: skip


def _outcome(function: object, text: str) -> tuple[str, object]:
    try:
        return "node", function(text)  # type: ignore[operator]
    except ScheduleError as error:
        return type(error).__name__, (str(error), error.line, error.column)


def _agree(text: str) -> None:
    """The fast parser takes the text as lark does, or leaves it; `parse` raises what lark raises."""
    fast = fast_parse(text)
    lark = _outcome(parse_with_lark, text)
    if fast is not None:
        assert lark == ("node", fast), repr(text)
    assert _outcome(parse, text) == lark, repr(text)


@given(nodes(wild_numbers=True, with_units=True, max_depth=3))
def test_fast_and_lark_read_unparsed_nodes_alike(node: Node) -> None:
    text = unparse(node)
    assert fast_parse(text) == parse_with_lark(text) == node


@pytest.mark.parametrize(("source", "canonical"), _valid_cases())
def test_fast_parser_takes_every_golden_schedule(source: str, canonical: str) -> None:
    for text in (source, canonical):
        node = fast_parse(text)
        assert node is not None, text
        assert node == parse_with_lark(text)


@pytest.mark.parametrize(("name", "error", "source", "message"), _error_cases())
def test_fast_parser_leaves_golden_errors_to_lark(name: str, error: str, source: str, message: str) -> None:
    assert fast_parse(source) is None
    _agree(source)


_SPACES = [" ", "  ", "\n", "\t", "\r\n", "\u00a0", ""]
_TOKENS = [
    "linear", "cosine", "exp", "poly", "repeat", "min", "max", "warmup", "piecewise", "multistep", "step",
    "rsqrt", "then", "thenx", "x", "(", ")", "[", "]", ",", "->", "→", "+", "-", "*", "/", "=", "1", "0",
    "-2", "0.5", ".5", "1.", "1e3", "1e", "1_0", "1__0", "10k", "5%", "3ep", "2M", "1e999", "times", "power",
    "from", "every", "at", "gamma", "lower", "upper", "timescale", "start_mult", "cycle_mult", "warmup",
    "Linear", "é", "١", "１", ":", "#",
]  # fmt: skip


def _mutate(text: str, data: st.DataObject) -> str:
    for _ in range(data.draw(st.integers(1, 3))):
        kind = data.draw(st.sampled_from(["insert", "delete", "swap", "token", "space", "duplicate"]))
        index = data.draw(st.integers(0, len(text)))
        if kind == "insert":
            text = text[:index] + data.draw(st.characters(codec="utf-8")) + text[index:]
        elif kind == "delete" and text:
            index = min(index, len(text) - 1)
            text = text[:index] + text[index + 1 :]
        elif kind == "swap" and len(text) > 1:
            index = min(index, len(text) - 2)
            text = text[:index] + text[index + 1] + text[index] + text[index + 2 :]
        elif kind == "token":
            text = text[:index] + data.draw(st.sampled_from(_TOKENS)) + text[index:]
        elif kind == "space":
            text = text[:index] + data.draw(st.sampled_from(_SPACES)) + text[index:]
        else:
            end = data.draw(st.integers(index, len(text)))
            text = text[:index] + text[index:end] * 2 + text[end:]
    return text


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=300)
@given(nodes(wild_numbers=True, with_units=True, max_depth=3), st.data())
def test_fast_and_lark_agree_on_mutated_texts(node: Node, data: st.DataObject) -> None:
    _agree(_mutate(unparse(node), data))


@settings(max_examples=300)
@given(st.lists(st.sampled_from(_TOKENS + _SPACES), max_size=30).map(" ".join))
def test_fast_and_lark_agree_on_token_soup(text: str) -> None:
    _agree(text)


@settings(max_examples=200)
@given(st.lists(st.sampled_from(_TOKENS), max_size=30).map("".join))
def test_fast_and_lark_agree_on_glued_tokens(text: str) -> None:
    _agree(text)


@pytest.mark.parametrize(
    "text",
    [
        "-2", "--2", "-(2)", "- 2", "-0", "--0", "(-2)", "-(-2)", "const(1, --5k)", "const(1, (5k))",
        "const(1, -(5k))", "const(1, -0)", "(1) * 2", "(1) -> 2", "linear((0) -> (1), (5))",
        "piecewise(((0), 1), (5%, 2))", "piecewise((0, 1) , ( 5% , 2 ))", "min((1), (2))", "((1))",
        "(1 -> 2)", "((1, 2))", "([1])", "[1]", "(1, 2)", "const(1, 5) then (const(1, 5) then 2)",
        "(const(1, 5) then const(2, 5)) then 3", "const(1,5)then 2", "const(1, 5)then2", "2then 3",
        "1 + 2then 3", "const(1, 5) thenconst(1, 5)", "linear(0->1,5)", "linear(0 → 1, 5)",
        "linear(0 - > 1, 5)", "multistep(1, at=[], gamma=0.5)", "multistep(1, at=[5,], gamma=0.5)",
        "min()", "min(1)", "max(1, 2,)", "cosine(1 -> 0, 5, power=2, power=3)", "repeat(cosine(1 -> 0, 5), times=2.0)",
        "repeat(cosine(1 -> 0, 5), times=-0)", "warmup(5) then 1", "warmup(5)", "warmup(5, from=-1) then 1",
        "1e999", "-1e999", "const(1, 1e999k)", "1_000", "1_000.000_1e-0_1", "1e+5", "1E5k", "1ep", "1e5ep",
        "10 k", "const(1, 10K)", "const(1, 10m)", "const(1, 10 %)", "1 +", "", " ", "\n1\n", "1\u00a0",
        "1 " * 3, "(" * 45 + "1" + ")" * 45, "-" * 150 + "1", "-(" * 45 + "1" + ")" * 45,
        "repeat(" * 45 + "cosine(1 -> 0, 5)" + ")" * 45, "[" * 45 + "]" * 45,
    ],
)  # fmt: skip
def test_fast_and_lark_agree_on_corner_cases(text: str) -> None:
    _agree(text)


def test_fast_parser_takes_the_benchmark_texts() -> None:
    reference = "linear(0 -> 0.1, 500) then repeat(cosine(0.1 -> 1e-4, 9500))"
    chain = " then ".join(
        f"linear({i} -> {i + 1}, 100)" if i % 2 else f"cosine({i} -> {i + 1}, 100)" for i in range(1000)
    )
    for text in (reference, chain):
        node = fast_parse(text)
        assert node is not None
        assert node == parse_with_lark(text)


def test_nodes_from_the_fast_parser_behave_as_validated_ones() -> None:
    text = "repeat(cosine(0.1 -> 1e-4, 10k, power=2), times=3, warmup=5%) then min(1, -exp(1 -> 2, 3ep))"
    fast = fast_parse(text)
    lark = parse_with_lark(text)
    assert fast is not None
    assert fast == lark and hash(fast) == hash(lark)
    assert fast.model_dump(mode="json") == lark.model_dump(mode="json")
    assert fast.model_dump_json() == lark.model_dump_json()
    assert fast.model_fields_set == lark.model_fields_set
    assert repr(fast) == repr(lark)
    assert unparse(fast) == unparse(lark)
    assert fast.__pydantic_private__ == lark.__pydantic_private__
