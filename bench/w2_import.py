"""2. Import time: `python -c "import X"` as a whole process (interpreter start included).

Each library is timed in its own child process. weifen's child also times `import numpy`
and the bare interpreter (`python -c pass`), interleaved run by run with `import weifen`:
that paired difference (in the notes) is the robust reading of weifen's own import cost on
a loaded machine. Target: weifen ≤ NumPy + 40 ms.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from typing import Any

from ._harness import Context, Row, Timer, child_env, pick, plus_target

NAME = "import"
TITLE = "2 import time (whole process)"
MODULES = {
    "weifen": "weifen",
    "torch": "torch",
    "autograd": "autograd",
    "mygrad": "mygrad",
    "numpy": "numpy",
}


def process_times(codes: list[str], runs: int) -> list[float]:
    """Median wall time in seconds of `python -c code` for each code, the codes interleaved
    run by run (so that load on a shared machine hits them alike), after one warm-up round."""
    env = child_env()
    samples: list[list[float]] = [[] for _ in codes]
    for i in range(runs + 1):
        for k, code in enumerate(codes):
            t = time.perf_counter()
            p = subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True
            )
            if p.returncode != 0:
                tail = p.stderr.strip().splitlines()
                raise RuntimeError(f"python -c {code!r} failed: " + (tail[-1] if tail else ""))
            if i:
                samples[k].append(time.perf_counter() - t)
    return [statistics.median(s) for s in samples]


LIBS = list(MODULES)


def _compile_weifen() -> None:
    """Write weifen's bytecode first, as installing a wheel does (pip compiles at install;
    NumPy's bytecode is already there). Without it, a machine with PYTHONDONTWRITEBYTECODE
    set compiles weifen's source on every import and the timing measures the compiler."""
    import compileall
    import pathlib

    import weifen

    compileall.compile_dir(str(pathlib.Path(weifen.__file__).parent), quiet=1)


def measure(lib: str, t: Timer) -> dict[str, float]:
    runs = 1 if t.quick else max(t.repeats, 9)
    if lib == "weifen":
        _compile_weifen()
    if lib == "weifen" and not t.quick:  # weifen paired with numpy and the bare interpreter
        w, n, bare = process_times(["import weifen", "import numpy", "pass"], runs)
        return {"time": w, "paired_numpy": n, "bare": bare}
    return {"time": process_times([f"import {MODULES[lib]}"], runs)[0]}


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    w = res.get("weifen")
    if isinstance(w, dict) and "bare" in w:
        ctx.notes.append(
            f"Import, weifen's process interleaved run by run with `import numpy` and "
            f"`python -c pass`: weifen {w['time'] * 1e3:.0f} ms, numpy "
            f"{w['paired_numpy'] * 1e3:.0f} ms (weifen − numpy = "
            f"{(w['time'] - w['paired_numpy']) * 1e3:+.0f} ms), bare interpreter "
            f"{w['bare'] * 1e3:.0f} ms."
        )
    return [
        Row(TITLE, "python -c 'import X'", "ms", pick(res, "time", 1e3),
            plus_target("numpy", 40, "ms")),
    ]  # fmt: skip
