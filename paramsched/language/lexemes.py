"""The numbers and durations of the language, for the places that read them outside a schedule text.

grammar/schedule.lark is the grammar of record, and Lark lexes every schedule text with it. Two places
read a number or a duration without parsing a whole schedule: a duration written as a string in a
mapping (`{"duration": "10k"}`, or `ps.cosine(0.1, 0, "10k")` in Python), and the JSON Schema's pattern
for such strings. Both use the one pattern below, which spells the grammar's NUMBER and DURATION
terminals (ASCII digits only, `_` only between digits); tests/test_forms.py checks that the two agree.
"""

from __future__ import annotations

import re
from typing import Final, Literal

__all__ = [
    "DURATION_PATTERN",
    "EVENT_FACTORS",
    "NUMBER_PATTERN",
    "ROUGH_TOKEN",
    "UNITS",
    "Unit",
    "read_duration",
]

Unit = Literal["", "k", "M", "ep", "%"]
UNITS: Final[tuple[Unit, ...]] = ("", "k", "M", "ep", "%")
"""Every unit a duration may carry; "" is whole events."""

EVENT_FACTORS: Final[dict[str, int]] = {"": 1, "k": 1_000, "M": 1_000_000}
"""Units that are plain multiples of an event; the others (`ep`, `%`) need a run setting."""

NUMBER_PATTERN: Final = r"(?:[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?"
"""The NUMBER terminal: a mantissa with an optional exponent."""

DURATION_PATTERN: Final = f"{NUMBER_PATTERN}(?:k|M|ep|%)?"
"""A number with an optional unit: what a duration string in a mapping may hold."""

_DURATION_TEXT = re.compile(rf"[ \t\r\n]*(-?)({NUMBER_PATTERN})(k|M|ep|%)?[ \t\r\n]*")

ROUGH_TOKEN: Final = re.compile(r"[0-9.][0-9_.]*(?:[eE][+-]?[0-9]+)?[A-Za-z%]*|[A-Za-z_][A-Za-z0-9_]*|->|\S")
"""Roughly what Lark's lexer will find: counted before parsing, so that too many tokens fail at once."""


_UNIT_OF: Final[dict[str, Unit]] = {unit: unit for unit in UNITS}


def read_duration(text: str) -> tuple[float, Unit] | None:
    """`"10k"` → `(10.0, "k")`, `" 500 "` → `(500.0, "")`; None when `text` is not one duration."""
    match = _DURATION_TEXT.fullmatch(text)
    if match is None:
        return None
    sign, number, unit = match.groups()
    return float(sign + number), _UNIT_OF[unit or ""]
