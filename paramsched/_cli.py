"""The `paramsched` command line: check, show, plot a schedule; print the JSON Schema."""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any, TextIO

import numpy as np

from . import _schedules as pure
from ._cli_diff import register as register_diff
from ._cli_diff import run_diff
from ._exceptions import ScheduleError, UnitError
from ._resolve import resolve
from .language import quoted, to_node, unparse

__all__ = ["main"]

_EXAMPLES = """\
examples:
  paramsched check "linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)"
  paramsched check conf/config.yaml                 # every schedule-like string in the file
  paramsched check examples/config.yaml --key . --total 10000
  paramsched show "linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)"
  paramsched show "warmup(5%) then cosine(0.1 -> 0, 95%)" --total 20000
  paramsched show "step(0.1, every=3ep, gamma=0.5)" --steps-per-epoch 100 -n 1000
  paramsched plot "repeat(cosine(0.1 -> 0, 1k), times=4, cycle_mult=2)" -o lr.png
  paramsched diff "cosine(0.1 -> 0, 100%)" "cosine(0.1 -> 0, 100%)" --at 5k --old-total 10k --total 20k
  paramsched schema > schedule.schema.json

Quote the schedule for the shell: it holds spaces, parentheses and `>`.
"""

_CONFIG_SUFFIXES = (".yaml", ".yml", ".json")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="paramsched",
        description="Check, show and plot paramsched schedules: one line of text per parameter schedule.",
        epilog=_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def units(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--total", type=_positive, metavar="N", help="events in the run (for `%%` durations)")
        sub.add_argument("--steps-per-epoch", type=_positive, metavar="N", help="events per epoch (for `ep` durations)")

    check = commands.add_parser(
        "check",
        help="check a schedule, or every schedule of a YAML/JSON config file",
        description="Check a schedule, or the schedules of a YAML/JSON config file: every string in it "
        "that looks like a schedule (a call, `->`, `then`), or with --key, the mapping at that key as a "
        "schedule config. Exit status 0 when valid, 1 otherwise (the errors, with a caret, on stderr).",
    )
    check.add_argument("target", metavar="TEXT|FILE", help="schedule text, or a .yaml/.yml/.json config file")
    check.add_argument(
        "--key",
        metavar="DOTTED.PATH",
        help="check the mapping at this key as a schedule config, every entry a schedule "
        "(e.g. `optim`; `.` for the whole file)",
    )
    units(check)

    show = commands.add_parser(
        "show",
        help="print a schedule's values at key events and draw it in the terminal",
        description="Print the values at the start, at each phase boundary of a `then`, and at the end, "
        "then draw the schedule with plain characters.",
    )
    show.add_argument("schedule", metavar="TEXT", help="schedule text")
    show.add_argument("-n", "--events", type=_positive, metavar="EVENTS", help="events to show (default: its duration)")
    show.add_argument("--width", type=_positive, default=64, help="plot width in characters (default 64)")
    show.add_argument("--height", type=_positive, default=12, help="plot height in lines (default 12)")
    units(show)

    plot = commands.add_parser(
        "plot",
        help="plot a schedule to an image file (needs matplotlib)",
        description="Plot a schedule with matplotlib; phase boundaries of a `then` are dashed lines.",
    )
    plot.add_argument("schedule", metavar="TEXT", help="schedule text")
    plot.add_argument("-n", "--events", type=_positive, metavar="EVENTS", help="events to plot (default: its duration)")
    plot.add_argument("-o", "--output", required=True, metavar="FILE.png", help="image file to write")
    plot.add_argument("--label", default="value", help="y axis label, e.g. lr (default: value)")
    units(plot)

    register_diff(commands)
    commands.add_parser(
        "schema",
        help="print the JSON Schema of the mapping form of a schedule",
        description="Print the JSON Schema of a schedule in mapping (YAML/JSON) form.",
    )
    return parser


def _positive(text: str) -> int:
    """A whole number ≥ 1, with the language's suffixes: 500, 10_000, 10k, 2M."""
    match = re.fullmatch(r"\s*(\d[\d_]*)\s*([kM]?)\s*", text)
    if match is None:
        raise argparse.ArgumentTypeError(f"expected a whole number (e.g. 500, 10k, 2M), got {text!r}")
    value = int(match.group(1).replace("_", "")) * {"": 1, "k": 1_000, "M": 1_000_000}[match.group(2)]
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number ≥ 1, got {text!r}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `paramsched` console script and of `python -m paramsched`."""
    args = _parser().parse_args(argv)
    try:
        if args.command == "check":
            return _check(args)
        if args.command == "show":
            return _show(args)
        if args.command == "plot":
            return _plot(args)
        if args.command == "diff":
            return run_diff(args)
        from .language.mappings import json_schema

        print(json.dumps(json_schema(), indent=2))
        return 0
    except ScheduleError as error:
        _error(error)
        return 1
    except BrokenPipeError:  # `paramsched show ... | head`: stop quietly, as other tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _error(error: ScheduleError, stream: TextIO | None = None) -> None:
    message = str(error)
    if isinstance(error, UnitError):
        message += " (pass --total N for `%`, --steps-per-epoch N for `ep`)"
    print(f"paramsched: error: {message}", file=stream or sys.stderr)


def _check(args: argparse.Namespace) -> int:
    target: str = args.target
    path = Path(target)
    if target.lower().endswith(_CONFIG_SUFFIXES) or path.is_file():
        return _check_file(args, path)
    if args.key:
        print("paramsched: error: --key applies to a config file", file=sys.stderr)
        return 1
    node = to_node(target)
    resolve(node, total=args.total, steps_per_epoch=args.steps_per_epoch)
    print(f"ok: {unparse(node)}")
    return 0


def _check_file(args: argparse.Namespace, path: Path) -> int:
    """With --key: the mapping there is a schedule config, checked entry by entry. Without: every
    string of the file that looks like a schedule (a call, `->`, `then`) is checked; all errors shown."""
    from ._config import check_config, find_schedule_strings, load_config, prefixed  # a file's check only

    config: Any = load_config(path)
    if args.key:
        for key in (part for part in args.key.split(".") if part):  # `.` is the whole file
            if not isinstance(config, dict) or key not in config:
                print(f"paramsched: error: {path}: no key {args.key!r}", file=sys.stderr)
                return 1
            config = config[key]
        if not isinstance(config, dict):
            print(f"paramsched: error: {path}: {args.key!r} is not a mapping", file=sys.stderr)
            return 1
        prefix = ".".join(part for part in args.key.split(".") if part)
        labels, problems = check_config(config, total=args.total, steps_per_epoch=args.steps_per_epoch, prefix=prefix)
        for problem in problems:
            _error(problem)
        if problems:
            print(f"{path}: {len(problems)} of {len(labels) + len(problems)} schedule(s) invalid", file=sys.stderr)
            return 1
        print(f"ok: {path}: {len(labels)} schedule(s): {', '.join(labels)}")
        return 0
    found = find_schedule_strings(config)
    if not found:
        print(f"paramsched: error: {path}: no schedule text found (use --key to name a mapping)", file=sys.stderr)
        return 1
    failures = 0
    for key, text in found:
        try:
            resolve(text, total=args.total, steps_per_epoch=args.steps_per_epoch)
        except ScheduleError as error:
            failures += 1
            _error(prefixed(error, key))
    if failures:
        print(f"{path}: {failures} of {len(found)} schedule(s) invalid", file=sys.stderr)
        return 1
    print(f"ok: {path}: {len(found)} schedule(s): {', '.join(key for key, _ in found)}")
    return 0


# -- show and plot ------------------------------------------------------------------------------


def _prepare(args: argparse.Namespace) -> tuple[str, pure.Schedule, int, list[int]]:
    """(canonical text, pure schedule, events, phase boundaries within the events)."""
    node = to_node(args.schedule)
    schedule = resolve(node, total=args.total, steps_per_epoch=args.steps_per_epoch)
    events: int | None = args.events
    if events is None:
        if not math.isfinite(schedule.duration):
            raise ScheduleError(f"{quoted(node)} never ends: give the number of events with -n EVENTS")
        events = max(int(schedule.duration), 1)
    boundaries: list[int] = []
    if isinstance(schedule, pure.Concat):
        boundaries = [int(b) for b in schedule.starts[1:] if 0 < b < events]
    return unparse(node), schedule, events, boundaries


def _number(value: float) -> str:
    return f"{value:.6g}"


def _show(args: argparse.Namespace) -> int:
    text, schedule, events, boundaries = _prepare(args)
    marks: dict[int, str] = {0: "start"}
    for phase, boundary in enumerate(boundaries, start=2):
        marks.setdefault(boundary - 1, f"end of phase {phase - 1}")
        marks[boundary] = f"phase {phase} starts"
    marks.setdefault(events - 1, "")
    marks[events - 1] = (marks[events - 1] + ", " if marks[events - 1] else "") + "end"
    keys = np.array(sorted(marks), dtype=np.int64)
    values = pure.finite_values(schedule, keys)
    width = max(len(str(events - 1)), len("event"))
    print(text)
    print(f"  {'event':>{width}}  value")
    for event, value in zip(keys.tolist(), values.tolist(), strict=True):
        print(f"  {event:>{width}}  {_number(value):<12}  {marks[event]}".rstrip())
    print()
    print(_ascii_plot(schedule, events, boundaries, args.width, args.height))
    return 0


def _ascii_plot(schedule: pure.Schedule, events: int, boundaries: list[int], width: int, height: int) -> str:
    """A plot with plain characters: each column spans its events' values with `*`; `|` marks a
    phase boundary. Values are sampled (16 per column, plus the boundaries), so a big run stays fast."""
    columns = min(width, events)
    samples = np.linspace(0, events - 1, min(events, columns * 16)).round().astype(np.int64)
    at = np.unique(np.concatenate([samples, np.asarray(boundaries, dtype=np.int64)]))
    values = pure.finite_values(schedule, at)
    low, high = float(values.min()), float(values.max())
    span = high - low
    rows = [[" "] * columns for _ in range(height)]
    for boundary in boundaries:
        for row in rows:
            row[boundary * columns // events] = "|"

    def level(value: float) -> int:  # row 0 is the top
        return height - 1 - (round((value - low) / span * (height - 1)) if span else (height - 1) // 2)

    bucket = at * columns // events
    for column in range(columns):
        chosen = values[bucket == column]
        if chosen.size:
            for line in range(level(float(chosen.max())), level(float(chosen.min())) + 1):
                rows[line][column] = "*"
    labels = [_number(high), _number(low)]
    pad = max(map(len, labels))
    lines = []
    for index, row in enumerate(rows):
        label = labels[0] if index == 0 else labels[1] if index == height - 1 else ""
        lines.append(f"{label:>{pad}} |{''.join(row)}".rstrip())
    axis = f"{'':>{pad}} +{'-' * columns}"
    end = str(events - 1)
    ticks = f"{'':>{pad}}  0" + (f"{end:>{max(columns - 1, len(end) + 1)}}" if events > 1 else "")
    return "\n".join([*lines, axis, ticks])


def _plot(args: argparse.Namespace) -> int:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print(
            "paramsched: error: plot needs matplotlib: pip install 'paramsched[plot]' (or pip install matplotlib)",
            file=sys.stderr,
        )
        return 1
    _, schedule, events, boundaries = _prepare(args)
    at = np.unique(np.linspace(0, events - 1, min(events, 20_000)).round().astype(np.int64))
    values = pure.finite_values(schedule, at)
    figure, axes = plt.subplots(figsize=(8, 4.5), layout="constrained")
    axes.plot(at, values, linewidth=1.5)
    for boundary in boundaries:
        axes.axvline(boundary, color="gray", linestyle="--", linewidth=1)
    axes.set_xlabel("event (optimizer step)")
    axes.set_ylabel(args.label)
    axes.set_title(textwrap.fill(args.schedule.strip(), 90), fontsize=10)
    axes.grid(alpha=0.3)
    try:
        figure.savefig(args.output, dpi=100)
    except OSError as error:
        print(f"paramsched: error: cannot write {args.output}: {error.strerror}", file=sys.stderr)
        return 1
    finally:
        plt.close(figure)
    print(f"wrote {args.output}")
    return 0
