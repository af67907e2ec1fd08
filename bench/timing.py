"""Paired timing: A and B in turn on the same input, the ratio taken pair by pair, medians quoted."""
from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable


def once(fn: Callable[[], object]) -> float:
    gc.collect()
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def paired(a: Callable[[], object], b: Callable[[], object], repeat: int,
           setup: Callable[[], object] = lambda: None) -> dict:
    """Median seconds of `a` and `b` and the median of the pairwise ratios a/b (one warm-up each).

    `setup` runs, untimed, before every call of either.
    """
    setup(), a(), setup(), b()
    ta, tb = [], []
    for _ in range(repeat):
        setup()
        ta.append(once(a))
        setup()
        tb.append(once(b))
    return {
        "seconds": statistics.median(ta),
        "baseline_seconds": statistics.median(tb),
        "ratio": statistics.median(x / y for x, y in zip(ta, tb)),
        "runs": repeat,
    }


def median(values) -> float:
    return statistics.median(list(values))
