"""A plain training loop whose lr, momentum and weight decay follow examples/config.yaml.

    python examples/config_training.py [--steps 40]

One handler steps every schedule; its state_dict checkpoints them all together.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import torch

from paramsched import compile_config

CONFIG = Path(__file__).with_name("config.yaml")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=40, help="optimizer steps in the run")
    args = parser.parse_args()

    torch.manual_seed(0)
    body, head = torch.nn.Linear(8, 16), torch.nn.Linear(16, 1)
    model = torch.nn.Sequential(body, torch.nn.ReLU(), head)
    optimizer = torch.optim.SGD(
        [
            {"params": [body.weight], "name": "body"},
            {"params": [head.weight], "name": "head"},
            {"params": [body.bias, head.bias], "name": "biases"},
        ],
        lr=0.1,
        momentum=0.9,
    )
    # `%` durations in the config are fractions of the run: total=args.steps
    schedules = compile_config(CONFIG, optimizer, total=args.steps)
    print(schedules)

    data, target = torch.randn(64, 8), torch.randn(64, 1)
    checkpoint = None
    for step in range(args.steps):
        schedules.step()  # writes every scheduled param for this step, before optimizer.step()
        optimizer.zero_grad()
        loss = torch.nn.functional.mse_loss(model(data), target)
        loss.backward()
        optimizer.step()
        if step == args.steps // 2:
            checkpoint = {"model": model.state_dict(), "schedules": schedules.state_dict()}
        if step % 10 == 0 or step == args.steps - 1:
            groups = optimizer.param_groups
            print(
                f"step {step:3d}  lr {groups[0]['lr']:.4f} (head {groups[1]['lr']:.4f})  "
                f"momentum {groups[0]['momentum']:.3f}  "
                f"wd(head) {groups[1]['weight_decay']:.2e}  loss {loss.item():.4f}"
            )

    # resuming: a fresh handler from the same config continues where the checkpoint stopped
    assert checkpoint is not None
    resumed = compile_config(CONFIG, optimizer, total=args.steps)
    resumed.load_state_dict(checkpoint["schedules"])
    expected = schedules.simulate(args.steps)["lr.0"][args.steps // 2 + 1]
    resumed.step()
    print(f"resumed at step {args.steps // 2 + 1}: lr {optimizer.param_groups[0]['lr']:.4f} (expected {expected:.4f})")


if __name__ == "__main__":
    main()
