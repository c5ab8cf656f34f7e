"""8. CNN step: LeNet-5-sized on 28×28 inputs, batch 64, float32, SGD — with the torch API.

conv(1→6, 5, pad 2) ReLU maxpool2, conv(6→16, 5) ReLU maxpool2, flatten, 400→120→84→10, with
log_softmax + gather as the loss, as in workload 3. Runs only where `weifen.nn.Conv2d`
exists (weifen's nn is in progress); otherwise the workload is skipped with a note.
"""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np

from . import w3_mlp
from ._harness import Context, Row, Timer, pick

NAME = "cnn"
TITLE = "8 CNN step (LeNet, 28×28, batch 64)"
BATCH = 64
QUICK_BATCH = 2
LR = 0.01


def weifen_has_conv2d() -> bool:
    try:
        return hasattr(importlib.import_module("weifen.nn"), "Conv2d")
    except ImportError:
        return False


def make(lib: str, quick: bool) -> w3_mlp.Step:
    T: Any = importlib.import_module("weifen" if lib == "weifen" else "torch")
    nn = importlib.import_module(T.__name__ + ".nn")
    T.manual_seed(0)
    batch = QUICK_BATCH if quick else BATCH
    rng = np.random.default_rng(0)
    X = T.tensor(rng.standard_normal((batch, 1, 28, 28), dtype=np.float32))
    yidx = T.tensor(rng.integers(0, 10, size=(batch, 1)).astype(np.int64))
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10),
    )  # fmt: skip
    params = list(model.parameters())
    st: dict[str, Any] = {}

    def forward() -> None:
        st["loss"] = -T.log_softmax(model(X), 1).gather(1, yidx).mean()

    def backward() -> None:
        st.pop("loss").backward()

    def update() -> None:
        with T.no_grad():
            for p in params:
                p -= LR * p.grad
                p.grad = None

    return forward, backward, update


LIBS = ["weifen", "torch", "torch-1t"]


def measure(lib: str, t: Timer) -> dict[str, float]:
    n, warmup = (1, 0) if t.quick else (max(2 * t.repeats, 10), 2)
    return w3_mlp.time_steps(make(lib, t.quick), n, warmup)


def skip_reason(ctx: Context) -> str | None:
    if "weifen" in ctx.libs and not weifen_has_conv2d():
        return "CNN step: skipped, `weifen.nn.Conv2d` does not exist yet."
    return None


def rows(res: dict[str, Any], ctx: Context) -> list[Row]:
    return [
        Row(TITLE, "step (fwd+bwd+SGD)", "ms", pick(res, "step", 1e3)),
        Row(TITLE, "forward", "ms", pick(res, "fwd", 1e3)),
        Row(TITLE, "backward", "ms", pick(res, "bwd", 1e3)),
    ]
