"""torch.autograd.functional and torch.func: values, return structures and errors vs PyTorch
(when installed) and vs closed forms (always)."""

from __future__ import annotations

import numpy as np
import pytest

import weifen as wf
import weifen.autograd.functional as AF
from weifen import func as WF

X = [[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]]
Y = [0.2, 0.4, -0.3]


def _xy(m):
    # from NumPy: exact float64 values in both libraries
    return m.from_numpy(np.array(X)), m.from_numpy(np.array(Y))


def _np(t):
    if isinstance(t, tuple | list):
        return type(t)(_np(v) for v in t)
    if isinstance(t, dict):
        return {k: _np(v) for k, v in t.items()}
    return t.detach().numpy() if hasattr(t, "detach") else t


def _same(a, b):
    """Equal values and the same nesting (tuples vs tensors) as PyTorch's result."""
    a, b = _np(a), _np(b)
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, tuple | list):
        assert len(a) == len(b)
        for u, v in zip(a, b):
            _same(u, v)
    elif isinstance(a, dict):
        assert a.keys() == b.keys()
        for k in a:
            _same(a[k], b[k])
    else:
        np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


def f2(a, b):
    return (a.exp() * b).sum(1), a.sin()


def s1(a):
    return (a**3).sum() + a.prod()


FUNCTIONAL_CASES = {
    "jacobian_tuple": lambda F, x, y: F.jacobian(f2, (x, y)),
    "jacobian_single": lambda F, x, y: F.jacobian(lambda a: a.sin(), y),
    "jacobian_vectorize": lambda F, x, y: F.jacobian(lambda a: a.sin(), y, vectorize=True),
    "jacobian_fwd": lambda F, x, y: F.jacobian(
        lambda a: a.sin() * 2, y, strategy="forward-mode", vectorize=True
    ),
    "hessian": lambda F, x, y: F.hessian(s1, x),
    "hessian_tuple": lambda F, x, y: F.hessian(lambda a, b: (a * b).sum() ** 2, (y, y)),
    "vjp": lambda F, x, y: F.vjp(f2, (x, y), (y[:2].exp(), x.cos())),
    "vjp_scalar": lambda F, x, y: F.vjp(lambda a: a.sum(), y),
    "jvp": lambda F, x, y: F.jvp(lambda a: a.sin(), y, y),
    "jvp_tuple": lambda F, x, y: F.jvp(f2, (x, y), (x, y)),
    "hvp": lambda F, x, y: F.hvp(s1, x, x),
    "vhp": lambda F, x, y: F.vhp(s1, x, x),
}


@pytest.mark.parametrize("case", FUNCTIONAL_CASES)
def test_functional_matches_torch(case, torch):
    import torch.autograd.functional as TF

    fn = FUNCTIONAL_CASES[case]
    _same(fn(AF, *_xy(wf)), fn(TF, *_xy(torch)))


def test_functional_closed_forms():
    x, y = _xy(wf)
    j = AF.jacobian(lambda a: a.sin(), y)
    np.testing.assert_allclose(j.numpy(), np.diag(np.cos(Y)))
    h = AF.hessian(lambda a: (a**3).sum(), y)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * np.array(Y)))
    out, hv = AF.hvp(lambda a: (a**3).sum(), y, wf.ones(3, dtype=wf.float64))
    np.testing.assert_allclose(hv.numpy(), 6 * np.array(Y))
    out, jv = AF.jvp(lambda a: a.exp(), y, y)
    np.testing.assert_allclose(jv.numpy(), np.exp(Y) * Y)


def test_functional_create_graph_and_strict():
    y = _xy(wf)[1].requires_grad_()
    j = AF.jacobian(lambda a: a.sin(), y, create_graph=True)
    assert j.requires_grad
    (g,) = wf.autograd.grad(j.sum(), y)
    np.testing.assert_allclose(g.numpy(), -np.sin(Y))
    assert not AF.jacobian(lambda a: a.sin(), y).requires_grad
    with pytest.raises(RuntimeError, match="Output 0 of the user-provided function does not"):
        AF.jacobian(lambda a: a.detach() * 0 + 1, y, strict=True)
    with pytest.raises(RuntimeError, match="The vector v can only be None"):
        AF.vjp(lambda a: a * 2, y)
    with pytest.raises(TypeError, match="must be either a Tensor or a tuple of Tensors"):
        AF.jacobian(lambda a: a, [y])


def test_functional_errors_match_torch(torch):
    import torch.autograd.functional as TF

    bad = [
        lambda F, x, y: F.vjp(lambda a: a * 2, y),
        lambda F, x, y: F.jvp(lambda a: a, (y,), (x,)),
        lambda F, x, y: F.jacobian(lambda a: a * 0 + 1, y, strict=True),
        lambda F, x, y: F.hessian(lambda a: a * 2, y),
        lambda F, x, y: F.jacobian(f2, [x]),
        lambda F, x, y: F.jacobian(lambda a, b: a.sin(), (y, y), strict=True),
        lambda F, x, y: F.hvp(lambda a: (a * 2).sum(), y, y, strict=True),
        lambda F, x, y: F.jacobian(lambda a: a, y, strategy="forward-mode"),
    ]

    def err(F, m, fn):
        try:
            fn(F, *_xy(m))
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
        return None

    for fn in bad:
        assert err(AF, wf, fn) == err(TF, torch, fn)


