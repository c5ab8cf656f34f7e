"""Neural-network ops: linear, conv2d, pooling, losses, activations, padding, embedding.

Convolution is im2col: `sliding_window_view` gives every receptive field as a view, and one
`tensordot` (the matmul) does the rest; no Python loop runs over pixels or the batch. The
backward passes are table ops themselves, paired so that each is the other's adjoint
(conv2d <-> conv2d_input / conv2d_weight, max_pool2d_backward <-> max_pool2d_select, ...),
which closes the table under differentiation: double backward comes from the same lines.
"""

from __future__ import annotations

import math

import numpy as np

from ._registry import defop
from .pointwise import _erf_array

_swv = np.lib.stride_tricks.sliding_window_view

_TYPE = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "uint8": "Byte",
    "bool": "Bool",
    "int16": "Short",
    "int8": "Char",
}
_LOWER = {"float32": "float", "float64": "double", "float16": "c10::Half", "int64": "long int"}


def _pair(v):
    if isinstance(v, int | np.integer):
        return (int(v), int(v))
    v = tuple(int(i) for i in v)
    return v * 2 if len(v) == 1 else v


def _same_dtype(a, b, what="Input"):
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"expected scalar type {_TYPE.get(a.dtype.name, a.dtype.name)} but found "
            f"{_TYPE.get(b.dtype.name, b.dtype.name)}"
        )


# ---- linear -------------------------------------------------------------------------------


def _linear_node(input, weight, bias):
    if input.ndim == 2:
        return "AddmmBackward0" if bias is not None else "MmBackward0"
    if bias is None:
        return "SqueezeBackward4" if input.ndim == 1 else "UnsafeViewBackward0"
    return "ViewBackward0"


def _linear_weight(F, g, input):
    if input.ndim == 1:
        return F.outer(g, input)
    if input.ndim == 2:
        return F.mm(F.t(g), input)
    return F.mm(F.t(F.reshape(g, (-1, g.shape[-1]))), F.reshape(input, (-1, input.shape[-1])))


@defop(
    _linear_node,
    inputs=("input", "weight", "bias"),
    grads={
        "input": lambda F, g, weight: F.matmul(g, weight),
        "weight": _linear_weight,
        "bias": lambda F, g: g,
    },
    method=False,
)
def linear(input, weight, bias=None):
    """input @ weight.T + bias. Matches `torch.nn.functional.linear`."""
    if input.shape[-1] != weight.shape[-1]:
        rows = input.size // input.shape[-1] if input.shape[-1] else 0
        raise RuntimeError(
            f"mat1 and mat2 shapes cannot be multiplied ({rows if input.ndim > 1 else 1}x"
            f"{input.shape[-1]} and {weight.shape[1]}x{weight.shape[0]})"
        )
    if input.dtype != weight.dtype:
        raise RuntimeError(
            "expected m1 and m2 to have the same dtype, but got: "
            f"{_LOWER.get(input.dtype.name, input.dtype.name)} != "
            f"{_LOWER.get(weight.dtype.name, weight.dtype.name)}"
        )
    out = input @ weight.T
    if bias is not None:
        out += bias
    return out


# ---- conv2d -------------------------------------------------------------------------------


