"""Forward-mode AD: every op with VJP formulas pushes tangents forward correctly.

Each op's JVP is checked against central finite differences in float64 and, where PyTorch is
installed and the op is public, against `torch.func.jvp`."""

from __future__ import annotations

import gc

import numpy as np
import pytest

import weifen as wf
import weifen.autograd.forward_ad as fwAD
from weifen.ops import INTERNAL, TABLE

try:  # nn's ops join the table when weifen.nn is imported
    import weifen.nn  # noqa: F401
except ImportError:  # pragma: no cover
    pass

R = np.random.default_rng(0)


def T(*shape, lo=-1.0, hi=1.0):
    return wf.tensor(R.uniform(lo, hi, shape), dtype=wf.float64)


def P(*shape):  # positive
    return T(*shape, lo=0.5, hi=2.0)


def I(*vals):  # noqa: E743  an int64 index tensor
    return wf.tensor(list(vals), dtype=wf.int64)


def M(*vals):
    return wf.tensor(list(vals), dtype=wf.bool)


# op name -> list of (args, kwargs); tensors of float dtype are differentiated.
SAMPLES: dict[str, list] = {
    "softmax": [((T(2, 3), 1), {})],
    "log_softmax": [((T(2, 3), 0), {})],
    "getitem": [
        ((T(3, 4), (slice(0, 2), 1)), {}),
        (
            (
                T(
                    4,
                ),
                I(0, 2, 2),
            ),
            {},
        ),
    ],
    "index_backward": [
        (
            (
                T(
                    2,
                ),
                (3, 2),
                (I(0, 2), 1),
            ),
            {},
        )
    ],
    "zero_at": [((T(3, 2), 1), {})],
    "setitem": [((T(3, 2), T(2), 1), {})],
    "index_select": [((T(3, 2), 0, I(2, 0, 2)), {})],
    "gather": [((T(3, 2), 1, wf.tensor([[0, 1], [1, 1], [0, 0]])), {})],
    "scatter": [((T(2, 3), 1, wf.tensor([[2, 0], [1, 2]]), T(2, 2)), {})],
    "scatter_add": [((T(2, 3), 1, wf.tensor([[2, 2], [1, 0]]), T(2, 2)), {})],
    "masked_fill": [((T(2, 2), M(True, False), wf.tensor(0.5, dtype=wf.float64)), {})],
    "masked_select": [((T(2, 2), M(True, False)), {})],
    "matmul": [((T(2, 3), T(3, 4)), {}), ((T(2, 2, 3), T(3)), {})],
    "mm": [((T(2, 3), T(3, 2)), {})],
    "bmm": [((T(2, 2, 3), T(2, 3, 2)), {})],
    "mv": [((T(2, 3), T(3)), {})],
    "dot": [((T(3), T(3)), {})],
    "outer": [((T(2), T(3)), {})],
    "einsum_list": [(([T(2, 3), T(3, 4)], "ij,jk->ik"), {})],
    "add": [((T(2, 3), T(3)), {}), ((T(2, 3), T(2, 3)), {"alpha": 2})],
    "sub": [((T(2, 3), T(3)), {"alpha": 0.5})],
    "rsub": [((T(2, 3), T(2, 3)), {})],
    "mul": [((T(2, 3), T(1, 3)), {}), ((T(2), 3.0), {})],
    "div": [((T(2, 3), P(3)), {})],
    "remainder": [((P(3) * 3, P(3)), {})],
    "fmod": [((P(3) * 3, P(3)), {})],
    "neg": [((T(3),), {})],
    "abs": [((T(3),), {})],
    "sign": [((T(3),), {})],
    "pow": [((P(3), T(3)), {}), ((T(3), 3), {})],
    "exp": [((T(3),), {})],
    "exp2": [((T(3),), {})],
    "expm1": [((T(3),), {})],
    "log": [((P(3),), {})],
    "log2": [((P(3),), {})],
    "log10": [((P(3),), {})],
    "log1p": [((P(3),), {})],
    "sqrt": [((P(3),), {})],
    "rsqrt": [((P(3),), {})],
    "reciprocal": [((P(3),), {})],
    "sin": [((T(3),), {})],
    "cos": [((T(3),), {})],
    "tan": [((T(3),), {})],
    "asin": [((T(3) * 0.8,), {})],
    "acos": [((T(3) * 0.8,), {})],
    "atan": [((T(3),), {})],
    "atan2": [((T(3), P(3)), {})],
    "sinh": [((T(3),), {})],
    "cosh": [((T(3),), {})],
    "tanh": [((T(3),), {})],
    "sigmoid": [((T(3),), {})],
    "relu": [((T(4),), {})],
    "erf": [((T(3),), {})],
    "floor": [((T(3) * 3,), {})],
    "ceil": [((T(3) * 3,), {})],
    "round": [((T(3) * 3,), {})],
    "trunc": [((T(3) * 3,), {})],
    "frac": [((T(3) * 3,), {})],
    "clamp": [((T(5), -0.5, 0.5), {}), ((T(4), T(4) * 0.1 - 0.3, T(4) * 0.1 + 0.3), {})],
    "clamp_min": [((T(4), 0.1), {}), ((T(4), T(4)), {})],
    "clamp_max": [((T(4), 0.1), {}), ((T(4), T(4)), {})],
    "maximum": [((T(3), T(3)), {})],
    "minimum": [((T(3), T(3)), {})],
    "where": [((M(True, False, True), T(3), T(3)), {})],
    "lerp": [((T(3), T(3), T(3)), {})],
    "nan_to_num": [((T(3),), {})],
    "expand_reduced": [((T(2), (2, 3), 1, False), {})],
    "sum": [((T(2, 3),), {}), ((T(2, 3), 1, True), {})],
    "sum_to_size": [((T(2, 3), 1, 3), {})],
    "mean": [((T(2, 3), 0), {})],
    "var": [((T(2, 3), 1), {})],
    "std": [((T(2, 3),), {})],
    "prod": [((P(2, 3), 1), {}), ((P(4),), {})],
    "amax": [((T(2, 3), 1), {})],
    "amin": [((T(2, 3), 0), {})],
    "max_all": [((T(2, 3),), {})],
    "min_all": [((T(2, 3),), {})],
    "index_to_dim_backward": [((T(2), I(1, 0), (2, 3), 1, False), {})],
    "gather_dim": [((T(2, 3), I(1, 0), 1, False), {})],
    "max_dim": [((T(2, 3), 1), {})],
    "sort": [((T(2, 3), 1, True), {})],
    "topk": [((T(2, 3), 2), {})],
    "min_dim": [((T(2, 3), 0, True), {})],
    "norm": [((T(2, 3),), {}), ((T(2, 3), 1, 1), {})],
    "logsumexp": [((T(2, 3), 1), {})],
    "cumsum": [((T(2, 3), 1), {})],
    "cumprod": [((P(2, 3), 1), {})],
    "view": [((T(2, 3), 3, 2), {})],
    "reshape": [((T(2, 3), (6,)), {})],
    "squeeze": [((T(2, 1), 1), {})],
    "unsqueeze": [((T(2), 0), {})],
    "permute": [((T(2, 3, 4), (2, 0, 1)), {})],
    "transpose": [((T(2, 3), 0, 1), {})],
    "t": [((T(2, 3),), {})],
    "expand": [((T(3, 1), 3, 2), {})],
    "repeat": [((T(2), 2, 2), {})],
    "flip": [((T(2, 3), (1,)), {})],
    "roll": [((T(4), 1), {})],
    "cat": [(([T(2), T(3)],), {})],
    "stack": [(([T(2), T(2)], 1), {})],
    "split": [((T(5), 2), {})],
    "unbind": [((T(2, 3), 1), {})],
    "narrow": [((T(4, 2), 0, 1, 2), {})],
    "narrow_backward": [((T(2, 2), (4, 2), 0, 1), {})],
    "select": [((T(3, 2), 0, 1), {})],
    "select_backward": [((T(2), (3, 2), 0, 1), {})],
    "clone": [((T(3),), {})],
    "tril": [((T(3, 3),), {})],
    "triu": [((T(3, 3), 1), {})],
    "diag": [((T(3),), {}), ((T(3, 3),), {})],
    "diagonal": [((T(3, 3),), {})],
    "diagonal_backward": [((T(3), (3, 3), 0, 0, 1), {})],
    "movedim": [((T(2, 3, 4), 0, 2), {})],
    "to_dtype": [((T(3), wf.float32), {}), ((T(3), wf.float64), {})],
    "fill": [((T(3), wf.tensor(2.0, dtype=wf.float64)), {})],
    "zero": [((T(3),), {})],
    "copy_from": [((T(2, 3), T(3)), {})],
    # complex-aware ops, on real inputs
    "adjoint": [((T(2, 3),), {})],
    "sgn": [((T(3),), {})],
    "vdot": [((T(3), T(3)), {})],
    "conj": [((T(3),), {})],
    "conj_physical": [((T(3),), {})],
    "resolve_conj": [((T(3),), {})],
    "real": [((T(3),), {})],
    "angle": [((T(3),), {})],
    # nn ops
    "avg_pool2d": [((T(1, 1, 4, 4), 2), {})],
    "avg_pool2d_backward": [((T(1, 1, 2, 2), (1, 1, 4, 4), 2, 2, 0, False, True, None), {})],
    "binary_cross_entropy": [((T(4, lo=0.1, hi=0.9), T(4, lo=0.1, hi=0.9), P(4)), {})],
    "binary_cross_entropy_with_logits": [
        ((T(4), T(4, lo=0.1, hi=0.9), P(4)), {"pos_weight": P(4)})
    ],
    "constant_pad_nd": [((T(2, 3), (1, 2)), {})],
    "conv2d": [((T(1, 2, 4, 4), T(3, 2, 2, 2), T(3)), {"padding": 1})],
    "conv2d_input": [((T(1, 3, 3, 3), T(3, 2, 2, 2), (1, 2, 4, 4), 1, 0, 1, 1), {})],
    "conv2d_weight": [((T(1, 2, 4, 4), T(1, 3, 3, 3), (3, 2, 2, 2), 1, 0, 1, 1), {})],
    "elu": [((T(4),), {})],
    "embedding": [((I(0, 2, 1), T(3, 2)), {})],
    "embedding_backward": [((T(3, 2), I(0, 2, 2), 3), {})],
    "gelu": [((T(4),), {}), ((T(4),), {"approximate": "tanh"})],
    "hardtanh": [((T(4) * 2,), {})],
    "huber_loss": [((T(4) * 2, T(4)), {})],
    "leaky_relu": [((T(4),), {})],
    "linear": [((T(2, 3), T(4, 3), T(4)), {})],
    "max_pool2d": [((T(1, 1, 4, 4), 2), {})],
    "max_pool2d_backward": [((T(1, 1, 2, 2), T(1, 1, 4, 4), 2, 2, 0, 1, False), {})],
    "max_pool2d_select": [((T(1, 1, 4, 4), T(1, 1, 4, 4), 2, 2, 0, 1, False), {})],
    "mse_loss": [((T(2, 3), T(2, 3)), {})],
    "nll_loss": [((T(3, 4), I(0, 3, 1), P(4)), {})],
    "nll_loss_backward": [((T(), I(0, 3, 1), P(4), (3, 4), "mean", -100), {})],
    "silu": [((T(4),), {})],
    "smooth_l1_loss": [((T(4) * 2, T(4)), {})],
    "softplus": [((T(4),), {})],
}


