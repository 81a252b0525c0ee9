"""paramsched in a plain PyTorch loop, two ways: `ps.compile(...)` (an ignite-style scheduler, any
param-group key) and the torch adapter `ps.TorchScheduler` (a real torch LRScheduler).
Run: python examples/torch_loop.py"""

from __future__ import annotations

import torch

import paramsched as ps

SCHEDULE = "linear(0 -> 0.1, 10) then cosine(0.1 -> 1e-4, 40)"
MOMENTUM = "linear(0.95 -> 0.85, 10) then 0.85"
STEPS = 50


def data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(64, 3, generator=generator)
    return inputs, inputs @ torch.tensor([[1.0], [-2.0], [0.5]])


def with_compile(steps: int = STEPS) -> tuple[list[float], list[float]]:
    """ps.compile: `scheduler.step()` writes the current event's value, then advances, so it is
    called *before* `optimizer.step()`. Two keys, two schedulers. Returns the lrs and momenta used."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
    lr_scheduler = ps.compile(SCHEDULE, optimizer)
    momentum_scheduler = ps.compile(MOMENTUM, optimizer, "momentum")
    inputs, targets = data()
    lrs, momenta = [], []
    for _ in range(steps):
        lr_scheduler.step()
        momentum_scheduler.step()
        lrs.append(optimizer.param_groups[0]["lr"])
        momenta.append(optimizer.param_groups[0]["momentum"])
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
    return lrs, momenta


def with_adapter(steps: int = STEPS) -> list[float]:
    """ps.TorchScheduler: torch's convention. Construction sets event 0's lr; `scheduler.step()`
    comes *after* `optimizer.step()`. The lr here is a tensor, updated in place (torch.compile-friendly)."""
    torch.manual_seed(0)
    model = torch.nn.Linear(3, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=torch.tensor(0.1), momentum=0.9)
    scheduler = ps.TorchScheduler(optimizer, SCHEDULE)
    inputs, targets = data()
    lrs = []
    for _ in range(steps):
        lrs.append(float(scheduler.get_last_lr()[0]))  # the lr this optimizer step uses
        optimizer.zero_grad()
        torch.nn.functional.mse_loss(model(inputs), targets).backward()
        optimizer.step()
        scheduler.step()
    return lrs


if __name__ == "__main__":
    compiled_lrs, momenta = with_compile()
    adapter_lrs = with_adapter()
    print("lr (ps.compile):       ", [round(v, 5) for v in compiled_lrs[:12]], "...")
    print("momentum (ps.compile): ", [round(v, 3) for v in momenta[:12]], "...")
    print("lr (ps.TorchScheduler):", [round(v, 5) for v in adapter_lrs[:12]], "...")
    print("ps.compile matches ps.simulate:", compiled_lrs == ps.simulate(SCHEDULE, STEPS).tolist())
