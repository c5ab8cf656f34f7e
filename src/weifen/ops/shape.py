"""Shape ops. Those marked `view=True` return NumPy views: they share memory (and the version
counter) with their input, as PyTorch's views do."""

from __future__ import annotations

import numpy as np

from .._tensor import Size, _wrap_dim
from ._registry import defop


def _sizes(args):
    """`x.view(2, 3)` and `x.view((2, 3))` both mean (2, 3)."""
    if len(args) == 1 and isinstance(args[0], list | tuple | Size):
        args = tuple(args[0])
    return tuple(int(a) for a in args)


def _infer(shape, numel):
    shape = list(shape)
    neg = [i for i, s in enumerate(shape) if s == -1]
    if len(neg) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = 1
    for s in shape:
        if s != -1:
            if s < 0:
                raise RuntimeError(f"invalid shape dimension {s}")
            known *= s
    if neg:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape[neg[0]] = numel // known
    elif known != numel:
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
    return tuple(shape)


def _reshape_grad(F, g, self_shape):
    return F.reshape(g, self_shape)


@defop("ViewBackward0", grads={"self": _reshape_grad}, view=True)
def view(self, *shape):
    """Matches `torch.Tensor.view`: never copies; an incompatible layout is an error."""
    if len(shape) == 1 and not isinstance(shape[0], list | tuple | Size | int):
        raise NotImplementedError("weifen: view(dtype) is not supported")
    shape = _infer(_sizes(shape), self.size)
    try:
        return np.reshape(self, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None


@defop("ViewBackward0", grads={"self": _reshape_grad}, view=True)
def reshape(self, *shape):
    """Matches `torch.reshape` (a view when possible, else a copy)."""
    return np.reshape(self, _infer(_sizes(shape), self.size))


def view_as(self, other):
    """Matches `torch.Tensor.view_as`."""
    return view(self, other.shape)


def reshape_as(self, other):
    """Matches `torch.Tensor.reshape_as`."""
    return reshape(self, other.shape)


def flatten(self, start_dim=0, end_dim=-1):
    """Matches `torch.flatten` (returns the input itself when there is nothing to merge)."""
    nd = self.ndim
    if nd == 0:
        return reshape(self, (1,))
    s, e = _wrap_dim(start_dim, nd), _wrap_dim(end_dim, nd)
    if s > e:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if s == e:
        return self
    shp = self.shape
    n = 1
    for d in shp[s : e + 1]:
        n *= d
    return reshape(self, tuple(shp[:s]) + (n,) + tuple(shp[e + 1 :]))


def unflatten(self, dim, sizes):
    """Matches `torch.unflatten`."""
    d = _wrap_dim(dim, self.ndim)
    shp = tuple(self.shape)
    sizes = _infer(tuple(sizes), shp[d])
    return view(self, shp[:d] + sizes + shp[d + 1 :])


def _squeeze_node(self, dim):
    if dim is None:
        return "SqueezeBackward0"
    return "SqueezeBackward2" if isinstance(dim, tuple | list) else "SqueezeBackward1"


@defop(_squeeze_node, grads={"self": _reshape_grad}, view=True)
def squeeze(self, dim=None):
    """Matches `torch.squeeze` (dims of size other than 1 are left alone)."""
    if dim is None:
        return np.squeeze(self)
    dims = dim if isinstance(dim, tuple | list) else (dim,)
    axes = tuple(
        a for a in (_wrap_dim(d, self.ndim) for d in dims) if self.ndim and self.shape[a] == 1
    )
    return np.squeeze(self, axes) if axes else self.view()


@defop("UnsqueezeBackward0", grads={"self": _reshape_grad}, view=True)
def unsqueeze(self, dim):
    """Matches `torch.unsqueeze`."""
    return np.expand_dims(self, _wrap_dim(dim, self.ndim + 1))


def _perm(dims, nd):
    dims = _sizes(dims)
    if len(dims) != nd:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            f"length of the desired ordering of dimensions i.e. input.dim() = {nd} is not equal "
            f"to len(dims) = {len(dims)}"
        )
    return tuple(_wrap_dim(d, nd) for d in dims)


