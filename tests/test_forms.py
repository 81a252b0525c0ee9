"""The forms of the language are declared once (SPEC §7): walk the declarations and check that every form
parses, unparses, builds in Python, validates from a mapping and simulates; Python composition equals the
text; builders refuse what the text refuses, with the same class and message.

Expected values here are written from SPEC §2 and §3 (canonical texts, the forms' formulas), never read
back from the code under test.
"""

from __future__ import annotations

import inspect
import math
import operator
import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from lark import Lark
from strategies import nodes

import paramsched as ps
from paramsched.language import FORMS, Node, parse, unparse
from paramsched.language.forms import Form, Param
from paramsched.language.grammar import grammar_text
from paramsched.language.lexemes import DURATION_PATTERN, NUMBER_PATTERN
from paramsched.language.nodes import BinaryOp, Constant, Negate, Then

# One value per argument kind, written as text and as Python; each makes a valid call of every form.
_TEXT = {
    "number": "0.5",
    "duration": "10",
    "schedule": "linear(0 -> 1, 10)",
    "count": "2",
    "durations": "[3, 6]",
}
_PYTHON: dict[str, Any] = {
    "number": 0.5,
    "duration": 10,
    "schedule": "linear(0 -> 1, 10)",
    "count": 2,
    "durations": [3, 6],
}
# Non-default values for every optional keyword, valid together (tanh needs lower < upper).
_OTHER_KEYWORD_TEXT = {"power": "2", "lower": "-5", "upper": "4", "times": "3", "cycle_mult": "1.5",
                       "start_mult": "0.8", "end_mult": "0.9", "warmup": "4", "from": "0.25"}  # fmt: skip


def _text_call(form: Form, *, all_keywords: bool) -> str:
    """A call of `form` written from its declaration, as a user writes it."""
    arguments: list[str] = []
    for param in form.params:
        if param.kind == "range":
            arguments.append("0.5 -> 0.25")
        elif param.kind == "points":
            arguments += ["(0, 0.5)", "(10, 0.25)"]
        elif param.kind == "schedules":
            arguments += ["linear(0 -> 1, 10)", "0.5"]
        elif param.keyword and param.required:
            arguments.append(f"{param.name}={_TEXT[param.kind]}")
        elif param.keyword:
            if all_keywords:
                arguments.append(f"{param.name}={_OTHER_KEYWORD_TEXT[param.name]}")
        else:
            arguments.append(_TEXT[param.kind])
    return f"{form.name}({', '.join(arguments)})"


def _python_call(form: Form, *, all_keywords: bool) -> Node:
    """The same call through the form's Python builder."""
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in form.params:
        if param.kind == "range":
            args += [0.5, 0.25]
        elif param.kind == "points":
            args += [(0, 0.5), (10, 0.25)]
        elif param.kind == "schedules":
            args += [ps.linear(0, 1, 10), 0.5]
        elif param.keyword and param.required:
            kwargs[param.python_name] = _PYTHON[param.kind]
        elif param.keyword:
            if all_keywords:
                kwargs[param.python_name] = float(_OTHER_KEYWORD_TEXT[param.name])
                if param.kind in ("count", "duration"):
                    kwargs[param.python_name] = int(kwargs[param.python_name])
        else:
            args.append(_PYTHON[param.kind])
    builder = getattr(ps, form.name)
    node: Node = builder(*args, **kwargs)
    return node


FORM_NAMES = sorted(FORMS)


def test_every_form_of_the_spec_is_declared() -> None:
    # SPEC §2's table, one name per call form
    spec = {"const", "linear", "cosine", "exp", "poly", "sqrt", "tanh", "rsqrt", "triangle", "step",
            "multistep", "piecewise", "repeat", "warmup", "min", "max"}  # fmt: skip
    assert set(FORMS) == spec


