"""A paramsched schedule in a real pytorch-ignite training run, checkpointed with ignite's `Checkpoint`
and resumed: the schedule continues exactly where it stopped. Run: python examples/ignite_training.py"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import torch
from ignite.engine import Engine, Events
from ignite.handlers import Checkpoint, DiskSaver

import paramsched as ps

SCHEDULE = "linear(0 -> 0.1, 5) then repeat(cosine(0.1 -> 1e-3, 8), cycle_mult=1.5)"
EPOCHS = 3
BATCHES = 8


def batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(BATCHES * 4, 3, generator=generator)
    targets = inputs @ torch.tensor([[1.0], [-2.0], [0.5]])
    return [(inputs[i : i + 4], targets[i : i + 4]) for i in range(0, len(inputs), 4)]


def build() -> tuple[Engine, torch.nn.Module, torch.optim.Optimizer, ps.ParamScheduler]:
    """A fresh trainer, model, optimizer and compiled schedule (the same for a run and its resume)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)

    def train_step(engine: Engine, batch: tuple[torch.Tensor, torch.Tensor]) -> float:
        inputs, targets = batch
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(inputs), targets)
        loss.backward()
        optimizer.step()
        return loss.item()

    trainer = Engine(train_step)
    scheduler = ps.compile(SCHEDULE, optimizer, save_history=True)  # history in state.param_history
    trainer.add_event_handler(Events.ITERATION_STARTED, scheduler)
    return trainer, model, optimizer, scheduler


def lr_history(trainer: Engine) -> list[float]:
    history: dict[str, list[list[float]]] = getattr(trainer.state, "param_history", {})
    return [values[0] for values in history["lr"]]


def run(checkpoint_dir: Path, stop_after: int | None = None, resume_from: Path | None = None) -> dict[str, Any]:
    """One run: optionally resumed from a checkpoint file, optionally stopped (and saved) after
    `stop_after` iterations. Returns the lr history, the final weights and the checkpoint written."""
    trainer, model, optimizer, scheduler = build()
    objects = {"trainer": trainer, "model": model, "optimizer": optimizer, "scheduler": scheduler}
    if resume_from is not None:
        # weights_only=True: paramsched's state is plain Python values, no pickled code
        Checkpoint.load_objects(to_load=objects, checkpoint=torch.load(resume_from, weights_only=True))
    saved: list[Path] = []
    if stop_after is not None:
        checkpoint = Checkpoint(objects, DiskSaver(str(checkpoint_dir), require_empty=False), n_saved=None)

        @trainer.on(Events.ITERATION_COMPLETED(once=stop_after))
        def save_and_stop(engine: Engine) -> None:
            checkpoint(engine)
            saved.append(Path(checkpoint_dir) / str(checkpoint.last_checkpoint))
            engine.terminate()

    trainer.run(batches(), max_epochs=EPOCHS)
    return {
        "lrs": lr_history(trainer),
        "weights": [p.detach().clone() for p in model.parameters()],
        "checkpoint": saved[0] if saved else None,
    }


def main(checkpoint_dir: Path, stop_after: int = 2 * BATCHES) -> dict[str, Any]:
    """An uninterrupted run, and the same run stopped after `stop_after` iterations and resumed.

    The lr history continues exactly wherever the run stops. The weights match too when it stops at
    an epoch's end: resumed mid-epoch, ignite's plain Engine starts that epoch's data over."""
    uninterrupted = run(checkpoint_dir)
    first = run(checkpoint_dir, stop_after=stop_after)
    second = run(checkpoint_dir, resume_from=first["checkpoint"])
    return {
        "uninterrupted": uninterrupted["lrs"],
        "resumed": first["lrs"] + second["lrs"],
        "same_weights": all(
            torch.equal(a, b) for a, b in zip(uninterrupted["weights"], second["weights"], strict=True)
        ),
        "checkpoint": first["checkpoint"],
    }


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as directory:
        result = main(Path(directory))
    print("uninterrupted:", result["uninterrupted"])
    print("resumed:      ", result["resumed"])
    print("identical:", result["uninterrupted"] == result["resumed"], "same weights:", result["same_weights"])
