"""Hugging Face `Trainer` (transformers, CPU, a 2-layer GPT-2 built from a config, random tokens; nothing is
downloaded) driven by `ps.TorchScheduler` through `optimizers=(optimizer, scheduler)`; and a paramsched text
for each of HF's `get_scheduler` names, checked value by value against HF's own scheduler."""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
import torch

import paramsched as ps

transformers = pytest.importorskip("transformers")

from transformers import Trainer, TrainingArguments, get_scheduler  # noqa: E402
from transformers.trainer_utils import SchedulerType  # noqa: E402

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "hf_trainer.py"


def _example() -> ModuleType:
    """examples/hf_trainer.py (HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE are set by conftest.py and the example)."""
    spec = importlib.util.spec_from_file_location("paramsched_example_hf_trainer", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


example = _example()

SCHEDULE, STEPS, BATCH = example.SCHEDULE, example.STEPS, example.BATCH
train, tiny_model, RandomTokens = example.train, example.tiny_model, example.RandomTokens
LrBeforeEachOptimizerStep = example.LrBeforeEachOptimizerStep


@pytest.fixture(scope="module")
def plain_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[float], list[dict[str, float]], Any]:
    """One uninterrupted run, shared by the tests that only read it."""
    return train(tmp_path_factory.mktemp("hf_trainer"))  # type: ignore[no-any-return]


def test_each_optimizer_step_runs_with_the_simulated_lr(plain_run: Any) -> None:
    lrs, _, scheduler = plain_run
    assert lrs == ps.simulate(SCHEDULE, STEPS, total=STEPS).tolist()
    assert scheduler.last_epoch == STEPS  # stepped once per optimizer step


def test_gradient_accumulation_counts_optimizer_steps_not_batches(tmp_path: Path) -> None:
    lrs, _, _ = train(tmp_path, accumulation=2)
    assert lrs == ps.simulate(SCHEDULE, STEPS, total=STEPS).tolist()


def test_one_schedule_per_param_group(tmp_path: Path) -> None:
    decayed, plain = "warmup(3) then cosine(0.01 -> 0, 7)", "linear(0.02 -> 0.001, 100%)"
    recorder = LrBeforeEachOptimizerStep()
    train(tmp_path, recorder=recorder, group_schedules=(decayed, plain))
    expected = np.stack([ps.simulate(decayed, STEPS), ps.simulate(plain, STEPS, total=STEPS)], axis=1)
    assert recorder.group_lrs == expected.tolist()


def test_the_logged_learning_rate_is_the_one_the_step_ran_with(plain_run: Any) -> None:
    """transformers reads `get_last_lr()[0]` after `optimizer.step()` and before `scheduler.step()`: the
    entry logged at global step k (1-based) is the lr of event k - 1, the one that step used."""
    lrs, logged, _ = plain_run
    assert [entry["step"] for entry in logged] == list(range(1, STEPS + 1))
    assert [entry["learning_rate"] for entry in logged] == lrs


def test_resume_from_checkpoint_continues_exactly(tmp_path: Path) -> None:
    halfway = STEPS // 2
    first, _, _ = train(tmp_path, save_steps=halfway, max_steps=halfway)
    checkpoint = tmp_path / f"checkpoint-{halfway}"
    assert (checkpoint / "scheduler.pt").is_file()
    state = torch.load(checkpoint / "scheduler.pt", weights_only=True)  # plain values only
    assert state["last_epoch"] == halfway
    second, _, scheduler = train(tmp_path, resume_from=str(checkpoint))
    assert first + second == ps.simulate(SCHEDULE, STEPS, total=STEPS).tolist()
    assert scheduler.last_epoch == STEPS


# ---- HF's get_scheduler names, each written as paramsched text -------------------------------------------

L = 0.3  # the optimizer's lr: HF's schedules are factors of it, the text writes it out
W, N = 4, 24  # warmup and training steps


def _r(value: float) -> str:
    return repr(float(value))


