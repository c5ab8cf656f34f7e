"""The scripts in examples/ run and print what they promise."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import weifen

ROOT = Path(__file__).resolve().parent.parent
SRC = str(Path(weifen.__file__).resolve().parent.parent)


def run_example(name: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SRC, env.get("PYTHONPATH")]))
    env["PYTHONIOENCODING"] = "utf-8"  # the examples print ᵀ and Σ
    return subprocess.run(
        [sys.executable, str(ROOT / "examples" / name)],
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=120,
    )


def test_quickstart() -> None:
    r = run_example("quickstart.py")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert "y = tensor(28., grad_fn=<MulBackward0>)" in lines
    assert "x.grad = tensor([ 0.,  4.,  8., 12.])" in lines
    assert lines.count("tensor([0., 2., 4., 6.])") == 2
    assert lines[-3] == "tensor(True)"
