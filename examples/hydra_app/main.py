"""A Hydra app whose optimizer params follow paramsched schedules given in the config or the shell.

python examples/hydra_app/main.py
python examples/hydra_app/main.py 'optim.lr="cosine(0.1 -> 0, 20)"' train.steps=5
python examples/hydra_app/main.py --multirun 'optim.lr="linear(0 -> 1, 10)","cosine(1 -> 0, 10)"'
"""

from __future__ import annotations

import hydra
from hydra.utils import instantiate
from omegaconf import DictConfig

from paramsched import compile_config, register_resolvers

register_resolvers()  # before Hydra composes the config: ${schedule:...}, ${schedule_value:...}


@hydra.main(version_base="1.3", config_path="conf", config_name="config")
def main(cfg: DictConfig) -> None:
    import torch  # imported here so that a bad override fails fast, before torch loads

    torch.manual_seed(0)
    model = torch.nn.Linear(4, 1)
    optimizer = torch.optim.SGD([{"params": [model.weight]}, {"params": [model.bias]}], lr=cfg.initial_lr, momentum=0.0)
    # every param of `optim` in one handler, attached/stepped once and checkpointed as one state
    schedules = compile_config(cfg.optim, optimizer, total=cfg.train.total)
    # the `_target_` form: a factory validated at instantiation, compiled once the optimizer exists
    lr_only = instantiate(cfg.scheduler)
    print(f"schedule: {cfg.lr_schedule}  (factory: {lr_only!r})")
    data, target = torch.randn(32, 4), torch.randn(32, 1)
    for step in range(cfg.train.steps):
        schedules.step()  # writes lr, momentum and weight_decay for this step
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if step % 5 == 0 or step == cfg.train.steps - 1:
            group = optimizer.param_groups[0]
            print(f"step {step:3d}  lr {group['lr']:.5f}  wd {group['weight_decay']:.2e}  loss {loss.item():.4f}")
    print(f"final lr {optimizer.param_groups[0]['lr']:.6g}")


if __name__ == "__main__":
    main()
