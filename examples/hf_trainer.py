"""A paramsched schedule in Hugging Face's `Trainer`: build the optimizer, wrap it in `ps.TorchScheduler`, pass
both as `optimizers=(optimizer, scheduler)`. A 2-layer GPT-2 built from a config and random tokens, on the CPU:
nothing is downloaded. Run: python examples/hf_trainer.py"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

os.environ.setdefault("HF_HUB_OFFLINE", "1")  # set before transformers is imported: never reach the Hub
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch
from transformers import GPT2Config, GPT2LMHeadModel, Trainer, TrainerCallback, TrainingArguments

import paramsched as ps

SCHEDULE = "warmup(20%) then cosine(0.01 -> 1e-4, 80%)"  # `%` of total=, the number of optimizer steps
STEPS = 10
BATCH = 4


class RandomTokens(torch.utils.data.Dataset[dict[str, torch.Tensor]]):
    """Random token sequences as causal-LM examples (labels = inputs)."""

    def __init__(self, size: int, length: int = 8, vocab: int = 64) -> None:
        generator = torch.Generator().manual_seed(0)
        self.tokens = torch.randint(0, vocab, (size, length), generator=generator)

    def __len__(self) -> int:
        return len(self.tokens)

    def __getitem__(self, index: int) -> dict[str, torch.Tensor]:
        return {"input_ids": self.tokens[index], "labels": self.tokens[index]}


class LrBeforeEachOptimizerStep(TrainerCallback):
    """Records the lr each optimizer step runs with (the Trainer calls this right before `optimizer.step()`)."""

    def __init__(self) -> None:
        self.lrs: list[float] = []  # the first param group's
        self.group_lrs: list[list[float]] = []  # every group's

    def on_pre_optimizer_step(self, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        groups = kwargs["optimizer"].param_groups
        self.lrs.append(float(groups[0]["lr"]))
        self.group_lrs.append([float(group["lr"]) for group in groups])


def tiny_model() -> GPT2LMHeadModel:
    torch.manual_seed(0)
    return GPT2LMHeadModel(GPT2Config(n_layer=2, n_embd=32, n_head=2, vocab_size=64, n_positions=32))


def train(
    output_dir: Path,
    *,
    max_steps: int = STEPS,
    accumulation: int = 1,
    save_steps: int | None = None,
    resume_from: str | None = None,
    recorder: LrBeforeEachOptimizerStep | None = None,
    group_schedules: tuple[str, str] | None = None,
) -> tuple[list[float], list[dict[str, float]], ps.TorchScheduler]:
    """Fit the tiny model: the lr of each optimizer step, the Trainer's logged entries, the scheduler.

    The scheduler is stepped by the Trainer once per optimizer step (after `optimizer.step()`; with
    gradient accumulation, once per `accumulation` batches), so `total=` is the number of optimizer steps.
    With `group_schedules`, the usual two groups (weight decay on matrices, none on biases and norms) get
    one schedule each."""
    model = tiny_model()
    if group_schedules is None:
        optimizer = torch.optim.AdamW(model.parameters(), lr=0.5, weight_decay=0.01)  # lr= is overwritten
        scheduler = ps.TorchScheduler(optimizer, SCHEDULE, total=STEPS)
    else:
        matrices = [p for p in model.parameters() if p.dim() >= 2]
        others = [p for p in model.parameters() if p.dim() < 2]
        groups = [{"params": matrices, "weight_decay": 0.01}, {"params": others, "weight_decay": 0.0}]
        optimizer = torch.optim.AdamW(groups, lr=0.5)
        scheduler = ps.TorchScheduler(optimizer, list(group_schedules), total=STEPS)  # one text per group
    recorder = recorder or LrBeforeEachOptimizerStep()
    args = TrainingArguments(
        output_dir=str(output_dir),
        max_steps=max_steps,
        per_device_train_batch_size=BATCH,
        gradient_accumulation_steps=accumulation,
        logging_steps=1,
        save_strategy="no" if save_steps is None else "steps",
        save_steps=save_steps or 500,
        report_to="none",
        use_cpu=True,
        disable_tqdm=True,
        dataloader_num_workers=0,
        seed=0,
    )
    trainer = Trainer(
        model=model,
        args=args,
        train_dataset=RandomTokens(BATCH * accumulation * STEPS),
        optimizers=(optimizer, scheduler),
        callbacks=[recorder],
    )
    trainer.train(resume_from_checkpoint=resume_from)
    logged = [entry for entry in trainer.state.log_history if "learning_rate" in entry]
    return recorder.lrs, logged, scheduler


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        lrs, logged, _ = train(Path(directory))
    print("lr per optimizer step:", lrs)
    print("simulated:            ", ps.simulate(SCHEDULE, STEPS, total=STEPS).tolist())
    print("logged learning_rate: ", [entry["learning_rate"] for entry in logged])
