"""5. Deep chain: 100,000 sequential ops on a 0-d float32 tensor (mul by a constant and add a
constant, alternating), then backward.

One subprocess per library (`python -m bench._child chain LIB`), so memory is that library's
alone. Time: forward + backward, median over the repeats in that process after a 1,000-op
warm-up. Memory: peak resident set size (RSS) above the baseline taken just before the
first full chain — see `PeakRSS` (the kernel's VmHWM, reset through /proc/self/clear_refs).
RSS rather than tracemalloc, because tracemalloc sees only Python's allocations, not
PyTorch's C++ ones.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ._harness import Context, PeakRSS, Row, Timer, pick, ratio_target

NAME = "chain"
TITLE = "5 deep chain (100k scalar ops)"
N = 100_000
QUICK_N = 1000


def make(lib: str) -> Callable[[int], Any]:
    """fwd+bwd of an n-op chain."""
    x0 = np.array(0.5, dtype=np.float32)
    if lib in ("weifen", "torch", "torch-1t"):
        T: Any = __import__("weifen" if lib == "weifen" else "torch")
        if lib == "torch-1t":
            T.set_num_threads(1)
        x = T.tensor(0.5, dtype=T.float32, requires_grad=True)

        def run(n: int) -> Any:
            v = x
            for _ in range(n // 2):
                v = v * 0.9999
                v = v + 0.0001
            v.backward()
            g = x.grad
            x.grad = None
            return g

        return run
    if lib == "autograd":
        import autograd

        def f(v: Any, n: int) -> Any:
            for _ in range(n // 2):
                v = v * 0.9999
                v = v + 0.0001
            return v

        df = autograd.grad(f)
        return lambda n: df(x0, n)
    if lib == "mygrad":
        import mygrad as mg

        x = mg.tensor(x0)

        def run(n: int) -> Any:
            v = x
            for _ in range(n // 2):
                v = v * 0.9999
                v = v + 0.0001
            v.backward()
            return x.grad

        return run
    if lib == "numpy":

        def run(n: int) -> Any:
            v = x0
            for _ in range(n // 2):
                v = v * 0.9999
                v = v + 0.0001
            g = np.ones_like(v)
            for _ in range(n // 2):
                g = g * 0.9999  # the add passes g through
            return g

        return run
    raise ValueError(lib)


LIBS = ["weifen", "torch", "torch-1t", "autograd", "mygrad", "numpy"]


def measure(lib: str, t: Timer) -> dict[str, Any]:
    """Memory of the first full chain, median time over up to 3 (slow peers take seconds)."""
    n = QUICK_N if t.quick else N
    fn = make(lib)
    fn(1000)
    gc.collect()
    peak = PeakRSS()
    times = []
    for i in range(1 if t.quick else min(t.repeats, 3)):
        t0 = time.perf_counter()
        fn(n)
        times.append(time.perf_counter() - t0)
        if i == 0:
            mem = peak.above_base_bytes()
        gc.collect()
    return {"time": statistics.median(times), "peak": mem, "method": peak.method}


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    methods = {r["method"] for r in res.values() if isinstance(r, dict)}
    if methods:
        ctx.notes.append(
            f"Deep chain and memory: peak RSS above baseline, by {', '.join(methods)}."
        )
    return [
        Row(TITLE, "forward+backward", "ms", pick(res, "time", 1e3), ratio_target("torch", 1.0)),
        Row(TITLE, "peak RSS above baseline", "MiB", pick(res, "peak", 2**-20),
            ratio_target("torch", 1.0)),
    ]  # fmt: skip
