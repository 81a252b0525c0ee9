"""compile_config: one handler for a mapping of param names to schedules."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
import torch

import paramsched as ps
from paramsched import compile_config, validate_config

LR = "linear(0 -> 0.1, 5) then cosine(0.1 -> 0, 10)"


def make_optimizer() -> torch.optim.SGD:
    a, b, c = (torch.nn.Parameter(torch.zeros(2)) for _ in range(3))
    return torch.optim.SGD(
        [{"params": [a], "name": "body"}, {"params": [b], "name": "head"}, {"params": [c]}],
        lr=1.0,
        momentum=0.5,
        weight_decay=0.0,
    )


CONFIG = {
    "lr": LR,
    "momentum": 0.9,
    "weight_decay": {"body": "linear(1e-4 -> 0, 10)", 2: "1e-3", "default": 0},
}


def test_one_handler_sets_every_param_and_group() -> None:
    optimizer = make_optimizer()
    handler = compile_config(CONFIG, optimizer)
    assert list(handler) == ["lr", "momentum", "weight_decay.0", "weight_decay.1", "weight_decay.2"]
    expected = handler.simulate(20)
    for event in range(20):
        handler.step()
        groups = optimizer.param_groups
        assert [g["lr"] for g in groups] == [expected["lr"][event]] * 3
        assert [g["momentum"] for g in groups] == [0.9] * 3
        assert [g["weight_decay"] for g in groups] == [
            expected["weight_decay.0"][event],
            0.0,
            1e-3,
        ]
    np.testing.assert_array_equal(expected["lr"], ps.simulate(LR, 20))


def test_group_keys_as_yaml_strings_and_ints_are_the_same() -> None:
    a = compile_config({"lr": {"0": "1", "1": "2", "2": "3"}}, make_optimizer())
    b = compile_config({"lr": {0: "1", 1: "2", 2: "3"}}, make_optimizer())
    assert a.state_dict() == b.state_dict()


def test_mapping_form_schedule_and_nodes() -> None:
    optimizer = make_optimizer()
    handler = compile_config({"lr": {"kind": "constant", "value": 0.5}, "momentum": ps.parse("0.8")}, optimizer)
    handler.step()
    assert optimizer.param_groups[0]["lr"] == 0.5
    assert optimizer.param_groups[0]["momentum"] == 0.8


def test_state_roundtrip_through_torch_save(tmp_path: Path) -> None:
    optimizer = make_optimizer()
    handler = compile_config(CONFIG, optimizer)
    for _ in range(7):
        handler.step()
    buffer = io.BytesIO()
    torch.save(handler.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    fresh = compile_config(CONFIG, make_optimizer())
    fresh.load_state_dict(state)
    for _ in range(5):
        handler.step()
        fresh.step()
        assert fresh.state_dict() == handler.state_dict()
    assert fresh.schedulers["lr"].optimizer.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]


def test_state_of_another_config_is_refused_and_changes_nothing() -> None:
    handler = compile_config(CONFIG, make_optimizer())
    for _ in range(3):
        handler.step()
    before = handler.state_dict()
    other = compile_config({**CONFIG, "lr": "cosine(0.1 -> 0, 10)"}, make_optimizer())
    with pytest.raises(ps.StateDictError, match="another config"):
        handler.load_state_dict(other.state_dict())
    fewer = compile_config({"lr": LR}, make_optimizer())
    with pytest.raises(ps.StateDictError):
        handler.load_state_dict(fewer.state_dict())
    assert handler.state_dict() == before


def test_corrupt_state_of_one_entry_loads_nothing() -> None:
    handler = compile_config(CONFIG, make_optimizer())
    source = compile_config(CONFIG, make_optimizer())
    for _ in range(4):
        source.step()
    state = source.state_dict()
    state["schedulers"]["weight_decay.2"]["param_group_index"] = 1  # the last entry is wrong
    with pytest.raises(ps.StateDictError, match=r"weight_decay\.2"):
        handler.load_state_dict(state)
    assert all(s.state_dict()["event_index"] == 0 for k, s in handler.schedulers.items() if k != "lr")
    with pytest.raises(ps.StateDictError):
        handler.load_state_dict({"not": "a config state"})
    state["schedulers"]["weight_decay.2"] = [1, 2]
    with pytest.raises(ps.StateDictError, match="not list"):
        handler.load_state_dict(state)


def test_units_are_part_of_the_state() -> None:
    a = compile_config({"lr": "linear(0 -> 1, 50%)"}, make_optimizer(), total=100)
    b = compile_config({"lr": "linear(0 -> 1, 50%)"}, make_optimizer(), total=200)
    with pytest.raises(ps.StateDictError):
        a.load_state_dict(b.state_dict())


def test_errors_name_the_key_and_keep_the_caret() -> None:
    with pytest.raises(ps.UnknownNameError) as info:
        compile_config({"lr": "cosin(0.1 -> 0, 10k)"}, make_optimizer())
    message = str(info.value)
    assert message.startswith("lr: unknown schedule 'cosin'")
    assert "    cosin(0.1 -> 0, 10k)\n    ^" in message
    with pytest.raises(ps.UnitError, match=r"^weight_decay\.1: duration '3ep' needs"):
        compile_config({"weight_decay": {1: "linear(0 -> 1, 3ep)"}}, make_optimizer())
    with pytest.raises(ps.ScheduleError, match="no param group is named 'neck'"):
        compile_config({"lr": {"neck": "1"}}, make_optimizer())
    with pytest.raises(ps.ScheduleError, match="param group 5 does not exist"):
        compile_config({"lr": {5: "1"}}, make_optimizer())
    with pytest.raises(ps.ScheduleError, match="already scheduled"):
        compile_config({"lr": {0: "1", "body": "2"}}, make_optimizer())
    with pytest.raises(ps.ScheduleError, match="momentum"):
        compile_config({"momentum": True}, make_optimizer())
    with pytest.raises(ps.ScheduleError, match="empty"):
        compile_config({}, make_optimizer())


def test_yaml_json_and_omegaconf_sources(tmp_path: Path) -> None:
    from omegaconf import OmegaConf

    yaml_file = tmp_path / "schedules.yaml"
    yaml_file.write_text(
        'lr: "linear(0 -> 0.1, 5) then cosine(0.1 -> 0, 10)"\nmomentum: 0.9\n'
        'weight_decay:\n  body: "linear(1e-4 -> 0, 10)"\n  2: "1e-3"\n  default: 0\n'
    )
    json_file = tmp_path / "schedules.json"
    json_file.write_text(json.dumps(CONFIG))
    dict_config = OmegaConf.create({"lr": "${base}", "momentum": 0.9, "weight_decay": CONFIG["weight_decay"]})
    dict_config_root = OmegaConf.create({"base": LR, "schedules": dict_config})
    expected = compile_config(CONFIG, make_optimizer()).state_dict()
    for source in (yaml_file, str(json_file), dict_config_root.schedules):
        assert compile_config(source, make_optimizer()).state_dict() == expected
    with pytest.raises(ps.ScheduleError, match="cannot read"):
        compile_config(tmp_path / "missing.yaml", make_optimizer())


def test_validate_config_without_optimizer() -> None:
    assert validate_config({"lr": LR, "wd": {"head": 0}}) == ["lr", "wd.head"]
    with pytest.raises(ps.UnitError, match=r"^lr: "):
        validate_config({"lr": "linear(0 -> 1, 5%)"})
    assert validate_config({"lr": "linear(0 -> 1, 5%)"}, total=100) == ["lr"]


def test_attach_to_ignite_engine_with_history() -> None:
    from ignite.engine import Engine, Events

    optimizer = make_optimizer()
    handler = compile_config({"lr": LR, "momentum": {"head": "0.8"}}, optimizer, save_history=True)
    engine = Engine(lambda engine, batch: None)
    handler.attach(engine, Events.ITERATION_STARTED)
    engine.run(range(6), max_epochs=1)
    history = engine.state.param_history
    assert [row[0] for row in history["lr"]] == ps.simulate(LR, 6).tolist()
    assert history["momentum.1"] == [[0.8]] * 6