def _conv_padding(padding, weight_shape, dilation):
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0)
        if padding == "same":
            pads = []
            for k, d in zip(weight_shape[2:], dilation):
                total = d * (k - 1)
                if total % 2:
                    raise NotImplementedError(
                        "weifen: padding='same' with an even effective kernel size (asymmetric "
                        "padding) is not implemented"
                    )
                pads.append(total // 2)
            return tuple(pads)
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    return _pair(padding)


def _windows(x, kh, kw, stride, padding, dilation, fill=0.0, extra=(0, 0)):
    """Every receptive field of x (N, C, H, W) as a view (N, C, OH, OW, kh, kw)."""
    ph, pw = padding
    if ph or pw or extra[0] or extra[1]:
        x = np.pad(
            x, ((0, 0), (0, 0), (ph, ph + extra[0]), (pw, pw + extra[1])), constant_values=fill
        )
    dh, dw = dilation
    sh, sw = stride
    win = _swv(x, (dh * (kh - 1) + 1, dw * (kw - 1) + 1), axis=(2, 3))
    return win[:, :, ::sh, ::sw, ::dh, ::dw]


def _col2im(cols, shape, stride, padding, dilation, extra=(0, 0)):
    """The adjoint of `_windows`: add cols (N, C, OH, OW, kh, kw) back into an (N, C, H, W)
    array. One strided add per kernel position (kh * kw of them), never per pixel."""
    n, c, h, w = shape
    _, _, oh, ow, kh, kw = cols.shape
    ph, pw = padding
    sh, sw = stride
    dh, dw = dilation
    if (sh, sw) == (kh, kw) and (dh, dw) == (1, 1) and not (ph or pw) and extra == (0, 0):
        # non-overlapping windows (pooling): a reshape, no adds
        tiled = cols.transpose(0, 1, 2, 4, 3, 5).reshape(n, c, oh * kh, ow * kw)
        if tiled.shape[2:] == (h, w):
            return np.ascontiguousarray(tiled)
        out = np.zeros((n, c, h, w), cols.dtype)
        out[:, :, : oh * kh, : ow * kw] = tiled
        return out
    return _col2im_kernel_major(
        np.ascontiguousarray(cols.transpose(4, 5, 1, 0, 2, 3)),
        shape,
        stride,
        padding,
        dilation,
        extra,
    )


def _col2im_kernel_major(cols, shape, stride, padding, dilation, extra=(0, 0)):
    """_col2im for cols laid out (kh, kw, C, N, OH, OW): each kernel position's block is
    contiguous, added into a (C, N, H, W) buffer."""
    n, c, h, w = shape
    kh, kw, _, _, oh, ow = cols.shape
    ph, pw = padding
    sh, sw = stride
    dh, dw = dilation
    out = np.zeros((c, n, h + 2 * ph + extra[0], w + 2 * pw + extra[1]), cols.dtype)
    for i in range(kh):
        for j in range(kw):
            out[
                :,
                :,
                i * dh : i * dh + sh * (oh - 1) + 1 : sh,
                j * dw : j * dw + sw * (ow - 1) + 1 : sw,
            ] += cols[i, j]
    return np.ascontiguousarray(out[:, :, ph : ph + h, pw : pw + w].transpose(1, 0, 2, 3))


def _check_conv(x, w, groups):
    if x.ndim != 4:
        raise RuntimeError(
            f"Expected 3D (unbatched) or 4D (batched) input to conv2d, but got input of size: "
            f"{list(x.shape)}"
        )
    if x.shape[1] != w.shape[1] * groups:
        raise RuntimeError(
            f"Given groups={groups}, weight of size {list(w.shape)}, expected input"
            f"{list(x.shape)} to have {w.shape[1] * groups} channels, but got {x.shape[1]} "
            "channels instead"
        )
    if x.dtype != w.dtype:
        _same_dtype(x, w)


def _grouped(groups, fn, *arrays_axes):
    """Run fn on each group's slices (arrays split along the given axes) and concatenate."""
    if groups == 1:
        return fn(*[a for a, _ in arrays_axes[:-1]])
    out_axis = arrays_axes[-1]
    parts = []
    for gi in range(groups):
        args = []
        for a, ax in arrays_axes[:-1]:
            size = a.shape[ax] // groups
            args.append(np.take(a, range(gi * size, (gi + 1) * size), axis=ax))
        parts.append(fn(*args))
    return np.concatenate(parts, axis=out_axis)


# im2col batch by batch (N, C * kh * kw, OH * OW) when C * kh * kw is below this: with few
# input channels one large matmul is a poor shape for BLAS (tiny M or N, huge K) and needs
# transposes of the output; N small matmuls give NCHW output directly. Above it, the
# kernel-position-major layout and one matmul are faster.
_BATCHED_K = 64


def _conv_pad(x, kh, kw, stride, padding, dilation):
    """x zero-padded, and the output size (OH, OW)."""
    ph, pw = padding
    sh, sw = stride
    dh, dw = dilation
    if ph or pw:
        x = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    h, w = x.shape[2:]
    oh = (h - dh * (kh - 1) - 1) // sh + 1
    ow = (w - dw * (kw - 1) - 1) // sw + 1
    if oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"Calculated padded input size per channel: ({h} x {w}). Kernel size: "
            f"({dh * (kh - 1) + 1} x {dw * (kw - 1) + 1}). Kernel size can't be greater than "
            "actual input size"
        )
    return x, oh, ow


def _im2col(x, kh, kw, stride, padding, dilation):
    """Every receptive field of x (N, C, H, W), copied kernel-position-major into
    (C, kh, kw, N, OH, OW): kh * kw strided block copies, then one matmul does the rest."""
    x, oh, ow = _conv_pad(x, kh, kw, stride, padding, dilation)
    n, c = x.shape[:2]
    xt = x.transpose(1, 0, 2, 3)
    cols = np.empty((c, kh, kw, n, oh, ow), x.dtype)
    for i, j, v in _conv_views(xt, kh, kw, stride, dilation, oh, ow):
        cols[:, i, j] = v
    return cols


def _im2col_batched(x, kh, kw, stride, padding, dilation):
    """Every receptive field of x (N, C, H, W), copied sample-major into
    (N, C, kh, kw, OH, OW): kh * kw strided block copies, then N small matmuls."""
    x, oh, ow = _conv_pad(x, kh, kw, stride, padding, dilation)
    n, c = x.shape[:2]
    cols = np.empty((n, c, kh, kw, oh, ow), x.dtype)
    for i, j, v in _conv_views(x, kh, kw, stride, dilation, oh, ow):
        cols[:, :, i, j] = v
    return cols


def _conv_views(x, kh, kw, stride, dilation, oh, ow):
    """(i, j, x[:, :, rows, cols]) for each kernel position: the strided view (.., OH, OW) of
    the elements at kernel position (i, j) of every receptive field."""
    sh, sw = stride
    dh, dw = dilation
    for i in range(kh):
        for j in range(kw):
            yield (
                i,
                j,
                x[
                    :,
                    :,
                    i * dh : i * dh + sh * (oh - 1) + 1 : sh,
                    j * dw : j * dw + sw * (ow - 1) + 1 : sw,
                ],
            )


def _conv_forward(x, w, stride, padding, dilation):
    o, c, kh, kw = w.shape
    if c * kh * kw < _BATCHED_K:
        cols = _im2col_batched(x, kh, kw, stride, padding, dilation)
        n, _, _, _, oh, ow = cols.shape
        out = np.matmul(w.reshape(o, -1), cols.reshape(n, c * kh * kw, oh * ow))
        return out.reshape(n, o, oh, ow)
    cols = _im2col(x, kh, kw, stride, padding, dilation)
    n, oh, ow = cols.shape[3:]
    out = w.reshape(o, -1) @ cols.reshape(c * kh * kw, -1)
    return np.ascontiguousarray(out.reshape(o, n, oh, ow).transpose(1, 0, 2, 3))


