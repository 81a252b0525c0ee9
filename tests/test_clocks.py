"""Clocks that are not steps (issue 12): units tok/sp/B, token and sample clocks, resume on every clock.

Expected values come from the closed-form formulas of SPEC §2 written out here (fractions for the unit
conversions, math.cos for the cosine), never from paramsched itself; where paramsched is compared with
itself (stepping against `ps.schedule`/`simulate`), it is the bit-for-bit contract of SPEC §3.
"""

from __future__ import annotations

import io
import math
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from strategies import nodes

import paramsched as ps

torch = pytest.importorskip("torch")

# most of these tests step a scheduler without an optimizer step before it (the order is not their subject)
pytestmark = pytest.mark.filterwarnings("ignore:Detected call of `lr_scheduler.step\\(\\)` before:UserWarning")


def through_torch(state: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def sgd(lr: float = 0.0) -> Any:
    return torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)


def half_even(value: Fraction) -> int:
    """Python's round on an exact fraction: ties to even."""
    return round(value)


def duration_of(text: str, **settings_: Any) -> int:
    return ps.schedule(f"const(1, {text}) then 0", **settings_).duration - 0  # type: ignore[operator]


# --- units and conversions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "settings_", "expected"),
    [
        ("375Mtok", {"tokens_per_step": 32_768}, half_even(Fraction(375_000_000, 32_768))),
        ("260Btok", {"tokens_per_step": 3_200_000}, half_even(Fraction(260_000_000_000, 3_200_000))),
        ("3tok", {"tokens_per_step": 2}, 2),  # 1.5 → 2 (ties to even)
        ("5tok", {"tokens_per_step": 2}, 2),  # 2.5 → 2
        ("7tok", {"tokens_per_step": 2}, 4),  # 3.5 → 4
        ("1.5Msp", {"samples_per_step": 256}, half_even(Fraction(1_500_000, 256))),
        ("0.1ksp", {"samples_per_step": 8}, half_even(Fraction(100, 8))),
        ("2kep", {"steps_per_epoch": 3}, 6_000),
        ("0.5Mep", {"steps_per_epoch": 7}, 3_500_000),
        ("3B", {}, 3_000_000_000),
        ("0.25B", {}, 250_000_000),
        ("375Mtok", {"clock": "tokens"}, 375_000_000),
        ("1.5k", {"clock": "tokens"}, 1_500),
        ("10%", {"clock": "tokens", "total": 300_000_000_000}, 30_000_000_000),
        ("1.5Msp", {"clock": "samples"}, 1_500_000),
        ("12", {"clock": "samples"}, 12),
    ],
)
def test_durations_convert_to_events_of_the_clock(text: str, settings_: dict[str, Any], expected: int) -> None:
    assert duration_of(text, **settings_) == expected


def test_the_first_tokens_of_gpt3_warmup_resolve_on_the_step_clock() -> None:
    """GPT-3's 375M-token warmup at its first batch size (32k tokens of 2048: 16 sequences) is 11,444 steps."""
    assert duration_of("375Mtok", tokens_per_step=16 * 2048) == 11_444
    values = ps.simulate("linear(0 -> 6e-4, 375Mtok)", 3, tokens_per_step=16 * 2048)
    assert values.tolist() == [0.0 + (6e-4 - 0.0) * (t / 11_444) for t in range(3)]  # a + (b − a)·u


@pytest.mark.parametrize(
    ("text", "settings_", "words"),
    [
        ("375Mtok", {}, ["`tokens_per_step`", "clock='tokens'"]),
        ("1.5Msp", {}, ["`samples_per_step`", "clock='samples'"]),
        ("3ep", {"clock": "tokens"}, ["counts epochs", "tokens clock", "`tok`"]),
        ("1.5Msp", {"clock": "tokens"}, ["counts samples", "tokens clock"]),
        ("375Mtok", {"clock": "samples"}, ["counts tokens", "samples clock", "`sp`"]),
        ("5%", {"clock": "tokens"}, ["needs `total`", "in tokens"]),
    ],
)
def test_a_unit_that_cannot_resolve_names_what_is_missing_with_a_caret(
    text: str, settings_: dict[str, Any], words: list[str]
) -> None:
    source = f"warmup(10) then\n  cosine(1 -> 0, {text})"
    with pytest.raises(ps.UnitError) as raised:
        ps.schedule(source, **settings_)
    message = str(raised.value)
    for word in words:
        assert word in message
    assert raised.value.line == 2
    assert "^" in message


