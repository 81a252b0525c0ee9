"""Resuming when the plan changed: `resume="strict"` refuses, `resume="replan"` continues and warns.

A compiled scheduler's state records its plan: the canonical text and the run settings that resolved
its units, as `"<text> (total=100000)"`, and its position. Loading a state whose plan differs from the
scheduler's is where training runs go wrong in other libraries (MMEngine silently restores the old
plan, Composer silently re-plans): here the caller chooses.

- `strict` (the default) raises StateDictError showing both plans (text and settings), the saved
  position and the value each plan gives there, and changes nothing.
- `replan` keeps the saved position and continues on the new plan (its units resolved with the new
  settings, e.g. a longer `total`), and warns with PlanChangedWarning stating the jump: at position N
  the value goes from old(N) to new(N), Δ = new(N) − old(N), relative Δ / |old(N)|.

`Plan` reads a recorded plan back; `PlanChange` renders both messages (and `paramsched diff`'s output);
`CompiledPlanPolicy` is what `compile` attaches to the schedulers it builds.
"""

from __future__ import annotations

import os
import re
import sys
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from . import _schedules as pure
from ._exceptions import PlanChangedWarning, ScheduleArgumentError, ScheduleError, StateDictError
from ._resolve import resolve
from .language import parse

__all__ = [
    "RESUME_POLICIES",
    "CompiledPlanPolicy",
    "Plan",
    "PlanChange",
    "ResumePolicy",
    "check_resume",
    "describe_jump",
]

ResumePolicy = Literal["strict", "replan"]
RESUME_POLICIES: tuple[ResumePolicy, ...] = ("strict", "replan")

# the run settings after a plan's text: ` (total=10000, steps_per_epoch=500)` (see _resolve.units_note)
_SETTINGS = re.compile(r"^(?P<text>.*) \((?P<settings>[a-z_]+=[^,()]+(?:, [a-z_]+=[^,()]+)*)\)$", re.DOTALL)


def check_resume(resume: object) -> ResumePolicy:
    """`resume` itself, once checked to be one of the policies."""
    if resume == "strict":
        return "strict"
    if resume == "replan":
        return "replan"
    raise ScheduleArgumentError(
        f"resume must be 'strict' (refuse a state of another plan) or 'replan' (continue it on this plan), "
        f"got {resume!r}"
    )


@dataclass(frozen=True)
class Plan:
    """A plan as a state records it: the canonical text and the run settings that resolved its units."""

    text: str
    settings: tuple[tuple[str, int | float | str], ...] = ()

    @classmethod
    def recorded(cls, source: str) -> Plan:
        """Split a recorded source, `"<text> (total=100, steps_per_epoch=5)"`, into text and settings."""
        match = _SETTINGS.match(source)
        if match is None:
            return cls(source)
        settings = tuple(_setting(item) for item in match.group("settings").split(", "))
        return cls(match.group("text"), settings)

    @property
    def source(self) -> str:
        """The plan as a state records it (the inverse of `recorded`)."""
        return self.text + self.settings_note

    @property
    def settings_note(self) -> str:
        if not self.settings:
            return ""
        return " (" + ", ".join(f"{name}={value}" for name, value in self.settings) + ")"

    def describe(self) -> str:
        """`text` with its settings spelt out: what a message shows of a plan."""
        shown = ", ".join(f"{name}={value}" for name, value in self.settings) or "no run settings"
        return f"{self.text}   [{shown}]"

    def schedule(self) -> pure.Schedule:
        """The pure schedule of this plan, its units resolved with its own settings."""
        settings: dict[str, Any] = dict(self.settings)
        return resolve(parse(self.text), **settings)

    def value_at(self, position: int) -> float | str:
        """The plan's value at event `position`, or why it cannot be computed (as text, for messages)."""
        try:
            return float(pure.evaluate(self.schedule(), 1, position, f"schedule {self.text!r}")[0])
        except ScheduleError as error:
            return f"not computable ({error.message})"
        except TypeError:  # a setting this paramsched does not know (a newer version saved the state)
            return f"not computable (unknown run setting in {self.settings_note.strip()!r})"


def _setting(item: str) -> tuple[str, int | float | str]:
    name, _, value = item.partition("=")
    for kind in (int, float):
        try:
            return name, kind(value)
        except ValueError:
            pass
    return name, value


def describe_jump(old: float | str | None, new: float | str | None, new_name: str = "this plan") -> str:
    """`saved plan old → this plan new` with the jump Δ = new − old and, where old ≠ 0, Δ / |old|."""
    shown = f"saved plan {_shown(old)} → {new_name} {_shown(new)}"
    if not isinstance(old, float) or not isinstance(new, float):
        return shown
    if old == new:
        return f"{shown} (no jump)"
    delta = new - old
    relative = f", {delta / abs(old):+.1%}" if old != 0 else ""
    return f"{shown} (jump of {delta:+.6g}{relative})"


def _shown(value: float | str | None) -> str:
    if value is None:
        return "(not scheduled)"
    return f"{value:.6g}" if isinstance(value, float) else value


