"""The scheduler family against the real pytorch-ignite 0.5.5, value by value and key by key."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import paramsched as ps

torch = pytest.importorskip("torch")
ignite_ps = pytest.importorskip("ignite.handlers.param_scheduler")
ignite_state = pytest.importorskip("ignite.handlers.state_param_scheduler")

from strategies import cyclical_kwargs, piecewise_kwargs  # noqa: E402


def make_optimizer(lr: float = 0.0, groups: int = 1) -> Any:
    params = [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for _ in range(groups)]
    return torch.optim.SGD(params, lr=lr)


def run(scheduler: Any, optimizer: Any, events: int) -> list[list[float]]:
    rows = []
    for _ in range(events):
        scheduler(None)
        rows.append([float(group["lr"]) for group in optimizer.param_groups])
    return rows


def assert_close(ours: Any, theirs: Any, rel: float = 1e-12) -> None:
    a = np.asarray(ours, dtype=np.float64)
    b = np.asarray(theirs, dtype=np.float64)
    assert a.shape == b.shape
    scale = np.maximum(np.abs(b), 1e-300)
    worst = float(np.max(np.abs(a - b) / scale, initial=0.0))
    assert worst <= rel, f"relative difference {worst} > {rel}"


def pair(ours_cls: Any, theirs_cls: Any, events: int, **kwargs: Any) -> tuple[Any, Any, Any, Any]:
    mine, reference = make_optimizer(), make_optimizer()
    ours = ours_cls(mine, "lr", **kwargs)
    theirs = theirs_cls(reference, "lr", **kwargs)
    return ours, theirs, mine, reference


CYCLICAL = [
    (ps.CosineAnnealingScheduler, ignite_ps.CosineAnnealingScheduler, {}),
    (ps.LinearCyclicalScheduler, ignite_ps.LinearCyclicalScheduler, {"monotonic": True}),
    (ps.LinearCyclicalScheduler, ignite_ps.LinearCyclicalScheduler, {"monotonic": False}),
]


@pytest.mark.parametrize(("ours_cls", "theirs_cls", "extra"), CYCLICAL)
@given(kwargs=cyclical_kwargs(), events=st.integers(1, 300), stop=st.integers(0, 300))
def test_cyclical_values_and_state_match_ignite(
    ours_cls: Any, theirs_cls: Any, extra: dict[str, Any], kwargs: dict[str, Any], events: int, stop: int
) -> None:
    if extra.get("monotonic") is False:  # ignite allows no warmup on a triangle
        kwargs = {**kwargs, "warmup_duration": 0}
    kwargs = {**kwargs, **extra}
    ours, theirs, mine, reference = pair(ours_cls, theirs_cls, events, **kwargs)
    stop = min(stop, events)
    ours_rows = run(ours, mine, stop)
    theirs_rows = run(theirs, reference, stop)
    assert ours.state_dict() == theirs.state_dict()
    ours_rows += run(ours, mine, events - stop)
    theirs_rows += run(theirs, reference, events - stop)
    assert_close(ours_rows, theirs_rows)
    assert list(ours.state_dict()) == list(theirs.state_dict())


@given(kwargs=piecewise_kwargs(), events=st.integers(1, 120), stop=st.integers(0, 120))
def test_piecewise_linear_matches_ignite(kwargs: dict[str, Any], events: int, stop: int) -> None:
    ours, theirs, mine, reference = pair(ps.PiecewiseLinear, ignite_ps.PiecewiseLinear, events, **kwargs)
    stop = min(stop, events)
    assert_close(run(ours, mine, stop), run(theirs, reference, stop))
    assert ours.state_dict() == theirs.state_dict()
    assert_close(run(ours, mine, events - stop), run(theirs, reference, events - stop))


@given(
    first=cyclical_kwargs(),
    second=piecewise_kwargs(),
    third=cyclical_kwargs(),
    durations=st.tuples(st.integers(1, 60), st.integers(1, 60)),
    events=st.integers(1, 250),
    stop=st.integers(0, 250),
)
def test_concat_matches_ignite(
    first: dict[str, Any],
    second: dict[str, Any],
    third: dict[str, Any],
    durations: tuple[int, int],
    events: int,
    stop: int,
) -> None:
    def build(module: Any, optimizer: Any) -> Any:
        parts = [
            module.CosineAnnealingScheduler(optimizer, "lr", **first),
            module.PiecewiseLinear(optimizer, "lr", **second),
            module.LinearCyclicalScheduler(optimizer, "lr", monotonic=True, **third),
        ]
        return module.ConcatScheduler(parts, durations=list(durations))

    mine, reference = make_optimizer(), make_optimizer()
    ours, theirs = build(ps, mine), build(ignite_ps, reference)
    stop = min(stop, events)
    assert_close(run(ours, mine, stop), run(theirs, reference, stop))
    assert ours.state_dict() == theirs.state_dict()
    assert_close(run(ours, mine, events - stop), run(theirs, reference, events - stop))
    assert ours.state_dict() == theirs.state_dict()


@given(first=cyclical_kwargs(), second=piecewise_kwargs(), events=st.integers(1, 100))
def test_param_group_scheduler_matches_ignite(first: dict[str, Any], second: dict[str, Any], events: int) -> None:
    def build(module: Any, optimizer: Any) -> Any:
        return module.ParamGroupScheduler(
            [
                module.CosineAnnealingScheduler(optimizer, "lr", param_group_index=0, **first),
                module.PiecewiseLinear(optimizer, "lr", param_group_index=1, **second),
            ],
            names=["a", "b"],
        )

    mine, reference = make_optimizer(groups=2), make_optimizer(groups=2)
    ours, theirs = build(ps, mine), build(ignite_ps, reference)
    assert_close(run(ours, mine, events), run(theirs, reference, events))
    assert ours.state_dict() == theirs.state_dict()
    # ignite's ParamGroupScheduler.simulate_values reads get_param() before each call, which at a cycle
    # boundary is not what the call writes; paramsched's rows are the written values
    stepped = run(build(ignite_ps, reference := make_optimizer(groups=2)), reference, events)
    rows = ps.ParamGroupScheduler.simulate_values(events, build(ps, make_optimizer(groups=2)).schedulers)
    assert [row[0] for row in rows] == list(range(events))
    assert_close([row[1:] for row in rows], stepped)


def ignite_compatible_torch_schedulers() -> list[Any]:
    return [
        lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.MultiStepLR(o, milestones=[2, 5, 9], gamma=0.3),
    ]


def torch_schedulers() -> list[Any]:
    """Schedulers whose get_lr() depends on torch's `_is_initial` flag, which ignite 0.5.5 bypasses."""
    return [
        lambda o: torch.optim.lr_scheduler.LinearLR(o, start_factor=0.2, total_iters=6),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingLR(o, T_max=7, eta_min=0.01),
        lambda o: torch.optim.lr_scheduler.PolynomialLR(o, total_iters=8, power=2.0),
    ]