# name -> (scheduler_specific_kwargs, the text, the events on which the two agree)
EQUIVALENTS: dict[str, tuple[dict[str, Any], str, int]] = {
    "constant": ({}, _r(L), N + 8),
    "constant_with_warmup": ({}, f"warmup({W}) then {_r(L)}", N + 8),
    "linear": ({}, f"warmup({W}) then linear({_r(L)} -> 0, {N - W})", N + 8),
    "cosine": ({}, f"warmup({W}) then cosine({_r(L)} -> 0, {N - W})", N + 1),  # HF climbs back after N
    "cosine_with_restarts": (
        {"num_cycles": 4},
        f"warmup({W}) then repeat(cosine({_r(L)} -> 0, {(N - W) // 4}), times=4) then 0",
        N + 8,
    ),
    "polynomial": (
        {"lr_end": 1e-3, "power": 2.0},
        f"warmup({W}) then poly({_r(L)} -> 0.001, {N - W}, power=2)",
        N + 8,
    ),
    "inverse_sqrt": ({}, f"warmup({W}) then rsqrt({_r(L)}, timescale={W})", N + 8),
    "cosine_with_min_lr": (
        {"min_lr_rate": 0.1},
        f"warmup({W}) then cosine({_r(L)} -> {_r(0.1 * L)}, {N - W})",
        N + 1,
    ),
    "cosine_warmup_with_min_lr": (
        {"min_lr": 1e-3},
        f"linear({_r(L / W)} -> {_r(L)}, {W - 1}) then cosine({_r(L)} -> 0.001, {N - W})",
        N,
    ),
    "warmup_stable_decay": (
        {"num_decay_steps": 6, "min_lr_ratio": 0.1},
        f"linear({_r(0.1 * L)} -> {_r(L)}, {W}) then const({_r(L)}, {N - W - 6}) "
        f"then cosine({_r(L)} -> {_r(0.1 * L)}, 6)",
        N + 8,
    ),
}
CANNOT_BE_WRITTEN = {
    "reduce_lr_on_plateau": "depends on a metric",
    "greedy": "adapts to a metric (GreedyLR)",
}


def hf_values(name: str, kwargs: dict[str, Any], events: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=L)
    scheduler = get_scheduler(
        name, optimizer, num_warmup_steps=W, num_training_steps=N, scheduler_specific_kwargs=dict(kwargs)
    )
    values = []
    for _ in range(events):
        values.append(scheduler.get_last_lr()[0])
        optimizer.step()
        scheduler.step()
    return np.array(values, dtype=np.float64)


def test_every_get_scheduler_name_is_covered() -> None:
    """A name added in a later transformers fails here until it has a text (or a reason it has none)."""
    assert {member.value for member in SchedulerType} == set(EQUIVALENTS) | set(CANNOT_BE_WRITTEN)


@pytest.mark.parametrize("name", sorted(EQUIVALENTS))
def test_the_text_equals_hf_get_scheduler(name: str) -> None:
    kwargs, text, events = EQUIVALENTS[name]
    expected = hf_values(name, kwargs, events)
    np.testing.assert_allclose(ps.simulate(text, events), expected, rtol=1e-9, atol=1e-15)


def test_inverse_sqrt_with_a_timescale_and_without_warmup() -> None:
    """`get_scheduler` passes `timescale` through (transformers 5); without warmup the default is 10,000."""
    for warmup, kwargs, timescale in [(W, {"timescale": 7}, 7), (0, {}, 10_000)]:
        optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=L)
        hf = get_scheduler("inverse_sqrt", optimizer, num_warmup_steps=warmup, scheduler_specific_kwargs=kwargs)
        expected = []
        for _ in range(40):
            expected.append(hf.get_last_lr()[0])
            optimizer.step()
            hf.step()
        decay = f"rsqrt({_r(L)}, timescale={timescale})"
        text = decay if warmup == 0 else f"warmup({warmup}) then {decay}"
        closed_form = [
            L * t / warmup if t < warmup else L / math.sqrt((t + timescale - warmup) / timescale) for t in range(40)
        ]
        np.testing.assert_allclose(ps.simulate(text, 40), expected, rtol=1e-9)
        np.testing.assert_allclose(expected, closed_form, rtol=1e-12)


