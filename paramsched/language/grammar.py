"""The Lark LALR parser of the schedule language, made on first use and then reused.

grammar/schedule.lark is the grammar of record and Lark the only parser. Building its LALR tables costs
30-60 ms, most of a cold `paramsched check`, so the tables are also shipped, as plain JSON, in
grammar/schedule.tables.json: loading them takes about 3 ms. The file is stamped with the SHA-256 of the
grammar and the lark version that wrote it; when either differs from what is installed the parser is
built from the grammar instead, so a stale file costs time, never correctness. Nothing is unpickled and
nothing is written at run time (Lark's own `cache=` would unpickle from a temp folder, which SPEC §6
forbids). After editing the grammar, rewrite the tables with

    python -m paramsched.language.write_tables

(tests/test_grammar_tables.py fails until you do).
"""

from __future__ import annotations

import functools
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any

import lark
from lark import Lark, Transformer
from lark.grammar import Rule
from lark.lexer import TerminalDef

__all__ = [
    "TABLES_FILE",
    "built_parser",
    "grammar_digest",
    "grammar_text",
    "loaded_parser",
    "schedule_parser",
    "source_tables_path",
    "tables_json",
]

GRAMMAR_FILE = "schedule.lark"
TABLES_FILE = "schedule.tables.json"

# The one set of options every parser of the language is made with, built or loaded.
_OPTIONS: dict[str, Any] = {
    "parser": "lalr",
    "lexer": "contextual",
    "propagate_positions": False,  # positions travel with the transformer's values
    "maybe_placeholders": False,
}


def _grammar_file(name: str) -> str:
    """A file of the installed package data or, in a source checkout, of `grammar/`."""
    try:
        return resources.files("paramsched.grammar").joinpath(name).read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path(__file__).resolve().parent.parent.parent / "grammar" / name
        return path.read_text(encoding="utf-8")


def grammar_text() -> str:
    """The grammar of record."""
    return _grammar_file(GRAMMAR_FILE)


def grammar_digest() -> str:
    """SHA-256 of the grammar's text: the stamp that ties a tables file to the grammar it was made from."""
    return hashlib.sha256(grammar_text().encode("utf-8")).hexdigest()


def built_parser(transformer: Transformer[Any, Any] | None = None) -> Lark:
    """The LALR parser built from the grammar (tens of milliseconds); the transformer's callbacks run
    during parsing, so no tree is built."""
    return Lark(grammar_text(), transformer=transformer, **_OPTIONS)


# JSON has only string keys and no tuples; Lark's tables have both (states and tokens keyed by number,
# actions as pairs). These two tags keep them exact through JSON.
_ITEMS, _TUPLE = "__items__", "__tuple__"


def _to_json(value: Any) -> Any:
    if isinstance(value, dict):
        if all(isinstance(key, str) for key in value):
            return {key: _to_json(item) for key, item in value.items()}
        return {_ITEMS: [[_to_json(key), _to_json(item)] for key, item in value.items()]}
    if isinstance(value, tuple):
        return {_TUPLE: [_to_json(item) for item in value]}
    if isinstance(value, list):
        return [_to_json(item) for item in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"cannot write {type(value).__name__} into the tables file")  # a new lark format


def _from_json(value: dict[str, Any]) -> Any:
    if _ITEMS in value and len(value) == 1:
        return {_hashable(key): item for key, item in value[_ITEMS]}
    if _TUPLE in value and len(value) == 1:
        return tuple(value[_TUPLE])
    return value


def _hashable(key: Any) -> Any:
    return tuple(_hashable(part) for part in key) if isinstance(key, list) else key


def tables_json() -> str:
    """The tables file's text: a freshly built parser's LALR tables, lexer and rules, with its stamp."""
    data, memo = built_parser().memo_serialize([TerminalDef, Rule])
    document = {
        "comment": "LALR tables of schedule.lark; written by `python -m paramsched.language.grammar`",
        "grammar_sha256": grammar_digest(),
        "lark_version": lark.__version__,
        "data": _to_json(data),
        "memo": _to_json(memo),
    }
    return json.dumps(document, indent=None, separators=(",", ":")) + "\n"


def loaded_parser(transformer: Transformer[Any, Any] | None = None) -> Lark | None:
    """The parser loaded from the shipped tables, or None when they are missing or were written for
    another grammar or lark version."""
    try:
        document = json.loads(_grammar_file(TABLES_FILE), object_hook=_from_json)
    except (OSError, ValueError):
        return None
    if document.get("grammar_sha256") != grammar_digest() or document.get("lark_version") != lark.__version__:
        return None
    # `Lark.load` takes the same dict but no transformer; this is the door it opens, and lark's own
    # standalone parsers use it.
    parser: Lark = Lark._load_from_dict(  # type: ignore[no-untyped-call]
        document["data"], document["memo"], transformer=transformer
    )
    return parser


@functools.cache
def schedule_parser(transformer: Transformer[Any, Any]) -> Lark:
    """The language's parser with `transformer` inline: loaded from the tables, else built."""
    return loaded_parser(transformer) or built_parser(transformer)


def source_tables_path() -> Path:
    """Where the tables file lives in a source checkout (the one `write_tables` rewrites)."""
    return Path(__file__).resolve().parent.parent.parent / "grammar" / TABLES_FILE
