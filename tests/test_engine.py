"""The backward engine: graph walk, accumulation, retain_graph, inputs=, grad(), higher order,
saved-value freeing, in-place checks, scale, and memory. Compared with PyTorch where installed."""

from __future__ import annotations

import gc
import sys
import weakref

import numpy as np
import pytest

import weifen


def _torch():
    return pytest.importorskip("torch")


def _norm(v):
    if isinstance(v, list | tuple):
        return [_norm(x) for x in v]
    if hasattr(v, "tolist") and hasattr(v, "dtype"):
        flat = np.asarray(v.detach().tolist(), float).reshape(-1)
        return ("T", [float(f"{x:.5g}") for x in flat])
    return v


def _err(fn, *a, **k):
    try:
        fn(*a, **k)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def same(program):
    w, t = program(weifen), program(_torch())
    assert _norm(w) == _norm(t)
    return w


# ---- programs run unchanged on both ---------------------------------------------------------


def p_reuse(M):
    a = M.tensor([1.0, 2.0], requires_grad=True)
    b = a + a
    c = b + b
    c.sum().backward()
    return a.grad


def p_diamond(M):
    x = M.tensor([0.5, -1.0], requires_grad=True)
    h = x * 3
    y = (h.exp() + h * h + h.sin()).sum()
    y.backward()
    return x.grad