# Ops that only make sense with complex tensors: weifen's forward mode is real-only.
COMPLEX_ONLY = {"complex", "imag", "polar", "view_as_complex", "view_as_real"}


def _diff_ops():
    return sorted(
        n
        for n, op in TABLE.items()
        if op.differentiable and op.node != "NotImplemented" and n not in COMPLEX_ONLY
    )


def test_op_without_derivative_raises_like_torch():
    with fwAD.dual_level():
        d = fwAD.make_dual(wf.tensor([3.0, 5.0]), wf.ones(2))
        with pytest.raises(NotImplementedError) as e:
            wf.floor_divide(d, 2.0)
    assert str(e.value) == (
        "Trying to use forward AD with aten::floor_divide that does not support it."
    )


def test_every_differentiable_op_has_a_sample():
    missing = [n for n in _diff_ops() if n not in SAMPLES]
    assert not missing, f"ops without a forward-AD sample: {missing}"


def _diff_positions(op, args):
    """(position, list index or None) of each float tensor input with a formula."""
    pos = []
    if op.list_input:
        for k, t in enumerate(args[0]):
            if isinstance(t, wf.Tensor) and t.is_floating_point():
                pos.append((0, k))
        return pos
    for j, i in enumerate(op.in_idx):
        if op.formulas[j] is None or i >= len(args):
            continue
        if isinstance(args[i], wf.Tensor) and args[i].is_floating_point():
            pos.append((i, None))
    return pos