@pytest.mark.parametrize("name", FORM_NAMES)
@pytest.mark.parametrize("all_keywords", [False, True], ids=["required", "all"])
def test_each_form_parses_unparses_builds_loads_and_simulates(name: str, all_keywords: bool) -> None:
    form = FORMS[name]
    text = _text_call(form, all_keywords=all_keywords)
    node = parse(text + " then 0.5" if name == "warmup" else text)
    built = _python_call(form, all_keywords=all_keywords)
    whole = built >> 0.5 if name == "warmup" else built
    assert whole == node
    assert str(whole) == unparse(node)
    assert parse(str(whole)) == whole
    assert ps.load(whole.model_dump(mode="json")) == whole
    values = ps.simulate(whole, 40)
    assert values.shape == (40,)
    assert np.isfinite(values).all()
    if not all_keywords:  # the canonical text of a call with only what is required is the call itself
        assert unparse(node).startswith(text)


@pytest.mark.parametrize("name", FORM_NAMES)
def test_builder_signature_and_docstring_follow_the_declaration(name: str) -> None:
    form = FORMS[name]
    builder = getattr(ps, name)
    signature = inspect.signature(builder)
    expected: list[str] = []
    for param in form.params:
        expected += list(param.fields) if param.kind == "range" else [param.python_name]
    assert list(signature.parameters) == expected
    for param in form.keywords:
        assert signature.parameters[param.python_name].kind is inspect.Parameter.KEYWORD_ONLY
    assert builder.__module__ == "paramsched"
    assert builder.__doc__ and f"`{name}(" in builder.__doc__


def test_a_warmup_in_the_middle_of_a_python_chain() -> None:
    # Python's `>>` groups from the left: `(A >> warmup) >> B` must still be `A then warmup then B`
    chain = ps.const(0.1, 10) >> ps.warmup(5) >> ps.cosine(1, 0, 10)
    assert chain == parse("const(0.1, 10) then warmup(5) then cosine(1 -> 0, 10)")
    assert ps.const(0.1, 10).then(ps.warmup(5), ps.cosine(1, 0, 10)) == chain
    open_chain = ps.const(0.1, 10) >> ps.warmup(5)
    assert not isinstance(open_chain, ps.Node)  # not a schedule until the part it ramps to follows
    with pytest.raises(TypeError):
        ps.simulate(open_chain, 3)


def test_none_is_the_default_where_the_default_is_none() -> None:
    assert ps.repeat(ps.linear(0, 1, 5), times=None) == parse("repeat(linear(0 -> 1, 5))")


def test_python_keyword_names_get_a_trailing_underscore() -> None:
    assert str(ps.warmup(500, from_=0.01) >> ps.cosine(0.1, 0, 9500)) == (
        "warmup(500, from=0.01) then cosine(0.1 -> 0, 9500)"
    )


@pytest.mark.parametrize(
    ("python", "text"),
    [
        (lambda: ps.linear(0, 0.1, 500) >> ps.cosine(0.1, 1e-4, "10k"),
         "linear(0 -> 0.1, 500) then cosine(0.1 -> 0.0001, 10k)"),
        (lambda: 0.9 - 0.05 * ps.cosine(1, 0, "10k"), "0.9 - 0.05 * cosine(1 -> 0, 10k)"),
        (lambda: ps.linear(0, 1, 5).then(ps.const(1, 5), 0.5), "linear(0 -> 1, 5) then const(1, 5) then 0.5"),
        (lambda: ps.linear(0, 1, 5) >> ps.const(1, 5) + 1, "linear(0 -> 1, 5) then const(1, 5) + 1"),
        (lambda: -ps.const(1, 5) / 2, "-const(1, 5) / 2"),
        (lambda: 2 / (1 + ps.const(1, 5)), "2 / (1 + const(1, 5))"),
        (lambda: ps.min(ps.rsqrt(0.2, timescale=5), ps.linear(0, 0.2, 30)),
         "min(rsqrt(0.2, timescale=5), linear(0 -> 0.2, 30))"),
        (lambda: ps.repeat(ps.cosine(0.1, 0.01, 20), cycle_mult=1.5, times=3),
         "repeat(cosine(0.1 -> 0.01, 20), times=3, cycle_mult=1.5)"),
        (lambda: ps.repeat("triangle(0 -> 1, 10)"), "repeat(triangle(0 -> 1, 10))"),
        (lambda: ps.step(0.1, every="3ep", gamma=0.5), "step(0.1, every=3ep, gamma=0.5)"),
        (lambda: ps.multistep(0.1, at=[30, "60"], gamma=0.1), "multistep(0.1, at=[30, 60], gamma=0.1)"),
        (lambda: ps.piecewise((0, 0), ("5%", 0.1)), "piecewise((0, 0), (5%, 0.1))"),
    ],
)  # fmt: skip
def test_python_composition_is_the_text(python: Any, text: str) -> None:
    node = python()
    assert str(node) == text
    assert parse(text) == node
    assert isinstance(node, ps.Node)