def _inverse_perm(dims, nd):
    return tuple(int(i) for i in np.argsort(_perm(dims, nd)))


@defop(
    "PermuteBackward0",
    # dims is the *dims tuple as called: (2, 0, 1) or ((2, 0, 1),); g.ndim resolves both
    grads={"self": lambda F, g, dims: F.permute(g, _inverse_perm(dims, g.ndim))},
    view=True,
)
def permute(self, *dims):
    """Matches `torch.permute`."""
    return np.transpose(self, _perm(dims, self.ndim))


@defop(
    "TransposeBackward0",
    grads={"self": lambda F, g, dim0, dim1: F.transpose(g, dim0, dim1)},
    view=True,
)
def transpose(self, dim0, dim1):
    """Matches `torch.transpose`."""
    if self.ndim == 0:
        return self.view()
    return np.swapaxes(self, _wrap_dim(dim0, self.ndim), _wrap_dim(dim1, self.ndim))


swapaxes = swapdims = transpose


@defop("TBackward0", grads={"self": lambda F, g: F.t(g)}, view=True)
def t(self):
    """Matches `torch.t`."""
    if self.ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {self.ndim}D")
    return self.T


@defop(
    "ExpandBackward0",
    grads={"self": lambda F, g, self_shape: F.sum_to_size(g, self_shape)},
    view=True,
)
def expand(self, *sizes):
    """Matches `torch.Tensor.expand` (a broadcast view; -1 keeps a size)."""
    sizes = _sizes(sizes)
    lead = len(sizes) - self.ndim
    if lead < 0:
        raise RuntimeError(
            f"expand({_type_name(self)}{{{list(self.shape)}}}, size={list(sizes)}): the number "
            "of sizes provided "
            f"({len(sizes)}) must be greater or equal to the number of dimensions in the tensor "
            f"({self.ndim})"
        )
    shape = tuple(
        (self.shape[i - lead] if s == -1 else s) if i >= lead else s for i, s in enumerate(sizes)
    )
    for i in range(self.ndim):
        if self.shape[i] != 1 and self.shape[i] != shape[i + lead]:
            raise RuntimeError(
                f"The expanded size of the tensor ({shape[i + lead]}) must match the existing "
                f"size ({self.shape[i]}) at non-singleton dimension {i + lead}.  Target sizes: "
                f"{list(sizes)}.  Tensor sizes: {list(self.shape)}"
            )
    return np.broadcast_to(self, shape)


def _type_name(a):
    from .._dtype import FROM_NP
    from ._dispatch import _TYPE_NAMES

    return f"torch.{_TYPE_NAMES[FROM_NP[a.dtype].name]}Tensor"


def expand_as(self, other):
    """Matches `torch.Tensor.expand_as`."""
    return expand(self, other.shape)


def broadcast_to(self, size):
    """Matches `torch.broadcast_to`."""
    return expand(self, size)


def _repeat_grad(F, g, self_shape, sizes):
    reps = _sizes(sizes)
    lead = len(reps) - len(self_shape)
    shape = (1,) * lead + tuple(self_shape)
    split = []
    for r, s in zip(reps, shape):
        split += [r, s]
    axes = tuple(range(0, 2 * len(reps), 2))
    return F.reshape(F.sum(F.reshape(g, tuple(split)), axes), self_shape)


@defop("RepeatBackward0", grads={"self": _repeat_grad})
def repeat(self, *sizes):
    """Matches `torch.Tensor.repeat`."""
    reps = _sizes(sizes)
    if len(reps) < self.ndim:
        raise RuntimeError(
            "Number of dimensions of repeat dims can not be smaller than number of dimensions "
            "of tensor"
        )
    return np.tile(self, reps)


@defop("FlipBackward0", grads={"self": lambda F, g, dims: F.flip(g, *dims)})  # *dims as called
def flip(self, *dims):
    """Matches `torch.flip`."""
    d = _sizes(dims)
    return np.flip(self, tuple(_wrap_dim(x, self.ndim) for x in d)).copy()


def fliplr(self):
    return flip(self, (1,))


def flipud(self):
    return flip(self, (0,))


