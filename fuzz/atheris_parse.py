"""Coverage-guided fuzzing of paramsched's text front end with atheris (libFuzzer for Python).

    pip install atheris
    python fuzz/atheris_parse.py -max_total_time=300 -max_len=4096 fuzz/corpus

Each input is decoded as UTF-8 (invalid bytes replaced) and given to `parse`, `compile` and, when it
compiles, `simulate` of 50 events. Any exception other than `paramsched.ScheduleError`, a call slower than
one second, or a non-finite simulated value crashes the run and libFuzzer saves the input as
`crash-<hash>`. See fuzz/README.md.

Set PARAMSCHED_FUZZ_KNOWN=1 to tolerate the known OverflowErrors (see `_known_bug` in tests/test_fuzz.py),
so that a long run looks for new ones.
"""

from __future__ import annotations

import os
import sys
import time
import traceback
import warnings

import atheris

with atheris.instrument_imports():
    import numpy as np

    import paramsched as ps
    from paramsched import _compile, _resolve, _schedules, language  # noqa: F401 - instrumented for coverage

SECOND = 1.0
TOLERATE_KNOWN = os.environ.get("PARAMSCHED_FUZZ_KNOWN") == "1"

SEEDS = [
    "linear(0 -> 0.1, 500) then cosine(0.1 -> 1e-4, 10k)",
    "warmup(5%) then repeat(cosine(0.1 → 0, 2ep), cycle_mult=2, start_mult=0.5)",
    "0.9 - 0.05 * cosine(1 -> 0, 10k)",
    "min(rsqrt(0.2, timescale=5), linear(0 -> 0.2, 30))",
    "piecewise((10, 0), (30, 0.1), (70, 0.02))",
    "multistep(0.1, at=[30, 60, 80], gamma=0.3)",
    "step(0.1, every=25, gamma=0.5) + tanh(1 -> 0, 80, lower=-7, upper=3)",
    "repeat(triangle(0.01 -> 0.1, 20), times=3) then exp(0.1 -> 0.001, 1_000) / 2",
    "const(1e-4, 5%) then poly(1e-4 -> 0, 95%, power=2) then sqrt(0 -> 1, 3)",
]


class Holder:
    def __init__(self) -> None:
        self.param_groups = [{"lr": 0.0}]


def _known(error: BaseException) -> bool:
    frames = traceback.extract_tb(error.__traceback__)
    where = frames[-1].filename.replace("\\", "/") if frames else ""
    return TOLERATE_KNOWN and isinstance(error, OverflowError) and where.endswith("paramsched/_schedules.py")


def _timed(label: str, text: str, call):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    try:
        return call()
    except ps.ScheduleError as error:
        if not error.message.strip():
            raise AssertionError(f"{label}: ScheduleError without a message for {text!r}") from error
        return None
    except Exception as error:
        if _known(error):
            return None
        raise
    finally:
        elapsed = time.perf_counter() - start
        if elapsed >= SECOND:
            raise AssertionError(f"{label} took {elapsed:.3f} s on {text[:200]!r}")


def test_one_input(data: bytes) -> None:
    text = data.decode("utf-8", errors="replace")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a known issue (numpy's overflow warnings)
        _timed("parse", text, lambda: ps.parse(text))
        scheduler = _timed("compile", text, lambda: ps.compile(text, Holder(), total=1000, steps_per_epoch=10))
        if scheduler is None:
            return
        values = _timed("simulate", text, lambda: ps.simulate(text, 50, total=1000, steps_per_epoch=10))
        if values is not None and not (
            values.dtype == np.float64 and values.shape == (50,) and np.isfinite(values).all()
        ):
            raise AssertionError(f"simulate returned bad values for {text!r}: {values!r}")


def main() -> None:
    corpus = [arg for arg in sys.argv[1:] if not arg.startswith("-")]
    for directory in corpus:  # seed an empty corpus directory with valid schedules
        os.makedirs(directory, exist_ok=True)
        if not os.listdir(directory):
            for index, seed in enumerate(SEEDS):
                with open(os.path.join(directory, f"seed-{index}"), "w", encoding="utf-8") as handle:
                    handle.write(seed)
    ps.parse("1")  # build the parser before timing anything
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
