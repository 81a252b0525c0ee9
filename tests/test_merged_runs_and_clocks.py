"""Where two features meet: several keys from one config (`TorchScheduler.from_config`) on a token clock,
resumed through `torch.load(weights_only=True)`; a per-group scale (`scale_key`) on a token clock; a
replanned resume on a token clock keeps the tokens seen. Expected values come from `ps.simulate` on the
same clock, indexed by the tokens seen before each step."""

from __future__ import annotations

import io
import warnings

import numpy as np
import pytest

import paramsched as ps

torch = pytest.importorskip("torch")

CONFIG = {"lr": "warmup(1ktok) then cosine(0.1 -> 0, 9ktok)", "weight_decay": "linear(0.1 -> 0, 10ktok)"}
COUNTS = [int(n) for n in np.random.default_rng(0).integers(1, 400, size=60)]


def _optimizer() -> torch.optim.Optimizer:
    model = torch.nn.Linear(2, 1)
    return torch.optim.AdamW([{"params": [model.weight]}, {"params": [model.bias], "lr_scale": 0.5}], lr=0.0)


def _expected(text: str, positions: list[int]) -> list[float]:
    values = ps.simulate(text, max(positions) + 1, clock="tokens")
    return [float(values[p]) for p in positions]


def test_a_config_on_a_token_clock_resumes_exactly() -> None:
    optimizer = _optimizer()
    scheduler = ps.TorchScheduler.from_config(optimizer, CONFIG, clock="tokens")
    seen, positions, lrs, decays = (
        0,
        [0],
        [optimizer.param_groups[0]["lr"]],
        [optimizer.param_groups[0]["weight_decay"]],
    )
    buffer = io.BytesIO()
    for index, count in enumerate(COUNTS):
        optimizer.step()
        scheduler.step(tokens=count)
        seen += count
        positions.append(seen)
        lrs.append(optimizer.param_groups[0]["lr"])
        decays.append(optimizer.param_groups[0]["weight_decay"])
        if index == 29:
            torch.save(scheduler.state_dict(), buffer)
    assert lrs == _expected(CONFIG["lr"], positions)
    assert decays == _expected(CONFIG["weight_decay"], positions)

    buffer.seek(0)
    again = _optimizer()
    resumed = ps.TorchScheduler.from_config(again, CONFIG, clock="tokens")
    resumed.load_state_dict(torch.load(buffer, weights_only=True))
    assert resumed.position == positions[30]
    for count in COUNTS[30:]:
        again.step()
        resumed.step(tokens=count)
    assert again.param_groups[0]["lr"] == lrs[-1] and again.param_groups[1]["weight_decay"] == decays[-1]


def test_scale_key_on_a_token_clock_scales_each_group_by_its_own_entry() -> None:
    text = CONFIG["lr"]
    for make in (
        lambda opt: ps.TorchScheduler(opt, text, clock="tokens", scale_key="lr_scale"),
        lambda opt: ps.compile(text, opt, clock="tokens", scale_key="lr_scale"),
    ):
        optimizer = _optimizer()
        scheduler = make(optimizer)
        torch_order = isinstance(scheduler, ps.TorchScheduler)
        seen, positions, pairs = 0, [], []
        for count in COUNTS[:20]:
            if not torch_order:
                scheduler.step(tokens=count)  # ignite's order: writes f(tokens seen), then advances
                positions.append(seen)
            optimizer.step()
            seen += count
            if torch_order:
                scheduler.step(tokens=count)  # torch's order: moves to f(tokens seen now)
                positions.append(seen)
            pairs.append((optimizer.param_groups[0]["lr"], optimizer.param_groups[1]["lr"]))
        expected = _expected(text, positions)
        assert [first for first, _ in pairs] == expected
        assert [second for _, second in pairs] == [0.5 * value for value in expected]


def test_replan_on_a_token_clock_keeps_the_tokens_seen() -> None:
    old, new = "const(0.1, 5ktok)", "const(0.1, 5ktok) then linear(0.1 -> 0, 5ktok)"
    optimizer = _optimizer()
    scheduler = ps.TorchScheduler(optimizer, old, clock="tokens")
    for _ in range(10):
        optimizer.step()
        scheduler.step(tokens=600)
    state = scheduler.state_dict()
    with pytest.raises(ps.StateDictError):
        ps.TorchScheduler(_optimizer(), new, clock="tokens").load_state_dict(state)
    again = _optimizer()
    replanned = ps.TorchScheduler(again, new, clock="tokens", resume="replan")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        replanned.load_state_dict(state)
    assert any(issubclass(w.category, ps.PlanChangedWarning) for w in caught)
    assert replanned.position == 6000
    assert again.param_groups[0]["lr"] == _expected(new, [6000])[0]