@pytest.mark.parametrize("factory", ignite_compatible_torch_schedulers())
def test_lr_scheduler_matches_ignite_where_ignite_is_right(factory: Any) -> None:
    mine, reference = make_optimizer(0.1), make_optimizer(0.1)
    ours = ps.LRScheduler(factory(mine))
    theirs = ignite_ps.LRScheduler(factory(reference))
    assert_close(run(ours, mine, 20), run(theirs, reference, 20))
    assert list(ours.state_dict()) == list(theirs.state_dict())


def torch_loop_values(factory: Any, events: int, lr: float = 0.1) -> list[list[float]]:
    """What a plain torch loop sees: the lr before each step."""
    optimizer = make_optimizer(lr)
    scheduler = factory(optimizer)
    rows = []
    for _ in range(events):
        rows.append([float(g["lr"]) for g in optimizer.param_groups])
        optimizer.step()
        scheduler.step()
    return rows


@pytest.mark.parametrize(
    "factory",
    [
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.8),
        lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.9),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4, T_mult=2, eta_min=0.001),
        *torch_schedulers(),
        *ignite_compatible_torch_schedulers(),
    ],
)
def test_lr_scheduler_starts_at_the_initial_lr_like_torch(factory: Any) -> None:
    """ignite 0.5.5 skips the initial lr of the first three on current torch; paramsched does not."""
    optimizer = make_optimizer(0.1)
    ours = ps.LRScheduler(factory(optimizer))
    assert_close(run(ours, optimizer, 25), torch_loop_values(factory, 25), rel=1e-15)


