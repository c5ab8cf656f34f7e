"""Reductions. `dim` may be an int, a tuple, or None (everything); `keepdim` as PyTorch.

Backward formulas first restore the reduced dims (`expand_reduced`, itself a table op whose
derivative is a sum) and then broadcast, so they serve double backward too.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from .._tensor import _wrap_dim
from ._registry import RAW, defop


def _axes(dim, ndim):
    """NumPy axis argument for a PyTorch `dim` (None, int, or sequence), wrapped and checked."""
    if dim is None:
        return None
    if isinstance(dim, list | tuple):
        if len(dim) == 0:
            return None
        return tuple(_wrap_dim(d, ndim) for d in dim)
    return _wrap_dim(dim, ndim)


def _kept_shape(shape, dim):
    """`shape` with the reduced dims set to 1 (the keepdim=True shape)."""
    axes = _axes(dim, len(shape))
    if axes is None:
        return (1,) * len(shape)
    if isinstance(axes, int):
        axes = (axes,)
    return tuple(1 if i in axes else s for i, s in enumerate(shape))


def _count(shape, dim):
    axes = _axes(dim, len(shape))
    if axes is None:
        return math.prod(shape)
    if isinstance(axes, int):
        axes = (axes,)
    n = 1
    for a in axes:
        n *= shape[a]
    return n


@defop(
    "ExpandBackward0",
    grads={"self": lambda F, g, dim, keepdim: F.sum(g, dim, keepdim)},
    method=False,
)
def expand_reduced(self, shape, dim=None, keepdim=False):
    """The gradient of a reduction, spread back over the reduced dims (a broadcast view)."""
    if dim is None and self.size == 1 and math.prod(shape) <= 4096:
        # small: a filled array costs a tenth of np.broadcast_to's Python-level work
        out = np.empty(shape, self.dtype)
        out[...] = self
        return out
    return np.broadcast_to(self.reshape(_kept_shape(shape, dim)), shape)


def _sum_node(self, dim, keepdim, dtype):
    return "SumBackward0" if dim is None else "SumBackward1"


@defop(
    _sum_node,
    grads={
        "self": lambda F, g, self_shape, dim, keepdim: F.expand_reduced(g, self_shape, dim, keepdim)
    },
)
def sum(self, dim=None, keepdim=False, *, dtype=None):
    """Matches `torch.sum`; integer and bool inputs sum to int64, as PyTorch."""
    npdt = None if dtype is None else dtype.np
    if npdt is None and self.dtype.kind in "biu":
        npdt = np.int64
    # np.add.reduce is what np.sum calls, without its Python-level wrappers
    return np.add.reduce(self, axis=_axes(dim, self.ndim), dtype=npdt, keepdims=keepdim)


def _sum_to_size_node(self, *size):
    # PyTorch's sum_to_size is sum(keepdim=True) then, when dims were dropped, a view: the
    # node users see is the last of those
    if len(size) == 1 and isinstance(size[0], list | tuple):
        size = tuple(size[0])
    return "ViewBackward0" if len(size) < self.ndim else "SumBackward1"


@defop(_sum_to_size_node, grads={"self": lambda F, g, self_shape: F.expand(g, self_shape)})
def sum_to_size(self, *size):
    """Matches `torch.Tensor.sum_to_size`."""
    if len(size) == 1 and isinstance(size[0], list | tuple):
        size = tuple(size[0])
    lead = self.ndim - len(size)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(size) if s == 1 and self.shape[lead + i] != 1
    )
    out = np.sum(self, axis=axes, keepdims=True) if axes else self
    return out.reshape(size)


def _mean_check(self, dtype):
    if dtype is None and self.dtype.kind not in "fc":
        name = {"i": "Long", "u": "Byte", "b": "Bool"}[self.dtype.kind]
        if self.dtype == np.int32:
            name = "Int"
        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {name}"
        )


def _mean_grad(F, g, self_shape, dim, keepdim):
    if dim is None and F is RAW and g.size == 1:
        n = math.prod(self_shape)
        if n <= 65536:  # a small full-reduction gradient: filled, cheaper than a broadcast view
            v = g / n
            out = np.empty(self_shape, v.dtype)
            out[...] = v
            return out
    return F.expand_reduced(g / _count(self_shape, dim), self_shape, dim, keepdim)


@defop(
    lambda self, dim, keepdim, dtype: "MeanBackward0" if dim is None else "MeanBackward1",
    grads={"self": _mean_grad},
)
def mean(self, dim=None, keepdim=False, *, dtype=None):
    """Matches `torch.mean`."""
    _mean_check(self, dtype)
    if self.size == 0:  # np.mean warns "Mean of empty slice"; PyTorch quietly gives nan
        n = _count(self.shape, dim)
        s = np.sum(self, axis=_axes(dim, self.ndim), keepdims=keepdim)
        out = s / n if n else s * np.nan
        return np.asarray(out).astype(self.dtype if dtype is None else dtype.np)
    npdt = self.dtype if dtype is None else dtype.np
    out = self.mean(
        axis=_axes(dim, self.ndim), keepdims=keepdim, dtype=None if dtype is None else npdt
    )
    return np.asarray(out).astype(npdt, copy=False)


def _real_dtype(a):
    """The dtype of |a|: complex64 -> float32, complex128 -> float64, real dtypes unchanged."""
    return a.real.dtype if a.dtype.kind == "c" else a.dtype


def _correction(unbiased, correction):
    if correction is not None:
        return correction
    return 1 if unbiased is None or unbiased else 0


def _var_grad(F, g, self, dim, unbiased, keepdim, correction):
    c = _correction(unbiased, correction)
    n = _count(self.shape, dim)
    centered = self - F.mean(self, dim, True)
    return F.expand_reduced(g, self.shape, dim, keepdim) * centered * (2.0 / max(n - c, 0))


def _std_grad(F, g, self, dim, unbiased, keepdim, correction, result):
    c = _correction(unbiased, correction)
    n = _count(self.shape, dim)
    centered = self - F.mean(self, dim, True)
    gr = F.expand_reduced(g / result, self.shape, dim, keepdim)
    return gr * centered * (1.0 / max(n - c, 0))


def _float_only(message):
    """A dtype rule refusing integer inputs (PyTorch does not promote them for these ops)."""

    def rule(self, *args, **kwargs):
        if self.dtype._category < D._FLOAT:
            from ._dispatch import _TYPE_NAMES

            raise RuntimeError(message.format(_TYPE_NAMES[self.dtype.name]))
        return "float"

    return rule


_var_rule = _float_only("std and var only support floating point and complex dtypes")


@defop("VarBackward0", rule=_var_rule, grads={"self": _var_grad})
def var(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Matches `torch.var` (`correction` or the older `unbiased`)."""
    c = _correction(unbiased, correction)
    out = np.var(self, axis=_axes(dim, self.ndim), ddof=c, keepdims=keepdim)
    return np.asarray(out).astype(_real_dtype(self), copy=False)


