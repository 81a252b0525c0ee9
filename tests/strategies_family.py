"""Hypothesis strategies for the scheduler family's constructor arguments."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

values = st.floats(-2.0, 2.0, allow_nan=False, allow_infinity=False)
multipliers = st.one_of(st.just(1.0), st.floats(0.5, 1.5))


@st.composite
def cyclical_kwargs(draw: Any) -> dict[str, Any]:
    """Arguments of ignite's cyclical schedulers, kept where ignite itself does not crash (cycle_mult ≥ 1)."""
    return {
        "start_value": draw(values),
        "end_value": draw(values),
        "cycle_size": draw(st.integers(2, 30)),
        "cycle_mult": draw(st.one_of(st.just(1.0), st.floats(1.0, 2.5))),
        "start_value_mult": draw(multipliers),
        "end_value_mult": draw(multipliers),
        "warmup_duration": draw(st.integers(0, 5)),
    }


@st.composite
def milestones_values(draw: Any) -> list[tuple[int, float]]:
    milestones = sorted(draw(st.lists(st.integers(0, 80), min_size=1, max_size=6)))
    return [(m, draw(values)) for m in milestones]


@st.composite
def piecewise_kwargs(draw: Any) -> dict[str, Any]:
    return {"milestones_values": draw(milestones_values())}
