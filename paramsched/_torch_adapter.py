"""A paramsched schedule as a real `torch.optim.lr_scheduler.LRScheduler`.

Lightning's `configure_optimizers`, Hugging Face's `Trainer(optimizers=(opt, sched))` and any loop that
calls `scheduler.step()` check for torch's base class, so the adapter subclasses it. This module imports
torch at the top: `paramsched/__init__.py` must load it lazily (only when `TorchScheduler` or
`torch_scheduler` is first used), so that `import paramsched` never imports torch.
"""

from __future__ import annotations

import numbers
import warnings
from collections.abc import Callable, Mapping, Sequence
from typing import Any, cast

import numpy as np
import torch
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler

from . import _schedules as pure
from ._base import assign, plain
from ._clocks import Clock, ClockCounter, ClockError, StridedValues, whole_count
from ._config import config_entries, prefixed
from ._exceptions import ScheduleArgumentError, ScheduleError, StateDictError
from ._key_check import require_param_key
from ._keys import read_param
from ._limits import MAX_EVENTS
from ._resolve import Resolver
from ._resume import PlanChange, ResumePolicy, check_resume
from .language import Node, to_node, unparse

__all__ = ["TorchScheduler", "torch_scheduler"]

STATE_FORMAT_VERSION = 1
_MAX_BLOCK = 4096

ScheduleLike = str | float | Node | Mapping[str, Any]


class _Track:
    """One param group's schedule, with a block of precomputed values so `step()` costs no numpy call."""

    def __init__(self, schedule: pure.Schedule, source: str) -> None:
        self.schedule = schedule
        self.source = source
        self.block: list[float] = []
        self.start = 0
        self.size = 64

    def value(self, event: int) -> float:
        offset = event - self.start
        if not 0 <= offset < len(self.block):
            self.block = self._refill(event)
            self.start = event
            offset = 0
        return self.block[offset]

    def _refill(self, event: int) -> list[float]:
        events = np.arange(event, event + self.size, dtype=np.int64)
        self.size = min(self.size * 2, _MAX_BLOCK)
        values = pure.finite_values(self.schedule, events, f"schedule {self.source!r}", prefix=True)
        return values.tolist()  # type: ignore[no-any-return]


class _ClockTrack(StridedValues):
    """A track on a token or sample clock: positions jump by each step's count, so values come from blocks
    at the positions the next steps reach (paramsched._clocks.StridedValues)."""

    def __init__(self, schedule: pure.Schedule, source: str) -> None:
        super().__init__(schedule, f"schedule {source!r}")
        self.source = source

    value = StridedValues.at


class _Lane:
    """One scheduled (param group index, key): the track of its schedule and whether the group's scale
    entry multiplies it (timm's `lr_scale`: value · group.get(scale_key, 1)). The group is looked up by
    index at each write: `optimizer.load_state_dict` replaces the group dicts (Lightning's restore does)."""

    __slots__ = ("index", "key", "scale_key", "track")

    def __init__(self, index: int, key: str, track: _Track | _ClockTrack, scale_key: str | None) -> None:
        self.index = index
        self.key = key
        self.track = track
        self.scale_key = scale_key

    def value(self, position: int, groups: Sequence[dict[str, Any]]) -> float:
        value = self.track.value(position)
        if self.scale_key is not None:
            value = value * plain(groups[self.index].get(self.scale_key, 1.0))
        return value


class _FromConfig:
    """`TorchScheduler.from_config`'s config, handed to the one constructor in place of a schedule."""

    def __init__(self, config: Any) -> None:
        self.config = config


_TrackOf = Callable[[Node], _Track | _ClockTrack]  # how a node becomes the track of its resolved schedule


def _group_lanes(
    optimizer: Optimizer,
    schedule: ScheduleLike | Sequence[ScheduleLike | None],
    param_name: str,
    track_of: _TrackOf,
    scale_key: str | None,
    create_new: bool,
) -> tuple[list[_Track | _ClockTrack | None], list[_Lane]]:
    """One key, one schedule for every group (one shared track) or one per group (None: left alone)."""
    per_group = _per_group(schedule, len(optimizer.param_groups))
    written = [index for index, item in enumerate(per_group) if item is not None]
    require_param_key(optimizer, param_name, written, create_new=create_new)
    shared: _Track | _ClockTrack | None = None  # one schedule for every group: one track, one value per step
    tracks: list[_Track | _ClockTrack | None] = []
    for item in per_group:
        if item is None:
            tracks.append(None)
        elif isinstance(schedule, (list, tuple)) or shared is None:
            track = track_of(to_node(item))
            shared = track if not isinstance(schedule, (list, tuple)) else None
            tracks.append(track)
        else:
            tracks.append(shared)
    lanes = [_Lane(index, param_name, track, scale_key) for index, track in enumerate(tracks) if track is not None]
    return tracks, lanes