def _roll_grad(F, g, shifts, dims):
    if isinstance(shifts, int):
        return F.roll(g, -shifts, dims)
    return F.roll(g, tuple(-s for s in shifts), dims)


@defop("RollBackward0", grads={"self": _roll_grad})
def roll(self, shifts, dims=None):
    """Matches `torch.roll`."""
    if dims is None:
        return np.roll(self.reshape(-1), shifts).reshape(self.shape)
    return np.roll(self, shifts, dims)


def _cat_grad(F, g, tensors, dim):
    sizes = [t.shape[_wrap_dim(dim, len(t.shape))] if len(t.shape) else 0 for t in tensors]
    nd = g.ndim
    d = _wrap_dim(dim, nd)
    out, start = [], 0
    for t, n in zip(tensors, sizes):
        if len(t.shape) == 1 and t.shape[0] == 0 and nd > 1:
            out.append(None)
            continue
        out.append(F.narrow(g, d, start, n))
        start += n
    return out


@defop(
    "CatBackward0", inputs=("*tensors",), rule="promote", grads={"tensors": _cat_grad}, method=False
)
def cat(tensors, dim=0):
    """Matches `torch.cat`."""
    if len(tensors) == 0:
        raise RuntimeError("torch.cat(): expected a non-empty list of Tensors")
    parts = [t for t in tensors if not (t.ndim == 1 and t.shape[0] == 0)] or list(tensors)
    nd = parts[0].ndim
    if nd == 0:
        raise RuntimeError("zero-dimensional tensor (at position 0) cannot be concatenated")
    d = _wrap_dim(dim, nd)
    for i, t in enumerate(parts):
        if t.ndim != nd:
            raise RuntimeError(
                f"Tensors must have same number of dimensions: got {nd} and {t.ndim}"
            )
        for k in range(nd):
            if k != d and t.shape[k] != parts[0].shape[k]:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size "
                    f"{parts[0].shape[k]} but got size {t.shape[k]} for tensor number {i} in the "
                    "list."
                )
    return np.concatenate(parts, axis=d)


concat = concatenate = cat


def _stack_grad(F, g, dim):
    d = _wrap_dim(dim, g.ndim)
    return [F.select(g, d, i) for i in range(g.shape[d])]


@defop(
    "StackBackward0",
    inputs=("*tensors",),
    rule="promote",
    grads={"tensors": _stack_grad},
    method=False,
)
def stack(tensors, dim=0):
    """Matches `torch.stack`."""
    if len(tensors) == 0:
        raise RuntimeError("stack expects a non-empty TensorList")
    s0 = tensors[0].shape
    for i, t in enumerate(tensors):
        if t.shape != s0:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(s0)} at entry 0 and "
                f"{list(t.shape)} at entry {i}"
            )
    return np.stack(tensors, axis=_wrap_dim(dim, tensors[0].ndim + 1))


def hstack(tensors):
    return cat(tensors, 0 if tensors[0].ndim == 1 else 1)


def vstack(tensors):
    return cat([t.reshape(1, -1) if t.ndim == 1 else t for t in tensors], 0)


def _split_grad(F, g, self_shape, split_size_or_sections, dim):
    if all(x is not None for x in g):
        return F.cat(list(g), dim)
    # outputs that received no gradient contribute zeros: place the others
    d = _wrap_dim(dim, len(self_shape))
    sizes = _split_sizes(self_shape[d], split_size_or_sections)
    out, start = None, 0
    for x, n in zip(g, sizes):
        if x is not None:
            part = F.narrow_backward(x, self_shape, d, start)
            out = part if out is None else out + part
        start += n
    return out


def _split_sizes(n, split_size_or_sections):
    if isinstance(split_size_or_sections, int):
        s = split_size_or_sections
        if s <= 0 and n:
            raise RuntimeError(
                f"split_size can only be 0 if dimension size is 0, but got dimension size of {n}"
            )
        return [min(s, n - i) for i in range(0, n, s)] if n else [0]
    sizes = list(split_size_or_sections)
    if sum(sizes) != n:
        raise RuntimeError(
            f"split_with_sizes expects split_sizes to sum exactly to {n} (input tensor's size at "
            f"dimension 0), but got split_sizes={sizes}"
        )
    return sizes


