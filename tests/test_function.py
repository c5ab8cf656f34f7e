"""Custom autograd.Function: both styles, ctx API, errors, double backward, against PyTorch."""

from __future__ import annotations

import gc
import weakref

import pytest

import weifen
from weifen.autograd.function import once_differentiable


def _torch():
    return pytest.importorskip("torch")


def _norm(v):
    if isinstance(v, list | tuple):
        return [_norm(x) for x in v]
    if hasattr(v, "tolist") and hasattr(v, "dtype"):
        return ("T", [round(x, 5) for x in v.reshape(-1).tolist()], tuple(v.shape))
    return v


def same(program):
    w, t = program(weifen), program(_torch())
    assert _norm(w) == _norm(t)
    return w


def _err(fn, *a):
    try:
        fn(*a)
    except Exception as e:  # noqa: BLE001
        return type(e).__name__, str(e)
    return None


def make_fns(M):
    """The same custom Functions, defined against module M."""

    class Cube(M.autograd.Function):
        @staticmethod
        def forward(ctx, x, k):
            ctx.save_for_backward(x)
            ctx.k = k
            return x**3 * k

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x**2 * ctx.k, None

    class Exp(M.autograd.Function):  # saves its output
        @staticmethod
        def forward(x):
            return x.exp()

        @staticmethod
        def setup_context(ctx, inputs, output):
            ctx.save_for_backward(output)

        @staticmethod
        def backward(ctx, g):
            (r,) = ctx.saved_tensors
            return g * r

    class Split(M.autograd.Function):  # two outputs, one non-differentiable
        @staticmethod
        def forward(ctx, x):
            idx = x.argmax()
            ctx.mark_non_differentiable(idx)
            ctx.set_materialize_grads(False)
            return x * 2, idx

        @staticmethod
        def backward(ctx, g, gi):
            return None if g is None else g * 2

    class AddOne_(M.autograd.Function):  # in place
        @staticmethod
        def forward(ctx, x):
            x.add_(1)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, g):
            return g

    class Ident(M.autograd.Function):
        @staticmethod
        def forward(ctx, x, y):
            ctx.flags = ctx.needs_input_grad
            return x, y * 1

        @staticmethod
        def backward(ctx, gx, gy):
            return gx, gy

    class Once(M.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @M.autograd.function.once_differentiable
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return 2 * x * g

    class WithJvp(M.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

        @staticmethod
        def jvp(ctx, t):
            return t * 2

    return dict(
        Cube=Cube, Exp=Exp, Split=Split, AddOne_=AddOne_, Ident=Ident, Once=Once, WithJvp=WithJvp
    )


def p_cube(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = F["Cube"].apply(x, 2.0)
    y.sum().backward()
    return (
        y,
        x.grad,
        type(y.grad_fn).__name__,
        y.grad_fn.name(),
        repr(y)[-30:],
        y.grad_fn.needs_input_grad,
        len(y.grad_fn.next_functions),
    )


def p_exp_setup_context(M):
    F = make_fns(M)
    x = M.tensor([0.0, 1.0], requires_grad=True)
    y = F["Exp"].apply(x)
    (g,) = M.autograd.grad(y.sum(), x)
    return y, g


def p_double_backward(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = F["Cube"].apply(x, 1.0).sum()
    (g,) = M.autograd.grad(y, x, create_graph=True)
    (gg,) = M.autograd.grad(g.sum(), x, create_graph=True)
    (ggg,) = M.autograd.grad(gg.sum(), x)
    return g, gg, ggg


def p_exp_double(M):
    F = make_fns(M)
    x = M.tensor([0.5], requires_grad=True)
    (g,) = M.autograd.grad(F["Exp"].apply(x).sum(), x, create_graph=True)
    (gg,) = M.autograd.grad(g.sum(), x)
    return g, gg


def p_non_differentiable(M):
    F = make_fns(M)
    x = M.tensor([1.0, 3.0, 2.0], requires_grad=True)
    v, i = F["Split"].apply(x)
    v.sum().backward()
    return v, i, i.requires_grad, v.requires_grad, x.grad


def p_dirty(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = x * 1
    z = F["AddOne_"].apply(y)
    (z * z).sum().backward()
    return z is y, y, x.grad, type(y.grad_fn).__name__


def p_input_returned(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = M.tensor([3.0])
    a, b = F["Ident"].apply(x, y)
    (a.sum() * 2).backward()
    return a is x, a._base is x, type(a.grad_fn).__name__, b.requires_grad, x.grad, a.grad_fn.flags


def p_no_grad_apply(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    with M.no_grad():
        y = F["Cube"].apply(x, 1.0)
    z = F["Cube"].apply(M.tensor([1.0]), 1.0)
    return y.requires_grad, y.grad_fn is None, z.requires_grad


def p_once(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = F["Once"].apply(x).sum()
    (g,) = M.autograd.grad(y, x, create_graph=True)
    out = [g.detach(), g.requires_grad]
    try:
        g.sum().backward()
    except RuntimeError as e:
        out.append(str(e))
    x2 = M.tensor([1.0, 2.0], requires_grad=True)
    F["Once"].apply(x2).sum().backward()
    out.append(x2.grad)
    return out


def p_jvp_stored(M):
    F = make_fns(M)
    x = M.tensor([1.0], requires_grad=True)
    y = F["WithJvp"].apply(x)
    y.backward()
    return x.grad, F["WithJvp"].jvp(None, M.tensor([1.0]))


def p_second_backward(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = F["Cube"].apply(x, 1.0).sum()
    y.backward()
    e1 = _err(y.backward)
    z = F["WithJvp"].apply(x).sum()  # saves nothing: a second backward is fine
    z.backward()
    z.backward()
    return e1, x.grad


def p_saved_modified(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    y = F["Cube"].apply(h, 1.0)
    with M.no_grad():
        h.mul_(2)
    return _err(y.sum().backward)


def p_retain_graph(M):
    F = make_fns(M)
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = F["Cube"].apply(x, 1.0).sum()
    y.backward(retain_graph=True)
    y.backward()
    return x.grad


def p_hooks_on_custom(M):
    F = make_fns(M)
    log = []
    x = M.tensor([1.0, 2.0], requires_grad=True)
    y = F["Cube"].apply(x, 1.0)
    y.register_hook(lambda g: log.append(g.tolist()) or g * 2)
    y.grad_fn.register_prehook(lambda go: log.append("pre"))
    y.sum().backward()
    return log, x.grad


PROGRAMS = [
    p_cube,
    p_exp_setup_context,
    p_double_backward,
    p_exp_double,
    p_non_differentiable,
    p_dirty,
    p_input_returned,
    p_no_grad_apply,
    p_once,
    p_jvp_stored,
    p_second_backward,
    p_saved_modified,
    p_retain_graph,
    p_hooks_on_custom,
]


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_against_torch(program):
    same(program)


@pytest.mark.parametrize("program", PROGRAMS, ids=[p.__name__ for p in PROGRAMS])
def test_runs_without_torch(program):
    program(weifen)


def test_values():
    y, g, name, name2, tail, needs, nf = p_cube(weifen)
    assert y.tolist() == [2.0, 16.0] and g.tolist() == [6.0, 24.0]
    assert name == name2 == "CubeBackward" and tail.endswith("grad_fn=<CubeBackward>)")
    assert needs == (True, False) and nf == 1
    g, gg, ggg = p_double_backward(weifen)
    assert g.tolist() == [3.0, 12.0] and gg.tolist() == [6.0, 12.0] and ggg.tolist() == [6.0, 6.0]
    assert repr(
        make_fns(weifen)["Cube"].apply(weifen.tensor([1.0], requires_grad=True), 1.0).grad_fn
    ).startswith("<torch.autograd.function.CubeBackward object at 0x")


# ---- errors --------------------------------------------------------------------


def error_fns(M):
    def fn(back, fwd=lambda ctx, a: a.clone(), n=1):
        return type(
            "Bad",
            (M.autograd.Function,),
            {"forward": staticmethod(fwd), "backward": staticmethod(back)},
        )

    a = M.tensor([1.0, 2.0], requires_grad=True)
    return {
        "too many": lambda: fn(lambda ctx, g: (g, g)).apply(a).sum().backward(),
        "too few": lambda: fn(lambda ctx, g: ()).apply(a).sum().backward(),
        "bad shape": lambda: fn(lambda ctx, g: g[:1]).apply(a).sum().backward(),
        "non-tensor grad": lambda: (
            fn(lambda ctx, g: (g, g), lambda ctx, a, k: a.clone()).apply(a, 3).sum().backward()
        ),
        "int grad": lambda: fn(lambda ctx, g: 1).apply(a).sum().backward(),
        "dirty leaf": lambda: fn(lambda ctx, g: g, lambda ctx, a: ctx.mark_dirty(a) or a).apply(a),
        "broadcast grad ok": lambda: (
            fn(lambda ctx, g: g.sum() * M.ones(3, 2)).apply(a).sum().backward()
        ),
    }


@pytest.mark.parametrize("name", list(error_fns(weifen)))
def test_errors_match_torch(name):
    torch = _torch()
    assert _err(error_fns(weifen)[name]) == _err(error_fns(torch)[name])


def test_error_texts():
    errs = error_fns(weifen)
    assert _err(errs["too many"]) == (
        "RuntimeError",
        "function BadBackward returned an incorrect number of gradients (expected 1, got 2)",
    )
    assert _err(errs["bad shape"]) == (
        "RuntimeError",
        "Function BadBackward returned an invalid gradient at index 0 - got [1] but expected "
        "shape compatible with [2]",
    )


def test_no_reference_cycle():
    F = make_fns(weifen)
    gc.collect()
    gc.disable()
    try:
        for _ in range(50):
            x = weifen.tensor([1.0, 2.0], requires_grad=True)
            y = F["Exp"].apply(x)  # saves its output
            ref = weakref.ref(y.grad_fn)
            y.sum().backward()
            del y
            assert ref() is None
        assert gc.collect() == 0
    finally:
        gc.enable()


def test_once_differentiable_importable():
    assert weifen.autograd.function.once_differentiable is once_differentiable
