"""weifen's benchmark suite: `python -m bench` (see bench/__main__.py and README, Benchmarks).

Each workload is a module `wN_name.py` with NAME, TITLE and run(ctx) -> rows; WORKLOADS
lists them in table order. The libraries compared, the timing and the memory measurement
are in `_harness.py`.
"""

from __future__ import annotations

from . import (
    w1_overhead,
    w2_import,
    w3_mlp,
    w4_elementwise,
    w5_chain,
    w6_memory,
    w7_seed,
    w8_cnn,
)

WORKLOADS = [w1_overhead, w2_import, w3_mlp, w4_elementwise, w5_chain, w6_memory, w7_seed, w8_cnn]
