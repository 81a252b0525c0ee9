"""Fuzzing the language (SPEC §2 errors, §6 reliability): whatever the input, `parse`, `compile`, `simulate`
and `load` return or raise `ScheduleError` with a message, each call within a second; nothing else escapes.

Inputs come from tests/fuzz_strategies.py: text written from the grammar, mutations of valid schedules,
inputs at the size limits (100 KB, 10,000 deep) and fuzzed mappings. Every case is counted; the counts are
printed at the end of the module (`pytest -s` or the terminal summary line `fuzz cases: ...`).

The one-second bound is the SPEC's limit, asserted per call with time.perf_counter; it is not a benchmark.

Any warning (numpy's overflow RuntimeWarnings included) fails a case too: paramsched reports non-finite
values as NonFiniteValueError naming the event, without warning first. The reproducers of the bugs these
properties found stand at the bottom as ordinary tests.
"""

from __future__ import annotations

import json
import math
import re
import time
import warnings
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from fuzz_strategies import fuzzed_mappings, grammar_texts, huge_texts, mutated_texts
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import paramsched as ps

TOTAL, STEPS_PER_EPOCH, EVENTS = 1000, 10, 50
SECOND = 1.0  # SPEC §6: "within a second"

COUNTS: Counter[str] = Counter()