@defop("StdBackward0", rule=_var_rule, grads={"self": _std_grad})
def std(self, dim=None, unbiased=None, keepdim=False, *, correction=None):
    """Matches `torch.std`."""
    c = _correction(unbiased, correction)
    out = np.std(self, axis=_axes(dim, self.ndim), ddof=c, keepdims=keepdim)
    return np.asarray(out).astype(_real_dtype(self), copy=False)


def _prod_grad(F, g, self, dim, keepdim, result):
    gx = F.expand_reduced(g, self.shape, dim, keepdim)
    rx = F.expand_reduced(result, self.shape, dim, keepdim)
    if isinstance(self, np.ndarray):
        if not (self == 0).any():
            return gx * F.conj(rx / self)
        return gx * F.conj(_prod_others(self, dim))
    if not bool((self == 0).any()):
        return gx * F.conj(rx / self)
    raise NotImplementedError(
        "weifen: double backward of prod() through an input containing zeros is not implemented"
    )


def _prod_others(a, dim):
    """For every element, the product of the others along `dim` (exact with zeros)."""
    if dim is None:
        flat = a.reshape(-1)
        return _prod_others(flat, 0).reshape(a.shape)
    ax = _wrap_dim(dim, a.ndim)
    m = np.moveaxis(a, ax, -1)
    ones = np.ones(m.shape[:-1] + (1,), m.dtype)
    left = np.cumprod(np.concatenate([ones, m[..., :-1]], -1), -1)
    right = np.flip(np.cumprod(np.flip(np.concatenate([m[..., 1:], ones], -1), -1), -1), -1)
    return np.moveaxis(left * right, -1, ax)


