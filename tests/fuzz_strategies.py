"""Hypothesis strategies that write schedule *text* (and schedule mappings) for the fuzz tests.

- `grammar_texts()`: random but syntactically plausible text built from the grammar: calls with mostly
  valid names (some typos), random argument lists, ranges, keywords, numbers of every shape (huge, tiny,
  underscored, exponents), units, operators, parentheses, `then`, whitespace and newlines.
- `mutated_texts()`: a valid schedule (tests/strategies.py `nodes()` through `paramsched.unparse`) with
  character and token edits: insertions, deletions, swaps, Unicode look-alikes, huge numbers.
- `huge_texts()`: inputs at the size limits: ~100 KB, 10,000-deep nesting, very long numbers and names.
- `fuzzed_mappings()`: the mapping form of valid schedules with wrong kinds, wrong types, missing and
  extra fields, and deep nesting.

All of them are plain data: they never call paramsched except `unparse` and `model_dump` on valid nodes.
"""

from __future__ import annotations

import copy
import math
import re
from typing import Any

from hypothesis import strategies as st
from strategies import nodes

import paramsched as ps
from paramsched.language import FORMS, MODELS
from paramsched.language.lexemes import UNITS as LEXEME_UNITS

__all__ = [
    "LOOK_ALIKES",
    "fuzzed_mappings",
    "grammar_texts",
    "huge_texts",
    "mutated_texts",
    "numbers_text",
]

NAMES = tuple(FORMS)
"""Every call name of the language, from the form declarations."""
KEYWORDS = tuple(sorted({param.name for form in FORMS.values() for param in form.keywords}))
"""Every keyword argument of the language, from the form declarations."""
UNITS = ("", "", "", *(unit for unit in LEXEME_UNITS if unit))
BAD_UNITS = ("K", "m", "e", "epoch", "s", "%%", "kk", "ms")

LOOK_ALIKES = (
    "\u2212",  # − minus sign
    "\u2010",  # ‐ hyphen
    "\u2013",  # – en dash
    "\u2014",  # — em dash
    "\u00a0",  # no-break space
    "\u2007",  # figure space
    "\u200b",  # zero-width space
    "\ufeff",  # byte order mark
    "\u3000",  # ideographic space
    "\uff08",  # （ full-width (
    "\uff09",  # ） full-width )
    "\uff0c",  # ， full-width comma
    "\uff10",  # ０ full-width 0
    "\uff11",  # １
    "\uff19",  # ９
    "\uff0e",  # ． full-width full stop
    "\u0660",  # Arabic-Indic digit zero
    "\u00b9",  # superscript one
    "\u00bd",  # ½
    "\u2192",  # → (valid arrow)
    "\u27f6",  # ⟶ long rightwards arrow
    "\u21d2",  # ⇒
    "\u2794",  # ➔
    "\u279d",  # ➝
    "\u00d7",  # ×
    "\u00f7",  # ÷
    "\u2044",  # ⁄ fraction slash
    "\u212a",  # K Kelvin sign
    "\u0435",  # Cyrillic е
    "\u0131",  # dotless i
    "\u00e9",  # é
    "\U0001d7ce",  # mathematical bold digit zero
    "\ud800",  # a lone surrogate
    "\x00",
    "\x0b",
    "\x0c",
    "\u2028",  # line separator
    "\r",
)
SYNTAX = (*"()[],=+-*/.>_%eE0123456789 \n\t", "->", "then", " then ", "k", "M", "ep")

# --- numbers -----------------------------------------------------------------------------------------


def _underscored(digits: str) -> str:
    return "_".join(digits[i : i + 3] for i in range(0, len(digits), 3))


@st.composite
def numbers_text(draw: Any) -> str:
    """A number as a user might write it: plain, fractional, exponent, underscores, huge, tiny, odd."""
    kind = draw(st.integers(0, 12))
    if kind == 0:
        return str(draw(st.integers(0, 10**6)))
    if kind == 1:
        return repr(draw(st.floats(allow_nan=False, allow_infinity=False, min_value=0)))
    if kind == 2:
        mantissa = draw(st.sampled_from(["1", "2.5", ".5", "0.1", "9.99", "1_000", "0"]))
        exponent = draw(st.one_of(st.integers(-400, 400), st.sampled_from([308, 309, -323, -324, 4000, 10**6])))
        sign = draw(st.sampled_from(["", "+", "-"]))
        letter = draw(st.sampled_from(["e", "E"]))
        return f"{mantissa}{letter}{sign if exponent >= 0 else ''}{exponent}"
    if kind == 3:  # many digits
        return draw(st.sampled_from(["9", "1", "0"])) * draw(st.integers(20, 5000))
    if kind == 4:
        return _underscored(str(draw(st.integers(0, 10**30))))
    if kind == 5:
        return "0." + "0" * draw(st.integers(0, 400)) + str(draw(st.integers(1, 99)))
    if kind == 6:
        return draw(st.sampled_from(["1e400", "1e-400", "1e308", "1.7976931348623157e308", "2e308", "5e-324", "1e15",
                                     "1e16", "0.0", "00", "007", "1__0", "1_", "_1", "1.", ".", "1e", "1e+", "1.2.3",
                                     "0x10", "1,5", "inf", "nan", "1e15", "10**15", "4.9e-324"]))  # fmt: skip
    if kind == 7:
        return format(draw(st.floats(allow_nan=False, allow_infinity=False, min_value=0)), "e")
    if kind == 8:
        return str(draw(st.integers(0, 2**70)))
    return str(draw(st.integers(0, 1000)) / draw(st.sampled_from([1, 2, 4, 10, 100, 1000])))


