"""The recipes (docs/recipes/*.md): each page's one line gives the values of the schedule it reproduces.

The line tested is the one the page shows (the ```text block after `<!-- recipe -->`). The expected values
come from outside paramsched: the paper's formula written out here in plain Python, torch's own
schedulers, timm's formula transcribed from timm/scheduler/cosine_lr.py, and Hugging Face's
get_*_schedule_with_warmup where transformers is importable (the closed form HF documents otherwise).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import paramsched as ps

RECIPES = Path(__file__).resolve().parent.parent / "docs" / "recipes"
torch = pytest.importorskip("torch")


def recipe(name: str, which: str = "") -> str:
    """The one line of docs/recipes/<name>.md (`which`: a second line, marked `<!-- recipe WHICH -->`)."""
    page = (RECIPES / f"{name}.md").read_text(encoding="utf-8")
    marker = f"<!-- recipe {which} -->" if which else "<!-- recipe -->"
    found = re.findall(re.escape(marker) + r"\n```text\n(.*?)\n```", page, flags=re.DOTALL)
    assert len(found) == 1, f"{name}.md has {len(found)} {marker} blocks"
    return str(found[0])


def formula(function: Callable[[int], float], events: int) -> np.ndarray:
    return np.array([function(t) for t in range(events)], dtype=np.float64)


def torch_values(make: Callable[[Any], Any], events: int, key: str = "lr", lr: float = 0.1) -> np.ndarray:
    """The values a torch scheduler leaves in the optimizer for events 0..events-1 (torch's order)."""
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr, momentum=0.9)
    scheduler = make(optimizer)
    values = []
    for _ in range(events):
        values.append(optimizer.param_groups[0][key])
        optimizer.step()
        scheduler.step()
    return np.array(values, dtype=np.float64)


def hf_factors(name: str, events: int, **kwargs: Any) -> np.ndarray:
    """Hugging Face's own lr factor for each event (its LambdaLR's lr_lambda), if transformers is installed."""
    optimization = pytest.importorskip("transformers.optimization")
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
    scheduler = getattr(optimization, name)(optimizer, **kwargs)
    (factor,) = scheduler.lr_lambdas
    return np.array([factor(t) for t in range(events)], dtype=np.float64)


def test_every_recipe_page_has_its_line() -> None:
    pages = sorted(path.stem for path in RECIPES.glob("*.md") if path.stem != "index")
    assert pages == ["bert", "deit", "gpt3", "llama2", "onecycle", "resnet", "sgdr", "transformer", "wsd"]
    for name in pages:
        ps.parse(recipe(name))
    ps.parse(recipe("gpt3", "batch"))


# LLaMA 2 (Touvron et al. 2023, §2.2): peak 3e-4, 2,000 warmup steps, cosine down to 10% of the peak;
# 2T tokens in batches of 4M tokens is 500,000 steps.
LLAMA_PEAK, LLAMA_WARMUP, LLAMA_STEPS = 3e-4, 2000, 500_000


def llama2(t: int) -> float:
    if t < LLAMA_WARMUP:
        return LLAMA_PEAK * t / LLAMA_WARMUP
    progress = min(t - LLAMA_WARMUP, LLAMA_STEPS - LLAMA_WARMUP) / (LLAMA_STEPS - LLAMA_WARMUP)
    return 0.1 * LLAMA_PEAK + 0.9 * LLAMA_PEAK * 0.5 * (1 + math.cos(math.pi * progress))


def test_llama2_is_the_papers_warmup_and_cosine_to_ten_percent() -> None:
    values = ps.simulate(recipe("llama2"), LLAMA_STEPS + 10)
    np.testing.assert_allclose(values, formula(llama2, LLAMA_STEPS + 10), rtol=1e-12, atol=1e-20)
    assert values[LLAMA_WARMUP] == LLAMA_PEAK
    assert values[-1] == pytest.approx(3e-5, rel=1e-15)


def test_llama2_is_hugging_faces_cosine_with_min_lr() -> None:
    factors = hf_factors(
        "get_cosine_with_min_lr_schedule_with_warmup",
        LLAMA_STEPS + 1,
        num_warmup_steps=LLAMA_WARMUP,
        num_training_steps=LLAMA_STEPS,
        min_lr_rate=0.1,
    )
    np.testing.assert_allclose(ps.simulate(recipe("llama2"), LLAMA_STEPS + 1), LLAMA_PEAK * factors, rtol=1e-9)


# BERT (Devlin et al. 2019, appendix A.2): lr 1e-4, warmup over the first 10,000 steps, linear decay, 1M steps.
BERT_PEAK, BERT_WARMUP, BERT_STEPS = 1e-4, 10_000, 1_000_000


