"""The `paramsched` command line, in process (main(argv)) and as `python -m paramsched`."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import paramsched as ps
from paramsched._cli import main

TEXT = "linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def test_check_text(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "linear(0->0.1,500) then cosine(0.1 → 1e-4, 10k)"]) == 0
    assert capsys.readouterr().out == f"ok: {TEXT.replace('1e-4', '0.0001')}\n"
    assert main(["check", "linear(0 -> 0.1, 500) then cosin(0.1 -> 0, 10)"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("paramsched: error: unknown schedule 'cosin'; did you mean 'cosine'?")
    assert "    linear(0 -> 0.1, 500) then cosin(0.1 -> 0, 10)\n                               ^" in err
    assert main(["check", "linear(0 -> 1, 5%)"]) == 1
    assert "--total" in capsys.readouterr().err
    assert main(["check", "linear(0 -> 1, 5%)", "--total", "100"]) == 0


def test_check_config_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", str(EXAMPLES / "config.yaml"), "--total", "1000"]) == 0
    assert "schedule(s): lr.default, lr.head, momentum" in capsys.readouterr().out
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"lr": "1", "wd": {"head": "cosine(1 -> 0 10)"}}))
    assert main(["check", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("paramsched: error: wd.head: ")
    assert "^" in err
    nested = tmp_path / "nested.yaml"
    nested.write_text("model: {width: 3}\noptim:\n  lr: 'cosine(0.1 -> 0, 10)'\n")
    assert main(["check", str(nested), "--key", "optim"]) == 0
    assert main(["check", str(nested), "--key", "nope"]) == 1
    assert main(["check", str(tmp_path / "missing.yaml")]) == 1
    assert "cannot read" in capsys.readouterr().err


def test_check_finds_schedule_strings_in_any_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(
        "model: {name: resnet, width: 3}\n"
        "optim:\n  lr: linear(0 -> 0.1, 5) then cosine(0.1 -> 0, 10)\n  momentum: 0.9\n"
        "  wd: [ 'cosin(1 -> 0, 5)', 'linear(0 -> 1 5)' ]\n"
        "derived: ${schedule:${optim.lr}}\n"
        "scheduler: {_target_: paramsched.compile}\n"
    )
    assert main(["check", str(config)]) == 1
    captured = capsys.readouterr()
    assert "paramsched: error: optim.wd[0]: unknown schedule 'cosin'" in captured.err
    assert "paramsched: error: optim.wd[1]: unexpected number '5'" in captured.err
    assert "2 of 3 schedule(s) invalid" in captured.err
    config.write_text("optim:\n  lr: linear(0 -> 0.1, 5%) then 0.1\n  momentum: 0.9\nsteps: 3\n")
    assert main(["check", str(config), "--total", "100"]) == 0
    assert capsys.readouterr().out == f"ok: {config}: 1 schedule(s): optim.lr\n"
    assert main(["check", str(config), "--key", "optim", "--total", "100"]) == 0
    assert capsys.readouterr().out == f"ok: {config}: 2 schedule(s): optim.lr, optim.momentum\n"
    assert main(["check", str(config), "--key", "."]) == 1  # `steps: 3` is fine, but % needs --total
    config.write_text("name: resnet\nsteps: 3\n")
    assert main(["check", str(config)]) == 1
    assert "no schedule text found" in capsys.readouterr().err


def test_show_values_and_terminal_plot(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", TEXT]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == "linear(0 -> 0.1, 500) then cosine(0.1 -> 0.0001, 10k)"
    assert "      0  0             start" in out
    assert "    499  0.0998        end of phase 1" in out
    assert "    500  0.1           phase 2 starts" in out
    assert "  10499  0.000100002   end" in out
    plot = lines[lines.index("") + 1 :]
    assert len(plot) == 12 + 2
    assert plot[0].startswith("0.1 |") and plot[11].startswith("  0 |*")
    assert "*" in plot[0] and "|" in plot[5][5:]  # the phase boundary
    assert plot[-1].split() == ["0", "10499"]
    assert all(ord(ch) < 128 for ch in "\n".join(plot))


def test_show_needs_events_for_endless_schedules(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["show", "step(0.1, every=2ep, gamma=0.5)", "--steps-per-epoch", "10"]) == 1
    assert "-n EVENTS" in capsys.readouterr().err
    assert main(["show", "step(0.1, every=2ep, gamma=0.5)", "--steps-per-epoch", "10", "-n", "50"]) == 0
    assert "     49  0.025" in capsys.readouterr().out
    assert main(["show", "rsqrt(1, timescale=10)", "-n", "2k", "--width", "20"]) == 0
    assert "   1999  0.0705521     end" in capsys.readouterr().out
    with pytest.raises(SystemExit):
        main(["show", "rsqrt(1, timescale=10)", "-n", "0"])


def test_plot_png(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import matplotlib.image

    output = tmp_path / "lr.png"
    assert main(["plot", TEXT + " then 1e-4", "-n", "12000", "--label", "lr", "-o", str(output)]) == 0
    assert capsys.readouterr().out == f"wrote {output}\n"
    image = matplotlib.image.imread(output)
    assert image.shape[:2] == (450, 800)
    assert image.std() > 0.01  # something was drawn
    assert main(["plot", "cosin(1 -> 0, 5)", "-o", str(tmp_path / "x.png")]) == 1
    assert not (tmp_path / "x.png").exists()


def test_schema(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["schema"]) == 0
    assert json.loads(capsys.readouterr().out) == ps.json_schema()


def test_help_has_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "paramsched check examples/config.yaml" in out
    assert "paramsched plot" in out


def test_python_dash_m(tmp_path: Path) -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "paramsched", "show", "linear(0 -> 1, 4)"], capture_output=True, text=True, timeout=60
    )
    assert ok.returncode == 0 and "end" in ok.stdout
    bad = subprocess.run(
        [sys.executable, "-m", "paramsched", "check", "linear(0 -> 1, 4"], capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 1
    assert "Traceback" not in bad.stderr and "^" in bad.stderr


def test_no_command_prints_usage(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main([])
    assert info.value.code == 2
    assert "usage: paramsched" in capsys.readouterr().err


CONFIG_WITH_MISTAKES = """\
model:
  name: resnet(50)
  optimizer: Adam(lr=0.1)
