"""schedule_type: argparse's `type=` callable; errors reach the user as argparse messages."""

from __future__ import annotations

import argparse
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import paramsched as ps
from paramsched import schedule_type


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="train.py")
    p.add_argument("--lr", type=schedule_type, default="cosine(0.1 -> 0, 10k)")
    p.add_argument("--wd", type=schedule_type(total=1000))
    return p


def test_returns_the_parsed_node_and_parses_string_defaults() -> None:
    args = parser().parse_args(
        ["--lr", "linear(0 -> 0.1, 500) then cosine(0.1 → 0, 10k)", "--wd", "linear(1 -> 0, 5%)"]
    )
    assert args.lr == ps.parse("linear(0 -> 0.1, 500) then cosine(0.1 -> 0, 10k)")
    assert ps.unparse(args.wd) == "linear(1 -> 0, 5%)"
    assert parser().parse_args([]).lr == ps.parse("cosine(0.1 -> 0, 10k)")


def test_errors_are_argument_type_errors_with_the_caret() -> None:
    with pytest.raises(argparse.ArgumentTypeError) as info:
        schedule_type("linear(0 -> 1, 10) then cosin(1 -> 0, 5)")
    assert "did you mean 'cosine'" in str(info.value)
    assert str(info.value).endswith("    linear(0 -> 1, 10) then cosin(1 -> 0, 5)\n                            ^")
    with pytest.raises(argparse.ArgumentTypeError, match="needs `steps_per_epoch`"):
        schedule_type(total=100)("linear(0 -> 1, 3ep)")
    assert schedule_type(steps_per_epoch=10)("linear(0 -> 1, 3ep)") == ps.parse("linear(0 -> 1, 3ep)")


SCRIPT = textwrap.dedent(
    """
    import argparse
    from paramsched import schedule_type
    parser = argparse.ArgumentParser(prog="train.py")
    parser.add_argument("--lr", type=schedule_type)
    print(parser.parse_args())
    """
)


def test_argparse_prints_usage_and_our_message_and_exits_2(tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(SCRIPT)
    result = subprocess.run(
        [sys.executable, str(script), "--lr", "cosin(0.1 -> 0, 10k)"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.startswith("usage: train.py [-h] [--lr LR]\n")
    assert "train.py: error: argument --lr: unknown schedule 'cosin'; did you mean 'cosine'?" in result.stderr
    assert "\n    cosin(0.1 -> 0, 10k)\n    ^\n" in result.stderr
    assert "Traceback" not in result.stderr
