"""How a node class declares its call form: its name, its arguments and their kinds, in one place.

Every call of the language (`cosine(0.1 -> 0, 10k, power=2)`) is one pydantic node class in
`nodes.py`. The class is the declaration: its `kind` is the call's name, its fields in order are the
arguments (each marked with an `Arg` saying how the text writes it), their defaults are the field
defaults, and its validators are the rules. `forms_of(model)` reads that declaration back as a `Form`,
and everything else is derived from the forms:

- parse.py binds a call's arguments to fields (`binding.bind`), with positioned errors;
- unparse.py writes a call back (defaults left out);
- builders.py makes the Python builders (`ps.cosine(0.1, 0, "10k", power=2)`), their signatures and docs;
- nodes.py's pydantic models give the JSON Schema and validate mappings;
- suggestions ("did you mean") list the forms' names, their keywords and the names other libraries give
  them (`known_as`, on the class for the form and on an `Arg` for an argument);
- tests/strategies.py and tests/fuzz_strategies.py take their vocabulary from `FORMS`.

Adding a form is therefore: its node class (with `Arg` markers and its rules) in nodes.py, added to the
node union there; its pure schedule and its resolver entry (the layer below); its tests.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from .lexemes import format_number

__all__ = ["REQUIRED", "Arg", "ArgKind", "CallName", "Form", "Param", "forms_of"]

ArgKind = Literal["number", "duration", "range", "schedule", "count", "durations", "points", "schedules"]
"""What an argument holds. `points` and `schedules` are variadic: every positional argument of the call."""

EXPECTED_WORDS: dict[str, str] = {
    "number": "a number",
    "duration": "a duration",
    "range": "a range a -> b",
    "schedule": "a schedule",
    "count": "a whole number",
    "durations": "a list of durations [m1, m2, …]",
    "points": "(milestone, value) pairs",
    "schedules": "schedules or numbers",
}
"""How messages name what an argument of each kind must be."""


class _Required:
    def __repr__(self) -> str:
        return "REQUIRED"


REQUIRED: Any = _Required()
"""The default of an argument that has none."""


@dataclass(frozen=True)
class Arg:
    """Marks a node field as an argument of the node's call form (as metadata in `Annotated`).

    `keyword`: the text must name it (`power=2`); else it is positional, in field order. `name`: how the
    text names it (a keyword), or the word messages use for a positional (default: the field name).
    `python_name`: the builder's parameter, where the text's name is a Python keyword (`from` → `from_`).
    A range is two fields, `start` marked `Arg("range")` and `end` marked `Arg("range", range_end=True)`:
    one argument `a -> b` in text, two positional parameters in Python.
    """

    kind: ArgKind
    keyword: bool = False
    name: str | None = None
    python_name: str | None = None
    range_end: bool = False
    known_as: tuple[str, ...] = ()
    """Names other libraries (torch, timm, Hugging Face, optax, ignite) give this argument; a call that
    uses one is told what to write here instead."""


@dataclass(frozen=True)
class CallName:
    """Marks the field that holds which of several call names was used (`fn` of min/max)."""


@dataclass(frozen=True)
class Param:
    """One argument of a form, as the text and the Python builders see it."""

    name: str
    python_name: str
    kind: ArgKind
    fields: tuple[str, ...]
    keyword: bool
    default: Any = REQUIRED
    known_as: tuple[str, ...] = ()

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def variadic(self) -> bool:
        return self.kind in ("points", "schedules")

    @property
    def expected(self) -> str:
        """What the argument must be, in words."""
        return EXPECTED_WORDS[self.kind]

    @property
    def usage(self) -> str:
        """How a signature shows it: `a -> b`, `duration`, `power=1`, `every=…`, `(m, v), …`."""
        if self.kind == "range":
            return "a -> b"
        if self.kind == "points":
            return "(m0, v0), (m1, v1), …"
        if self.kind == "schedules":
            return "A, B, …"
        if not self.keyword:
            return self.name
        if self.required or self.default is None:
            return f"{self.name}=[m1, m2, …]" if self.kind == "durations" else f"{self.name}=…"
        return f"{self.name}={_default_text(self.default)}"


def _default_text(default: Any) -> str:
    """A default as the text writes it: `1`, `-7`, `0.5`, a duration's own text."""
    if isinstance(default, float):
        return format_number(default)
    return str(default)


@dataclass(frozen=True)
class Form:
    """A call of the language: `name(positional..., keyword=...)` building a `model` node."""

    name: str
    model: type[Any]
    params: tuple[Param, ...]
    fixed: Mapping[str, str] = field(default_factory=dict)  # fields set by the name itself (fn="min")
    known_as: Mapping[str, str] = field(default_factory=dict)  # other libraries' names → whose ("torch")

    @property
    def positional(self) -> tuple[Param, ...]:
        return tuple(param for param in self.params if not param.keyword)

    @property
    def keywords(self) -> tuple[Param, ...]:
        return tuple(param for param in self.params if param.keyword)

    @property
    def variadic(self) -> Param | None:
        """The parameter that takes every positional argument (piecewise, min, max), if any."""
        return next((param for param in self.params if param.variadic), None)

    @property
    def usage(self) -> str:
        """The call's signature as the text writes it: `cosine(a -> b, duration, power=1)`."""
        return f"{self.name}({', '.join(param.usage for param in self.params)})"

    def argument_named(self, name: str) -> Param | None:
        """The parameter `name` means: this form's own keyword, or one another library calls so
        (compared without case: torch's `T_max`)."""
        for param in self.params:
            if param.keyword and param.name == name:
                return param
        folded = name.lower()
        return next((param for param in self.params if folded in (n.lower() for n in param.known_as)), None)

    @property
    def summary(self) -> str:
        """The first paragraph of the node class's docstring."""
        return (self.model.__doc__ or "").strip().split("\n\n")[0]


def forms_of(model: Any) -> list[Form]:
    """The call forms a pydantic node class declares through `Arg` and `CallName` markers.

    Most classes declare one form named after their `kind`; a class with a `CallName` field declares one
    form per name that field allows (min and max). A class without `Arg` fields declares none.
    """
    params: list[Param] = []
    names: tuple[str, ...] = ()
    name_field = ""
    for field_name, info in model.model_fields.items():
        markers = [item for item in info.metadata if isinstance(item, (Arg, CallName))]
        if not markers:
            continue
        marker = markers[0]
        if isinstance(marker, CallName):
            names = tuple(str(name) for name in get_args(info.annotation))
            name_field = field_name
            continue
        if marker.range_end:
            start = params.pop()
            known_as = start.known_as + marker.known_as
            params.append(Param("range", "range", "range", (*start.fields, field_name), False, REQUIRED, known_as))
            continue
        default = REQUIRED if info.is_required() else info.default
        text_name = marker.name or field_name
        params.append(
            Param(
                name=text_name,
                python_name=marker.python_name or text_name,
                kind=marker.kind,
                fields=(field_name,),
                keyword=marker.keyword,
                default=default,
                known_as=marker.known_as,
            )
        )
    if not params:
        return []
    if name_field:
        return [Form(name, model, tuple(params), {name_field: name}) for name in names]
    kind = str(model.model_fields["kind"].default)
    return [Form(kind, model, tuple(params), known_as=getattr(model, "known_as", {}))]
