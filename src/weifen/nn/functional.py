"""`torch.nn.functional`: the stateless forms of the layers and losses.

Ops with their own derivative live in the table (`weifen.ops.nn_ops`); the rest are made of
table ops here, so autograd needs nothing more.
"""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator,index,assignment,union-attr"

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .. import _random
from .._tensor import Tensor, _wrap
from ..ops import activation as _act
from ..ops import nn_ops as _ops
from ..ops import pointwise as _pw
from ..ops import shape as _shape

__all__ = [
    "linear",
    "conv1d",
    "conv2d",
    "max_pool1d",
    "max_pool2d",
    "avg_pool1d",
    "avg_pool2d",
    "adaptive_avg_pool1d",
    "adaptive_avg_pool2d",
    "adaptive_max_pool2d",
    "relu",
    "relu_",
    "relu6",
    "elu",
    "selu",
    "gelu",
    "silu",
    "mish",
    "leaky_relu",
    "sigmoid",
    "tanh",
    "softmax",
    "log_softmax",
    "softmin",
    "softplus",
    "hardtanh",
    "logsigmoid",
    "glu",
    "dropout",
    "dropout1d",
    "dropout2d",
    "batch_norm",
    "layer_norm",
    "embedding",
    "one_hot",
    "pad",
    "normalize",
    "cosine_similarity",
    "mse_loss",
    "l1_loss",
    "smooth_l1_loss",
    "huber_loss",
    "cross_entropy",
    "nll_loss",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "kl_div",
    "flatten",
    "unfold",
]

flatten = _shape.flatten


def _reduction(size_average: Any, reduce: Any, reduction: str) -> str:
    if size_average is None and reduce is None:
        return reduction
    size_average = True if size_average is None else size_average
    reduce = True if reduce is None else reduce
    r = "none" if not reduce else ("mean" if size_average else "sum")
    warnings.warn(
        f"size_average and reduce args will be deprecated, please use reduction='{r}' instead.",
        UserWarning,
        stacklevel=3,
    )
    return r


def _check_reduction(reduction: str) -> None:
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")


