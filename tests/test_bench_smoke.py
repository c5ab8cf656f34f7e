"""The benchmark suite still runs: every workload once, tiny sizes, weifen only.

`python -m bench --quick --libs weifen --no-save` in a subprocess, with stand-ins for torch,
autograd and mygrad on the path that fail on import, so the check also proves that a
weifen-only run never needs the peers. No timing is asserted (the machine is shared).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PEERS = ("torch", "autograd", "mygrad")


def test_bench_quick_runs_every_workload_for_weifen(tmp_path: Path) -> None:
    for name in PEERS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text(
            f"raise ImportError('the weifen-only bench imported {name}')\n"
        )
    src = str(ROOT / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), src, str(ROOT)])}
    p = subprocess.run(
        [sys.executable, "-m", "bench", "--quick", "--libs", "weifen", "--no-save"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert p.returncode == 0, p.stderr[-3000:]
    out = p.stdout
    for n in range(1, 8):  # workload 8 (CNN) runs only once weifen.nn.Conv2d exists
        assert f"\n| {n} " in out, f"workload {n} missing from the table:\n{out}"
    # A weifen failure shows as "error" in its cell and a note; the CNN may legitimately
    # fail while weifen.nn is being written, the core workloads may not.
    errors = [line for line in out.splitlines() if line.startswith("- Error,")]
    assert all(line.startswith("- Error, cnn") for line in errors), "\n".join(errors)
    assert "\n| workload | metric | unit | weifen | target | met |\n" in out