@pytest.mark.parametrize("name", ["steps_per_epoch", "tokens_per_step", "samples_per_step"])
@pytest.mark.parametrize("clock", ["tokens", "samples"])
def test_step_factors_are_refused_off_the_step_clock(name: str, clock: str) -> None:
    with pytest.raises(ps.ScheduleArgumentError, match=f"`{name}` converts a duration to steps"):
        ps.schedule("const(1, 10)", clock=clock, **{name: 4})  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["token", "Tokens", "epochs", 3, None])
def test_an_unknown_clock_is_refused(bad: Any) -> None:
    with pytest.raises(ps.ScheduleArgumentError, match="clock must be one of 'steps', 'tokens', 'samples'"):
        ps.schedule("0.1", clock=bad)


def test_a_misspelt_clock_gets_the_closest_name() -> None:
    with pytest.raises(ps.ScheduleArgumentError, match="did you mean 'tokens'"):
        ps.compile("0.1", sgd(), clock="token")  # type: ignore[arg-type]


@pytest.mark.parametrize("text", ["const(1, 5k%)", "const(1, 2M%)", "const(1, 5tokk)", "const(1, 5ktokep)"])
def test_no_magnitude_before_percent_nor_a_unit_twice(text: str) -> None:
    with pytest.raises(ps.ScheduleSyntaxError):
        ps.parse(text)


def test_new_units_are_builders_and_mappings_alike() -> None:
    assert str(ps.const(1, "375Mtok")) == "const(1, 375Mtok)"
    assert ps.load({"kind": "const", "value": 1, "duration": "1.5Msp"}) == ps.parse("const(1, 1.5Msp)")
    assert ps.load({"kind": "const", "value": 1, "duration": {"amount": 2, "unit": "Btok"}}) == ps.parse(
        "const(1, 2Btok)"
    )


def test_milestones_in_one_unit_must_not_decrease() -> None:
    with pytest.raises(ps.ScheduleArgumentError, match="milestones must not decrease"):
        ps.parse("multistep(0.1, at=[1Mtok, 500ktok], gamma=0.5)")
    ps.parse("multistep(0.1, at=[500ktok, 1Mtok], gamma=0.5)")
    with pytest.raises(ps.ScheduleArgumentError, match="must not decrease"):  # compared once resolved
        ps.schedule("multistep(0.1, at=[1Mtok, 1500], gamma=0.5)", clock="tokens")


# --- the token clock against the closed form ----------------------------------------------------

PEAK, WARMUP, DECAY = 6e-4, 3_000, 50_000
GPT3_LIKE = f"warmup({WARMUP}tok) then cosine({PEAK!r} -> {PEAK / 10!r}, {DECAY}tok)"


def gpt3_like(tokens_seen: int) -> float:
    """SPEC §2: the warmup is linear 0 → peak, then a + (b − a)/2·(1 − cos(π·u)), u = min(t − W, D)/D."""
    if tokens_seen < WARMUP:
        return 0.0 + (PEAK - 0.0) * (tokens_seen / WARMUP)
    u = min(tokens_seen - WARMUP, DECAY) / DECAY
    return PEAK + (PEAK / 10 - PEAK) / 2 * (1 - math.cos(math.pi * u))


batches = st.lists(st.integers(1, 4_000), min_size=1, max_size=60)


@settings(max_examples=60, deadline=None)
@given(batches)
def test_torch_scheduler_on_tokens_follows_the_formula_under_any_batch_sizes(sizes: list[int]) -> None:
    optimizer = sgd()
    scheduler = ps.TorchScheduler(optimizer, GPT3_LIKE, clock="tokens")
    assert optimizer.param_groups[0]["lr"] == 0.0  # construction writes position 0
    seen, used, positions = 0, [], []
    for size in sizes:
        optimizer.step()
        scheduler.step(tokens=size)
        seen += size
        positions.append(seen)
        used.append(optimizer.param_groups[0]["lr"])
        assert scheduler.position == seen
    np.testing.assert_allclose(used, [gpt3_like(t) for t in positions], rtol=1e-12, atol=0)
    assert used == ps.schedule(GPT3_LIKE, clock="tokens")(np.array(positions)).tolist()  # bit for bit
    assert scheduler.last_epoch == len(sizes)  # torch's count of step() calls


