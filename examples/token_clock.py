"""Schedules on a token clock, and schedules for things that are not param groups.

GPT-3 (Brown et al. 2020, appendix B) plans its lr in tokens: a linear warmup over the first 375M tokens,
then a cosine decay to 10% of the peak over 260B tokens, while the batch grows linearly from 32k tokens to
its full size over the first billions of tokens. With a growing batch the lr is not a function of the step,
so the schedule runs on the token clock: each `scheduler.step(tokens=n)` advances by the n tokens the step
just consumed, and the batch size is a schedule of the same clock read through `ps.schedule`.

The full-size texts (GPT-3 175B: peak lr 0.6e-4, 2048-token sequences, batch 32k → 3.2M tokens):

    lr:         warmup(375Mtok) then cosine(6e-5 -> 6e-6, 260Btok)
    batch size: linear(16 -> 1536, 4Btok)        (in sequences of 2048 tokens)

This script runs the same shapes scaled down to a few hundred thousand tokens, so that it finishes in
seconds on a CPU. Then a VAE's KL weight β (cyclical annealing, Fu et al. 2019) and an EMA decay (BYOL's
τ = 1 − (1 − τ_base)·(cos(πk/K) + 1)/2) come from `ps.schedule` on the step clock.
Run: python examples/token_clock.py
"""

from __future__ import annotations

import torch

import paramsched as ps

SEQUENCE = 16  # tokens per sequence (GPT-3: 2048)
LR = "warmup(4ktok) then cosine(6e-4 -> 6e-5, 200ktok)"  # GPT-3: warmup(375Mtok) then cosine(…, 260Btok)
BATCH = "linear(2 -> 32, 40ktok)"  # sequences per batch; GPT-3: linear(16 -> 1536, 4Btok)
TOKENS = 210_000  # train until this many tokens are seen

KL_BETA = "repeat(linear(0 -> 1, 50) then const(1, 50), times=4)"  # cyclical annealing, 4 cycles
EMA_DECAY = "cosine(0.996 -> 1, 400)"  # BYOL: 1 - (1 - 0.996)·(cos(πk/K) + 1)/2
VAE_STEPS = 400


def gpt_like(tokens: int = TOKENS) -> tuple[list[int], list[int], list[float]]:
    """A tiny language model trained on random tokens with a growing batch, lr on the token clock.

    Returns, per optimizer step, the tokens seen before it, its batch size in sequences and its lr."""
    torch.manual_seed(0)
    vocabulary = 64
    model = torch.nn.Sequential(torch.nn.Embedding(vocabulary, 16), torch.nn.Linear(16, vocabulary))
    optimizer = torch.optim.AdamW(model.parameters(), lr=0.0, betas=(0.9, 0.95), weight_decay=0.1)
    lr = ps.TorchScheduler(optimizer, LR, clock="tokens")  # writes the lr at 0 tokens
    batch_size = ps.schedule(BATCH, clock="tokens")  # a pure function of the tokens seen
    seen, positions, batches, lrs = 0, [], [], []
    while seen < tokens:
        sequences = round(batch_size(seen))
        batch = torch.randint(0, vocabulary, (sequences, SEQUENCE + 1))
        positions.append(seen)
        batches.append(sequences)
        lrs.append(optimizer.param_groups[0]["lr"])
        logits = model(batch[:, :-1])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, vocabulary), batch[:, 1:].reshape(-1))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        consumed = sequences * SEQUENCE
        seen += consumed
        lr.step(tokens=consumed)  # after optimizer.step(), with what that step consumed
    return positions, batches, lrs


def vae_and_ema(steps: int = VAE_STEPS) -> tuple[list[float], list[float]]:
    """A VAE-style loss weighted by β(step), and an EMA of the weights with decay τ(step): neither is a
    param group, so they are pure functions of the step, read where the loop needs them."""
    torch.manual_seed(0)
    beta = ps.schedule(KL_BETA)
    decay = ps.schedule(EMA_DECAY)
    encoder, decoder = torch.nn.Linear(8, 4), torch.nn.Linear(2, 8)
    parameters = [*encoder.parameters(), *decoder.parameters()]
    optimizer = torch.optim.Adam(parameters, lr=1e-3)
    average = [p.detach().clone() for p in parameters]
    betas, decays = [], []
    for step in range(steps):
        x = torch.randn(32, 8)
        mean, log_variance = encoder(x).chunk(2, dim=1)
        z = mean + torch.randn_like(mean) * (0.5 * log_variance).exp()
        reconstruction = torch.nn.functional.mse_loss(decoder(z), x)
        kl = -0.5 * (1 + log_variance - mean.pow(2) - log_variance.exp()).sum(dim=1).mean()
        betas.append(beta(step))
        loss = reconstruction + betas[-1] * kl
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        decays.append(decay(step))
        with torch.no_grad():
            for kept, parameter in zip(average, parameters, strict=True):
                kept.mul_(decays[-1]).add_(parameter, alpha=1 - decays[-1])
    return betas, decays


if __name__ == "__main__":
    positions, batches, lrs = gpt_like()
    print(f"{len(batches)} steps over {positions[-1] + batches[-1] * SEQUENCE:,} tokens")
    print("batch (sequences):", batches[:3], "...", batches[-3:])
    print("lr:", [f"{v:.2e}" for v in lrs[:4]], "...", [f"{v:.2e}" for v in lrs[-2:]])
    expected = ps.schedule(LR, clock="tokens")
    print("lr on the token clock matches ps.schedule:", lrs == [expected(p) for p in positions])
    betas, decays = vae_and_ema()
    print("KL beta at steps 0, 25, 50, 99, 100:", [betas[i] for i in (0, 25, 50, 99, 100)])
    print("EMA decay at steps 0, 200, 399:", [round(decays[i], 6) for i in (0, 200, 399)])
