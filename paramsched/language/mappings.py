"""Mappings and JSON → AST, and the JSON Schema of the language as nested mappings.

A YAML or JSON config may hold a schedule as the AST itself (`{"kind": "cosine", "start": 0.1, ...}`);
inside it, a sub-schedule may also be text or a number. The same node validators run as for text, so the
error class and message are the same; the message names the field path instead of a caret.
"""

from __future__ import annotations

import functools
import json
import numbers
import sys
from collections.abc import Mapping
from typing import Any

from pydantic import ConfigDict, RootModel, TypeAdapter, ValidationError

from paramsched._exceptions import LimitError, ScheduleSyntaxError
from paramsched._limits import MAX_DEPTH

from .errors import schedule_error
from .nodes import AnyNode, Node, check_root

__all__ = ["ScheduleModel", "json_schema", "load"]

_MAX_CONTAINER_DEPTH = 2 * MAX_DEPTH + 8  # dicts and lists in a mapping: a node costs at most two levels


class ScheduleModel(RootModel[AnyNode]):
    """A whole schedule; its JSON Schema describes the language as nested mappings."""

    model_config = ConfigDict(title="Schedule", defer_build=True)  # built when a schema is asked for


@functools.cache
def _node_adapter() -> TypeAdapter[AnyNode]:
    """The validator of a node given as data, built on the first `load` (not at import: a cold
    `paramsched check` of text never needs it)."""
    return TypeAdapter(AnyNode)


def json_schema() -> dict[str, Any]:
    """The JSON Schema of a schedule given as nested mappings (what `load` accepts).

    Returns:
        A JSON-able dict (pydantic's `model_json_schema` of the AST, a `kind` discriminator per form);
        `paramsched schema` prints it.
    """
    return ScheduleModel.model_json_schema()


def load(data: Mapping[str, Any] | str | float | Node) -> Node:
    """A node from nested mappings (YAML, JSON objects), JSON text (`{"kind": …}`), schedule text or a
    plain number, with the same checks as `parse`: whatever a config holds as a schedule.

    Args:
        data: a mapping with a `kind` (the AST as data, as `node.model_dump(mode="json")` writes it; a
            sub-schedule may be text or a number), JSON text of such a mapping, schedule text, a number
            (a constant), or a node.

    Returns:
        The root node, equal to what `parse` gives for the same schedule.

    Raises:
        ScheduleError: the subclass and message `parse` would raise for the same mistake (without a
            caret when there is no text to point into).
    """
    if isinstance(data, Node):
        return check_root(data)
    if isinstance(data, numbers.Real) and not isinstance(data, bool):  # numpy's numbers too
        data = {"kind": "constant", "value": float(data)}
    elif isinstance(data, str) and not data.lstrip().startswith(("{", "[")):  # JSON text, or schedule text
        from .parse import parse

        return parse(data)
    plain = _plain(_json_mapping(data) if isinstance(data, str) else data, 0)
    try:
        node: Node = _node_adapter().validate_python(plain)
    except ValidationError as error:
        raise schedule_error(error, root_is_union=True) from None
    return check_root(node)


def _plain(data: object, depth: int) -> object:
    """Mappings to dicts and sequences to lists, refusing nesting that could exhaust the stack."""
    if depth > _MAX_CONTAINER_DEPTH:
        raise LimitError(f"the schedule is nested more than {MAX_DEPTH} levels deep")
    if isinstance(data, Mapping):
        return {key: _plain(value, depth + 1) for key, value in data.items()}
    if isinstance(data, (list, tuple)):
        return [_plain(value, depth + 1) for value in data]
    return data


def _json_mapping(text: str) -> object:
    depth = 0
    in_string = escaped = False
    for character in text:  # json.loads recurses per level: measure nesting before handing it over
        if in_string:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == '"':
                in_string = False
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            if depth > _MAX_CONTAINER_DEPTH:
                raise LimitError(f"the schedule is nested more than {MAX_DEPTH} levels deep")
        elif character in "]}":
            depth -= 1
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ScheduleSyntaxError(f"invalid JSON: {error.msg}").at(text, error.lineno, error.colno) from None
    except ValueError as error:  # e.g. Python's limit on the digits of an integer
        raise LimitError(f"invalid JSON: {error}") from None


if __name__ == "__main__":  # `python -m paramsched.language.mappings` prints the JSON Schema
    json.dump(json_schema(), sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")