# ---- torch.func -----------------------------------------------------------------------------


def sfun(a):
    return (a**3).sum() + a.prod()


FUNC_CASES = {
    "grad": lambda F, m, x, y: F.grad(sfun)(x),
    "grad_argnums": lambda F, m, x, y: F.grad(lambda a, b: (a * b).sum(), argnums=(0, 1))(y, y * 2),
    "grad_aux": lambda F, m, x, y: F.grad_and_value(
        lambda a: ((a**2).sum(), a.mean()), has_aux=True
    )(y),
    "grad_grad": lambda F, m, x, y: F.grad(F.grad(lambda a: a.sin() * a))(y[0]),
    "vjp": lambda F, m, x, y: (lambda o, fn: (o, fn((m.ones(3, dtype=m.float64), y))))(
        *F.vjp(lambda a, b: (a * b, a.exp()), y, y)
    ),
    "jvp": lambda F, m, x, y: F.jvp(lambda a: a.sin() * a, (y,), (y,)),
    "jvp_dict": lambda F, m, x, y: F.jvp(lambda a, b: {"p": a @ b}, (x, y), (x, y)),
    "jacrev": lambda F, m, x, y: F.jacrev(lambda a: a.sin() * a.sum())(y),
    "jacrev_struct": lambda F, m, x, y: F.jacrev(
        lambda a, b: {"s": a * b, "t": (a.sum(), b)}, argnums=(0, 1)
    )(y, y),
    "jacfwd": lambda F, m, x, y: F.jacfwd(lambda a: a.sin() * a.sum())(y),
    "jacfwd_argnum": lambda F, m, x, y: F.jacfwd(lambda a, b: a @ b, argnums=1)(x, y),
    "hessian": lambda F, m, x, y: F.hessian(sfun)(y),
    "hessian_tuple": lambda F, m, x, y: F.hessian(lambda a, b: (a * b.exp()).sum(), argnums=(0, 1))(
        y, y
    ),
    "jacrev_jacrev": lambda F, m, x, y: F.jacrev(F.jacrev(sfun))(y),
    "vmap_dims": lambda F, m, x, y: F.vmap(
        lambda a, b: (a * b, a.sum()), in_dims=(0, None), out_dims=(1, 0)
    )(x, y),
    "vmap_dot": lambda F, m, x, y: F.vmap(m.dot)(x, x),
    "vmap_grad": lambda F, m, x, y: F.vmap(F.grad(sfun))(x),
    "vmap_vmap": lambda F, m, x, y: F.vmap(F.vmap(m.mul), in_dims=(0, None))(x, y),
    "vmap_in1": lambda F, m, x, y: F.vmap(lambda c: c * 2, in_dims=1, out_dims=1)(x),
}


@pytest.mark.parametrize("case", FUNC_CASES)
def test_func_matches_torch(case, torch):
    fn = FUNC_CASES[case]
    _same(fn(WF, wf, *_xy(wf)), fn(torch.func, torch, *_xy(torch)))


def test_func_closed_forms_and_detaching():
    x, y = _xy(wf)
    g = WF.grad(lambda a: (a**2).sum())(y)
    np.testing.assert_allclose(g.numpy(), 2 * np.array(Y))
    assert not g.requires_grad  # nothing outside the transform requires grad
    w = y.clone().requires_grad_()
    g = WF.grad(lambda a: (a * w).sum())(y)  # depends on w, from outside
    assert g.requires_grad
    g.sum().backward()
    np.testing.assert_allclose(w.grad.numpy(), [1.0, 1.0, 1.0])
    h = WF.hessian(lambda a: (a**3).sum())(y)
    np.testing.assert_allclose(h.numpy(), np.diag(6 * np.array(Y)))
    out = WF.vmap(lambda r: r.sum())(x)
    np.testing.assert_allclose(out.numpy(), np.sum(X, 1))


def test_func_errors_match_torch(torch):
    bad = [
        lambda F, m, x, y: F.vmap(m.add)(x, m.ones(4, 3, dtype=m.float64)),
        lambda F, m, x, y: F.grad(m.sin)(x),
        lambda F, m, x, y: F.grad(lambda a: (a.sum(), 1))(x),
        lambda F, m, x, y: F.grad(lambda a: a.sum(), has_aux=True)(x),
        lambda F, m, x, y: F.jvp(m.sin, x, x),
        lambda F, m, x, y: F.vmap(m.sin, in_dims=2)(x),
        lambda F, m, x, y: F.jvp(m.sin, (x,), (y,)),
    ]

    def err(F, m, fn):
        try:
            fn(F, m, *_xy(m))
        except Exception as e:  # noqa: BLE001
            return type(e).__name__, str(e)
        return None

    for fn in bad:
        assert err(WF, wf, fn) == err(torch.func, torch, fn)
