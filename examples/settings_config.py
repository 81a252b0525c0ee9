"""Schedules in a pydantic-settings config: `ps.ScheduleSpec` fields, read from defaults, a JSON file or
environment variables, validated when the settings load (a mistake shows the caret), dumped as text.

Run:
    python examples/settings_config.py
    TRAIN_OPTIM__LR="linear(0 -> 0.2, 100) then cosine(0.2 -> 0, 900)" python examples/settings_config.py
    TRAIN_OPTIM__LR="cosin(0.1 -> 0, 1k)" python examples/settings_config.py     # a ValidationError
"""

from __future__ import annotations

import json

from pydantic import BaseModel
from pydantic_settings import BaseSettings, SettingsConfigDict

import paramsched as ps


class Optim(BaseModel):
    lr: ps.ScheduleSpec = ps.parse("warmup(5%) then cosine(0.1 -> 1e-4, 95%)")
    momentum: ps.ScheduleSpec = ps.parse("linear(0.95 -> 0.85, 5%) then 0.85")
    weight_decay: ps.ScheduleSpec = ps.parse("0.05")


class TrainSettings(BaseSettings):
    """TRAIN_STEPS=..., TRAIN_OPTIM__LR=... (text, a number, or the mapping form as JSON) override the defaults."""

    model_config = SettingsConfigDict(env_prefix="TRAIN_", env_nested_delimiter="__")

    steps: int = 1000
    optim: Optim = Optim()


def main() -> dict[str, object]:
    settings = TrainSettings()  # a bad schedule raises pydantic.ValidationError here, with the caret
    report: dict[str, object] = {"config": settings.model_dump(mode="json")}
    for key, schedule in settings.optim:  # each field holds the node: ready for ps.compile / ps.TorchScheduler
        values = ps.simulate(schedule, settings.steps, total=settings.steps)
        report[key] = {
            "first": float(values[0]),
            "middle": float(values[settings.steps // 2]),
            "last": float(values[-1]),
        }
    return report


if __name__ == "__main__":
    print(json.dumps(main(), indent=2))
