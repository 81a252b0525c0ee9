"""The LALR tables shipped in grammar/schedule.tables.json are the current grammar's, and a parser loaded
from them reads every golden input exactly as a parser freshly built from grammar/schedule.lark does.

When the first test fails, the grammar was edited without rewriting the tables: run
`python -m paramsched.language.write_tables`.
"""

from __future__ import annotations

import json
from pathlib import Path

import lark
import pytest
from lark import Lark
from lark.exceptions import UnexpectedInput

from paramsched.language.grammar import TABLES_FILE, built_parser, grammar_digest, loaded_parser, tables_json

GOLDEN = Path(__file__).parent / "golden"
TABLES = Path(__file__).parent.parent / "grammar" / TABLES_FILE


def _golden_inputs() -> list[str]:
    inputs = []
    for line in (GOLDEN / "valid.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            inputs.extend(line.split(" => "))
    for path in sorted((GOLDEN / "errors").glob("*.txt")):
        inputs.append(path.read_text(encoding="utf-8").split("\n=== input\n", 1)[1].split("\n=== message\n")[0])
    # and a few that stop the parser in other states
    inputs += ["linear(0 -> 1, 10) then", "cosine(", "1 +", "(((2)", "repeat(const(1, 5), cycle_mult=)", "a b c"]
    return inputs


def _outcome(parser: Lark, text: str) -> object:
    """The tree, or where and why the parse stopped, including what Lark expected there."""
    try:
        return parser.parse(text)
    except UnexpectedInput as error:
        expected = sorted(getattr(error, "expected", None) or getattr(error, "allowed", None) or ())
        return (type(error).__name__, error.line, error.column, expected)


def test_the_committed_tables_are_stamped_with_the_current_grammar() -> None:
    document = json.loads(TABLES.read_text(encoding="utf-8"))
    assert document["grammar_sha256"] == grammar_digest(), "run: python -m paramsched.language.write_tables"


def test_the_tables_load_with_the_lark_the_tests_install() -> None:
    document = json.loads(TABLES.read_text(encoding="utf-8"))
    assert document["lark_version"] == lark.__version__, "pin lark in the test extra to the tables' version"
    assert loaded_parser() is not None


@pytest.fixture(scope="module")
def parsers() -> tuple[Lark, Lark]:
    loaded = loaded_parser()
    assert loaded is not None
    return loaded, built_parser()


@pytest.mark.parametrize("text", _golden_inputs())
def test_loaded_and_built_parsers_agree(parsers: tuple[Lark, Lark], text: str) -> None:
    loaded, built = parsers
    assert _outcome(loaded, text) == _outcome(built, text)


def test_tables_written_now_hold_the_same_rules_and_terminals_as_the_committed_ones() -> None:
    """LALR state numbers differ from one build to the next, so the files are compared by what they hold."""

    def contents(text: str) -> tuple[object, ...]:
        document = json.loads(text)
        memo = document["memo"]["__items__"]
        kinds = sorted(json.dumps(value, sort_keys=True) for _, value in memo)
        states = len(document["data"]["parser"]["parser"]["states"]["__items__"])
        return document["grammar_sha256"], document["lark_version"], kinds, states

    assert contents(tables_json()) == contents(TABLES.read_text(encoding="utf-8"))


def test_a_stale_stamp_falls_back_to_building(monkeypatch: pytest.MonkeyPatch) -> None:
    import paramsched.language.grammar as grammar

    monkeypatch.setattr(grammar, "grammar_digest", lambda: "0" * 64)
    assert grammar.loaded_parser() is None
