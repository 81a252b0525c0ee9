"""Hydra structured configs (real hydra-core): one dataclass is Hydra's schema (ConfigStore, overrides on
the command line's grammar) and, through `ps.ScheduleSpec`, pydantic's: after composing, the schedule
fields validate into nodes with the caret message on a mistake. The `schedule` resolver is the other route:
a field interpolating `${schedule:...}` is checked when it is resolved."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pydantic
import pytest
from hydra import compose, initialize
from hydra.core.config_store import ConfigStore
from omegaconf import OmegaConf
from omegaconf.errors import InterpolationResolutionError

import paramsched as ps

MISSPELT = "cosin(0.1 -> 0, 10)"


@dataclass
class OptimConfig:
    lr: ps.ScheduleSpec = "warmup(2) then cosine(0.1 -> 0, 8)"
    momentum: ps.ScheduleSpec = 0.9


@dataclass
class TrainConfig:
    optim: OptimConfig = field(default_factory=OptimConfig)
    steps: int = 10
    lr_checked: str = "${schedule:${optim.lr}}"  # the resolver route: canonical text, checked at resolution


@pytest.fixture
def composed() -> Iterator[Any]:
    """`compose(overrides)`: Hydra's config for TrainConfig, stored in the ConfigStore as an app would."""
    ps.register_resolvers()
    ConfigStore.instance().store(name="paramsched_structured_train", node=TrainConfig)
    with initialize(version_base=None, config_path=None):
        yield lambda overrides: compose(config_name="paramsched_structured_train", overrides=overrides)


def validated(cfg: Any) -> TrainConfig:
    """The composed config through pydantic: the same dataclass, its ScheduleSpec fields now nodes."""
    return pydantic.TypeAdapter(TrainConfig).validate_python(OmegaConf.to_container(cfg, resolve=True))


def test_defaults_validate_into_nodes(composed: Any) -> None:
    config = validated(composed([]))
    assert isinstance(config, TrainConfig)
    assert config.optim.lr == ps.parse("warmup(2) then cosine(0.1 -> 0, 8)")
    assert config.optim.momentum == ps.parse("0.9")
    assert config.lr_checked == "warmup(2) then cosine(0.1 -> 0, 8)"
    assert ps.simulate(config.optim.lr, 10).tolist() == ps.simulate("warmup(2) then cosine(0.1 -> 0, 8)", 10).tolist()


def test_command_line_overrides_validate(composed: Any) -> None:
    config = validated(composed(['optim.lr="linear(0 -> 0.2, 3) then cosine(0.2 → 0, 7)"', "optim.momentum=0.95"]))
    assert config.optim.lr == ps.parse("linear(0 -> 0.2, 3) then cosine(0.2 -> 0, 7)")
    assert config.optim.momentum == ps.parse("0.95")
    assert config.lr_checked == "linear(0 -> 0.2, 3) then cosine(0.2 -> 0, 7)"


def test_a_bad_override_fails_validation_with_the_caret(composed: Any) -> None:
    with pytest.raises(ps.ScheduleError) as direct:
        ps.parse(MISSPELT)
    cfg = composed([f'optim.lr="{MISSPELT}"', "lr_checked=unused"])
    with pytest.raises(pydantic.ValidationError) as caught:
        validated(cfg)
    assert str(direct.value) in str(caught.value)
    assert caught.value.errors()[0]["loc"] == ("optim", "lr")


def test_the_resolver_route_fails_at_resolution_with_the_caret(composed: Any) -> None:
    with pytest.raises(ps.ScheduleError) as direct:
        ps.parse(MISSPELT)
    cfg = composed([f'optim.lr="{MISSPELT}"'])
    with pytest.raises(InterpolationResolutionError) as caught:
        OmegaConf.to_container(cfg, resolve=True)
    assert str(direct.value) in str(caught.value)