def bert(t: int) -> float:
    """HF's documented get_linear_schedule_with_warmup: lr·min(t/W, max(0, (N − t)/(N − W)))."""
    if t < BERT_WARMUP:
        return BERT_PEAK * t / BERT_WARMUP
    return BERT_PEAK * max(0.0, (BERT_STEPS - t) / (BERT_STEPS - BERT_WARMUP))


def test_bert_is_warmup_then_linear_decay() -> None:
    values = ps.simulate(recipe("bert"), BERT_STEPS + 10)
    np.testing.assert_allclose(values, formula(bert, BERT_STEPS + 10), rtol=1e-9, atol=1e-20)
    assert values[BERT_WARMUP] == BERT_PEAK
    assert values[BERT_STEPS] == 0.0


def test_bert_is_hugging_faces_linear_schedule_with_warmup() -> None:
    factors = hf_factors(
        "get_linear_schedule_with_warmup", BERT_STEPS + 10, num_warmup_steps=BERT_WARMUP, num_training_steps=BERT_STEPS
    )
    np.testing.assert_allclose(ps.simulate(recipe("bert"), BERT_STEPS + 10), BERT_PEAK * factors, rtol=1e-9, atol=1e-20)


# The Transformer (Vaswani et al. 2017, §5.3): lrate = d_model^-0.5 · min(step^-0.5, step · warmup^-1.5),
# step counted from 1; d_model = 512, warmup_steps = 4000. Event t is step t + 1.
def transformer(t: int, d_model: int = 512, warmup: int = 4000) -> float:
    step = t + 1
    return float(d_model**-0.5 * min(step**-0.5, step * warmup**-1.5))


def test_transformer_is_the_papers_inverse_square_root_with_warmup() -> None:
    events = 100_000
    values = ps.simulate(recipe("transformer"), events)
    np.testing.assert_allclose(values, formula(transformer, events), rtol=1e-12)
    assert int(np.argmax(values)) == 3999  # the peak is at step 4000


# ResNet (He et al. 2016; torchvision's ImageNet recipe): lr 0.1, ×0.1 at epochs 30, 60 and 90.
def test_resnet_is_torchs_multisteplr_per_epoch() -> None:
    expected = torch_values(
        lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 60, 90], gamma=0.1), 100
    )
    values = ps.simulate(recipe("resnet"), 100)
    np.testing.assert_allclose(values, expected, rtol=1e-9)
    assert values[29] == 0.1 and values[30] != 0.1


def test_resnet_per_iteration_is_the_epoch_schedule_held_through_each_epoch() -> None:
    per_epoch = torch_values(
        lambda opt: torch.optim.lr_scheduler.MultiStepLR(opt, milestones=[30, 60, 90], gamma=0.1), 95
    )
    steps_per_epoch = 5005  # ImageNet's 1,281,167 images in batches of 256
    text = "multistep(0.1, at=[30ep, 60ep, 90ep], gamma=0.1)"
    values = ps.simulate(text, 95 * steps_per_epoch, steps_per_epoch=steps_per_epoch)
    np.testing.assert_allclose(values, np.repeat(per_epoch, steps_per_epoch), rtol=1e-9)


# SGDR (Loshchilov & Hutter 2017, eq. 5): η = η_min + ½(η_max − η_min)(1 + cos(π·T_cur/T_i)), T_0 = 10,
# T_mult = 2, restarting at η_max; η_max = 0.05, η_min = 0 (their WRN on CIFAR).
def sgdr(t: int, eta_max: float = 0.05, eta_min: float = 0.0, t_0: int = 10, t_mult: int = 2) -> float:
    t_i = t_0
    while t >= t_i:
        t, t_i = t - t_i, t_i * t_mult
    return eta_min + 0.5 * (eta_max - eta_min) * (1 + math.cos(math.pi * t / t_i))


def test_sgdr_is_the_papers_warm_restarts() -> None:
    values = ps.simulate(recipe("sgdr"), 310)
    np.testing.assert_allclose(values, formula(sgdr, 310), rtol=1e-12, atol=1e-18)
    assert [t for t in range(1, 310) if values[t] > values[t - 1]] == [10, 30, 70, 150]


def test_sgdr_is_torchs_cosine_annealing_warm_restarts() -> None:
    expected = torch_values(
        lambda opt: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(opt, T_0=10, T_mult=2, eta_min=0.0),
        310,
        lr=0.05,
    )
    np.testing.assert_allclose(ps.simulate(recipe("sgdr"), 310), expected, rtol=1e-9, atol=1e-18)


