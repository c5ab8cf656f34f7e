"""python -m bench [--quick] [--only NAME[,NAME]] [--repeats N] [--rounds N]
                 [--libs LIB[,LIB]] [--no-save]

Runs each workload for each library installed (weifen; PyTorch with its default threads and
with one; HIPS autograd; mygrad; NumPy with gradients by hand), prints one Markdown table
with the medians, weifen's ratio to each peer and whether each target is met, and (for a
full run) writes it with the machine and versions to bench/results/latest.md.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from . import WORKLOADS
from ._harness import (
    BENCH_DIR,
    LIBS,
    Context,
    Row,
    installed,
    label,
    machine_info,
    run_workload,
    short,
)

RESULTS = BENCH_DIR / "results" / "latest.md"


def fmt(v: object, unit: str) -> str:
    if isinstance(v, str):
        return v
    assert isinstance(v, float | int)
    if unit == "×":
        return f"{v:.2f}"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:.3g}" if abs(v) >= 1 else f"{v:.3f}"


def table(rows: list[Row], libs: list[str]) -> str:
    peers = [lib for lib in libs if lib != "weifen"]
    head = ["workload", "metric", "unit", *(label(lib) for lib in libs)]
    if "weifen" in libs:
        head += [f"weifen ÷ {short(p)}" for p in peers] + ["target", "met"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    last = None
    for r in rows:
        cells = [r.workload if r.workload != last else "", r.metric, r.unit]
        last = r.workload
        cells += [fmt(r.values.get(lib, "n/a"), r.unit) for lib in libs]
        if "weifen" in libs:
            w = r.values.get("weifen")
            for p in peers:
                v = r.values.get(p)
                ok = r.ratios and isinstance(w, float) and isinstance(v, float) and v > 0
                cells.append(f"{w / v:.2f}×" if ok else "")  # type: ignore[operator]
            met = r.met()
            cells.append(r.target.text if r.target else "")
            cells.append(
                ""
                if r.target is None
                else ("n/a" if met is None else "met" if met else "**missed**")
            )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def report(
    rows: list[Row], ctx: Context, info: dict[str, str], skipped: list[str], secs: float
) -> str:
    out = ["## Results", ""]
    out.append("Machine and versions: " + "; ".join(f"{k} {v}" for k, v in info.items()) + ".")
    out.append("")
    mode = (
        "quick (tiny sizes, 1 repeat)"
        if ctx.quick
        else f"median of {ctx.rounds} rounds in which the libraries take turns, each the "
        f"median of {ctx.repeats} repeats after warm-up"
    )
    out.append(
        f"Timings: {mode}; the suite took {secs:.0f} s. Lower is better everywhere; a ratio "
        "below 1 means weifen is faster or smaller."
    )
    out.append("")
    out.append(table(rows, ctx.libs))
    out.append("")
    targets = [r for r in rows if r.target is not None]
    if targets and "weifen" in ctx.libs:
        met = sum(r.met() is True for r in targets)
        out.append(f"Targets met: {met} of {len(targets)}.")
        out.append("")
    notes = list(ctx.notes)
    if skipped:
        notes.append("Not installed, skipped: " + ", ".join(skipped) + ".")
    for wl, lib, err in ctx.errors:
        notes.append(f"Error, {wl} / {label(lib)}: `{err}`")
    if notes:
        out += [f"- {n}" for n in notes]
        out.append("")
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        prog="python -m bench", description=__doc__.split("\n\n")[1].replace("\n", " ")
    )
    ap.add_argument("--quick", action="store_true", help="tiny sizes, 1 repeat (smoke test)")
    ap.add_argument(
        "--only",
        help="workloads by name or number, comma-separated: "
        + ", ".join(f"{i} {w.NAME}" for i, w in enumerate(WORKLOADS, 1)),
    )
    ap.add_argument("--repeats", type=int, default=7, help="timed samples per cell (default 7)")
    ap.add_argument(
        "--rounds",
        type=int,
        default=3,
        help="times the libraries take turns on each workload; the median is reported (default 3)",
    )
    ap.add_argument(
        "--libs", help="libraries, comma-separated (default all installed): " + ", ".join(LIBS)
    )
    ap.add_argument("--no-save", action="store_true", help=f"do not write {RESULTS.name}")
    a = ap.parse_args(argv)

    workloads = WORKLOADS
    if a.only:
        want = {s.strip() for s in a.only.split(",")}
        workloads = [w for i, w in enumerate(WORKLOADS, 1) if w.NAME in want or str(i) in want]
        if not workloads:
            ap.error(f"--only: no workload {a.only!r}")
    chosen = LIBS if a.libs is None else [s.strip() for s in a.libs.split(",")]
    unknown = [lib for lib in chosen if lib not in LIBS]
    if unknown:
        ap.error(f"--libs: unknown {', '.join(unknown)}; known: {', '.join(LIBS)}")
    libs = [lib for lib in LIBS if lib in chosen and installed(lib)]
    skipped = [label(lib) for lib in LIBS if lib in chosen and not installed(lib)]
    ctx = Context(
        libs=libs,
        quick=a.quick,
        repeats=1 if a.quick else max(1, a.repeats),
        rounds=1 if a.quick else max(1, a.rounds),
    )

    start = time.perf_counter()
    rows: list[Row] = []
    for w in workloads:
        t = time.perf_counter()
        print(f"[bench] {w.TITLE} ...", file=sys.stderr, flush=True)
        skip = getattr(w, "skip_reason", lambda ctx: None)(ctx)
        if skip:
            ctx.notes.append(skip)
        else:
            rows += run_workload(w, ctx)
        print(f"[bench]   {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    text = report(rows, ctx, machine_info(libs), skipped, time.perf_counter() - start)
    print(text)
    full = not a.quick and not a.only and a.libs is None
    if full and not a.no_save:
        RESULTS.parent.mkdir(exist_ok=True)
        cmd = (
            "python -m bench"
            + ("" if a.repeats == 7 else f" --repeats {a.repeats}")
            + ("" if a.rounds == 3 else f" --rounds {a.rounds}")
        )
        Path(RESULTS).write_text(f"# Benchmarks: latest full run\n\n`{cmd}`\n\n{text}")
        print(f"[bench] wrote {RESULTS}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
