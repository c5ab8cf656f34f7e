"""Subprocess entry: one workload for one library, in a fresh process.

    python -m bench._child WORKLOAD LIB [--quick] [--repeats N]

prints one JSON line: the workload's measurements, or {"error": "..."}. For LIB torch-1t,
PyTorch is set to one intra-op thread before anything runs.
"""

from __future__ import annotations

import argparse
import json

from . import WORKLOADS
from ._harness import Timer, describe_error


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("workload")
    ap.add_argument("lib")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=7)
    a = ap.parse_args()
    (mod,) = [w for w in WORKLOADS if w.NAME == a.workload]
    try:
        if a.lib == "torch-1t":
            import torch

            torch.set_num_threads(1)
        out = mod.measure(a.lib, Timer(a.quick, 1 if a.quick else a.repeats))
    except Exception as e:  # noqa: BLE001 - reported to the parent as the cell's error
        out = {"error": describe_error(e)}
    print(json.dumps(out))


if __name__ == "__main__":
    main()
