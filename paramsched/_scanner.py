"""The tokens of the schedule language as plain regular expressions, for the fast parser and the AST.

grammar/schedule.lark is the specification: these patterns spell the same NUMBER, DURATION and NAME
terminals (ASCII digits only, `_` only between digits), and tests/test_fast_parser.py checks that the fast
parser built on them agrees with lark on generated and mutated texts. No lark, no pydantic: importing this
costs only `re`.
"""

from __future__ import annotations

import re

__all__ = ["DURATION_TEXT", "NUMBER", "TOKENS", "split_duration", "tokenize"]

NUMBER = r"(?:[0-9](?:_?[0-9])*(?:\.[0-9](?:_?[0-9])*)?|\.[0-9](?:_?[0-9])*)(?:[eE][+-]?[0-9]+)?"
"""The NUMBER terminal: a mantissa with an optional exponent."""

TOKENS = re.compile(r"[ \t\r\n]*+(" + NUMBER + r"(?:k|M|ep|%)?|[a-z][a-z0-9_]*|->|[\s\S])")
"""One token after optional whitespace: a number or duration, a name (or `then`), `->`, or any single
character (punctuation, `→`, and everything the language does not know, which the parser then rejects).
The whitespace is possessive, so a token never starts with a space, tab or newline."""

DURATION_TEXT = re.compile(r"[ \t\r\n]*(-?)(" + NUMBER + r")(k|M|ep|%)?[ \t\r\n]*")
"""A duration written as text in a mapping (`"10k"`, `"3ep"`, `"5%"`, `"500"`); for `fullmatch`."""


def tokenize(text: str) -> list[str]:
    """The tokens of `text`, as strings, in order (whitespace dropped)."""
    # Trailing whitespace is stripped first: at the end the possessive prefix cannot fall back, and
    # findall would retry at every remaining position.
    return TOKENS.findall(text.rstrip(" \t\r\n"))


def split_duration(token: str) -> tuple[str, str]:
    """`"10k"` → `("10", "k")`; the token is a NUMBER or DURATION as TOKENS matches it."""
    last = token[-1]
    if last == "p":
        return token[:-2], "ep"
    if last in "kM%":
        return token[:-1], last
    return token, ""