@st.composite
def _duration_text(draw: Any) -> str:
    number = draw(numbers_text())
    unit = draw(st.one_of(st.sampled_from(UNITS), st.sampled_from(BAD_UNITS))) if draw(st.booleans()) else ""
    return number + unit


# --- names -------------------------------------------------------------------------------------------


@st.composite
def _typo(draw: Any, word: str) -> str:
    """A near miss of `word`: a dropped, doubled, swapped or changed letter, or upper case."""
    if not word:
        return "x"
    index = draw(st.integers(0, len(word) - 1))
    edit = draw(st.integers(0, 4))
    if edit == 0:
        return word[:index] + word[index + 1 :] or "x"
    if edit == 1:
        return word[:index] + word[index] + word[index:]
    if edit == 2 and len(word) > 1:
        index = min(index, len(word) - 2)
        return word[:index] + word[index + 1] + word[index] + word[index + 2 :]
    if edit == 3:
        return word.upper() if draw(st.booleans()) else word.capitalize()
    return word[:index] + draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz_0")) + word[index + 1 :]


def _word(words: tuple[str, ...]) -> st.SearchStrategy[str]:
    valid = st.sampled_from(words)
    return st.one_of(
        valid,
        valid,
        valid,
        valid,
        valid.flatmap(_typo),
        st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True),
        st.sampled_from(["then", "inf", "nan", "e", "k", "M", "ep", "import", "__class__", "lambda"]),
    )


# --- grammar-driven text -----------------------------------------------------------------------------

_SPACE = st.sampled_from(["", "", "", " ", " ", "  ", "\n", "\t", " \n  ", "\r\n"])


