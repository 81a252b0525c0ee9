"""The one place that guesses what the user meant: "did you mean cosine(a -> b, duration, power=1)?".

Guesses come from the form declarations: the forms' names, their keywords, and the names other libraries
give them (`known_as` on a node class and on an `Arg`). A new form brings its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

from .forms import Form

__all__ = [
    "closest",
    "did_you_mean",
    "looks_like_schedule",
    "unknown_argument_message",
    "unknown_form_message",
]


def closest(name: str, known: Iterable[str]) -> str | None:
    """The known name most like `name` (difflib's ratio ≥ 0.6), or None."""
    matches = difflib.get_close_matches(name, list(known), n=1)
    return matches[0] if matches else None


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """`"; did you mean 'x'?"` for the closest known name, or "" when nothing is close."""
    match = closest(name, known)
    return f"; did you mean '{match}'?" if match else ""


def _spellings(forms: Mapping[str, Form]) -> dict[str, Form]:
    """Every name a form goes by, its own and other libraries' (lowercase), to the form."""
    return {alias: form for form in forms.values() for alias in (form.name, *form.known_as)}


def unknown_form_message(name: str, forms: Mapping[str, Form], *, what: str = "schedule") -> str:
    """What to say of a call to `name`, which is no form (or, with `what="name"`, of a bare name): the form
    it is another library's name for, or the closest form, with its signature; names are compared
    without case (`CosineAnnealingLR`). With nothing close it lists what may stand there."""
    head = f"unknown {what} '{name}'"
    folded = name.lower()
    if folded in forms:
        return f"{head}: names are lowercase; write {forms[folded].usage}"
    for form in forms.values():
        entry = form.known_as.get(folded)
        if entry is not None:
            library, _, write = entry.partition(": ")
            write = write or _with_warmup(name, form)
            if library:
                return f"{head}; {library}'s {name} is written {write}"
            return f"{head}; did you mean '{form.name}'? {write}"
    spellings = _spellings(forms)
    match = closest(folded, spellings)
    if match is not None:
        form = spellings[match]
        return f"{head}; did you mean '{form.name}'? {form.usage}"
    if what == "schedule":
        return f"{head}; the schedules are {', '.join(sorted(forms))}"
    return f"{head}; a schedule is a number or a call of {', '.join(sorted(forms))}"


def _with_warmup(name: str, form: Form) -> str:
    """Hugging Face's `get_*_with_warmup` names are a warmup then the form."""
    return f"warmup(duration) then {form.usage}" if "warmup" in name and form.name != "warmup" else form.usage


def unknown_argument_message(form: Form, name: str) -> str:
    """What to say of `name=` in a call of `form` that has no such keyword."""
    head = f"{form.name}() has no argument '{name}'"
    param = form.argument_named(name)
    if param is None:
        keywords = [param.name for param in form.keywords]
        match = closest(name.lower(), keywords)
        if match is not None:
            return f"{head}; did you mean '{match}'? {form.usage}"
        return f"{head}; it takes {form.usage}"
    if param.kind == "range":
        return f"{head}; the start and end values are written as a range a -> b: {form.usage}"
    if not param.keyword:
        return f"{head}; its {param.name} is written in place, without a name: {form.usage}"
    return f"{head}; it is written {param.name}= here: {form.usage}"


_LEADING_CALL = re.compile(r"[\s(\-]*([A-Za-z][A-Za-z0-9_]*)\s*\(")
_SCHEDULE_SYNTAX = re.compile(r"->|→|\bthen\b")


def looks_like_schedule(text: str, forms: Mapping[str, Form]) -> bool:
    """Whether a config string is meant as schedule text (so `paramsched check` should read it): it has
    `->` or `then`, or it calls a form, another library's name for one, or a name close to one
    (`cosin(…)`), but not `resnet(50)` or `Adam(…)`."""
    if _SCHEDULE_SYNTAX.search(text):
        return True
    call = _LEADING_CALL.match(text)
    if call is None:
        return False
    name = call.group(1).lower()
    spellings = _spellings(forms)
    return name in spellings or bool(difflib.get_close_matches(name, list(spellings), n=1, cutoff=0.8))
