"""3. MLP training step: 784-512-256-10, ReLU, cross-entropy, batch 256, float32, SGD.

The loss is written the same way in every library: log_softmax, then the log-probability of
each row's label picked out (gather, or fancy indexing where there is no gather), negated
and averaged. The SGD update runs under no_grad (or on plain arrays). Each step is timed in
three parts; the table shows the median step, forward, backward, and backward/forward.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from ._harness import Context, Row, Timer, pick, ratio_target, value_target

NAME = "mlp"
TITLE = "3 MLP step (784-512-256-10, batch 256)"
SIZES = (784, 512, 256, 10)
BATCH = 256
QUICK_SIZES = (20, 16, 8, 10)
QUICK_BATCH = 8
LR = 0.01

Step = tuple[Callable[[], Any], Callable[[], Any], Callable[[], Any]]


def data(sizes: tuple[int, ...], batch: int) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
    rng = np.random.default_rng(0)
    X = rng.standard_normal((batch, sizes[0]), dtype=np.float32)
    y = rng.integers(0, sizes[-1], size=batch).astype(np.int64)
    params = []
    for a, b in zip(sizes[:-1], sizes[1:]):
        params.append(
            (rng.standard_normal((a, b), dtype=np.float32) * np.sqrt(2.0 / a)).astype(np.float32)
        )
        params.append(np.zeros(b, dtype=np.float32))
    return X, y, params


def make(lib: str, quick: bool) -> Step:
    """(forward, backward, update) closures sharing one model and one batch."""
    sizes, batch = (QUICK_SIZES, QUICK_BATCH) if quick else (SIZES, BATCH)
    Xn, yn, pn = data(sizes, batch)
    st: dict[str, Any] = {}
    if lib in ("weifen", "torch", "torch-1t"):
        T: Any = __import__("weifen" if lib == "weifen" else "torch")
        X, yidx = T.tensor(Xn), T.tensor(yn.reshape(-1, 1))
        params = [T.tensor(p, requires_grad=True) for p in pn]

        def forward() -> None:
            W1, b1, W2, b2, W3, b3 = params
            h = (X @ W1 + b1).relu()
            h = (h @ W2 + b2).relu()
            logp = T.log_softmax(h @ W3 + b3, 1)
            st["loss"] = -logp.gather(1, yidx).mean()

        def backward() -> None:
            st.pop("loss").backward()

        def update() -> None:
            with T.no_grad():
                for p in params:
                    p -= LR * p.grad
                    p.grad = None

        return forward, backward, update
    if lib == "autograd":
        import autograd
        import autograd.numpy as anp
        from autograd.tracer import getval

        rows = np.arange(batch)
        params = [p.copy() for p in pn]

        def loss(ps: list[Any]) -> Any:
            W1, b1, W2, b2, W3, b3 = ps
            h = anp.maximum(Xn @ W1 + b1, 0)
            h = anp.maximum(h @ W2 + b2, 0)
            z = h @ W3 + b3
            s = z - getval(z).max(axis=1, keepdims=True)  # a constant, as in log_softmax
            logp = s - anp.log(anp.sum(anp.exp(s), axis=1, keepdims=True))
            return -anp.mean(logp[rows, yn])

        vjp_maker = autograd.make_vjp(loss)
        one = np.float32(1.0)

        def forward() -> None:
            st["vjp"], st["loss"] = vjp_maker(params)

        def backward() -> None:
            st["grads"] = st.pop("vjp")(one)

        def update() -> None:
            for p, g in zip(params, st.pop("grads")):
                p -= LR * g

        return forward, backward, update
    if lib == "mygrad":
        import mygrad as mg
        from mygrad.nnet import logsoftmax, relu

        rows = np.arange(batch)
        params = [mg.tensor(p) for p in pn]

        def forward() -> None:
            W1, b1, W2, b2, W3, b3 = params
            h = relu(mg.matmul(Xn, W1) + b1)
            h = relu(mg.matmul(h, W2) + b2)
            logp = logsoftmax(mg.matmul(h, W3) + b3, axis=1)
            st["loss"] = -mg.mean(logp[rows, yn])

        def backward() -> None:
            st.pop("loss").backward()

        def update() -> None:
            for i, p in enumerate(params):
                params[i] = mg.tensor(p.data - LR * p.grad)

        return forward, backward, update
    if lib == "numpy":
        rows = np.arange(batch)
        params = [p.copy() for p in pn]

        def forward() -> None:
            W1, b1, W2, b2, W3, b3 = params
            z1 = Xn @ W1 + b1
            h1 = np.maximum(z1, 0)
            z2 = h1 @ W2 + b2
            h2 = np.maximum(z2, 0)
            z = h2 @ W3 + b3
            s = z - z.max(axis=1, keepdims=True)
            logp = s - np.log(np.exp(s).sum(axis=1, keepdims=True))
            st["saved"] = (z1, h1, z2, h2, logp)
            st["loss"] = -logp[rows, yn].mean()

        def backward() -> None:
            W1, b1, W2, b2, W3, b3 = params
            z1, h1, z2, h2, logp = st.pop("saved")
            dz = np.exp(logp)
            dz[rows, yn] -= 1
            dz /= batch
            dW3, db3 = h2.T @ dz, dz.sum(axis=0)
            dz2 = (dz @ W3.T) * (z2 > 0)
            dW2, db2 = h1.T @ dz2, dz2.sum(axis=0)
            dz1 = (dz2 @ W2.T) * (z1 > 0)
            dW1, db1 = Xn.T @ dz1, dz1.sum(axis=0)
            st["grads"] = (dW1, db1, dW2, db2, dW3, db3)

        def update() -> None:
            for p, g in zip(params, st.pop("grads")):
                p -= LR * g

        return forward, backward, update
    raise ValueError(lib)


def time_steps(step: Step, n: int, warmup: int) -> dict[str, float]:
    """Median seconds of forward, backward and the whole step over n steps."""
    forward, backward, update = step
    for _ in range(warmup):
        forward(), backward(), update()
    f, b, s = [], [], []
    for _ in range(n):
        t0 = time.perf_counter()
        forward()
        t1 = time.perf_counter()
        backward()
        t2 = time.perf_counter()
        update()
        t3 = time.perf_counter()
        f.append(t1 - t0)
        b.append(t2 - t1)
        s.append(t3 - t0)
    return {k: statistics.median(v) for k, v in (("fwd", f), ("bwd", b), ("step", s))}


LIBS = ["weifen", "torch", "torch-1t", "autograd", "mygrad", "numpy"]


def measure(lib: str, t: Timer) -> dict[str, float]:
    # ~100 steps of ~5 ms: half a second per cell, long enough that one busy moment on a
    # shared machine does not move the median (21 steps read anywhere from 0.9x to 1.5x NumPy)
    n, warmup = (1, 0) if t.quick else (max(15 * t.repeats, 15), 10)
    return time_steps(make(lib, t.quick), n, warmup)


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    ratio = {k: v if isinstance(v, str) else v["bwd"] / v["fwd"] for k, v in res.items()}
    return [
        Row(TITLE, "step (fwd+bwd+SGD)", "ms", pick(res, "step", 1e3), ratio_target("numpy", 1.1)),
        Row(TITLE, "forward", "ms", pick(res, "fwd", 1e3)),
        Row(TITLE, "backward", "ms", pick(res, "bwd", 1e3)),
        Row(TITLE, "backward / forward", "×", ratio, value_target(1.3), ratios=False),
    ]
