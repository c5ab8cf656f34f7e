"""softmax and log_softmax, numerically stable (the max is subtracted before exp)."""

from __future__ import annotations

import numpy as np

from .._tensor import _wrap_dim
from ._registry import defop


def _softmax_grad(F, g, dim, result):
    return result * (g - F.sum(g * result, dim, True))


def _log_softmax_grad(F, g, dim, result):
    return g - F.exp(result) * F.sum(g, dim, True)


def _dim(dim, ndim):
    if dim is None:
        raise TypeError("softmax() missing required argument 'dim' (weifen requires an explicit dim)")
    return _wrap_dim(dim, ndim)


@defop("SoftmaxBackward0", rule="float", grads={"self": _softmax_grad})
def softmax(self, dim=None, dtype=None):
    """Matches `torch.softmax`."""
    x = self if dtype is None else self.astype(dtype.np)
    if x.ndim == 0:
        return np.ones_like(x)
    d = _dim(dim, x.ndim)
    e = np.exp(x - np.max(x, axis=d, keepdims=True))
    return e / np.sum(e, axis=d, keepdims=True)


@defop("LogSoftmaxBackward0", rule="float", grads={"self": _log_softmax_grad})
def log_softmax(self, dim=None, dtype=None):
    """Matches `torch.log_softmax`."""
    x = self if dtype is None else self.astype(dtype.np)
    if x.ndim == 0:
        return np.zeros_like(x)
    d = _dim(dim, x.ndim)
    s = x - np.max(x, axis=d, keepdims=True)
    return s - np.log(np.sum(np.exp(s), axis=d, keepdims=True))
