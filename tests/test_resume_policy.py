"""Resuming when the plan changed (issue 11, SPEC §4): resume="strict" refuses a state of another plan with
both plans, the saved position and each plan's value there, and changes nothing; resume="replan" keeps the
position, continues on the new plan (units re-resolved) and warns with the jump. On every entry point:
`compile`, `compile_config`, `TorchScheduler`, `TorchScheduler.from_config`.

Expected values are closed forms of SPEC §2's formulas, never paramsched's own output."""

from __future__ import annotations

import io
import math
import re
import warnings
from typing import Any

import pytest

import paramsched as ps

torch = pytest.importorskip("torch")

# warmup-stable-decay, extended from a stable checkpoint: the same value at the saved position, no jump
STABLE = "warmup(20) then const(0.0003, 980)"
EXTENDED = "warmup(20) then const(0.0003, 1180) then sqrt(0.0003 -> 0, 200)"
SAVED_AT = 600


def extended(t: int) -> float:
    """EXTENDED in closed form: linear 0 → 3e-4 over 20, 3e-4 until 1200, then 3e-4·(1 − sqrt(u)) over 200."""
    if t < 20:
        return 0.0003 * t / 20
    if t < 1200:
        return 0.0003
    u = min(t - 1200, 200) / 200
    return 0.0003 + (0 - 0.0003) * math.sqrt(u)


def cosine_over(total: int, t: int) -> float:
    """`cosine(0.1 -> 0, 100%)` with `total`: 0.1 + (0 − 0.1)/2·(1 − cos(π·u))."""
    u = min(t, total) / total
    return 0.1 + (0 - 0.1) / 2 * (1 - math.cos(math.pi * u))


class Holder:
    def __init__(self, groups: int = 1) -> None:
        self.param_groups = [{"lr": 0.0, "weight_decay": 0.0, "name": f"g{i}"} for i in range(groups)]


def sgd(groups: int = 1) -> Any:
    params = [{"params": [torch.nn.Parameter(torch.zeros(1))], "name": f"g{i}"} for i in range(groups)]
    return torch.optim.SGD(params, lr=1.0, weight_decay=0.0)


def through_torch(state: Any) -> Any:
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    return torch.load(buffer, weights_only=True)


def replanned(load: Any, state: Any) -> list[warnings.WarningMessage]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        load(state)
    changed = [w for w in caught if issubclass(w.category, ps.PlanChangedWarning)]
    assert changed, "resume='replan' of another plan warns PlanChangedWarning"
    assert issubclass(ps.PlanChangedWarning, Warning)
    return changed


# -- compile --------------------------------------------------------------------------------------


def compiled_at(text: str, events: int, **settings: Any) -> Any:
    scheduler = ps.compile(text, Holder(), **settings)
    for _ in range(events):
        scheduler.step()
    return scheduler


def test_compile_strict_refuses_another_plan_with_both_plans_and_values_and_changes_nothing() -> None:
    state = through_torch(compiled_at(STABLE, SAVED_AT).state_dict())
    scheduler = compiled_at(EXTENDED, 5)
    before = scheduler.state_dict()
    with pytest.raises(ps.StateDictError) as refused:
        scheduler.load_state_dict(state)
    message = str(refused.value)
    assert "warmup(20) then const(0.0003, 980)" in message  # the saved plan
    assert EXTENDED in message  # this plan
    assert f"saved at event {SAVED_AT}" in message
    assert "saved plan 0.0003 → this plan 0.0003 (no jump)" in message
    assert 'resume="replan"' in message  # what to write instead
    assert scheduler.state_dict() == before
    holder = scheduler.optimizer
    scheduler.step()
    assert holder.param_groups[0]["lr"] == extended(5)  # continues where it was


def test_compile_strict_shows_the_settings_and_the_jump_of_a_changed_total() -> None:
    state = compiled_at("cosine(0.1 -> 0, 100%)", 500, total=1000).state_dict()
    scheduler = ps.compile("cosine(0.1 -> 0, 100%)", Holder(), total=2000)
    with pytest.raises(ps.StateDictError) as refused:
        scheduler.load_state_dict(state)
    message = str(refused.value)
    assert "[total=1000]" in message and "[total=2000]" in message
    old, new = cosine_over(1000, 500), cosine_over(2000, 500)
    assert f"saved plan {old:.6g} → this plan {new:.6g} (jump of {new - old:+.6g}, {(new - old) / old:+.1%})" in message