_BASE = settings.default.max_examples if settings.default is not None else 100
# fuzzing wants many cheap cases: ten times the profile's count (400 in CI) for the cheap strategies
MANY = settings(max_examples=10 * _BASE, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                HealthCheck.data_too_large, HealthCheck.large_base_example])  # fmt: skip
FEW = settings(max_examples=max(10, _BASE // 3), deadline=None, suppress_health_check=list(HealthCheck))


class Holder:
    """Any object with param_groups works as an optimizer."""

    def __init__(self) -> None:
        self.param_groups = [{"lr": 0.0}]


# --- the checks --------------------------------------------------------------------------------------


class _Outcome:
    def __init__(self, result: Any = None, error: ps.ScheduleError | None = None):
        self.result, self.error = result, error

    @property
    def ok(self) -> bool:
        return self.error is None


def _timed(label: str, subject: object, call: Callable[[], Any]) -> _Outcome:
    """Run `call`: it returns or raises ScheduleError with a message, within a second; anything else fails."""
    start = time.perf_counter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome = _Outcome(result=call())
        except ps.ScheduleError as error:
            outcome = _Outcome(error=error)
        except Exception as error:  # what the test is about: anything but ScheduleError
            shown = repr(subject) if len(repr(subject)) < 300 else repr(subject)[:300] + "…"
            raise AssertionError(f"{label} let {type(error).__name__} escape: {error}\n  input: {shown}") from error
    elapsed = time.perf_counter() - start
    if elapsed >= SECOND:  # a busy machine can stall any call: a slow input is slow again, a stall is not
        elapsed = min(elapsed, *(_rerun(call) for _ in range(2)))
    assert elapsed < SECOND, f"{label} took {elapsed:.3f} s (limit 1 s) on {str(subject)[:200]!r}"
    for warning in caught:
        if issubclass(warning.category, ps.LongerThanTotalWarning):
            continue  # documented: random `%` durations often add up to more than 100%
        raise AssertionError(f"{label} warned {warning.category.__name__}: {warning.message} on {str(subject)[:200]!r}")
    if outcome.error is not None:
        assert outcome.error.message.strip(), f"{label} raised {type(outcome.error).__name__} with no message"
        assert str(outcome.error).strip()
        COUNTS[f"{label} raised {type(outcome.error).__name__}"] += 1
    else:
        COUNTS[f"{label} ok"] += 1
    return outcome


def _rerun(call: Callable[[], Any]) -> float:
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            call()
        except Exception:  # the outcome was checked on the first run; only the time matters here
            pass
    return time.perf_counter() - start


_EVENT = re.compile(r"\bevent (\d+)\b")


def _check_values(subject: object, scheduler: Any, holder: Holder) -> None:
    """simulate gives 50 finite float64 values, or NonFiniteValueError naming the event; stepping agrees."""
    simulated = _timed(
        "simulate", subject, lambda: ps.simulate(subject, EVENTS, total=TOTAL, steps_per_epoch=STEPS_PER_EPOCH)
    )
    bad_event: int | None = None
    if simulated.error is not None:
        assert isinstance(simulated.error, ps.NonFiniteValueError), simulated.error
        match = _EVENT.search(simulated.error.message)
        assert match, f"no event named in: {simulated.error.message}"
        bad_event = int(match.group(1))
        assert 0 <= bad_event < EVENTS
    else:
        values = simulated.result
        assert isinstance(values, np.ndarray) and values.dtype == np.float64 and values.shape == (EVENTS,)
        assert np.isfinite(values).all()
    # stepping writes exactly the simulated values, and never a non-finite one
    stepped: list[float] = []
    for event in range(EVENTS):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                scheduler(None)
        except ps.NonFiniteValueError as error:
            assert event == bad_event, f"stepping failed at {event}, simulate at {bad_event}: {error}"
            assert f"event {event}" in error.message
            last = holder.param_groups[0]["lr"]
            assert (stepped[-1] if stepped else 0.0) == last and math.isfinite(last)
            COUNTS["stepping stopped at the non-finite event"] += 1
            return
        stepped.append(holder.param_groups[0]["lr"])
    assert bad_event is None, f"simulate failed at {bad_event} but stepping did not"
    assert stepped == simulated.result.tolist()


def check_text(text: str, source: str) -> None:
    COUNTS[f"cases: {source}"] += 1
    parsed = _timed("parse", text, lambda: ps.parse(text))
    holder = Holder()
    compiled = _timed("compile", text, lambda: ps.compile(text, holder, total=TOTAL, steps_per_epoch=STEPS_PER_EPOCH))
    if parsed.error is not None:  # compile reports the same error as parse
        assert compiled.error is not None
        assert type(compiled.error) is type(parsed.error)
        assert compiled.error.message == parsed.error.message
        assert (compiled.error.line, compiled.error.column) == (parsed.error.line, parsed.error.column)
        if not isinstance(parsed.error, ps.LimitError):  # length and token limits concern the whole text
            assert parsed.error.line is not None and parsed.error.column is not None, parsed.error
    if parsed.ok:
        assert ps.parse(ps.unparse(parsed.result)) == parsed.result
    if compiled.ok:
        _check_values(text, compiled.result, holder)


# --- the properties ----------------------------------------------------------------------------------


@pytest.fixture(scope="module", autouse=True)
def _report_counts(request: pytest.FixtureRequest) -> Iterator[None]:
    ps.parse("1")  # build the parser once, outside the timed calls
    yield
    lines = [f"  {count:6d}  {name}" for name, count in sorted(COUNTS.items())]
    total = sum(count for name, count in COUNTS.items() if name.startswith("cases: "))
    report = f"fuzz cases: {total}\n" + "\n".join(lines)
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line("")
            reporter.write_line(report)
    else:  # pragma: no cover
        print(report)


@MANY
@given(text=grammar_texts())
@example(text="linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)")
@example(text="cosin(0.1 -> 0, 10k)")
def test_grammar_texts(text: str) -> None:
    check_text(text, "grammar")


@MANY
@given(text=mutated_texts())
@example(text="linear(0 \u2212> 1, 10)")
@example(text="linear(\uff10 -> 1, 10)")
@example(text="linear\uff080 -> 1, 10\uff09")
@example(text="linear(0 \u2010> 1, 10)")
@example(text="linear(0\u00a0-> 1, 10)")
@example(text="linear(0 \u27f6 1, 10)")
def test_mutated_texts(text: str) -> None:
    check_text(text, "mutated")


@FEW
@given(text=huge_texts())
def test_huge_texts(text: str) -> None:
    check_text(text, "huge")


@MANY
@given(text=st.text(max_size=60))
def test_any_short_string(text: str) -> None:
    check_text(text, "any string")


ADVERSARIAL = [
    "",
    " \n\t ",
    "then",
    "1e400",
    "-1e400",
    "1e-400",
    "9" * 400,
    "9" * 5_000,
    "0." + "0" * 5_000 + "1",
    "1_000_000k",
    "linear(0 -> 1, 1e30k)",
    "linear(0 -> 1, 1e16)",
    "linear(0 -> 1, 1e20%)",
    "linear(0 -> 1, 1e308ep)",
    "repeat(linear(0 -> 1, 10), times=" + "1" + "0" * 20 + ")",
    "repeat(linear(0 -> 1, 10), times=1e300)",
    "step(1, every=1, gamma=1e308)",
    "step(1e308, every=1, gamma=10)",
    "multistep(1, at=[1, 2, 3], gamma=1e308)",
    "tanh(1 -> 0, 10, lower=-1e308, upper=1e308)",
    "linear(-1e308 -> 1e308, 10)",
    "exp(5e-324 -> 1e308, 10)",
    "1 / 0",
    "1 / linear(1 -> 0, 10)",
    "1e308 + 1e308",
    "repeat(cosine(0 -> 1, 10), start_mult=1e308, end_mult=1e308)",
    "piecewise((0, -1e308), (10, 1e308))",
    "warmup(10, from=-1e308) then 1e308",
    "(" * 10_000 + "1" + ")" * 10_000,
    "-" * 10_000 + "1",
    "- " * 10_000 + "1",
    "-(" * 10_000 + "1" + ")" * 10_000,
    "min(" * 5_000 + "1" + ", 1)" * 5_000,
    "+".join(["1"] * 9_999),
    "min(" + ",".join(["1"] * 9_998) + ")",
    "multistep(1, at=[" + ",".join(str(i) for i in range(9_990, 1, -1)) + "], gamma=0.5)",
    " then ".join(["linear(0 -> 0.1, 500)"] * 1_999) + " then 1",
    "a" * 99_990 + "(1)",
    "1" * 100_000,
    "(" * 100_001,
    "linear(0 -> 1, 10)\x00",
    "linear(0 -> 1, 10" + "\ud800" + ")",
    "eval(1)",
    "__import__(1)",
]


@pytest.mark.parametrize(
    "text", ADVERSARIAL, ids=lambda text: repr(text[:30]) + (f"…[{len(text)}]" if len(text) > 30 else "")
)
def test_adversarial_texts(text: str) -> None:
    check_text(text, "adversarial")


def _json_text(data: Any) -> str | None:
    try:
        return json.dumps(data)
    except (TypeError, ValueError, RecursionError):
        return None


@MANY
@given(data=fuzzed_mappings())
@example(data={"kind": "constant", "value": math.nan})
@example(data={"kind": "repeat", "body": {"kind": "const", "value": 1, "duration": {"amount": 3}}, "times": 10**400})
@example(data={"kind": "then", "parts": []})
def test_fuzzed_mappings(data: Any) -> None:
    COUNTS["cases: mapping"] += 1
    loaded = _timed("load", data, lambda: ps.load(data))
    text = _json_text(data)
    if text is not None and len(text) <= 1_000_000:
        from_json = _timed("load(json)", text, lambda: ps.load(text))
        if loaded.ok:  # the JSON form loads to the same node (unless JSON changed the data, e.g. tuples)
            assert from_json.ok or from_json.error is not None
    if loaded.ok:
        holder = Holder()
        compiled = _timed(
            "compile(mapping)", data, lambda: ps.compile(data, holder, total=TOTAL, steps_per_epoch=STEPS_PER_EPOCH)
        )
        if compiled.ok:
            _check_values(data, compiled.result, holder)


@pytest.mark.parametrize("wrap", ["negate", "list", "then", "dict"])
def test_mapping_nested_10000_deep(wrap: str) -> None:
    data: Any = {"kind": "constant", "value": 1.0}
    for _ in range(10_000):
        data = {
            "negate": {"kind": "negate", "operand": data},
            "list": [data],
            "then": {"kind": "then", "parts": [data, 1]},
            "dict": {"kind": "negate", "operand": {"x": data}},
        }[wrap]
    if wrap == "list":
        data = {"kind": "negate", "operand": data}
    for call in (lambda: ps.load(data), lambda: ps.compile(data, Holder())):
        outcome = _timed("load", "deep", call)
        assert isinstance(outcome.error, ps.LimitError)


def test_json_text_nested_10000_deep() -> None:
    text = '{"kind": "negate", "operand": ' * 10_000 + '{"kind": "constant", "value": 1}' + "}" * 10_000
    outcome = _timed("load(json)", "deep json", lambda: ps.load(text))
    assert isinstance(outcome.error, ps.LimitError)


# --- reproducers of the bugs the properties found (fixed) ------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "repeat(linear(0 -> 1, 10), cycle_mult=1e308, times=100)",  # fails in compile
        "repeat(linear(0 -> 1, 10), cycle_mult=1e308)",  # compiles, fails in simulate and at event 20 when stepping
        "repeat(poly(0 -> 1, 10), cycle_mult=1e308)",
    ],
)
def test_huge_cycle_mult_is_capped_not_overflowed(text: str) -> None:
    # expected: a ScheduleError (a limit on cycle_mult or on the cycle size), or values; never OverflowError
    try:
        scheduler = ps.compile(text, Holder())
        ps.simulate(text, 50)
        for _ in range(50):
            scheduler(None)
    except ps.ScheduleError:
        pass


