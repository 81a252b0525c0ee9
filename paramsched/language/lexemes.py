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
from typing import Final, Literal, get_args

__all__ = [
    "BASE_UNITS",
    "DURATION_PATTERN",
    "EVENT_FACTORS",
    "MAGNITUDES",
    "NUMBER_PATTERN",
    "ROUGH_TOKEN",
    "UNITS",
    "UNIT_WORDS",
    "Unit",
    "format_number",
    "read_duration",
    "respell_duration",
    "respell_unit",
    "split_unit",
]

Unit = Literal[
    "", "k", "M", "B",
    "ep", "kep", "Mep", "Bep",
    "tok", "ktok", "Mtok", "Btok",
    "sp", "ksp", "Msp", "Bsp",
    "%",
]  # fmt: skip
"""A duration's unit as written: an optional magnitude, then an optional base unit (never both before `%`)."""

MAGNITUDES: Final[dict[str, int]] = {"": 1, "k": 1_000, "M": 1_000_000, "B": 1_000_000_000}
"""Plain multipliers: k (10^3), M (10^6), B (10^9). One may stand alone (`10k` events) or before a base
unit (`375Mtok`, `1.5Msp`, `2kep`), never before `%` (a share of the run has no magnitude)."""

BASE_UNITS: Final[tuple[str, ...]] = ("", "ep", "tok", "sp", "%")
"""What a duration counts: events of the clock (""), epochs, tokens, samples, or percent of the run."""

UNITS: Final[tuple[Unit, ...]] = get_args(Unit)
"""Every unit a duration may carry; "" is whole events."""

EVENT_FACTORS: Final[dict[str, int]] = dict(MAGNITUDES)
"""Units that are plain multiples of an event of the clock; the others (`ep`, `tok`, `sp`, `%`, with or
without a magnitude) need a run setting or a clock to become events."""

NUMBER_PATTERN: Final = r"(?:[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?"
"""The NUMBER terminal: a mantissa with an optional exponent."""

UNIT_PATTERN: Final = r"(?:[kMB]?(?:ep|tok|sp)?|%)"
"""A unit: a magnitude, a base unit, both, or `%` alone (the grammar's DURATION spells the same)."""

DURATION_PATTERN: Final = f"{NUMBER_PATTERN}{UNIT_PATTERN}"
"""A number with an optional unit: what a duration string in a mapping may hold."""

UNIT_WORDS: Final[dict[str, Unit]] = {
    **dict.fromkeys(("ep", "eps", "epoch", "epochs"), "ep"),
    **dict.fromkeys(("tok", "toks", "token", "tokens"), "tok"),
    **dict.fromkeys(("sp", "sample", "samples", "seq", "seqs", "sequences"), "sp"),
    **dict.fromkeys(("k", "thousand"), "k"),
    **dict.fromkeys(("m", "million", "mil"), "M"),
    **dict.fromkeys(("b", "g", "billion", "bn"), "B"),
    **dict.fromkeys(("%", "percent", "pct"), "%"),
    **dict.fromkeys(
        ("step", "steps", "it", "its", "iter", "iters", "iteration", "iterations", "event", "events", "batch",
         "batches", "update", "updates"),
        "",
    ),
}  # fmt: skip
"""Words (compared without case) that users write for a unit, after a space or spelt out: `3 epochs`,
`10k steps`, `375M tokens`, `5 %`. Each gives the unit to write instead; "" says a plain number (whole
events of the clock)."""

_DURATION_TEXT = re.compile(rf"[ \t\r\n]*(-?)({NUMBER_PATTERN})({UNIT_PATTERN})[ \t\r\n]*")

ROUGH_TOKEN: Final = re.compile(r"[0-9.][0-9_.]*(?:[eE][+-]?[0-9]+)?[A-Za-z%]*|[A-Za-z_][A-Za-z0-9_]*|->|\S")
"""Roughly what Lark's lexer will find: counted before parsing, so that too many tokens fail at once."""


def respell_unit(number: str, word: str) -> tuple[str, str] | None:
    """(what to write, why) for a number followed by a unit word: `("3", "epochs")` → `("3ep", …)`;
    None when `word` is no unit's spelling (or a magnitude after a magnitude, `10k k`)."""
    unit = UNIT_WORDS.get(word.lower())
    has_magnitude = number[-1:] in MAGNITUDES
    if unit is None or (has_magnitude and unit in ("k", "M", "B", "%")):
        return None
    if unit == "":
        return number, "a plain number counts events (optimizer steps)"
    magnitudes = ", ".join(name for name in MAGNITUDES if name)
    counted = ", ".join(name for name in BASE_UNITS if name)
    return number + unit, f"a unit is written right after the number ({magnitudes}; {counted})"


_SPELT_DURATION = re.compile(rf"\s*(-?{NUMBER_PATTERN}[kMB]?)\s*([A-Za-z]+|%)\s*")


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


def split_unit(unit: str) -> tuple[int, str]:
    """`"Mtok"` → `(1_000_000, "tok")`, `"k"` → `(1_000, "")`, `"%"` → `(1, "%")`: a unit's magnitude and
    what it counts."""
    if unit and unit[0] in "kMB":
        return MAGNITUDES[unit[0]], unit[1:]
    return 1, unit