@settings(max_examples=60, deadline=None)
@given(batches)
def test_compiled_scheduler_on_tokens_writes_the_value_at_the_tokens_seen_before_each_step(sizes: list[int]) -> None:
    optimizer = sgd()
    scheduler = ps.compile(GPT3_LIKE, optimizer, clock="tokens")
    seen, used, before = 0, [], []
    for size in sizes:
        scheduler.step(tokens=size)  # ignite's order: before the step, with what that step consumes
        used.append(optimizer.param_groups[0]["lr"])
        before.append(seen)
        seen += size
    np.testing.assert_allclose(used, [gpt3_like(t) for t in before], rtol=1e-12, atol=0)
    assert used == ps.simulate(GPT3_LIKE, seen, clock="tokens")[before].tolist()


def test_constant_batches_give_the_step_clock_values_of_the_converted_schedule() -> None:
    """At a fixed 1,000 tokens a step, `…tok` on the token clock is the step clock's schedule in steps."""
    text = "warmup(500ktok) then cosine(0.1 -> 0, 9.5Mtok)"
    by_tokens = ps.TorchScheduler(sgd(), text, clock="tokens")
    by_steps = ps.TorchScheduler(sgd(), text, tokens_per_step=1_000)
    for _ in range(12_000):
        by_tokens.optimizer.step()
        by_steps.optimizer.step()
        by_tokens.step(tokens=1_000)
        by_steps.step()
        assert by_tokens.get_last_lr() == by_steps.get_last_lr()


def test_random_batches_reach_the_same_values_as_a_schedule_function() -> None:
    rng = np.random.default_rng(0)
    sizes = rng.integers(1, 10_000, size=2_000)
    scheduler = ps.TorchScheduler(sgd(), "repeat(cosine(1 -> 0.1, 1M), cycle_mult=1.5) * 0.01", clock="samples")
    values = []
    for size in sizes:
        scheduler.step(samples=int(size))
        values.append(scheduler.get_last_lr()[0])
    f = ps.schedule("repeat(cosine(1 -> 0.1, 1M), cycle_mult=1.5) * 0.01", clock="samples")
    assert values == f(np.cumsum(sizes)).tolist()


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 3_000_000), min_size=1, max_size=80))
def test_positions_in_any_order_give_the_schedule_values(positions: list[int]) -> None:
    """Blocks are built for steps of one size; repeated, backward and skipped positions still get f(t)."""
    from paramsched._clocks import StridedValues
    from paramsched._resolve import Resolver

    text = "warmup(1ktok) then cosine(1 -> 0, 2Mtok)"
    values = StridedValues(Resolver(None, None, clock="tokens").schedule(ps.parse(text)), text)
    got = [values.at(t) for t in positions]
    assert got == ps.schedule(text, clock="tokens")(np.array(positions)).tolist()


class Trainer:
    """What Hugging Face's Trainer keeps: a running count of tokens, read by the scheduler's source."""

    def __init__(self) -> None:
        self.num_input_tokens_seen = 0


def test_a_clock_source_is_read_at_each_step() -> None:
    trainer = Trainer()
    optimizer = sgd()
    scheduler = ps.TorchScheduler(
        optimizer, GPT3_LIKE, clock="tokens", clock_source=lambda: trainer.num_input_tokens_seen
    )
    used = []
    for size in [700, 700, 1_400, 2_800, 5_600, 11_200, 40_000]:
        trainer.num_input_tokens_seen += size
        optimizer.step()
        scheduler.step()
        used.append(optimizer.param_groups[0]["lr"])
    expected = [gpt3_like(t) for t in np.cumsum([700, 700, 1_400, 2_800, 5_600, 11_200, 40_000]).tolist()]
    np.testing.assert_allclose(used, expected, rtol=1e-12, atol=0)
    assert scheduler.position == 62_400


def test_a_clock_source_may_return_a_tensor() -> None:
    seen = torch.tensor(0)
    scheduler = ps.TorchScheduler(sgd(), "linear(0 -> 1, 100)", clock="tokens", clock_source=lambda: seen)
    seen += 25
    scheduler.step()
    assert scheduler.get_last_lr() == [0.25]


def test_compiled_scheduler_with_a_source_on_an_engine_like_call() -> None:
    trainer = Trainer()
    optimizer = sgd()
    scheduler = ps.compile(
        "linear(0 -> 1, 100)", optimizer, clock="tokens", clock_source=lambda: trainer.num_input_tokens_seen
    )
    used = []
    for size in [10, 30, 5]:
        scheduler(None)  # what an ignite Engine calls at ITERATION_STARTED
        used.append(optimizer.param_groups[0]["lr"])
        trainer.num_input_tokens_seen += size
    assert used == [0.0, 0.1, 0.4]


