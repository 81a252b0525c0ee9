"""plot_values draws simulate_values with matplotlib: one line for a single value per row, one per group
for rows of several values (ignite 0.5.5 fails on those)."""

from __future__ import annotations

from typing import Any

import pytest

import paramsched as ps

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
plt = pytest.importorskip("matplotlib.pyplot")
torch = pytest.importorskip("torch")
ignite_ps = pytest.importorskip("ignite.handlers.param_scheduler")


def two_groups() -> Any:
    return torch.optim.SGD([{"params": [torch.zeros(1, requires_grad=True)]} for _ in range(2)], lr=0.1)


def test_plot_values_draws_the_simulated_values() -> None:
    plt.figure()
    lines = ps.CosineAnnealingScheduler.plot_values(30, param_name="lr", start_value=1.0, end_value=0.0, cycle_size=10)
    assert len(lines) == 1
    expected = ps.CosineAnnealingScheduler.simulate_values(
        30, param_name="lr", start_value=1.0, end_value=0.0, cycle_size=10
    )
    assert list(lines[0].get_ydata()) == [value for _, value in expected]
    plt.close("all")


def test_plot_values_draws_a_line_per_param_group() -> None:
    optimizer = two_groups()
    schedulers = [
        ps.PiecewiseLinear(optimizer, "lr", [(0, 1.0), (10, 0.0)], param_group_index=0),
        ps.PiecewiseLinear(optimizer, "lr", [(0, 0.0), (10, 1.0)], param_group_index=1),
    ]
    plt.figure()
    lines = ps.ParamGroupScheduler.plot_values(12, schedulers=schedulers)
    assert len(lines) == 2
    assert list(lines[0].get_ydata())[:2] == [1.0, 0.9]
    assert list(lines[1].get_ydata())[:2] == [0.0, 0.1]
    plt.close("all")


@pytest.mark.parametrize("module", [ps, ignite_ps])
def test_concat_plot_values_with_two_param_groups(module: Any) -> None:
    """Rows `[event, value of group 0, value of group 1]`: ignite 0.5.5 cannot unpack them."""
    optimizer = two_groups()
    parts = [
        module.PiecewiseLinear(optimizer, "lr", [(0, 1.0), (10, 0.0)]),
        module.PiecewiseLinear(optimizer, "lr", [(0, 0.5), (10, 0.0)]),
    ]
    plt.figure()
    if module is ignite_ps:
        with pytest.raises(ValueError, match="unpack"):
            module.ConcatScheduler.plot_values(12, schedulers=parts, durations=[5])
    else:
        lines = module.ConcatScheduler.plot_values(12, schedulers=parts, durations=[5])
        assert len(lines) == 2
        assert list(lines[0].get_ydata()) == list(lines[1].get_ydata())
        assert list(lines[0].get_ydata())[4:7] == [0.6, 0.5, 0.45]
    plt.close("all")
