"""Canonical text of a schedule node: `parse(unparse(n)) == n`, and unparse is idempotent on its output.

Parentheses are minimal for the precedence `then` < `+ -` < `* /` < unary minus < atoms; defaults are
left out; numbers use the shortest text that reads back as the same float.
"""

from __future__ import annotations

from paramsched._ast import (
    BinaryOp,
    Const,
    Constant,
    Cosine,
    Duration,
    Exp,
    Extremum,
    Linear,
    MultiStep,
    Negate,
    Node,
    Piecewise,
    Poly,
    Repeat,
    Rsqrt,
    Sqrt,
    Step,
    Tanh,
    Then,
    Triangle,
    Warmup,
    format_number,
)

__all__ = ["unparse"]

_THEN, _SUM, _PRODUCT, _UNARY, _ATOM = range(5)
_OP_LEVEL = {"+": _SUM, "-": _SUM, "*": _PRODUCT, "/": _PRODUCT}


def unparse(node: Node) -> str:
    """The canonical text of `node`."""
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
    args: list[str]
    if isinstance(node, Const):
        args = [format_number(node.value), _duration(node.duration)]
    elif isinstance(node, (Linear, Cosine, Exp, Poly, Sqrt, Tanh, Triangle)):
        args = [f"{format_number(node.start)} -> {format_number(node.end)}", _duration(node.duration)]
        if isinstance(node, (Cosine, Poly)) and node.power != 1:
            args.append(f"power={format_number(node.power)}")
        if isinstance(node, Tanh):
            args += _keywords(lower=(node.lower, -7.0), upper=(node.upper, 3.0))
    elif isinstance(node, Rsqrt):
        args = [format_number(node.value), f"timescale={_duration(node.timescale)}"]
    elif isinstance(node, Step):
        args = [
            format_number(node.value),
            f"every={_duration(node.every)}",
            f"gamma={format_number(node.gamma)}",
        ]
    elif isinstance(node, MultiStep):
        milestones = ", ".join(_duration(milestone) for milestone in node.at)
        args = [format_number(node.value), f"at=[{milestones}]", f"gamma={format_number(node.gamma)}"]
    elif isinstance(node, Piecewise):
        args = [f"({_duration(milestone)}, {format_number(value)})" for milestone, value in node.points]
    elif isinstance(node, Repeat):
        args = [unparse(node.body)]
        if node.times is not None:
            args.append(f"times={node.times}")
        args += _keywords(
            cycle_mult=(node.cycle_mult, 1.0),
            start_mult=(node.start_mult, 1.0),
            end_mult=(node.end_mult, 1.0),
        )
        if node.warmup.amount != 0:
            args.append(f"warmup={_duration(node.warmup)}")
    elif isinstance(node, Warmup):
        args = [_duration(node.duration)]
        if node.start != 0:
            args.append(f"from={format_number(node.start)}")
    elif isinstance(node, Extremum):
        args = [unparse(arg) for arg in node.args]
        return f"{node.fn}({', '.join(args)})"
    else:  # pragma: no cover - every kind is handled above
        raise TypeError(f"not a schedule node: {node!r}")
    return f"{node.kind}({', '.join(args)})"


def _duration(duration: Duration) -> str:
    return format_number(duration.amount) + duration.unit


def _keywords(**values: tuple[float, float]) -> list[str]:
    """`name=value` for each value that differs from its default, in the order given."""
    return [f"{name}={format_number(value)}" for name, (value, default) in values.items() if value != default]
