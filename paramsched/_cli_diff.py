"""`paramsched diff OLD NEW --at N`: what resuming a run saved at event N on a new plan does.

Both plans' values around N side by side, and the jump at N, in the words of PlanChangedWarning
(`resume="replan"`): extending a warmup-stable-decay run from a stable checkpoint shows `no jump`;
a new `total` under a cosine shows how far the value moves.
"""

from __future__ import annotations

import argparse
import re
from typing import Any

from . import _schedules as pure
from ._resolve import resolve
from ._resume import Plan, describe_jump
from .language import to_node, unparse

__all__ = ["register", "run_diff"]

_EXAMPLE = """\
example (extend a warmup-stable-decay run from its checkpoint at 60k: no jump):
  paramsched diff "warmup(2k) then const(3e-4, 98k)" \\
      "warmup(2k) then const(3e-4, 118k) then sqrt(3e-4 -> 0, 20k)" --at 60k
  paramsched diff "cosine(0.1 -> 0, 100%)" "cosine(0.1 -> 0, 100%)" --at 5k --old-total 10k --total 20k
"""


def _events(text: str) -> int:
    """A whole number ≥ 0 with the language's magnitudes: 500, 10_000, 10k, 2M, 3B."""
    match = re.fullmatch(r"\s*(\d[\d_]*)\s*([kMB]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"expected a whole number of events (e.g. 500, 60k, 2M), got {text!r}")
    return int(match.group(1).replace("_", "")) * {"": 1, "k": 10**3, "M": 10**6, "B": 10**9}[match.group(2)]


def _positive(text: str) -> int:
    value = _events(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return value


def register(commands: Any) -> None:
    """Add the `diff` sub-command to the `paramsched` parser's sub-commands."""
    diff = commands.add_parser(
        "diff",
        help="compare two plans around a resume position and show the jump there",
        description="Print both plans' values around event N (where a run saved under OLD resumes on NEW "
        'with resume="replan") and the jump at N: NEW(N) − OLD(N). Exit status 0.',
        epilog=_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    diff.add_argument("old", metavar="OLD", help="the plan the run was saved under (schedule text)")
    diff.add_argument("new", metavar="NEW", help="the plan it resumes on (schedule text)")
    diff.add_argument("--at", type=_events, required=True, metavar="N", help="the saved position (event index)")
    diff.add_argument("--around", type=_events, default=3, metavar="K", help="events shown on each side (default 3)")
    diff.add_argument("--total", type=_positive, metavar="N", help="total of NEW (and of OLD, unless --old-total)")
    diff.add_argument("--steps-per-epoch", type=_positive, metavar="N", help="steps per epoch of NEW (and OLD)")
    diff.add_argument("--old-total", type=_positive, metavar="N", help="total of OLD, where it differs")
    diff.add_argument("--old-steps-per-epoch", type=_positive, metavar="N", help="steps per epoch of OLD")
    diff.add_argument(
        "--clock", choices=("steps", "tokens", "samples"), default="steps", help="what N counts (both plans)"
    )
    diff.add_argument("--tokens-per-step", type=_positive, metavar="N", help="for `tok` on the step clock")
    diff.add_argument("--samples-per-step", type=_positive, metavar="N", help="for `sp` on the step clock")


def _plan(
    text: str, args: argparse.Namespace, total: int | None, steps_per_epoch: int | None
) -> tuple[Plan, pure.Schedule]:
    node = to_node(text)
    given: dict[str, Any] = {
        "clock": args.clock,
        "total": total,
        "steps_per_epoch": steps_per_epoch,
        "tokens_per_step": args.tokens_per_step,
        "samples_per_step": args.samples_per_step,
    }
    settings = tuple((name, value) for name, value in given.items() if value and value != "steps")
    return Plan(unparse(node), settings), resolve(node, **given)


def run_diff(args: argparse.Namespace) -> int:
    """Print the two plans, their values around `--at` and the jump there."""
    old_total = args.old_total if args.old_total is not None else args.total
    old_epoch = args.old_steps_per_epoch if args.old_steps_per_epoch is not None else args.steps_per_epoch
    old_plan, old = _plan(args.old, args, old_total, old_epoch)
    new_plan, new = _plan(args.new, args, args.total, args.steps_per_epoch)
    position: int = args.at
    first = max(0, position - args.around)
    count = position + args.around + 1 - first
    old_values = pure.evaluate(old, count, first, f"schedule {old_plan.text!r}")
    new_values = pure.evaluate(new, count, first, f"schedule {new_plan.text!r}")
    print(f"saved plan: {old_plan.describe()}")
    print(f"new plan:   {new_plan.describe()}")
    print()
    print(f"{'event':>12}  {'saved plan':>14}  {'new plan':>14}  {'new - saved':>14}")
    for offset, (before, after) in enumerate(zip(old_values.tolist(), new_values.tolist(), strict=True)):
        event = first + offset
        marker = "  <- resumes here" if event == position else ""
        print(f"{event:>12}  {before:>14.6g}  {after:>14.6g}  {after - before:>14.6g}{marker}")
    print()
    at = position - first
    jump = describe_jump(float(old_values[at]), float(new_values[at]), "new plan")
    print(f"at event {position}: {jump}")
    return 0
