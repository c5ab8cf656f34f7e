"""Gradient clipping, in place on `.grad`."""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..._tensor import Tensor, _wrap


def _grads(parameters: Any) -> list[Tensor]:
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    return [p.grad for p in parameters if p.grad is not None]


def clip_grad_norm_(
    parameters: Iterable[Tensor] | Tensor,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Scale all gradients together so that their joint norm is at most max_norm; return
    the norm before clipping. Matches `torch.nn.utils.clip_grad_norm_`."""
    grads = _grads(parameters)
    norm_type = float(norm_type)
    if not grads:
        from ... import _dtype as D

        return _wrap(np.zeros((), np.float32), D.float32)
    dt = grads[0].dtype
    if norm_type == math.inf:
        total = max(float(np.abs(g._data).max()) if g._data.size else 0.0 for g in grads)
    else:
        per = [np.sum(np.abs(g._data.astype(np.float64)) ** norm_type) for g in grads]
        total = float(np.sum(per)) ** (1.0 / norm_type)
    total_t = _wrap(np.asarray(total, dt.np), dt)
    if error_if_nonfinite and not math.isfinite(total):
        raise RuntimeError(
            f"The total norm of order {norm_type} for gradients from `parameters` is "
            "non-finite, so it cannot be clipped. To disable this error and scale the "
            "gradients by the non-finite norm anyway, set `error_if_nonfinite=False`"
        )
    coef = float(max_norm) / (float(np.float32(total)) + 1e-6)
    if coef < 1:
        for g in grads:
            g._data *= np.asarray(coef, g._data.dtype)
            g._version[0] += 1
    return total_t


def clip_grad_norm(
    parameters: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
    foreach: Any = None,
) -> Tensor:
    """Deprecated alias of clip_grad_norm_."""
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(
    parameters: Iterable[Tensor] | Tensor, clip_value: float, foreach: Any = None
) -> None:
    """Clamp every gradient element into [-clip_value, clip_value]. Matches
    `torch.nn.utils.clip_grad_value_`."""
    for g in _grads(parameters):
        np.clip(g._data, -clip_value, clip_value, out=g._data)
        g._version[0] += 1
