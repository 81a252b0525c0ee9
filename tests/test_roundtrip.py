"""Text and JSON round trips of every kind of node (SPEC §3): parse(unparse(n)) == n, unparse idempotent."""

from __future__ import annotations

import json

from hypothesis import given
from strategies import nodes

from paramsched._ast import Node, load, structural_duration
from paramsched._parse import parse
from paramsched._unparse import unparse


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