def _config_lanes(
    optimizer: Optimizer, config: Any, track_of: _TrackOf, scale_key: str | None, create_new: bool
) -> tuple[list[_Track | _ClockTrack | None], list[_Lane], dict[str, str]]:
    """Every (key, group) of a config: the lr tracks per group (what `get_last_lr` reports), the lanes,
    and each label's plan; `scale_key` scales the `lr` entries only."""
    groups = optimizer.param_groups
    lr_tracks: list[_Track | _ClockTrack | None] = [None] * len(groups)
    lanes: list[_Lane] = []
    plans: dict[str, str] = {}
    for label, param, index, node in config_entries(config, optimizer):
        targets = range(len(groups)) if index is None else [index]
        try:
            require_param_key(optimizer, param, targets, create_new=create_new)
            track = track_of(node)
        except ScheduleError as error:
            raise prefixed(error, label) from None
        plans[label] = track.source
        for target in targets:
            lanes.append(_Lane(target, param, track, scale_key if param == "lr" else None))
            if param == "lr":
                lr_tracks[target] = track
    return lr_tracks, lanes, plans


class TorchScheduler(LRScheduler):
    """A schedule text driving one param-group key (default `lr`) as a torch LRScheduler.

    Like torch's schedulers, construction writes the value of event 0 and each `step()` moves to the
    next event; values are absolute (no `base_lrs` factor). `schedule` is one schedule for every param
    group, or a list with one per group (None leaves that group alone). A tensor entry (e.g. lr given
    as `torch.tensor(0.01)` for a compiled optimizer) is updated in place, so `torch.compile` sees
    the same tensor and does not recompile as the value changes. `param_name` schedules any other key
    of the param groups (momentum, weight_decay, ...), or one element of a tuple entry: `"betas[0]"` is
    Adam's β1, β2 kept (as torch's OneCycleLR writes it); `get_last_lr()` stays torch's "current lrs". A
    key that a scheduled group lacks is refused (with the closest key) unless `create_new=True`.

    Clocks: with `clock="tokens"` (or `"samples"`) the schedule's position counts tokens. Call
    `step(tokens=n)` after each optimizer step with the n tokens that step consumed, or give
    `clock_source`, a callable returning the tokens seen so far (Hugging Face's
    `state.num_input_tokens_seen`), read at each `step()`. The value written is the schedule at the position
    reached: f(tokens seen), the value for the next step. `last_epoch` still counts `step()` calls; the
    position is `position` and is saved in the state. On the step clock `tokens_per_step` and
    `samples_per_step` convert `tok` and `sp` durations to steps, as `steps_per_epoch` converts `ep`.

    `scale_key="lr_scale"` multiplies each group's value by that group's own entry (timm's convention;
    a group without one is scaled by 1), so layer-wise lr decay needs one schedule. `resume` decides
    what loading a state saved under another plan does (see `load_state_dict`).
    `TorchScheduler.from_config` schedules several keys from one config mapping.

    Args:
        optimizer: the torch optimizer whose param groups it writes.
        schedule: text, a plain number, an AST node or a mapping; or a list, one per param group (None
            leaves a group alone).
        param_name: the param-group key: "lr", "momentum", "weight_decay", "betas[0]", ….
        total: events in the run, for `%` durations.
        steps_per_epoch: events per epoch, for `ep` durations.
        tokens_per_step: tokens per step, for `tok` durations on the step clock.
        samples_per_step: samples per step, for `sp` durations on the step clock.
        clock: what a position counts: "steps", "tokens" or "samples".
        clock_source: on a token or sample clock, a callable returning the count seen so far.
        scale_key: a group entry that multiplies the value in that group (missing = 1).
        resume: "strict" or "replan", for a state saved under another plan.
        create_new: allow a `param_name` a scheduled group does not have.
        last_epoch: torch's argument; -1 starts a run.

    Raises:
        ScheduleError: a subclass for bad text, arguments, keys (`ScheduleArgumentError`) or units.
        TypeError: `optimizer` is not a torch Optimizer.
    """

    def __init__(
        self,
        optimizer: Optimizer,
        schedule: ScheduleLike | Sequence[ScheduleLike | None],
        param_name: str = "lr",
        *,
        total: int | None = None,
        steps_per_epoch: int | None = None,
        tokens_per_step: int | None = None,
        samples_per_step: int | None = None,
        clock: Clock = "steps",
        clock_source: Callable[[], Any] | None = None,
        scale_key: str | None = None,
        resume: ResumePolicy = "strict",
        create_new: bool = False,
        last_epoch: int = -1,
    ) -> None:
        if not isinstance(optimizer, Optimizer):
            raise TypeError(f"{type(optimizer).__name__} is not an Optimizer")
        if not isinstance(param_name, str):
            raise TypeError(f"param_name should be a str, but given {type(param_name).__name__}")
        resolver = Resolver(  # checks the run settings
            total, steps_per_epoch, clock=clock, tokens_per_step=tokens_per_step, samples_per_step=samples_per_step
        )
        counter = ClockCounter(clock, clock_source)
        track_class = _Track if counter.clock == "steps" else _ClockTrack

        def track_of(node: Node) -> _Track | _ClockTrack:
            return track_class(resolver.schedule(node), unparse(node) + resolver.note())

        if isinstance(schedule, _FromConfig):
            tracks, lanes, plans = _config_lanes(optimizer, schedule.config, track_of, scale_key, create_new)
        else:
            tracks, lanes = _group_lanes(optimizer, schedule, param_name, track_of, scale_key, create_new)
            plans = None
        self._begin(optimizer, param_name, tracks, lanes, plans, scale_key, resume, counter, last_epoch)

    @classmethod
    def from_config(cls, optimizer: Optimizer, config: Any, **settings: Any) -> TorchScheduler:
        """One torch LRScheduler for every schedule of a config: the mapping `compile_config` takes
        (param names to schedules, per param group by index or `name`, `default`), or a YAML/JSON file.

        So lr, weight decay and momentum follow one YAML mapping under any trainer that steps one
        scheduler (Hugging Face's Trainer, Lightning). `get_last_lr()` is the lrs (scheduled or not);
        `scale_key` scales the `lr` entries only (timm's layer-wise decay scales the lr). The state is
        one plain dict with each label's plan.

        `settings` are `TorchScheduler`'s keyword arguments: `total`, `steps_per_epoch`,
        `tokens_per_step`, `samples_per_step`, `clock`, `clock_source`, `scale_key`, `resume`,
        `create_new`, `last_epoch`.

        Args:
            optimizer: the torch optimizer whose param groups it writes.
            config: a mapping, an OmegaConf DictConfig, or the path of a YAML/JSON file.
            **settings: the run settings, as for `TorchScheduler`.

        Returns:
            One `TorchScheduler` writing every entry of the config at each step.

        Raises:
            ScheduleError: a subclass, its message starting with the entry's key (`weight_decay: …`).
        """
        return cls(optimizer, cast(ScheduleLike, _FromConfig(config)), "lr", **settings)

    def _begin(
        self,
        optimizer: Optimizer,
        param_name: str,
        tracks: list[_Track | _ClockTrack | None],
        lanes: list[_Lane],
        plans: dict[str, str] | None,
        scale_key: str | None,
        resume: ResumePolicy,
        counter: ClockCounter,
        last_epoch: int,
    ) -> None:
        """Shared by both constructors: what is scheduled, then torch's construction (which writes event 0).

        `_shared` is the hot path of `step()`: one track whose value goes unscaled into every lane."""
        if scale_key is not None and not isinstance(scale_key, str):
            raise TypeError(f"scale_key should be a str (e.g. 'lr_scale') or None, but given {scale_key!r}")
        self.resume = check_resume(resume)
        self.param_name = param_name
        self.scale_key = scale_key
        self._tracks = tracks
        self._lanes = lanes
        self._plans = plans
        if counter.clock != "steps" and last_epoch != -1:
            raise ScheduleArgumentError(
                f"last_epoch={last_epoch} resumes torch's count of steps, which cannot say how many {counter.clock} "
                f"were seen; on the {counter.clock} clock resume with load_state_dict (its state holds the position)"
            )
        self._counter = counter
        self._on_steps = counter.clock == "steps"
        self._position = 0  # tokens or samples seen, off the step clock (on it, the position is last_epoch)
        distinct = {id(lane.track) for lane in lanes}
        shared = lanes[0].track if len(distinct) == 1 and scale_key is None else None
        self._shared = shared if isinstance(shared, _Track) else None  # the step clock's hot path
        self._shared_clock = shared if isinstance(shared, _ClockTrack) else None  # the other clocks' one
        self._plain_tokens = counter.clock == "tokens" and counter.source is None
        self._shared_key = lanes[0].key if lanes else param_name
        every_group = [lane.index for lane in lanes] == list(range(len(optimizer.param_groups)))
        self._shared_indices = None if every_group else [lane.index for lane in lanes]  # None: all groups
        super().__init__(optimizer, last_epoch)

    # -- torch's protocol -----------------------------------------------------------------------

    def get_lr(self) -> list[float | torch.Tensor]:
        """The values for `last_epoch` (torch's name; for another `param_name` these are its values), or
        for `position` on a token or sample clock."""
        position = self.last_epoch if self._on_steps else self._position
        values: list[float | torch.Tensor] = []
        for track, group in zip(self._tracks, self.optimizer.param_groups, strict=True):
            if track is None:
                values.append(plain(read_param(group, self.param_name)))
                continue
            value = track.value(position)
            if self.scale_key is not None:
                value = value * plain(group.get(self.scale_key, 1.0))
            values.append(value)
        return values

    def step(self, epoch: int | None = None, *, tokens: int | None = None, samples: int | None = None) -> None:
        """Move to the next event (or to `epoch`, torch's deprecated form) and write its values.

        On a token (sample) clock: `tokens=n` (`samples=n`) is what the optimizer step just taken consumed;
        the position moves by n (or to `clock_source()`), and the value written is f(position).

        The hot paths (one schedule for every group, no scale): the value is read from the track's
        precomputed block (on a token or sample clock, its strided block), written into the groups, and
        `get_last_lr()`'s list rebuilt: no numpy call, none of `LRScheduler.step`'s generic work."""
        if self._step_count == 1:
            self._check_call_order()
        event = self.last_epoch + 1
        if self._on_steps:
            if tokens is not None or samples is not None:
                self._counter.count(tokens, samples)  # raises: the step clock takes no count
            track = self._shared
            if epoch is not None or track is None:
                self._write(event if epoch is None else epoch)  # changes nothing if it raises
                self._step_count += 1
                return
            offset = event - track.start
            block = track.block
            value = block[offset] if 0 <= offset < len(block) else track.value(event)
            self._step_count += 1
        else:
            # torch's first step (from its constructor) writes position 0; each later one moves the
            # position by the step's count, or to the clock source's reading
            if epoch is not None:
                self._refuse_epoch()
            position = self._position
            if (
                tokens.__class__ is int
                and self._plain_tokens
                and samples is None
                and 0 <= tokens <= MAX_EVENTS - position
            ):
                position += tokens  # the common case of `next_position`, inlined
            elif self._step_count:  # (the constructor's own first step stays at 0)
                position = self._counter.next_position(position, tokens, samples)
            clock_track = self._shared_clock
            if clock_track is None:
                self._write(event, position)  # changes nothing if it raises
                self._step_count += 1
                return
            value = clock_track.at(position)  # raises before anything changes if it is not finite
            self._position = position
            self._step_count += 1
        key = self._shared_key
        groups = self.optimizer.param_groups
        for group in groups if self._shared_indices is None else [groups[i] for i in self._shared_indices]:
            if type(group.get(key)) is float:
                group[key] = value
            else:
                assign(group, key, value)
        self.last_epoch = event
        self._last_lr = [_copy(group["lr"]) for group in groups]

    def _check_call_order(self) -> None:
        if not getattr(self.optimizer, "_opt_called", False) and hasattr(self.optimizer.step, "_wrapped_by_lr_sched"):
            warnings.warn(
                "Detected call of `lr_scheduler.step()` before `optimizer.step()`: call them in the "
                "opposite order or the first value of the schedule is skipped",
                UserWarning,
                stacklevel=3,
            )

    def _refuse_epoch(self) -> None:
        raise ClockError(
            f"step(epoch) jumps to an event of the steps clock; this scheduler runs on the "
            f"{self._counter.clock} clock: write step({self._counter.clock}=n)"
        )

    @property
    def clock(self) -> str:
        """The clock the position counts: "steps", "tokens" or "samples"."""
        return self._counter.clock

    @property
    def position(self) -> int:
        """Where the schedule stands: events on the step clock (`last_epoch`), tokens or samples seen on
        the others."""
        return self.last_epoch if self._on_steps else self._position

    def _write(self, event: int, position: int | None = None) -> None:
        """Compute every lane's value first (a non-finite one changes nothing), then assign them; off the
        step clock the values are those at `position` (tokens or samples seen)."""
        if event < 0:
            raise ValueError(f"the event index must not be negative, but it is {event}")
        groups = self.optimizer.param_groups
        at = event if self._on_steps else (self._position if position is None else position)
        values = [lane.value(at, groups) for lane in self._lanes]
        if position is not None:
            self._position = position
        for lane, value in zip(self._lanes, values, strict=True):
            assign(groups[lane.index], lane.key, value)
        self.last_epoch = event
        self._last_lr = [_copy(group["lr"]) for group in groups]

    def get_last_value(self) -> list[float]:
        """The scheduled key's values after the last step, one per param group."""
        return [float(plain(read_param(group, self.param_name))) for group in self.optimizer.param_groups]

    # -- paramsched's view ----------------------------------------------------------------------

    @property
    def schedules(self) -> list[str | None]:
        """The canonical text of each group's `param_name` schedule (None for a group left alone)."""
        return [None if track is None else track.source for track in self._tracks]

    @property
    def plans(self) -> dict[str, str]:
        """Every scheduled label and its plan (canonical text and run settings): a config's labels
        (`lr`, `weight_decay.1`) for `from_config`, else `param_name.index` per scheduled group."""
        if self._plans is not None:
            return dict(self._plans)
        return {
            f"{self.param_name}.{index}": track.source for index, track in enumerate(self._tracks) if track is not None
        }

    def evaluate(self, num_events: int, start: int = 0) -> np.ndarray[Any, np.dtype[np.float64]]:
        """Values for events start .. start+num_events-1, shape (events, groups); no state changes.

        A group left alone (None) shows its current value in every row; a scaled group its scaled values."""
        columns = []
        for track, group in zip(self._tracks, self.optimizer.param_groups, strict=True):
            if track is None:
                columns.append(np.full(num_events, float(plain(read_param(group, self.param_name)))))
                continue
            column = pure.evaluate(track.schedule, num_events, start, f"schedule {track.source!r}")
            if self.scale_key is not None:
                column = column * float(plain(group.get(self.scale_key, 1.0)))
            columns.append(column)
        return np.stack(columns, axis=1) if columns else np.empty((num_events, 0))

    # -- state ----------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Plain Python values only, so `torch.load(..., weights_only=True)` reads them back.

        `schedules` holds the plan of each group (a list) or, from a config, of each label (a dict). Off
        the step clock it also holds the clock and the position (tokens or samples seen)."""
        state: dict[str, Any] = {
            "last_epoch": self.last_epoch,
            "_step_count": self._step_count,
            "param_name": self.param_name,
            "schedules": self.schedules if self._plans is None else dict(self._plans),
            "base_lrs": [float(plain(lr)) for lr in self.base_lrs],
            "_last_lr": [float(plain(lr)) for lr in self._last_lr],
            "paramsched_format": STATE_FORMAT_VERSION,
        }
        if not self._on_steps:  # the step clock's position is last_epoch
            state["clock"] = self._counter.clock
            state["position"] = self._position
        return state

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Resume at the saved event: checks the state, then writes that event's values into the
        optimizer (so the order of loading optimizer and scheduler does not matter). A malformed state
        raises StateDictError and changes nothing. A state saved under another plan (other texts, or
        other settings such as `total`) is refused with both plans and their values at the saved event
        (resume="strict"), or continued on this plan from the saved event with a PlanChangedWarning
        stating the jump (resume="replan")."""
        owner = type(self).__name__
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Argument state_dict should be a dictionary, but given {type(state_dict)}")
        required = ("last_epoch", "_step_count", "param_name", "schedules", "paramsched_format")
        missing = [key for key in required if key not in state_dict]
        if missing:
            raise StateDictError(
                f"{owner}.load_state_dict: required key(s) {', '.join(map(repr, missing))} absent "
                f"(the state has {sorted(map(str, state_dict))}); was it saved by a {owner}?"
            )
        version = state_dict["paramsched_format"]
        if not isinstance(version, int) or version > STATE_FORMAT_VERSION:
            raise StateDictError(
                f"{owner}.load_state_dict: the state was saved in format {version!r}, which this "
                f"paramsched does not read (it reads {STATE_FORMAT_VERSION}); upgrade paramsched"
            )
        last_epoch = _whole(state_dict["last_epoch"], "last_epoch", owner, minimum=-1)
        step_count = _whole(state_dict["_step_count"], "_step_count", owner, minimum=0)
        if last_epoch > MAX_EVENTS:
            raise StateDictError(f"{owner}.load_state_dict: last_epoch {last_epoch} is out of range")
        if state_dict["param_name"] != self.param_name:
            raise StateDictError(
                f"{owner}.load_state_dict: the state schedules {state_dict['param_name']!r}, "
                f"but this scheduler schedules {self.param_name!r}"
            )
        position = self._position_in(state_dict, owner)
        labels, saved, here = self._compared_plans(state_dict["schedules"], owner)
        change = None
        if saved != here:
            at = (last_epoch if position is None else position) if last_epoch >= 0 else None
            change = PlanChange.between(owner, labels, saved, here, at)
            if self.resume == "strict":
                raise change.refusal()
        if last_epoch >= 0:
            self._write(last_epoch, position)  # raises before writing anything if a value is not finite
        else:
            self.last_epoch = last_epoch
            if position is not None:
                self._position = position
        self._step_count = step_count
        if change is not None:
            change.warn()

    def _position_in(self, state_dict: Mapping[str, Any], owner: str) -> int | None:
        """The saved position on a token or sample clock (None on the step clock: it is last_epoch)."""
        clock = self._counter.clock
        saved_clock = state_dict.get("clock", "steps")
        if saved_clock != clock:
            raise StateDictError(
                f"{owner}.load_state_dict: the state was saved on the {saved_clock!r} clock, "
                f"but this scheduler runs on the {clock!r} clock"
            )
        if clock == "steps":
            return None
        if "position" not in state_dict:
            raise StateDictError(f"{owner}.load_state_dict: required key 'position' absent (the {clock} seen)")
        try:
            return whole_count(state_dict["position"], "position")
        except ValueError as error:
            raise StateDictError(f"{owner}.load_state_dict: {error}") from None

    def _compared_plans(self, saved: Any, owner: str) -> tuple[list[str], list[str | None], list[str | None]]:
        """(labels, saved plans, this scheduler's plans) lane by lane, or StateDictError when the saved
        `schedules` has another form (per group vs per config label, another number of groups)."""
        if self._plans is None:
            groups = len(self._tracks)
            if (
                not isinstance(saved, (list, tuple))
                or len(saved) != groups
                or not all(item is None or isinstance(item, str) for item in saved)
            ):
                raise StateDictError(
                    f"{owner}.load_state_dict: the state's 'schedules' should be one plan (or None) for each "
                    f"of the {groups} param group(s), but it is {saved!r}"
                )
            labels = [f"param group {index}" if groups > 1 else "" for index in range(groups)]
            return labels, list(saved), self.schedules
        if (
            not isinstance(saved, Mapping)
            or set(saved) != set(self._plans)
            or not all(isinstance(item, str) for item in saved.values())
        ):
            raise StateDictError(
                f"{owner}.load_state_dict: the state belongs to another config (or is not a config's): it "
                f"schedules {saved!r}, this scheduler {self._plans!r}"
            )
        labels = list(self._plans)
        return labels, [saved[label] for label in labels], [self._plans[label] for label in labels]