def _get(args, p):
    i, k = p
    return args[i][k] if k is not None else args[i]


def _put(args, p, v):
    args = list(args)
    i, k = p
    if k is None:
        args[i] = v
    else:
        lst = list(args[i])
        lst[k] = v
        args[i] = lst
    return args


def _float_outputs(r):
    if isinstance(r, wf.Tensor):
        r = (r,)
    elif hasattr(r, "indices"):
        r = (r[0],)
    return [o for o in r if isinstance(o, wf.Tensor) and o.is_floating_point()]


def _cases():
    for name in _diff_ops():
        for k, s in enumerate(SAMPLES.get(name, [])):
            yield pytest.param(name, s, id=f"{name}-{k}")


def _forward_jvp(op, args, kwargs, tangents, pos):
    with fwAD.dual_level():
        a = list(args)
        for p, t in zip(pos, tangents):
            a = _put(a, p, fwAD.make_dual(_get(a, p), t))
        outs = _float_outputs(op.public(*a, **kwargs))
        return [fwAD.unpack_dual(o).tangent for o in outs], [o.detach() for o in outs]


def _fd_jvp(op, args, kwargs, tangents, pos, eps):
    def at(s):
        a = list(args)
        for p, t in zip(pos, tangents):
            x = _get(a, p)
            a = _put(a, p, x + s * t.to(x.dtype))
        return [o.double() for o in _float_outputs(op.public(*a, **kwargs))]

    hi, lo = at(eps), at(-eps)
    return [(h - lo_) / (2 * eps) for h, lo_ in zip(hi, lo)]


