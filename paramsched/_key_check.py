"""The language's entry points write only keys the param groups have (SPEC §3).

`ps.compile(text, adam, "mometum")` used to create the key `mometum` and schedule nothing anyone reads;
`"momentum"` on Adam added a key Adam ignores (its momentum is β1, `betas[0]`). `compile`,
`compile_config` and `TorchScheduler` now refuse a key that a param group they write lacks, naming the
closest key the group has; `create_new=True` lets them add it (for a key the user's own code reads).
The ignite-family classes keep ignite's behaviour: they create the key.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from ._exceptions import ScheduleArgumentError
from ._keys import has_param
from .language.suggest import closest

__all__ = ["require_param_key"]

_ADAM_STYLE_MOMENTUM = "betas[0]"


def require_param_key(
    optimizer: Any, key: str, group_indices: Iterable[int] | None = None, *, create_new: bool = False
) -> None:
    """Raise ScheduleArgumentError unless every param group written (all, or `group_indices`) has `key`
    (or `create_new`), and `key` does not hold a tuple (Adam's `betas`: schedule `betas[0]`)."""
    groups: list[Mapping[str, Any]] = list(optimizer.param_groups)
    indices = range(len(groups)) if group_indices is None else group_indices
    for index in indices:
        group = groups[index]
        entry = group.get(key)
        if isinstance(entry, (tuple, list)):  # one number would replace the whole tuple (Adam's betas)
            elements = " or ".join(f"'{key}[{element}]'" for element in range(len(entry)))
            raise ScheduleArgumentError(
                f"param group {index} of {type(optimizer).__name__} holds a tuple under {key!r} "
                f"({', '.join(map(str, entry))}): a schedule writes one number; schedule one element, {elements}"
            )
        if has_param(group, key) or create_new:  # a key of the group, an element of one (`betas[0]`), or new
            continue
        known = sorted(name for name in group if name != "params")
        name = type(optimizer).__name__
        if key == "momentum" and "betas" in group:
            hint = f"; {name}'s momentum is β1, the first of its betas: write {_ADAM_STYLE_MOMENTUM!r}"
        else:
            match = closest(key, known)
            hint = f"; did you mean {match!r}?" if match else ""
        raise ScheduleArgumentError(
            f"param group {index} of {name} has no {key!r} entry{hint} (it has {', '.join(known)}); "
            "pass create_new=True to add the key"
        )