# --- refusals -----------------------------------------------------------------------------------


def test_a_step_without_a_count_on_a_token_clock_is_refused() -> None:
    scheduler = ps.TorchScheduler(sgd(), GPT3_LIKE, clock="tokens")
    with pytest.raises(ps.ClockError, match=r"call step\(tokens=n\)"):
        scheduler.step()
    compiled = ps.compile("linear(0 -> 1, 1Msp)", sgd(), clock="samples")
    with pytest.raises(ps.ClockError, match=r"call step\(samples=n\)"):
        compiled.step()
    with pytest.raises(ps.ClockError, match="clock_source"):
        compiled(None)


@pytest.mark.parametrize("make", ["torch", "compile"])
def test_counts_that_do_not_fit_the_clock_are_refused(make: str) -> None:
    def build(**kwargs: Any) -> Any:
        if make == "torch":
            return ps.TorchScheduler(sgd(), "linear(0 -> 1, 100)", **kwargs)
        return ps.compile("linear(0 -> 1, 100)", sgd(), **kwargs)

    with pytest.raises(ps.ClockError, match="runs on the steps clock"):
        build().step(tokens=3)
    with pytest.raises(ps.ClockError, match=r"write step\(tokens=n\)"):
        build(clock="tokens").step(samples=3)
    with pytest.raises(ps.ClockError, match="give one or the other"):
        build(clock="tokens", clock_source=lambda: 5).step(tokens=3)
    for bad in (-1, 1.5, "3", True):
        with pytest.raises(ps.ClockError, match="whole number"):
            build(clock="tokens").step(tokens=bad)
    with pytest.raises(ps.ScheduleArgumentError, match="clock_source reads a count"):
        build(clock_source=lambda: 5)


def test_a_refused_step_changes_nothing() -> None:
    optimizer = sgd()
    scheduler = ps.TorchScheduler(optimizer, "linear(0 -> 1, 100)", clock="tokens")
    scheduler.step(tokens=10)
    before = (scheduler.state_dict(), optimizer.param_groups[0]["lr"])
    with pytest.raises(ps.ClockError):
        scheduler.step(tokens=-4)
    assert (scheduler.state_dict(), optimizer.param_groups[0]["lr"]) == before


def test_torch_step_epoch_is_refused_on_a_token_clock() -> None:
    with pytest.raises(ps.ClockError, match=r"step\(epoch\)"):
        ps.TorchScheduler(sgd(), "0.1", clock="tokens").step(3)


# --- resume on every clock ----------------------------------------------------------------------

RESUMED = "warmup(2k) then repeat(cosine(0.1 -> 1e-3, 7k), cycle_mult=2) * 0.5"
SIZES = [300, 301, 1_000, 17, 17, 17, 4_096, 9, 2_000, 2_000, 2_000, 5, 777] * 3


def _count(clock: str, size: int) -> dict[str, int]:
    return {} if clock == "steps" else {clock: size}


@pytest.mark.parametrize("clock", ["steps", "tokens", "samples"])
@pytest.mark.parametrize("stop", [0, 1, 7, 25])
def test_torch_scheduler_resumes_bit_for_bit_on_every_clock(clock: str, stop: int) -> None:
    def fresh() -> Any:
        return ps.TorchScheduler(sgd(), RESUMED, clock=clock)  # type: ignore[arg-type]

    def run(scheduler: Any, sizes: list[int]) -> list[float]:
        values = []
        for size in sizes:
            scheduler.optimizer.step()
            scheduler.step(**_count(clock, size))
            values.append(scheduler.get_last_lr()[0])
        return values

    expected = run(fresh(), SIZES)
    first = fresh()
    got = run(first, SIZES[:stop])
    resumed = fresh()
    resumed.load_state_dict(through_torch(first.state_dict()))
    assert resumed.position == first.position
    got += run(resumed, SIZES[stop:])
    assert got == expected