# 1cycle (Smith & Topin 2019), as torch's OneCycleLR: max_lr 0.1 over 1,000 steps, torch's defaults
# (pct_start=0.3, div_factor=25, final_div_factor=1e4, anneal_strategy="cos", momentum 0.95 -> 0.85 -> 0.95).
MOMENTUM_1CYCLE = "cosine(0.95 -> 0.85, 299) then cosine(0.85 -> 0.95, 700)"


def one_cycle(optimizer: Any) -> Any:
    return torch.optim.lr_scheduler.OneCycleLR(optimizer, max_lr=0.1, total_steps=1000)


def test_onecycle_lr_is_torchs_onecyclelr() -> None:
    np.testing.assert_allclose(ps.simulate(recipe("onecycle"), 1000), torch_values(one_cycle, 1000), rtol=1e-9)


def test_onecycle_momentum_is_torchs_onecyclelr() -> None:
    page = (RECIPES / "onecycle.md").read_text(encoding="utf-8")
    assert MOMENTUM_1CYCLE in page
    expected = torch_values(one_cycle, 1000, key="momentum")
    np.testing.assert_allclose(ps.simulate(MOMENTUM_1CYCLE, 1000), expected, rtol=1e-9)


def test_onecycle_config_drives_lr_and_momentum_like_torch() -> None:
    optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=0.1, momentum=0.9)
    schedules = ps.compile_config({"lr": recipe("onecycle"), "momentum": MOMENTUM_1CYCLE}, optimizer)
    seen = []
    for _ in range(1000):
        schedules.step()  # ignite's order: before optimizer.step()
        seen.append((optimizer.param_groups[0]["lr"], optimizer.param_groups[0]["momentum"]))
        optimizer.step()
    np.testing.assert_allclose([lr for lr, _ in seen], torch_values(one_cycle, 1000), rtol=1e-9)
    np.testing.assert_allclose([m for _, m in seen], torch_values(one_cycle, 1000, key="momentum"), rtol=1e-9)


# DeiT (Touvron et al. 2021; facebookresearch/deit main.py defaults): timm's CosineLRScheduler with
# t_initial=300 epochs, lr = 5e-4·1024/512, lr_min=1e-5, warmup_t=5, warmup_lr_init=1e-6, warmup_prefix=False,
# cycle_limit=1, and 10 cooldown epochs at lr_min (310 in all). timm's _get_lr, for these arguments:
def timm_cosine(t: int) -> float:
    lr, t_initial, lr_min, warmup_t, warmup_lr_init = 1e-3, 300, 1e-5, 5, 1e-6
    if t < warmup_t:
        return warmup_lr_init + t * ((lr - warmup_lr_init) / warmup_t)
    i = t // t_initial  # warmup_prefix=False: t keeps counting from 0; cycle_mul=1
    t_curr = t - t_initial * i
    if i < 1:  # cycle_limit=1
        return lr_min + 0.5 * (lr - lr_min) * (1 + math.cos(math.pi * t_curr / t_initial))
    return lr_min


def test_deit_is_timms_cosine_with_warmup() -> None:
    values = ps.simulate(recipe("deit"), 310)
    np.testing.assert_allclose(values, formula(timm_cosine, 310), rtol=1e-12)
    assert values[0] == 1e-6
    assert values[-1] == pytest.approx(1e-5, rel=1e-12)


# Warmup-stable-decay with a 1-sqrt cooldown (Hägele et al. 2024, "Scaling Laws and Compute-Optimal Training
# Beyond Fixed Training Durations", eq. 1-sqrt): lr = η·(1 − sqrt((t − T_0)/T_cd)) in the cooldown.
# η = 1e-3 over 100,000 steps: 1% warmup, 20% cooldown.
WSD_PEAK, WSD_TOTAL = 1e-3, 100_000


def wsd(t: int) -> float:
    warmup, cooldown = 1000, 20_000
    if t < warmup:
        return WSD_PEAK * t / warmup
    if t < WSD_TOTAL - cooldown:
        return WSD_PEAK
    return WSD_PEAK * (1 - math.sqrt(min(t - (WSD_TOTAL - cooldown), cooldown) / cooldown))


def test_wsd_is_the_papers_1_sqrt_cooldown() -> None:
    values = ps.simulate(recipe("wsd"), WSD_TOTAL + 10, total=WSD_TOTAL)
    np.testing.assert_allclose(values, formula(wsd, WSD_TOTAL + 10), rtol=1e-12, atol=1e-19)
    assert values[WSD_TOTAL] == 0.0


def test_wsd_is_hugging_faces_wsd_schedule_with_1_sqrt_decay() -> None:
    factors = hf_factors(
        "get_wsd_schedule",
        WSD_TOTAL + 10,
        num_warmup_steps=1000,
        num_decay_steps=20_000,
        num_training_steps=WSD_TOTAL,
        decay_type="1-sqrt",
    )
    values = ps.simulate(recipe("wsd"), WSD_TOTAL + 10, total=WSD_TOTAL)
    np.testing.assert_allclose(values, WSD_PEAK * factors, rtol=1e-9, atol=1e-19)