def test_numbers_lift_on_either_side_and_other_types_do_not() -> None:
    node = ps.const(1, 5)
    assert 1 + node == parse("1 + const(1, 5)")
    assert node * 2 == parse("const(1, 5) * 2")
    with pytest.raises(TypeError):
        node + "1"
    with pytest.raises(TypeError):
        node * True


def test_numbers_too_large_for_a_float_are_refused_as_in_text() -> None:
    with pytest.raises(ps.NonFiniteValueError):
        ps.parse("1" + "0" * 400)
    with pytest.raises(ps.NonFiniteValueError):
        ps.const(1, 5) + 10**400
    with pytest.raises(ps.NonFiniteValueError):
        ps.const(10**400, 5)
    with pytest.raises(ps.ScheduleError):  # as `{"kind": "constant", "value": 10**400}` is refused
        ps.load({"kind": "negate", "operand": 10**400})


def test_nodes_compare_by_fields_not_by_where_they_came_from() -> None:
    parsed = parse("linear(0 -> 1, 10)")
    built = ps.linear(0, 1, 10)
    assert parsed == built and hash(parsed) == hash(built)
    assert ps.language.position_of(parsed) == ("linear(0 -> 1, 10)", 1, 1)
    assert ps.language.position_of(built) is None
    assert parsed != ps.linear(0, 1, 11)


@pytest.mark.parametrize(
    ("build", "text"),
    [
        (lambda: ps.cosine(0.1, 0, 10, power=-1), "cosine(0.1 -> 0, 10, power=-1)"),
        (lambda: ps.linear(0, 0.1), "linear(0 -> 0.1)"),
        (lambda: ps.cosine(0.1, 0, 10, pwr=2), "cosine(0.1 -> 0, 10, pwr=2)"),
        (lambda: ps.exp(0, 1, 5), "exp(0 -> 1, 5)"),
        (lambda: ps.tanh(1, 0, 5, lower=3, upper=1), "tanh(1 -> 0, 5, lower=3, upper=1)"),
        (lambda: ps.repeat(ps.const(1, 5), cycle_mult=2), "repeat(const(1, 5), cycle_mult=2)"),
        (lambda: ps.repeat(ps.step(1, every=2, gamma=0.5)), "repeat(step(1, every=2, gamma=0.5))"),
        (lambda: ps.repeat(ps.linear(0, 1, 5), times=1.5), "repeat(linear(0 -> 1, 5), times=1.5)"),
        (lambda: ps.const(1, 2.5), "const(1, 2.5)"),
        (lambda: ps.const(1, -5), "const(1, -5)"),
        (lambda: ps.multistep(0.1, at=[60, 30], gamma=0.1), "multistep(0.1, at=[60, 30], gamma=0.1)"),
        (lambda: ps.min(ps.const(1, 5)), "min(const(1, 5))"),
        (lambda: ps.rsqrt(0.1), "rsqrt(0.1)"),
        (lambda: ps.const(1, 5) >> ps.step(1, every=2, gamma=0.5) >> 1,
         "const(1, 5) then step(1, every=2, gamma=0.5) then 1"),
        (lambda: ps.const(1, 5) / 0, "const(1, 5) / 0"),
    ],
)  # fmt: skip
def test_builders_refuse_what_the_text_refuses_with_the_same_error(build: Any, text: str) -> None:
    with pytest.raises(ps.ScheduleError) as from_text:
        parse(text)
    with pytest.raises(ps.ScheduleError) as from_python:
        build()
    assert type(from_python.value) is type(from_text.value)
    assert from_python.value.message == from_text.value.message
    assert from_python.value.line is None  # no caret: there is no text


