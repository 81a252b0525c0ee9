"""Text and JSON round trips of every kind of node (SPEC §3): parse(unparse(n)) == n, unparse idempotent."""

from __future__ import annotations

import json

from hypothesis import given
from strategies import nodes

from paramsched.language import Node, load, parse, structural_duration, unparse


@given(nodes(wild_numbers=True, with_units=True, max_depth=3))
def test_text_round_trip(node: Node) -> None:
    text = unparse(node)
    again = parse(text)
    assert again == node
    assert unparse(again) == text


@given(nodes(with_units=True, max_depth=3))
def test_json_round_trip(node: Node) -> None:
    data = node.model_dump(mode="json")
    assert load(data) == node
    assert load(json.dumps(data)) == node
    assert load(node) is node


@given(nodes(finite_only=True, with_units=True))
def test_finite_only_nodes_are_finite(node: Node) -> None:
    assert structural_duration(node) == "finite"


@given(nodes(max_depth=3))
def test_unparse_is_idempotent_on_its_output(node: Node) -> None:
    text = unparse(node)
    assert unparse(parse(text)) == text


def test_floats_keep_every_bit() -> None:
    for value in (0.1, 1 / 3, 5e-324, 1.7976931348623157e308, -0.0, 2.0**53 + 2, 1e15, 1e16, 123.456e-7):
        node = parse(unparse(load({"kind": "constant", "value": value})))
        assert node.kind == "constant"
        assert node.value == value
        assert str(node.value) == str(value)


def test_mappings_may_write_durations_short() -> None:
    """A Duration in a mapping: the full mapping, a number of events, or text with a unit (SPEC §3)."""
    full = {"kind": "const", "value": 1, "duration": {"kind": "duration", "amount": 10, "unit": "k"}}
    assert load({**full, "duration": "10k"}) == load(full) == parse("const(1, 10k)")
    assert load({**full, "duration": 5}) == parse("const(1, 5)")
    assert load({**full, "duration": " 3ep "}) == parse("const(1, 3ep)")
    assert load({"kind": "multistep", "value": 1, "at": [5, "5%"], "gamma": 0.5}) == parse(
        "multistep(1, at=[5, 5%], gamma=0.5)"
    )
    assert load({"kind": "piecewise", "points": [[0, 1], ["1_000", 0]]}) == parse("piecewise((0, 1), (1000, 0))")
    body = {"kind": "cosine", "start": 1, "end": 0, "duration": "1k"}
    assert load({"kind": "repeat", "body": body, "warmup": 2}) == parse("repeat(cosine(1 -> 0, 1k), warmup=2)")