def p_accumulate(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    (x * x).sum().backward()
    (x * 3).sum().backward()
    return x.grad


def p_retain_graph(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def p_second_backward(M):
    out = []
    for f in (
        lambda x: x.sum(),
        lambda x: (x * x).sum(),
        lambda x: x.exp().sum(),
        lambda x: (x + 1).view(2, 1).sum(),
        lambda x: (x * 2).sum(),
        lambda x: x[0],
        lambda x: x.mean(),
        lambda x: (x - 1).t().sum(),
    ):
        x = M.tensor([1.0, 2.0], requires_grad=True)
        y = f(x)
        y.backward()
        out.append(_err(y.backward))
    return out


def p_backward_inputs(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    w = M.tensor([3.0, 4.0], requires_grad=True)
    h = x * w
    y = (h * h).sum()
    y.backward(inputs=[w, h], retain_graph=True)
    out = [x.grad, w.grad, h.grad, h.retains_grad]
    y.backward(inputs=x)
    out += [x.grad, w.grad]
    out.append(_err(y.backward, inputs=[]))
    return out


def p_grad_outputs(M):
    x = M.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * x
    (g,) = M.autograd.grad(y, x, grad_outputs=M.tensor([1.0, 0.5, 0.0]), retain_graph=True)
    g2 = M.autograd.grad([y.sum(), (x * 3).sum()], [x])
    return g, g2, x.grad


def p_allow_unused(M):
    x = M.tensor([1.0], requires_grad=True)
    z = M.tensor([1.0], requires_grad=True)
    y = (x * 2).sum()
    e = _err(M.autograd.grad, y, [x, z], retain_graph=True)
    r = M.autograd.grad(y, [x, z], allow_unused=True, retain_graph=True)
    m = M.autograd.grad(y, [x, z], materialize_grads=True)
    return e, r[0], r[1] is None, m


def p_higher_order(M):
    x = M.tensor(1.5, requires_grad=True)
    y = x**4
    (g1,) = M.autograd.grad(y, x, create_graph=True)
    (g2,) = M.autograd.grad(g1, x, create_graph=True)
    (g3,) = M.autograd.grad(g2, x, create_graph=True)
    (g4,) = M.autograd.grad(g3, x)
    return g1, g2, g3, g4, g3.requires_grad, g4.requires_grad


def p_create_graph_backward(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    x.grad = None
    g.sum().backward()
    return g, x.grad


def p_retain_grad(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    h = x * 2
    h.retain_grad()
    x.retain_grad()  # a leaf: nothing to do
    (h * h).sum().backward()
    return h.grad, x.grad, h.retains_grad, x.retains_grad


def p_detach(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    d = y.detach()
    d2 = y.detach()
    d2.zero_()  # shares data and version with y
    out = [d.requires_grad, d.is_leaf, d.grad_fn is None, y]
    z = x * 3
    z.detach_()
    out += [z.requires_grad, z.is_leaf, z.grad_fn is None]
    out.append(_err(lambda: (x * 1)[0:1].detach_()))
    return out


def p_data(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = x * x
    d = x.data
    d.mul_(10)  # not seen by autograd: no version error
    y.sum().backward()
    return d.requires_grad, x, x.grad


def p_requires_grad_errors(M):
    x = M.tensor([1.0], requires_grad=True)
    y = x * 2
    return [
        _err(lambda: y.requires_grad_(False)),
        _err(lambda: setattr(y, "requires_grad", False)),
        _err(lambda: setattr(y, "requires_grad", True)),
        _err(lambda: y.requires_grad_(True)),
        _err(lambda: M.tensor([1, 2]).requires_grad_()),
        _err(lambda: setattr(M.tensor([1, 2]), "requires_grad", True)),
        _err(lambda: M.tensor([1, 2]).requires_grad_(False)),
        _err(lambda: M.tensor([1.0]).sum().backward()),
        _err(lambda: (x * M.ones(2)).backward()),
        _err(lambda: M.autograd.grad(y, M.tensor([1.0]))),
    ]


def p_structure(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    w = M.tensor([3.0, 4.0], requires_grad=True)
    c = M.tensor([1.0, 1.0])
    y = (x * w + c).sum()
    add = y.grad_fn.next_functions[0][0]
    mul = add.next_functions[0][0]
    acc_x, acc_w = mul.next_functions[0][0], mul.next_functions[1][0]
    return [
        y.grad_fn.name(),
        type(y.grad_fn).__name__,
        add.name(),
        len(add.next_functions),
        add.next_functions[1],
        mul.name(),
        type(acc_x).__name__,
        acc_x.variable is x,
        acc_w.variable is w,
        acc_x.next_functions,
        x.is_leaf,
        y.is_leaf,
        c.is_leaf,
        x.grad_fn is None,
        (x * 2).grad_fn.next_functions[0][0] is acc_x,
    ]


def p_inplace_errors(M):
    out = []
    x = M.tensor([1.0, 2.0], requires_grad=True)
    out.append(_err(x.add_, 1))
    out.append(x.tolist())  # unchanged
    b = x * 2
    c = b * b
    b.add_(1)
    out.append(_err(c.sum().backward))
    e = x.exp()
    e.mul_(2)
    out.append(_err(e.sum().backward))
    s = x.sigmoid()
    t = s * 2  # saves only the constant: sigmoid's own output check fires
    s.mul_(2)
    out.append(_err(t.sum().backward))
    h = x * 1
    k = h * 3  # h not saved (3 needs no grad): modifying h is fine
    h.add_(1)
    k.sum().backward()
    out.append(x.grad)
    with M.no_grad():
        x.add_(1)  # allowed under no_grad
    out.append(x)
    return out


def p_inplace_ok(M):
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.add_(1)
    y.mul_(3)
    y.exp_()
    y.sum().backward()
    return y, x.grad, type(y.grad_fn).__name__


PROGRAMS = [
    p_reuse,
    p_diamond,
    p_accumulate,
    p_retain_graph,
    p_second_backward,
    p_backward_inputs,
    p_grad_outputs,
    p_allow_unused,
    p_higher_order,
    p_create_graph_backward,
    p_retain_grad,
    p_detach,
    p_data,
    p_requires_grad_errors,
    p_structure,
    p_inplace_errors,
    p_inplace_ok,
]


def _structure_norm(v):
    # next_functions hold nodes: compare their type names
    if isinstance(v, tuple) and len(v) == 2 and not hasattr(v[0], "tolist"):
        return (None if v[0] is None else type(v[0]).__name__, v[1])
    return v


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_against_torch(program):
    w, t = program(weifen), program(_torch())
    if program is p_structure:
        w, t = [_structure_norm(v) for v in w], [_structure_norm(v) for v in t]
    assert _norm(w) == _norm(t)


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_runs_without_torch(program):
    program(weifen)


# ---- fixed values (kept when torch is absent) ----------------------------------------------


def test_values():
    assert p_reuse(weifen).tolist() == [4.0, 4.0]
    assert p_accumulate(weifen).tolist() == [5.0, 7.0]
    g1, g2, g3, g4, *_ = p_higher_order(weifen)
    assert [g1.item(), g2.item(), g3.item(), g4.item()] == [4 * 1.5**3, 12 * 1.5**2, 36.0, 24.0]
    errs = p_second_backward(weifen)
    assert errs[0] is None and errs[1][1].startswith("Trying to backward through the graph a sec")
    x_grad, w_grad, h_grad, retains, *_ = p_backward_inputs(weifen)
    assert x_grad is None and w_grad.tolist() == [6.0, 32.0] and h_grad.tolist() == [6.0, 16.0]
    assert retains is True


def test_inplace_message_text():
    out = p_inplace_errors(weifen)
    assert out[0] == (
        "RuntimeError",
        "a leaf Variable that requires grad is being used in an in-place operation.",
    )
    assert out[1] == [1.0, 2.0]
    assert out[2] == (
        "RuntimeError",
        "one of the variables needed for gradient computation has been modified by an inplace "
        "operation: [torch.FloatTensor [2]], which is output 0 of Add, is at version 1; expected "
        "version 0 instead. Hint: enable anomaly detection to find the operation that failed to "
        "compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False).",
    )
    assert "output 0 of Sigmoid," in out[4][1]


def test_plain_backward_makes_no_tensors(monkeypatch):
    """The lean path: a backward without hooks creates no Tensor objects besides .grad."""
    import weifen._tensor as T
    import weifen.autograd.engine as E

    x = weifen.tensor([1.0, 2.0], requires_grad=True)
    y = ((x * 3).exp() * x).sum()
    made = []
    real = E._wrap
    monkeypatch.setattr(E, "_wrap", lambda *a: made.append(1) or real(*a))
    monkeypatch.setattr(T, "_wrap", lambda *a: made.append(1) or real(*a))
    y.backward()
    assert len(made) == 1  # x.grad itself


# ---- saved values are freed -------------------------------------------------------------------


def test_saved_values_freed_after_backward():
    x = weifen.tensor([1.0, 2.0], requires_grad=True)
    h = x.exp()  # ExpBackward saves its result array
    y = (h * h).sum()  # MulBackward saves h (the tensor)
    arr = weakref.ref(h.grad_fn._result) if hasattr(h.grad_fn, "_result") else None
    ht = weakref.ref(h)
    del h
    assert ht() is not None  # kept alive by the graph
    y.backward()
    assert ht() is None
    if arr is not None:
        assert arr() is None


def test_retain_graph_keeps_saved_values():
    x = weifen.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = (h * h).sum()
    ht = weakref.ref(h)
    del h
    y.backward(retain_graph=True)
    assert ht() is not None
    y.backward()
    assert ht() is None


def test_training_loop_makes_no_cycles():
    gc.collect()
    w = weifen.randn(4, 3, requires_grad=True)
    b = weifen.zeros(3, requires_grad=True)
    gc.disable()
    try:
        for _ in range(2000):
            x = weifen.randn(8, 4)
            inp = weifen.randn(8, 4, requires_grad=True)  # a fresh leaf each step
            t = weifen.randn(8, 3)
            loss = (((x + inp) @ w + b - t) ** 2).mean()
            loss.backward()
            with weifen.no_grad():
                w -= 0.01 * w.grad
                b -= 0.01 * b.grad
            w.grad.zero_()
            b.grad = None
        assert gc.collect() == 0
    finally:
        gc.enable()


# ---- scale ---------------------------------------------------------------------


def _chain(n):
    x = weifen.tensor(1.0, requires_grad=True)
    y = x
    enabled = gc.isenabled()
    gc.disable()  # the collector rescanning a growing graph would dominate the time
    try:
        for _ in range(n):
            y = y * 1.0
    finally:
        if enabled:
            gc.enable()
    return x, y


def test_100k_chain_backward_default_recursion_limit():
    assert sys.getrecursionlimit() == 1000  # the default: nothing raised it
    x, y = _chain(100_000)
    y.backward()
    assert x.grad.item() == 1.0
    del y


def test_100k_chain_delete_without_backward():
    x, y = _chain(100_000)
    del y
    gc.collect()


@pytest.mark.slow
def test_1m_chain_backward():
    x, y = _chain(1_000_000)
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.slow
def test_1m_chain_delete_without_backward():
    x, y = _chain(1_000_000)
    ref = weakref.ref(y.grad_fn)
    del y  # freed by CPython's trashcan: no recursion error, no crash
    assert ref() is None


@pytest.mark.slow
def test_1m_chain_delete_in_thread():
    import threading

    err = []

    def run():
        try:
            x, y = _chain(1_000_000)
            del y
        except BaseException as e:  # noqa: BLE001
            err.append(e)

    t = threading.Thread(target=run)
    t.start()
    t.join()
    assert not err


def test_large_gradients_summed_in_place_stay_correct():
    # Past 65,536 elements the engine adds later gradients into a buffer it owns (the first
    # fresh formula output). Gradients passed through unchanged (add) or shared between
    # inputs must never be written into.
    n = 70_000
    rng = np.random.default_rng(0)
    xa = rng.standard_normal(n)
    ya = rng.standard_normal(n)
    x = weifen.tensor(xa, requires_grad=True)
    y = weifen.tensor(ya, requires_grad=True)
    z = x + y  # AddBackward0 hands the same gradient to x and y
    loss = (x * x + 3 * x).sum() + (z * z).sum() + (y * 2).sum()
    loss.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * xa + 3 + 2 * (xa + ya), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(y.grad.numpy(), 2 * (xa + ya) + 2, rtol=1e-12, atol=1e-12)
    assert not np.shares_memory(x.grad.numpy(), y.grad.numpy())