@defop(
    lambda self, dim, keepdim, dtype: "ProdBackward0" if dim is None else "ProdBackward1",
    grads={"self": _prod_grad},
)
def prod(self, dim=None, keepdim=False, *, dtype=None):
    """Matches `torch.prod`."""
    npdt = None if dtype is None else dtype.np
    if npdt is None and self.dtype.kind in "biu":
        npdt = np.int64
    return np.prod(self, axis=_axes(dim, self.ndim), keepdims=keepdim, dtype=npdt)


def _spread_ties(F, g, self, result, dim, keepdim):
    # The gradient of max/min/amax/amin is shared equally among tied extrema (PyTorch).
    mask = self == F.expand_reduced(result, self.shape, dim, keepdim)
    count = F.sum(mask, dim, True)
    return F.where(mask, F.expand_reduced(g, self.shape, dim, keepdim) / count, 0.0)


def _empty_check(self, name, dim):
    if self.size == 0 and (
        dim is None
        or self.shape[_wrap_dim(dim if isinstance(dim, int) else dim[0], self.ndim)] == 0
    ):
        raise RuntimeError(
            f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
            "the reduction dim with the 'dim' argument."
        )


@defop(
    "AmaxBackward0",
    grads={
        "self": lambda F, g, self, result, dim, keepdim: _spread_ties(
            F, g, self, result, dim, keepdim
        )
    },
)
def amax(self, dim=(), keepdim=False):
    """Matches `torch.amax`."""
    return np.amax(self, axis=_axes(dim, self.ndim), keepdims=keepdim)


@defop(
    "AminBackward0",
    grads={
        "self": lambda F, g, self, result, dim, keepdim: _spread_ties(
            F, g, self, result, dim, keepdim
        )
    },
)
def amin(self, dim=(), keepdim=False):
    """Matches `torch.amin`."""
    return np.amin(self, axis=_axes(dim, self.ndim), keepdims=keepdim)


@defop(
    "MaxBackward1",
    grads={"self": lambda F, g, self, result: _spread_ties(F, g, self, result, None, False)},
    method=False,
)
def max_all(self):
    """The maximum of all elements."""
    if self.size == 0:
        raise RuntimeError(
            "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
            "reduction dim with the 'dim' argument."
        )
    return np.max(self)


@defop(
    "MinBackward1",
    grads={"self": lambda F, g, self, result: _spread_ties(F, g, self, result, None, False)},
    method=False,
)
def min_all(self):
    """The minimum of all elements."""
    if self.size == 0:
        raise RuntimeError(
            "min(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
            "reduction dim with the 'dim' argument."
        )
    return np.min(self)


def _select_grad(F, g, self, dim, keepdim, arg):
    # max/min along a dim: the gradient goes to the chosen index only (PyTorch's
    # value_selecting_reduction_backward). The indices are recomputed from self with the
    # forward's own argmax/argmin (same ties, same choice) because the node keeps only the
    # values output as `result`. They are constants: taken from the raw array.
    raw = getattr(self, "_data", self)
    if raw.ndim == 0:
        return g  # max of a 0-d tensor along dim 0 is the tensor itself
    indices = _argext(arg, raw, dim, keepdim).astype(np.int64)
    return F.index_to_dim_backward(g, indices, raw.shape, dim, keepdim)


@defop(
    "IndexToDimBackward0",
    grads={"self": lambda F, g, indices, dim, keepdim: F.gather_dim(g, indices, dim, keepdim)},
    method=False,
)
def index_to_dim_backward(self, indices, shape, dim, keepdim):
    """Zeros of `shape` with `self` placed at `indices` along `dim`."""
    ax = _wrap_dim(dim, len(shape))
    out = np.zeros(shape, self.dtype)
    v = self if keepdim else np.expand_dims(self, ax)
    i = indices if keepdim else np.expand_dims(indices, ax)
    np.put_along_axis(out, i, v, ax)
    return out