def _spaced(text: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(_SPACE, text, _SPACE).map("".join)


def _join(parts: list[str], separator: str) -> str:
    return separator.join(parts)


@st.composite
def _call(draw: Any, expr: st.SearchStrategy[str]) -> str:
    name = draw(_word(NAMES))
    argument = _argument(expr)
    arguments = draw(st.lists(argument, max_size=5))
    comma = draw(st.sampled_from([",", ",", ", ", " ,", ",\n"]))
    closing = draw(st.sampled_from([")", ")", ")", ")", ")", "", "))", ",)", "]"]))
    opening = draw(st.sampled_from(["(", "(", "(", "(", "( ", " (", "[", "(("]))
    return name + opening + _join(arguments, comma) + closing


def _argument(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    arrow = st.sampled_from(["->", "->", " -> ", "→", " → ", "- >", "=>", ">", "-->", "\u27f6"])
    ranged = st.tuples(expr, arrow, expr).map("".join)
    item = st.one_of(expr, ranged, _bracketed(expr), _tupled(expr))
    keyword = st.tuples(_word(KEYWORDS), st.sampled_from(["=", "=", " = ", "==", ":"]), item).map("".join)
    return st.one_of(expr, ranged, ranged, keyword, keyword, _bracketed(expr), _tupled(expr))


def _bracketed(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(expr, max_size=5).map(lambda items: "[" + ", ".join(items) + "]")


def _tupled(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.lists(expr, min_size=1, max_size=3).map(lambda items: "(" + ", ".join(items) + ")")


def _compound(expr: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    operator = st.sampled_from([" + ", "-", " - ", "*", " * ", " / ", "/", " then ", " then ", "then", "**", "%"])
    return st.one_of(
        _call(expr),
        _call(expr),
        st.tuples(expr, operator, expr).map("".join),
        expr.map(lambda e: "(" + e + ")"),
        expr.map(lambda e: "-" + e),
        st.tuples(expr, st.sampled_from(["", " "]), expr).map("".join),  # two things side by side
    )


def _leaf() -> st.SearchStrategy[str]:
    return st.one_of(
        numbers_text(),
        numbers_text().map(lambda n: "-" + n),
        _duration_text(),
        _word(NAMES),  # a bare name
    )


def grammar_texts() -> st.SearchStrategy[str]:
    """Random but syntactically plausible schedule text, nested a few levels."""
    expr = st.recursive(_spaced(_leaf()), lambda inner: _spaced(_compound(inner)), max_leaves=25)
    return expr


# --- mutations of valid schedules --------------------------------------------------------------------

_TOKEN = re.compile(r"[0-9.][0-9_.]*(?:[eE][+-]?[0-9]+)?[A-Za-z%]*|[A-Za-z_][A-Za-z0-9_]*|->|→|\s+|\S")

HUGE_NUMBERS = ("1e400", "9" * 400, "1" + "0" * 399, "1e-400", "1e308", "1e30k", "1e15", "1e16", "10**20",
                "99999999999999999999", "1e15M", "1e300ep", "1e300%", "0." + "0" * 330 + "1")  # fmt: skip


def _valid_texts() -> st.SearchStrategy[str]:
    return nodes(with_units=True, wild_numbers=True, max_depth=3).map(ps.unparse)


@st.composite
def _mutate_once(draw: Any, text: str) -> str:
    tokens = _TOKEN.findall(text) or [text]
    what = draw(st.integers(0, 11))
    index = draw(st.integers(0, max(0, len(text) - 1)))
    token_index = draw(st.integers(0, len(tokens) - 1))
    insert = st.one_of(st.sampled_from(SYNTAX), st.sampled_from(LOOK_ALIKES), st.characters(), _word(NAMES))
    if what == 0:  # insert a character or a piece of syntax
        return text[:index] + draw(insert) + text[index:]
    if what == 1:  # delete a character
        return text[:index] + text[index + 1 :]
    if what == 2 and len(text) > 1:  # swap two neighbouring characters
        index = min(index, len(text) - 2)
        return text[:index] + text[index + 1] + text[index] + text[index + 2 :]
    if what == 3:  # replace a character with a look-alike
        return text[:index] + draw(st.sampled_from(LOOK_ALIKES)) + text[index + 1 :]
    if what == 4:  # delete a token
        return "".join(tokens[:token_index] + tokens[token_index + 1 :])
    if what == 5:  # duplicate a token
        return "".join(tokens[: token_index + 1] + tokens[token_index:])
    if what == 6 and len(tokens) > 1:  # swap two tokens
        other = draw(st.integers(0, len(tokens) - 1))
        tokens[token_index], tokens[other] = tokens[other], tokens[token_index]
        return "".join(tokens)
    if what == 7:  # a number becomes huge or tiny
        numeric = [i for i, token in enumerate(tokens) if token[:1].isdigit() or token[:1] == "."]
        if numeric:
            tokens[draw(st.sampled_from(numeric))] = draw(st.sampled_from(HUGE_NUMBERS))
            return "".join(tokens)
        return text + draw(st.sampled_from(HUGE_NUMBERS))
    if what == 8:  # a name becomes a typo
        words = [i for i, token in enumerate(tokens) if token[:1].isalpha()]
        if words:
            i = draw(st.sampled_from(words))
            tokens[i] = draw(_typo(tokens[i]))
            return "".join(tokens)
    if what == 9:  # truncate
        return text[:index]
    if what == 10:  # splice a piece of itself somewhere else
        end = draw(st.integers(index, len(text)))
        at = draw(st.integers(0, len(text)))
        return text[:at] + text[index:end] + text[at:]
    return text.replace("->", draw(st.sampled_from(["\u2192", "\u27f6", "\u2212>", "\u2010>", "=>", "- >", ""])), 1)


@st.composite
def mutated_texts(draw: Any) -> str:
    """A valid schedule with one to five random edits."""
    text = draw(_valid_texts())
    for _ in range(draw(st.integers(1, 5))):
        text = draw(_mutate_once(text))
    return text


# --- inputs at the limits ----------------------------------------------------------------------------

LIMIT = 100_000


@st.composite
def huge_texts(draw: Any) -> str:
    """Texts of about 100 KB or 10,000 levels deep, valid or nearly so."""
    part = draw(_valid_texts())
    kind = draw(st.integers(0, 9))
    depth = draw(st.sampled_from([99, 100, 101, 199, 200, 201, 1_000, 10_000]))
    if kind == 0:  # a long `then` chain of one part, up to ~100 KB
        finite = draw(nodes(finite_only=True, max_depth=1).map(ps.unparse))
        count = max(1, (LIMIT - len(part)) // (len(finite) + 6))
        count = draw(st.sampled_from([count, count + 1, count // 2, 1_000, 2_000, 5_000]))
        return (finite + " then ") * count + part
    if kind == 1:
        return "(" * depth + part + ")" * depth
    if kind == 2:
        return "-(" * depth + part + ")" * depth
    if kind == 3:
        return "-" * depth + part
    if kind == 4:
        return "min(" * depth + part + ", 1)" * depth
    if kind == 5:
        return "repeat(" * depth + part + ")" * depth
    if kind == 6:  # padding with whitespace up to and over the length limit
        pad = draw(st.sampled_from([LIMIT - len(part), LIMIT - len(part) + 1, LIMIT // 2]))
        return " " * max(0, pad) + part if draw(st.booleans()) else part + "\n" * max(0, pad)
    if kind == 7:  # a very long number or name
        size = draw(st.sampled_from([5_000, 50_000, LIMIT - 20]))
        return draw(st.sampled_from([f"linear(0 -> {'9' * size}, 10)", f"{'a' * size}(1)", f"0.{'1' * size}",
                                     f"linear(0 -> 1, {'1' * size}k)", f"1e{'0' * size}1"]))  # fmt: skip
    if kind == 8:  # many arguments
        count = draw(st.sampled_from([1_000, 9_998, 9_999, 12_000]))
        name = draw(st.sampled_from(["min", "max", "piecewise", "linear"]))
        return f"{name}(" + ", ".join([part] * min(count, LIMIT // (len(part) + 2))) + ")"
    operator = draw(st.sampled_from([" + ", " * ", " then ", " / "]))
    return operator.join([part] * draw(st.sampled_from([100, 101, 1_000, 10_000])))


# --- mappings ----------------------------------------------------------------------------------------

_WRONG_VALUES: tuple[Any, ...] = (
    None, True, False, "", "x", "1", "linear(0 -> 1, 10)", [], [1, 2], {}, {"kind": "nope"}, 0, -1, 1.5,
    math.nan, math.inf, -math.inf, 10**400, 1e308, -1e308, 2**63, b"bytes", (1,), {"amount": 1}, {"kind": None},
    {"kind": "duration", "amount": -1}, {"kind": "duration", "amount": 1, "unit": "s"}, object(),
)  # fmt: skip


def _wrong_values() -> st.SearchStrategy[Any]:
    return st.sampled_from(_WRONG_VALUES).map(copy.deepcopy)  # fresh containers: no shared, cyclic data


def _paths(data: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path inside nested dicts and lists."""
    found = [prefix]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(data, list):  # not into tuples: a wrong value may be one, and tuples are immutable
        for index, value in enumerate(data):
            found += _paths(value, (*prefix, index))
    return found


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def _thaw(data: Any) -> Any:
    if isinstance(data, dict):
        return {key: _thaw(value) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_thaw(value) for value in data]
    return data


@st.composite
def _mutate_mapping(draw: Any, data: Any) -> Any:
    paths = _paths(data)
    path = draw(st.sampled_from(paths))
    what = draw(st.integers(0, 6))
    if not path:
        return draw(_wrong_values()) if what == 0 else data
    parent = _get(data, path[:-1])
    key = path[-1]
    if what <= 1:  # a wrong value
        parent[key] = draw(_wrong_values())
    elif what == 2 and isinstance(parent, dict):  # a missing field
        del parent[key]
    elif what == 3 and isinstance(parent, dict):  # an extra field
        parent[draw(st.sampled_from(["extra", "kind_", "Kind", "valu", "amount", "unit", 1, ""]))] = 1
    elif what == 4:  # a wrong or misspelt kind
        target = parent if isinstance(parent, dict) else _get(data, path)
        if isinstance(target, dict):
            kinds = st.sampled_from([*(model.model_fields["kind"].default for model in MODELS), "duration"])
            target["kind"] = draw(st.one_of(kinds, kinds.flatmap(_typo), _wrong_values()))
    elif what == 5:  # a list becomes a dict or a string
        parent[key] = {"0": parent[key]} if draw(st.booleans()) else str(parent[key])
    else:  # nest the value
        value = parent[key]
        wrap = draw(st.sampled_from(["list", "negate", "value"]))
        for _ in range(draw(st.sampled_from([1, 2, 30, 110]))):
            value = {"list": [value], "negate": {"kind": "negate", "operand": value}, "value": {"value": value}}[wrap]
        parent[key] = value
    return data


@st.composite
def fuzzed_mappings(draw: Any) -> Any:
    """The mapping form of a valid schedule with one to four random changes; sometimes over 100 deep."""
    node = draw(nodes(with_units=True, max_depth=2))
    data = _thaw(node.model_dump())
    if draw(st.integers(0, 9)) == 0:
        depth = draw(st.sampled_from([99, 101, 250]))  # 10,000 deep: test_fuzz.test_mapping_nested_10000_deep
        wrap = draw(st.sampled_from(["negate", "list", "then"]))
        for _ in range(depth):
            data = {
                "negate": {"kind": "negate", "operand": data},
                "list": [data],
                "then": {"kind": "then", "parts": [data, 1]},
            }[wrap]
        return data
    for _ in range(draw(st.integers(1, 4))):
        data = draw(_mutate_mapping(data))
    return data
