"""What every workload shares: the libraries, timing, subprocesses, memory, rows and targets.

A workload module defines `NAME`, `TITLE` and `run(ctx) -> list[Row]`. Each row is one metric
(e.g. "fwd+bwd per op") with one cell per library: a number in the row's unit, or a string
("error", "n/a"). A failing library never stops the suite: `Context.cell` records the error
(type, message, and the innermost frame in weifen or the workload) and the cell says "error".
"""

from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# Column order of the table. "torch" is PyTorch with its default intra-op threads, "torch-1t"
# the same PyTorch with torch.set_num_threads(1); "numpy" is NumPy with gradients by hand.
LIBS = ["weifen", "torch", "torch-1t", "autograd", "mygrad", "numpy"]
_MODULE = {"torch-1t": "torch"}

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent

Cell = float | str


def installed(lib: str) -> bool:
    return importlib.util.find_spec(_MODULE.get(lib, lib)) is not None


def torch_threads() -> int | None:
    """PyTorch's default intra-op thread count, or None without PyTorch."""
    if not installed("torch"):
        return None
    import torch

    return torch.get_num_threads()


def label(lib: str) -> str:
    if lib == "torch":
        n = torch_threads()
        return f"PyTorch ({n} threads)" if n != 1 else "PyTorch (default: 1 thread)"
    return {
        "weifen": "weifen",
        "torch-1t": "PyTorch (1 thread)",
        "autograd": "autograd",
        "mygrad": "mygrad",
        "numpy": "NumPy (hand grads)",
    }[lib]


def short(lib: str) -> str:
    return {"torch": "PyTorch", "torch-1t": "PyTorch 1t", "numpy": "NumPy"}.get(lib, lib)


# ---------------------------------------------------------------------------------- targets


@dataclass
class Target:
    text: str
    check: Callable[[dict[str, Cell]], bool | None]


def _num(v: Cell | None) -> float | None:
    return v if isinstance(v, float | int) and not isinstance(v, bool) else None


def ratio_target(peer: str, factor: float) -> Target:
    """weifen ≤ factor × peer."""

    def check(values: dict[str, Cell]) -> bool | None:
        w, p = _num(values.get("weifen")), _num(values.get(peer))
        return None if w is None or p is None or p == 0 else w / p <= factor

    return Target(f"≤ {factor:g}× {short(peer)}", check)


def plus_target(peer: str, extra: float, unit: str) -> Target:
    """weifen ≤ peer + extra (in the row's unit)."""

    def check(values: dict[str, Cell]) -> bool | None:
        w, p = _num(values.get("weifen")), _num(values.get(peer))
        return None if w is None or p is None else w <= p + extra

    return Target(f"≤ {short(peer)} + {extra:g} {unit}", check)


def value_target(limit: float) -> Target:
    """weifen's own value ≤ limit (for rows that are already ratios)."""

    def check(values: dict[str, Cell]) -> bool | None:
        w = _num(values.get("weifen"))
        return None if w is None else w <= limit

    return Target(f"≤ {limit:g}", check)


@dataclass
class Row:
    workload: str
    metric: str
    unit: str  # "µs", "ms", "s", "MiB", "×"
    values: dict[str, Cell]
    target: Target | None = None
    ratios: bool = True  # show weifen ÷ peer columns (not for rows that are ratios already)

    def met(self) -> bool | None:
        return None if self.target is None else self.target.check(self.values)


# ---------------------------------------------------------------------------------- context


