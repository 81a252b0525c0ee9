"""The language: schedule text ⇄ AST, and the AST built from mappings or Python.

    text ──parse──▶ AST ◀──load── mappings / JSON
      ▲              ▲  ◀──builders, operators── Python (`ps.cosine(0.1, 0, "10k") >> …`)
      └──unparse─────┘

Each form of the language is declared once, as its node class in nodes.py (forms.py explains how); the
parser's argument binding, unparse, the JSON Schema, the Python builders and the suggestions derive from
those declarations. The layer below (pure schedules) sees only nodes.
"""

from __future__ import annotations

import numbers
import sys
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .nodes import (
    FORMS,
    MODELS,
    AnyNode,
    Constant,
    Duration,
    Node,
    check_root,
    check_run_settings,
    format_number,
    lift,
    located,
    node_depth,
    position_of,
    quoted,
    structural_duration,
)
from .parse import parse
from .suggest import looks_like_schedule as _looks_like_schedule_of
from .unparse import unparse

if TYPE_CHECKING:
    from .mappings import ScheduleModel, json_schema, load

__all__ = [
    "FORMS",
    "MODELS",
    "AnyNode",
    "Duration",
    "Node",
    "ScheduleModel",
    "check_run_settings",
    "format_number",
    "json_schema",
    "lift",
    "load",
    "locate",
    "looks_like_schedule",
    "node_depth",
    "parse",
    "position_of",
    "quoted",
    "structural_duration",
    "to_node",
    "unparse",
]

ScheduleLike = str | float | int | Mapping[str, Any] | Node
"""What every entry point takes as a schedule: text, a plain number, a mapping (the AST as data), or a node."""


def to_node(schedule: Any) -> Node:
    """Text, a plain number, a mapping (YAML/JSON form) or a node, as a validated root node."""
    if isinstance(schedule, str):
        return parse(schedule)
    if isinstance(schedule, Node):
        return check_root(schedule)
    if isinstance(schedule, numbers.Real) and not isinstance(schedule, bool):  # numpy's numbers too
        return check_root(Constant(value=float(schedule)))
    if isinstance(schedule, Mapping):
        from .mappings import load

        return load(schedule)
    mappings = sys.modules.get(f"{__name__}.mappings")  # a ScheduleModel exists only once that is imported
    if mappings is not None and isinstance(schedule, mappings.ScheduleModel):
        return check_root(schedule.root)
    raise TypeError(f"a schedule is text, a number, a mapping or a node, not {type(schedule).__name__}")


_FROM_MAPPINGS = frozenset({"ScheduleModel", "json_schema", "load"})


def __getattr__(name: str) -> Any:
    """`load`, `json_schema` and `ScheduleModel` come from mappings.py, imported on first use: a
    schedule given as text (a cold `paramsched check`) never needs them."""
    if name in _FROM_MAPPINGS:
        from . import mappings

        return getattr(mappings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def looks_like_schedule(text: str) -> bool:
    """Whether a config string is meant as schedule text: `->`, `then`, or a call of a form (or of a
    name for one, or close to one)."""
    return _looks_like_schedule_of(text, FORMS)


def locate(error: Any, node: Node) -> Any:
    """`error` positioned (caret) at `node` in the text it was parsed from; unchanged if the node was not
    parsed from text or the error already has a position."""
    return located(error, node)
