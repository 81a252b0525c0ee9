"""Lark's syntax errors → ScheduleSyntaxError messages in plain words, with their line and column.

Lark reports what it expected as terminal names (RPAR, NUMBER, …); users read "')'" and "a number".
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from lark import Token
from lark.exceptions import UnexpectedCharacters, UnexpectedInput, UnexpectedToken

from .lexemes import NUMBER_PATTERN, respell_unit

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
_DASHES = frozenset("\u2212\u2013\u2014\u2010\u2011\u2012")
_QUOTES = {"'": "'", '"': '"', "\u2018": "\u2019", "\u201c": "\u201d", "`": "`"}
_THEN_WORDS = frozenset({"and", "andthen", "followed", "next", "after", "to"})


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
    """The message, line and column of a ScheduleSyntaxError for Lark's `error` on `text`.

    Lark's own report ("unexpected X; expected Y") is the fallback; the usual mistakes get a message that
    says what to write instead: quotes or `lr=` around the schedule, a unit as a word or after a space,
    a range outside a call, a missing `then`, `>>`, a trailing comma, a typographic dash.
    """
    if isinstance(error, UnexpectedCharacters):
        offset = error.pos_in_stream or 0
        character = text[offset] if 0 <= offset < len(text) else ""
        expected = _precise_accepts(error) or set(error.allowed or ())
        unexpected = _describe_character(character)
        line, column = int(error.line), int(error.column)
    elif isinstance(error, UnexpectedToken):
        token = error.token
        offset = len(text) if token.type == "$END" else int(token.start_pos or 0)
        character = text[offset] if offset < len(text) else ""
        expected = set(error.accepts or error.expected)
        unexpected = _describe_token(token)
        if token.type == "$END":
            line, column = end_position(text)
        else:
            line, column = int(token.line or 1), int(token.column or 1)
    else:  # pragma: no cover - LALR raises only the two above
        line, column = end_position(text)
        return "the schedule ends too early", line, column
    rewrite = _framing(text, offset) or _unit_written_apart(text, offset)
    if rewrite is not None:
        message, at = rewrite
        return message, *_line_column(text, at)
    if text.startswith("->", offset) or character == "\u2192":
        return (
            "a range a -> b only goes inside a call, such as linear(a -> b, duration); "
            "to run one schedule after another, write 'then'",
            line,
            column,
        )
    message = f"unexpected {unexpected}"
    if expected:
        message += f"; expected {_expected_words(expected)}"
    return message + _hint(text, offset, character, expected), line, column


def _line_column(text: str, offset: int) -> tuple[int, int]:
    return text.count("\n", 0, offset) + 1, offset - (text.rfind("\n", 0, offset) + 1) + 1


_NAME_IN_FRONT = re.compile(r"\s*([A-Za-z_][\w.\-\[\]]*)\s*([=:])\s*")


def _framing(text: str, offset: int) -> tuple[str, int] | None:
    """The schedule pasted with its quotes, or with the name of what it schedules in front (`lr=…`)."""
    stripped = text.strip()
    first = len(text) - len(text.lstrip())
    closing = _QUOTES.get(stripped[:1])
    if closing is not None and offset == first:
        inner = stripped[1:-1].strip() if len(stripped) > 1 and stripped.endswith(closing) else stripped[1:]
        return f"a schedule is written without quotes; write {inner}", offset
    named = _NAME_IN_FRONT.match(text)
    rest = text[named.end() :].strip() if named else ""
    if named and offset == named.start(2) and rest:
        name, sign = named.groups()
        return (
            f"the schedule is only what follows '{name}{sign}': the name goes in the config or option "
            f"that holds it; write {rest}",
            named.start(1),
        )
    return None


_NUMBER_AT_END = re.compile(rf"(?<![\w.])({NUMBER_PATTERN}[kMB]?)$")
_WORD = re.compile(r"[A-Za-z]+|%")


def _unit_written_apart(text: str, offset: int) -> tuple[str, int] | None:
    """`3 epochs`, `3epochs`, `10k steps`, `10 K`: a unit as a word, or after a space."""
    start = offset
    while start > 0 and text[start - 1].isalpha():
        start -= 1  # `3ep|ochs`: the lexer took `3ep`, the word began at `e`
    word = _WORD.match(text, start)
    if word is None or word.end() <= offset:
        return None
    end_of_number = start
    while end_of_number > 0 and text[end_of_number - 1] in " \t":
        end_of_number -= 1
    number = _NUMBER_AT_END.search(text, 0, end_of_number)
    if number is None:
        return None
    written_number, spelt = number.group(1), word.group()
    fix = respell_unit(written_number, spelt)
    if fix is None and spelt[:1] in "kMB" and len(spelt) > 1 and written_number[-1:].isdigit():
        fix = respell_unit(written_number + spelt[0], spelt[1:])  # `375Mtokens`, `2 Mtok`: a magnitude first
    if fix is None:
        return None
    written = text[number.start() : word.end()]
    return f"'{written}' is not a duration: {fix[1]}; write {fix[0]}", number.start()


def _hint(text: str, offset: int, character: str, expected: set[str]) -> str:
    """A short addition to Lark's report where the mistake is a common one."""
    if character in _DASHES and "ARROW" in expected:
        return "; did you mean '->' (a range) or '-'?"
    if text.startswith(">>", offset):
        return "; in text, A >> B is written A then B"
    word = _WORD.match(text, offset)
    if word is not None and word.group() != "then" and word.group().lower() == "then":
        return "; keywords are lowercase: write 'then'"
    if "THEN" in expected and word is not None:
        if word.group().lower() in _THEN_WORDS:
            return "; did you mean 'then'?"
        return "; did you forget 'then' between two schedules?"
    before = text[:offset].rstrip()
    if character in ")]" and before.endswith(","):
        return "; remove the ',' before it"
    return _look_alike_hint(character)
