"""`paramsched diff OLD NEW --at N`: both plans around N and the jump there (values from SPEC §2's formulas)."""

from __future__ import annotations

import math

import pytest

from paramsched._cli import main


def cosine_over(total: int, t: int) -> float:
    return 0.1 + (0 - 0.1) / 2 * (1 - math.cos(math.pi * min(t, total) / total))


def test_diff_of_a_wsd_extension_shows_no_jump(capsys: pytest.CaptureFixture[str]) -> None:
    old = "warmup(2k) then const(3e-4, 98k)"
    new = "warmup(2k) then const(3e-4, 118k) then sqrt(3e-4 -> 0, 20k)"
    assert main(["diff", old, new, "--at", "60k"]) == 0
    out = capsys.readouterr().out
    assert "saved plan: warmup(2k) then const(0.0003, 98k)" in out
    assert "new plan:   warmup(2k) then const(0.0003, 118k) then sqrt(0.0003 -> 0, 20k)" in out
    rows = [line.split() for line in out.splitlines() if line.strip()[:1].isdigit()]
    assert [int(row[0]) for row in rows] == list(range(59_997, 60_004))
    assert all(float(row[1]) == float(row[2]) == 0.0003 for row in rows)
    assert "at event 60000: saved plan 0.0003 → new plan 0.0003 (no jump)" in out


def test_diff_of_a_new_total_shows_the_jump(capsys: pytest.CaptureFixture[str]) -> None:
    text = "cosine(0.1 -> 0, 100%)"
    argv = ["diff", text, text, "--at", "5000", "--old-total", "10k", "--total", "20k", "--around", "1"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "[total=10000]" in out and "[total=20000]" in out
    rows = {int(row[0]): row for row in (line.split() for line in out.splitlines()) if row and row[0].isdigit()}
    for t in (4999, 5000, 5001):
        assert float(rows[t][1]) == pytest.approx(cosine_over(10_000, t), rel=1e-5)  # printed with 6 digits
        assert float(rows[t][2]) == pytest.approx(cosine_over(20_000, t), rel=1e-5)
    old, new = cosine_over(10_000, 5000), cosine_over(20_000, 5000)
    assert f"(jump of {new - old:+.6g}, {(new - old) / old:+.1%})" in out


def test_diff_without_the_total_it_needs_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff", "cosine(0.1 -> 0, 100%)", "0.1", "--at", "5"]) == 1
    assert "needs `total`" in capsys.readouterr().err


def test_diff_on_a_token_clock(capsys: pytest.CaptureFixture[str]) -> None:
    """Extending GPT-3's cosine from 259.625B to 300B tokens, resumed at 100B tokens: the jump is the
    difference of the two cosines there (closed form)."""
    old, new = (
        "warmup(375Mtok) then cosine(6e-5 -> 6e-6, 259.625Btok)",
        "warmup(375Mtok) then cosine(6e-5 -> 6e-6, 300Btok)",
    )
    assert main(["diff", old, new, "--at", "100B", "--clock", "tokens", "--around", "0"]) == 0
    out = capsys.readouterr().out
    assert "[clock=tokens]" in out

    def cosine(length: float) -> float:
        u = (100e9 - 375e6) / length
        return 6e-6 + (6e-5 - 6e-6) / 2 * (1 + math.cos(math.pi * u))

    shown = out.splitlines()[-1]
    assert shown.startswith("at event 100000000000: saved plan ")
    assert f"saved plan {cosine(259.625e9):.6g} → new plan {cosine(300e9):.6g}" in shown
