"""softmax and log_softmax, numerically stable (the max is subtracted before exp)."""

from __future__ import annotations

import numpy as np

from .._tensor import _wrap_dim
from ._registry import RAW, defop


def _softmax_grad(F, g, dim, result):
    return result * (g - F.sum(g * result, dim, True))


def _log_softmax_grad(F, g, dim, result):
    if F is RAW and result.ndim and g.dtype is result.dtype:
        # the plain backward: the same arithmetic, in one buffer
        e = np.exp(result)
        e *= np.add.reduce(g, axis=dim, keepdims=True)
        return np.subtract(g, e, out=e)
    return g - F.exp(result) * F.sum(g, dim, True)


def _dim(dim, ndim):
    if dim is None:
        raise TypeError(
            "softmax() missing required argument 'dim' (weifen requires an explicit dim)"
        )
    return _wrap_dim(dim, ndim)


def _int_check(name):
    """PyTorch has no integer softmax kernels (it does not promote as for exp): a dtype rule
    that refuses integer inputs before dispatch converts them, then promotes to float."""

    def rule(self, dim=None, dtype=None):
        if dtype is None and not self.dtype.is_floating_point and not self.dtype.is_complex:
            from ._dispatch import _TYPE_NAMES

            nd = self.ndim
            last = nd == 0 or dim is None or _wrap_dim(dim, nd) == nd - 1
            kernel = f"{name}_lastdim_kernel_impl" if last else f"{name}_kernel_impl"
            raise NotImplementedError(
                f"\"{kernel}\" not implemented for '{_TYPE_NAMES[self.dtype.name]}'"
            )
        return "float"

    return rule


@defop("SoftmaxBackward0", rule=_int_check("softmax"), grads={"self": _softmax_grad})
def softmax(self, dim=None, dtype=None):
    """Matches `torch.softmax`."""
    x = self if dtype is None else self.astype(dtype.np)
    if x.ndim == 0:
        return np.ones_like(x)
    d = _dim(dim, x.ndim)
    e = np.exp(x - np.max(x, axis=d, keepdims=True))
    return e / np.sum(e, axis=d, keepdims=True)


@defop("LogSoftmaxBackward0", rule=_int_check("log_softmax"), grads={"self": _log_softmax_grad})
def log_softmax(self, dim=None, dtype=None):
    """Matches `torch.log_softmax`."""
    x = self if dtype is None else self.astype(dtype.np)
    if x.ndim == 0:
        return np.zeros_like(x)
    d = _dim(dim, x.ndim)
    s = x - np.maximum.reduce(x, axis=d, keepdims=True)
    lse = np.add.reduce(np.exp(s), axis=d, keepdims=True)
    np.log(lse, out=lse)
    s -= lse  # s is this op's own buffer
    return s