@defop(
    "GatherDimBackward0",
    grads={
        "self": lambda F, g, self_shape, indices, dim, keepdim: F.index_to_dim_backward(
            g, indices, self_shape, dim, keepdim
        )
    },
    method=False,
)
def gather_dim(self, indices, dim, keepdim):
    """The elements of `self` at `indices` along `dim` (the inverse of index_to_dim_backward)."""
    ax = _wrap_dim(dim, self.ndim)
    i = indices if keepdim else np.expand_dims(indices, ax)
    out = np.take_along_axis(self, i, ax)
    return out if keepdim else np.squeeze(out, ax)


def _argext(fn, self, dim, keepdim):
    if dim is None:
        out = fn(self.reshape(-1))
        return np.asarray(out).reshape((1,) * self.ndim) if keepdim else np.asarray(out)
    return fn(self, axis=_wrap_dim(dim, self.ndim), keepdims=keepdim)


@defop(
    "MaxBackward0",
    grads={
        "self": lambda F, g, self, dim, keepdim: _select_grad(F, g, self, dim, keepdim, np.argmax)
    },
    outputs="max",
    method=False,
)
def max_dim(self, dim, keepdim=False):
    """(values, indices) of the maximum along `dim`."""
    if self.ndim and self.shape[_wrap_dim(dim, self.ndim)] == 0:
        raise IndexError("max(): Expected reduction dim 0 to have non-zero size.")
    idx = _argext(np.argmax, self, dim, keepdim)
    ax = _wrap_dim(dim, self.ndim)
    if self.ndim == 0:
        return self.copy(), np.zeros((), np.int64)
    vals = np.take_along_axis(self, idx if keepdim else np.expand_dims(idx, ax), ax)
    return (vals if keepdim else np.squeeze(vals, ax)), idx.astype(np.int64)


@defop(
    "MinBackward0",
    grads={
        "self": lambda F, g, self, dim, keepdim: _select_grad(F, g, self, dim, keepdim, np.argmin)
    },
    outputs="min",
    method=False,
)
def min_dim(self, dim, keepdim=False):
    """(values, indices) of the minimum along `dim`."""
    if self.ndim and self.shape[_wrap_dim(dim, self.ndim)] == 0:
        raise IndexError("min(): Expected reduction dim 0 to have non-zero size.")
    idx = _argext(np.argmin, self, dim, keepdim)
    ax = _wrap_dim(dim, self.ndim)
    if self.ndim == 0:
        return self.copy(), np.zeros((), np.int64)
    vals = np.take_along_axis(self, idx if keepdim else np.expand_dims(idx, ax), ax)
    return (vals if keepdim else np.squeeze(vals, ax)), idx.astype(np.int64)


@defop(None)
def argmax(self, dim=None, keepdim=False):
    """Matches `torch.argmax`."""
    return _argext(np.argmax, self, dim, keepdim).astype(np.int64)


@defop(None)
def argmin(self, dim=None, keepdim=False):
    """Matches `torch.argmin`."""
    return _argext(np.argmin, self, dim, keepdim).astype(np.int64)


@defop(None)
def all(self, dim=None, keepdim=False):
    """Matches `torch.all` (uint8 in, uint8 out: a PyTorch quirk kept for compatibility)."""
    out = np.all(self, axis=_axes(dim, self.ndim), keepdims=keepdim)
    return np.asarray(out).astype(np.uint8) if self.dtype == np.uint8 else out


@defop(None)
def any(self, dim=None, keepdim=False):
    """Matches `torch.any` (uint8 in, uint8 out, as `torch.all`)."""
    out = np.any(self, axis=_axes(dim, self.ndim), keepdims=keepdim)
    return np.asarray(out).astype(np.uint8) if self.dtype == np.uint8 else out


