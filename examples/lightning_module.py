"""A paramsched schedule in PyTorch Lightning: `configure_optimizers` returns the torch adapter, stepped
every optimizer step (`"interval": "step"`). Run: python examples/lightning_module.py"""

from __future__ import annotations

from pathlib import Path

import lightning as L
import torch
from lightning.pytorch.utilities.types import OptimizerLRSchedulerConfig
from torch.utils.data import DataLoader, TensorDataset

import paramsched as ps

SCHEDULE = "linear(0 -> 0.1, 3) then cosine(0.1 -> 1e-3, 10)"


class TinyRegression(L.LightningModule):
    """A linear model that records the lr each optimizer step ran with (to compare with ps.simulate)."""

    def __init__(self, schedule: str = SCHEDULE) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.schedule = schedule
        self.seen_lrs: list[float] = []

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        self.seen_lrs.append(float(self.trainer.optimizers[0].param_groups[0]["lr"]))
        inputs, targets = batch
        return torch.nn.functional.mse_loss(self.layer(inputs), targets)

    def configure_optimizers(self) -> OptimizerLRSchedulerConfig:
        optimizer = torch.optim.SGD(self.parameters(), lr=0.1, momentum=0.9)
        scheduler = ps.TorchScheduler(optimizer, self.schedule)  # a torch LRScheduler
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        generator = torch.Generator().manual_seed(0)
        inputs = torch.randn(64, 4, generator=generator)
        return DataLoader(TensorDataset(inputs, inputs.sum(dim=1, keepdim=True)), batch_size=8)


def trainer(max_steps: int) -> L.Trainer:
    return L.Trainer(
        max_steps=max_steps,
        accelerator="cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
    )


def main(max_steps: int = 6, resume_dir: Path | None = None) -> list[float]:
    """Fit for `max_steps`; with `resume_dir`, stop halfway, save a checkpoint and resume from it."""
    if resume_dir is None:
        module = TinyRegression()
        trainer(max_steps).fit(module)
        return module.seen_lrs
    first = TinyRegression()
    halfway = trainer(max_steps // 2)
    halfway.fit(first)
    checkpoint = Path(resume_dir) / "halfway.ckpt"
    halfway.save_checkpoint(checkpoint)
    second = TinyRegression()
    # weights_only=True: the checkpoint, scheduler state included, loads without unpickling code
    trainer(max_steps).fit(second, ckpt_path=checkpoint, weights_only=True)
    return first.seen_lrs + second.seen_lrs


if __name__ == "__main__":
    lrs = main()
    print("lr per step:", lrs)
    print("simulated:  ", ps.simulate(SCHEDULE, len(lrs)).tolist())
