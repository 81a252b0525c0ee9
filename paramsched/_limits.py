"""Every documented limit of paramsched, in one place (docs/errors.md lists them).

Each layer checks the limits that concern it before any expensive work, and raises `LimitError` (or the
subclass docs/errors.md names) with a message that names the limit. This module imports nothing, so the lowest
layer (pure schedules) and the highest (integrations) share the same numbers.
"""

from __future__ import annotations

from typing import Final

__all__ = [
    "MAX_BRACKET_DEPTH",
    "MAX_DEPTH",
    "MAX_EVENTS",
    "MAX_EVENTS_TEXT",
    "MAX_TEXT_LENGTH",
    "MAX_TOKENS",
]

MAX_EVENTS: Final = 10**15
"""The longest duration, cycle, whole finite schedule, `num_events` and state position, in events:
far beyond any training run, and far from int64 overflow in numpy's event arithmetic."""

MAX_EVENTS_TEXT: Final = "10**15"
"""How messages write MAX_EVENTS."""

MAX_DEPTH: Final = 100
"""Deepest nesting of schedule nodes; deeper input raises LimitError instead of exhausting the stack."""

MAX_TEXT_LENGTH: Final = 100_000
"""Longest schedule text, in characters; longer text raises LimitError before parsing."""

MAX_BRACKET_DEPTH: Final = 2 * MAX_DEPTH
"""Deepest nesting of `(` and `[` in text; checked by a scan before parsing, so 10,000 `(` fail at once."""

MAX_TOKENS: Final = 20_000
"""Most tokens (numbers, names, operators, brackets, commas) in a schedule text. Lark's LALR parser costs
up to ~25 µs a token here, so this keeps any text within a second; `linear(0 -> 0.1, 500) then` is 10
tokens, so a 1,000-part chain of such parts is 10,000."""
