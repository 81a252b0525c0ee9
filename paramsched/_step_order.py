"""A word when an ignite-style scheduler is driven in torch's order.

The schedulers `compile` returns follow ignite: calling one (or its `step()`) writes the value of this
event, so it runs *before* `optimizer.step()`. A torch user writes `optimizer.step(); scheduler.step()`
out of habit; then the first optimizer step uses whatever the param group held, and every later value
arrives one step late — silently. torch's public `Optimizer.register_step_post_hook` sees the first
optimizer step without wrapping anything: if no watched scheduler has written by then, one
`StepOrderWarning` says so, and the hook removes itself either way. The right order costs one hook call.
"""

from __future__ import annotations

import warnings
import weakref
from typing import Any, Protocol

from ._exceptions import StepOrderWarning

__all__ = ["watch_step_order"]


class _Positioned(Protocol):
    @property
    def position(self) -> int: ...

    param_name: str


class _FirstStepWatch:
    """The post-hook of one optimizer: at its first step, warns if a watched scheduler has not written."""

    def __init__(self, optimizer: Any) -> None:
        self.schedulers: list[weakref.ref[Any]] = []
        self.handle = optimizer.register_step_post_hook(self)

    def __call__(self, optimizer: Any, args: Any, kwargs: Any) -> None:
        self.handle.remove()
        _WATCHES.pop(optimizer, None)
        late = [scheduler for scheduler in (ref() for ref in self.schedulers) if scheduler is not None]
        late = [scheduler for scheduler in late if scheduler.position == 0]
        if not late:
            return
        keys = ", ".join(sorted({f"'{scheduler.param_name}'" for scheduler in late}))
        warnings.warn(
            StepOrderWarning(
                f"{type(optimizer).__name__}.step() ran before the paramsched scheduler of {keys} wrote its "
                "first value, so it used the value the param group already held and every scheduled value will "
                "come one step late. A scheduler from ps.compile or ps.compile_config runs before "
                "optimizer.step() (ignite's order: scheduler.step(); optimizer.step()); for torch's order "
                "(optimizer.step(); scheduler.step()) use ps.TorchScheduler(optimizer, schedule)."
            ),
            stacklevel=3,
        )


_WATCHES: weakref.WeakKeyDictionary[Any, _FirstStepWatch] = weakref.WeakKeyDictionary()


def watch_step_order(scheduler: _Positioned, optimizer: Any) -> None:
    """Warn once if `optimizer` (a torch optimizer; anything else is left alone) steps before
    `scheduler` has written a value. One hook per optimizer, however many schedulers it drives."""
    if not callable(getattr(optimizer, "register_step_post_hook", None)):
        return
    try:
        watch = _WATCHES.get(optimizer)
    except TypeError:  # an optimizer that cannot be weakly referenced: no watch
        return
    if watch is None:
        watch = _WATCHES[optimizer] = _FirstStepWatch(optimizer)
    watch.schedulers.append(weakref.ref(scheduler))