def _warn_size(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(
            f"Using a target size ({target.shape}) that is different to the input size "
            f"({input.shape}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.",
            UserWarning,
            stacklevel=3,
        )


# ---- linear and convolution ---------------------------------------------------------------


def linear(input: Tensor, weight: Tensor, bias: Tensor | None = None) -> Tensor:
    """Matches `torch.nn.functional.linear`."""
    return _ops.linear(input, weight, bias)


def conv2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """Matches `torch.nn.functional.conv2d` (batched or unbatched input)."""
    if input.ndim == 3:
        return _ops.conv2d(
            input.unsqueeze(0), weight, bias, stride, padding, dilation, groups
        ).squeeze(0)
    return _ops.conv2d(input, weight, bias, stride, padding, dilation, groups)


def _one(v: Any) -> int:
    return int(v if isinstance(v, int | np.integer) else v[0])


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: Any = 1,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> Tensor:
    """Matches `torch.nn.functional.conv1d` (a conv2d over a height of one)."""
    unbatched = input.ndim == 2
    x = input.unsqueeze(0) if unbatched else input
    pad = padding if isinstance(padding, str) else (0, _one(padding))
    out = _ops.conv2d(
        x.unsqueeze(2),
        weight.unsqueeze(2),
        bias,
        (1, _one(stride)),
        pad,
        (1, _one(dilation)),
        groups,
    ).squeeze(2)
    return out.squeeze(0) if unbatched else out


def max_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Matches `torch.nn.functional.max_pool2d`."""
    out = _ops.max_pool2d(input, kernel_size, stride, padding, dilation, ceil_mode)
    if return_indices:
        return out, _ops.max_pool2d_indices(
            input, kernel_size, stride, padding, dilation, ceil_mode
        )
    return out


def max_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    dilation: Any = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> Any:
    """Matches `torch.nn.functional.max_pool1d`."""
    s = _one(kernel_size) if stride in (None, (), []) else _one(stride)
    out = _ops.max_pool2d(
        input.unsqueeze(-2),
        (1, _one(kernel_size)),
        (1, s),
        (0, _one(padding)),
        (1, _one(dilation)),
        ceil_mode,
    ).squeeze(-2)
    if return_indices:
        idx = _ops.max_pool2d_indices(
            input.unsqueeze(-2),
            (1, _one(kernel_size)),
            (1, s),
            (0, _one(padding)),
            (1, _one(dilation)),
            ceil_mode,
        )
        return out, idx.squeeze(-2)
    return out


def avg_pool2d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> Tensor:
    """Matches `torch.nn.functional.avg_pool2d`."""
    return _ops.avg_pool2d(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def avg_pool1d(
    input: Tensor,
    kernel_size: Any,
    stride: Any = None,
    padding: Any = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> Tensor:
    """Matches `torch.nn.functional.avg_pool1d`."""
    s = _one(kernel_size) if stride in (None, (), []) else _one(stride)
    return _ops.avg_pool2d(
        input.unsqueeze(-2),
        (1, _one(kernel_size)),
        (1, s),
        (0, _one(padding)),
        ceil_mode,
        count_include_pad,
    ).squeeze(-2)


def _adaptive_sizes(input: Tensor, output_size: Any) -> tuple[int, int]:
    if isinstance(output_size, int):
        output_size = (output_size, output_size)
    h, w = input.shape[-2:]
    oh = h if output_size[0] is None else int(output_size[0])
    ow = w if output_size[1] is None else int(output_size[1])
    return oh, ow


def _adaptive(input: Tensor, oh: int, ow: int, reduce: Any) -> Tensor:
    # general (non-divisible) sizes: PyTorch's windows [floor(i*H/oh), ceil((i+1)*H/oh))
    h, w = input.shape[-2:]
    rows = []
    for i in range(oh):
        h0, h1 = (i * h) // oh, -(-((i + 1) * h) // oh)
        cols = []
        for j in range(ow):
            w0, w1 = (j * w) // ow, -(-((j + 1) * w) // ow)
            cols.append(reduce(input[..., h0:h1, w0:w1]))
        rows.append(_shape.stack(cols, -1))
    return _shape.stack(rows, -2)


def adaptive_avg_pool2d(input: Tensor, output_size: Any) -> Tensor:
    """Matches `torch.nn.functional.adaptive_avg_pool2d`."""
    oh, ow = _adaptive_sizes(input, output_size)
    h, w = input.shape[-2:]
    if oh == 1 and ow == 1:
        return input.mean((-2, -1), keepdim=True)
    if h % oh == 0 and w % ow == 0:
        return _ops.avg_pool2d(input, (h // oh, w // ow), (h // oh, w // ow))
    return _adaptive(input, oh, ow, lambda t: t.mean((-2, -1)))


def adaptive_avg_pool1d(input: Tensor, output_size: Any) -> Tensor:
    """Matches `torch.nn.functional.adaptive_avg_pool1d`."""
    return adaptive_avg_pool2d(input.unsqueeze(-2), (1, _one(output_size))).squeeze(-2)


def adaptive_max_pool2d(input: Tensor, output_size: Any, return_indices: bool = False) -> Any:
    """Matches `torch.nn.functional.adaptive_max_pool2d` (return_indices not supported)."""
    if return_indices:
        raise NotImplementedError("weifen: adaptive_max_pool2d(return_indices=True)")
    oh, ow = _adaptive_sizes(input, output_size)
    h, w = input.shape[-2:]
    if h % oh == 0 and w % ow == 0:
        return _ops.max_pool2d(input, (h // oh, w // ow), (h // oh, w // ow))
    return _adaptive(input, oh, ow, lambda t: t.amax((-2, -1)))


def unfold(
    input: Tensor, kernel_size: Any, dilation: Any = 1, padding: Any = 0, stride: Any = 1
) -> Tensor:
    """Matches `torch.nn.functional.unfold` (im2col), as a convolution with one-hot
    kernels so that it is differentiable."""
    kh, kw = _ops._pair(kernel_size)
    c = input.shape[1]
    eye = np.eye(c * kh * kw, dtype=input.dtype.np).reshape(c * kh * kw, c, kh, kw)
    out = _ops.conv2d(input, _wrap(eye, input.dtype), None, stride, padding, dilation)
    return out.reshape(out.shape[0], out.shape[1], -1)


# ---- activations --------------------------------------------------------------------------


def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.relu`."""
    return input.relu_() if inplace else _pw.relu(input)  # type: ignore[attr-defined]


def relu_(input: Tensor) -> Tensor:
    return input.relu_()  # type: ignore[attr-defined]


def relu6(input: Tensor, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.relu6`."""
    return hardtanh(input, 0.0, 6.0, inplace)


def hardtanh(
    input: Tensor, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False
) -> Tensor:
    """Matches `torch.nn.functional.hardtanh`."""
    out = _ops.hardtanh(input, min_val, max_val)
    return input.copy_(out) if inplace else out  # type: ignore[attr-defined]


def elu(input: Tensor, alpha: float = 1.0, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.elu`."""
    out = _ops.elu(input, alpha)
    return input.copy_(out) if inplace else out  # type: ignore[attr-defined]


def selu(input: Tensor, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.selu`."""
    alpha, scale = 1.6732632423543772848170429916717, 1.0507009873554804934193349852946
    return _ops.elu(input, alpha) * scale


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """Matches `torch.nn.functional.gelu`."""
    return _ops.gelu(input, approximate)


def silu(input: Tensor, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.silu`."""
    return _ops.silu(input)


def mish(input: Tensor, inplace: bool = False) -> Tensor:
    """x * tanh(softplus(x)). Matches `torch.nn.functional.mish`."""
    return input * _pw.tanh(_ops.softplus(input))


def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.leaky_relu`."""
    out = _ops.leaky_relu(input, negative_slope)
    return input.copy_(out) if inplace else out  # type: ignore[attr-defined]


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Matches `torch.nn.functional.softplus`."""
    return _ops.softplus(input, beta, threshold)


def logsigmoid(input: Tensor) -> Tensor:
    """Matches `torch.nn.functional.logsigmoid`."""
    return -_ops.softplus(-input)


def glu(input: Tensor, dim: int = -1) -> Tensor:
    """Matches `torch.nn.functional.glu`."""
    a, b = input.chunk(2, dim)  # type: ignore[attr-defined]
    return a * _pw.sigmoid(b)


def sigmoid(input: Tensor) -> Tensor:
    """Matches `torch.nn.functional.sigmoid`."""
    return _pw.sigmoid(input)


def tanh(input: Tensor) -> Tensor:
    """Matches `torch.nn.functional.tanh`."""
    return _pw.tanh(input)


def _softmax_dim(name: str, ndim: int, stacklevel: int) -> int:
    warnings.warn(
        f"Implicit dimension choice for {name} has been deprecated. Change the call to include "
        "dim=X as an argument.",
        UserWarning,
        stacklevel=stacklevel,
    )
    return 0 if ndim in (0, 1, 3) else 1


def softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """Matches `torch.nn.functional.softmax`."""
    if dim is None:
        dim = _softmax_dim("softmax", input.ndim, _stacklevel)
    return _act.softmax(input, dim, dtype)


def softmin(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """Matches `torch.nn.functional.softmin`."""
    if dim is None:
        dim = _softmax_dim("softmin", input.ndim, _stacklevel)
    return _act.softmax(-input, dim, dtype)


def log_softmax(
    input: Tensor, dim: int | None = None, _stacklevel: int = 3, dtype: Any = None
) -> Tensor:
    """Matches `torch.nn.functional.log_softmax`."""
    if dim is None:
        dim = _softmax_dim("log_softmax", input.ndim, _stacklevel)
    return _act.log_softmax(input, dim, dtype)


# ---- dropout and normalisation ------------------------------------------------------------


def _dropout_mask(input: Tensor, p: float, shape: tuple) -> Tensor:
    keep = _random.rng().random(shape) >= p
    scale = np.asarray(1.0 / (1.0 - p), input.dtype.np)
    return _wrap(keep.astype(input.dtype.np) * scale, input.dtype)


def _check_p(p: float) -> None:
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")


def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Matches `torch.nn.functional.dropout` (kept elements scaled by 1 / (1 - p))."""
    _check_p(p)
    if not training or p == 0.0:
        return input
    if p == 1.0:
        mask = _wrap(np.zeros(input.shape, input.dtype.np), input.dtype)
    else:
        mask = _dropout_mask(input, p, tuple(input.shape))
    return input.mul_(mask) if inplace else input * mask  # type: ignore[attr-defined]


def _channel_dropout(
    input: Tensor, p: float, training: bool, inplace: bool, batched_ndim: int
) -> Tensor:
    _check_p(p)
    if not training or p == 0.0:
        return input
    shp = tuple(input.shape)
    keep_dims = 2 if input.ndim == batched_ndim else 1
    shape = shp[:keep_dims] + (1,) * (len(shp) - keep_dims)
    if p == 1.0:
        mask = _wrap(np.zeros(shape, input.dtype.np), input.dtype)
    else:
        mask = _dropout_mask(input, p, shape)
    return input.mul_(mask) if inplace else input * mask  # type: ignore[attr-defined]


def dropout1d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Matches `torch.nn.functional.dropout1d` (whole channels)."""
    return _channel_dropout(input, p, training, inplace, 3)


def dropout2d(
    input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False
) -> Tensor:
    """Matches `torch.nn.functional.dropout2d` (whole channels)."""
    return _channel_dropout(input, p, training, inplace, 4)


def batch_norm(
    input: Tensor,
    running_mean: Tensor | None,
    running_var: Tensor | None,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Tensor:
    """Matches `torch.nn.functional.batch_norm`: batch statistics in training (and the
    running averages updated in place, the variance unbiased), running ones otherwise."""
    c = input.shape[1] if input.ndim > 1 else input.shape[0]
    shape = (1, c) + (1,) * (input.ndim - 2)
    dims = (0,) + tuple(range(2, input.ndim))
    if training:
        n = input.numel() // c
        if n <= 1:
            raise ValueError(
                f"Expected more than 1 value per channel when training, got input size "
                f"{input.shape}"
            )
        mean = input.mean(dims, keepdim=True)
        var = input.var(dims, unbiased=False, keepdim=True)  # type: ignore[attr-defined]
        if running_mean is not None:
            m = running_mean._data
            m *= 1 - momentum
            m += momentum * mean._data.reshape(-1).astype(m.dtype, copy=False)
            running_mean._version[0] += 1
        if running_var is not None:
            v = running_var._data
            v *= 1 - momentum
            v += (momentum * n / (n - 1)) * var._data.reshape(-1).astype(v.dtype, copy=False)
            running_var._version[0] += 1
    else:
        if running_mean is None or running_var is None:
            raise RuntimeError("running_mean and running_var must be defined in evaluation mode")
        mean = running_mean.reshape(shape)
        var = running_var.reshape(shape)
    out = (input - mean) * _pw.rsqrt(var + eps)
    if weight is not None:
        out = out * weight.reshape(shape)
    if bias is not None:
        out = out + bias.reshape(shape)
    return out


def layer_norm(
    input: Tensor,
    normalized_shape: Any,
    weight: Tensor | None = None,
    bias: Tensor | None = None,
    eps: float = 1e-5,
) -> Tensor:
    """Matches `torch.nn.functional.layer_norm` (over the last len(normalized_shape) dims)."""
    if isinstance(normalized_shape, int):
        normalized_shape = (normalized_shape,)
    k = len(normalized_shape)
    if tuple(input.shape[input.ndim - k :]) != tuple(normalized_shape):
        raise RuntimeError(
            f"Given normalized_shape={list(normalized_shape)}, expected input with shape "
            f"[*, {', '.join(map(str, normalized_shape))}], but got input of size"
            f"{input.shape}"
        )
    dims = tuple(range(-k, 0))
    mean = input.mean(dims, keepdim=True)
    var = input.var(dims, unbiased=False, keepdim=True)  # type: ignore[attr-defined]
    out = (input - mean) * _pw.rsqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out


def normalize(
    input: Tensor, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out: Any = None
) -> Tensor:
    """Matches `torch.nn.functional.normalize`."""
    n = input.norm(p, dim, keepdim=True).clamp_min(eps)  # type: ignore[attr-defined]
    return input / n.expand_as(input)  # type: ignore[attr-defined]


def cosine_similarity(x1: Tensor, x2: Tensor, dim: int = 1, eps: float = 1e-8) -> Tensor:
    """Matches `torch.nn.functional.cosine_similarity`."""
    n1 = x1.norm(2, dim, keepdim=True).clamp_min(eps)  # type: ignore[attr-defined]
    n2 = x2.norm(2, dim, keepdim=True).clamp_min(eps)  # type: ignore[attr-defined]
    return ((x1 / n1) * (x2 / n2)).sum(dim)  # type: ignore[attr-defined]


# ---- embedding, one-hot, padding ----------------------------------------------------------


def embedding(
    input: Tensor,
    weight: Tensor,
    padding_idx: int | None = None,
    max_norm: float | None = None,
    norm_type: float = 2.0,
    scale_grad_by_freq: bool = False,
    sparse: bool = False,
) -> Tensor:
    """Matches `torch.nn.functional.embedding`."""
    if padding_idx is not None and padding_idx < 0:
        padding_idx += weight.shape[0]
    return _ops.embedding(input, weight, padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """Matches `torch.nn.functional.one_hot` (int64 result)."""
    if tensor.dtype is not D.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    a = tensor._data
    if num_classes == -1:
        num_classes = int(a.max()) + 1 if a.size else 0
    if a.size and (a.min() < 0):
        raise RuntimeError("Class values must be non-negative.")
    if a.size and a.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    out = (a[..., None] == np.arange(num_classes)).astype(np.int64)
    return _wrap(out, D.int64)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: float | None = None) -> Tensor:
    """Matches `torch.nn.functional.pad` (mode 'constant')."""
    if mode != "constant":
        raise NotImplementedError(f"weifen: pad(mode='{mode}') is not implemented")
    return _ops.constant_pad_nd(input, list(pad), 0 if value is None else value)


# ---- losses -------------------------------------------------------------------------------


def mse_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    weight: Tensor | None = None,
) -> Tensor:
    """Matches `torch.nn.functional.mse_loss`."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    return _ops.mse_loss(input, target, reduction)


def l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Matches `torch.nn.functional.l1_loss`."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    d = _pw.abs(input - target)
    if reduction == "mean":
        return d.mean()
    return d.sum() if reduction == "sum" else d  # type: ignore[attr-defined]


def smooth_l1_loss(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    beta: float = 1.0,
) -> Tensor:
    """Matches `torch.nn.functional.smooth_l1_loss`."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    _warn_size(input, target)
    return _ops.smooth_l1_loss(input, target, reduction, beta)


def huber_loss(
    input: Tensor,
    target: Tensor,
    reduction: str = "mean",
    delta: float = 1.0,
    weight: Tensor | None = None,
) -> Tensor:
    """Matches `torch.nn.functional.huber_loss`."""
    _check_reduction(reduction)
    _warn_size(input, target)
    return _ops.huber_loss(input, target, reduction, delta)


def nll_loss(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Matches `torch.nn.functional.nll_loss`."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _ops.nll_loss(input, target, weight, reduction, ignore_index)


def cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    ignore_index: int = -100,
    reduce: Any = None,
    reduction: str = "mean",
    label_smoothing: float = 0.0,
) -> Tensor:
    """Matches `torch.nn.functional.cross_entropy`: class indices or class probabilities,
    optional class weights, ignore_index and label smoothing."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: {label_smoothing}")
    cdim = 1 if input.ndim >= 2 else 0
    logp = _act.log_softmax(input, cdim)
    c = input.shape[cdim]
    wshape = (c,) + (1,) * (input.ndim - cdim - 1)
    if target.dtype._category < D._FLOAT:
        loss = _ops.nll_loss(logp, target, weight, reduction, ignore_index)
        if label_smoothing == 0.0:
            return loss
        lw = logp if weight is None else logp * weight.reshape(wshape)
        smooth = -lw.sum(cdim)  # type: ignore[attr-defined]
        keep = target != ignore_index
        smooth = smooth * keep
        if reduction == "mean":
            if weight is None:
                smooth = smooth.sum() / keep.sum()  # type: ignore[attr-defined]
            else:
                t = _wrap(np.where(keep._data, target._data, 0), target.dtype)
                smooth = smooth.sum() / (weight[t] * keep).sum()  # type: ignore[attr-defined]
        elif reduction == "sum":
            smooth = smooth.sum()  # type: ignore[attr-defined]
        return loss * (1 - label_smoothing) + smooth * (label_smoothing / c)
    if target.shape != input.shape:
        raise RuntimeError(
            f"expected target dtype to be Long or Byte, but got "
            f"{'Float' if target.dtype is D.float32 else target.dtype}"
        )
    if label_smoothing > 0.0:
        target = target * (1 - label_smoothing) + label_smoothing / c
    lw = logp if weight is None else logp * weight.reshape(wshape)
    loss = -(lw * target).sum(cdim)  # type: ignore[attr-defined]
    if reduction == "mean":
        n = input.numel() // c if input.numel() else 0
        return loss.sum() / n  # type: ignore[attr-defined]
    return loss.sum() if reduction == "sum" else loss  # type: ignore[attr-defined]


def binary_cross_entropy(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
) -> Tensor:
    """Matches `torch.nn.functional.binary_cross_entropy`."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    if weight is not None and weight.shape != input.shape:
        weight = weight.expand(input.shape)  # type: ignore[attr-defined]
    return _ops.binary_cross_entropy(input, target, weight, reduction)


def binary_cross_entropy_with_logits(
    input: Tensor,
    target: Tensor,
    weight: Tensor | None = None,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    pos_weight: Tensor | None = None,
) -> Tensor:
    """Matches `torch.nn.functional.binary_cross_entropy_with_logits`."""
    reduction = _reduction(size_average, reduce, reduction)
    _check_reduction(reduction)
    return _ops.binary_cross_entropy_with_logits(input, target, weight, pos_weight, reduction)


def kl_div(
    input: Tensor,
    target: Tensor,
    size_average: Any = None,
    reduce: Any = None,
    reduction: str = "mean",
    log_target: bool = False,
) -> Tensor:
    """Matches `torch.nn.functional.kl_div` (input is log-probabilities)."""
    reduction = _reduction(size_average, reduce, reduction)
    if log_target:
        loss = _pw.exp(target) * (target - input)
    else:
        safe = _pw.where(target > 0, target, 1.0)
        loss = _pw.where(target > 0, target * (_pw.log(safe) - input), 0.0)
    if reduction == "mean":
        warnings.warn(
            "reduction: 'mean' divides the total loss by both the batch size and the support "
            "size.'batchmean' divides only by the batch size, and aligns with the KL div math "
            "definition.'mean' will be changed to behave the same as 'batchmean' in the next "
            "major release.",
            UserWarning,
            stacklevel=2,
        )
        return loss.mean()
    if reduction == "batchmean":
        return loss.sum() / (input.shape[0] if input.ndim else 1)  # type: ignore[attr-defined]
    return loss.sum() if reduction == "sum" else loss  # type: ignore[attr-defined]


_ = math