@pytest.mark.parametrize(
    "factory",
    [
        lambda o: torch.optim.lr_scheduler.ExponentialLR(o, gamma=0.5),
        lambda o: torch.optim.lr_scheduler.MultiplicativeLR(o, lr_lambda=lambda epoch: 0.5),
        lambda o: torch.optim.lr_scheduler.CosineAnnealingWarmRestarts(o, T_0=4),
        *torch_schedulers(),
    ],
)
def test_ignite_departs_from_torch_there(factory: Any) -> None:
    """The defect the test above guards against is real in the reference."""
    optimizer = make_optimizer(0.1)
    theirs = ignite_ps.LRScheduler(factory(optimizer))
    assert run(theirs, optimizer, 6) != torch_loop_values(factory, 6)


def test_lr_scheduler_simulate_values_leaves_the_optimizer_alone() -> None:
    optimizer = make_optimizer(0.1)
    torch_scheduler = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    before = (torch_scheduler.state_dict(), [dict(g, params=None) for g in optimizer.param_groups])
    rows = ps.LRScheduler.simulate_values(10, torch_scheduler)
    after = (torch_scheduler.state_dict(), [dict(g, params=None) for g in optimizer.param_groups])
    assert before == after
    assert_close(
        [r[1] for r in rows],
        [v[0] for v in torch_loop_values(lambda o: torch.optim.lr_scheduler.StepLR(o, step_size=2, gamma=0.5), 10)],
    )


@given(
    start=st.floats(0.0, 0.05),
    duration=st.integers(2, 12),
    end=st.one_of(st.none(), st.floats(0.05, 0.2)),
    cyclical=cyclical_kwargs(),
)
def test_warmup_with_param_scheduler_matches_ignite(
    start: float, duration: int, end: float | None, cyclical: dict[str, Any]
) -> None:
    def build(module: Any, optimizer: Any) -> Any:
        main = module.CosineAnnealingScheduler(optimizer, "lr", **cyclical)
        return module.create_lr_scheduler_with_warmup(main, start, duration, warmup_end_value=end)

    mine, reference = make_optimizer(0.1), make_optimizer(0.1)
    ours, theirs = build(ps, mine), build(ignite_ps, reference)
    assert_close(run(ours, mine, 60), run(theirs, reference, 60))


@given(start=st.floats(0.0, 0.05), duration=st.integers(2, 12), end=st.one_of(st.none(), st.floats(0.05, 0.2)))
def test_warmup_with_torch_scheduler_matches_ignite_on_one_group(
    start: float, duration: int, end: float | None
) -> None:
    def build(module: Any, optimizer: Any) -> Any:
        main = torch.optim.lr_scheduler.StepLR(optimizer, step_size=3, gamma=0.5)
        return module.create_lr_scheduler_with_warmup(main, start, duration, warmup_end_value=end)

    mine, reference = make_optimizer(0.1), make_optimizer(0.1)
    ours, theirs = build(ps, mine), build(ignite_ps, reference)
    assert_close(run(ours, mine, 40), run(theirs, reference, 40))


def test_warmup_with_torch_scheduler_on_several_groups() -> None:
    """Every group warms up linearly to its own lr over the same events, then follows torch."""
    optimizer = torch.optim.SGD(
        [{"params": [torch.zeros(1, requires_grad=True)], "lr": lr} for lr in (0.1, 0.4)], lr=0.1
    )
    main = torch.optim.lr_scheduler.StepLR(optimizer, step_size=2, gamma=0.5)
    scheduler = ps.create_lr_scheduler_with_warmup(main, 0.0, 5)
    rows = run(scheduler, optimizer, 12)
    for group, lr in enumerate((0.1, 0.4)):
        expected = [lr * i / 4 for i in range(5)] + [lr, lr * 0.5, lr * 0.5, lr * 0.25, lr * 0.25, lr * 0.125]
        assert_close([row[group] for row in rows][:11], expected[:11])


def test_plateau_matches_ignite_with_group_index() -> None:
    metrics = [1.0, 0.9, 0.95, 0.96, 0.97, 0.98, 0.99, 0.99, 1.0, 1.0, 1.0, 1.0]
    kwargs = {"patience": 1, "factor": 0.5, "min_lr": 0.02, "param_group_index": 0}
    ours = ps.ReduceLROnPlateauScheduler.simulate_values(len(metrics), metrics, 0.1, **kwargs)
    theirs = ignite_ps.ReduceLROnPlateauScheduler.simulate_values(len(metrics), metrics, 0.1, **kwargs)
    assert_close(ours, theirs)