def test_a_changed_plan_on_a_token_clock_is_shown_with_both_values() -> None:
    optimizer = _optimizer()
    old = ps.TorchScheduler(optimizer, "linear(0 -> 1, 1ktok)", clock="tokens")
    optimizer.step()
    old.step(tokens=500)
    state = old.state_dict()
    with pytest.raises(ps.StateDictError) as raised:
        ps.TorchScheduler(_optimizer(), "linear(0 -> 1, 2ktok)", clock="tokens").load_state_dict(state)
    assert "saved plan 0.5 → this plan 0.25 (jump of -0.25, -50.0%)" in raised.value.message
    assert "not computable" not in raised.value.message


def test_a_setting_the_schedule_does_not_use_is_not_part_of_its_plan() -> None:
    """`total` resolves `%` durations only: a schedule without one is the same plan under another total."""
    optimizer = _optimizer()
    old = ps.TorchScheduler(optimizer, "cosine(0.1 -> 0, 1000)", total=100, steps_per_epoch=10)
    for _ in range(5):
        optimizer.step()
        old.step()
    assert old.state_dict()["schedules"] == ["cosine(0.1 -> 0, 1000)", "cosine(0.1 -> 0, 1000)"]
    again = _optimizer()
    resumed = ps.TorchScheduler(again, "cosine(0.1 -> 0, 1000)", total=200)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ps.PlanChangedWarning)
        resumed.load_state_dict(old.state_dict())
    assert again.param_groups[0]["lr"] == optimizer.param_groups[0]["lr"]
    used = ps.TorchScheduler(_optimizer(), "cosine(0.1 -> 0, 50%)", total=100, steps_per_epoch=10)
    assert used.state_dict()["schedules"][0] == "cosine(0.1 -> 0, 50%) (total=100)"


def test_a_failed_step_changes_nothing() -> None:
    text = "linear(0 -> 1, 3) then 1 / linear(1 -> 0, 3)"  # 1/0 at event 6
    optimizer = _optimizer()
    scheduler = ps.TorchScheduler(optimizer, text)
    for _ in range(5):
        optimizer.step()
        scheduler.step()
    before = (scheduler.state_dict(), optimizer.param_groups[0]["lr"])
    with pytest.raises(ps.NonFiniteValueError):
        scheduler.step()
    assert (scheduler.state_dict(), optimizer.param_groups[0]["lr"]) == before


def test_a_compiled_token_clock_past_its_limit_writes_nothing() -> None:
    optimizer = _optimizer()
    scheduler = ps.compile("linear(0 -> 1, 1ktok)", optimizer, clock="tokens")
    scheduler.step(tokens=500)
    optimizer.param_groups[0]["lr"] = 123.0
    with pytest.raises(ps.LimitError):
        scheduler.step(tokens=10**15)
    assert optimizer.param_groups[0]["lr"] == 123.0 and scheduler.position == 500


def test_a_tuple_entry_is_scheduled_one_element_at_a_time() -> None:
    adam = torch.optim.Adam(torch.nn.Linear(2, 1).parameters(), lr=0.1)
    for make in (lambda: ps.TorchScheduler(adam, "0.9", "betas"), lambda: ps.compile("0.9", adam, "betas")):
        with pytest.raises(
            ps.ScheduleArgumentError, match=r"holds a tuple under 'betas' .*'betas\[0\]' or 'betas\[1\]'"
        ):
            make()
    assert adam.param_groups[0]["betas"] == (0.9, 0.999)


def test_numpy_numbers_are_schedules_and_a_token_clock_refuses_last_epoch() -> None:
    assert ps.load(np.int64(3)) == ps.parse("3")
    assert ps.simulate(np.float32(0.5), 2).tolist() == [0.5, 0.5]
    with pytest.raises(ps.ScheduleArgumentError, match="resume with load_state_dict"):
        ps.TorchScheduler(_optimizer(), "0.1", clock="tokens", last_epoch=5)
