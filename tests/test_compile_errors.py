"""Errors found after parsing (units, zero-length parts, limits) still point at their place in the text."""

from __future__ import annotations

import pytest

import paramsched as ps


class Holder:
    def __init__(self) -> None:
        self.param_groups = [{"lr": 0.0}]


CASES = [
    # text, keyword arguments, error class, message start, line, column
    ("linear(0 -> 0.1, 500) then\n  cosine(0.1 -> 0, 5%)", {}, ps.UnitError, "duration '5%' needs `total`", 2, 3),
    ("warmup(2ep) then 0.1", {}, ps.UnitError, "duration '2ep' needs `steps_per_epoch`", 1, 1),
    ("const(1, 0.4%) then 2", {"total": 100}, ps.DurationError, "a part before `then` lasts 0 events", 1, 1),
    ("1 + 2 * repeat(linear(0 -> 1, 10), times=1e15)", {}, ps.LimitError, "a repeat lasts", 1, 9),
]


@pytest.mark.parametrize(("text", "kwargs", "error", "message", "line", "column"), CASES)
@pytest.mark.parametrize("entry", ["compile", "simulate"])
def test_compile_errors_name_line_and_column(
    entry: str, text: str, kwargs: dict[str, int], error: type[ps.ScheduleError], message: str, line: int, column: int
) -> None:
    with pytest.raises(error) as raised:
        if entry == "compile":
            ps.compile(text, Holder(), **kwargs)
        else:
            ps.simulate(text, 3, **kwargs)
    assert raised.value.message.startswith(message)
    assert (raised.value.line, raised.value.column) == (line, column)
    shown = str(raised.value).splitlines()
    assert shown[-1] == "    " + " " * (column - 1) + "^"
    assert shown[-2] == "    " + text.splitlines()[line - 1]


def test_errors_of_nodes_without_text_keep_no_position() -> None:
    """A node from a mapping has no text: its errors say what, without a caret."""
    node = ps.load({"kind": "cosine", "start": 1, "end": 0, "duration": "5%"})
    with pytest.raises(ps.UnitError) as raised:
        ps.simulate(node, 3)
    assert raised.value.line is None
    assert str(raised.value) == "duration '5%' needs `total`"


@pytest.mark.parametrize("entry", ["compile", "simulate"])
def test_a_parsed_node_keeps_the_position_of_its_text(entry: str) -> None:
    """Positions travel with the nodes: a node parsed earlier still points into its text, without a re-parse."""
    node = ps.parse("linear(0 -> 1, 10) then\n  cosine(1 -> 0, 5%)")
    with pytest.raises(ps.UnitError) as raised:
        if entry == "compile":
            ps.compile(node, Holder())
        else:
            ps.simulate(node, 3)
    assert (raised.value.line, raised.value.column) == (2, 3)


def test_a_zero_length_part_points_at_the_part_not_the_chain() -> None:
    """The innermost node wins: the part that lasts 0 events, not the `then` around it."""
    with pytest.raises(ps.DurationError) as raised:
        ps.simulate("const(1, 5) then const(2, 0.4%) then 3", 3, total=100)
    assert (raised.value.line, raised.value.column) == (1, 18)
