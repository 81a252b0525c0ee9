"""Canonical text of a schedule node: `parse(unparse(n)) == n`, and unparse is idempotent on its output.

Parentheses are minimal for the precedence `then` < `+ -` < `* /` < unary minus < atoms; calls are
written from their form's declaration — positional arguments in order, then keywords that differ from
their defaults (required keywords always); numbers use the shortest text that reads back as the same float.
"""

from __future__ import annotations

from typing import Any

from .forms import Param
from .nodes import FORMS, BinaryOp, Constant, Duration, Extremum, Negate, Node, Then, format_number

__all__ = ["unparse"]

_THEN, _SUM, _PRODUCT, _UNARY, _ATOM = range(5)
_OP_LEVEL = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}


def unparse(node: Node) -> str:
    """The canonical text of `node`: numbers as Python's `repr`, `->` for ranges, the fewest parentheses.

    Args:
        node: any schedule node (from `parse`, `load` or the builders).

    Returns:
        The text; `parse(unparse(node)) == node`, and `unparse` of that is the same text (idempotent).
    """
    return _text(node, _THEN)


def _text(node: Node, context: int) -> str:
    """Text of `node` where the surrounding syntax needs at least precedence `context`."""
    text, level = _with_level(node)
    return f"({text})" if level < context else text


def _with_level(node: Node) -> tuple[str, int]:
    if isinstance(node, Constant):
        text = format_number(node.value)
        return text, _UNARY if text.startswith("-") else _ATOM
    if isinstance(node, Then):
        return " then ".join(_text(part, _SUM) for part in node.parts), _THEN
    if isinstance(node, BinaryOp):
        level = _OP_LEVEL[node.op]
        return f"{_text(node.left, level)} {node.op} {_text(node.right, level + 1)}", level
    if isinstance(node, Negate):
        operand = node.operand
        # `-2` reads back as the number -2 and `--x` is hard to read: parenthesise numbers and negations
        needs_parens = isinstance(operand, (Constant, Negate))
        return "-" + (f"({unparse(operand)})" if needs_parens else _text(operand, _UNARY)), _UNARY
    return _call(node), _ATOM


def _call(node: Node) -> str:
    name = node.fn if isinstance(node, Extremum) else node.kind
    form = FORMS[name]
    arguments: list[str] = []
    for param in form.params:
        values = [getattr(node, field) for field in param.fields]
        if param.keyword:
            if not param.required and values[0] == param.default:
                continue
            arguments.append(f"{param.name}={_argument(param, values)}")
        elif param.variadic:
            arguments.extend(_argument(param, [value]) for value in values[0])
        else:
            arguments.append(_argument(param, values))
    return f"{name}({', '.join(arguments)})"


def _argument(param: Param, values: list[Any]) -> str:
    kind = param.kind
    if kind == "range":
        return f"{format_number(values[0])} -> {format_number(values[1])}"
    value = values[0]
    if kind in ("schedule", "schedules"):
        return unparse(value)
    if kind == "count":
        return str(value)
    if kind == "durations":
        return f"[{', '.join(str(milestone) for milestone in value)}]"
    if kind == "points":
        milestone, point = value
        return f"({milestone}, {format_number(point)})"
    if isinstance(value, Duration):
        return str(value)
    return format_number(value)
