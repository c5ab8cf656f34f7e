"""6. Memory: peak RSS above baseline over 50 steps of workload 3 (the MLP step).

One subprocess per library. The baseline is taken after the imports, the batch and the
parameters exist, before the first step; the peak over the 50 steps is the kernel's VmHWM
(reset through /proc/self/clear_refs; see `PeakRSS`). It counts activations saved for
backward, gradients, temporaries, and what the allocator keeps.
"""

from __future__ import annotations

import gc
import time
from typing import Any

from . import w3_mlp
from ._harness import Context, PeakRSS, Row, Timer, pick, ratio_target

NAME = "memory"
TITLE = "6 memory (50 MLP steps)"
STEPS = 50


LIBS = ["weifen", "torch", "torch-1t", "autograd", "mygrad", "numpy"]


def measure(lib: str, t: Timer) -> dict[str, Any]:
    forward, backward, update = w3_mlp.make(lib, t.quick)
    gc.collect()
    peak = PeakRSS()
    t0 = time.perf_counter()
    for _ in range(2 if t.quick else STEPS):
        forward()
        backward()
        update()
    return {"time": time.perf_counter() - t0, "peak": peak.above_base_bytes()}


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    return [
        Row(TITLE, "peak RSS above baseline", "MiB", pick(res, "peak", 2**-20),
            ratio_target("torch", 1.0)),
    ]  # fmt: skip
