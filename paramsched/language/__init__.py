"""The language: text ⇄ AST. (Transitional facade while the modules below it are rewritten.)"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from paramsched._ast import Duration, check_root, load
from paramsched._ast import Node as AnyNode
from paramsched._ast import _Node as Node
from paramsched._exceptions import ScheduleArgumentError, ScheduleError
from paramsched._parse import parse
from paramsched._unparse import unparse

__all__ = ["AnyNode", "Duration", "Node", "check_run_settings", "locate", "parse", "quoted", "to_node", "unparse"]


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


def check_run_settings(total: int | None, steps_per_epoch: int | None) -> None:
    """The run settings that resolve units: each absent (None) or a whole number of events ≥ 1."""
    for name, value in (("total", total), ("steps_per_epoch", steps_per_epoch)):
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
            raise ScheduleArgumentError(f"`{name}` must be a positive whole number of events, got {value!r}")
