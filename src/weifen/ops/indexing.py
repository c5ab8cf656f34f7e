"""Indexing: x[...], x[...] = v, index_select, gather, scatter, scatter_add, masked_fill.

Advanced indices may repeat: their gradients accumulate (np.add.at), as in PyTorch.
"""

from __future__ import annotations

import numpy as np

from .._tensor import Tensor, _wrap_dim
from ._registry import defop


def raw_index(index):
    """A PyTorch index with Tensors replaced by arrays (bool tensors stay masks)."""
    if isinstance(index, tuple):
        return tuple(raw_index(i) for i in index)
    if isinstance(index, Tensor):
        d = index._data
        if d.dtype.kind == "f":
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        return d
    if isinstance(index, range):
        return np.arange(index.start, index.stop, index.step, dtype=np.int64)
    if isinstance(index, list):
        if any(isinstance(i, Tensor) for i in index):
            return np.asarray([raw_index(i) for i in index])
        return np.asarray(index) if index else np.asarray(index, dtype=np.int64)
    return index


def is_basic(index):
    """True when indexing returns a view (ints, slices, None, Ellipsis only)."""
    items = index if isinstance(index, tuple) else (index,)
    return all(
        i is None
        or i is Ellipsis
        or isinstance(i, slice)
        or (isinstance(i, int | np.integer) and not isinstance(i, bool))
        for i in items
    )


def _getitem_node(self, index):
    items = index if isinstance(index, tuple) else (index,)
    if not is_basic(index):
        return "IndexBackward0"
    items = [i for i in items if i is not Ellipsis]
    if not items:
        return "AliasBackward0"
    last = items[-1]
    if last is None:
        return "UnsqueezeBackward0"
    if isinstance(last, slice):
        return "SliceBackward0"
    return "SelectBackward0"


def _check_bounds(a, index):
    items = index if isinstance(index, tuple) else (index,)
    dim = 0
    for i in items:
        if i is Ellipsis:
            return
        if i is None:
            continue
        if isinstance(i, int | np.integer) and not isinstance(i, bool):
            if dim >= a.ndim:
                raise IndexError(f"too many indices for tensor of dimension {a.ndim}")
            n = a.shape[dim]
            if not -n <= i < n:
                raise IndexError(f"index {i} is out of bounds for dimension {dim} with size {n}")
        dim += 1 if not (isinstance(i, np.ndarray) and i.dtype == np.bool_) else max(i.ndim, 1)


@defop(
    _getitem_node,
    grads={"self": lambda F, g, self_shape, index: F.index_backward(g, self_shape, index)},
    method="__getitem__",
)
def getitem(self, index):
    """`x[index]`. Matches `torch.Tensor.__getitem__`."""
    idx = raw_index(index)
    _check_bounds(self, idx)
    out = self[idx]
    if not isinstance(out, np.ndarray):
        out = np.asarray(out)
    return out


@defop(
    "IndexBackwardBackward0",
    grads={"self": lambda F, g, index: F.getitem(g, index)},
    method=False,
)
def index_backward(self, shape, index):
    """Zeros of `shape` with `self` added at `index` (repeated indices accumulate)."""
    idx = raw_index(index)
    out = np.zeros(shape, self.dtype)
    if is_basic(idx):
        out[idx] = self
    else:
        np.add.at(out, idx, self)
    return out


@defop(
    "ZeroAtBackward0",
    grads={"self": lambda F, g, index: F.zero_at(g, index)},
    method=False,
)
def zero_at(self, index):
    """A copy of `self` with the elements at `index` set to zero."""
    out = self.copy()
    out[raw_index(index)] = 0
    return out


@defop(
    lambda self, values, index: "CopySlices" if is_basic(raw_index(index)) else "IndexPutBackward0",
    inputs=("self", "values"),
    grads={
        "self": lambda F, g, index: F.zero_at(g, index),
        "values": lambda F, g, index: F.getitem(g, index),
    },
    method=False,
)
def setitem(self, values, index):
    """The result of `x[index] = values`, out of place (Tensor.__setitem__ writes it back)."""
    out = self.copy()
    out[raw_index(index)] = values
    return out


def _index_select_backward(F, g, self_shape, dim, index):
    d = _wrap_dim(dim, len(self_shape))
    idx = (slice(None),) * d + (index,)
    return F.index_backward(g, self_shape, idx)


@defop("IndexSelectBackward0", grads={"self": _index_select_backward})
def index_select(self, dim, index):
    """Matches `torch.index_select`."""
    index = raw_index(index)
    if index.ndim > 1:
        raise IndexError("index_select(): Index is supposed to be a vector")
    d = _wrap_dim(dim, self.ndim)
    return np.take(self, index.reshape(-1), axis=d) if self.ndim else self[index]


def _grid(index, dim):
    """Full coordinates for gather/scatter: index along `dim`, position elsewhere."""
    index = raw_index(index)
    d = _wrap_dim(dim, index.ndim) if index.ndim else 0
    coords = list(np.indices(index.shape, sparse=True))
    coords[d] = index
    return tuple(coords)


