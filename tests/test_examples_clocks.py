"""examples/token_clock.py: GPT-3's lr and batch size on a token clock under a growing batch, a VAE's KL β and
an EMA decay through ps.schedule; each checked against its paper's formula written out here."""

from __future__ import annotations

import importlib.util
import math
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

import paramsched as ps

torch = pytest.importorskip("torch")

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "token_clock.py"


def _example() -> ModuleType:
    spec = importlib.util.spec_from_file_location("paramsched_example_token_clock", EXAMPLE)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def gpt3_lr(tokens: int, peak: float = 6e-4, warmup: int = 4_000, decay: int = 200_000) -> float:
    """GPT-3's lr: linear warmup from 0 over `warmup` tokens, then cosine to peak/10 over `decay` tokens."""
    if tokens < warmup:
        return 0.0 + (peak - 0.0) * (tokens / warmup)
    u = min(tokens - warmup, decay) / decay
    return peak + (peak / 10 - peak) / 2 * (1 - math.cos(math.pi * u))


def test_the_lr_follows_gpt3s_formula_on_the_tokens_seen_while_the_batch_grows() -> None:
    example = _example()
    positions, batches, lrs = example.gpt_like()
    assert positions[0] == 0 and positions[-1] + batches[-1] * example.SEQUENCE >= example.TOKENS
    np.testing.assert_allclose(lrs, [gpt3_lr(t) for t in positions], rtol=1e-12, atol=0)
    assert lrs == ps.schedule(example.LR, clock="tokens")(np.array(positions)).tolist()  # bit for bit
    # the batch (in sequences) is linear(2 -> 32, 40ktok) of the tokens seen, rounded
    assert batches == [round(2 + (32 - 2) * (min(t, 40_000) / 40_000)) for t in positions]
    assert batches == sorted(batches) and batches[0] == 2 and batches[-1] == 32
    assert len(set(batches)) == 31  # it really grows: every size from 2 to 32
    steps = np.diff(positions).tolist()
    assert steps == [b * example.SEQUENCE for b in batches[:-1]]  # each step advanced by what it consumed


def test_kl_beta_and_ema_decay_follow_their_formulas() -> None:
    example = _example()
    betas, decays = example.vae_and_ema()
    # cyclical annealing: in each cycle of 100 steps β ramps 0 → 1 over 50 steps, then stays 1
    assert betas == pytest.approx([(t % 100) / 50 if t % 100 < 50 else 1.0 for t in range(400)], abs=1e-15)
    # BYOL: τ = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2
    byol = [1 - (1 - 0.996) * (math.cos(math.pi * k / 400) + 1) / 2 for k in range(400)]
    np.testing.assert_allclose(decays, byol, rtol=1e-12, atol=0)


def test_the_example_runs_as_a_script() -> None:
    completed = subprocess.run([sys.executable, str(EXAMPLE)], check=True, capture_output=True, text=True, timeout=120)
    assert "lr on the token clock matches ps.schedule: True" in completed.stdout