# GPT-3 175B (Brown et al. 2020, Table 2.1 and appendix B): peak lr 0.6e-4, linear warmup over the first 375M
# tokens, cosine decay to 10% of the peak over 260B tokens (then 10% onwards), sequences of 2,048 tokens, the
# batch growing linearly from 32k tokens (16 sequences) to 3.2M (1,536 sequences) over the first 4B tokens
# (the paper: 4-12B depending on size; docs/recipes/gpt3.md says why 4B). Positions are tokens seen.
GPT3_PEAK, GPT3_WARMUP, GPT3_DECAY_END = 6e-5, 375_000_000, 260_000_000_000
GPT3_RAMP, GPT3_FIRST, GPT3_FULL, GPT3_SEQUENCE = 4_000_000_000, 16, 1536, 2048


def gpt3_lr(tokens: int) -> float:
    if tokens < GPT3_WARMUP:
        return GPT3_PEAK * tokens / GPT3_WARMUP
    progress = (min(tokens, GPT3_DECAY_END) - GPT3_WARMUP) / (GPT3_DECAY_END - GPT3_WARMUP)
    return 0.1 * GPT3_PEAK + 0.9 * GPT3_PEAK * 0.5 * (1 + math.cos(math.pi * progress))


def gpt3_batch(tokens: int) -> float:
    """Sequences per batch."""
    return GPT3_FIRST + (GPT3_FULL - GPT3_FIRST) * min(tokens, GPT3_RAMP) / GPT3_RAMP


def gpt3_positions() -> np.ndarray:
    rng = np.random.default_rng(2020)
    random = rng.integers(0, 300_000_000_000, size=10_000, dtype=np.int64)
    edges = [0, 1, GPT3_WARMUP - 1, GPT3_WARMUP, GPT3_WARMUP + 1, GPT3_RAMP - 1, GPT3_RAMP, GPT3_RAMP + 1]
    edges += [GPT3_DECAY_END - 1, GPT3_DECAY_END, GPT3_DECAY_END + 1, 10**12]
    return np.concatenate([np.array(edges, dtype=np.int64), random])


def test_gpt3_lr_is_the_papers_warmup_and_cosine_to_ten_percent_in_tokens() -> None:
    lr = ps.schedule(recipe("gpt3"), clock="tokens")
    positions = gpt3_positions()
    expected = np.array([gpt3_lr(int(t)) for t in positions])
    np.testing.assert_allclose(lr(positions), expected, rtol=1e-12, atol=1e-20)
    assert lr(GPT3_WARMUP) == GPT3_PEAK
    assert lr.duration == GPT3_DECAY_END
    assert lr(GPT3_DECAY_END) == pytest.approx(0.1 * GPT3_PEAK, rel=1e-12)
    assert lr(10**12) == lr(GPT3_DECAY_END)  # 10% onwards


def test_gpt3_batch_ramps_from_32k_to_3_2m_tokens_over_4b_tokens() -> None:
    batch = ps.schedule(recipe("gpt3", "batch"), clock="tokens")
    positions = gpt3_positions()
    np.testing.assert_allclose(batch(positions), [gpt3_batch(int(t)) for t in positions], rtol=1e-12)
    assert batch(0) * GPT3_SEQUENCE == 32_768 and batch(GPT3_RAMP) * GPT3_SEQUENCE == 3_145_728
    assert batch.duration == GPT3_RAMP


def test_gpt3_torch_scheduler_on_the_token_clock_follows_the_formula_through_the_ramp() -> None:
    """A training loop's view: the batch the ramp gives, the lr the TorchScheduler writes for each step."""
    batch = ps.schedule(recipe("gpt3", "batch"), clock="tokens")
    optimizer = torch.optim.AdamW([torch.zeros(1, requires_grad=True)], lr=0.0, betas=(0.9, 0.95))
    scheduler = ps.TorchScheduler(optimizer, recipe("gpt3"), clock="tokens")
    seen, used, expected = 0, [], []
    for _ in range(10_000):
        used.append(optimizer.param_groups[0]["lr"])
        expected.append(gpt3_lr(seen))
        optimizer.step()
        consumed = round(batch(seen)) * GPT3_SEQUENCE
        seen += consumed
        scheduler.step(tokens=consumed)
    assert seen > GPT3_RAMP  # through the whole ramp, into the full batch
    assert scheduler.position == seen
    np.testing.assert_allclose(used, expected, rtol=1e-12, atol=1e-20)
