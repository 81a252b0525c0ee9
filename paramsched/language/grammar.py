"""The Lark LALR parser of the schedule language, built on first use and then reused.

grammar/schedule.lark is the grammar of record and Lark the only parser. Building the parser costs tens
of milliseconds, so it happens on the first parse (not at `import paramsched`) and once per process. No
cache file is written or read: Lark's `cache=` would unpickle from a temp folder (SPEC §6).
"""

from __future__ import annotations

import functools
from importlib import resources
from pathlib import Path
from typing import Any

from lark import Lark, Transformer

__all__ = ["grammar_text", "schedule_parser"]


def grammar_text() -> str:
    """The grammar, from the installed package data or, in a source checkout, from `grammar/`."""
    try:
        return resources.files("paramsched.grammar").joinpath("schedule.lark").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        path = Path(__file__).resolve().parent.parent.parent / "grammar" / "schedule.lark"
        return path.read_text(encoding="utf-8")


@functools.cache
def schedule_parser(transformer: Transformer[Any, Any]) -> Lark:
    """The LALR parser whose callbacks (the transformer's) run during parsing: no tree is built."""
    return Lark(
        grammar_text(),
        parser="lalr",
        lexer="contextual",
        propagate_positions=False,  # positions travel with the transformer's values
        maybe_placeholders=False,
        transformer=transformer,
    )