@pytest.mark.parametrize(
    "text",
    [
        "repeat(linear(0 -> 1, 1e15), times=1e15)",  # compiles; simulate raises OverflowError
        "repeat(const(1, 1e15), times=1e15) then 1",  # compile raises OverflowError
        "repeat(" * 30 + "const(1, 1000)" + ", times=1000)" * 30,  # 1000**31 events
    ],
)
def test_total_duration_beyond_the_limit_is_refused(text: str) -> None:
    # expected: a LimitError (a schedule longer than 10**15 events), or values; never OverflowError
    try:
        ps.compile(text, Holder())
        ps.simulate(text, 50)
    except ps.ScheduleError:
        pass


@pytest.mark.parametrize(
    "text", ["step(1, every=1, gamma=1e308)", "linear(-1e308 -> 1e308, 10)", "exp(1e-308 -> 1e308, 10)"]
)
def test_no_numpy_warnings_before_non_finite_errors(text: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # as under `python -W error` or pytest's filterwarnings = error
        with pytest.raises(ps.NonFiniteValueError):
            ps.simulate(text, 50)


def test_load_json_with_5000_digit_integer() -> None:
    with pytest.raises(ps.ScheduleError):
        ps.load('{"kind": "constant", "value": ' + "1" * 5_000 + "}")
