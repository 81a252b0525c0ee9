"""Differential tests: paramsched text against torch's real lr schedulers.

Each test drives a real ``torch.optim.SGD`` over one parameter with a real
``torch.optim.lr_scheduler`` scheduler, records ``param_groups[0]["lr"]`` before
each ``scheduler.step()`` (event 0 is the initial lr, as a training loop sees it),
and compares the recorded values with ``paramsched.simulate`` of the equivalent
text (see docs/other-libraries.md, the table of other libraries' schedules).

Tolerance. Most torch schedulers update the lr recursively (``lr *= factor``),
while the language evaluates closed forms, so the two agree to the last few bits
only. The tests use ``rtol=1e-9`` with ``atol=1e-15`` (the absolute term only
matters where a value is exactly zero on one side, e.g. the end of a decay to 0).
Parameters are bounded so that this tolerance is honest: cosine decays near their
end value suffer cancellation of order ``eps * T**2``, so cycle lengths stay
below a few hundred events.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, example, given, settings
from hypothesis import strategies as st

torch = pytest.importorskip("torch")

import paramsched as ps  # noqa: E402

RTOL = 1e-9
ATOL = 1e-15
SETTINGS = settings(max_examples=40, deadline=None)


# --------------------------------------------------------------------------- helpers


def num(x: float) -> str:
    """A paramsched number literal that reads back as exactly ``x``."""
    x = float(x)
    assert math.isfinite(x)
    text = repr(x)
    assert "inf" not in text and "nan" not in text
    assert "e+" not in text, "keep test values below 1e16"
    return text


def torch_lrs(make_scheduler, num_events: int, lr: float = 0.1) -> np.ndarray:
    """The lr a training loop sees at events 0..num_events-1 under a torch scheduler."""
    param = torch.nn.Parameter(torch.zeros(1))
    optimizer = torch.optim.SGD([param], lr=lr)
    scheduler = make_scheduler(optimizer)
    values = []
    for i in range(num_events):
        values.append(float(optimizer.param_groups[0]["lr"]))
        if i + 1 < num_events:
            optimizer.step()  # no grad: a no-op, but keeps torch's call-order check quiet
            scheduler.step()
    return np.asarray(values, dtype=np.float64)


def assert_matches(text: str, expected: np.ndarray, **kwargs) -> None:
    got = ps.simulate(text, len(expected), **kwargs)
    assert isinstance(got, np.ndarray), type(got)
    assert got.dtype == np.float64, got.dtype
    assert got.shape == expected.shape, (got.shape, expected.shape)
    np.testing.assert_allclose(got, expected, rtol=RTOL, atol=ATOL, err_msg=text)


lrs = st.floats(min_value=1e-4, max_value=1.0, allow_nan=False, allow_infinity=False)
gammas = st.floats(min_value=0.05, max_value=1.5, allow_nan=False, allow_infinity=False)
decays = st.floats(min_value=0.5, max_value=1.0, allow_nan=False, allow_infinity=False)


@st.composite
def eta_mins(draw, base_lr_strategy=lrs):
    """(base_lr, eta_min): eta_min is 0, or within 1e-3..2x of base_lr."""
    a = draw(base_lr_strategy)
    if draw(st.booleans()):
        return a, 0.0
    return a, a * draw(st.floats(min_value=1e-3, max_value=2.0))


# --------------------------------------------------------------------------- StepLR


@SETTINGS
@given(a=lrs, k=st.integers(1, 20), g=gammas, n=st.integers(1, 150))
@example(a=0.1, k=30, g=0.1, n=100)  # torch's docs example
def test_step_lr(a, k, g, n):
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=k, gamma=g), n, a)
    assert_matches(f"step({num(a)}, every={k}, gamma={num(g)})", expected)


# --------------------------------------------------------------------------- MultiStepLR


@SETTINGS
@given(
    a=lrs,
    at=st.lists(st.integers(1, 100), min_size=1, max_size=5, unique=True).map(sorted),
    g=gammas,
    extra=st.integers(0, 30),
)
@example(a=0.05, at=[30, 80], g=0.1, extra=20)  # torch's docs example
def test_multistep_lr(a, at, g, extra):
    n = at[-1] + 1 + extra
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=at, gamma=g), n, a)
    text = f"multistep({num(a)}, at=[{', '.join(map(str, at))}], gamma={num(g)})"
    assert_matches(text, expected)


# --------------------------------------------------------------------------- ConstantLR


@SETTINGS
@given(
    a=lrs,
    factor=st.floats(min_value=0.01, max_value=1.0),
    total=st.integers(1, 50),
    extra=st.integers(0, 20),
)
def test_constant_lr(a, factor, total, extra):
    n = total + 1 + extra
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.ConstantLR(o, factor=factor, total_iters=total), n, a)
    assert_matches(f"const({num(a * factor)}, {total}) then {num(a)}", expected)


# --------------------------------------------------------------------------- LinearLR


@SETTINGS
@given(
    a=lrs,
    sf=st.floats(min_value=0.01, max_value=1.0),
    ef=st.floats(min_value=0.0, max_value=1.0),
    total=st.integers(1, 100),
    extra=st.integers(0, 20),
)
@example(a=0.05, sf=0.5, ef=1.0, total=4, extra=5)  # torch's docs example
@example(a=0.1, sf=1.0, ef=0.0, total=10, extra=5)  # decay to exactly 0
@example(a=0.1, sf=1.0 / 3, ef=1.0, total=5, extra=5)  # torch's defaults
def test_linear_lr(a, sf, ef, total, extra):
    n = total + 1 + extra
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=sf, end_factor=ef, total_iters=total),
        n,
        a,
    )
    assert_matches(f"linear({num(a * sf)} -> {num(a * ef)}, {total})", expected)


# --------------------------------------------------------------------------- ExponentialLR


@SETTINGS
@given(a=lrs, g=st.floats(min_value=0.8, max_value=1.05), n=st.integers(1, 300))
def test_exponential_lr_as_step_every_1(a, g, n):
    """ExponentialLR is exactly ``step(a, every=1, gamma=g)``: a*g**t, forever."""
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=g), n, a)
    assert_matches(f"step({num(a)}, every=1, gamma={num(g)})", expected)


@SETTINGS
@given(a=lrs, g=st.floats(min_value=0.8, max_value=1.05), d=st.integers(1, 200))
def test_exponential_lr_as_exp(a, g, d):
    """Over d events ExponentialLR is also ``exp(a -> a*g**d, d)`` = a*(g**d)**(t/d)."""
    assume(g != 1.0)
    b = a * g**d
    assume(b > 1e-300)
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=g), d + 1, a)
    assert_matches(f"exp({num(a)} -> {num(b)}, {d})", expected)


# --------------------------------------------------------------------------- PolynomialLR


@SETTINGS
@given(
    a=lrs,
    total=st.integers(1, 100),
    p=st.floats(min_value=0.5, max_value=3.0),
    extra=st.integers(0, 20),
)
@example(a=0.001, total=4, p=1.0, extra=3)  # torch's docs example
def test_polynomial_lr(a, total, p, extra):
    n = total + 1 + extra
    expected = torch_lrs(lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=total, power=p), n, a)
    assert_matches(f"poly({num(a)} -> 0, {total}, power={num(p)})", expected)


# --------------------------------------------------------------------------- CosineAnnealingLR


@SETTINGS
@given(ae=eta_mins(), t_max=st.integers(1, 300))
@example(ae=(0.1, 0.0), t_max=100)
def test_cosine_annealing_lr(ae, t_max):
    """Equal on events 0..T_max; after T_max torch keeps following the cosine
    back up (a period of 2*T_max) while ``cosine(...)`` holds eta_min."""
    a, eta_min = ae
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min),
        t_max + 1,
        a,
    )
    assert_matches(f"cosine({num(a)} -> {num(eta_min)}, {t_max})", expected)


# --------------------------------------------------------------------------- CosineAnnealingWarmRestarts


@SETTINGS
@given(
    ae=eta_mins(),
    t0=st.integers(1, 40),
    t_mult=st.integers(1, 3),
    n=st.integers(1, 400),
)
@example(ae=(0.1, 0.0), t0=10, t_mult=2, n=400)
@example(ae=(0.1, 1e-3), t0=1, t_mult=1, n=10)  # T_0 = 1: every event restarts
def test_cosine_annealing_warm_restarts(ae, t0, t_mult, n):
    a, eta_min = ae
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=t0, T_mult=t_mult, eta_min=eta_min),
        n,
        a,
    )
    text = f"repeat(cosine({num(a)} -> {num(eta_min)}, {t0}), cycle_mult={t_mult})"
    assert_matches(text, expected)


# --------------------------------------------------------------------------- OneCycleLR


@st.composite
def one_cycle_params(draw):
    """total_steps T and pct_start with pct_start*T an exact integer m + 1.

    torch's phases end at the float steps ``pct_start*T - 1`` and ``T - 1``. When
    ``pct_start*T`` is (in floating point) the integer ``m + 1``, phase one is a
    curve over the integer duration m (it reaches max_lr at step m) and phase two
    one over ``T - 1 - m`` steps starting at step m, which is exactly
    ``cosine(initial -> max, m) then cosine(max -> min, T - 1 - m)``: at step m
    both forms give max_lr exactly. Otherwise the boundaries fall between events
    and no whole-event duration reproduces torch's pct (docs/other-libraries.md).
    """
    total = draw(st.integers(3, 300))
    m = draw(st.integers(1, total - 2))
    pct = (m + 1) / total
    assume(float(pct * total) == m + 1)
    return total, m, pct


@settings(max_examples=40, deadline=None)
@given(
    params=one_cycle_params(),
    max_lr=st.floats(min_value=1e-3, max_value=1.0),
    div=st.floats(min_value=1.0, max_value=100.0),
    final_div=st.floats(min_value=1.0, max_value=1e4),
    strategy=st.sampled_from(["cos", "linear"]),
    three_phase=st.booleans(),
)
@example(
    params=(100, 24, 0.25), max_lr=0.1, div=25.0, final_div=1e4, strategy="cos", three_phase=False
)  # torch's defaults, pct_start 0.25 (0.3*100 is 30.000000000000004)
def test_one_cycle_lr(params, max_lr, div, final_div, strategy, three_phase):
    total, m, pct = params
    if three_phase:
        # phases end at pct*T - 1 = m, 2*pct*T - 2 = 2m, and T - 1
        assume(float(2 * pct * total) == 2 * (m + 1) and total - 1 - 2 * m >= 1)
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.OneCycleLR(
            o,
            max_lr=max_lr,
            total_steps=total,
            pct_start=pct,
            anneal_strategy=strategy,
            cycle_momentum=False,
            div_factor=div,
            final_div_factor=final_div,
            three_phase=three_phase,
        ),
        total,  # events 0..T-1; torch refuses to go past step T
    )
    # torch computes these two the same way: initial = max/div, min = initial/final_div
    initial = max_lr / div
    min_lr = initial / final_div
    shape = "cosine" if strategy == "cos" else "linear"
    if three_phase:
        text = (
            f"{shape}({num(initial)} -> {num(max_lr)}, {m}) then "
            f"{shape}({num(max_lr)} -> {num(initial)}, {m}) then "
            f"{shape}({num(initial)} -> {num(min_lr)}, {total - 1 - 2 * m})"
        )
    else:
        text = (
            f"{shape}({num(initial)} -> {num(max_lr)}, {m}) then "
            f"{shape}({num(max_lr)} -> {num(min_lr)}, {total - 1 - m})"
        )
    assert_matches(text, expected)


# --------------------------------------------------------------------------- SequentialLR / ChainedScheduler


@SETTINGS
@given(
    ae=eta_mins(),
    sf=st.floats(min_value=0.01, max_value=1.0),
    warm=st.integers(1, 50),
    t_max=st.integers(1, 200),
)
def test_sequential_linear_then_cosine(ae, sf, warm, t_max):
    """SequentialLR([LinearLR, CosineAnnealingLR], milestones=[w]): warmup then cosine."""
    a, eta_min = ae
    lrs_ = torch.optim.lr_scheduler

    def make(o):
        first = lrs_.LinearLR(o, start_factor=sf, end_factor=1.0, total_iters=warm)
        second = lrs_.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min)
        return lrs_.SequentialLR(o, [first, second], milestones=[warm])

    expected = torch_lrs(make, warm + t_max + 1, a)
    text = f"linear({num(a * sf)} -> {num(a)}, {warm}) then cosine({num(a)} -> {num(eta_min)}, {t_max})"
    assert_matches(text, expected)


@SETTINGS
@given(
    a=lrs,
    factor=st.floats(min_value=0.05, max_value=1.0),
    total=st.integers(1, 30),
    g=decays,
    n=st.integers(1, 100),
)
def test_chained_constant_times_exponential(a, factor, total, g, n):
    """ChainedScheduler multiplies chainable schedulers' factors: the language's ``*``."""
    lrs_ = torch.optim.lr_scheduler

    def make(o):
        return lrs_.ChainedScheduler(
            [lrs_.ConstantLR(o, factor=factor, total_iters=total), lrs_.ExponentialLR(o, gamma=g)]
        )

    expected = torch_lrs(make, n, a)
    text = f"(const({num(factor)}, {total}) then 1) * step({num(a)}, every=1, gamma={num(g)})"
    assert_matches(text, expected)


@settings(max_examples=20, deadline=None)
@given(tens=st.integers(1, 30), max_lr=st.floats(min_value=1e-3, max_value=1.0))
def test_one_cycle_lr_default_pct_start(tens, max_lr):
    """pct_start=0.3 (the default): 0.3*T is a whole number only up to float rounding
    (0.3*100 == 30.000000000000004), so torch's phase boundary is m + 4e-15, not m.
    With m = round(0.3*T) - 1 the values still agree within 1e-9."""
    total = 10 * tens
    m = round(0.3 * total) - 1
    assume(m >= 1)
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.OneCycleLR(o, max_lr=max_lr, total_steps=total, cycle_momentum=False),
        total,
    )
    initial = max_lr / 25.0
    text = (
        f"cosine({num(initial)} -> {num(max_lr)}, {m}) then "
        f"cosine({num(max_lr)} -> {num(initial / 1e4)}, {total - 1 - m})"
    )
    assert_matches(text, expected)


# --------------------------------------------------------------------------- CyclicLR


@SETTINGS
@given(
    base=st.floats(min_value=1e-4, max_value=0.1),
    height=st.floats(min_value=1e-4, max_value=1.0),
    up=st.integers(1, 30),
    mode=st.sampled_from(["triangular", "triangular2", "exp_range"]),
    g=st.floats(min_value=0.9, max_value=1.0),
    n=st.integers(1, 250),
)
def test_cyclic_lr_symmetric(base, height, up, mode, g, n):
    """CyclicLR with step_size_down == step_size_up: a repeated triangle.

    triangular:  repeat(triangle(base -> max, 2*up))
    triangular2: the height halves every cycle:
                 base + repeat(triangle(0 -> h, 2*up), end_mult=0.5)
    exp_range:   the height shrinks by gamma**t:
                 base + repeat(triangle(0 -> h, 2*up)) * step(1, every=1, gamma=g)
    """
    max_lr = base + height
    h = max_lr - base  # what torch uses as the amplitude
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o,
            base_lr=base,
            max_lr=max_lr,
            step_size_up=up,
            mode=mode,
            gamma=g,
            cycle_momentum=False,
        ),
        n,
    )
    if mode == "triangular":
        text = f"repeat(triangle({num(base)} -> {num(max_lr)}, {2 * up}))"
    elif mode == "triangular2":
        text = f"{num(base)} + repeat(triangle(0 -> {num(h)}, {2 * up}), end_mult=0.5)"
    else:
        text = f"{num(base)} + repeat(triangle(0 -> {num(h)}, {2 * up})) * step(1, every=1, gamma={num(g)})"
    assert_matches(text, expected)


@SETTINGS
@given(ae=eta_mins(), t_max=st.integers(1, 100), cycles=st.integers(1, 4))
def test_cosine_annealing_lr_past_t_max(ae, t_max, cycles):
    """Past T_max torch follows the cosine back up (period 2*T_max): a repeated
    down-then-up pair of cosines."""
    a, eta_min = ae
    n = 2 * t_max * cycles + 1
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=t_max, eta_min=eta_min),
        n,
        a,
    )
    text = f"repeat(cosine({num(a)} -> {num(eta_min)}, {t_max}) then cosine({num(eta_min)} -> {num(a)}, {t_max}))"
    assert_matches(text, expected)


@SETTINGS
@given(
    base=st.floats(min_value=1e-4, max_value=0.1),
    height=st.floats(min_value=1e-4, max_value=1.0),
    up=st.integers(1, 30),
    down=st.integers(1, 30),
    n=st.integers(1, 250),
)
def test_cyclic_lr_asymmetric(base, height, up, down, n):
    """CyclicLR triangular with step_size_down != step_size_up."""
    max_lr = base + height
    expected = torch_lrs(
        lambda o: torch.optim.lr_scheduler.CyclicLR(
            o, base_lr=base, max_lr=max_lr, step_size_up=up, step_size_down=down, cycle_momentum=False
        ),
        n,
    )
    text = f"repeat(linear({num(base)} -> {num(max_lr)}, {up}) then linear({num(max_lr)} -> {num(base)}, {down}))"
    assert_matches(text, expected)
