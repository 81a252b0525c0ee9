"""Configs: a mapping of param names to schedules that compiles into ONE handler.

    lr: "linear(0 -> 0.1, 500) then cosine(0.1 -> 0, 10k)"   # every param group
    momentum: 0.9                                            # a bare number holds forever
    weight_decay:                                            # per param group:
      0: "1e-4"                                              #   by index (YAML int or "0")
      head: "linear(1e-4 -> 0, 10k)"                         #   by the group's "name" entry
      default: 0                                             #   every group not listed

A value is schedule text, a number, or a schedule in mapping form (a mapping with a `kind`).
A mapping without `kind` addresses param groups: its keys are group indices, group names
(matched against `param_group["name"]`), or `default`.

The handler is attached once and checkpointed as one state, so a training loop does not juggle one
scheduler per parameter; loading the state of another config is refused before anything changes.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from ._base import ParamScheduler, ScheduleBacked, default_event, load_all, require_mapping
from ._compile import compile as compile_schedule
from ._compile import simulate
from ._exceptions import ScheduleArgumentError, ScheduleError, StateDictError
from ._resolve import resolve
from ._resume import ResumePolicy, check_resume
from .language import Node, check_run_settings, looks_like_schedule, to_node, unparse

__all__ = [
    "ConfigScheduler",
    "check_config",
    "compile_config",
    "config_entries",
    "find_schedule_strings",
    "load_config",
    "validate_config",
]

CONFIG_STATE_FORMAT = 1
DEFAULT_GROUP = "default"

ConfigSource = Mapping[str, Any] | str | os.PathLike[str]


def load_config(config: Any) -> dict[str, Any]:
    """A config as a plain dict: a mapping, an OmegaConf DictConfig, or a YAML/JSON file path."""
    if isinstance(config, (str, os.PathLike)):
        return _read_file(Path(config))
    if type(config).__module__.startswith("omegaconf"):
        from omegaconf import OmegaConf

        container = OmegaConf.to_container(config, resolve=True)
        if not isinstance(container, dict):
            raise ScheduleArgumentError(f"a config is a mapping, not {type(container).__name__}")
        return {str(key): value for key, value in container.items()}
    if isinstance(config, Mapping):
        return dict(config)
    raise TypeError(
        f"a config is a mapping, an OmegaConf DictConfig or a YAML/JSON file path, not {type(config).__name__}"
    )


def _read_file(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ScheduleArgumentError(f"cannot read config file {str(path)!r}: {error.strerror}") from None
    if path.suffix.lower() == ".json":
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise ScheduleArgumentError(f"{path}: not valid JSON: {error}") from None
    else:
        try:
            import yaml
        except ImportError as error:  # pragma: no cover - depends on the environment
            raise ModuleNotFoundError(
                "reading a YAML config needs PyYAML: pip install 'paramsched[yaml]' (or pip install pyyaml)"
            ) from error
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            raise ScheduleArgumentError(f"{path}: not valid YAML: {error}") from None
    if not isinstance(data, dict):
        raise ScheduleArgumentError(f"{path}: a config file holds a mapping, not {type(data).__name__}")
    return data


# -- entries ------------------------------------------------------------------------------------


def _is_schedule(value: Any) -> bool:
    """Text, a number, an AST node, or a mapping form of one (it has a `kind`)."""
    if isinstance(value, bool):
        return False
    if isinstance(value, (str, int, float, Node)):
        return True
    return isinstance(value, Mapping) and "kind" in value


def _node(value: Any, label: str) -> Node:
    """The AST of one config value; errors are prefixed with the config key, caret block kept."""
    try:
        if not _is_schedule(value):
            raise ScheduleArgumentError(
                f"a schedule is text, a number or a mapping with a `kind`, not {type(value).__name__}"
            )
        return to_node(value)
    except ScheduleError as error:
        raise prefixed(error, label) from None


def prefixed(error: ScheduleError, label: str, separator: str = ": ") -> ScheduleError:
    """`error` with `label: ` (or `label.`, a key's prefix) before its message, of the same class, its
    caret block kept."""
    message = f"{label}{separator}{error.message}"
    return type(error)(message, text=error.text, line=error.line, column=error.column)


def _group_key(key: Any) -> int | str:
    """A group address: an index (int or digits), `default`, or a group name."""
    if isinstance(key, bool):
        raise ScheduleArgumentError(f"a param group is addressed by index or name, not {key!r}")
    if isinstance(key, int):
        return key
    if isinstance(key, str) and key.strip().isdigit() and key.strip().isascii():
        return int(key)
    if isinstance(key, str) and key:
        return key
    raise ScheduleArgumentError(f"a param group is addressed by index or name, not {key!r}")


class _Entry:
    """One (param name, group address) pair of a config and its schedule."""

    def __init__(self, param: str, group: int | str | None, node: Node) -> None:
        self.param = param
        self.group = group
        self.node = node

    @property
    def label(self) -> str:
        return self.param if self.group is None else f"{self.param}.{self.group}"


def _entries(config: Mapping[str, Any], problems: list[ScheduleError] | None = None) -> list[_Entry]:
    """The config's (param, group) entries. A bad entry raises, or with `problems` is recorded there
    (its key in front) and skipped, so that every bad entry can be reported at once."""
    entries: list[_Entry] = []

    def refuse(error: ScheduleError) -> None:
        if problems is None:
            raise error
        problems.append(error)

    if not config:
        raise ScheduleArgumentError("the config is empty: give at least one `param: schedule`")
    for param, value in config.items():
        if not isinstance(param, str) or not param:
            refuse(ScheduleArgumentError(f"config keys are param names (text), not {param!r}"))
            continue
        if not isinstance(value, Mapping) or _is_schedule(value):
            items: list[tuple[int | str | None, Any]] = [(None, value)]
        elif not value:
            refuse(ScheduleArgumentError(f"{param}: no param group given"))
            continue
        else:
            items = []
            for key, item in value.items():
                try:
                    items.append((_group_key(key), item))
                except ScheduleError as error:
                    refuse(prefixed(error, param))
        for group, item in items:
            try:
                entries.append(_Entry(param, group, _node(item, param if group is None else f"{param}.{group}")))
            except ScheduleError as error:
                refuse(error)
    return entries


def validate_config(config: Any, *, total: int | None = None, steps_per_epoch: int | None = None) -> list[str]:
    """Check every schedule of a config without an optimizer; the labels checked, or ScheduleError."""
    labels, problems = check_config(config, total=total, steps_per_epoch=steps_per_epoch)
    if problems:
        raise problems[0]
    return labels


def check_config(
    config: Any, *, total: int | None = None, steps_per_epoch: int | None = None, prefix: str = ""
) -> tuple[list[str], list[ScheduleError]]:
    """Every entry of a config checked: (labels of the good ones, an error for each bad one).

    Each error starts with its full dotted key (`prefix` in front: `optim.lr.head: …`) and keeps its
    caret. Settings that are wrong themselves (`total=0`) raise at once.
    """
    check_run_settings(total, steps_per_epoch)
    problems: list[ScheduleError] = []
    labels: list[str] = []
    for entry in _entries(load_config(config), problems):
        try:
            resolve(entry.node, total=total, steps_per_epoch=steps_per_epoch)
            labels.append(entry.label)
        except ScheduleError as error:
            problems.append(prefixed(error, entry.label))
    if prefix:
        labels = [f"{prefix}.{label}" for label in labels]
        problems = [prefixed(error, prefix, ".") for error in problems]
    return labels, problems


def find_schedule_strings(data: Any, path: str = "") -> list[tuple[str, str]]:
    """(dotted key, text) of every string in a nested config that looks like schedule text.

    Interpolations (`${...}`) and `_target_` entries are skipped; numbers are not schedules here, and
    neither is `resnet(50)`: see `looks_like_schedule`.
    """
    found: list[tuple[str, str]] = []
    if isinstance(data, Mapping):
        for key, value in data.items():
            if key not in ("_target_", "_partial_", "_convert_", "_recursive_", "_args_"):
                found.extend(find_schedule_strings(value, f"{path}.{key}" if path else str(key)))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found.extend(find_schedule_strings(value, f"{path}[{index}]"))
    elif isinstance(data, str) and "${" not in data and looks_like_schedule(data):
        found.append((path, data))
    return found


# -- the handler --------------------------------------------------------------------------------


def _group_indices(entries: list[_Entry], optimizer: Any) -> list[tuple[str, int | None, _Entry]]:
    """(label, param_group_index, entry) for every scheduler, group names and `default` resolved."""
    groups = getattr(optimizer, "param_groups", None)
    if groups is None:
        raise TypeError(f"the optimizer has no param_groups: {type(optimizer).__name__}")
    names = [group.get("name") for group in groups]
    result: list[tuple[str, int | None, _Entry]] = []
    by_param: dict[str, list[_Entry]] = {}
    for entry in entries:
        by_param.setdefault(entry.param, []).append(entry)
    for param, items in by_param.items():
        if items[0].group is None:
            result.append((param, None, items[0]))
            continue
        taken: dict[int, str] = {}
        chosen: list[tuple[str, int | None, _Entry]] = []
        default: _Entry | None = None
        for entry in items:
            if entry.group == DEFAULT_GROUP:
                default = entry
                continue
            if isinstance(entry.group, int):
                if not 0 <= entry.group < len(groups):
                    raise ScheduleArgumentError(
                        f"{entry.label}: param group {entry.group} does not exist "
                        f"(the optimizer has {len(groups)} param group(s))"
                    )
                index = entry.group
            else:
                if entry.group not in names:
                    known = ", ".join(repr(n) for n in names if n is not None) or "none"
                    raise ScheduleArgumentError(
                        f"{entry.label}: no param group is named {entry.group!r} "
                        f"(named groups: {known}; or use an index, or `default`)"
                    )
                index = names.index(entry.group)
            if index in taken:
                raise ScheduleArgumentError(
                    f"{entry.label}: param group {index} is already scheduled by {taken[index]}"
                )
            taken[index] = entry.label
            chosen.append((f"{param}.{index}", index, entry))
        if default is not None:
            chosen.extend((f"{param}.{i}", i, default) for i in range(len(groups)) if i not in taken)
        result.extend(sorted(chosen, key=lambda item: item[1] or 0))
    return result


def config_entries(config: Any, optimizer: Any) -> list[tuple[str, str, int | None, Node]]:
    """(label, param name, param group index or None for every group, node) of each schedule of a
    config, group names and `default` resolved against `optimizer`: what a handler of the config
    schedules (`compile_config`, `TorchScheduler.from_config`)."""
    return [
        (label, entry.param, index, entry.node)
        for label, index, entry in _group_indices(_entries(load_config(config)), optimizer)
    ]


class ConfigScheduler:
    """Every schedule of a config as one handler: one call per event, one state to checkpoint.

    Labels are the param name (`lr`) or, per param group, `name.index` (`weight_decay.1`).
    """

    def __init__(
        self,
        schedulers: Mapping[str, ParamScheduler],
        sources: Mapping[str, str],
        nodes: Mapping[str, Node],
        *,
        total: int | None = None,
        steps_per_epoch: int | None = None,
    ) -> None:
        self.schedulers = dict(schedulers)
        self._sources = dict(sources)
        self._nodes = dict(nodes)
        self._total = total
        self._steps_per_epoch = steps_per_epoch

    # -- stepping -----------------------------------------------------------------------------

    def __call__(self, engine: Any | None = None, name: str | None = None) -> None:
        """Write every param's value for the current event and advance (history under each label)."""
        for label, scheduler in self.schedulers.items():
            scheduler(engine, label)

    def step(self) -> None:
        """For loops without an ignite Engine: call once per event, before `optimizer.step()`."""
        self(None)

    def attach(self, engine: Any, event: Any = None) -> None:
        """Call this handler on `event` of an ignite Engine (default: ITERATION_STARTED)."""
        engine.add_event_handler(default_event("ITERATION_STARTED") if event is None else event, self)

    def __iter__(self) -> Iterator[str]:
        return iter(self.schedulers)

    def __len__(self) -> int:
        return len(self.schedulers)

    def __getitem__(self, label: str) -> ParamScheduler:
        return self.schedulers[label]

    def __repr__(self) -> str:
        items = ", ".join(f"{label}={source!r}" for label, source in self._sources.items())
        return f"ConfigScheduler({items})"

    @property
    def save_history(self) -> bool:
        return all(s.save_history for s in self.schedulers.values())

    @save_history.setter
    def save_history(self, value: bool) -> None:
        for scheduler in self.schedulers.values():
            scheduler.save_history = value

    def simulate(self, num_events: int) -> dict[str, npt.NDArray[np.float64]]:
        """Values per label over `num_events` events from the start; the optimizer is not touched."""
        return {
            label: simulate(node, num_events, total=self._total, steps_per_epoch=self._steps_per_epoch)
            for label, node in self._nodes.items()
        }

    # -- state --------------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """One state for the whole config: plain values (safe for `torch.load(weights_only=True)`)."""
        return {
            "paramsched_config": CONFIG_STATE_FORMAT,
            "schedules": dict(self._sources),
            "schedulers": {label: s.state_dict() for label, s in self.schedulers.items()},
        }

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore a state; a state of another config raises StateDictError and changes nothing."""
        require_mapping(state_dict)
        for key in ("paramsched_config", "schedules", "schedulers"):
            if key not in state_dict:
                raise StateDictError(
                    f"ConfigScheduler.load_state_dict: {key!r} is absent; not a state of a config handler "
                    f"(it has {sorted(map(str, state_dict))})"
                )
        version = state_dict["paramsched_config"]
        if not isinstance(version, int) or isinstance(version, bool) or not 1 <= version <= CONFIG_STATE_FORMAT:
            hint = "; upgrade paramsched" if isinstance(version, int) and version > CONFIG_STATE_FORMAT else ""
            raise StateDictError(f"ConfigScheduler.load_state_dict: unknown config state format {version!r}{hint}")
        sources, states = state_dict["schedules"], state_dict["schedulers"]
        if not isinstance(sources, Mapping) or not isinstance(states, Mapping):
            raise StateDictError("ConfigScheduler.load_state_dict: 'schedules' and 'schedulers' are mappings")
        if set(sources) != set(self._sources) or set(states) != set(self.schedulers):
            # other labels: another config, whatever the resume policy (a changed plan of the same labels
            # is each scheduler's to refuse or continue, by the `resume` it was compiled with)
            raise StateDictError(
                "ConfigScheduler.load_state_dict: the state belongs to another config:\n"
                f"  in the state: {_describe(sources)}\n  here:         {_describe(self._sources)}"
            )
        for label, scheduler in self.schedulers.items():  # check all before loading any
            state = states[label]
            if not isinstance(state, Mapping):
                raise StateDictError(f"{label}: the state is a mapping, not {type(state).__name__}")
            same_plan_inside = not isinstance(scheduler, ScheduleBacked) or not scheduler.is_other_plan(state)
            if sources[label] != self._sources[label] and same_plan_inside:  # the config's text and its state disagree
                raise StateDictError(
                    f"ConfigScheduler.load_state_dict: {label}: the state's config text {sources[label]!r} is not "
                    f"the plan its scheduler state was saved under ({state.get('schedule')!r}): a corrupt state"
                )
            if isinstance(scheduler, ScheduleBacked):
                try:
                    scheduler.check_state(state)
                except StateDictError as error:
                    context = "the state belongs to another config: " if scheduler.is_other_plan(state) else ""
                    raise StateDictError(f"{context}{label}: {error.message}") from None
        load_all(list(self.schedulers.values()), [states[label] for label in self.schedulers])


def _describe(sources: Mapping[str, Any]) -> str:
    return "; ".join(f"{label}: {source}" for label, source in sources.items()) or "(nothing)"


def compile_config(
    config: Any,
    optimizer: Any,
    *,
    total: int | None = None,
    steps_per_epoch: int | None = None,
    save_history: bool = False,
    resume: ResumePolicy = "strict",
    scale_key: str | None = None,
    create_new: bool = False,
) -> ConfigScheduler:
    """One handler for a mapping of param names to schedules (see the module docstring for the form).

    `config` is a mapping, an OmegaConf DictConfig, or the path of a YAML/JSON file. `resume` is
    `compile`'s, for every entry: a state whose plans differ is refused ("strict") or continued on
    this config's plans from the saved position ("replan"); a state of other labels is always refused.
    `scale_key` (e.g. timm's "lr_scale") scales the `lr` entries by each group's own entry (missing = 1).

    Args:
        config: a mapping, an OmegaConf DictConfig, or the path of a YAML/JSON file.
        optimizer: a torch optimizer (or any object with `param_groups`).
        total: events in the run, for `%` durations.
        steps_per_epoch: events per epoch, for `ep` durations.
        save_history: record the values in the engine's history, as ignite does.
        resume: "strict" or "replan", for a state saved under another config's plans.
        scale_key: a group entry that multiplies the `lr` values in that group.
        create_new: allow keys the param groups do not have.

    Returns:
        One handler (call it once per event) whose state covers every entry.

    Raises:
        ScheduleError: a subclass, its message starting with the entry's key (`lr.head: …`).
    """
    check_resume(resume)
    check_run_settings(total, steps_per_epoch)
    entries = _entries(load_config(config))
    schedulers: dict[str, ParamScheduler] = {}
    sources: dict[str, str] = {}
    nodes: dict[str, Node] = {}
    for label, index, entry in _group_indices(entries, optimizer):
        try:
            schedulers[label] = compile_schedule(
                entry.node,
                optimizer,
                entry.param,
                param_group_index=index,
                save_history=save_history,
                total=total,
                steps_per_epoch=steps_per_epoch,
                resume=resume,
                scale_key=scale_key if entry.param == "lr" else None,
                create_new=create_new,
            )
        except ScheduleError as error:
            raise prefixed(error, entry.label) from None
        sources[label] = unparse(entry.node)
        nodes[label] = entry.node
    return ConfigScheduler(schedulers, sources, nodes, total=total, steps_per_epoch=steps_per_epoch)