@pytest.mark.parametrize("name,sample", list(_cases()))
def test_jvp_matches_finite_differences(name, sample):
    op = TABLE[name]
    args, kwargs = sample
    pos = _diff_positions(op, args)
    assert pos, name
    tangents = [T(*_get(args, p).shape) for p in pos]
    got, prim = _forward_jvp(op, args, kwargs, tangents, pos)
    # float32 outputs need a larger step to rise above their rounding
    want = _fd_jvp(op, args, kwargs, tangents, pos, 1e-3 if name == "to_dtype" else 1e-6)
    assert len(got) == len(want)
    for g, w, o in zip(got, want, prim):
        assert g is not None, f"{name}: no tangent on the output"
        assert g.shape == o.shape and g.dtype == o.dtype
        atol = 1e-3 if o.dtype == wf.float32 else 1e-6
        np.testing.assert_allclose(g.double().numpy(), w.numpy(), rtol=1e-5, atol=atol)


_NN_INTERNAL = {
    "avg_pool2d_backward", "conv2d_input", "conv2d_weight", "embedding_backward",
    "max_pool2d_backward", "max_pool2d_select", "nll_loss_backward", "constant_pad_nd",
}  # fmt: skip


def _to_torch(torch, x):
    if isinstance(x, wf.Tensor):
        return torch.from_numpy(x.numpy().copy())
    if isinstance(x, list):
        return [_to_torch(torch, v) for v in x]
    if isinstance(x, tuple):
        return tuple(_to_torch(torch, v) for v in x)
    if isinstance(x, dict):
        return {k: _to_torch(torch, v) for k, v in x.items()}
    if isinstance(x, wf.dtype):
        return getattr(torch, x.name)
    return x


