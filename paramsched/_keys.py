"""Param-group keys that name one element of a tuple entry: `"betas[0]"` is Adam's β1.

Adam, AdamW, NAdam, RAdam and Adamax keep their momentum as `betas = (β1, β2)`; 1cycle schedules β1 where
SGD would schedule `momentum`. torch's own OneCycleLR (cycle_momentum on an Adam-style optimizer) writes
`group["betas"] = (momentum, *group["betas"][1:])`: a new tuple, β2 kept. A key `name[i]` does the same
with the scheduled value at index i, so `param_name="betas[0]"` schedules β1 and leaves β2 alone. An
element that is a tensor (torch accepts tensor betas) is updated in place, as a tensor lr is.

A key that literally exists in the group (`group["betas[0]"]`) is that key: element access is only the
reading of a name the group does not have.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

__all__ = ["ElementKey", "element_key", "has_param", "read_param", "write_element"]

_ELEMENT: Final = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\[([0-9]+)\]")


@dataclass(frozen=True)
class ElementKey:
    """`name[index]`: element `index` of the tuple (or list) at `group[name]`."""

    name: str
    index: int


def element_key(key: str) -> ElementKey | None:
    """`"betas[0]"` → ElementKey("betas", 0); None for a plain key."""
    match = _ELEMENT.fullmatch(key)
    return None if match is None else ElementKey(match.group(1), int(match.group(2)))


def _element_of(group: Mapping[str, Any], key: str) -> ElementKey | None:
    """The element `key` names in this group, if the group has no such key and holds that element."""
    if key in group:
        return None
    element = element_key(key)
    if element is None:
        return None
    entry = group.get(element.name)
    if isinstance(entry, (tuple, list)) and element.index < len(entry):
        return element
    return None


def has_param(group: Mapping[str, Any], key: str) -> bool:
    """Whether `key` is in the group, as a key or as an element of a tuple entry."""
    return key in group or _element_of(group, key) is not None


def read_param(group: Mapping[str, Any], key: str) -> Any:
    """`group[key]`, or the element `key` names (`group["betas"][0]` for `"betas[0]"`)."""
    if key in group:
        return group[key]
    element = _element_of(group, key)
    if element is None:
        raise KeyError(key)
    return group[element.name][element.index]


def write_element(group: dict[str, Any], key: str, value: Any) -> bool:
    """Write `value` into the element `key` names and return True; False (nothing written) when `key` names
    no element of this group. The tuple is replaced by a new one of the same type (as torch's OneCycleLR
    does); a tensor element is filled in place."""
    element = _element_of(group, key)
    if element is None:
        return False
    entry = group[element.name]
    current = entry[element.index]
    if hasattr(current, "fill_") and hasattr(current, "dim"):
        import torch

        with torch.no_grad():
            if isinstance(value, torch.Tensor):
                current.copy_(value)
            else:
                current.fill_(value)
        return True
    items = list(entry)
    items[element.index] = value
    group[element.name] = type(entry)(items) if type(entry) in (tuple, list) else tuple(items)
    return True