def test_plateau_keeps_min_lr_without_group_index() -> None:
    metrics = [1.0] * 30
    rows = ps.ReduceLROnPlateauScheduler.simulate_values(len(metrics), metrics, 0.1, patience=0, min_lr=0.01)
    assert min(r[1] for r in rows) == pytest.approx(0.01)
    ignite_rows = ignite_ps.ReduceLROnPlateauScheduler.simulate_values(
        len(metrics), metrics, 0.1, patience=0, min_lr=0.01
    )
    assert min(r[1] for r in ignite_rows) < 0.01  # the ignite defect this fixes


def test_plateau_state_survives_weights_only_load(tmp_path: Any) -> None:
    optimizer = make_optimizer(0.1)
    scheduler = ps.ReduceLROnPlateauScheduler(optimizer, "loss", patience=0)
    engine = type("E", (), {})()
    engine.state = type("S", (), {"metrics": {"loss": 1.0}})()
    scheduler(engine)
    torch.save(scheduler.state_dict(), tmp_path / "s.pt")
    state = torch.load(tmp_path / "s.pt", weights_only=True)
    fresh = ps.ReduceLROnPlateauScheduler(make_optimizer(0.1), "loss", patience=0)
    fresh.load_state_dict(state)
    assert fresh.state_dict()["scheduler"]["last_epoch"] == 1


STATE_CASES = [
    ("LambdaStateScheduler", {"lambda_obj": lambda event: 0.5 * event, "param_name": "p"}),
    ("PiecewiseLinearStateScheduler", {"milestones_values": [(2, 1.0), (6, 0.0), (9, 3.0)], "param_name": "p"}),
    ("ExpStateScheduler", {"initial_value": 2.0, "gamma": 0.9, "param_name": "p"}),
    ("StepStateScheduler", {"initial_value": 2.0, "gamma": 0.5, "step_size": 3, "param_name": "p"}),
    ("MultiStepStateScheduler", {"initial_value": 2.0, "gamma": 0.5, "milestones": [2, 5], "param_name": "p"}),
]


@pytest.mark.parametrize(("name", "kwargs"), STATE_CASES)
def test_state_schedulers_match_ignite(name: str, kwargs: dict[str, Any]) -> None:
    ours = getattr(ps, name).simulate_values(15, **kwargs)
    theirs = getattr(ignite_state, name).simulate_values(15, **kwargs)
    assert_close(ours, theirs)


@pytest.mark.parametrize(("name", "kwargs"), STATE_CASES[1:])
def test_state_schedulers_state_keys_match_ignite(name: str, kwargs: dict[str, Any]) -> None:
    holder = type("E", (), {})()
    holder.state = type("S", (), {})()
    ours, theirs = getattr(ps, name)(**kwargs), getattr(ignite_state, name)(**kwargs)
    for _ in range(7):
        ours(holder)
        theirs(holder)
    assert ours.state_dict() == theirs.state_dict()


def test_cycle_mult_below_one_does_not_crash() -> None:
    """ignite divides by zero once the cycle shrinks to 0 events; here it stops at 1 event."""
    values = ps.CosineAnnealingScheduler.simulate_values(
        60, param_name="lr", start_value=1.0, end_value=0.0, cycle_size=8, cycle_mult=0.5
    )
    assert all(math.isfinite(v) for _, v in values)
    with pytest.raises(ZeroDivisionError):
        ignite_ps.CosineAnnealingScheduler.simulate_values(
            60, param_name="lr", start_value=1.0, end_value=0.0, cycle_size=8, cycle_mult=0.5
        )
    # 8 + 4 + 2 + 1 events, then one-event cycles that stay at the start value
    assert [v for _, v in values[15:20]] == [1.0] * 5


