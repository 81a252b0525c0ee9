"""`ps.TorchScheduler.from_config` (one real LRScheduler for a whole config: lr, weight decay, momentum) and
`scale_key` (timm's per-group `lr_scale`), in a plain loop and under Lightning (issue 11, SPEC §4).

Expected values come from Hugging Face's `get_cosine_schedule_with_warmup` (a torch LambdaLR) or from the
closed forms of SPEC §2; resume goes through `torch.save` / `torch.load(weights_only=True)`."""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Any

import pytest

import paramsched as ps

torch = pytest.importorskip("torch")

WARMUP, TOTAL = 10, 100
CONFIG = {
    "lr": f"warmup({WARMUP}) then cosine(0.1 -> 0, {TOTAL - WARMUP})",  # HF's cosine with warmup, base lr 0.1
    "weight_decay": {"head": f"linear(1e-4 -> 0, {TOTAL})", "default": 0.01},
    "momentum": 0.9,
}


def hf_lrs(events: int) -> list[float]:
    """The lr of each step under transformers' get_cosine_schedule_with_warmup (or its formula, where
    transformers is absent): base·t/W while t < W, then base·0.5·(1 + cos(π·(t − W)/(N − W)))."""
    try:
        from transformers import get_cosine_schedule_with_warmup
    except ImportError:
        return [
            0.1 * t / WARMUP
            if t < WARMUP
            else 0.1 * 0.5 * (1 + math.cos(math.pi * min(t - WARMUP, TOTAL - WARMUP) / (TOTAL - WARMUP)))
            for t in range(events)
        ]
    optimizer = torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)
    scheduler = get_cosine_schedule_with_warmup(optimizer, WARMUP, TOTAL)
    lrs = []
    for _ in range(events):
        lrs.append(optimizer.param_groups[0]["lr"])
        optimizer.step()
        scheduler.step()
    return lrs


def wd_head(t: int) -> float:
    return 1e-4 + (0 - 1e-4) * min(t, TOTAL) / TOTAL


def two_groups() -> Any:
    body = torch.nn.Parameter(torch.zeros(2))
    head = torch.nn.Parameter(torch.zeros(2))
    return torch.optim.SGD(
        [{"params": [body], "name": "body"}, {"params": [head], "name": "head"}], lr=1.0, momentum=0.0
    )


def run(optimizer: Any, scheduler: Any, events: int) -> list[tuple[float, ...]]:
    """(lr body, lr head, wd body, wd head, momentum body, momentum head) each optimizer step used."""
    seen = []
    for _ in range(events):
        groups = optimizer.param_groups
        seen.append(tuple(float(g[key]) for key in ("lr", "weight_decay", "momentum") for g in groups))
        for group in groups:
            for param in group["params"]:
                param.grad = torch.ones_like(param)
        optimizer.step()
        scheduler.step()
    return seen


