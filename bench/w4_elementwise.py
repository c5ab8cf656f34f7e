"""4. Large elementwise: y = (x*x + 3*x).sum() over 10,000,000 float32 elements, backward.

The hand-written NumPy version computes the same forward and the gradient 2*x + 3. This
measures what a library adds on top of NumPy when every op is big: temporaries, the
gradient's broadcasting/casting, accumulation into .grad.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ._harness import Context, Row, Timer, pick, ratio_target

NAME = "elementwise"
TITLE = "4 large elementwise (10M float32)"
N = 10_000_000
QUICK_N = 1000


def make(lib: str, n: int) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(forward, forward + backward)."""
    x0 = np.random.default_rng(0).standard_normal(n, dtype=np.float32)
    if lib in ("weifen", "torch", "torch-1t"):
        T: Any = __import__("weifen" if lib == "weifen" else "torch")
        x = T.tensor(x0, requires_grad=True)

        def fwd() -> Any:
            return (x * x + 3 * x).sum()

        def fwd_bwd() -> Any:
            (x * x + 3 * x).sum().backward()
            g = x.grad
            x.grad = None
            return g

        return fwd, fwd_bwd
    if lib == "autograd":
        import autograd
        import autograd.numpy as anp

        f = lambda x: anp.sum(x * x + 3 * x)
        vjp_maker, df = autograd.make_vjp(f), autograd.grad(f)
        return lambda: vjp_maker(x0), lambda: df(x0)
    if lib == "mygrad":
        import mygrad as mg

        x = mg.tensor(x0)

        def fwd() -> Any:
            return mg.sum(x * x + 3 * x)

        def fwd_bwd() -> Any:
            mg.sum(x * x + 3 * x).backward()
            return x.grad

        return fwd, fwd_bwd
    if lib == "numpy":

        def fwd() -> Any:
            return (x0 * x0 + 3 * x0).sum()

        def fwd_bwd() -> Any:
            (x0 * x0 + 3 * x0).sum()
            return 2 * x0 + 3

        return fwd, fwd_bwd
    raise ValueError(lib)


LIBS = ["weifen", "torch", "torch-1t", "autograd", "mygrad", "numpy"]


def measure(lib: str, t: Timer) -> dict[str, float]:
    f, fb = make(lib, QUICK_N if t.quick else N)
    return {"fwd": t.time(f, warmup=1), "both": t.time(fb, warmup=1)}


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    return [
        Row(TITLE, "forward", "ms", pick(res, "fwd", 1e3)),
        Row(TITLE, "forward+backward", "ms", pick(res, "both", 1e3), ratio_target("numpy", 1.3)),
    ]