@defop(
    "ConvolutionBackward0",
    inputs=("input", "weight", "bias"),
    grads={
        "input": lambda F, g, weight, input_shape, stride, padding, dilation, groups: (
            F.conv2d_input(g, weight, input_shape, stride, padding, dilation, groups)
        ),
        "weight": lambda F, g, input, weight_shape, stride, padding, dilation, groups: (
            F.conv2d_weight(input, g, weight_shape, stride, padding, dilation, groups)
        ),
        "bias": lambda F, g: F.sum(g, (0, 2, 3)),
    },
    method=False,
)
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """2-D convolution (cross-correlation) by im2col + one matmul. Matches `torch.conv2d`
    for batched (N, C, H, W) input; `weifen.nn.functional.conv2d` also takes (C, H, W)."""
    _check_conv(input, weight, groups)
    stride, dilation = _pair(stride), _pair(dilation)
    padding = _conv_padding(padding, weight.shape, dilation)
    out = _grouped(
        groups,
        lambda x, w: _conv_forward(x, w, stride, padding, dilation),
        (input, 1),
        (weight, 0),
        1,
    )
    if bias is not None:
        out += bias.reshape(1, -1, 1, 1)
    return out


def _conv_input_backward(g, w, shape, stride, padding, dilation):
    o, c, kh, kw = w.shape
    if c * kh * kw < _BATCHED_K:
        n, _, h, wd = shape
        oh, ow = g.shape[2:]
        ph, pw = padding
        # (C * kh * kw, O) @ (O, OH * OW) per sample, then one strided add per kernel position
        cols = np.matmul(w.reshape(o, -1).T, g.reshape(n, o, oh * ow))
        cols = cols.reshape(n, c, kh, kw, oh, ow)
        out = np.zeros((n, c, h + 2 * ph, wd + 2 * pw), g.dtype)
        for i, j, v in _conv_views(out, kh, kw, stride, dilation, oh, ow):
            v += cols[:, :, i, j]
        if ph or pw:
            out = np.ascontiguousarray(out[:, :, ph : ph + h, pw : pw + wd])
        return out
    # batch-last (C, H, W, N) layout: each kernel position's add then runs over OW * N
    # contiguous elements rather than rows of OW
    n, _, h, wd = shape
    oh, ow = g.shape[2:]
    ph, pw = padding
    sh, sw = stride
    dh, dw = dilation
    gt = np.ascontiguousarray(g.transpose(1, 2, 3, 0)).reshape(o, -1)
    cols = (w.transpose(2, 3, 1, 0).reshape(kh * kw * c, o) @ gt).reshape(kh, kw, c, oh, ow, n)
    out = np.zeros((c, h + 2 * ph, wd + 2 * pw, n), g.dtype)
    for i in range(kh):
        for j in range(kw):
            out[
                :,
                i * dh : i * dh + sh * (oh - 1) + 1 : sh,
                j * dw : j * dw + sw * (ow - 1) + 1 : sw,
            ] += cols[i, j]
    return np.ascontiguousarray(out[:, ph : ph + h, pw : pw + wd].transpose(3, 0, 1, 2))