@dataclass
class Context:
    """The parent's side: which libraries, what size, and what went wrong."""

    libs: list[str]
    quick: bool
    repeats: int
    rounds: int = 1
    errors: list[tuple[str, str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def cell(self, workload: str, lib: str, fn: Callable[[], Any]) -> Any:
        """fn(), or "error" with the error recorded (the suite goes on)."""
        try:
            return fn()
        except Exception as e:  # noqa: BLE001 - any failure of a library is a result
            err = (workload, lib, describe_error(e))
            if err not in self.errors:
                self.errors.append(err)
            return "error"

    def child_args(self) -> list[str]:
        return ["--quick"] if self.quick else ["--repeats", str(self.repeats)]


@dataclass
class Timer:
    """The child's side: how to time. `quick`: one call after one warm-up."""

    quick: bool
    repeats: int

    def time(self, fn: Callable[[], Any], min_time: float = 0.05, warmup: int = 2) -> float:
        """Median seconds per call of fn: warm-up calls, then `repeats` samples, each of as
        many calls as make it last about min_time. gc stays on (its pauses are part of the
        cost of making many objects) but runs before each sample."""
        if self.quick:
            fn()
            t = time.perf_counter()
            fn()
            return time.perf_counter() - t
        for _ in range(warmup):
            fn()
        t = time.perf_counter()
        fn()
        once = time.perf_counter() - t
        number = max(1, int(min_time / max(once, 1e-9)))
        samples = []
        for _ in range(self.repeats):
            gc.collect()
            t = time.perf_counter()
            for _ in range(number):
                fn()
            samples.append((time.perf_counter() - t) / number)
        return statistics.median(samples)


def run_workload(mod: Any, ctx: Context) -> list[Row]:
    """One subprocess per library (`python -m bench._child NAME LIB`): a library's thread
    pools, allocator and imports never touch another's measurement. The libraries take
    turns, `ctx.rounds` times, and each metric is the median over the rounds: on a shared
    machine the load changes from one minute to the next, and taking turns gives every
    library the same share of quiet and busy spells, so the ratios hold still."""
    runs: dict[str, list[Any]] = {lib: [] for lib in ctx.libs if lib in mod.LIBS}
    for _ in range(ctx.rounds):
        for lib in runs:
            runs[lib].append(ctx.cell(mod.NAME, lib, _child_call(mod.NAME, lib, ctx.child_args())))
    res: dict[str, Any] = {lib: "n/a" for lib in ctx.libs}
    for lib, rs in runs.items():
        res[lib] = _median_result(rs)
    return mod.rows(res, ctx)


def _median_result(results: list[Any]) -> Any:
    """Rounds' results merged: the median of each numeric metric ("error" if any failed)."""
    if any(isinstance(r, str) for r in results):
        return "error"
    out = dict(results[0])
    for k, v in out.items():
        if isinstance(v, int | float) and not isinstance(v, bool):
            out[k] = statistics.median(r[k] for r in results)
    return out


def _child_call(name: str, lib: str, args: list[str]) -> Callable[[], dict[str, Any]]:
    return lambda: run_child(name, lib, args)


def pick(res: dict[str, Any], key: str, scale: float = 1.0) -> dict[str, Cell]:
    """One metric of every library's result, scaled; "error"/"n/a" pass through."""
    return {lib: r if isinstance(r, str) else r[key] * scale for lib, r in res.items()}


def describe_error(e: BaseException) -> str:
    """`Type: message (at file:line in function)`, the innermost frame that is not NumPy's."""
    if isinstance(e, ChildError):
        return str(e)
    frames = traceback.extract_tb(e.__traceback__)
    where = ""
    for fr in reversed(frames):
        if "numpy" not in fr.filename.split(os.sep):
            p = Path(fr.filename)
            try:
                rel = p.resolve().relative_to(ROOT)
            except ValueError:
                rel = Path(*p.parts[-3:])
            where = f" (at {rel}:{fr.lineno} in {fr.name})"
            break
    msg = str(e).strip().splitlines()
    first = msg[0] if msg else ""
    if len(first) > 300:
        first = first[:300] + "…"
    return f"{type(e).__name__}: {first}{where}"


# ---------------------------------------------------------------------------------- processes


def child_env() -> dict[str, str]:
    """Environment for subprocesses: they import the same bench and weifen as this process."""
    paths = [str(ROOT)]
    spec = importlib.util.find_spec("weifen")
    if spec is not None and spec.origin is not None:
        paths.append(str(Path(spec.origin).resolve().parent.parent))
    old = os.environ.get("PYTHONPATH")
    if old:
        paths.append(old)
    return {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}


def run_child(workload: str, lib: str, args: list[str], timeout: float = 600) -> dict[str, Any]:
    """Run `python -m bench._child workload lib args...` and return the JSON it prints last."""
    cmd = [sys.executable, "-m", "bench._child", workload, lib, *args]
    p = subprocess.run(
        cmd, capture_output=True, text=True, cwd=ROOT, env=child_env(), timeout=timeout
    )
    if p.returncode != 0:
        tail = p.stderr.strip().splitlines()
        raise ChildError(tail[-1] if tail else f"exit status {p.returncode}")
    out = json.loads(p.stdout.strip().splitlines()[-1])
    if "error" in out:
        raise ChildError(out["error"])
    return out


class ChildError(RuntimeError):
    """A failure inside a subprocess, already described there."""


def rss_kib(key: str) -> int | None:
    """VmRSS / VmHWM from /proc/self/status in KiB (None where there is no /proc)."""
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class PeakRSS:
    """Peak resident set size above a baseline, for one process.

    On Linux: the kernel's high-water mark VmHWM is reset to the current RSS by writing "5"
    to /proc/self/clear_refs; baseline is VmRSS then, the peak is VmHWM afterwards. Elsewhere:
    resource.getrusage's ru_maxrss before and after (a lower bound when the process has
    already peaked higher before)."""

    def __init__(self) -> None:
        self.method = "VmHWM after /proc/self/clear_refs reset"
        try:
            with open("/proc/self/clear_refs", "w") as f:
                f.write("5")
            self.base = rss_kib("VmRSS")
        except OSError:
            self.base = None
        if self.base is None:
            self.method = "resource.getrusage ru_maxrss delta"
            self.base = self._maxrss()

    def _maxrss(self) -> int:
        r = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        return r // 1024 if sys.platform == "darwin" else r

    def above_base_bytes(self) -> int:
        peak = rss_kib("VmHWM") if self.method.startswith("VmHWM") else self._maxrss()
        return max(0, (peak or 0) - (self.base or 0)) * 1024


# ---------------------------------------------------------------------------------- machine


def cpu_model() -> str:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def version(module: str) -> str | None:
    try:
        return importlib.import_module(module).__version__
    except Exception:  # noqa: BLE001
        return None


def machine_info(libs: list[str]) -> dict[str, str]:
    """CPU, OS, versions of Python, NumPy and the libraries in `libs` (only those are
    imported), PyTorch's default thread count, and the date."""
    info = {
        "CPU": cpu_model(),
        "logical CPUs": str(os.cpu_count()),
        "usable CPUs": str(
            len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
        ),
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    mods = ["numpy"] + [_MODULE.get(lib, lib) for lib in libs if lib != "numpy"]
    for mod in dict.fromkeys(mods):
        v = version(mod)
        if mod == "autograd" and v is None and installed("autograd"):
            from importlib.metadata import version as dist_version

            v = dist_version("autograd")
        info[mod] = v or "not installed"
    if "torch" in mods:
        info["PyTorch threads (default)"] = str(torch_threads())
    info["date"] = time.strftime("%Y-%m-%d %H:%M %Z")
    return info
