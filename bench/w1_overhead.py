"""1. Per-op overhead: a 4-element float32 tensor through 100 elementwise ops, then sum.

The ops cycle: mul by a constant, add a constant, sin, exp, tanh, mul by itself (values stay
bounded). Reported per op (total / 100): forward building the graph, forward under no_grad,
and forward + backward. At 4 elements this measures what a library does around each op.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._harness import Context, Row, Timer, pick, ratio_target

NAME = "overhead"
TITLE = "1 per-op overhead (4 elements, 100 ops)"
N_OPS = 100


def _ops(m: Any) -> list[Callable[[Any], Any]]:
    return [lambda v: v * 0.5, lambda v: v + 0.1, m.sin, m.exp, m.tanh, lambda v: v * v]


def _chain(ops: list[Callable[[Any], Any]], v: Any, n: int) -> Any:
    for i in range(n):
        v = ops[i % 6](v)
    return v


def make(lib: str, n: int) -> tuple[Callable[[], Any], Callable[[], Any], Callable[[], Any]]:
    """(forward, forward under no_grad, forward + backward) for one library."""
    x0 = np.array([0.1, -0.2, 0.3, 0.4], dtype=np.float32)
    if lib in ("weifen", "torch", "torch-1t"):
        T: Any = __import__("weifen" if lib == "weifen" else "torch")
        ops = _ops(T)
        x = T.tensor(x0.tolist(), dtype=T.float32, requires_grad=True)

        def fwd() -> Any:
            return _chain(ops, x, n).sum()

        def fwd_nograd() -> Any:
            with T.no_grad():
                return _chain(ops, x, n).sum()

        def fwd_bwd() -> Any:
            _chain(ops, x, n).sum().backward()
            g = x.grad
            x.grad = None
            return g

        return fwd, fwd_nograd, fwd_bwd
    if lib == "autograd":
        import autograd
        import autograd.numpy as anp

        ops = _ops(anp)
        f = lambda v: anp.sum(_chain(ops, v, n))
        vjp_maker = autograd.make_vjp(f)
        df = autograd.grad(f)
        # make_vjp runs the forward on the tape and returns the backward: "forward" here
        return lambda: vjp_maker(x0), lambda: f(x0), lambda: df(x0)
    if lib == "mygrad":
        import mygrad as mg

        ops = _ops(mg)
        x = mg.tensor(x0)

        def fwd() -> Any:
            return _chain(ops, x, n).sum()

        def fwd_nograd() -> Any:
            with mg.no_autodiff:
                return _chain(ops, x, n).sum()

        def fwd_bwd() -> Any:
            _chain(ops, x, n).sum().backward()
            return x.grad

        return fwd, fwd_nograd, fwd_bwd
    if lib == "numpy":
        ops = _ops(np)
        # d(out)/d(in) * g, from the op's input a and output b
        grads: list[Callable[[Any, Any, Any], Any]] = [
            lambda g, a, b: g * 0.5,
            lambda g, a, b: g,
            lambda g, a, b: g * np.cos(a),
            lambda g, a, b: g * b,
            lambda g, a, b: g * (1 - b * b),
            lambda g, a, b: g * (a + a),
        ]

        def fwd() -> Any:
            return _chain(ops, x0, n).sum()

        def fwd_bwd() -> Any:
            xs = [x0]
            for i in range(n):
                xs.append(ops[i % 6](xs[-1]))
            xs[-1].sum()
            g = np.ones_like(xs[-1])
            for i in reversed(range(n)):
                g = grads[i % 6](g, xs[i], xs[i + 1])
            return g

        return fwd, fwd, fwd_bwd
    raise ValueError(lib)


LIBS = ["weifen", "torch", "torch-1t", "autograd", "mygrad", "numpy"]


def measure(lib: str, t: Timer) -> dict[str, float]:
    f, fn, fb = make(lib, N_OPS)
    return {"fwd": t.time(f) / N_OPS, "nog": t.time(fn) / N_OPS, "both": t.time(fb) / N_OPS}


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    return [
        Row(TITLE, "forward, per op", "µs", pick(res, "fwd", 1e6), ratio_target("torch", 1.0)),
        Row(TITLE, "forward under no_grad, per op", "µs", pick(res, "nog", 1e6)),
        Row(TITLE, "forward+backward, per op", "µs", pick(res, "both", 1e6),
            ratio_target("torch", 0.7)),
    ]  # fmt: skip
