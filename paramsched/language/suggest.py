"""The one place that guesses what the user meant: "did you mean 'cosine'?"."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = ["closest", "did_you_mean"]


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like `name` (difflib's ratio ≥ 0.6), or None."""
    matches = difflib.get_close_matches(name, list(known), n=1)
    return matches[0] if matches else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` for the closest known name, or "" when nothing is close."""
    match = closest(name, known)
    return f"; did you mean '{match}'?" if match else ""
