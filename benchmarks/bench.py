#!/usr/bin/env python
"""SPEC §5 performance benchmarks: paramsched side by side with pytorch-ignite 0.5.5 and torch.optim.lr_scheduler.

Every ratio is measured in one run against its peer, with the repetitions of the contestants interleaved
(rotating order), and the median of the repetitions taken; times come from `time.perf_counter_ns`, with the
garbage collector paused during each timed repetition (as `timeit` does). Per-event costs are whole loops of
at least 20,000 scheduler calls divided by the number of calls: nothing (loop overhead included) is subtracted.

    python benchmarks/bench.py                 # the full run (a few minutes)
    python benchmarks/bench.py --quick         # tiny sizes: a smoke test, < 20 s
    python benchmarks/bench.py --only compile  # one group (or several: --only per_event,import,cli)

Groups: per_event, adapter, composite, simulate, compile, import, cli, memory, clocks. Results go to
benchmarks/results.json and the scaling curves to benchmarks/scaling.png (with --quick: results-quick.json,
scaling-quick.png), or to the folder given by --out.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
import warnings
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

REFERENCE = "linear(0 -> 0.1, 500) then repeat(cosine(0.1 -> 1e-4, 9500))"
GROUPS = ("per_event", "adapter", "composite", "simulate", "compile", "import", "cli", "memory", "clocks")

perf_counter_ns = time.perf_counter_ns
QUICK = False  # set by --quick


# ---------------------------------------------------------------------------------------------
# schedule texts


def chain_text(parts: int, segment: int = 100) -> str:
    """A `then` chain of `parts` segments of `segment` events, alternating linear and cosine."""
    pieces = []
    for index in range(parts):
        if index % 2 == 0:
            pieces.append(f"linear(0.001 -> 0.1, {segment})")
        else:
            pieces.append(f"cosine(0.1 -> 0.001, {segment})")
    return " then ".join(pieces)


_NESTING_STEPS = ("+ 0.1", "* 0.5", "+ linear(0 -> 0.01, 10000)", "- 0.05", "* 1.1")


def nested_text(depth: int = 10, inner: str = REFERENCE) -> str:
    """Arithmetic nested `depth` deep around `inner`: ((((inner + 0.1) * 0.5) + linear(...)) - 0.05) ..."""
    text = inner
    for level in range(depth):
        text = f"({text} {_NESTING_STEPS[level % len(_NESTING_STEPS)]})"
    return text


# ---------------------------------------------------------------------------------------------
# results


@dataclass
class Row:
    group: str
    name: str
    ours: float | None  # paramsched's measurement, in `unit`
    peer: float | None  # the peer's measurement, in `unit` (None where the target is absolute)
    unit: str
    ratio: float | None  # the quantity the target bounds
    ratio_label: str  # what `ratio` is, e.g. "ps/ignite"
    target: str  # e.g. "<= 0.4"
    passed: bool | None  # None: informational
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def check(value: float, target: str) -> bool:
    op, bound = target.split()
    return value <= float(bound) if op == "<=" else value >= float(bound)


def median(values: list[float]) -> float:
    return float(statistics.median(values))


def timed(function: Callable[[], Any], collect: bool = True) -> int:
    """One timed call of `function` in ns, the garbage collector paused (and run before, if `collect`)."""
    if collect:
        gc.collect()
    gc.disable()
    try:
        start = perf_counter_ns()
        function()
        return perf_counter_ns() - start
    finally:
        gc.enable()


def interleaved(
    contestants: dict[str, Callable[[], Callable[[], Any]]], reps: int, collect: bool = True
) -> dict[str, list[int]]:
    """Times of each contestant over `reps` rounds, rotating the order every round.

    A contestant is a factory: called (untimed) before each repetition, it returns the callable to time,
    so that every repetition starts from a fresh state. The garbage collector is paused while timing;
    with `collect` (and not --quick), a full collection runs before each round (~0.1 s with torch loaded)."""
    names = list(contestants)
    times: dict[str, list[int]] = {name: [] for name in names}
    for rep in range(reps):
        if collect and not QUICK:
            gc.collect()
        shift = rep % len(names)
        for name in names[shift:] + names[:shift]:
            run = contestants[name]()
            times[name].append(timed(run, collect=False))
    return times


def paired_ratio(numerators: list[int], denominators: list[int]) -> float:
    """The median of the per-round ratios of two interleaved contestants: each round times both within a
    fraction of a second, so a slow phase of the machine (these VMs have them) hits both sides of a ratio."""
    return median(n / d for n, d in zip(numerators, denominators, strict=True))


def calibrate() -> float:
    """ns per iteration of an empty Python loop (median of 5): how fast this machine runs Python right now
    (~10-20 ns on an idle modern x86 core); absolute targets (us, ms) depend on it, ratios much less."""
    samples = []
    for _ in range(5):
        start = perf_counter_ns()
        for _ in itertools.repeat(None, 200_000):
            pass
        samples.append((perf_counter_ns() - start) / 200_000)
    return median(samples)


# ---------------------------------------------------------------------------------------------
# peers


def torch_optimizer(lr: float = 0.0) -> Any:
    import torch

    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)


def loop_call(call: Callable[[Any], Any], events: int) -> Callable[[], None]:
    """A loop of `events` calls `call(None)`, as an Engine calls its handlers."""

    def run() -> None:
        for _ in itertools.repeat(None, events):
            call(None)

    return run


def loop_step(step: Callable[[], Any], events: int) -> Callable[[], None]:
    def run() -> None:
        for _ in itertools.repeat(None, events):
            step()

    return run


def ignite_reference(optimizer: Any) -> Any:
    from ignite.handlers import ConcatScheduler, CosineAnnealingScheduler, PiecewiseLinear

    warmup = PiecewiseLinear(optimizer, "lr", milestones_values=[(0, 0.0), (500, 0.1)])
    cosine = CosineAnnealingScheduler(optimizer, "lr", 0.1, 1e-4, 9500)
    return ConcatScheduler([warmup, cosine], durations=[500])


def ignite_reference_parts(optimizer: Any) -> tuple[list[Any], list[int]]:
    scheduler = ignite_reference(optimizer)
    return scheduler.schedulers, [500]


def torch_reference(optimizer: Any) -> Any:
    from torch.optim.lr_scheduler import CosineAnnealingLR, LinearLR, SequentialLR

    for group in optimizer.param_groups:
        group["lr"] = 0.1
    warmup = LinearLR(optimizer, start_factor=1e-8, end_factor=1.0, total_iters=500)
    cosine = CosineAnnealingLR(optimizer, T_max=9500, eta_min=1e-4)
    return SequentialLR(optimizer, [warmup, cosine], milestones=[500])


# ---------------------------------------------------------------------------------------------
# 1. per-event cost of the reference


def bench_per_event(cfg: Config) -> list[Row]:
    import numpy as np

    import paramsched as ps

    events, reps = cfg.events, cfg.reps_events

    # the peers compute the same values (torch's differs by its factor-based warmup, so it is not compared)
    check_events = 1_000 if cfg.quick else 12_000  # warmup, the boundary and into the second cycle
    ours_opt, ignite_opt = torch_optimizer(), torch_optimizer()
    ours, ignite = ps.compile(REFERENCE, ours_opt), ignite_reference(ignite_opt)
    a, b = [], []
    for _ in range(check_events):
        ours(None)
        ignite(None)
        a.append(ours_opt.param_groups[0]["lr"])
        b.append(ignite_opt.param_groups[0]["lr"])
    agree = bool(np.allclose(a, b, rtol=1e-9, atol=1e-15))

    def ours_factory() -> Callable[[], None]:
        return loop_call(ps.compile(REFERENCE, torch_optimizer()), events)

    def ignite_factory() -> Callable[[], None]:
        return loop_call(ignite_reference(torch_optimizer()), events)

    def torch_factory() -> Callable[[], None]:
        return loop_step(torch_reference(torch_optimizer()).step, events)

    times = interleaved({"paramsched": ours_factory, "ignite": ignite_factory, "torch": torch_factory}, reps)
    per = {name: median(t) / events for name, t in times.items()}
    cfg.per_event_reference = per["paramsched"]
    note = f"{events:,} events x {reps} reps; values agree with ignite's: {agree}"
    rows = [
        Row(
            "per_event",
            "reference, per event: vs ignite ConcatScheduler",
            per["paramsched"],
            per["ignite"],
            "ns",
            per["paramsched"] / per["ignite"],
            "ps/ignite",
            "<= 0.4",
            None,
            note,
            {"times_ns": times},
        ),
        Row(
            "per_event",
            "reference, per event: vs torch SequentialLR.step",
            per["paramsched"],
            per["torch"],
            "ns",
            per["paramsched"] / per["torch"],
            "ps/torch",
            "<= 0.2",
            None,
            f"{events:,} events x {reps} reps",
        ),
    ]
    return rows


# ---------------------------------------------------------------------------------------------
# 1b. the torch adapter against Hugging Face's scheduler

ADAPTER_SCHEDULE = "warmup(500) then cosine(0.1 -> 0, 9500)"


def hf_cosine_with_warmup(optimizer: Any) -> tuple[Any, str]:
    """transformers' get_cosine_schedule_with_warmup(opt, 500, 10000) (base lr 0.1): the same values as
    ADAPTER_SCHEDULE. Where transformers is absent, a LambdaLR with its formula (said in the row's note)."""
    for group in optimizer.param_groups:
        group["lr"] = 0.1
    try:
        from transformers import get_cosine_schedule_with_warmup
    except ImportError:
        from torch.optim.lr_scheduler import LambdaLR

        def factor(step: int) -> float:
            if step < 500:
                return step / 500
            progress = (step - 500) / 9500
            return max(0.0, 0.5 * (1.0 + math.cos(math.pi * 2 * 0.5 * progress)))

        return LambdaLR(optimizer, factor), "a LambdaLR with HF's formula (transformers not installed)"
    import transformers

    return get_cosine_schedule_with_warmup(optimizer, 500, 10_000), f"transformers {transformers.__version__}"


def bench_adapter(cfg: Config) -> list[Row]:
    import numpy as np

    import paramsched as ps

    events, reps = cfg.events, cfg.reps_events
    check_events = 1_000 if cfg.quick else 10_000
    ours_opt, hf_opt = torch_optimizer(), torch_optimizer()
    ours = ps.TorchScheduler(ours_opt, ADAPTER_SCHEDULE)
    hf, peer_name = hf_cosine_with_warmup(hf_opt)
    a, b = [], []
    for _ in range(check_events):
        a.append(ours_opt.param_groups[0]["lr"])
        b.append(hf_opt.param_groups[0]["lr"])
        ours_opt.step()
        hf_opt.step()
        ours.step()
        hf.step()
    agree = bool(np.allclose(a, b, rtol=1e-9, atol=1e-15))

    def ours_factory() -> Callable[[], None]:
        return loop_step(ps.TorchScheduler(torch_optimizer(), ADAPTER_SCHEDULE).step, events)

    def hf_factory() -> Callable[[], None]:
        return loop_step(hf_cosine_with_warmup(torch_optimizer())[0].step, events)

    times = interleaved({"paramsched": ours_factory, "hf": hf_factory}, reps)
    per = {name: median(t) / events for name, t in times.items()}
    return [
        Row(
            "adapter",
            "TorchScheduler.step vs HF get_cosine_schedule_with_warmup .step",
            per["paramsched"],
            per["hf"],
            "ns",
            per["paramsched"] / per["hf"],
            "ps/hf",
            "<= 0.3",
            None,
            f"{events:,} steps x {reps} reps; peer: {peer_name}; values agree: {agree}",
            {"times_ns": times},
        )
    ]


# ---------------------------------------------------------------------------------------------
# 2. composite schedules, per event, against the reference


def bench_composite(cfg: Config) -> list[Row]:
    import paramsched as ps

    events, reps = cfg.events, cfg.reps_events
    lengths = cfg.chain_lengths_events

    def segment(parts: int) -> int:
        # long enough that every measured event lies inside the chain (none in its held tail)
        return max(100, math.ceil(events / parts))

    texts = {"reference": REFERENCE, "nested10": nested_text(10)}
    for parts in lengths:
        texts[f"chain{parts}"] = chain_text(parts, segment(parts))

    def factory(text: str) -> Callable[[], Callable[[], None]]:
        return lambda: loop_call(ps.compile(text, torch_optimizer()), events)

    times = interleaved({name: factory(text) for name, text in texts.items()}, reps)
    per = {name: median(t) / events for name, t in times.items()}
    reference = per["reference"]
    cfg.scaling["per_event_by_chain_length"] = {
        "parts": list(lengths),
        "ns_per_event": [per[f"chain{p}"] for p in lengths],
        "reference_ns_per_event": reference,
        "segment_events": [segment(p) for p in lengths],
    }
    rows = []
    if 100 in lengths:
        rows.append(
            Row(
                "composite",
                f"100-part then chain, per event (segments of {segment(100)})",
                per["chain100"],
                reference,
                "ns",
                per["chain100"] / reference,
                "chain/ref",
                "<= 1.5",
                None,
                f"{events:,} events x {reps} reps, fresh scheduler each rep",
            )
        )
    rows.append(
        Row(
            "composite",
            "arithmetic nested 10 deep, per event",
            per["nested10"],
            reference,
            "ns",
            per["nested10"] / reference,
            "nested/ref",
            "<= 1.5",
            None,
            f"{events:,} events x {reps} reps",
        )
    )
    for parts in lengths:
        if parts == 100:
            continue
        rows.append(
            Row(
                "composite",
                f"{parts}-part then chain, per event (segments of {segment(parts)})",
                per[f"chain{parts}"],
                reference,
                "ns",
                per[f"chain{parts}"] / reference,
                "chain/ref",
                "",
                None,
                "scaling curve (informational)",
            )
        )
    return rows


# ---------------------------------------------------------------------------------------------
# 3. simulate


def bench_simulate(cfg: Config) -> list[Row]:
    import paramsched as ps

    rows = []
    n, n_ignite, reps = cfg.simulate_events, cfg.simulate_ignite_events, cfg.reps_simulate

    # ps.simulate(reference, n) vs ignite ConcatScheduler.simulate_values: ignite's runs once, on fewer
    # events, and is scaled linearly (its cost is a per-event Python loop); ours runs before and after it
    ps.simulate(REFERENCE, 1000)  # the parser is built
    ours_times = [timed(lambda: ps.simulate(REFERENCE, n)) for _ in range(reps // 2)]
    from ignite.handlers import ConcatScheduler as IgniteConcat

    schedulers, durations = ignite_reference_parts(torch_optimizer())
    ignite_once = timed(lambda: IgniteConcat.simulate_values(n_ignite, schedulers, durations))
    ours_times += [timed(lambda: ps.simulate(REFERENCE, n)) for _ in range(reps - reps // 2)]
    ignite_scaled = ignite_once * n / n_ignite
    ours = median(ours_times)
    rows.append(
        Row(
            "simulate",
            f"ps.simulate(reference, {n:,}) vs ignite ConcatScheduler.simulate_values",
            ours / 1e6,
            ignite_scaled / 1e6,
            "ms",
            ignite_scaled / ours,
            "ignite/ps",
            ">= 100",
            None,
            f"ignite timed once on {n_ignite:,} events ({ignite_once / 1e6:.0f} ms), scaled x{n / n_ignite:g}; "
            f"ours: median of {reps}",
        )
    )

    # seed format of one part (informational; SPEC §5's seed-format target is the reference's, below)
    from ignite.handlers import CosineAnnealingScheduler as IgniteCosine

    kwargs = {"param_name": "lr", "start_value": 0.1, "end_value": 1e-4, "cycle_size": 9500}
    m = cfg.seed_events
    times = interleaved(
        {
            "paramsched": lambda: lambda: ps.CosineAnnealingScheduler.simulate_values(m, **kwargs),
            "ignite": lambda: lambda: IgniteCosine.simulate_values(m, **dict(kwargs)),
        },
        cfg.reps_seed,
    )
    ours, theirs = median(times["paramsched"]), median(times["ignite"])
    rows.append(
        Row(
            "simulate",
            f"CosineAnnealingScheduler.simulate_values({m:,}) vs ignite's",
            ours / 1e6,
            theirs / 1e6,
            "ms",
            paired_ratio(times["ignite"], times["paramsched"]),
            "ignite/ps",
            "",
            None,
            f"one part of the reference; interleaved, {cfg.reps_seed} rounds; ratio: the median of each "
            "round's ignite/ps",
        )
    )

    # SPEC §5: the seed-format simulate_values of the reference, over as many events as `simulate` above
    m, rounds = cfg.simulate_events, cfg.reps_seed_reference

    def ours_concat() -> Callable[[], Any]:
        opt = torch_optimizer()
        parts = [
            ps.PiecewiseLinear(opt, "lr", milestones_values=[(0, 0.0), (500, 0.1)]),
            ps.CosineAnnealingScheduler(opt, "lr", 0.1, 1e-4, 9500),
        ]
        return lambda: ps.ConcatScheduler.simulate_values(m, parts, [500])

    def ignite_concat() -> Callable[[], Any]:
        parts, durations_ = ignite_reference_parts(torch_optimizer())
        return lambda: IgniteConcat.simulate_values(m, parts, durations_)

    times = interleaved({"paramsched": ours_concat, "ignite": ignite_concat}, rounds)
    ours, theirs = median(times["paramsched"]), median(times["ignite"])
    rows.append(
        Row(
            "simulate",
            f"ConcatScheduler.simulate_values({m:,}) vs ignite's",
            ours / 1e6,
            theirs / 1e6,
            "ms",
            paired_ratio(times["ignite"], times["paramsched"]),
            "ignite/ps",
            ">= 10",
            None,
            f"seed format of the reference; interleaved, {rounds} rounds; ratio: the median of each round's ignite/ps",
        )
    )
    return rows


# ---------------------------------------------------------------------------------------------
# 4. parse + compile


def reference_variant(index: int) -> str:
    """The reference text with the cosine's duration changed by a few events: same length and structure,
    another text (so that a cache of parsed texts could not serve repeated timings)."""
    return REFERENCE.replace("9500", str(9500 + index % 10))


def bench_compile(cfg: Config) -> list[Row]:
    import paramsched as ps

    optimizer = torch_optimizer()
    ps.compile(REFERENCE, optimizer)  # the parser is built once per process
    reps = cfg.reps_compile
    counter = itertools.count()

    def compile_next() -> Callable[[], Any]:
        text = reference_variant(next(counter))
        return lambda: ps.compile(text, optimizer)

    def parse_next() -> Callable[[], Any]:
        text = reference_variant(next(counter))
        return lambda: ps.parse(text)

    # These VMs pass through slow phases (the same loop runs 2x slower for a while, whatever it runs), so
    # the repetitions come in blocks and the row reports the median of the quietest block; every block's
    # median is in the note.
    blocks = 5 if reps >= 50 else 1
    block_medians: list[tuple[float, float]] = []
    for _ in range(blocks):
        times = interleaved({"compile": compile_next, "parse": parse_next}, reps // blocks, collect=False)
        block_medians.append((median(times["compile"]) / 1e3, median(times["parse"]) / 1e3))
    compile_us, parse_us = min(block_medians)
    shown = ", ".join(f"{c:.0f}" for c, _ in block_medians)
    rows = [
        Row(
            "compile",
            "parse+compile of the reference text",
            compile_us,
            None,
            "us",
            compile_us,
            "median us",
            "<= 1000",
            None,
            f"{blocks} blocks of {reps // blocks} (texts varied by one digit), the quietest block's median; "
            f"block medians {shown} us; parse alone {parse_us:.0f} us, "
            f"compile of the parsed node {max(compile_us - parse_us, 0):.0f} us",
        )
    ]

    sizes = cfg.chain_sizes_compile
    texts = {parts: [chain_text(parts, 100 + k) for k in range(3)] for parts in sizes}

    def chain_factory(parts: int, parse_only: bool) -> Callable[[], Callable[[], Any]]:
        variants = itertools.cycle(texts[parts])

        def factory() -> Callable[[], Any]:
            text = next(variants)
            return (lambda: ps.parse(text)) if parse_only else (lambda: ps.compile(text, optimizer))

        return factory

    contestants = {}
    for parts in sizes:
        contestants[f"compile{parts}"] = chain_factory(parts, False)
        contestants[f"parse{parts}"] = chain_factory(parts, True)
    chain_times = interleaved(contestants, cfg.reps_chain_compile, collect=False)
    ms = {parts: median(chain_times[f"compile{parts}"]) / 1e6 for parts in sizes}
    parse_ms = {parts: median(chain_times[f"parse{parts}"]) / 1e6 for parts in sizes}
    slope, intercept = _fit(list(sizes), [ms[p] for p in sizes])
    cfg.scaling["compile_by_parts"] = {
        "parts": list(sizes),
        "compile_ms": [ms[p] for p in sizes],
        "parse_ms": [parse_ms[p] for p in sizes],
        "text_chars": [len(texts[p][0]) for p in sizes],
        "slope_us_per_part": slope * 1e3,
        "intercept_ms": intercept,
    }
    for parts in sizes:
        rows.append(
            Row(
                "compile",
                f"parse+compile of a {parts:,}-part chain",
                ms[parts],
                None,
                "ms",
                ms[parts],
                "median ms",
                "<= 500" if parts == 1000 else "",
                None,
                f"parse alone {parse_ms[parts]:.2f} ms; {ms[parts] / parts * 1e3:.0f} us/part; "
                f"median of {cfg.reps_chain_compile}",
            )
        )
    if 100 in ms and 1000 in ms:
        rows.append(
            Row(
                "compile",
                "growth: time(1,000 parts) / time(100 parts)",
                ms[1000],
                ms[100],
                "ms",
                ms[1000] / ms[100],
                "t1000/t100",
                "<= 15",
                None,
                f"linear is ~10, quadratic ~100; fitted slope {slope * 1e3:.0f} us/part "
                f"(intercept {intercept:.2f} ms); parse alone grows {parse_ms[1000] / parse_ms[100]:.1f}x",
            )
        )
    return rows


def _fit(xs: list[float], ys: list[float]) -> tuple[float, float]:
    """Least-squares line y = slope·x + intercept."""
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        return 0.0, my
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=False)) / sxx
    return slope, my - slope * mx


# ---------------------------------------------------------------------------------------------
# 5. import time


_IMPORT_PROBE = "import time; t = time.perf_counter_ns(); {statement}; print(time.perf_counter_ns() - t)"


def _subprocess_env(pycache: str | None = None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    if pycache is not None:
        # bytecode is cached (as on any installed package) but in a private folder, not the source tree;
        # PYTHONDONTWRITEBYTECODE (set on these machines) would otherwise recompile paramsched every time
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = pycache
    return env


def _run_probe(statement: str, pycache: str | None) -> tuple[int, int]:
    """(ns the import statement took inside a fresh interpreter, ns of the whole process)."""
    start = perf_counter_ns()
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_PROBE.format(statement=statement)],
        capture_output=True,
        text=True,
        cwd=str(ROOT),
        env=_subprocess_env(pycache),
        check=True,
    )
    wall = perf_counter_ns() - start
    return int(result.stdout.strip().splitlines()[-1]), wall


def bench_import(cfg: Config) -> list[Row]:
    statements = {"paramsched": "import paramsched", "deps": "import lark, pydantic, numpy", "bare": "pass"}
    inside: dict[str, list[int]] = {name: [] for name in statements}
    wall: dict[str, list[int]] = {name: [] for name in statements}
    names = list(statements)
    # the full run caches bytecode in a private folder after a warm-up run of each statement; --quick
    # runs once each, in the environment as it is (no warm-up: a fresh cache would recompile numpy)
    warm = not cfg.quick
    pycache = tempfile.mkdtemp(prefix="paramsched-bench-pycache-") if warm else None
    try:
        for name in names if warm else ():  # warm-up: bytecode written, files in the page cache
            _run_probe(statements[name], pycache)
        for rep in range(cfg.reps_import):
            shift = rep % len(names)
            for name in names[shift:] + names[:shift]:
                a, b = _run_probe(statements[name], pycache)
                inside[name].append(a)
                wall[name].append(b)
    finally:
        if pycache is not None:
            shutil.rmtree(pycache, ignore_errors=True)
    ours, deps = median(inside["paramsched"]) / 1e6, median(inside["deps"]) / 1e6
    wall_ours, wall_deps, wall_bare = (median(wall[n]) / 1e6 for n in ("paramsched", "deps", "bare"))
    return [
        Row(
            "import",
            "import paramsched vs import lark, pydantic, numpy",
            ours,
            deps,
            "ms",
            ours / deps,
            "ps/deps",
            "<= 1.3",
            None,
            f"fresh interpreters ({'bytecode cached, ' if warm else ''}median of {cfg.reps_import} each), "
            f"timed around the import statement; whole "
            f"process {wall_ours:.0f} vs {wall_deps:.0f} ms (bare python {wall_bare:.0f} ms)",
        )
    ]


# ---------------------------------------------------------------------------------------------
# 6. a cold `paramsched check`


_CLI_COMMANDS = {
    "check": ("-m", "paramsched", "check", REFERENCE),
    "deps": ("-c", "import lark, pydantic, numpy"),
    "bare": ("-c", "pass"),
}


def _run_process(args: tuple[str, ...], pycache: str | None) -> tuple[int, str]:
    """(ns of a whole fresh `python ARGS` process, its stdout); a failing process raises."""
    start = perf_counter_ns()
    result = subprocess.run(
        [sys.executable, *args],
        capture_output=True,
        text=True,
        cwd=str(ROOT),  # `-m paramsched` finds the package of this checkout first
        env=_subprocess_env(pycache),
        check=True,
    )
    return perf_counter_ns() - start, result.stdout


def bench_cli(cfg: Config) -> list[Row]:
    """A cold `python -m paramsched check REFERENCE` (parser built, text parsed and checked, in a fresh
    process) against a process that only imports lark, pydantic and numpy: whole-process times, the
    contestants interleaved round by round (rotating order), medians compared."""
    names = list(_CLI_COMMANDS)
    times: dict[str, list[int]] = {name: [] for name in names}
    # as for the import row: the full run caches bytecode in a private folder after a warm-up run of each
    # command; --quick runs each once, in the environment as it is
    warm = not cfg.quick
    pycache = tempfile.mkdtemp(prefix="paramsched-bench-pycache-") if warm else None
    try:
        _, printed = _run_process(_CLI_COMMANDS["check"], pycache)  # it checks, and says so
        if not printed.startswith("ok"):
            raise RuntimeError(f"paramsched check of the reference printed {printed!r}")
        for name in names if warm else ():
            _run_process(_CLI_COMMANDS[name], pycache)
        for rep in range(cfg.reps_cli):
            shift = rep % len(names)
            for name in names[shift:] + names[:shift]:
                times[name].append(_run_process(_CLI_COMMANDS[name], pycache)[0])
    finally:
        if pycache is not None:
            shutil.rmtree(pycache, ignore_errors=True)
    ours, deps, bare = (median(times[name]) / 1e6 for name in ("check", "deps", "bare"))
    above = f"{(ours - bare) / (deps - bare):.2f}x" if deps > bare else "-"
    return [
        Row(
            "cli",
            "cold paramsched check vs a process importing lark, pydantic, numpy",
            ours,
            deps,
            "ms",
            ours / deps,
            "check/deps",
            "<= 2",
            None,
            f'`python -m paramsched check <reference>` vs `python -c "import lark, pydantic, numpy"`, whole '
            f"processes, {cfg.reps_cli} interleaved rounds{', bytecode cached' if warm else ''}; median of the "
            f"rounds' ratios {paired_ratio(times['check'], times['deps']):.2f}; bare python {bare:.0f} ms; "
            f"above bare python {ours - bare:.0f} vs {deps - bare:.0f} ms ({above})",
        )
    ]


# ---------------------------------------------------------------------------------------------
# 7. memory


_MEMORY_PROBE = textwrap.dedent(
    """
    import json, resource, sys, tracemalloc
    import paramsched as ps

    def high_water():
        # VmHWM (peak resident set of this exec'd image); ru_maxrss is inherited from the forking
        # parent on Linux, so it hides the growth when the parent (torch loaded) was bigger
        try:
            with open("/proc/self/status") as status:
                for line in status:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    text, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    ps.simulate(text, 1000)  # parser built, numpy warmed up
    before = high_water()
    if mode == "tracemalloc":
        tracemalloc.start()
    values = ps.simulate(text, n)
    peak = tracemalloc.get_traced_memory()[1] if mode == "tracemalloc" else None
    after = high_water()
    print(json.dumps({"peak": peak, "rss_delta": after - before, "nbytes": values.nbytes}))
    """
)


def bench_memory(cfg: Config) -> list[Row]:
    n = cfg.memory_events
    results = {}
    for mode in ("tracemalloc",) if cfg.quick else ("tracemalloc", "rss"):
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_PROBE, REFERENCE, str(n), mode],
            capture_output=True,
            text=True,
            cwd=str(ROOT),
            env=_subprocess_env(),
            check=True,
        )
        results[mode] = json.loads(out.stdout.strip().splitlines()[-1])
    nbytes = results["tracemalloc"]["nbytes"]
    peak = results["tracemalloc"]["peak"]
    rss = results["rss"]["rss_delta"] if "rss" in results else None
    rss_note = "" if rss is None else f"; peak RSS (VmHWM) grew {rss / 1e6:.0f} MB ({rss / nbytes:.2f}x) in another"
    return [
        Row(
            "memory",
            f"peak memory of ps.simulate(reference, {n:,})",
            peak / 1e6,
            nbytes / 1e6,
            "MB",
            peak / nbytes,
            "peak/array",
            "<= 2",
            None,
            f"tracemalloc peak in a fresh process{rss_note}",
        )
    ]


# ---------------------------------------------------------------------------------------------
# configuration, output


@dataclass
class Config:
    quick: bool
    events: int = 20_000
    reps_events: int = 21
    chain_lengths_events: tuple[int, ...] = (2, 10, 100, 1000)
    simulate_events: int = 1_000_000
    simulate_ignite_events: int = 100_000
    reps_simulate: int = 7
    seed_events: int = 100_000
    reps_seed: int = 9
    reps_seed_reference: int = 3
    reps_compile: int = 301
    chain_sizes_compile: tuple[int, ...] = (10, 30, 100, 300, 1000)
    reps_chain_compile: int = 11
    reps_import: int = 15
    reps_cli: int = 15
    memory_events: int = 10_000_000
    per_event_reference: float | None = None
    scaling: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def make(cls, quick: bool) -> Config:
        if not quick:
            return cls(quick=False)
        return cls(
            quick=True,
            events=2_000,
            reps_events=3,
            chain_lengths_events=(10, 100),
            simulate_events=20_000,
            simulate_ignite_events=2_000,
            reps_simulate=3,
            seed_events=2_000,
            reps_seed=3,
            reps_seed_reference=1,
            reps_compile=21,
            chain_sizes_compile=(10, 100),
            reps_chain_compile=3,
            reps_import=1,
            reps_cli=1,
            memory_events=200_000,
        )


def _fmt(value: float | None) -> str:
    if value is None:
        return "-"
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.0f}"
    if magnitude >= 10:
        return f"{value:.1f}"
    if magnitude >= 1:
        return f"{value:.2f}"
    return f"{value:.3f}"


