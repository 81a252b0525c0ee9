"""Golden cases of the language, kept as data: tests/golden/valid.txt and tests/golden/errors/*.txt.

valid.txt: `input => canonical` per line; parsing the input and unparsing gives the canonical text, and the
canonical text is a fixed point. errors/NAME.txt: the error class, the input and the full message
(with its line, column and caret) that parsing the input raises.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import paramsched._exceptions as exceptions
from paramsched.language import parse, unparse

GOLDEN = Path(__file__).parent / "golden"


def _valid_cases() -> list[tuple[str, str]]:
    cases = []
    for line in (GOLDEN / "valid.txt").read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        source, canonical = line.split(" => ")
        cases.append((source, canonical))
    return cases


def _error_cases() -> list[tuple[str, str, str, str]]:
    cases = []
    for path in sorted((GOLDEN / "errors").glob("*.txt")):
        head, rest = path.read_text(encoding="utf-8").split("\n=== input\n", 1)
        source, message = rest.split("\n=== message\n", 1)
        cases.append((path.stem, head.strip(), source, message.removesuffix("\n")))
    return cases


@pytest.mark.parametrize(("source", "canonical"), _valid_cases())
def test_valid_schedule_has_its_canonical_text(source: str, canonical: str) -> None:
    node = parse(source)
    assert unparse(node) == canonical
    assert parse(canonical) == node
    assert unparse(parse(canonical)) == canonical


@pytest.mark.parametrize(("name", "error", "source", "message"), _error_cases())
def test_invalid_schedule_raises_its_golden_error(name: str, error: str, source: str, message: str) -> None:
    with pytest.raises(getattr(exceptions, error)) as raised:
        parse(source)
    assert type(raised.value).__name__ == error
    assert str(raised.value) == message


def test_there_are_golden_cases() -> None:
    assert len(_valid_cases()) > 50
    assert len(_error_cases()) > 20