TORCH_NAMES = {
    "max_dim": "max",
    "min_dim": "min",
    "to_dtype": "to",
    "einsum_list": None,
    "gelu": "nn.functional.gelu",
    "elu": "nn.functional.elu",
    "hardtanh": "nn.functional.hardtanh",
    "huber_loss": "nn.functional.huber_loss",
    "leaky_relu": "nn.functional.leaky_relu",
    "linear": "nn.functional.linear",
    "mse_loss": "nn.functional.mse_loss",
    "nll_loss": "nn.functional.nll_loss",
    "silu": "nn.functional.silu",
    "smooth_l1_loss": "nn.functional.smooth_l1_loss",
    "softplus": "nn.functional.softplus",
    "binary_cross_entropy": "nn.functional.binary_cross_entropy",
    "binary_cross_entropy_with_logits": "nn.functional.binary_cross_entropy_with_logits",
    "avg_pool2d": "nn.functional.avg_pool2d",
    "max_pool2d": "nn.functional.max_pool2d",
    "conv2d": "nn.functional.conv2d",
    "embedding": "nn.functional.embedding",
}


@pytest.mark.parametrize("name,sample", list(_cases()))
def test_jvp_matches_torch(name, sample):
    torch = pytest.importorskip("torch")
    if name in INTERNAL and name not in TORCH_NAMES or TORCH_NAMES.get(name, 0) is None:
        pytest.skip("internal op")
    tname = TORCH_NAMES.get(name, name)
    if (
        name in INTERNAL
        or (name in _NN_INTERNAL)
        or not (hasattr(torch, tname) or hasattr(torch.Tensor, tname) or "." in tname)
    ):
        pytest.skip("no public torch counterpart")
    fn = torch
    for part in tname.split("."):
        fn = getattr(fn, part, None) or getattr(torch.Tensor, part)
    op = TABLE[name]
    args, kwargs = sample
    pos = _diff_positions(op, args)
    tangents = [T(*_get(args, p).shape) for p in pos]
    got, _ = _forward_jvp(op, args, kwargs, tangents, pos)
    targs = _to_torch(torch, args)
    tkw = _to_torch(torch, kwargs)

    def f(*xs):
        a = targs
        for p, x in zip(pos, xs):
            a = _put(a, p, x)
        r = fn(*a, **tkw)
        if isinstance(r, torch.Tensor):
            r = (r,)
        elif hasattr(r, "indices"):
            r = (r[0],)
        return tuple(o for o in r if o.is_floating_point())

    primals = tuple(_get(targs, p) for p in pos)
    _, want = torch.func.jvp(f, primals, tuple(_to_torch(torch, t) for t in tangents))
    for g, w in zip(got, want):
        np.testing.assert_allclose(g.double().numpy(), w.double().numpy(), rtol=1e-6, atol=1e-6)


# ---- the API ------------------------------------------------------------------------------


def test_make_dual_unpack_dual_and_levels():
    x = wf.tensor([1.0, 2.0], requires_grad=True)
    t = wf.tensor([1.0, 0.5])
    with fwAD.dual_level() as lvl:
        assert lvl == 0
        d = fwAD.make_dual(x, t)
        assert d is not x and d.grad_fn is not None
        y = d.exp() * 2
        u = fwAD.unpack_dual(y)
        assert isinstance(u, fwAD.UnpackedDualTensor) and u._fields == ("primal", "tangent")
        np.testing.assert_allclose(u.tangent.detach().numpy(), 2 * np.exp([1.0, 2.0]) * [1, 0.5])
        # the tangent is differentiable with respect to the primal (reverse over forward)
        assert u.tangent.requires_grad
        (g,) = wf.autograd.grad(u.tangent.sum(), x)
        np.testing.assert_allclose(g.numpy(), 2 * np.exp([1.0, 2.0]) * [1, 0.5])
        assert fwAD.unpack_dual(x).tangent is None
        assert fwAD.unpack_dual(x > 1).tangent is None
    assert fwAD.unpack_dual(y) == (y, None)


def test_errors_match_torch():
    x = wf.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="no level exists, make sure to enter_dual_level"):
        fwAD.make_dual(x, x)
    with fwAD.dual_level():
        with pytest.raises(RuntimeError, match="Nested forward mode AD is not supported"):
            fwAD.enter_dual_level()
        with pytest.raises(RuntimeError) as e:
            fwAD.make_dual(x, wf.ones(3))
        assert str(e.value) == (
            "Trying to set a forward gradient that has a different size than that of the "
            "original Tensor, this is not supported. Tensor is of size [2] while the given "
            "forward gradient is of size [3]."
        )
        with pytest.raises(ValueError, match="Expected primal to be floating point"):
            fwAD.make_dual(wf.tensor([1, 2]), x)
    with pytest.raises(RuntimeError, match="not the last one"):
        fwAD.exit_dual_level(level=3)