@pytest.mark.parametrize(("ours_cls", "theirs_cls", "extra"), CYCLICAL)
def test_simulate_values_rows_match_ignite(ours_cls: Any, theirs_cls: Any, extra: dict[str, Any]) -> None:
    kwargs = {"param_name": "lr", "start_value": 0.5, "end_value": 0.1, "cycle_size": 7, "cycle_mult": 2.0, **extra}
    ours = ours_cls.simulate_values(50, **kwargs)
    theirs = theirs_cls.simulate_values(50, **kwargs)
    assert [r[0] for r in ours] == [r[0] for r in theirs]
    assert_close([r[1] for r in ours], [r[1] for r in theirs])


@given(first=cyclical_kwargs(), second=piecewise_kwargs(), duration=st.integers(1, 50), events=st.integers(1, 150))
def test_concat_simulate_values_matches_ignite_and_leaves_optimizer_alone(
    first: dict[str, Any], second: dict[str, Any], duration: int, events: int
) -> None:
    mine, reference = make_optimizer(0.3), make_optimizer(0.3)
    ours_parts = [ps.CosineAnnealingScheduler(mine, "lr", **first), ps.PiecewiseLinear(mine, "lr", **second)]
    theirs_parts = [
        ignite_ps.CosineAnnealingScheduler(reference, "lr", **first),
        ignite_ps.PiecewiseLinear(reference, "lr", **second),
    ]
    ours = ps.ConcatScheduler.simulate_values(events, ours_parts, [duration], param_names=["lr", "momentum"])
    theirs = ignite_ps.ConcatScheduler.simulate_values(events, theirs_parts, [duration], param_names=["lr", "momentum"])
    assert_close(ours, theirs)
    assert mine.param_groups[0]["lr"] == 0.3
    assert ours_parts[0].state_dict()["event_index"] == 0


def test_engine_history_matches_ignite() -> None:
    from ignite.engine import Engine, Events

    def train(module: Any) -> dict[str, Any]:
        optimizer = make_optimizer()
        engine = Engine(lambda e, b: None)
        scheduler = module.CosineAnnealingScheduler(optimizer, "lr", 0.1, 0.01, 5, save_history=True)
        engine.add_event_handler(Events.ITERATION_STARTED, scheduler)
        engine.run([0] * 7, max_epochs=2)
        return dict(engine.state.param_history)

    ours, theirs = train(ps), train(ignite_ps)
    assert ours.keys() == theirs.keys()
    assert_close(ours["lr"], theirs["lr"])


def test_attach_defaults_to_iteration_started() -> None:
    from ignite.engine import Engine, Events

    optimizer = make_optimizer()
    engine = Engine(lambda e, b: None)
    scheduler = ps.PiecewiseLinear(optimizer, "lr", [(0, 1.0), (10, 0.0)])
    scheduler.attach(engine)
    assert engine.has_event_handler(scheduler, Events.ITERATION_STARTED)
    engine.run([0] * 4, max_epochs=1)
    assert optimizer.param_groups[0]["lr"] == pytest.approx(0.7)


def test_works_without_torch_objects() -> None:
    class Holder:
        param_groups = ({"momentum": 0.0}, {"momentum": 0.0})

    holder = Holder()
    scheduler = ps.LinearCyclicalScheduler(holder, "momentum", 0.8, 0.9, 4)
    scheduler.step()
    scheduler.step()
    assert holder.param_groups[0]["momentum"] == holder.param_groups[1]["momentum"] == pytest.approx(0.85)


def test_constructor_errors_match_ignite_types() -> None:
    optimizer = make_optimizer()
    cases = [
        (lambda m: m.CosineAnnealingScheduler(optimizer, "lr", 1.0, 0.0, 1), ValueError),
        (lambda m: m.CosineAnnealingScheduler(object(), "lr", 1.0, 0.0, 10), TypeError),
        (lambda m: m.PiecewiseLinear(optimizer, "lr", [(1.5, 0.0)]), TypeError),
        (lambda m: m.PiecewiseLinear(optimizer, "lr", [(5, 0.0), (1, 1.0)]), ValueError),
        (lambda m: m.PiecewiseLinear(optimizer, "lr", []), ValueError),
        (lambda m: m.LinearCyclicalScheduler(optimizer, "lr", 1.0, 0.0, 10, warmup_duration=2), ValueError),
        (lambda m: m.ConcatScheduler([m.PiecewiseLinear(optimizer, "lr", [(0, 1.0)])], []), ValueError),
    ]
    for build, error in cases:
        with pytest.raises(error):
            build(ignite_ps)
        with pytest.raises(error):
            build(ps)