def through_torch(state: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def test_from_config_drives_every_key_in_a_plain_loop() -> None:
    optimizer = two_groups()
    scheduler = ps.TorchScheduler.from_config(optimizer, CONFIG)
    assert isinstance(scheduler, torch.optim.lr_scheduler.LRScheduler)
    seen = run(optimizer, scheduler, 120)
    lrs = hf_lrs(TOTAL + 1) + [0.0] * (120 - TOTAL - 1)  # after its last step HF's cosine rises again; ours holds 0
    assert [row[0] for row in seen] == pytest.approx(lrs, rel=1e-12, abs=1e-18)
    assert [row[1] for row in seen] == pytest.approx(lrs, rel=1e-12, abs=1e-18)
    assert [row[2] for row in seen] == [0.01] * 120  # `default`: the body group
    assert [row[3] for row in seen] == pytest.approx([wd_head(t) for t in range(120)], rel=1e-12, abs=1e-18)
    assert {row[4] for row in seen} == {row[5] for row in seen} == {0.9}
    assert scheduler.get_last_lr() == [g["lr"] for g in optimizer.param_groups]
    assert scheduler.get_last_lr() == [0.0, 0.0]
    assert scheduler.plans == {
        "lr": "warmup(10) then cosine(0.1 -> 0, 90)",
        "weight_decay.0": "0.01",
        "weight_decay.1": "linear(0.0001 -> 0, 100)",
        "momentum": "0.9",
    }


@pytest.mark.parametrize("stop", [0, 1, 9, 10, 11, 57, 99, 100])
def test_from_config_resumes_exactly_through_weights_only(stop: int) -> None:
    reference_optimizer = two_groups()
    reference = run(reference_optimizer, ps.TorchScheduler.from_config(reference_optimizer, CONFIG), 110)
    optimizer = two_groups()
    scheduler = ps.TorchScheduler.from_config(optimizer, CONFIG)
    first = run(optimizer, scheduler, stop)
    state = through_torch({"scheduler": scheduler.state_dict(), "optimizer": optimizer.state_dict()})
    assert all(type(v) in (int, str, list, dict) for v in state["scheduler"].values())
    fresh = two_groups()
    resumed = ps.TorchScheduler.from_config(fresh, CONFIG)
    fresh.load_state_dict(state["optimizer"])  # replaces the group dicts: the scheduler must follow
    resumed.load_state_dict(state["scheduler"])
    assert first + run(fresh, resumed, 110 - stop) == reference


def test_from_config_refuses_a_key_no_group_has_and_names_the_label() -> None:
    with pytest.raises(ValueError, match=r"betas: param group 0 of SGD has no 'betas' entry"):
        ps.TorchScheduler.from_config(two_groups(), {"betas": "0.9"})
    with pytest.raises(ps.ScheduleError, match=r"weight_decay.tail: no param group is named 'tail'"):
        ps.TorchScheduler.from_config(two_groups(), {"weight_decay": {"tail": 0}})
    with pytest.raises(ps.UnitError, match=r"^lr: duration '5%' needs `total`"):
        ps.TorchScheduler.from_config(two_groups(), {"lr": "linear(0 -> 1, 5%)"})


def test_from_config_takes_a_yaml_file(tmp_path: Path) -> None:
    pytest.importorskip("yaml")
    path = tmp_path / "schedules.yaml"
    path.write_text('lr: "cosine(0.1 -> 0, 100%)"\nweight_decay: {head: 0.05, default: 0}\n', encoding="utf-8")
    optimizer = two_groups()
    ps.TorchScheduler.from_config(optimizer, path, total=50)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.1]
    assert [g["weight_decay"] for g in optimizer.param_groups] == [0, 0.05]


def test_a_state_of_the_plain_constructor_is_refused_by_a_config_scheduler() -> None:
    optimizer = two_groups()
    plain = ps.TorchScheduler(optimizer, "0.1").state_dict()
    scheduler = ps.TorchScheduler.from_config(two_groups(), {"lr": "0.1"})
    with pytest.raises(ps.StateDictError, match="another config"):
        scheduler.load_state_dict(plain)


# -- scale_key --------------------------------------------------------------------------------------


def layered(scales: list[float | None]) -> Any:
    groups = []
    for index, scale in enumerate(scales):
        group: dict[str, Any] = {"params": [torch.nn.Parameter(torch.zeros(1))], "name": f"layer{index}"}
        if scale is not None:
            group["lr_scale"] = scale
        groups.append(group)
    return torch.optim.AdamW(groups, lr=1.0, weight_decay=0.05)


def test_scale_key_multiplies_each_groups_value_by_its_own_entry() -> None:
    scales = [0.75**3, 0.75**2, 0.75, None]  # layer-wise decay 0.75; the head has no entry: scale 1
    optimizer = layered(scales)
    scheduler = ps.TorchScheduler(optimizer, "cosine(0.001 -> 0, 50)", scale_key="lr_scale")
    for t in range(60):
        base = 0.001 + (0 - 0.001) / 2 * (1 - math.cos(math.pi * min(t, 50) / 50))
        expected = [base * (1.0 if s is None else s) for s in scales]
        assert [g["lr"] for g in optimizer.param_groups] == pytest.approx(expected, rel=1e-12, abs=1e-18)
        optimizer.step()
        scheduler.step()
    assert scheduler.evaluate(1, 60)[0].tolist() == pytest.approx([g["lr"] for g in optimizer.param_groups])


