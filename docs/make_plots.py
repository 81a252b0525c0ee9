"""Draws the plots of the language reference (one PNG per form) and of the recipes, from the library itself.

python docs/make_plots.py        # writes docs/img/*.png and docs/img/recipes/*.png

tests/test_docs_site.py redraws them all and fails when a committed plot differs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import paramsched as ps

EXAMPLES: dict[str, tuple[str, int]] = {
    "constant": ("0.1", 100),
    "const": ("const(0.1, 50) then 0.02", 100),
    "linear": ("linear(0 -> 0.1, 80)", 100),
    "cosine": ("cosine(0.1 -> 0.001, 80)", 100),
    "cosine_power": ("cosine(0.1 -> 0.001, 80, power=3)", 100),
    "exp": ("exp(0.1 -> 0.001, 80)", 100),
    "poly": ("poly(0.1 -> 0, 80, power=2)", 100),
    "sqrt": ("sqrt(0.1 -> 0, 80)", 100),
    "tanh": ("tanh(0.1 -> 0, 80)", 100),
    "rsqrt": ("rsqrt(0.1, timescale=10)", 100),
    "triangle": ("triangle(0.01 -> 0.1, 80)", 100),
    "step": ("step(0.1, every=25, gamma=0.5)", 100),
    "multistep": ("multistep(0.1, at=[30, 60, 80], gamma=0.3)", 100),
    "piecewise": ("piecewise((10, 0), (30, 0.1), (70, 0.02))", 100),
    "repeat": ("repeat(cosine(0.1 -> 0.01, 20), cycle_mult=1.5, start_mult=0.8)", 150),
    "repeat_warmup": ("repeat(linear(0.1 -> 0.01, 20), times=3, warmup=10)", 120),
    "warmup": ("warmup(20) then cosine(0.1 -> 0, 80)", 100),
    "then": ("linear(0 -> 0.1, 20) then const(0.1, 30) then sqrt(0.1 -> 0, 50)", 100),
    "arithmetic": ("cosine(0.1 -> 0, 100) * (1 + 0.5 * repeat(triangle(0 -> 1, 20)))", 100),
    "minmax": ("min(rsqrt(0.2, timescale=5), linear(0 -> 0.2, 30))", 100),
}

# The recipes (docs/recipes/NAME.md shows the same line): text, events drawn, unit settings.
RECIPES: dict[str, tuple[str, int, dict[str, int]]] = {
    "llama2": ("warmup(2000) then cosine(3e-4 -> 3e-5, 498k)", 500_000, {}),
    "bert": ("warmup(10k) then linear(1e-4 -> 0, 990k)", 1_000_000, {}),
    "transformer": (
        "0.04419417382415922 * min(rsqrt(1, timescale=1), "
        "linear(3.952847075210474e-06 -> 0.015811388300841896, 3999) then 1)",
        100_000,
        {},
    ),
    "resnet": ("multistep(0.1, at=[30, 60, 90], gamma=0.1)", 100, {}),
    "sgdr": ("repeat(cosine(0.05 -> 0, 10), cycle_mult=2)", 150, {}),
    "onecycle": ("cosine(0.004 -> 0.1, 299) then cosine(0.1 -> 4e-07, 700)", 1000, {}),
    "deit": (
        "(const(1, 5) then 0) * linear(1e-6 -> 1e-3, 5) + (const(0, 5) then 1) * cosine(1e-3 -> 1e-5, 300)",
        310,
        {},
    ),
    "wsd": ("warmup(1%) then const(1e-3, 79%) then sqrt(1e-3 -> 0, 20%)", 100_000, {"total": 100_000}),
}

# The recipes on a token clock (docs/recipes/NAME.md shows each line): (label, text) per panel, and the last
# token position drawn. Their durations are billions of tokens, so they are drawn through `ps.schedule` at
# evenly spaced positions instead of `ps.simulate` at every one.
TOKEN_RECIPES: dict[str, tuple[tuple[tuple[str, str], ...], int]] = {
    "gpt3": (
        (
            ("lr", "warmup(375Mtok) then cosine(6e-5 -> 6e-6, 259.625Btok)"),
            ("batch (sequences)", "linear(16 -> 1536, 4Btok)"),
        ),
        300_000_000_000,
    ),
}


def draw_tokens(name: str, panels: tuple[tuple[str, str], ...], tokens: int, folder: Path) -> Path:
    positions = np.linspace(0, tokens, 3001).round().astype(np.int64)
    figure, axes = plt.subplots(1, len(panels), figsize=(6.0, 2.4), dpi=100)
    for axis, (label, text) in zip(np.atleast_1d(axes), panels, strict=True):
        axis.plot(positions / 1e9, ps.schedule(text, clock="tokens")(positions), linewidth=1.5, color="#1f77b4")
        axis.set_xlabel("tokens (billions)", fontsize=7)
        axis.set_title(label, fontsize=7)
        axis.tick_params(labelsize=6)
        axis.grid(alpha=0.3)
    figure.tight_layout()
    path = folder / f"{name}.png"
    figure.savefig(path)
    plt.close(figure)
    return path


def draw(
    name: str, text: str, events: int, folder: Path, size: tuple[float, float] = (3.2, 1.6), **settings: int
) -> Path:
    values = ps.simulate(text, events, **settings)
    figure, axes = plt.subplots(figsize=size, dpi=100)
    axes.plot(range(events), values, linewidth=1.5, color="#1f77b4")
    axes.set_xlabel("event", fontsize=7)
    axes.tick_params(labelsize=6)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    path = folder / f"{name}.png"
    figure.savefig(path)
    plt.close(figure)
    return path


def main(folder: Path = Path(__file__).parent / "img") -> int:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (text, events) in EXAMPLES.items():
        draw(name, text, events, folder)
    (folder / "recipes").mkdir(exist_ok=True)
    for name, (text, events, settings) in RECIPES.items():
        draw(name, text, events, folder / "recipes", size=(6.0, 2.4), **settings)
    for name, (panels, tokens) in TOKEN_RECIPES.items():
        draw_tokens(name, panels, tokens, folder / "recipes")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent / "img"))