def test_mapping_sub_schedules_may_be_text_or_numbers() -> None:
    data = {"kind": "then", "parts": ["linear(0 -> 0.1, 500)", {"kind": "binary", "op": "*", "left": 0.5,
                                                                 "right": "cosine(1 -> 0, 10k)"}]}  # fmt: skip
    assert ps.load(data) == parse("linear(0 -> 0.1, 500) then 0.5 * cosine(1 -> 0, 10k)")


def test_a_warmup_written_as_text_is_a_part_of_the_mapping_that_holds_it() -> None:
    assert ps.load({"kind": "then", "parts": ["warmup(5)", "cosine(0.1 -> 0, 10)"]}) == parse(
        "warmup(5) then cosine(0.1 -> 0, 10)"
    )
    with pytest.raises(ps.DurationError, match=r"warmup\(\.\.\.\) can only stand right before `then`.*parts\[1\]"):
        ps.load({"kind": "then", "parts": ["cosine(0.1 -> 0, 10)", "warmup(5)"]})
    with pytest.raises(ps.DurationError, match="can only stand right before `then`"):
        ps.load("warmup(5)")


def test_load_takes_what_a_config_holds_as_a_schedule() -> None:
    assert ps.load(0.9) == parse("0.9")
    assert ps.load("cosine(1 -> 0, 10)") == parse("cosine(1 -> 0, 10)")
    assert ps.load('{"kind": "constant", "value": 2}') == parse("2")


@pytest.mark.parametrize("number", [0.9, 3, -2.5])
def test_a_plain_number_is_a_schedule_for_simulate(number: float) -> None:
    assert ps.simulate(number, 4).tolist() == [float(number)] * 4


def _rebuild(node: Node) -> Node:
    """The node written again through the public Python API only (builders and operators)."""
    if isinstance(node, Constant):
        return ps.language.to_node(node.value)  # a plain number is a schedule wherever one is taken
    if isinstance(node, Then):
        first, *rest = (_rebuild(part) for part in node.parts)
        chained = first
        for part in rest:
            chained = chained >> part
        return chained
    if isinstance(node, BinaryOp):
        left, right = _rebuild(node.left), _rebuild(node.right)
        combine = {"+": operator.add, "-": operator.sub, "*": operator.mul, "/": operator.truediv}[node.op]
        rebuilt: Node = combine(left, right)
        return rebuilt
    if isinstance(node, Negate):
        return -_rebuild(node.operand)
    name = node.fn if node.kind == "extremum" else node.kind  # type: ignore[attr-defined]
    form = FORMS[name]
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for param in form.params:
        values = [getattr(node, field) for field in param.fields]
        if param.keyword and not param.required and values[0] == param.default:
            continue  # left out, as a user would
        converted = [_python_value(param, value) for value in values]
        if param.keyword:
            kwargs[param.python_name] = converted[0]
        elif param.variadic:
            args += converted[0]
        else:
            args += converted
    built: Node = getattr(ps, name)(*args, **kwargs)
    return built


def _python_value(param: Param, value: Any) -> Any:
    kind = param.kind
    if kind in ("schedule",):
        return _rebuild(value)
    if kind == "schedules":
        return [_rebuild(item) for item in value]
    if kind == "duration":
        return str(value)  # a duration as the string a user writes: "10k", "3ep", "5%"
    if kind == "durations":
        return [str(item) for item in value]
    if kind == "points":
        return [(str(milestone), point) for milestone, point in value]
    return value


@given(nodes(wild_numbers=True, with_units=True, max_depth=3))
def test_every_generated_node_rebuilt_through_the_builders_equals_itself(node: Node) -> None:
    rebuilt = _rebuild(node)
    assert rebuilt == node
    assert str(rebuilt) == unparse(node)


_GRAMMAR = Lark(grammar_text(), parser="lalr", lexer="contextual")
_LEXEME_ALPHABET = st.text(alphabet="0123456789._eE+-kMp%", max_size=12)


@given(_LEXEME_ALPHABET)
def test_the_lexemes_spell_the_grammars_terminals(text: str) -> None:
    terminals = {terminal.name: terminal.pattern.to_regexp() for terminal in _GRAMMAR.terminals}
    number = re.fullmatch(terminals["NUMBER"], text) is not None
    duration = re.fullmatch(terminals["DURATION"], text) is not None
    assert number == (re.fullmatch(NUMBER_PATTERN, text) is not None)
    assert (number or duration) == (re.fullmatch(DURATION_PATTERN, text) is not None)


