"""The numbers and durations of the language, for the places that read them outside a schedule text.

grammar/schedule.lark is the grammar of record, and Lark lexes every schedule text with it. Two places
read a number or a duration without parsing a whole schedule: a duration written as a string in a
mapping (`{"duration": "10k"}`, or `ps.cosine(0.1, 0, "10k")` in Python), and the JSON Schema's pattern
for such strings. Both use the one pattern below, which spells the grammar's NUMBER and DURATION
terminals (ASCII digits only, `_` only between digits); tests/test_forms.py checks that the two agree.
"""

from __future__ import annotations

import math
import re
from typing import Final, Literal

__all__ = [
    "DURATION_PATTERN",
    "EVENT_FACTORS",
    "NUMBER_PATTERN",
    "ROUGH_TOKEN",
    "UNITS",
    "UNIT_WORDS",
    "Unit",
    "format_number",
    "read_duration",
    "respell_duration",
    "respell_unit",
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

UNIT_WORDS: Final[dict[str, Unit]] = {
    **dict.fromkeys(("ep", "eps", "epoch", "epochs"), "ep"),
    **dict.fromkeys(("k", "thousand"), "k"),
    **dict.fromkeys(("m", "million", "mil"), "M"),
    **dict.fromkeys(("%", "percent", "pct"), "%"),
    **dict.fromkeys(
        ("step", "steps", "it", "its", "iter", "iters", "iteration", "iterations", "event", "events", "batch",
         "batches", "update", "updates"),
        "",
    ),
}  # fmt: skip
"""Words (compared without case) that users write for a unit, after a space or spelt out: `3 epochs`,
`10k steps`, `5 %`. Each gives the unit to write instead; "" says a plain number (whole events)."""

_DURATION_TEXT = re.compile(rf"[ \t\r\n]*(-?)({NUMBER_PATTERN})(k|M|ep|%)?[ \t\r\n]*")

ROUGH_TOKEN: Final = re.compile(r"[0-9.][0-9_.]*(?:[eE][+-]?[0-9]+)?[A-Za-z%]*|[A-Za-z_][A-Za-z0-9_]*|->|\S")
"""Roughly what Lark's lexer will find: counted before parsing, so that too many tokens fail at once."""


def respell_unit(number: str, word: str) -> tuple[str, str] | None:
    """(what to write, why) for a number followed by a unit word: `("3", "epochs")` → `("3ep", …)`;
    None when `word` is no unit's spelling (or a magnitude after a magnitude, `10k k`)."""
    unit = UNIT_WORDS.get(word.lower())
    if unit is None or (number[-1:] in ("k", "M") and unit in ("k", "M")):
        return None
    if unit == "":
        return number, "a plain number counts events (optimizer steps)"
    units = ", ".join(unit for unit in UNITS if unit)
    return number + unit, f"a unit is one of {units}, written right after the number"


_SPELT_DURATION = re.compile(rf"\s*(-?{NUMBER_PATTERN}(?:k|M)?)\s*([A-Za-z]+|%)\s*")


def respell_duration(text: str) -> str | None:
    """`"10 steps"` → `"'10 steps' is not a duration: a plain number counts events …; write 10"`: the
    message for a duration string with its unit spelt out or after a space; None for other text."""
    match = _SPELT_DURATION.fullmatch(text)
    fix = respell_unit(*match.groups()) if match else None
    if fix is None:
        return None
    return f"'{text.strip()}' is not a duration: {fix[1]}; write {fix[0]}"


_UNIT_OF: Final[dict[str, Unit]] = {unit: unit for unit in UNITS}


def read_duration(text: str) -> tuple[float, Unit] | None:
    """`"10k"` → `(10.0, "k")`, `" 500 "` → `(500.0, "")`; None when `text` is not one duration."""
    match = _DURATION_TEXT.fullmatch(text)
    if match is None:
        return None
    sign, number, unit = match.groups()
    return float(sign + number), _UNIT_OF[unit or ""]


def format_number(value: float) -> str:
    """Shortest text that reads back as exactly `value`; integral values print without `.0`."""
    if value.is_integer() and abs(value) < 1e16:
        text = str(int(value))
        return "-0" if text == "0" and math.copysign(1.0, value) < 0 else text
    return repr(value)