def _norm_grad(F, g, self, p, dim, keepdim, result):
    gx = F.expand_reduced(g, self.shape, dim, keepdim)
    rx = F.expand_reduced(result, self.shape, dim, keepdim)
    if p in (2, 2.0, "fro", None):
        # at a zero norm PyTorch's subgradient is 0, not NaN
        return F.where(rx == 0, 0.0, gx * self / rx)
    if p in (1, 1.0):
        return gx * F.sgn(self)
    if p in (float("inf"), "inf"):
        return _spread_ties(F, g, F.abs(self), result, dim, keepdim) * F.sgn(self)
    if p == 0:
        return F.zeros_grad(self)
    a = F.abs(self)
    return F.where(rx == 0, 0.0, gx * F.sgn(self) * a ** (p - 1) / rx ** (p - 1))


_norm_rule = _float_only(
    "linalg.vector_norm: Expected a floating point or complex tensor as input. Got {}"
)


@defop("LinalgVectorNormBackward0", rule=_norm_rule, grads={"self": _norm_grad})
def norm(self, p="fro", dim=None, keepdim=False, dtype=None):
    """Vector p-norm over `dim` (all elements by default). Matches `torch.norm`."""
    if dim is None and dtype is None and p in ("fro", None, 2, 2.0) and self.dtype.kind == "f":
        flat = self.reshape(-1)  # the common case in two NumPy calls (a BLAS dot)
        return np.sqrt(np.dot(flat, flat))
    ax = _axes(dim, self.ndim)
    a = np.abs(self)
    if p in ("fro", None, 2, 2.0):
        out = np.sqrt(np.sum(a * a, axis=ax, keepdims=keepdim))
    elif p in (float("inf"), "inf"):
        out = np.max(a, axis=ax, keepdims=keepdim)
    elif p == float("-inf"):
        out = np.min(a, axis=ax, keepdims=keepdim)
    elif p == 0:
        out = np.sum(a != 0, axis=ax, keepdims=keepdim).astype(self.dtype)
    elif p in (1, 1.0):
        out = np.sum(a, axis=ax, keepdims=keepdim)
    else:
        out = np.sum(a**p, axis=ax, keepdims=keepdim) ** (1.0 / p)
    return np.asarray(out).astype(_real_dtype(self) if dtype is None else dtype.np, copy=False)


@defop(
    "LogsumexpBackward0",
    rule="float",
    grads={
        "self": lambda F, g, self, dim, keepdim, result: (
            F.expand_reduced(g, self.shape, dim, keepdim)
            * F.conj(F.exp(self - F.expand_reduced(result, self.shape, dim, keepdim)))
        )
    },
)
def logsumexp(self, dim, keepdim=False):
    """log(sum(exp(x))) without overflow. Matches `torch.logsumexp`."""
    ax = _axes(dim, self.ndim)
    # the shift is the largest real part (a complex input shifts by a real number)
    r = self.real if self.dtype.kind == "c" else self
    m = (
        np.max(r, axis=ax, keepdims=True)
        if self.size
        else np.zeros(_kept_shape(self.shape, dim), r.dtype)
    )
    m = np.where(np.isfinite(m), m, 0)
    out = np.log(np.sum(np.exp(self - m), axis=ax, keepdims=True)) + m
    return out if keepdim else np.squeeze(out, axis=ax)


def _cumsum_grad(F, g, dim):
    if g.ndim == 0:  # a 0-d cumsum is the identity (and flip has no dim 0 to flip)
        return g
    return F.flip(F.cumsum(F.flip(g, (dim,)), dim), (dim,))


@defop("CumsumBackward0", grads={"self": _cumsum_grad})
def cumsum(self, dim, *, dtype=None):
    """Matches `torch.cumsum`."""
    npdt = None if dtype is None else dtype.np
    if npdt is None and self.dtype.kind in "biu":
        npdt = np.int64
    if self.ndim == 0:
        return self.astype(npdt or self.dtype, copy=True)
    return np.cumsum(self, axis=_wrap_dim(dim, self.ndim), dtype=npdt)


