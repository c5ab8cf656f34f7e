"""7. The seed: the tutorial program's body (../shared/seed/blocks/*.py), in-process.

Blocks 03 and 05 raise in PyTorch (they call backward on a tensor that does not require
grad), so their successful parts run instead: 05's detach is done on the x that requires
grad. With printing, every print goes to an io.StringIO (so repr formatting is measured,
not the terminal); without, the printed expressions are still computed but not formatted.
Only libraries with the torch API run it.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from ._harness import Context, Row, Timer, pick, ratio_target

NAME = "seed"
TITLE = "7 seed tutorial body"


def body(torch: Any, out: Callable[..., None]) -> None:
    # block 01
    x = torch.arange(4.0)
    out("x =", x)
    x.requires_grad_(True)
    out("x.grad =", x.grad)
    y = 2 * torch.dot(x, x)
    out("y =", y)
    y.backward()
    out("x.grad =", x.grad)
    out(x.grad == 4 * x)
    # block 02
    y = x.sum()
    y.backward()
    out(x.grad)
    # block 04
    x.grad.zero_()
    y = x * x
    y.sum().backward()
    out(x.grad)
    # block 05, on the x that requires grad
    x.grad.zero_()
    y = x * x
    u = y.detach()
    z = u * x
    z.sum().backward()
    out(x.grad == u)

    # block 06
    def f(a: Any) -> Any:
        b = a * 2
        while b.norm() < 1000:
            b = 2 * b
        if b.sum() > 0:
            c = b
        else:
            c = 100 * b
        return c

    a = torch.randn(size=(), requires_grad=True)
    d = f(a)
    d.backward()
    out(a.grad == d / a)


def make(lib: str) -> tuple[Callable[[], Any], Callable[[], Any]]:
    """(without printing, with printing into a StringIO)."""
    T: Any = __import__("weifen" if lib == "weifen" else "torch")
    T.manual_seed(0)

    def quiet() -> None:
        body(T, lambda *a: None)

    def printing() -> str:
        buf = io.StringIO()
        body(T, lambda *a: print(*a, file=buf))
        return buf.getvalue()

    return quiet, printing


LIBS = ["weifen", "torch", "torch-1t"]


def measure(lib: str, t: Timer) -> dict[str, float]:
    q, p = make(lib)
    return {"quiet": t.time(q), "print": t.time(p)}


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    return [
        Row(TITLE, "without printing", "µs", pick(res, "quiet", 1e6), ratio_target("torch", 1.0)),
        Row(TITLE, "with printing (to StringIO)", "µs", pick(res, "print", 1e6),
            ratio_target("torch", 1.0)),
    ]  # fmt: skip