def test_scale_key_in_from_config_scales_the_lr_only() -> None:
    optimizer = layered([0.5, None])
    config = {"lr": "const(0.002, 10)", "weight_decay": "const(0.05, 10)"}
    ps.TorchScheduler.from_config(optimizer, config, scale_key="lr_scale")
    assert [g["lr"] for g in optimizer.param_groups] == [0.001, 0.002]
    assert [g["weight_decay"] for g in optimizer.param_groups] == [0.05, 0.05]


def test_without_scale_key_the_entry_is_ignored() -> None:
    optimizer = layered([0.5, None])
    ps.TorchScheduler(optimizer, "0.002")
    assert [g["lr"] for g in optimizer.param_groups] == [0.002, 0.002]


# -- under Lightning --------------------------------------------------------------------------------


def test_from_config_under_lightning_with_a_checkpoint_resume(tmp_path: Path) -> None:
    lightning = pytest.importorskip("lightning")
    from torch.utils.data import DataLoader, TensorDataset

    class Module(lightning.LightningModule):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.layer = torch.nn.Linear(4, 1)
            self.seen: list[tuple[float, float]] = []

        def training_step(self, batch: Any, batch_idx: int) -> Any:
            group = self.trainer.optimizers[0].param_groups[0]
            self.seen.append((float(group["lr"]), float(group["weight_decay"])))
            inputs, targets = batch
            return torch.nn.functional.mse_loss(self.layer(inputs), targets)

        def configure_optimizers(self) -> Any:
            optimizer = torch.optim.AdamW(self.parameters(), lr=1.0)
            config = {"lr": CONFIG["lr"], "weight_decay": f"linear(1e-4 -> 0, {TOTAL})"}
            scheduler = ps.TorchScheduler.from_config(optimizer, config)
            return {"optimizer": optimizer, "lr_scheduler": {"scheduler": scheduler, "interval": "step"}}

        def train_dataloader(self) -> Any:
            inputs = torch.randn(64, 4, generator=torch.Generator().manual_seed(0))
            return DataLoader(TensorDataset(inputs, inputs.sum(dim=1, keepdim=True)), batch_size=4)

    def trainer(max_steps: int) -> Any:
        return lightning.Trainer(
            max_steps=max_steps,
            accelerator="cpu",
            devices=1,
            logger=False,
            enable_checkpointing=False,
            enable_progress_bar=False,
            enable_model_summary=False,
        )

    first = Module()
    halfway = trainer(12)
    halfway.fit(first)
    checkpoint = tmp_path / "halfway.ckpt"
    halfway.save_checkpoint(checkpoint)
    second = Module()
    trainer(24).fit(second, ckpt_path=checkpoint, weights_only=True)
    seen = first.seen + second.seen
    assert [lr for lr, _ in seen] == pytest.approx(hf_lrs(24), rel=1e-12, abs=1e-18)
    assert [wd for _, wd in seen] == pytest.approx([wd_head(t) for t in range(24)], rel=1e-12, abs=1e-18)


def test_scale_key_on_compile_and_compile_config() -> None:
    """The ignite-style entry points take the same scale: value · group's entry, missing = 1; lr only in a config."""
    scales = [0.5, 0.25, None]
    optimizer = layered(scales)
    scheduler = ps.compile("linear(0 -> 0.004, 8) then cosine(0.004 -> 0, 40)", optimizer, scale_key="lr_scale")
    for t in range(60):
        scheduler.step()
        if t < 8:
            base = 0.004 * t / 8
        else:
            base = 0.004 + (0 - 0.004) / 2 * (1 - math.cos(math.pi * min(t - 8, 40) / 40))
        expected = [base * (1.0 if s is None else s) for s in scales]
        assert [g["lr"] for g in optimizer.param_groups] == pytest.approx(expected, rel=1e-12, abs=1e-18)
    optimizer = layered(scales)
    handler = ps.compile_config({"lr": "0.002", "weight_decay": "0.05"}, optimizer, scale_key="lr_scale")
    handler.step()
    assert [g["lr"] for g in optimizer.param_groups] == [0.001, 0.0005, 0.002]
    assert [g["weight_decay"] for g in optimizer.param_groups] == [0.05, 0.05, 0.05]
