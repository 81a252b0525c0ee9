"""SPEC §2 rounding: a `then` chain rounds its boundaries at their cumulative positions (exact decimal),
so `%` parts that add up to 100% end exactly at `total`; a `%` schedule longer than `total` warns."""

from __future__ import annotations

import math
import warnings
from decimal import ROUND_HALF_EVEN, Decimal

import numpy as np
import pytest

import paramsched as ps

WARMUP_COSINE = "warmup(10%) then cosine(0.1 -> 0, 90%)"


def round_half_even(value: Decimal) -> int:
    return int(value.to_integral_value(rounding=ROUND_HALF_EVEN))


def warmup_cosine(total: int, events: int) -> np.ndarray:
    """The closed form: linear 0 → 0.1 over w = round(total/10) events, then cosine 0.1 → 0 over the rest."""
    warm = round_half_even(Decimal(total) / 10)
    rest = total - warm
    values = []
    for t in range(events):
        if t < warm:
            values.append(0.1 * t / warm)
        else:
            u = min(t - warm, rest) / rest
            values.append(0.1 + (0 - 0.1) / 2 * (1 - math.cos(math.pi * u)))
    return np.array(values)


def test_the_issue_example_lasts_total_events() -> None:
    values = ps.simulate(WARMUP_COSINE, 16, total=15)
    # warmup 1.5 → 2 events, cosine 15 − 2 = 13: the last event of the run (14) is not yet 0, event 15 is
    assert values[14] > 0
    assert values[15] == 0.0
    np.testing.assert_allclose(values, warmup_cosine(15, 16), rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("total", range(10, 1001))
def test_warmup_then_cosine_ends_at_total(total: int) -> None:
    values = ps.simulate(WARMUP_COSINE, total + 2, total=total)
    np.testing.assert_allclose(values, warmup_cosine(total, total + 2), rtol=1e-12, atol=1e-15)
    assert values[total - 1] > 0 and values[total] == 0.0  # it reaches its end exactly at `total`


def test_three_parts_end_at_total_for_every_total() -> None:
    """warmup-stable-decay in shares: each boundary at round(cumulative share · total)."""
    text = "warmup(5%) then const(0.1, 70%) then sqrt(0.1 -> 0, 25%)"
    with pytest.raises(ps.DurationError, match="lasts 0 events"):
        ps.simulate(text, 1, total=10)  # 5% of 10 is 0.5 → 0 events (ties to even)
    for total in range(20, 1001):
        first = round_half_even(Decimal(total) * 5 / 100)
        second = round_half_even(Decimal(total) * 75 / 100)
        values = ps.simulate(text, total + 1, total=total)
        assert values[first] == 0.1, total  # the stable part starts at the first boundary
        assert values[second - 1] == 0.1, total  # and lasts up to the second
        assert values[second] == 0.1, total  # sqrt starts at 0.1 ...
        assert 0 < values[second + 1] < 0.1 or second + 1 == total, total
        assert values[total - 1] > 0 and values[total] == 0.0, total  # ... and ends at `total`


def test_epochs_round_at_the_boundaries_too() -> None:
    # 1.5ep of 3 steps = 4.5 → 4 (ties to even); the boundary after both parts is 9, so the second lasts 5
    values = ps.simulate("linear(0 -> 1, 1.5ep) then linear(1 -> 0, 1.5ep)", 10, steps_per_epoch=3)
    expected = [t / 4 for t in range(4)] + [1 - (t - 4) / 5 for t in range(4, 10)]
    np.testing.assert_allclose(values, expected, rtol=1e-12, atol=1e-15)


def test_a_duration_outside_a_chain_rounds_by_itself() -> None:
    values = ps.simulate("linear(0 -> 1, 15%)", 4, total=10)  # 1.5 → 2 (ties to even)
    np.testing.assert_allclose(values, [0, 0.5, 1, 1])


def test_a_percent_schedule_longer_than_total_warns() -> None:
    with pytest.warns(ps.LongerThanTotalWarning, match=r"lasts 150 events, more than total=100.*150% of the run"):
        ps.simulate("linear(0 -> 1, 50%) then const(1, 100%)", 10, total=100)
    with pytest.warns(ps.LongerThanTotalWarning, match=r"lasts 600 events, more than total=100"):
        ps.simulate("linear(0 -> 1, 500) then const(1, 100%)", 10, total=100)


def test_a_percent_schedule_within_total_does_not_warn() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ps.simulate(WARMUP_COSINE, 10, total=15)
        ps.simulate("linear(0 -> 1, 50%) then const(1, 20%)", 10, total=100)


def test_a_part_of_whole_events_between_shares_keeps_the_chain_at_total() -> None:
    # 15% of 10 = 1.5 → 2; `const(1, 3) * 2` lasts 3 whole events (2..4); the cosine starts at 5 and ends
    # at round(1.5 + 3 + 5.5) = 10
    for total in range(10, 1001):
        text = f"linear(0 -> 1, 15%) then const(1, {total * 3 // 10}) * 2 then cosine(2 -> 0, 55%)"
        middle = total * 3 // 10
        exact = Decimal(total) * 15 / 100 + middle + Decimal(total) * 55 / 100
        end = round_half_even(exact)
        values = ps.simulate(text, end + 1, total=total)
        start = round_half_even(Decimal(total) * 15 / 100) + middle
        assert values[start - 1] == 2.0 and values[start] == 2.0, total  # the cosine starts at 2 ...
        assert values[end - 1] > 0 and values[end] == 0.0, total  # ... and ends at the rounded exact sum