def _cumprod_grad(F, g, self, dim, result):
    if isinstance(self, np.ndarray):
        if not (self == 0).any():
            return _cumsum_grad(F, g * F.conj(result), dim) / F.conj(self)
        return _cumprod_grad_exact(g, F.conj(self), dim)
    if not bool((self == 0).any()):
        return _cumsum_grad(F, g * F.conj(result), dim) / F.conj(self)
    raise NotImplementedError(
        "weifen: double backward of cumprod() through an input containing zeros is not implemented"
    )


def _cumprod_grad_exact(g, a, dim):
    # O(n^2) along dim, exact when a contains zeros: d out_j / d a_i = prod_{k<=j, k!=i} a_k
    ax = _wrap_dim(dim, a.ndim) if a.ndim else 0
    am = np.moveaxis(np.atleast_1d(a), ax, -1)
    gm = np.moveaxis(np.atleast_1d(g), ax, -1)
    n = am.shape[-1]
    out = np.zeros_like(am)
    for i in range(n):
        b = am.copy()
        b[..., i] = 1
        cp = np.cumprod(b, -1)
        out[..., i] = np.sum(gm[..., i:] * cp[..., i:], -1)
    return np.moveaxis(out, -1, ax).reshape(a.shape)


@defop("CumprodBackward0", grads={"self": _cumprod_grad})
def cumprod(self, dim, *, dtype=None):
    """Matches `torch.cumprod`."""
    npdt = None if dtype is None else dtype.np
    if npdt is None and self.dtype.kind in "biu":
        npdt = np.int64
    if self.ndim == 0:
        return self.astype(npdt or self.dtype, copy=True)
    return np.cumprod(self, axis=_wrap_dim(dim, self.ndim), dtype=npdt)


# ---- sorting: values are differentiable, indices are not ---------------------------------


def sort_indices(a, dim, descending):
    """Indices that sort `a` along `dim`; ties keep their original order either way."""
    a = np.asarray(a)
    if a.ndim == 0:
        return np.zeros((), np.int64)
    ax = _wrap_dim(dim, a.ndim)
    if not descending:
        return np.argsort(a, axis=ax, kind="stable").astype(np.int64)
    n = a.shape[ax]
    flipped = np.argsort(np.flip(a, ax), axis=ax, kind="stable")
    return (n - 1 - np.flip(flipped, ax)).astype(np.int64)


def _topk_indices(a, k, dim, largest):
    idx = sort_indices(a, dim, largest)
    if idx.ndim:
        idx = np.take(idx, np.arange(k), axis=_wrap_dim(dim, idx.ndim))
    return idx


def _place_back(F, g, idx, self_shape, dim):
    # the gradient of a selection along dim goes back to the selected positions
    if len(self_shape) == 0:
        return g
    return F.index_to_dim_backward(g, idx, self_shape, dim, True)


@defop(
    "SortBackward0",
    grads={
        "self": lambda F, g, self, self_shape, dim, descending: _place_back(
            F, g, sort_indices(self, dim, descending), self_shape, dim
        )
    },
    outputs="sort",
)
def sort(self, dim=-1, descending=False, stable=False):
    """Matches `torch.sort`: (values, indices); ties keep their original order."""
    idx = sort_indices(self, dim, descending)
    if self.ndim == 0:
        return self.copy(), idx
    return np.take_along_axis(self, idx, _wrap_dim(dim, self.ndim)), idx


@defop(
    "TopkBackward0",
    grads={
        "self": lambda F, g, self, self_shape, k, dim, largest: _place_back(
            F, g, _topk_indices(self, k, dim, largest), self_shape, dim
        )
    },
    outputs="topk",
)
def topk(self, k, dim=-1, largest=True, sorted=True):
    """Matches `torch.topk` (ties keep their original order)."""
    n = self.shape[_wrap_dim(dim, self.ndim)] if self.ndim else 1
    if not 0 <= k <= n:
        raise RuntimeError("selected index k out of range")
    idx = _topk_indices(self, k, dim, largest)
    if self.ndim == 0:
        return self.copy(), idx
    return np.take_along_axis(self, idx, _wrap_dim(dim, self.ndim)), idx
