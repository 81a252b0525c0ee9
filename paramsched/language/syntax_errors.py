"""Lark's syntax errors → ScheduleSyntaxError messages in plain words, with their line and column.

Lark reports what it expected as terminal names (RPAR, NUMBER, …); users read "')'" and "a number".
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

__all__ = ["end_position", "syntax_error_message"]


_TERMINAL_WORDS: tuple[tuple[str, str], ...] = (
    ("THEN", "'then'"),
    ("PLUS", "an operator"),
    ("STAR", "an operator"),
    ("SLASH", "an operator"),
    ("ARROW", "'->'"),
    ("EQUAL", "'='"),
    ("COMMA", "','"),
    ("LPAR", "'('"),
    ("LSQB", "'['"),
    ("RPAR", "')'"),
    ("RSQB", "']'"),
    ("$END", "the end of the text"),
)

_LOOK_ALIKES = {"\u2212": "-", "\u2013": "-", "\u2014": "-", "\u00d7": "*", "\u00f7": "/", "\u2044": "/"}


def _expected_words(expected: Sequence[str] | set[str]) -> str:
    names = set(expected)
    words: list[str] = []
    if "NUMBER" in names or "DURATION" in names:
        words += ["a number", "a schedule", "'('"]
        names -= {"MINUS", "LPAR", "NAME"}
    elif "NAME" in names:
        words.append("a name")
    for terminal, word in _TERMINAL_WORDS:
        if (terminal in names or (terminal == "PLUS" and "MINUS" in names)) and word not in words:
            words.append(word)
    if not words:
        return "something else"
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " or " + words[-1]


def _describe_token(token: Token) -> str:
    if token.type == "$END":
        return "end of text"
    if token.type == "NUMBER":
        return f"number '{token.value}'"
    if token.type == "DURATION":
        return f"duration '{token.value}'"
    return f"'{token.value}'"


def _describe_character(character: str) -> str:
    if character.isascii() and character.isprintable():
        text = f"character '{character}'"
        if character.isupper():
            text += " (names and keywords are lowercase)"
        return text
    name = unicodedata.name(character, "")
    text = f"character {character!r} (U+{ord(character):04X}{' ' + name if name else ''})"
    return text


def _look_alike_hint(character: str) -> str:
    """`; did you mean '-'?` for characters that look like ASCII syntax (full-width digits, −, ×)."""
    lookalike = _LOOK_ALIKES.get(character) or unicodedata.normalize("NFKC", character)
    if lookalike != character and lookalike.isascii() and lookalike.isprintable():
        return f"; did you mean '{lookalike}'?"
    return ""


def end_position(text: str) -> tuple[int, int]:
    """Just after the last character that is not whitespace."""
    content = text.rstrip()
    line = content.count("\n") + 1
    return line, len(content) - (content.rfind("\n") + 1) + 1


def _precise_accepts(error: UnexpectedInput) -> set[str]:
    """What the parser accepts here, after the reductions the lexer's per-state set does not foresee."""
    interactive = getattr(error, "interactive_parser", None)
    if interactive is None:
        return set()
    try:
        return set(interactive.accepts())
    except Exception:  # pragma: no cover - only a better message is at stake
        return set()


def syntax_error_message(text: str, error: UnexpectedInput) -> tuple[str, int, int]:
    """The message, line and column of a ScheduleSyntaxError for Lark's `error` on `text`."""
    if isinstance(error, UnexpectedCharacters):
        position = error.pos_in_stream or 0
        character = text[position] if 0 <= position < len(text) else ""
        message = f"unexpected {_describe_character(character)}"
        expected = _precise_accepts(error) or error.allowed
        if expected:
            message += f"; expected {_expected_words(expected)}"
        message += _look_alike_hint(character)
        return message, int(error.line), int(error.column)
    if isinstance(error, UnexpectedToken):
        token = error.token
        expected = error.accepts or error.expected
        message = f"unexpected {_describe_token(token)}; expected {_expected_words(expected)}"
        if token.type == "$END":
            line, column = end_position(text)
        else:
            line, column = int(token.line or 1), int(token.column or 1)
        return message, line, column
    line, column = end_position(text)  # pragma: no cover - LALR raises only the two above
    return "the schedule ends too early", line, column
