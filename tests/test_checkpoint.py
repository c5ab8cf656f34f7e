"""Activation checkpointing: same gradients as the plain run, less memory, PyTorch's warnings."""

from __future__ import annotations

import tracemalloc
import warnings

import numpy as np
import pytest

import weifen as wf
from weifen.utils.checkpoint import checkpoint, checkpoint_sequential


def _mlp(n_layers, batch, width, seed=0):
    wf.manual_seed(seed)
    ws = [(wf.randn(width, width) / width**0.5).requires_grad_() for _ in range(n_layers)]
    x = wf.randn(batch, width, requires_grad=True)
    layers = [lambda h, w=w: (h @ w).relu() for w in ws]
    return ws, x, layers


def _run(ws, x, layers, mode):
    for w in ws:
        w.grad = None
    x.grad = None
    if mode is None:
        y = x
        for f in layers:
            y = f(y)
    else:
        y = checkpoint_sequential(layers, 5, x, use_reentrant=mode)
    y.sum().backward()
    return [w.grad.numpy().copy() for w in ws] + [x.grad.numpy().copy()]


@pytest.mark.parametrize("reentrant", [True, False])
def test_gradients_identical_to_plain_run(reentrant):
    ws, x, layers = _mlp(12, 16, 8)
    plain = _run(ws, x, layers, None)
    ck = _run(ws, x, layers, reentrant)
    for a, b in zip(plain, ck):
        np.testing.assert_array_equal(a, b)


def test_checkpoint_single_function_and_grad_fn():
    x = wf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    w = wf.tensor([0.5, -1.0, 2.0], requires_grad=True)

    def f(a, scale):
        return (a * w).sin() * scale, a.sum()

    y, s = checkpoint(f, x, 2.0, use_reentrant=True)
    assert type(y.grad_fn).__name__ == "CheckpointFunctionBackward"
    (y.sum() + s).backward()
    want_x = 2 * np.cos([0.5, -2.0, 6.0]) * [0.5, -1.0, 2.0] + 1
    want_w = 2 * np.cos([0.5, -2.0, 6.0]) * [1.0, 2.0, 3.0]
    np.testing.assert_allclose(x.grad.numpy(), want_x, rtol=1e-6)
    np.testing.assert_allclose(w.grad.numpy(), want_w, rtol=1e-6)
    # autograd.grad reaches the weights captured by the closure, too
    y = checkpoint(lambda a: (a * w).sin().sum(), x, use_reentrant=False)
    gx, gw = wf.autograd.grad(y, (x, w))
    np.testing.assert_allclose(gw.numpy(), want_w / 2, rtol=1e-6)


def test_recompute_sees_the_same_random_numbers():
    x = wf.ones(1000, requires_grad=True)
    y = checkpoint(lambda a: a * wf.rand(1000), x, use_reentrant=False)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), y.detach().numpy())


def test_use_reentrant_warning_matches_torch():
    x = wf.ones(2, requires_grad=True)
    with pytest.warns(UserWarning) as rec:
        checkpoint(lambda a: a * 2, x)
    assert str(rec[0].message) == (
        "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
        "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
        "exception. use_reentrant=False is recommended, but if you need to preserve the current "
        "default behavior, you can pass use_reentrant=True. Refer to docs for more details on "
        "the differences between the two variants."
    )
    with pytest.warns(UserWarning, match="checkpoint_sequential: the use_reentrant parameter"):
        checkpoint_sequential([lambda a: a * 2, lambda a: a + 1], 2, x)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        checkpoint(lambda a: a * 2, x, use_reentrant=False)
    with pytest.raises(ValueError, match="Unexpected keyword arguments: foo"):
        checkpoint(lambda a: a, x, use_reentrant=True, foo=1)


def test_warnings_and_errors_match_torch(torch):
    def texts(mod, fn):
        with warnings.catch_warnings(record=True) as w:
            warnings.simplefilter("always")
            try:
                fn(mod)
                err = None
            except Exception as e:  # noqa: BLE001
                err = (type(e).__name__, str(e))
        return [str(m.message) for m in w], err

    cases = [
        lambda m: m.utils.checkpoint.checkpoint(lambda a: a * 2, m.ones(2, requires_grad=True)),
        lambda m: m.utils.checkpoint.checkpoint(lambda a: a * 2, m.ones(2), use_reentrant=True),
        lambda m: m.utils.checkpoint.checkpoint_sequential(
            [lambda a: a + 1] * 4, 2, m.ones(2, requires_grad=True)
        ),
        lambda m: m.utils.checkpoint.checkpoint(lambda a: a, m.ones(1), use_reentrant=True, x=1),
    ]
    import torch.utils.checkpoint  # noqa: F401

    import weifen.utils.checkpoint  # noqa: F401

    for c in cases:
        assert texts(wf, c) == texts(torch, c)


def test_nothing_recorded_without_grad():
    x = wf.ones(2, requires_grad=True)
    with wf.no_grad():
        y = checkpoint(lambda a: a * 2, x, use_reentrant=False)
    assert y.grad_fn is None and not y.requires_grad


def _peak(fn):
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.slow
def test_checkpointing_lowers_peak_memory_of_a_50_layer_mlp():
    # Activations dominate when the batch is wider than the layers (2048 x 256, float32):
    # 50 layers keep ~100 MiB alive without checkpointing. (At 512 x 512 the 50 weight
    # gradients, 50 MiB, are as large as the activations, and checkpointing cannot win.)
    ws, x, layers = _mlp(50, 2048, 256)
    plain = _peak(lambda: _run(ws, x, layers, None))
    ck = _peak(lambda: _run(ws, x, layers, False))
    print(f"peak without checkpointing {plain / 2**20:.1f} MiB, with {ck / 2**20:.1f} MiB")
    assert ck < 0.6 * plain


def test_checkpointing_lowers_peak_memory_small():
    ws, x, layers = _mlp(20, 1024, 64)
    plain = _peak(lambda: _run(ws, x, layers, None))
    ck = _peak(lambda: _run(ws, x, layers, True))
    assert ck < 0.7 * plain
