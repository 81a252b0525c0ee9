"""A paramsched schedule from LightningCLI's config: `lr_scheduler: {class_path: paramsched.TorchScheduler,
init_args: {schedule: "..."}}`, in YAML (examples/lightning_cli.yaml) or on the command line.

LightningCLI's automatic `configure_optimizers` returns `[optimizer], [lr_scheduler]`, which Lightning steps
once per *epoch*. For a schedule counted in optimizer steps, `StepwiseCLI` returns the scheduler with
`"interval": "step"` instead (LightningCLI documents overriding this static method).

Run:
    python examples/lightning_cli.py fit --config examples/lightning_cli.yaml
    python examples/lightning_cli.py fit --config examples/lightning_cli.yaml \
        --lr_scheduler.init_args.schedule "warmup(2) then cosine(0.05 -> 0, 6)"
    python examples/lightning_cli.py fit --trainer.max_steps 8 --optimizer torch.optim.SGD \
        --optimizer.lr 0.1 --lr_scheduler paramsched.TorchScheduler \
        --lr_scheduler.schedule "linear(0 -> 0.1, 3) then cosine(0.1 -> 1e-3, 5)"
"""

from __future__ import annotations

from typing import Any

import lightning as L
import torch
from lightning.pytorch.cli import LightningCLI, LRSchedulerTypeUnion
from torch.utils.data import DataLoader, TensorDataset


class TinyRegression(L.LightningModule):
    """A linear model that records the lr each optimizer step ran with. It has no `configure_optimizers`:
    LightningCLI builds the optimizer and the scheduler from the config."""

    def __init__(self, batches_per_epoch: int = 4) -> None:
        super().__init__()
        self.layer = torch.nn.Linear(4, 1)
        self.batches_per_epoch = batches_per_epoch
        self.seen_lrs: list[float] = []

    def training_step(self, batch: tuple[torch.Tensor, torch.Tensor], batch_idx: int) -> torch.Tensor:
        self.seen_lrs.append(float(self.trainer.optimizers[0].param_groups[0]["lr"]))
        inputs, targets = batch
        return torch.nn.functional.mse_loss(self.layer(inputs), targets)

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, ...]]:
        generator = torch.Generator().manual_seed(0)
        inputs = torch.randn(8 * self.batches_per_epoch, 4, generator=generator)
        return DataLoader(TensorDataset(inputs, inputs.sum(dim=1, keepdim=True)), batch_size=8)


class StepwiseCLI(LightningCLI):
    """LightningCLI whose scheduler steps after every optimizer step (`"interval": "step"`)."""

    @staticmethod
    def configure_optimizers(
        lightning_module: L.LightningModule,
        optimizer: torch.optim.Optimizer,
        lr_scheduler: LRSchedulerTypeUnion | None = None,
    ) -> Any:
        if lr_scheduler is None:
            return optimizer
        return {"optimizer": optimizer, "lr_scheduler": {"scheduler": lr_scheduler, "interval": "step"}}


def main(args: list[str] | None = None, *, stepwise: bool = True) -> LightningCLI:
    """Run the CLI (`args` as on the command line); `stepwise=False` is plain LightningCLI (per epoch)."""
    cli = StepwiseCLI if stepwise else LightningCLI
    return cli(TinyRegression, args=args, save_config_kwargs={"overwrite": True})


if __name__ == "__main__":
    main()
