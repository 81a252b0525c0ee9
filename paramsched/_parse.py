"""Transitional alias of paramsched.language.parse (removed once nothing imports it)."""

from paramsched._limits import MAX_BRACKET_DEPTH, MAX_TEXT_LENGTH, MAX_TOKENS
from paramsched.language.parse import parse

__all__ = ["MAX_BRACKET_DEPTH", "MAX_TEXT_LENGTH", "MAX_TOKENS", "parse"]


def parse_with_positions(text: str) -> tuple[object, dict[int, tuple[int, int]]]:
    """Transitional: nodes now carry their own positions (paramsched.language.position_of)."""
    return parse(text), {}