def test_compile_replan_of_the_wsd_extension_keeps_the_position_without_a_jump() -> None:
    state = through_torch(compiled_at(STABLE, SAVED_AT).state_dict())
    scheduler = ps.compile(EXTENDED, Holder(), resume="replan")
    (warning,) = replanned(scheduler.load_state_dict, state)
    assert f"at event {SAVED_AT}" in str(warning.message) and "(no jump)" in str(warning.message)
    assert warning.filename == __file__  # shown at the caller's line, not inside paramsched
    seen = []
    for _ in range(900):
        scheduler.step()
        seen.append(scheduler.optimizer.param_groups[0]["lr"])
    assert seen == pytest.approx([extended(t) for t in range(SAVED_AT, SAVED_AT + 900)], rel=1e-12, abs=1e-18)


def test_compile_replan_re_resolves_units_with_the_new_total() -> None:
    state = compiled_at("cosine(0.1 -> 0, 100%)", 500, total=1000).state_dict()
    scheduler = ps.compile("cosine(0.1 -> 0, 100%)", Holder(), total=2000, resume="replan")
    (warning,) = replanned(scheduler.load_state_dict, state)
    assert "jump of" in str(warning.message)
    seen = []
    for _ in range(10):
        scheduler.step()
        seen.append(scheduler.optimizer.param_groups[0]["lr"])
    assert seen == pytest.approx([cosine_over(2000, t) for t in range(500, 510)], rel=1e-12)


def test_replan_of_the_same_plan_is_a_plain_resume_without_a_warning() -> None:
    state = compiled_at(STABLE, SAVED_AT).state_dict()
    scheduler = ps.compile(STABLE, Holder(), resume="replan")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        scheduler.load_state_dict(state)
    assert scheduler.state_dict() == state


def test_replan_still_refuses_a_corrupt_state() -> None:
    state = compiled_at(STABLE, SAVED_AT).state_dict()
    state["_current_duration"] = "x"
    scheduler = ps.compile(EXTENDED, Holder(), resume="replan")
    before = scheduler.state_dict()
    with pytest.raises(ps.StateDictError, match="cannot find the saved position"):
        scheduler.load_state_dict(state)
    assert scheduler.state_dict() == before


@pytest.mark.parametrize(
    "build",
    [
        lambda resume: ps.compile("const(1, 5)", Holder(), resume=resume),
        lambda resume: ps.compile_config({"lr": "const(1, 5)"}, Holder(), resume=resume),
        lambda resume: ps.TorchScheduler(sgd(), "const(1, 5)", resume=resume),
        lambda resume: ps.TorchScheduler.from_config(sgd(), {"lr": "const(1, 5)"}, resume=resume),
    ],
)
def test_an_unknown_policy_is_refused_on_every_entry_point(build: Any) -> None:
    with pytest.raises(ps.ScheduleArgumentError, match=r"resume must be 'strict' .* or 'replan'"):
        build("lenient")


# -- compile_config -------------------------------------------------------------------------------


def config_of(total_share: str) -> dict[str, Any]:
    return {"lr": f"cosine(0.1 -> 0, {total_share})", "weight_decay": {"g1": "0.01", "default": "0.05"}}


def test_compile_config_strict_and_replan() -> None:
    old = ps.compile_config(config_of("100%"), Holder(2), total=1000)
    for _ in range(500):
        old.step()
    state = through_torch(old.state_dict())
    strict = ps.compile_config(config_of("100%"), Holder(2), total=2000)
    before = strict.state_dict()
    with pytest.raises(ps.StateDictError, match=r"(?s)another config: lr: .*saved under another plan.*\[total=1000\]"):
        strict.load_state_dict(state)
    assert strict.state_dict() == before
    holder = Holder(2)
    replan = ps.compile_config(config_of("100%"), holder, total=2000, resume="replan")
    changed = replanned(replan.load_state_dict, state)
    assert len(changed) == 1  # the lr: the weight decays (plain numbers) use no total, so their plans are the same
    replan.step()
    assert holder.param_groups[0]["lr"] == pytest.approx(cosine_over(2000, 500), rel=1e-12)
    assert [g["weight_decay"] for g in holder.param_groups] == [0.05, 0.01]


def test_compile_config_of_other_labels_is_refused_whatever_the_policy() -> None:
    state = ps.compile_config({"lr": "0.1"}, Holder()).state_dict()
    replan = ps.compile_config({"lr": "0.1", "weight_decay": "0"}, Holder(), resume="replan")
    with pytest.raises(ps.StateDictError, match="another config"):
        replan.load_state_dict(state)


# -- TorchScheduler -------------------------------------------------------------------------------


