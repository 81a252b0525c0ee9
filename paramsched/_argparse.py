"""argparse: a ready `type=` callable whose errors reach the user as argparse messages.

    parser.add_argument("--lr", type=ps.schedule_type, default="cosine(0.1 -> 0, 10k)")
    parser.add_argument("--wd", type=ps.schedule_type(total=10_000, steps_per_epoch=500))

argparse turns a ValueError raised by `type=` into a bare "invalid <type> value: '...'" and drops the
message; an ArgumentTypeError keeps it, so the caret under the mistake reaches the terminal:

    usage: train.py [-h] [--lr LR]
    train.py: error: argument --lr: unknown schedule 'cosin'; did you mean 'cosine'?
      at line 1, column 1:
        cosin(0.1 -> 0, 10k)
        ^
"""

from __future__ import annotations

import argparse
from typing import overload

from ._exceptions import ScheduleError
from ._resolve import resolve
from .language import Node, to_node

__all__ = ["ScheduleType", "schedule_type"]


class ScheduleType:
    """A `type=` callable: text → parsed AST node; with `total`/`steps_per_epoch`, units are checked too."""

    __name__ = "schedule"  # what argparse would call the type in its own messages

    def __init__(self, *, total: int | None = None, steps_per_epoch: int | None = None) -> None:
        self.total = total
        self.steps_per_epoch = steps_per_epoch
        self.check_units = total is not None or steps_per_epoch is not None

    def __call__(self, text: str) -> Node:
        try:
            node = to_node(text)
            if self.check_units:
                resolve(node, total=self.total, steps_per_epoch=self.steps_per_epoch)
        except ScheduleError as error:
            raise argparse.ArgumentTypeError(str(error)) from None
        return node

    def __repr__(self) -> str:
        return f"schedule_type(total={self.total!r}, steps_per_epoch={self.steps_per_epoch!r})"


_PLAIN = ScheduleType()


@overload
def schedule_type(text: str) -> Node: ...


@overload
def schedule_type(*, total: int | None = None, steps_per_epoch: int | None = None) -> ScheduleType: ...


def schedule_type(
    text: str | None = None, *, total: int | None = None, steps_per_epoch: int | None = None
) -> Node | ScheduleType:
    """`type=schedule_type` parses a schedule; `type=schedule_type(total=..., steps_per_epoch=...)`
    also resolves its `%` and `ep` durations, so a unit that cannot be resolved fails at parse time.

    Args:
        text: the argument's text, when argparse calls `schedule_type` itself as `type=`.
        total: the run's length in events, for `%` durations.
        steps_per_epoch: events per epoch, for `ep` durations.

    Returns:
        The parsed node when given `text`; otherwise a `type=` callable that checks units too.

    Raises:
        argparse.ArgumentTypeError: with the ScheduleError's message (caret included), which argparse
            prints as `error: argument --lr: …` and exits with status 2.
    """
    if text is None:
        return ScheduleType(total=total, steps_per_epoch=steps_per_epoch)
    if total is not None or steps_per_epoch is not None:
        return ScheduleType(total=total, steps_per_epoch=steps_per_epoch)(text)
    return _PLAIN(text)
