"""Hydra/OmegaConf: resolvers, `_target_` entry points, the override quoting that works on a shell."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import torch
from hydra.core.override_parser.overrides_parser import OverridesParser
from hydra.errors import OverrideParseException
from hydra.utils import instantiate
from omegaconf import OmegaConf
from omegaconf.errors import GrammarParseError, InterpolationResolutionError

import paramsched as ps
from paramsched import register_resolvers

APP = Path(__file__).resolve().parents[1] / "examples" / "hydra_app" / "main.py"


@pytest.fixture(autouse=True)
def resolvers() -> None:
    register_resolvers()


def optimizer() -> torch.optim.SGD:
    return torch.optim.SGD([torch.nn.Parameter(torch.zeros(1))], lr=1.0)


def test_schedule_resolver_canonicalises_quoted_text() -> None:
    cfg = OmegaConf.create(
        {
            "a": "${schedule:'cosine(0.1 → 0, 10k)'}",
            "b": '${schedule:"linear(0->1,5) then 1"}',
            "raw": "warmup(5%) then cosine(0.1 -> 0, 95%)",
            "c": "${schedule:${raw}}",
            "d": "${schedule:0.9}",
            "tree": {"kind": "linear", "start": 0, "end": 1, "duration": {"kind": "duration", "amount": 5}},
            "e": "${schedule:${tree}}",
        }
    )
    assert cfg.a == "cosine(0.1 -> 0, 10k)"
    assert cfg.b == "linear(0 -> 1, 5) then 1"
    assert cfg.c == "warmup(5%) then cosine(0.1 -> 0, 95%)"
    assert cfg.d == "0.9"
    assert cfg.e == "linear(0 -> 1, 5)"


def test_schedule_value_resolver() -> None:
    cfg = OmegaConf.create(
        {
            "lr": "linear(0.01 -> 0.1, 10) then 0.1",
            "lr0": "${schedule_value:${lr}}",
            "lr5": "${schedule_value:${lr}, 5}",
            "pct": "${schedule_value:'linear(0 -> 1, 50%)', 25, 100}",
        }
    )
    assert cfg.lr0 == 0.01
    assert cfg.lr5 == pytest.approx(0.055)
    assert cfg.pct == 0.5


def test_resolver_errors_keep_the_caret_and_unquoted_text_is_rejected_by_omegaconf() -> None:
    cfg = OmegaConf.create({"a": "${schedule:'cosin(0.1 -> 0, 10k)'}"})
    with pytest.raises(InterpolationResolutionError) as info:
        _ = cfg.a
    assert "unknown schedule 'cosin'" in str(info.value)
    assert "    cosin(0.1 -> 0, 10k)\n    ^" in str(info.value)
    with pytest.raises(GrammarParseError):
        _ = OmegaConf.create({"a": "${schedule:cosine(0.1 -> 0, 10k)}"}).a


def test_instantiate_compile_partial_and_factory() -> None:
    opt = optimizer()
    partial = instantiate({"_target_": "paramsched.compile", "_partial_": True, "schedule": "linear(0 -> 1, 4)"})
    scheduler = partial(optimizer=opt)
    direct = instantiate({"_target_": "paramsched.compile", "schedule": "linear(0 -> 1, 4)"}, optimizer=opt)
    factory = instantiate({"_target_": "paramsched.scheduler_factory", "schedule": "linear(0 -> 1, 4)"})
    from_factory = factory(opt)
    for s in (scheduler, direct, from_factory):
        assert isinstance(s, ps.ParamScheduler)
        s.step()
        s.step()
        assert opt.param_groups[0]["lr"] == 0.25
    mapping_form = instantiate(
        {"_target_": "paramsched.scheduler_factory", "schedule": {"kind": "constant", "value": 0.3}}
    )
    mapping_form(opt).step()
    assert opt.param_groups[0]["lr"] == 0.3


def test_factory_fails_at_instantiation_not_later() -> None:
    with pytest.raises(Exception, match="unknown schedule 'cosin'"):
        instantiate({"_target_": "paramsched.scheduler_factory", "schedule": "cosin(1 -> 0, 5)"})
    with pytest.raises(Exception, match="needs `total`"):
        instantiate(
            {"_target_": "paramsched.scheduler_factory", "schedule": "linear(1 -> 0, 5%)", "steps_per_epoch": 3}
        )


def test_instantiate_compile_config_partial() -> None:
    opt = optimizer()
    cfg = OmegaConf.create(
        {"_target_": "paramsched.compile_config", "_partial_": True, "config": {"lr": "0.5", "momentum": 0.9}}
    )
    handler = instantiate(cfg)(optimizer=opt)
    handler.step()
    assert (opt.param_groups[0]["lr"], opt.param_groups[0]["momentum"]) == (0.5, 0.9)


@pytest.mark.parametrize(
    ("override", "accepted"),
    [
        ('optim.lr="cosine(0.1 -> 0, 10k)"', True),
        ("optim.lr='cosine(0.1 → 0, 10k)'", True),
        ("optim.lr=1e-3", True),  # a bare number needs no quotes (Hydra makes it a float)
        ("optim.lr=cosine(0.1 -> 0, 10k)", False),
        ("optim.lr=x(", False),
        ("optim.lr=0->1", False),
        ("optim.lr=0→1", False),
    ],
)
def test_hydra_override_grammar(override: str, accepted: bool) -> None:
    parser = OverridesParser.create()
    if accepted:
        (parsed,) = parser.parse_overrides([override])
        assert ps.parse(str(parsed.value()))
    else:
        with pytest.raises(OverrideParseException):
            parser.parse_overrides([override])


def test_unquoted_comma_is_a_sweep() -> None:
    (parsed,) = OverridesParser.create().parse_overrides(['optim.lr="linear(0 -> 1, 10)","cosine(1 -> 0, 10)"'])
    assert parsed.is_sweep_override()
    sweep: Any = parsed.value()
    assert [v.text for v in sweep.list] == ["linear(0 -> 1, 10)", "cosine(1 -> 0, 10)"]


APP_RUNS = {
    "quoted": """'optim.lr="cosine(0.1 -> 0, 20)"' train.steps=3 hydra.run.dir=run""",
    "multirun": """--multirun 'optim.lr="linear(0 -> 1, 10)","cosine(1 -> 0, 10)"' train.steps=3 hydra.sweep.dir=s""",
    "unquoted": """'optim.lr=cosine(0.1 -> 0, 20)' hydra.run.dir=run""",
}


@pytest.fixture(scope="module")
def app_runs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, subprocess.CompletedProcess[str]]]:
    """Run the example app through a real shell, quoted as a user types it; the runs go in parallel
    (each pays for importing torch and Hydra)."""
    started = {}
    for name, arguments in APP_RUNS.items():
        cwd = tmp_path_factory.mktemp(name)
        command = f"{shlex.quote(sys.executable)} {shlex.quote(str(APP))} {arguments}"
        process = subprocess.Popen(
            ["bash", "-c", command], cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started[name] = (cwd, command, process)
    results = {}
    for name, (cwd, command, process) in started.items():
        stdout, stderr = process.communicate(timeout=180)
        results[name] = (cwd, subprocess.CompletedProcess(command, process.returncode, stdout, stderr))
    return results


def test_app_with_a_quoted_schedule_override(app_runs: dict[str, Any]) -> None:
    _, result = app_runs["quoted"]
    assert result.returncode == 0, result.stderr
    assert "schedule: cosine(0.1 -> 0, 20)" in result.stdout
    assert f"final lr {ps.simulate('cosine(0.1 -> 0, 20)', 3)[-1]:.6g}" in result.stdout


def test_app_multirun_over_two_schedules(app_runs: dict[str, Any]) -> None:
    cwd, result = app_runs["multirun"]
    assert result.returncode == 0, result.stderr
    assert "schedule: linear(0 -> 1, 10)" in result.stdout
    assert "schedule: cosine(1 -> 0, 10)" in result.stdout
    assert sorted(p.name for p in (cwd / "s").iterdir() if p.is_dir()) == ["0", "1"]


def test_app_unquoted_override_is_rejected_by_hydra(app_runs: dict[str, Any]) -> None:
    _, result = app_runs["unquoted"]
    assert result.returncode != 0
    assert "LexerNoViableAltException" in result.stderr