def torch_at(text: str, events: int, **settings: Any) -> Any:
    optimizer = sgd()
    scheduler = ps.TorchScheduler(optimizer, text, **settings)
    for _ in range(events):
        optimizer.step()
        scheduler.step()
    return scheduler


def test_torch_scheduler_strict_refuses_and_changes_nothing() -> None:
    state = through_torch(torch_at("cosine(0.1 -> 0, 100%)", 500, total=1000).state_dict())
    scheduler = torch_at("cosine(0.1 -> 0, 100%)", 3, total=2000)
    before = (scheduler.state_dict(), scheduler.optimizer.param_groups[0]["lr"])
    with pytest.raises(ps.StateDictError) as refused:
        scheduler.load_state_dict(state)
    message = str(refused.value)
    assert "TorchScheduler.load_state_dict" in message and "saved at event 500" in message
    assert "[total=1000]" in message and "[total=2000]" in message
    assert f"saved plan {cosine_over(1000, 500):.6g} → this plan {cosine_over(2000, 500):.6g}" in message
    assert (scheduler.state_dict(), scheduler.optimizer.param_groups[0]["lr"]) == before


def test_torch_scheduler_replan_keeps_the_position_and_writes_the_new_plan() -> None:
    state = through_torch(torch_at(STABLE, SAVED_AT).state_dict())
    optimizer = sgd()
    scheduler = ps.TorchScheduler(optimizer, EXTENDED, resume="replan")
    (warning,) = replanned(scheduler.load_state_dict, state)
    assert "(no jump)" in str(warning.message) and warning.filename == __file__
    seen = [optimizer.param_groups[0]["lr"]]  # torch's convention: the saved event is written on load
    for _ in range(800):
        optimizer.step()
        scheduler.step()
        seen.append(optimizer.param_groups[0]["lr"])
    assert scheduler.last_epoch == SAVED_AT + 800
    assert seen == pytest.approx([extended(t) for t in range(SAVED_AT, SAVED_AT + 801)], rel=1e-12, abs=1e-18)


def test_torch_scheduler_from_config_strict_and_replan() -> None:
    def config(share: str) -> dict[str, Any]:
        return {"lr": f"cosine(0.1 -> 0, {share})", "weight_decay": "linear(0.01 -> 0, 100%)"}

    optimizer = sgd()
    old = ps.TorchScheduler.from_config(optimizer, config("100%"), total=1000)
    for _ in range(500):
        optimizer.step()
        old.step()
    state = through_torch(old.state_dict())
    strict = ps.TorchScheduler.from_config(sgd(), config("100%"), total=2000)
    before = strict.state_dict()
    with pytest.raises(ps.StateDictError) as refused:
        strict.load_state_dict(state)
    assert re.search(r"  lr: saved plan: cosine\(0\.1 -> 0, 100%\)   \[total=1000\]", str(refused.value))
    assert "  weight_decay: saved plan:" in str(refused.value)
    assert strict.state_dict() == before
    fresh = sgd()
    replan = ps.TorchScheduler.from_config(fresh, config("100%"), total=2000, resume="replan")
    replanned(replan.load_state_dict, state)
    assert fresh.param_groups[0]["lr"] == pytest.approx(cosine_over(2000, 500), rel=1e-12)
    assert fresh.param_groups[0]["weight_decay"] == pytest.approx(0.01 * (1 - 500 / 2000), rel=1e-12)
    assert replan.get_last_lr() == [fresh.param_groups[0]["lr"]]


def test_torch_scheduler_replan_per_group_names_the_groups_that_changed() -> None:
    optimizer = sgd(groups=2)
    old = ps.TorchScheduler(optimizer, ["cosine(0.1 -> 0, 100)", "0.01"])
    for _ in range(50):
        optimizer.step()
        old.step()
    state = through_torch(old.state_dict())
    fresh = sgd(groups=2)
    scheduler = ps.TorchScheduler(fresh, ["cosine(0.1 -> 0, 200)", "0.01"], resume="replan")
    (warning,) = replanned(scheduler.load_state_dict, state)
    message = str(warning.message)
    assert "param group 0: saved plan: cosine(0.1 -> 0, 100)" in message
    assert "param group 1" not in message  # unchanged: not listed
    assert [g["lr"] for g in fresh.param_groups] == pytest.approx([0.05 * (1 + math.cos(math.pi / 4)), 0.01])
    with pytest.raises(ps.StateDictError, match=r"one plan .* for each of the 2 param group"):
        scheduler.load_state_dict({**state, "schedules": ["cosine(0.1 -> 0, 100)"]})  # another shape: refused