@defop(
    "ConvolutionBackwardBackward0",
    inputs=("self", "weight"),
    grads={
        "self": lambda F, g, weight, stride, padding, dilation, groups: F.conv2d(
            g, weight, None, stride, padding, dilation, groups
        ),
        "weight": lambda F, g, self, weight_shape, stride, padding, dilation, groups: (
            F.conv2d_weight(g, self, weight_shape, stride, padding, dilation, groups)
        ),
    },
    method=False,
)
def conv2d_input(self, weight, shape, stride, padding, dilation, groups):
    """The gradient of conv2d with respect to its input (a transposed convolution)."""
    stride, dilation = _pair(stride), _pair(dilation)
    padding = _conv_padding(padding, weight.shape, dilation)
    n, c, h, w = shape
    return _grouped(
        groups,
        lambda g, wt: _conv_input_backward(
            g, wt, (n, c // groups, h, w), stride, padding, dilation
        ),
        (self, 1),
        (weight, 0),
        1,
    )


def _conv_weight_backward(x, g, kernel, stride, padding, dilation):
    kh, kw = kernel
    c = x.shape[1]
    o = g.shape[1]
    if c * kh * kw < _BATCHED_K:
        cols = _im2col_batched(x, kh, kw, stride, padding, dilation)
        n = cols.shape[0]
        # per sample (O, OH * OW) @ (OH * OW, C * kh * kw), summed over the batch
        part = np.matmul(g.reshape(n, o, -1), cols.reshape(n, c * kh * kw, -1).transpose(0, 2, 1))
        return part.sum(0).reshape(o, c, kh, kw)
    cols = _im2col(x, kh, kw, stride, padding, dilation)
    gm = g.transpose(1, 0, 2, 3).reshape(o, -1)
    return (gm @ cols.reshape(c * kh * kw, -1).T).reshape(o, c, kh, kw)


@defop(
    "ConvolutionBackwardBackward1",
    inputs=("input", "grad_output"),
    grads={
        "input": lambda F, g, grad_output, input_shape, stride, padding, dilation, groups: (
            F.conv2d_input(grad_output, g, input_shape, stride, padding, dilation, groups)
        ),
        "grad_output": lambda F, g, input, stride, padding, dilation, groups: F.conv2d(
            input, g, None, stride, padding, dilation, groups
        ),
    },
    method=False,
)
def conv2d_weight(input, grad_output, shape, stride, padding, dilation, groups):
    """The gradient of conv2d with respect to its weight."""
    stride, dilation = _pair(stride), _pair(dilation)
    padding = _conv_padding(padding, shape, dilation)
    return _grouped(
        groups,
        lambda x, g: _conv_weight_backward(x, g, shape[2:], stride, padding, dilation),
        (input, 1),
        (grad_output, 1),
        0,
    )


# ---- pooling ------------------------------------------------------------------------------


def _out_size(n, k, s, p, d, ceil_mode):
    eff = d * (k - 1) + 1
    if ceil_mode:
        o = -(-(n + 2 * p - eff) // s) + 1
        if (o - 1) * s >= n + p:  # the last window must start inside the input or left pad
            o -= 1
    else:
        o = (n + 2 * p - eff) // s + 1
    return o


def _pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, name):
    kh, kw = _pair(kernel_size)
    sh, sw = _pair(stride) if stride not in (None, (), []) else (kh, kw)
    ph, pw = _pair(padding)
    dh, dw = _pair(dilation)
    if ph > kh // 2 or pw > kw // 2:
        raise RuntimeError(
            f"{name}: pad should be at most half of effective kernel size, but got pad="
            f"{ph if ph > kh // 2 else pw}, kernel_size={kh if ph > kh // 2 else kw} and "
            f"dilation={dh if ph > kh // 2 else dw}"
        )
    h, w = x.shape[-2:]
    oh = _out_size(h, kh, sh, ph, dh, ceil_mode)
    ow = _out_size(w, kw, sw, pw, dw, ceil_mode)
    if oh <= 0 or ow <= 0:
        raise RuntimeError(
            f"Given input size: ({'x'.join(map(str, x.shape[-3:]))}). Calculated output size: "
            f"({x.shape[-3]}x{oh}x{ow}). Output size is too small"
        )
    # extra bottom/right padding so ceil_mode windows exist; trimmed to the output size
    eh = max(0, (oh - 1) * sh + dh * (kh - 1) + 1 - (h + 2 * ph))
    ew = max(0, (ow - 1) * sw + dw * (kw - 1) + 1 - (w + 2 * pw))
    return (kh, kw), (sh, sw), (ph, pw), (dh, dw), (oh, ow), (eh, ew)


def _as4d(x):
    return x if x.ndim == 4 else x[None]


def _kernel_views(a, k, s, d, o):
    """a[:, :, window rows, window cols] at each kernel position, row-major: kh * kw strided
    views (N, C, OH, OW), the (i, j) one holding element (i, j) of every window."""
    rows = [slice(i * d[0], i * d[0] + s[0] * (o[0] - 1) + 1, s[0]) for i in range(k[0])]
    cols = [slice(j * d[1], j * d[1] + s[1] * (o[1] - 1) + 1, s[1]) for j in range(k[1])]
    return [a[:, :, r, c] for r in rows for c in cols]


def _max_views(x, kernel_size, stride, padding, dilation, ceil_mode):
    """x as `_kernel_views` (padded with the dtype's lowest value where windows need it), the
    same views of a mask of real (unpadded) positions (None without padding), and the
    geometry."""
    k, s, p, d, o, e = _pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode, "max_pool2d"
    )
    x4 = _as4d(x)
    real = None
    if p[0] or p[1] or e[0] or e[1]:
        pads = ((0, 0), (0, 0), (p[0], p[0] + e[0]), (p[1], p[1] + e[1]))
        fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
        real = _kernel_views(np.pad(np.ones((1, 1) + x4.shape[2:], bool), pads), k, s, d, o)
        x4 = np.pad(x4, pads, constant_values=fill)
    return _kernel_views(x4, k, s, d, o), real, (k, s, p, d, o, e)


def _max_of(views):
    """The elementwise maximum of the views (NaN wins), a new array."""
    if len(views) == 1:
        return views[0].copy()
    acc = np.maximum(views[0], views[1])
    for v in views[2:]:
        np.maximum(acc, v, out=acc)
    return acc


def _has_negative_zero(x):
    bits = x.view(np.dtype(f"i{x.dtype.itemsize}"))
    return bool((bits == np.iinfo(bits.dtype).min).any())


def _first_max(views):
    """PyTorch's own scan, for when -0.0 and 0.0 tie (np.maximum may pick either): an element
    replaces the running maximum when it is greater or NaN."""
    acc = views[0].copy()
    for v in views[1:]:
        take = v > acc
        take |= np.isnan(v)
        acc = np.where(take, v, acc)
    return acc


def _argmax_masks(views, real):
    """One bool mask per kernel position: where each window's maximum is, as PyTorch picks it
    (the first element equal to the maximum, or the last NaN of a window holding one; never a
    padded position)."""
    acc = _max_of(views)
    masks = []
    taken = None
    for i, v in enumerate(views):
        hit = v == acc
        if real is not None:
            hit &= real[i]
        masks.append(hit if taken is None else hit > taken)  # hit and not taken
        taken = hit if taken is None else taken | hit
    if acc.dtype.kind == "f" and np.isnan(acc).any():
        taken = None
        for i in range(len(views) - 1, -1, -1):
            hit = np.isnan(views[i])
            masks[i] = masks[i] | (hit if taken is None else hit > taken)
            taken = hit if taken is None else taken | hit
    return masks


def _max_argmax(x, kernel_size, stride, padding, dilation, ceil_mode):
    """For each output, the (row, col) in x's plane of its maximum."""
    views, real, (k, s, p, d, o, e) = _max_views(
        x, kernel_size, stride, padding, dilation, ceil_mode
    )
    masks = _argmax_masks(views, real)
    pos = np.zeros(masks[0].shape, np.int64)
    for i, m in enumerate(masks[1:], 1):
        pos += m * i
    i, j = np.divmod(pos, k[1])
    rows = np.arange(o[0]).reshape(-1, 1) * s[0] + i * d[0] - p[0]
    cols = np.arange(o[1]) * s[1] + j * d[1] - p[1]
    return rows, cols