@defop(
    "GatherBackward0",
    grads={
        "self": lambda F, g, self_shape, dim, index: F.scatter_add(
            F.zeros_grad_of_shape(g, self_shape), dim, index, g
        )
    },
)
def gather(self, dim, index, *, sparse_grad=False):
    """Matches `torch.gather`."""
    # the dtype check comes first: raw_index would reject a float index in other words
    index = index._data if isinstance(index, Tensor) else np.asarray(index)
    if index.dtype not in (np.int64, np.int32):
        raise RuntimeError("gather(): Expected dtype int32/int64 for index")
    if self.ndim != index.ndim and self.ndim and index.ndim:
        raise RuntimeError("Index tensor must have the same number of dimensions as input tensor")
    return self[_grid(index, dim)]


@defop(None, method=False)
def zeros_grad_of_shape(self, shape):
    """Zeros of `shape` in `self`'s dtype (a constant in the graph)."""
    return np.zeros(shape, self.dtype)


def _scatter_self(F, g, dim, index, reduce):
    if reduce is not None:  # as PyTorch: no derivative for the reduce= forms
        raise RuntimeError("derivative for aten::scatter is not implemented")
    return F.scatter(g, dim, index, 0.0)


def _scatter_src(F, g, dim, index, reduce):
    if reduce is not None:
        raise RuntimeError("derivative for aten::scatter is not implemented")
    return F.gather(g, dim, index)


def _scatter_node(self, dim, index, src, value, reduce):
    if reduce is not None:
        return "NotImplemented"  # PyTorch has no derivative for scatter with reduce
    return "ScatterBackward0" if isinstance(src, Tensor) else "ScatterBackward1"


@defop(
    _scatter_node,
    inputs=("self", "src"),
    grads={
        "self": lambda F, g, dim, index, reduce: _scatter_self(F, g, dim, index, reduce),
        "src": lambda F, g, dim, index, reduce: _scatter_src(F, g, dim, index, reduce),
    },
)
def scatter(self, dim, index, src=None, *, value=None, reduce=None):
    """Matches `torch.scatter` (src tensor or scalar value)."""
    if src is None:
        src = value
    out = self.copy()
    grid = _grid(index, dim)
    v = np.asarray(src)
    if v.ndim:
        v = v[tuple(slice(0, s) for s in np.shape(raw_index(index)))]
    if reduce is None:
        out[grid] = v
    elif reduce == "add":
        np.add.at(out, grid, v)
    elif reduce == "multiply":
        np.multiply.at(out, grid, v)
    else:
        raise RuntimeError(f"reduce argument must be either add or multiply. Got {reduce}")
    return out


@defop(
    "ScatterAddBackward0",
    inputs=("self", "src"),
    grads={
        "self": lambda F, g: g,
        "src": lambda F, g, dim, index: F.gather(g, dim, index),
    },
)
def scatter_add(self, dim, index, src):
    """Matches `torch.scatter_add` (repeated indices accumulate)."""
    out = self.copy()
    idx = raw_index(index)
    v = np.asarray(src)[tuple(slice(0, s) for s in idx.shape)]
    np.add.at(out, _grid(idx, dim), v)
    return out


# dtypes as PyTorch's messages spell them (C++ type names)
_C_NAMES = {
    "int64": "long int",
    "int32": "int",
    "int16": "short int",
    "int8": "signed char",
    "uint8": "unsigned char",
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
}


def _masked_fill_node(self, mask, value):
    return "MaskedFillBackward1" if isinstance(value, Tensor) else "MaskedFillBackward0"


@defop(
    _masked_fill_node,
    inputs=("self", "value"),
    grads={
        "self": lambda F, g, mask: F.where(mask, 0.0, g),
        "value": lambda F, g, mask: F.sum(F.where(mask, g, 0.0)),
    },
)
def masked_fill(self, mask, value):
    """Matches `torch.masked_fill`."""
    m = raw_index(mask)
    if m.dtype != np.bool_:
        raise RuntimeError(
            f"masked_fill_ only supports boolean masks, but got mask with dtype "
            f"{_C_NAMES.get(m.dtype.name, m.dtype.name)}"
        )
    v = np.asarray(value)
    if v.ndim:
        raise RuntimeError(
            "masked_fill_ only supports a 0-dimensional value tensor, but got tensor with "
            f"{v.ndim} dimension(s)."
        )
    return np.where(m, v.astype(self.dtype), self)


@defop(
    "MaskedSelectBackward0",
    grads={
        "self": lambda F, g, self_shape, mask: F.index_backward(
            g, self_shape, F.expand_mask(mask, self_shape)
        )
    },
)
def masked_select(self, mask):
    """Matches `torch.masked_select`."""
    m = np.broadcast_to(raw_index(mask), np.broadcast_shapes(self.shape, np.shape(raw_index(mask))))
    return np.broadcast_to(self, m.shape)[m]


@defop(None, method=False)
def expand_mask(self, shape):
    """A boolean mask broadcast to `shape` (a constant in the graph)."""
    return np.broadcast_to(raw_index(self), shape)
