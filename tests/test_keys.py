"""SPEC §3 keys: the language's entry points (`compile`, `compile_config`, `TorchScheduler`) refuse a key
that a param group they write lacks, naming the closest key (and `betas[0]` for momentum on Adam-style
optimizers); `create_new=True` adds it. The ignite-family classes keep ignite's behaviour: they add it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import paramsched as ps

torch = pytest.importorskip("torch")
ignite_handlers = pytest.importorskip("ignite.handlers")


def _sgd() -> Any:
    return torch.optim.SGD(torch.nn.Linear(2, 1).parameters(), lr=0.1, momentum=0.9)


def _adam() -> Any:
    return torch.optim.Adam(torch.nn.Linear(2, 1).parameters(), lr=0.1)


ENTRY_POINTS: dict[str, Callable[..., Any]] = {
    "compile": lambda optimizer, key, **kw: ps.compile("linear(0.9 -> 0.8, 10)", optimizer, key, **kw),
    "compile_config": lambda optimizer, key, **kw: ps.compile_config({key: "linear(0.9 -> 0.8, 10)"}, optimizer, **kw),
    "TorchScheduler": lambda optimizer, key, **kw: ps.TorchScheduler(optimizer, "linear(0.9 -> 0.8, 10)", key, **kw),
}


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_a_misspelt_key_is_refused_with_the_closest_one(entry: str) -> None:
    optimizer = _sgd()
    with pytest.raises(ps.ScheduleArgumentError) as raised:
        ENTRY_POINTS[entry](optimizer, "mometum")
    assert "param group 0 of SGD has no 'mometum' entry; did you mean 'momentum'?" in raised.value.message
    assert "create_new=True" in raised.value.message
    assert "mometum" not in optimizer.param_groups[0]  # nothing was written


@pytest.mark.parametrize("entry", ENTRY_POINTS)
@pytest.mark.parametrize("optimizer_class", ["Adam", "AdamW", "NAdam", "RAdam", "Adamax"])
def test_momentum_on_an_adam_style_optimizer_points_at_betas(entry: str, optimizer_class: str) -> None:
    optimizer = getattr(torch.optim, optimizer_class)(torch.nn.Linear(2, 1).parameters(), lr=0.1)
    with pytest.raises(ps.ScheduleArgumentError) as raised:
        ENTRY_POINTS[entry](optimizer, "momentum")
    assert f"{optimizer_class}'s momentum is β1, the first of its betas: write 'betas[0]'" in raised.value.message
    assert "momentum" not in optimizer.param_groups[0]


@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_create_new_adds_the_key(entry: str) -> None:
    optimizer = _adam()
    scheduler = ENTRY_POINTS[entry](optimizer, "my_scale", create_new=True)
    if entry == "TorchScheduler":
        assert optimizer.param_groups[0]["my_scale"] == 0.9  # torch's convention: written at construction
    else:
        scheduler(None)
        assert optimizer.param_groups[0]["my_scale"] == 0.9


def test_only_the_groups_written_need_the_key() -> None:
    model = torch.nn.Linear(2, 1)
    optimizer = torch.optim.SGD([{"params": [model.weight], "momentum": 0.9}, {"params": [model.bias]}], lr=0.1)
    del optimizer.param_groups[1]["momentum"]
    ps.compile("0.8", optimizer, "momentum", param_group_index=0)(None)
    assert optimizer.param_groups[0]["momentum"] == 0.8
    with pytest.raises(ps.ScheduleArgumentError, match="param group 1 of SGD has no 'momentum' entry"):
        ps.compile("0.8", optimizer, "momentum")
    with pytest.raises(ps.ScheduleArgumentError, match="param group 1 of SGD has no 'momentum' entry"):
        ps.TorchScheduler(optimizer, ["0.7", "0.6"], "momentum")


def test_the_ignite_family_adds_the_key_as_ignite_does() -> None:
    ours, theirs = _adam(), _adam()
    ps.LinearCyclicalScheduler(ours, "my_key", 0.0, 1.0, 10)(None)
    ignite_handlers.LinearCyclicalScheduler(theirs, "my_key", 0.0, 1.0, 10)(None)
    assert ours.param_groups[0]["my_key"] == theirs.param_groups[0]["my_key"] == 0.0