@defop(
    "MaxPool2DWithIndicesBackward0",
    grads={
        "self": lambda F, g, self, kernel_size, stride, padding, dilation, ceil_mode: (
            F.max_pool2d_backward(g, self, kernel_size, stride, padding, dilation, ceil_mode)
        )
    },
    method=False,
)
def max_pool2d(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """Matches `torch.max_pool2d` (values only; see nn.functional for return_indices). One
    np.maximum per kernel position over strided views; no window copy, no reduction."""
    views, _, _ = _max_views(self, kernel_size, stride, padding, dilation, ceil_mode)
    if self.dtype.kind == "f" and _has_negative_zero(self):
        out = _first_max(views)
    else:
        out = _max_of(views)
    return out if self.ndim == 4 else out[0]


@defop(None, method=False)
def max_pool2d_indices(self, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    """The flat (H * W) index of each pooled maximum, as PyTorch's return_indices."""
    rows, cols = _max_argmax(self, kernel_size, stride, padding, dilation, ceil_mode)
    out = (rows * self.shape[-1] + cols).astype(np.int64)
    return out if self.ndim == 4 else out[0]


@defop(
    "MaxPool2DWithIndicesBackwardBackward0",
    inputs=("self", "input"),
    grads={
        "self": lambda F, g, input, kernel_size, stride, padding, dilation, ceil_mode: (
            F.max_pool2d_select(g, input, kernel_size, stride, padding, dilation, ceil_mode)
        )
    },
    method=False,
)
def max_pool2d_backward(self, input, kernel_size, stride, padding, dilation, ceil_mode):
    """The gradient of max_pool2d: each output's gradient goes to its window's maximum. One
    masked strided add per kernel position, in reverse so that overlapping windows add in
    PyTorch's order (output by output)."""
    views, real, (k, s, p, d, o, e) = _max_views(
        input, kernel_size, stride, padding, dilation, ceil_mode
    )
    masks = _argmax_masks(views, real)
    g4 = _as4d(self)
    n, c, h, w = _as4d(input).shape
    out = np.zeros((n, c, h + 2 * p[0] + e[0], w + 2 * p[1] + e[1]), self.dtype)
    targets = _kernel_views(out, k, s, d, o)
    finite = self.dtype.kind != "f" or np.isfinite(g4).all()
    zero = self.dtype.type(0)
    for i in range(len(masks) - 1, -1, -1):
        # g * mask is exact when g is finite (x + 0 == x); otherwise inf * 0 would be NaN
        targets[i] += g4 * masks[i] if finite else np.where(masks[i], g4, zero)
    if out.shape[2:] != (h, w):
        out = np.ascontiguousarray(out[:, :, p[0] : p[0] + h, p[1] : p[1] + w])
    return out.reshape(input.shape)


@defop(
    "MaxPool2DSelectBackward0",
    inputs=("self", "input"),
    grads={
        "self": lambda F, g, input, kernel_size, stride, padding, dilation, ceil_mode: (
            F.max_pool2d_backward(g, input, kernel_size, stride, padding, dilation, ceil_mode)
        )
    },
    method=False,
)
def max_pool2d_select(self, input, kernel_size, stride, padding, dilation, ceil_mode):
    """`self` (shaped like input) read at each window's maximum of `input` (the adjoint of
    max_pool2d_backward)."""
    rows, cols = _max_argmax(input, kernel_size, stride, padding, dilation, ceil_mode)
    s4 = _as4d(self)
    n, c = s4.shape[:2]
    out = s4[np.arange(n)[:, None, None, None], np.arange(c)[None, :, None, None], rows, cols]
    return out if self.ndim == 4 else out[0]


def _avg_divisor(x4, k, s, p, o, count_include_pad, divisor_override):
    if divisor_override:
        return float(divisor_override)
    if count_include_pad:
        # windows are clipped to the padded input (matters for ceil_mode only)
        h, w = x4.shape[-2:]
        rh = np.minimum(np.arange(o[0]) * s[0] - p[0] + k[0], h + p[0]) - (
            np.arange(o[0]) * s[0] - p[0]
        )
        rw = np.minimum(np.arange(o[1]) * s[1] - p[1] + k[1], w + p[1]) - (
            np.arange(o[1]) * s[1] - p[1]
        )
        return (rh[:, None] * rw[None, :]).astype(x4.dtype)
    h, w = x4.shape[-2:]
    r0 = np.arange(o[0]) * s[0] - p[0]
    c0 = np.arange(o[1]) * s[1] - p[1]
    rh = np.minimum(r0 + k[0], h) - np.maximum(r0, 0)
    rw = np.minimum(c0 + k[1], w) - np.maximum(c0, 0)
    return (rh[:, None] * rw[None, :]).astype(x4.dtype)


def _avg_pool_grad(
    F, g, self_shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    return F.avg_pool2d_backward(
        g, self_shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


def _avg_pool_grad_grad(
    F, g, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    return F.avg_pool2d(
        g, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
    )


@defop(
    "AvgPool2DBackward0",
    grads={"self": _avg_pool_grad},
    rule="float",
    method=False,
)
def avg_pool2d(
    self,
    kernel_size,
    stride=None,
    padding=0,
    ceil_mode=False,
    count_include_pad=True,
    divisor_override=None,
):
    """Matches `torch.nn.functional.avg_pool2d`."""
    k, s, p, d, o, e = _pool_geometry(
        self, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d"
    )
    x4 = _as4d(self)
    win = _windows(x4, k[0], k[1], s, p, d, extra=e)[:, :, : o[0], : o[1]]
    out = win.sum(axis=(-2, -1)) / _avg_divisor(x4, k, s, p, o, count_include_pad, divisor_override)
    out = out.astype(self.dtype, copy=False)
    return out if self.ndim == 4 else out[0]


@defop(
    "AvgPool2DBackwardBackward0",
    grads={"self": _avg_pool_grad_grad},
    method=False,
)
def avg_pool2d_backward(
    self, shape, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override
):
    """The gradient of avg_pool2d: each output's gradient spread evenly over its window."""
    x4shape = tuple(shape) if len(shape) == 4 else (1, *shape)
    probe = np.empty(x4shape[-2:], self.dtype)[None, None]
    k, s, p, d, o, e = _pool_geometry(
        probe, kernel_size, stride, padding, 1, ceil_mode, "avg_pool2d"
    )
    div = _avg_divisor(
        np.empty(x4shape, self.dtype), k, s, p, o, count_include_pad, divisor_override
    )
    g4 = (_as4d(self) / div).astype(self.dtype, copy=False)
    cols = np.broadcast_to(g4[..., None, None], g4.shape + k)
    out = _col2im(cols, x4shape, s, p, d, extra=e)
    return out.reshape(shape)


# ---- padding ------------------------------------------------------------------------------


@defop(
    "ConstantPadNdBackward0",
    grads={"self": lambda F, g, pad: F.constant_pad_nd(g, [-q for q in pad])},
    method=False,
)
def constant_pad_nd(self, pad, value=0):
    """Matches `torch.constant_pad_nd`: pad (left, right) pairs from the last dim backwards;
    negative amounts crop."""
    pad = list(pad)
    if len(pad) % 2 or len(pad) // 2 > self.ndim:
        raise RuntimeError(
            "Padding length must be divisible by 2 and at most twice the number of dimensions "
            "of the input"
        )
    widths = [(0, 0)] * self.ndim
    crops = [slice(None)] * self.ndim
    for i in range(len(pad) // 2):
        ax = self.ndim - 1 - i
        lo, hi = pad[2 * i], pad[2 * i + 1]
        widths[ax] = (max(lo, 0), max(hi, 0))
        crops[ax] = slice(max(-lo, 0), self.shape[ax] - max(-hi, 0))
    out = self[tuple(crops)]
    if any(w != (0, 0) for w in widths):
        out = np.pad(out, widths, constant_values=value)
    return np.array(out, copy=True)


# ---- embedding ----------------------------------------------------------------------------


def _check_indices(indices):
    if indices.dtype.kind not in "iu":
        name = _TYPE.get(indices.dtype.name, indices.dtype.name)
        raise RuntimeError(
            "Expected tensor for argument #1 'indices' to have one of the following scalar "
            f"types: Long, Int; but got torch.{name}Tensor instead (while checking arguments "
            "for embedding)"
        )


@defop(
    "EmbeddingBackward0",
    inputs=("input", "weight"),
    grads={
        "weight": lambda F, g, input, weight_shape, padding_idx: F.embedding_backward(
            g, input, weight_shape[0], padding_idx
        )
    },
    method=False,
)
def embedding(input, weight, padding_idx=None):
    """Rows of `weight` at `input`. Matches `torch.embedding` (weight, indices order as
    `nn.functional.embedding`)."""
    _check_indices(input)
    n = weight.shape[0]
    if input.size and (input.min() < 0 or input.max() >= n):
        raise IndexError("index out of range in self")
    return weight[input]


def _embedding_select(F, g, input, padding_idx):
    out = F.embedding(input, g)
    if padding_idx is None:
        return out
    keep = (np.asarray(input) != padding_idx)[..., None]
    return out * keep


@defop(
    "EmbeddingBackwardBackward0",
    inputs=("self", "input"),
    grads={"self": _embedding_select},
    method=False,
)
def embedding_backward(self, input, num_weights, padding_idx=None):
    """The gradient of embedding: rows summed at their indices (padding_idx gets none)."""
    idx = input.reshape(-1) % num_weights
    d = self.shape[-1]
    gf = self.reshape(-1, d)
    if padding_idx is not None:
        keep = idx != (padding_idx % num_weights)
        idx, gf = idx[keep], gf[keep]
    out = np.zeros((num_weights, d), self.dtype)
    np.add.at(out, idx, gf)
    return out


# ---- losses -------------------------------------------------------------------------------


_REDUCTIONS = ("none", "mean", "sum")


def _reduce(loss, reduction, dtype):
    if reduction == "none":
        return loss.astype(dtype, copy=False)
    if reduction == "sum":
        return np.asarray(loss.sum(), dtype)
    if reduction == "mean":
        return np.asarray(loss.mean() if loss.size else np.nan, dtype)
    raise ValueError(f"{reduction} is not a valid value for reduction")


def _scale(g, shape_a, shape_b, reduction):
    """The incoming gradient, spread over the elements the reduction combined."""
    if reduction == "mean":
        n = math.prod(np.broadcast_shapes(tuple(shape_a), tuple(shape_b)))
        return g / n
    return g


def _nll_node(self, target, weight, reduction, ignore_index):
    return "NllLoss2DBackward0" if self.ndim == 4 else "NllLossBackward0"


def _nll_parts(x, t, weight, ignore_index):
    """Class axis last, the picked log-probabilities' positions and their weights."""
    if x.ndim == 1:
        x, t = x[None], np.asarray(t).reshape(1)
    if x.shape[0] != t.shape[0]:
        raise ValueError(
            f"Expected input batch_size ({x.shape[0]}) to match target batch_size ({t.shape[0]})."
        )
    if t.dtype.kind not in "iu":
        raise RuntimeError(
            f"expected scalar type Long but found {_TYPE.get(t.dtype.name, t.dtype.name)}"
        )
    c = x.shape[1]
    valid = t != ignore_index
    tc = np.where(valid, t, 0)
    bad = (tc < 0) | (tc >= c)
    if bad.any():
        raise IndexError(f"Target {int(tc[bad].reshape(-1)[0])} is out of bounds.")
    w = (weight[tc] if weight is not None else np.ones(tc.shape, x.dtype)) * valid
    return np.moveaxis(x, 1, -1), tc, w.astype(x.dtype, copy=False)


@defop(
    _nll_node,
    inputs=("self", "target", "weight"),
    grads={
        "self": lambda F, g, self_shape, target, weight, reduction, ignore_index: (
            F.nll_loss_backward(g, target, weight, self_shape, reduction, ignore_index)
        )
    },
    method=False,
)
def nll_loss(self, target, weight=None, reduction="mean", ignore_index=-100):
    """Matches `torch.nn.functional.nll_loss` (class indices; classes along dim 1)."""
    xm, tc, w = _nll_parts(self, target, weight, ignore_index)
    picked = np.take_along_axis(xm, tc[..., None], -1)[..., 0]
    loss = -picked * w
    if reduction == "mean":
        return np.asarray(loss.sum() / w.sum(), self.dtype)
    out = _reduce(loss, reduction, self.dtype)
    return out.reshape(()) if self.ndim == 1 and reduction == "none" else out


@defop(
    "NllLossBackwardBackward0",
    inputs=("self", "target", "weight"),
    grads={
        "self": lambda F, g, target, weight, reduction, ignore_index: F.nll_loss(
            g, target, weight, reduction, ignore_index
        )
    },
    method=False,
)
def nll_loss_backward(self, target, weight, shape, reduction, ignore_index):
    """The gradient of nll_loss: minus the (weighted) incoming gradient at each target."""
    x = np.zeros(shape, self.dtype)
    xm, tc, w = _nll_parts(x, target, weight, ignore_index)
    if reduction == "mean":
        coef = -w * (self / w.sum())
    else:
        coef = -w * (self.reshape(tc.shape) if reduction == "none" else self)
    xm = np.ascontiguousarray(xm)
    np.put_along_axis(xm, tc[..., None], coef[..., None].astype(self.dtype), -1)
    return np.moveaxis(xm, -1, 1).reshape(shape)


@defop(
    "MseLossBackward0",
    inputs=("self", "target"),
    rule="promote",
    grads={
        "self": lambda F, g, self, target, reduction: (
            _scale(g, self.shape, target.shape, reduction) * (2 * (self - target))
        ),
        "target": lambda F, g, self, target, reduction: (
            _scale(g, self.shape, target.shape, reduction) * (2 * (target - self))
        ),
    },
    method=False,
)
def mse_loss(self, target, reduction="mean"):
    """Matches `torch.nn.functional.mse_loss`."""
    d = self - target
    return _reduce(d * d, reduction, d.dtype)


def _huber_grad(F, g, self, target, reduction, delta, sign=1):
    d = (self - target) if sign == 1 else (target - self)
    return _scale(g, self.shape, target.shape, reduction) * F.clamp(d, -delta, delta)


@defop(
    "HuberLossBackward0",
    inputs=("self", "target"),
    rule="promote",
    grads={
        "self": lambda F, g, self, target, reduction, delta: _huber_grad(
            F, g, self, target, reduction, delta
        ),
        "target": lambda F, g, self, target, reduction, delta: _huber_grad(
            F, g, self, target, reduction, delta, -1
        ),
    },
    method=False,
)
def huber_loss(self, target, reduction="mean", delta=1.0):
    """Matches `torch.nn.functional.huber_loss`."""
    a = np.abs(self - target)
    loss = np.where(a < delta, 0.5 * a * a, delta * (a - 0.5 * delta))
    return _reduce(loss, reduction, a.dtype)


def _smooth_grad(F, g, self, target, reduction, beta, sign=1):
    d = (self - target) if sign == 1 else (target - self)
    s = _scale(g, self.shape, target.shape, reduction)
    if beta == 0:
        return s * F.sign(d)
    return s * (F.clamp(d, -beta, beta) / beta)


@defop(
    "SmoothL1LossBackward0",
    inputs=("self", "target"),
    rule="promote",
    grads={
        "self": lambda F, g, self, target, reduction, beta: _smooth_grad(
            F, g, self, target, reduction, beta
        ),
        "target": lambda F, g, self, target, reduction, beta: _smooth_grad(
            F, g, self, target, reduction, beta, -1
        ),
    },
    method=False,
)
def smooth_l1_loss(self, target, reduction="mean", beta=1.0):
    """Matches `torch.nn.functional.smooth_l1_loss`."""
    a = np.abs(self - target)
    if beta == 0:
        loss = a
    else:
        loss = np.where(a < beta, 0.5 * a * a / beta, a - 0.5 * beta)
    return _reduce(loss, reduction, a.dtype)


def _bce_self(F, g, self, target, weight, reduction):
    s = _scale(g, self.shape, target.shape, reduction)
    # PyTorch's epsilon keeps the gradient finite at 0 and 1
    r = s * (self - target) / F.clamp((1 - self) * self, 1e-12)
    return r if weight is None else r * weight


def _bce_target(F, g, self, target, weight, reduction):
    s = _scale(g, self.shape, target.shape, reduction)
    r = s * (F.clamp(F.log(1 - self), -100) - F.clamp(F.log(self), -100))
    return r if weight is None else r * weight


@defop(
    "BinaryCrossEntropyBackward0",
    inputs=("self", "target", "weight"),
    rule=None,
    grads={"self": _bce_self, "target": _bce_target},
    method=False,
)
def binary_cross_entropy(self, target, weight=None, reduction="mean"):
    """Matches `torch.nn.functional.binary_cross_entropy` (logs clamped at -100)."""
    if np.shape(self) != np.shape(target):
        raise ValueError(
            f"Using a target size ({_size(target)}) that is different to the input size "
            f"({_size(self)}) is deprecated. Please ensure they have the same size."
        )
    if np.any((self < 0) | (self > 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    lx = np.maximum(np.log(self), -100)
    l1x = np.maximum(np.log1p(-self), -100)
    loss = -(target * lx + (1 - target) * l1x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, self.dtype)


def _size(a):
    return f"torch.Size({list(np.shape(a))})"


def _softplus_neg(F, x):
    # log(1 + exp(-x)), never overflowing
    return F.log1p(F.exp(-F.abs(x))) + F.relu(-x)


def _bcel_self(F, g, self, target, weight, pos_weight, reduction):
    s = _scale(g, self.shape, target.shape, reduction)
    if pos_weight is None:
        r = s * (F.sigmoid(self) - target)
    else:
        lw = 1 + (pos_weight - 1) * target
        r = s * ((1 - target) + lw * (F.sigmoid(self) - 1))
    return r if weight is None else r * weight


def _bcel_target(F, g, self, target, weight, pos_weight, reduction):
    s = _scale(g, self.shape, target.shape, reduction)
    if pos_weight is None:
        r = s * -self
    else:
        r = s * ((pos_weight - 1) * _softplus_neg(F, self) - self)
    return r if weight is None else r * weight


@defop(
    "BinaryCrossEntropyWithLogitsBackward0",
    inputs=("self", "target", "weight", "pos_weight"),
    rule=None,
    grads={"self": _bcel_self, "target": _bcel_target},
    method=False,
)
def binary_cross_entropy_with_logits(self, target, weight=None, pos_weight=None, reduction="mean"):
    """Matches `torch.nn.functional.binary_cross_entropy_with_logits` (stable for any x)."""
    if np.shape(self) != np.shape(target):
        raise ValueError(
            f"Target size ({_size(target)}) must be the same as input size ({_size(self)})"
        )
    sp = np.log1p(np.exp(-np.abs(self))) + np.maximum(-self, 0)
    if pos_weight is None:
        loss = (1 - target) * self + sp
    else:
        loss = (1 - target) * self + (1 + (pos_weight - 1) * target) * sp
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction, self.dtype)


# ---- activations --------------------------------------------------------------------------


_SQRT_2_PI = math.sqrt(2.0 / math.pi)


def _gelu_grad(F, g, self, approximate):
    if approximate == "tanh":
        inner = _SQRT_2_PI * (self + 0.044715 * self * self * self)
        t = F.tanh(inner)
        d_inner = _SQRT_2_PI * (1 + 3 * 0.044715 * self * self)
        return g * (0.5 * (1 + t) + 0.5 * self * (1 - t * t) * d_inner)
    cdf = 0.5 * (1 + F.erf(self * (1 / math.sqrt(2.0))))
    pdf = F.exp(-0.5 * self * self) * (1 / math.sqrt(2 * math.pi))
    return g * (cdf + self * pdf)


@defop("GeluBackward0", rule="float", grads={"self": _gelu_grad}, method=False)
def gelu(self, approximate="none"):
    """Matches `torch.nn.functional.gelu` ('none': x * Phi(x); 'tanh': the approximation)."""
    if approximate == "tanh":
        return 0.5 * self * (1 + np.tanh(_SQRT_2_PI * (self + 0.044715 * self**3)))
    if approximate != "none":
        raise RuntimeError("approximate argument must be either none or tanh.")
    return (0.5 * self * (1 + _erf_array(self / math.sqrt(2.0)))).astype(self.dtype, copy=False)


@defop(
    "LeakyReluBackward0",
    rule="float",
    grads={"self": lambda F, g, self, negative_slope: F.where(self > 0, g, g * negative_slope)},
    method=False,
)
def leaky_relu(self, negative_slope=0.01):
    """Matches `torch.nn.functional.leaky_relu`."""
    return np.where(self > 0, self, self * negative_slope).astype(self.dtype, copy=False)


@defop(
    "EluBackward0",
    rule="float",
    grads={"self": lambda F, g, self, alpha, result: F.where(self > 0, g, g * (result + alpha))},
    method=False,
)
def elu(self, alpha=1.0):
    """Matches `torch.nn.functional.elu`."""
    return np.where(self > 0, self, alpha * np.expm1(np.minimum(self, 0))).astype(
        self.dtype, copy=False
    )


def _silu_grad(F, g, self):
    s = F.sigmoid(self)
    return g * (s * (1 + self * (1 - s)))


@defop("SiluBackward0", rule="float", grads={"self": _silu_grad}, method=False)
def silu(self):
    """x * sigmoid(x). Matches `torch.nn.functional.silu`."""
    e = np.exp(-np.abs(self))
    sig = np.where(self >= 0, 1 / (1 + e), e / (1 + e))
    return (self * sig).astype(self.dtype, copy=False)


def _softplus_grad(F, g, self, beta, threshold):
    z = self * beta
    return F.where(z > threshold, g, g * F.sigmoid(z))


@defop("SoftplusBackward0", rule="float", grads={"self": _softplus_grad}, method=False)
def softplus(self, beta=1.0, threshold=20.0):
    """Matches `torch.nn.functional.softplus` (linear above threshold)."""
    z = self * beta
    sp = (np.log1p(np.exp(-np.abs(z))) + np.maximum(z, 0)) / beta
    return np.where(z > threshold, self, sp).astype(self.dtype, copy=False)


@defop(
    "HardtanhBackward0",
    rule="float",
    grads={
        "self": lambda F, g, self, min_val, max_val: F.where(
            (self > min_val) & (self < max_val), g, F.zeros_grad(g)
        )
    },
    method=False,
)
def hardtanh(self, min_val=-1.0, max_val=1.0):
    """Matches `torch.nn.functional.hardtanh` (the gradient is 0 at the bounds)."""
    return np.clip(self, min_val, max_val)