@dataclass(frozen=True)
class PlanChange:
    """What changed between a saved state's plans and a scheduler's, at the saved position.

    `lanes` are (label, saved plan, this plan): one per scheduled thing (a config label, a param
    group); a plan is None where that lane is not scheduled on that side."""

    owner: str
    lanes: tuple[tuple[str, Plan | None, Plan | None], ...]
    position: int | None

    @classmethod
    def between(
        cls,
        owner: str,
        labels: Sequence[str],
        saved: Sequence[str | None],
        here: Sequence[str | None],
        position: int | None,
    ) -> PlanChange:
        lanes = tuple(
            (label, None if old is None else Plan.recorded(old), None if new is None else Plan.recorded(new))
            for label, old, new in zip(labels, saved, here, strict=True)
            if old != new
        )
        return cls(owner, lanes, position)

    def _lines(self) -> list[str]:
        lines: list[str] = []
        for label, old, new in self.lanes:
            prefix = f"  {label}: " if label else "  "
            indent = " " * len(prefix)
            lines.append(f"{prefix}saved plan: {old.describe() if old else '(not scheduled)'}")
            lines.append(f"{indent}this plan:  {new.describe() if new else '(not scheduled)'}")
            if self.position is not None:
                old_value = None if old is None else old.value_at(self.position)
                new_value = None if new is None else new.value_at(self.position)
                lines.append(f"{indent}at event {self.position}: {describe_jump(old_value, new_value)}")
        return lines

    def refusal(self) -> StateDictError:
        """The StateDictError of resume="strict"."""
        where = "" if self.position is None else f", saved at event {self.position}"
        return StateDictError(
            f"{self.owner}.load_state_dict: the state was saved under another plan{where}; "
            'resume="strict" refuses it and nothing changed:\n'
            + "\n".join(self._lines())
            + '\nTo continue this plan from the saved position, build the scheduler with resume="replan"; '
            "to continue the saved plan, build it from the saved text and settings."
        )

    def warn(self) -> None:
        """The PlanChangedWarning of resume="replan" (once the state is loaded), shown at the caller's
        `load_state_dict` line (the first frame outside paramsched, however deep the load went)."""
        at = "" if self.position is None else f" at event {self.position}"
        warnings.warn(
            f'{self.owner}: resumed{at} on a changed plan (resume="replan"):\n' + "\n".join(self._lines()),
            PlanChangedWarning,
            stacklevel=_first_frame_outside_paramsched(),
        )


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__))


def _first_frame_outside_paramsched() -> int:
    """The `stacklevel` of the nearest caller that is not paramsched's own code."""
    level, frame = 1, sys._getframe(1)
    while frame.f_back is not None and os.path.abspath(frame.f_code.co_filename).startswith(_PACKAGE_DIR):
        frame = frame.f_back
        level += 1
    return level


class _PlanProbe:
    """Param groups that only take values: the saved plan is compiled onto these to read its state."""

    def __init__(self, param_name: str, groups: int) -> None:
        self.param_groups: list[dict[str, Any]] = [{param_name: 0.0} for _ in range(groups)]


class CompiledPlanPolicy:
    """What a compiled scheduler does with a state of another plan (attached by `compile`).

    The saved position is read by compiling the saved plan (with its own settings) and letting that
    scheduler check the state: whatever class the saved plan compiled to, its state is understood and
    validated exactly as it would be by a scheduler of that plan."""

    def __init__(self, resume: ResumePolicy, param_name: str, param_group_index: int | None) -> None:
        self.resume = resume
        self.param_name = param_name
        self.param_group_index = param_group_index

    def position_of(self, owner: str, source: str, state_dict: Mapping[str, Any]) -> int:
        """The saved position, if this policy continues the state; else the refusal (StateDictError)."""
        saved = state_dict["schedule"]
        position, reason = self._saved_position(saved, state_dict)
        change = PlanChange.between(owner, [""], [str(saved)], [source], position)
        if self.resume == "strict":
            raise change.refusal()
        if position is None:
            raise StateDictError(f'{owner}.load_state_dict: resume="replan" cannot find the saved position: {reason}')
        return position

    def replanned(self, owner: str, source: str, state_dict: Mapping[str, Any], position: int) -> None:
        """After loading a state of another plan: the warning with the jump."""
        PlanChange.between(owner, [""], [str(state_dict["schedule"])], [source], position).warn()

    def _saved_position(self, saved: object, state_dict: Mapping[str, Any]) -> tuple[int | None, str]:
        from ._compile import compile as compile_schedule  # compile attaches this policy: imported on use

        if not isinstance(saved, str):
            return None, f"the saved plan is {type(saved).__name__}, not text"
        plan = Plan.recorded(saved)
        index = self.param_group_index
        probe = _PlanProbe(self.param_name, 1 if index is None else index + 1)
        try:
            settings: dict[str, Any] = dict(plan.settings)
            scheduler = compile_schedule(plan.text, probe, self.param_name, param_group_index=index, **settings)
            return scheduler.check_state(state_dict), ""
        except ScheduleError as error:
            return None, f"the saved plan {saved!r} does not read back: {error.message}"
        except TypeError as error:
            return None, f"the saved plan {saved!r} has settings this paramsched does not know: {error}"
