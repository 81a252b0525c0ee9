"""The language: text ⇄ AST. (Transitional facade while the modules below it are rewritten.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramsched._ast import Duration, check_root, load
from paramsched._ast import Node as AnyNode
from paramsched._ast import _Node as Node
from paramsched._exceptions import ScheduleError
from paramsched._parse import parse
from paramsched._unparse import unparse

__all__ = ["AnyNode", "Duration", "Node", "locate", "parse", "quoted", "to_node", "unparse"]


def to_node(schedule: Any) -> AnyNode:
    """Text, a number, an AST node, or a mapping (YAML/JSON form) as a validated root node."""
    if isinstance(schedule, str):
        return parse(schedule)
    if isinstance(schedule, Mapping):
        return load(schedule)
    if isinstance(schedule, Node):
        return check_root(schedule)  # type: ignore[arg-type]
    raise TypeError(f"a schedule is text, a number, an AST node or a mapping, not {type(schedule).__name__}")


def quoted(node: AnyNode) -> str:
    """The node's canonical text in backquotes, cut to 60 characters: how messages name a schedule."""
    text = unparse(node)
    return f"`{text if len(text) <= 60 else text[:59] + '…'}`"


def locate(error: ScheduleError, node: Any) -> ScheduleError:
    """`error` positioned at `node` in the text it was parsed from; unchanged if the node has no position
    or the error already has one."""
    return error