def test_the_trainer_with_a_text_matches_the_trainer_with_get_scheduler(tmp_path: Path) -> None:
    """The Trainer's own `lr_scheduler_type="cosine"` and the equivalent text give the same lrs."""

    def run(make_scheduler: Callable[[torch.optim.Optimizer], Any] | None) -> list[float]:
        model = tiny_model()
        recorder = LrBeforeEachOptimizerStep()
        optimizer = torch.optim.AdamW(model.parameters(), lr=L)
        args = TrainingArguments(
            output_dir=str(tmp_path),
            max_steps=8,
            per_device_train_batch_size=BATCH,
            learning_rate=L,
            warmup_steps=2,
            lr_scheduler_type="cosine",
            save_strategy="no",
            report_to="none",
            use_cpu=True,
            disable_tqdm=True,
        )
        optimizers = (optimizer, None if make_scheduler is None else make_scheduler(optimizer))
        Trainer(
            model=model, args=args, train_dataset=RandomTokens(BATCH * 8), optimizers=optimizers, callbacks=[recorder]
        ).train()
        return recorder.lrs

    hf = run(None)
    ours = run(lambda optimizer: ps.TorchScheduler(optimizer, f"warmup(2) then cosine({_r(L)} -> 0, 6)"))
    np.testing.assert_allclose(ours, hf, rtol=1e-9)
    assert hf[0] == 0.0 and hf[2] == pytest.approx(L)


class _KeysBeforeEachOptimizerStep(LrBeforeEachOptimizerStep):
    """Also records the first group's weight decay and β1 before each optimizer step."""

    def __init__(self) -> None:
        super().__init__()
        self.weight_decays: list[float] = []
        self.beta1s: list[float] = []

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        super().on_pre_optimizer_step(args, state, control, **kwargs)
        group = kwargs["optimizer"].param_groups[0]
        self.weight_decays.append(float(group["weight_decay"]))
        self.beta1s.append(float(group["betas"][0]))


def test_one_config_drives_lr_weight_decay_and_beta1_under_the_trainer(tmp_path: Path) -> None:
    """`TorchScheduler.from_config`: one YAML-like mapping, one real LRScheduler, every key at every
    optimizer step equal to `ps.simulate` (the runs issue's multi-key convention under HF's Trainer)."""
    config = {
        "lr": SCHEDULE,
        "weight_decay": "linear(0.1 -> 0.01, 100%)",
        "betas[0]": "cosine(0.85 -> 0.95, 100%)",
    }
    model = tiny_model()
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.5, weight_decay=0.5)
    scheduler = ps.TorchScheduler.from_config(optimizer, config, total=STEPS)
    recorder = _KeysBeforeEachOptimizerStep()
    args = TrainingArguments(
        output_dir=str(tmp_path), max_steps=STEPS, per_device_train_batch_size=BATCH, logging_steps=1,
        save_strategy="no", report_to="none", use_cpu=True, disable_tqdm=True, dataloader_num_workers=0, seed=0,
    )  # fmt: skip
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=RandomTokens(BATCH * STEPS),
        optimizers=(optimizer, scheduler),
        callbacks=[recorder],
    )
    trainer.train()
    assert recorder.lrs == ps.simulate(SCHEDULE, STEPS, total=STEPS).tolist()
    assert recorder.weight_decays == ps.simulate(config["weight_decay"], STEPS, total=STEPS).tolist()
    assert recorder.beta1s == ps.simulate(config["betas[0]"], STEPS, total=STEPS).tolist()
    assert optimizer.param_groups[0]["betas"][1] == 0.999  # β2 kept
    logged = [entry["learning_rate"] for entry in trainer.state.log_history if "learning_rate" in entry]
    assert logged == recorder.lrs  # get_last_lr() is the lrs, whatever else the config schedules