def test_inplace_and_composites_and_cleanup():
    with fwAD.dual_level():
        d = fwAD.make_dual(wf.tensor([1.0, 2.0]), wf.tensor([1.0, 0.5]))
        z = d.clone()
        z.mul_(3)
        np.testing.assert_allclose(fwAD.unpack_dual(z).tangent.numpy(), [3.0, 1.5])
        y = d.relu()
        assert fwAD.unpack_dual(y).tangent is not None
        n = len(fwAD._tangents)
        del y, z
        gc.collect()
        assert len(fwAD._tangents) < n  # dead tensors' tangents are dropped
    assert not fwAD._tangents and not fwAD._active[0]


def test_no_tangent_no_cost_outside_level():
    x = wf.tensor([1.0], requires_grad=True)
    y = x * 2
    assert fwAD.unpack_dual(y).tangent is None
    assert not fwAD._active[0]


def test_saved_tensors_hooks_pack_and_unpack():
    from weifen.autograd.forward_ad import save_on_cpu, saved_tensors_hooks

    packed, unpacked = [], []

    def pack(t):
        packed.append(t.shape)
        return ("box", t.detach().clone())

    def unpack(p):
        unpacked.append(p[0])
        return p[1]

    x = wf.tensor([1.0, 2.0, 3.0], requires_grad=True)
    with saved_tensors_hooks(pack, unpack):
        y = (x * x).sin().sum()
    assert packed  # mul saved x (twice), sin saved its input
    y.backward()
    assert unpacked and all(u == "box" for u in unpacked)
    np.testing.assert_allclose(x.grad.numpy(), np.cos(np.array([1, 4, 9.0])) * 2 * [1, 2, 3])
    # double backward through unpacked tensors keeps the graph
    x.grad = None
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        y = (x * x * x).sum()
    (g,) = wf.autograd.grad(y, x, create_graph=True)
    (h,) = wf.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(h.numpy(), [6.0, 12.0, 18.0])
    with save_on_cpu():
        y = (x * 2).exp().sum()
    y.backward()
    # in-place change after saving is still detected
    a = wf.tensor([1.0, 2.0], requires_grad=True)
    with saved_tensors_hooks(lambda t: t, lambda t: t):
        b = a * 1
        c = b * b
    b.add_(1)
    with pytest.raises(RuntimeError, match="modified by an inplace operation"):
        c.sum().backward()


def test_jvp_through_forward_ad_matches_torch_on_a_composite():
    torch = pytest.importorskip("torch")
    xn = R.normal(size=(3, 4))
    wn = R.normal(size=(4, 2))
    tn = R.normal(size=(3, 4))

    def f(m, x, w):
        h = m.tanh(x @ w)
        return (m.softmax(h, 1) * h).sum(0).log1p().exp()

    with fwAD.dual_level():
        d = fwAD.make_dual(wf.tensor(xn), wf.tensor(tn))
        got = fwAD.unpack_dual(f(wf, d, wf.tensor(wn))).tangent
    _, want = torch.func.jvp(
        lambda x: f(torch, x, torch.tensor(wn)), (torch.tensor(xn),), (torch.tensor(tn),)
    )
    np.testing.assert_allclose(got.numpy(), want.numpy(), rtol=1e-10)


def test_declared_jvp_rule_overrides_the_derived_one(monkeypatch):
    calls = []

    def rule(F, t, result):
        calls.append(1)
        return t * result

    monkeypatch.setattr(TABLE["exp"], "jvp", {"self": rule})
    with fwAD.dual_level():
        d = fwAD.make_dual(wf.tensor([0.0, 1.0], dtype=wf.float64), wf.tensor([1.0, 2.0]))
        t = fwAD.unpack_dual(d.exp()).tangent
    assert calls
    np.testing.assert_allclose(t.numpy(), [1.0, 2 * np.e])