optim:
  lr: warmup(500) then cosine(0.1 -> 0, 10k)
  momentum: 0.9
  wd: cosine(0.1 -> 0, 5%)
  bad: cosin(0.1 -> 0, 10)
  head:
    beta: linear(0 -> 1, 10 steps)
"""


def test_check_reports_every_bad_schedule_with_its_dotted_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "run.yaml"
    config.write_text(CONFIG_WITH_MISTAKES)
    for argv in (["check", str(config)], ["check", str(config), "--key", "optim"]):
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert "model.name" not in err and "resnet" not in err and "Adam" not in err  # not schedules
        reported = [line.split(": ")[2] for line in err.splitlines() if line.startswith("paramsched: error: ")]
        assert sorted(reported) == ["optim.bad", "optim.head.beta", "optim.wd"], err
        assert "did you mean 'cosine'?" in err and "write 10" in err and "needs `total`" in err
        assert err.count("^") == 3  # every message keeps its caret
    assert main(["check", str(config), "--key", "optim", "--total", "1000"]) == 1
    assert "optim.wd" not in capsys.readouterr().err


@pytest.mark.parametrize(
    ("text", "looks"),
    [("cosine(0.1 -> 0, 10)", True), ("cosin(1, 2)", True), ("CosineAnnealingLR(0.1)", True),
     ("a -> b", True), ("warmup then x", True), ("resnet(50)", False), ("Adam(lr=0.1)", False),
     ("torch.optim.SGD", False), ("0.1", False), ("hello world", False)],
)  # fmt: skip
def test_what_looks_like_a_schedule(text: str, looks: bool) -> None:
    from paramsched.language import looks_like_schedule

    assert looks_like_schedule(text) is looks
