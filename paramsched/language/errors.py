"""pydantic's validation errors → paramsched's ScheduleError subclasses, with the culprit's field path.

The node validators raise ScheduleError subclasses (through `with_path`, which records where below the
node the culprit is); pydantic keeps the original in `ctx["error"]`, so the class and message survive.
pydantic's own errors (missing field, unknown field, wrong type, unknown kind) are translated here.
The parser positions an error by its path; `load` names the path in the message.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from paramsched._exceptions import ScheduleArgumentError, ScheduleError, UnknownNameError

from .suggest import did_you_mean

__all__ = ["explain", "failure_details", "raising_schedule_errors", "render_path", "schedule_error", "with_path"]

Path = tuple[str | int, ...]

_NODE_FIELDS = frozenset({"body", "left", "right", "operand"})
_NODE_SEQUENCE_FIELDS = frozenset({"parts", "args"})
_DURATION_FIELDS = frozenset({"duration", "timescale", "every", "warmup"})


def with_path(error: ScheduleError, *where: str | int) -> ScheduleError:
    """`error`, raised inside a validator, with the path below the node of the field it concerns."""
    error.__dict__["field_path"] = where
    return error


def raising_schedule_errors(self: BaseModel, /, **data: Any) -> None:
    """`__init__` of the AST models: direct construction raises ScheduleError subclasses, like `load`."""
    try:
        BaseModel.__init__(self, **data)
    except ValidationError as error:
        raise schedule_error(error, root_is_union=False) from None


# Not a custom __init__ as far as pydantic is concerned, so nested mappings are validated without it.
raising_schedule_errors.__pydantic_base_init__ = True  # type: ignore[attr-defined]


def explain(error: ValidationError, *, root_is_union: bool) -> tuple[type[ScheduleError], str, Path]:
    """The ScheduleError class, core message and field path (tags removed) of a pydantic error."""
    from .nodes import MODELS, Duration

    by_kind: dict[str, type[BaseModel]] = {model.model_fields["kind"].default: model for model in MODELS}
    errors = error.errors()
    # a misspelt field is both "extra" and "missing": naming the misspelling (with a suggestion) helps more
    details = next((item for item in errors if item["type"] == "extra_forbidden"), errors[0])
    path, kind = _clean_path(details["loc"], set(by_kind), root_is_union=root_is_union)
    original = details.get("ctx", {}).get("error")
    if isinstance(original, ScheduleError):
        return type(original), original.message, path + tuple(original.__dict__.get("field_path", ()))
    problem = details["type"]
    if problem == "union_tag_invalid":
        tag = str(details.get("ctx", {}).get("tag", ""))
        return UnknownNameError, f"unknown schedule kind '{tag}'{did_you_mean(tag, by_kind)}", path
    if problem == "union_tag_not_found":
        return ScheduleArgumentError, "a schedule mapping needs a 'kind' field", path
    field = str(path[-1]) if path else ""
    if problem == "extra_forbidden":
        model: type[BaseModel] = Duration if _in_duration(path) or kind is None else by_kind[kind]
        name = "duration" if model is Duration else kind
        return UnknownNameError, f"{name} has no field '{field}'{did_you_mean(field, model.model_fields)}", path[:-1]
    if problem == "missing":
        return ScheduleArgumentError, f"missing field '{field}'", path[:-1]
    message = str(details["msg"])
    return ScheduleArgumentError, message[0].lower() + message[1:] if message else "invalid value", path


def _in_duration(path: Path) -> bool:
    """Whether the last item of `path` is a key inside a Duration mapping."""
    return (
        (len(path) >= 2 and path[-2] in _DURATION_FIELDS)
        or (len(path) >= 3 and path[-3] == "at")
        or (len(path) >= 4 and path[-4] == "points" and path[-2] == 0)
    )


def _clean_path(loc: tuple[str | int, ...], kinds: set[str], *, root_is_union: bool) -> tuple[Path, str | None]:
    """Drop the discriminator tags pydantic puts in `loc`; also return the innermost node kind seen."""
    path: list[str | int] = []
    kind: str | None = None
    expect_tag = root_is_union
    previous: str | int | None = None
    for item in loc:
        if expect_tag and isinstance(item, str) and item in kinds:
            kind = item
            expect_tag = False
            continue
        expect_tag = (isinstance(item, str) and item in _NODE_FIELDS) or (
            isinstance(item, int) and previous in _NODE_SEQUENCE_FIELDS
        )
        path.append(item)
        previous = item
    return tuple(path), kind


def schedule_error(error: ValidationError, *, root_is_union: bool) -> ScheduleError:
    """The ScheduleError to raise for a pydantic error: the message names the field path, if any.

    The core message and the path stay available (`failure_details`) for the parser and the builders,
    which position the error in the text (or leave it bare) instead of naming the path.
    """
    cls, message, path = explain(error, root_is_union=root_is_union)
    converted = cls(f"{message} (at {render_path(path)})" if path else message)
    converted.__dict__["details"] = (message, path)
    return converted


def failure_details(error: ScheduleError) -> tuple[str, Path]:
    """The core message and field path of an error from `schedule_error` (or of any ScheduleError)."""
    details: tuple[str, Path] = error.__dict__.get("details", (error.message, ()))
    return details


def render_path(path: Path) -> str:
    """`("parts", 1, "duration")` → `parts[1].duration`."""
    text = ""
    for item in path:
        text += f"[{item}]" if isinstance(item, int) else (f".{item}" if text else item)
    return text
