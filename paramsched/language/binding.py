"""Binding a call's arguments to its node's fields, the same for text and for Python builders.

`parse` reads `cosine(0.1 -> 0, 10k, power=2)` into argument items that carry their place in the text;
`ps.cosine(0.1, 0, "10k", power=2)` hands over Python values. Both bind through `bind`, driven by the
form's declaration, so a missing, extra, repeated or wrongly typed argument gets the same error class and
message either way; a `Reader` says what an item of each source is. The node is then built by
`construct`, whose validation errors name the item they concern, so the parser can point at it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, Literal, Protocol, TypeVar

from paramsched._exceptions import ScheduleArgumentError, ScheduleError, UnknownNameError

from .errors import failure_details
from .forms import Form, Param
from .nodes import Duration, Node
from .suggest import unknown_argument_message

__all__ = ["BindFailure", "Reader", "bind", "construct"]

Item = TypeVar("Item")
Path = tuple[str | int, ...]


class BindFailure(Exception, Generic[Item]):
    """A ScheduleError (bare message) and the argument item it concerns (None: the call itself)."""

    def __init__(self, error: ScheduleError, culprit: Item | None) -> None:
        super().__init__(error.message)
        self.error = error
        self.culprit = culprit


class Reader(Protocol[Item]):
    """What an argument item of one source (text or Python) holds; None where it is not that."""

    def number(self, item: Item) -> float | None: ...

    def duration(self, item: Item) -> tuple[float, str] | Duration | None: ...

    def range(self, item: Item) -> tuple[Item, Item] | None: ...

    def schedule(self, item: Item) -> Node | None: ...

    def items(self, item: Item, brackets: Literal["list", "tuple"]) -> Sequence[Item] | None: ...

    def what(self, item: Item) -> str:
        """How messages name the item: "a number", "a schedule", "the duration '3ep'", …"""
        ...


def _fail(message: str, culprit: Any, cls: type[ScheduleError] = ScheduleArgumentError) -> BindFailure[Any]:
    return BindFailure(cls(message), culprit)


def bind(
    form: Form,
    positional: Sequence[Item],
    keywords: Sequence[tuple[str, Item, Item]],
    reader: Reader[Item],
) -> tuple[dict[str, Any], dict[Path, Item]]:
    """The fields of `form`'s node from its arguments, and which item each field came from.

    `keywords` holds (name, value item, item to point at when the name is wrong). Raises BindFailure.
    """
    binder = _Binder(form, reader)
    variadic = form.variadic
    if variadic is not None:
        if keywords:
            name, _, where = keywords[0]
            raise _fail(unknown_argument_message(form, name), where, UnknownNameError)
        binder.variadic(variadic, positional)
        return binder.fields, binder.origins
    params = form.positional
    if len(positional) > len(params):
        wanted = ", ".join(param.expected for param in params)
        names = ", ".join(f"{param.name}=" for param in form.keywords)
        hint = f"; {names} must be given by name" if names else ""
        raise _fail(
            f"{form.name}() takes {len(params)} positional argument{'s' if len(params) != 1 else ''} "
            f"({wanted}), got {len(positional)}{hint}",
            positional[len(params)],
        )
    for param, item in zip(params, positional, strict=False):
        binder.one(param, item, f"its {param.name}")
    by_name = {param.name: param for param in form.keywords}
    given: set[str] = set()
    for name, item, where in keywords:
        keyword = by_name.get(name)
        if keyword is None:
            raise _fail(unknown_argument_message(form, name), where, UnknownNameError)
        if name in given:
            raise _fail(f"{form.name}() got the argument '{name}' twice", where)
        given.add(name)
        binder.one(keyword, item, f"'{name}'")
    missing = [param for param in params[len(positional) :] if param.required]
    missing += [param for param in form.keywords if param.required and param.name not in given]
    if missing:
        param = missing[0]
        if param.keyword:
            what = f"the argument {param.name}=…"
        else:
            what = "its range a -> b" if param.kind == "range" else f"its {param.name}"
        raise _fail(f"{form.name}() is missing {what}", None)
    binder.fields.update(form.fixed)
    return binder.fields, binder.origins


class _Binder(Generic[Item]):
    def __init__(self, form: Form, reader: Reader[Item]) -> None:
        self.form = form
        self.reader = reader
        self.fields: dict[str, Any] = dict(form.fixed)
        self.origins: dict[Path, Item] = {}

    def wrong(self, param: Param, item: Item, label: str) -> BindFailure[Item]:
        return _fail(f"{self.form.name}() expects {param.expected} for {label}, not {self.reader.what(item)}", item)

    def number(self, item: Item, label: str) -> float:
        value = self.reader.number(item)
        if value is None:
            raise _fail(f"{self.form.name}() expects a number for {label}, not {self.reader.what(item)}", item)
        return value

    def duration(self, item: Item, wrong: BindFailure[Item]) -> Duration:
        value = self.reader.duration(item)
        if value is None:
            raise wrong
        if isinstance(value, Duration):
            return value
        try:
            return Duration(amount=value[0], unit=value[1])  # type: ignore[arg-type]  # a unit of the grammar
        except ScheduleError as error:
            raise BindFailure(type(error)(failure_details(error)[0]), item) from None

    def one(self, param: Param, item: Item, label: str) -> None:
        """Convert one argument to the field(s) it fills, remembering where each came from."""
        kind, field = param.kind, param.fields[0]
        if kind == "range":
            ends = self.reader.range(item)
            if ends is None:
                raise self.wrong(param, item, label)
            for name, end in zip(param.fields, ends, strict=True):
                self.fields[name] = self.number(end, f"the {name} of the range")
                self.origins[(name,)] = end
            return
        self.origins[(field,)] = item
        if kind == "duration":
            self.fields[field] = self.duration(item, self.wrong(param, item, label))
            return
        if kind in ("number", "count", "schedule"):
            value = self.reader.schedule(item) if kind == "schedule" else self.reader.number(item)
            if value is None:
                raise self.wrong(param, item, label)
            if kind == "count":
                assert isinstance(value, float)
                if not value.is_integer():
                    raise _fail(f"{self.form.name}() {param.name} must be a whole number, got {value!r}", item)
                value = int(value)
            self.fields[field] = value
        else:  # a list of durations
            listed = self.reader.items(item, "list")
            if listed is None:
                raise self.wrong(param, item, label)
            wrong = self.wrong(param, item, label)
            self.fields[field] = tuple(self.duration(entry, wrong) for entry in listed)
            for index, entry in enumerate(listed):
                self.origins[(field, index)] = entry

    def variadic(self, param: Param, items: Sequence[Item]) -> None:
        """Every positional argument of piecewise (points) or min/max (schedules)."""
        field, name = param.fields[0], self.form.name
        values: list[Any] = []
        for index, item in enumerate(items):
            self.origins[(field, index)] = item
            if param.kind == "schedules":
                node = self.reader.schedule(item)
                if node is None:
                    raise _fail(f"{name}() expects schedules or numbers, not {self.reader.what(item)}", item)
                values.append(node)
                continue
            pair = self.reader.items(item, "tuple")
            if pair is None or len(pair) != 2:
                count = f" of {len(pair)}" if pair is not None else ""
                raise _fail(f"{name}() expects (milestone, value) pairs, not {self.reader.what(item)}{count}", item)
            milestone, value = pair
            wrong = _fail(
                f"{name}() expects a duration for the milestone of a point, not {self.reader.what(milestone)}",
                milestone,
            )
            values.append((self.duration(milestone, wrong), self.number(value, "the value of a point")))
        self.fields[field] = tuple(values)


def construct(form: Form, fields: dict[str, Any], origins: dict[Path, Item]) -> Node:
    """The node of a bound call; a validation error points at the argument it concerns, else the call."""
    try:
        node: Node = form.model(**fields)
    except ScheduleError as error:
        message, path = failure_details(error)
        culprit = origins.get(path[:2], origins.get(path[:1]))
        raise BindFailure(type(error)(message), culprit) from None
    return node
