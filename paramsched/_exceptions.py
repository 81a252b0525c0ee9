"""The exceptions of paramsched.

    ValueError
    └── ScheduleError                 every problem with a schedule or a scheduler's state
        ├── ScheduleSyntaxError       the text does not follow the grammar
        ├── UnknownNameError          a schedule or keyword name that does not exist
        ├── ScheduleArgumentError     wrong, missing or out-of-range arguments
        ├── DurationError             a part whose duration does not fit where it stands
        ├── UnitError                 a duration in `%` or `ep` without `total` / `steps_per_epoch`
        ├── NonFiniteValueError       a value that is not a finite number
        ├── LimitError                input beyond a documented limit (length, nesting, parts)
        └── StateDictError            a malformed state dict, or one of another configuration

    UserWarning
    └── ScheduleWarning               something works, but likely not as meant
        ├── LongerThanTotalWarning    a schedule with `%` durations that lasts longer than `total`
        ├── PlanChangedWarning        resume="replan" continued a state on another plan (the jump it made)
        └── StepOrderWarning          the optimizer stepped before an ignite-style scheduler's first write

Errors found in text carry the text, line and column; `str()` shows the line with a caret.
"""

from __future__ import annotations

__all__ = [
    "DurationError",
    "LimitError",
    "LongerThanTotalWarning",
    "NonFiniteValueError",
    "PlanChangedWarning",
    "ScheduleArgumentError",
    "ScheduleError",
    "ScheduleSyntaxError",
    "ScheduleWarning",
    "StateDictError",
    "StepOrderWarning",
    "UnitError",
    "UnknownNameError",
]


class ScheduleError(ValueError):
    """Root of every paramsched error; a ValueError so callers that expect one keep working."""

    def __init__(
        self,
        message: str,
        *,
        text: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = message
        self.text = text
        self.line = line
        self.column = column
        super().__init__(self._render())

    def at(self, text: str, line: int, column: int) -> ScheduleError:
        """Return a copy of this error positioned in `text` (1-based line and column)."""
        located = type(self).__new__(type(self))
        ScheduleError.__init__(located, self.message, text=text, line=line, column=column)
        return located

    def _render(self) -> str:
        if self.text is None or self.line is None or self.column is None:
            return self.message
        lines = self.text.splitlines() or [""]
        shown = lines[self.line - 1] if 0 < self.line <= len(lines) else ""
        if len(shown) > 120:  # keep the caret readable on very long lines
            start = max(0, self.column - 60)
            prefix = "…" if start else ""
            shown = prefix + shown[start : start + 120]
            caret_column = self.column - start + len(prefix)
        else:
            caret_column = self.column
        caret = " " * (caret_column - 1) + "^"
        return f"{self.message}\n  at line {self.line}, column {self.column}:\n    {shown}\n    {caret}"

    def __reduce__(self) -> tuple[object, ...]:
        return (_rebuild, (type(self), self.message, self.text, self.line, self.column))


def _rebuild(
    cls: type[ScheduleError], message: str, text: str | None, line: int | None, column: int | None
) -> ScheduleError:
    return cls(message, text=text, line=line, column=column)


class ScheduleSyntaxError(ScheduleError):
    """The text does not follow the schedule grammar."""


class UnknownNameError(ScheduleError):
    """A schedule, function or keyword name that the language does not know."""


class ScheduleArgumentError(ScheduleError):
    """Wrong, missing, repeated or out-of-range arguments."""


class DurationError(ScheduleError):
    """A part whose duration does not fit where it stands (an infinite part before `then`, ...)."""


class UnitError(ScheduleError):
    """A duration in `%` or `ep` given without the `total` or `steps_per_epoch` it needs."""


class NonFiniteValueError(ScheduleError):
    """A number or a computed value that is not finite."""


class LimitError(ScheduleError):
    """Input beyond a documented limit: text length, nesting depth, number of parts, digits."""


class StateDictError(ScheduleError):
    """A state dict that is malformed, or that belongs to another scheduler configuration."""


class ScheduleWarning(UserWarning):
    """Root of paramsched's warnings: filter them all with `warnings.simplefilter("error", ScheduleWarning)`."""


class LongerThanTotalWarning(ScheduleWarning):
    """A schedule with `%` durations lasts longer than `total`: its shares add up to more than 100 %."""


class PlanChangedWarning(ScheduleWarning):
    """`resume="replan"` continued a state saved under another plan; the message states the jump (the
    value the saved plan and the new plan give at the saved position)."""


class StepOrderWarning(ScheduleWarning):
    """The optimizer stepped before an ignite-style scheduler (from `compile`) wrote its first value:
    every value of the schedule will come one step late. Call the scheduler before `optimizer.step()`,
    or use `TorchScheduler` for torch's order."""