def test_formula_of_a_form_built_in_python() -> None:
    # cosine(a -> b, d): a + (b − a)/2·(1 − cos(π·u)), u = min(t, d)/d  (SPEC §2)
    values = ps.simulate(ps.cosine(0.1, 0.001, 80), 100)
    for t in (0, 1, 40, 79, 80, 99):
        u = min(t, 80) / 80
        assert math.isclose(values[t], 0.1 + (0.001 - 0.1) / 2 * (1 - math.cos(math.pi * u)), rel_tol=1e-12)


# --- other libraries' names, declared with the forms (issue: errors that say what to write) ------------

_OTHER_NAMES = [(form.name, alias, whose) for form in FORMS.values() for alias, whose in form.known_as.items()]
_OTHER_ARGUMENT_NAMES = [
    (form.name, param.name, alias) for form in FORMS.values() for param in form.params for alias in param.known_as
]


def test_other_names_are_lowercase_claimed_once_and_no_form_of_ours() -> None:
    claimed = [alias for _, alias, _ in _OTHER_NAMES]
    assert len(claimed) == len(set(claimed)), sorted(alias for alias in claimed if claimed.count(alias) > 1)
    assert all(alias == alias.lower() and alias not in FORMS for alias in claimed)
    for form in FORMS.values():
        keywords = {param.name for param in form.keywords}
        for param in form.params:
            assert not keywords & {alias for alias in param.known_as if param.name != alias}, (form.name, param)


@pytest.mark.parametrize(("name", "alias", "whose"), _OTHER_NAMES)
def test_another_librarys_name_for_a_form_says_how_it_is_written_here(name: str, alias: str, whose: str) -> None:
    spelt = "".join(part.capitalize() for part in alias.split("_")) if whose in ("torch", "timm") else alias
    with pytest.raises(ps.UnknownNameError) as raised:
        parse(f"{spelt}(1)")
    library, _, write = whose.partition(": ")
    message = raised.value.message
    assert message.startswith(f"unknown schedule '{spelt}'; ")
    assert (write or FORMS[name].usage) in message
    if library:
        assert f"{library}'s {spelt} is written" in message


@pytest.mark.parametrize(("name", "param", "alias"), _OTHER_ARGUMENT_NAMES)
def test_another_librarys_name_for_an_argument_says_how_it_is_written_here(name: str, param: str, alias: str) -> None:
    form = FORMS[name]
    with pytest.raises(ps.UnknownNameError) as raised:
        parse(f"{name}({alias}=1)")
    message = raised.value.message
    assert message.startswith(f"{name}() has no argument '{alias}'; ")
    assert message.endswith(form.usage)
    declared = next(p for p in form.params if p.name == param)
    if declared.kind == "range":
        assert "written as a range a -> b" in message
    elif declared.keyword:
        assert f"it is written {param}= here" in message
    else:
        assert f"its {param} is written in place" in message


@pytest.mark.parametrize(
    ("written", "write"),
    [("3 epochs", "3ep"), ("3epochs", "3ep"), ("3 ep", "3ep"), ("2 EPOCHS", "2ep"), ("10 K", "10k"), ("10K", "10k"),
     ("2 M", "2M"), ("1.5 million", "1.5M"), ("5 %", "5%"), ("5 percent", "5%"), ("500 steps", "500"),
     ("10k steps", "10k"), ("1e3 iterations", "1e3"), ("2 events", "2")],
)  # fmt: skip
def test_a_unit_spelt_out_or_after_a_space_says_what_to_write(written: str, write: str) -> None:
    for text, column in ((f"warmup({written}) then 0.1", 8), (f"cosine(1 -> 0, {written})", 16)):
        with pytest.raises(ps.ScheduleSyntaxError) as raised:
            parse(text)
        assert raised.value.message.startswith(f"'{written}' is not a duration: ")
        assert raised.value.message.endswith(f"; write {write}")
        assert raised.value.column == column
    with pytest.raises(ps.ScheduleArgumentError) as from_python:
        ps.warmup(written)
    assert f"write {write})" in from_python.value.message