@defop(
    lambda self, s, dim: "SplitBackward0" if isinstance(s, int) else "SplitWithSizesBackward0",
    grads={"self": _split_grad},
    outputs="multi",
    view=True,
)
def split(self, split_size_or_sections, dim=0):
    """Matches `torch.split`."""
    d = _wrap_dim(dim, self.ndim)
    sizes = _split_sizes(self.shape[d], split_size_or_sections)
    idx = np.cumsum(sizes)[:-1]
    return tuple(np.split(self, idx, axis=d))


def chunk(self, chunks, dim=0):
    """Matches `torch.chunk`."""
    if chunks <= 0:
        raise RuntimeError("chunk expects `chunks` to be greater than 0, got: " + str(chunks))
    n = self.shape[_wrap_dim(dim, self.ndim)]
    size = -(-n // chunks) if n else 1
    return split(self, size, dim)


def _unbind_grad(F, g, self_shape, dim):
    if all(x is not None for x in g):
        return F.stack(list(g), dim)
    out = None
    for i, x in enumerate(g):
        if x is not None:
            part = F.select_backward(x, self_shape, dim, i)
            out = part if out is None else out + part
    return out


@defop("UnbindBackward0", grads={"self": _unbind_grad}, outputs="multi", view=True)
def unbind(self, dim=0):
    """Matches `torch.unbind`."""
    d = _wrap_dim(dim, self.ndim)
    return tuple(np.moveaxis(self, d, 0))


def _narrow_grad(F, g, self_shape, dim, start, length):
    return F.narrow_backward(g, self_shape, dim, start)


@defop("SliceBackward0", grads={"self": _narrow_grad}, view=True)
def narrow(self, dim, start, length):
    """Matches `torch.narrow`."""
    d = _wrap_dim(dim, self.ndim)
    n = self.shape[d]
    start = int(start)
    if start < 0:
        start += n
    if not 0 <= start <= n or start + length > n:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size ({n}).")
    idx = [slice(None)] * self.ndim
    idx[d] = slice(start, start + length)
    return self[tuple(idx)]


@defop(
    "SliceBackwardBackward0",
    grads={
        "self": lambda F, g, self_shape, dim, start: F.narrow(
            g, dim, start, self_shape[_wrap_dim(dim, len(self_shape))]
        )
    },
    method=False,
)
def narrow_backward(self, shape, dim, start):
    """Zeros of `shape` with `self` placed at `start` along `dim` (narrow's adjoint)."""
    out = np.zeros(shape, self.dtype)
    d = _wrap_dim(dim, len(shape))
    start = int(start) % shape[d] if start < 0 else int(start)
    idx = [slice(None)] * len(shape)
    idx[d] = slice(start, start + self.shape[d])
    out[tuple(idx)] = self
    return out


@defop(
    "SelectBackward0",
    grads={
        "self": lambda F, g, self_shape, dim, index: F.select_backward(g, self_shape, dim, index)
    },
    view=True,
)
def select(self, dim, index):
    """Matches `torch.select`."""
    d = _wrap_dim(dim, self.ndim)
    n = self.shape[d]
    if not -n <= index < n:
        raise IndexError(
            f"select(): index {index} out of range for tensor of size {list(self.shape)} at "
            f"dimension {d}"
        )
    idx = [slice(None)] * self.ndim
    idx[d] = index
    return self[tuple(idx)]


@defop(
    "SelectBackwardBackward0",
    grads={"self": lambda F, g, dim, index: F.select(g, dim, index)},
    method=False,
)
def select_backward(self, shape, dim, index):
    """Zeros of `shape` with `self` placed at `index` along `dim` (select's adjoint)."""
    out = np.zeros(shape, self.dtype)
    d = _wrap_dim(dim, len(shape))
    idx = [slice(None)] * len(shape)
    idx[d] = index
    out[tuple(idx)] = self
    return out


@defop("CloneBackward0", grads={"self": lambda F, g: F.clone(g)})
def clone(self, *, memory_format=None):
    """Matches `torch.clone`."""
    return self.copy()


def contiguous(self, memory_format=None):
    """Matches `torch.Tensor.contiguous` (the tensor itself when already contiguous)."""
    return self if self._data.flags.c_contiguous else clone(self)


@defop("TrilBackward0", grads={"self": lambda F, g, diagonal: F.tril(g, diagonal)})
def tril(self, diagonal=0):
    """Matches `torch.tril`."""
    return np.tril(self, diagonal)


@defop("TriuBackward0", grads={"self": lambda F, g, diagonal: F.triu(g, diagonal)})
def triu(self, diagonal=0):
    """Matches `torch.triu`."""
    return np.triu(self, diagonal)


def _diag_grad(F, g, self_shape, diagonal):
    if len(self_shape) == 1:
        return F.diagonal(g, diagonal)
    # not diag(g, diagonal): that is square, and a non-square input needs its own shape back
    return F.diagonal_backward(g, self_shape, diagonal, 0, 1)


@defop(
    # PyTorch 2.13 names the matrix case's node DiagonalBackward0_copy (diag goes through
    # diagonal_copy); we mirror the name
    lambda self, diagonal: "DiagEmbedBackward0" if self.ndim == 1 else "DiagonalBackward0_copy",
    grads={"self": _diag_grad},
)
def diag(self, diagonal=0):
    """Matches `torch.diag` (vector to matrix, or matrix to its diagonal)."""
    if self.ndim not in (1, 2):
        raise RuntimeError("diag(): Supports 1D or 2D tensors. Got " + f"{self.ndim}D")
    if self.ndim == 2:
        return np.diagonal(self, diagonal).copy()
    return np.diag(self, diagonal)


@defop(
    "DiagonalBackward0",
    grads={
        "self": lambda F, g, self_shape, offset, dim1, dim2: F.diagonal_backward(
            g, self_shape, offset, dim1, dim2
        )
    },
    view=True,
)
def diagonal(self, offset=0, dim1=0, dim2=1):
    """Matches `torch.diagonal` (a read-only view here)."""
    return np.diagonal(self, offset, _wrap_dim(dim1, self.ndim), _wrap_dim(dim2, self.ndim))


@defop(
    "DiagonalBackwardBackward0",
    grads={"self": lambda F, g, offset, dim1, dim2: F.diagonal(g, offset, dim1, dim2)},
    method=False,
)
def diagonal_backward(self, shape, offset, dim1, dim2):
    """Zeros of `shape` with `self` on the given diagonal (diagonal's adjoint)."""
    out = np.zeros(shape, self.dtype)
    d1, d2 = _wrap_dim(dim1, len(shape)), _wrap_dim(dim2, len(shape))
    m = np.moveaxis(out, (d1, d2), (-2, -1))  # a writable view of out
    i = np.arange(self.shape[-1])
    rows, cols = (i, i + offset) if offset >= 0 else (i - offset, i)
    m[..., rows, cols] = self
    return out


@defop(
    "PermuteBackward0",  # movedim is a permute in PyTorch, and its node says so
    grads={"self": lambda F, g, source, destination: F.movedim(g, destination, source)},
    view=True,
)
def movedim(self, source, destination):
    """Matches `torch.movedim`."""
    return np.moveaxis(self, source, destination)


moveaxis = movedim


@defop(
    lambda self: "ConjBackward0" if self.dtype.is_complex else "TransposeBackward0",
    grads={"self": lambda F, g: F.adjoint(g)},
)
def adjoint(self):
    """The conjugate transpose of the last two dims. Matches `torch.adjoint`."""
    if self.ndim == 0:
        import warnings

        warnings.warn(
            "adjoint() is deprecated on 0-D tensors. Consider using x.conj().",
            UserWarning,
            stacklevel=3,
        )
        return np.conjugate(self) if self.dtype.kind == "c" else self.copy()
    if self.ndim == 1:
        raise RuntimeError(
            "tensor.adjoint() is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    t = np.swapaxes(self, -1, -2)
    return np.conjugate(t) if self.dtype.kind == "c" else t