def torch_scheduler(
    schedule: ScheduleLike | Sequence[ScheduleLike | None],
    optimizer: Optimizer,
    param_name: str = "lr",
    **settings: Any,
) -> TorchScheduler:
    """`TorchScheduler` with `paramsched.compile`'s argument order (schedule first); `settings` are
    `TorchScheduler`'s keyword arguments (`total`, `steps_per_epoch`, `clock`, `resume`, …)."""
    return TorchScheduler(optimizer, schedule, param_name, **settings)


def _per_group(schedule: ScheduleLike | Sequence[ScheduleLike | None], groups: int) -> list[ScheduleLike | None]:
    if isinstance(schedule, (list, tuple)):
        if len(schedule) != groups:
            raise ScheduleArgumentError(
                f"got {len(schedule)} schedules for an optimizer with {groups} param groups; "
                "give one schedule for all groups or one per group"
            )
        if all(item is None for item in schedule):
            raise ScheduleArgumentError("every schedule in the list is None: nothing to schedule")
        return list(schedule)
    return [schedule] * groups  # type: ignore[list-item]


def _copy(value: Any) -> Any:
    """torch's get_last_lr never aliases a tensor lr: it hands out a clone."""
    return value.clone() if isinstance(value, torch.Tensor) else value


def _whole(value: Any, key: str, owner: str, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise StateDictError(
            f"{owner}.load_state_dict: {key!r} should be a whole number ≥ {minimum}, but given {value!r}"
        )
    return int(value)
