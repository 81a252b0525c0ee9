"""`ps.ScheduleSpec` in pydantic models, pydantic dataclasses and pydantic-settings (environment variables):
every kind of input becomes the node `ps.parse`/`ps.load` give, a bad schedule is a ValidationError that
carries the ScheduleError's caret message, JSON dumps hold the canonical text, and the JSON Schema describes
text, numbers and the mapping form."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest

import paramsched as ps

pydantic_settings = pytest.importorskip("pydantic_settings")

TEXT = "warmup(5) then cosine(0.1 → 1e-4, 10)"
MAPPING = {"kind": "linear", "start": 0, "end": 0.1, "duration": {"kind": "duration", "amount": 5}}
MISSPELT = "linear(0 -> 0.1, 500) then cosin(0.1 -> 0, 10k)"


class Train(pydantic.BaseModel):
    lr: ps.ScheduleSpec
    momentum: ps.ScheduleSpec = ps.parse("linear(0.95 -> 0.85, 5) then 0.85")


@pydantic.dataclasses.dataclass
class TrainDataclass:
    lr: ps.ScheduleSpec


class TrainSettings(pydantic_settings.BaseSettings):
    model_config = pydantic_settings.SettingsConfigDict(env_prefix="TRAIN_")

    lr: ps.ScheduleSpec
    weight_decay: ps.ScheduleSpec = ps.parse("0.01")


def schedule_error_of(text: str) -> ps.ScheduleError:
    with pytest.raises(ps.ScheduleError) as caught:
        ps.parse(text)
    return caught.value


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (TEXT, ps.parse(TEXT)),
        (0.1, ps.parse("0.1")),
        (3, ps.parse("3")),
        (MAPPING, ps.load(MAPPING)),
        (json.dumps(MAPPING), ps.load(MAPPING)),  # JSON text of the mapping form (an environment variable)
        (
            ps.linear(0, 0.1, 5) >> ps.cosine(0.1, 1e-4, 10),
            ps.parse("linear(0 -> 0.1, 5) then cosine(0.1 -> 1e-4, 10)"),
        ),
        (
            {"kind": "then", "parts": ["linear(0 -> 0.1, 5)", {"kind": "constant", "value": 0.1}]},
            ps.parse("linear(0 -> 0.1, 5) then 0.1"),
        ),
    ],
    ids=["text", "float", "int", "mapping", "json-text", "node", "mapping-with-text-inside"],
)
def test_every_kind_of_input_becomes_the_node(given: Any, expected: ps.Node) -> None:
    config = Train.model_validate({"lr": given})
    assert isinstance(config.lr, ps.Node)
    assert config.lr == expected
    assert ps.simulate(config.lr, 20).tolist() == ps.simulate(expected, 20).tolist()


def test_the_default_is_used_and_is_a_node() -> None:
    config = Train(lr=ps.parse("0.1"))
    assert config.momentum == ps.parse("linear(0.95 -> 0.85, 5) then 0.85")


def test_a_bad_schedule_is_a_validation_error_with_the_caret_message() -> None:
    expected = schedule_error_of(MISSPELT)
    with pytest.raises(pydantic.ValidationError) as caught:
        Train.model_validate({"lr": MISSPELT})
    assert str(expected) in str(caught.value)  # "unknown schedule 'cosin'; did you mean ..." and the caret
    assert "^" in str(expected) and "line 1, column 28" in str(expected)
    (details,) = caught.value.errors()
    assert details["loc"] == ("lr",)
    assert details["type"] == "value_error"
    assert isinstance(details["ctx"]["error"], ps.UnknownNameError)


def test_a_bad_mapping_gives_the_message_load_gives() -> None:
    bad = {"kind": "linear", "start": 0, "end": 0.1}
    with pytest.raises(ps.ScheduleError) as direct:
        ps.load(bad)
    with pytest.raises(pydantic.ValidationError) as caught:
        Train.model_validate({"lr": bad})
    assert str(direct.value) in str(caught.value)
    assert type(caught.value.errors()[0]["ctx"]["error"]) is type(direct.value)


def test_malformed_json_text_is_a_schedule_error_with_the_caret() -> None:
    with pytest.raises(ps.ScheduleError) as direct:
        ps.load('{"kind": "linear", ')
    with pytest.raises(pydantic.ValidationError) as caught:
        Train.model_validate({"lr": '{"kind": "linear", '})
    assert str(direct.value) in str(caught.value)
    assert "^" in str(direct.value)


@pytest.mark.parametrize("given", [True, None, [0.1, 0.2], object()])
def test_what_is_no_schedule_at_all_is_refused_by_type(given: Any) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        Train.model_validate({"lr": given})
    (details,) = caught.value.errors()
    assert details["type"] == "schedule_type"
    assert type(given).__name__ in details["msg"]


def test_dumps_hold_canonical_text_and_read_back() -> None:
    config = Train.model_validate({"lr": TEXT, "momentum": MAPPING})
    dumped = config.model_dump(mode="json")
    assert dumped == {"lr": ps.unparse(ps.parse(TEXT)), "momentum": "linear(0 -> 0.1, 5)"}
    assert dumped["lr"] == "warmup(5) then cosine(0.1 -> 0.0001, 10)"
    assert Train.model_validate_json(config.model_dump_json()) == config
    assert config.model_dump() == dumped  # Python mode too: a config dumps to YAML as plain scalars
    assert Train.model_validate(config.model_dump()) == config


def test_json_schema_describes_text_numbers_and_the_mapping_form() -> None:
    schema = Train.model_json_schema()
    language = ps.json_schema()
    field = schema["properties"]["lr"]
    text, number, mapping = field["anyOf"]
    assert text["type"] == "string"
    assert number["type"] == "number"
    # the mapping branch is the language's own schema: the same kinds, the same node definitions
    assert mapping["discriminator"] == language["discriminator"]
    assert mapping["oneOf"] == language["oneOf"]
    for name, definition in language["$defs"].items():
        assert schema["$defs"][name] == definition
    assert schema["required"] == ["lr"]
    serialized = Train.model_json_schema(mode="serialization")["properties"]["lr"]
    assert serialized["type"] == "string"
    assert "anyOf" not in serialized
    json.dumps(schema)  # plain JSON


def test_pydantic_dataclass() -> None:
    assert TrainDataclass(lr=TEXT).lr == ps.parse(TEXT)  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError) as caught:
        TrainDataclass(lr=MISSPELT)  # type: ignore[arg-type]
    assert str(schedule_error_of(MISSPELT)) in str(caught.value)
    assert "anyOf" in pydantic.TypeAdapter(TrainDataclass).json_schema()["properties"]["lr"]


def test_settings_from_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAIN_LR", TEXT)
    assert TrainSettings().lr == ps.parse(TEXT)
    assert TrainSettings().weight_decay == ps.parse("0.01")
    monkeypatch.setenv("TRAIN_WEIGHT_DECAY", "0.05")  # a number, as text
    assert TrainSettings().weight_decay == ps.parse("0.05")
    monkeypatch.setenv("TRAIN_LR", json.dumps(MAPPING))  # the mapping form, as JSON
    assert TrainSettings().lr == ps.load(MAPPING)


def test_settings_refuse_a_bad_environment_variable_with_the_caret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TRAIN_LR", MISSPELT)
    with pytest.raises(pydantic.ValidationError) as caught:
        TrainSettings()
    assert str(schedule_error_of(MISSPELT)) in str(caught.value)


def _settings_example() -> Any:
    import importlib.util
    import sys
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "examples" / "settings_config.py"
    spec = importlib.util.spec_from_file_location("paramsched_example_settings_config", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def test_the_settings_example_reads_nested_environment_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    example = _settings_example()
    default = example.main()
    assert default["config"]["optim"]["lr"] == "warmup(5%) then cosine(0.1 -> 0.0001, 95%)"
    lr = ps.simulate("warmup(5%) then cosine(0.1 -> 1e-4, 95%)", 1000, total=1000)
    assert default["lr"] == {"first": lr[0], "middle": lr[500], "last": lr[-1]}

    monkeypatch.setenv("TRAIN_STEPS", "200")
    monkeypatch.setenv("TRAIN_OPTIM__LR", "linear(0 -> 0.2, 20) then cosine(0.2 → 0, 180)")
    overridden = example.main()
    assert overridden["config"]["optim"]["lr"] == "linear(0 -> 0.2, 20) then cosine(0.2 -> 0, 180)"
    lr = ps.simulate("linear(0 -> 0.2, 20) then cosine(0.2 -> 0, 180)", 200)
    assert overridden["lr"] == {"first": lr[0], "middle": lr[100], "last": lr[-1]}

    monkeypatch.setenv("TRAIN_OPTIM__LR", MISSPELT)
    with pytest.raises(pydantic.ValidationError) as caught:
        example.main()
    assert str(schedule_error_of(MISSPELT)) in str(caught.value)
    assert caught.value.errors()[0]["loc"] == ("optim", "lr")