@pytest.mark.parametrize("clock", ["steps", "tokens", "samples"])
@pytest.mark.parametrize("stop", [0, 3, 25])
def test_compiled_scheduler_resumes_bit_for_bit_on_every_clock(clock: str, stop: int) -> None:
    def fresh() -> tuple[Any, Any]:
        optimizer = sgd()
        return ps.compile(RESUMED, optimizer, clock=clock), optimizer  # type: ignore[arg-type]

    def run(scheduler: Any, optimizer: Any, sizes: list[int]) -> list[float]:
        values = []
        for size in sizes:
            scheduler.step(**_count(clock, size))
            values.append(optimizer.param_groups[0]["lr"])
        return values

    expected = run(*fresh(), SIZES)
    first, optimizer = fresh()
    got = run(first, optimizer, SIZES[:stop])
    resumed, optimizer = fresh()
    resumed.load_state_dict(through_torch(first.state_dict()))
    got += run(resumed, optimizer, SIZES[stop:])
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(
    nodes(), st.sampled_from(["tokens", "samples"]), st.lists(st.integers(0, 40), min_size=2, max_size=30), st.data()
)
def test_any_schedule_resumes_bit_for_bit_on_a_token_or_sample_clock(
    node: ps.Node, clock: str, sizes: list[int], data: st.DataObject
) -> None:
    """SPEC §6 on every clock: stop after k steps, torch.save the state, load it into a fresh scheduler,
    continue: the same values as an uninterrupted run, for either scheduler kind."""
    stop = data.draw(st.integers(0, len(sizes)))
    try:
        ps.simulate(node, sum(sizes) + 1, clock=clock)  # type: ignore[arg-type]
    except ps.NonFiniteValueError:
        return  # a value that is not finite within reach: refused the same way stepped or not
    for kind in ("torch", "compile"):

        def fresh(kind: str = kind) -> tuple[Any, Any]:
            optimizer = sgd()
            if kind == "torch":
                return ps.TorchScheduler(optimizer, node, clock=clock), optimizer  # type: ignore[arg-type]
            return ps.compile(node, optimizer, clock=clock), optimizer  # type: ignore[arg-type]

        def run(scheduler: Any, optimizer: Any, counts: list[int]) -> list[float]:
            values = []
            for count in counts:
                scheduler.step(**{clock: count})
                values.append(optimizer.param_groups[0]["lr"])
            return values

        expected = run(*fresh(), sizes)
        first, optimizer = fresh()
        got = run(first, optimizer, sizes[:stop])
        resumed, optimizer = fresh()
        resumed.load_state_dict(through_torch(first.state_dict()))
        got += run(resumed, optimizer, sizes[stop:])
        assert got == expected


def test_the_state_records_the_clock_and_position() -> None:
    scheduler = ps.TorchScheduler(sgd(), "linear(0 -> 1, 1Mtok)", clock="tokens")
    scheduler.step(tokens=4_096)
    state = scheduler.state_dict()
    assert state["clock"] == "tokens" and state["position"] == 4_096 and state["last_epoch"] == 1
    assert state["schedules"] == ["linear(0 -> 1, 1Mtok) (clock=tokens)"]
    compiled = ps.compile("linear(0 -> 1, 1Mtok)", sgd(), clock="tokens")
    compiled.step(tokens=4_096)
    assert compiled.state_dict()["schedule"] == "linear(0 -> 1, 1Mtok) (clock=tokens)"
    assert compiled.state_dict()["event_index"] == 4_096
    assert ps.compile("linear(0 -> 1, 1Mtok)", sgd(), tokens_per_step=512).state_dict()["schedule"] == (
        "linear(0 -> 1, 1Mtok) (tokens_per_step=512)"
    )


def test_a_state_of_another_clock_is_refused_and_changes_nothing() -> None:
    tokens = ps.TorchScheduler(sgd(), "linear(0 -> 1, 1000)", clock="tokens")
    tokens.step(tokens=10)
    optimizer = sgd()
    samples = ps.TorchScheduler(optimizer, "linear(0 -> 1, 1000)", clock="samples")
    samples.step(samples=500)
    before = samples.state_dict()
    with pytest.raises(ps.StateDictError):
        samples.load_state_dict(tokens.state_dict())
    assert samples.state_dict() == before and optimizer.param_groups[0]["lr"] == 0.5
    broken = dict(tokens.state_dict(), position=-3)
    with pytest.raises(ps.StateDictError, match="position"):
        ps.TorchScheduler(sgd(), "linear(0 -> 1, 1000)", clock="tokens").load_state_dict(broken)
    steps = ps.compile("linear(0 -> 1, 1000)", sgd())
    with pytest.raises(ps.StateDictError):
        steps.load_state_dict(ps.compile("linear(0 -> 1, 1000)", sgd(), clock="tokens").state_dict())