def print_table(rows: list[Row]) -> None:
    headers = ("benchmark", "paramsched", "peer", "unit", "ratio", "(of)", "target", "result")
    lines = [
        (
            row.name,
            _fmt(row.ours),
            _fmt(row.peer),
            row.unit,
            _fmt(row.ratio),
            row.ratio_label,
            row.target or "-",
            "info" if row.passed is None else ("PASS" if row.passed else "FAIL"),
        )
        for row in rows
    ]
    widths = [max(len(str(x)) for x in column) for column in zip(headers, *lines, strict=False)]
    align = ["<", ">", ">", "<", ">", "<", "<", "<"]

    def render(cells: tuple[str, ...]) -> str:
        return "  ".join(f"{cell:{a}{w}}" for cell, a, w in zip(cells, align, widths, strict=False)).rstrip()

    print(render(headers))
    print("  ".join("-" * w for w in widths))
    group = None
    for row, line in zip(rows, lines, strict=False):
        if group is not None and row.group != group:
            print()
        group = row.group
        print(render(line))
    if any(row.note for row in rows):
        print("\nnotes:")
        for row in rows:
            if row.note:
                print(f"  {row.name}: {row.note}")


def save_plot(scaling: dict[str, Any], path: Path) -> bool:
    if not scaling:
        return False
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    compile_data = scaling.get("compile_by_parts")
    ax = axes[0]
    if compile_data:
        parts = compile_data["parts"]
        ax.loglog(parts, compile_data["compile_ms"], "o-", label="parse + compile")
        ax.loglog(parts, compile_data["parse_ms"], "s--", label="parse only")
        first = compile_data["compile_ms"][0]
        ax.loglog(parts, [first * p / parts[0] for p in parts], ":", color="grey", label="linear")
        ax.axhline(500, color="red", lw=0.8, label="target at 1,000 parts")
        ax.legend()
    ax.set_xlabel("parts in a `then` chain")
    ax.set_ylabel("ms (median)")
    ax.set_title("parse + compile time")
    ax.grid(which="both", alpha=0.3)

    event_data = scaling.get("per_event_by_chain_length")
    ax = axes[1]
    if event_data:
        ax.semilogx(event_data["parts"], event_data["ns_per_event"], "o-", label="chain, per event")
        reference = event_data["reference_ns_per_event"]
        ax.axhline(reference, color="grey", ls=":", label="reference")
        ax.axhline(1.5 * reference, color="red", lw=0.8, label="1.5 x reference")
        ax.set_ylim(bottom=0)
        ax.legend()
    ax.set_xlabel("parts in a `then` chain")
    ax.set_ylabel("ns per event (median)")
    ax.set_title("per-event cost of a stepped scheduler")
    ax.grid(which="both", alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return True


# ---------------------------------------------------------------------------------------------
# 8. a token clock against the step clock


ADAPTER_REFERENCE = "warmup(500) then cosine(0.1 -> 0, 9500)"
ADAPTER_REFERENCE_IN_TOKENS = "warmup(500k) then cosine(0.1 -> 0, 9.5M)"  # the same at 1,000 tokens a step


def bench_clocks(cfg: Config) -> list[Row]:
    """SPEC §5: `TorchScheduler.step(tokens=n)` on a token clock costs at most 1.2x the step clock's `step()`.
    Both run the adapter reference, the token one at n = 1,000 tokens a step, so both write the same values
    (checked); the compiled (ignite-style) scheduler's `step(tokens=n)` is shown beside it (informational)."""
    import paramsched as ps

    events, reps = cfg.events, cfg.reps_events
    tokens_per_step = 1_000

    def by_steps() -> Any:
        return ps.TorchScheduler(torch_optimizer(), ADAPTER_REFERENCE)

    def by_tokens() -> Any:
        return ps.TorchScheduler(torch_optimizer(), ADAPTER_REFERENCE_IN_TOKENS, clock="tokens")

    check_steps, check_tokens = by_steps(), by_tokens()
    agree = True
    for _ in range(min(events, 12_000)):
        check_steps.step()
        check_tokens.step(tokens=tokens_per_step)
        agree = agree and check_steps.get_last_lr() == check_tokens.get_last_lr()

    def loop_tokens(step: Callable[..., Any]) -> Callable[[], None]:
        def run() -> None:
            for _ in itertools.repeat(None, events):
                step(tokens=tokens_per_step)

        return run

    contestants = {
        "steps": lambda: loop_step(by_steps().step, events),
        "tokens": lambda: loop_tokens(by_tokens().step),
        "compiled steps": lambda: loop_step(ps.compile(ADAPTER_REFERENCE, torch_optimizer()).step, events),
        "compiled tokens": lambda: loop_tokens(
            ps.compile(ADAPTER_REFERENCE_IN_TOKENS, torch_optimizer(), clock="tokens").step
        ),
    }
    times = interleaved(contestants, reps)
    per = {name: median(t) / events for name, t in times.items()}
    note = f"{events:,} events x {reps} reps, {tokens_per_step:,} tokens a step; the same values: {agree}"
    return [
        Row(
            "clocks",
            "TorchScheduler.step(tokens=n) vs step() on the step clock",
            per["tokens"],
            per["steps"],
            "ns",
            paired_ratio(times["tokens"], times["steps"]),
            "tokens/steps",
            "<= 1.2",
            None,
            note,
            {"times_ns": times},
        ),
        Row(
            "clocks",
            "compiled step(tokens=n) vs step() on the step clock",
            per["compiled tokens"],
            per["compiled steps"],
            "ns",
            paired_ratio(times["compiled tokens"], times["compiled steps"]),
            "tokens/steps",
            "",
            None,
            "informational: the ignite-style scheduler (ps.compile) on a token clock",
        ),
    ]


RUNNERS: dict[str, Callable[[Config], list[Row]]] = {
    "per_event": bench_per_event,
    "adapter": bench_adapter,
    "composite": bench_composite,
    "simulate": bench_simulate,
    "compile": bench_compile,
    "import": bench_import,
    "cli": bench_cli,
    "memory": bench_memory,
    "clocks": bench_clocks,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test (< 20 s)")
    parser.add_argument("--only", default=None, help=f"comma-separated groups to run, of: {', '.join(GROUPS)}")
    parser.add_argument("--out", type=Path, default=None, help="folder for results JSON and plot")
    args = parser.parse_args(argv)

    selected = list(GROUPS)
    if args.only:
        selected = [name.strip() for name in args.only.split(",") if name.strip()]
        unknown = [name for name in selected if name not in RUNNERS]
        if unknown:
            parser.error(f"unknown group(s) {', '.join(unknown)}; choose from {', '.join(GROUPS)}")

    warnings.filterwarnings("ignore", module=r"torch\.optim\.lr_scheduler")
    warnings.filterwarnings("ignore", category=UserWarning)
    global QUICK
    QUICK = args.quick
    cfg = Config.make(args.quick)
    started = time.perf_counter()
    speed_before = calibrate()
    rows: list[Row] = []
    for name in selected:
        t0 = time.perf_counter()
        group_rows = RUNNERS[name](cfg)
        for row in group_rows:
            if row.target and row.ratio is not None:
                row.passed = check(row.ratio, row.target)
        rows.extend(group_rows)
        print(f"[{name}: {time.perf_counter() - t0:.1f} s]", file=sys.stderr, flush=True)

    speed_after = calibrate()

    import ignite
    import numpy
    import torch

    import paramsched

    print(
        f"\nparamsched {paramsched.__version__} | ignite {ignite.__version__} | torch {torch.__version__} | "
        f"numpy {numpy.__version__} | Python {platform.python_version()} | {os.cpu_count()} CPUs"
        + (" | --quick (sizes too small for the targets to mean anything)" if cfg.quick else "")
    )
    print(
        f"machine speed: an empty Python loop iteration took {speed_before:.0f} ns before the run and "
        f"{speed_after:.0f} ns after (~10-20 ns on an idle modern core; absolute targets scale with it)\n"
    )
    print_table(rows)
    failed = [row.name for row in rows if row.passed is False]
    checked = [row for row in rows if row.passed is not None]
    print(f"\n{len(checked) - len(failed)}/{len(checked)} targets PASS")
    for name in failed:
        print(f"  FAIL: {name}")

    out = args.out if args.out is not None else HERE
    out.mkdir(parents=True, exist_ok=True)
    suffix = "-quick" if args.quick and args.out is None else ""
    payload = {
        "meta": {
            "quick": cfg.quick,
            "groups": selected,
            "seconds": time.perf_counter() - started,
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "versions": {
                "paramsched": paramsched.__version__,
                "ignite": ignite.__version__,
                "torch": torch.__version__,
                "numpy": numpy.__version__,
            },
            "reference": REFERENCE,
            "empty_loop_ns": [speed_before, speed_after],
            "load_average": list(os.getloadavg()) if hasattr(os, "getloadavg") else None,
        },
        "results": [asdict(row) for row in rows],
        "scaling": cfg.scaling,
    }
    results_path = out / f"results{suffix}.json"
    results_path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
    plot_path = out / f"scaling{suffix}.png"
    if save_plot(cfg.scaling, plot_path):
        print(f"wrote {results_path} and {plot_path}")
    else:
        print(f"wrote {results_path} (no scaling data in these groups: no plot)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
