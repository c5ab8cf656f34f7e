"""Write tests/golden/ops_golden.json: PyTorch's forward outputs, grad_fn names, first and
second derivatives for every sample of tests/opdb.py, for tests/test_ops.py to compare
against when torch is not installed.

Run with torch installed:  python tests/golden/make_ops_golden.py

Inputs are not stored: the tests rebuild them from opdb's seeded generators and check a
fingerprint of them against the one recorded here.
"""

from __future__ import annotations

import json
import pathlib
import sys
import warnings

sys.path.insert(0, str(pathlib.Path(__file__).parent.parent))

import test_ops as T  # noqa: E402
import torch  # noqa: E402


def record(case: T.Case) -> dict:
    rec = {"in": T.fingerprint(case), **T.summary_forward(torch, case)}
    if case in T.GRAD_CASES:
        _, _, gs = T.first_grads(torch, case)
        rec["grads"] = [T.to_np(g).tolist() for g in gs]
    if case in T.DOUBLE_CASES:
        rec["grads2"] = [g.tolist() for g in T.second_grads(torch, case)]
    return rec


def main() -> None:
    torch.set_default_dtype(torch.float32)
    warnings.simplefilter("ignore")
    out, failed = {}, []
    for c in T.DETERMINISTIC:
        try:
            out[c.key] = record(c)
        except Exception as e:  # a sample torch rejects belongs in opdb.ERRORS instead
            failed.append(f"{c.key}: {type(e).__name__}: {e}")
    if failed:
        raise SystemExit("torch failed on:\n" + "\n".join(failed))
    T.GOLDEN_PATH.write_text(json.dumps(out, indent=0, sort_keys=True) + "\n")
    print(f"wrote {len(out)} cases to {T.GOLDEN_PATH}")


if __name__ == "__main__":
    main()
