"""Tensor-level functions built from table ops: overloads (max/min), dtype moves, in-place
variants, item assignment. None of these has a derivative of its own: each either calls table
ops (so the graph records those) or is an in-place wrapper around one."""

from __future__ import annotations

import builtins
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap, check_device
from ..autograd.grad_mode import _state
from . import indexing, pointwise, reduction, shape
from ._dispatch import check_inplace, commit_inplace, make_inplace
from ._registry import TABLE, defop


def max(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
    """Matches `torch.max`: all elements, (values, indices) along dim, or elementwise."""
    if isinstance(dim, Tensor):
        return pointwise.maximum(input, dim)
    if dim is None:
        return reduction.max_all(input)
    return reduction.max_dim(input, dim, keepdim)


def min(input: Tensor, dim: Any = None, keepdim: bool = False, *, out: Any = None) -> Any:
    """Matches `torch.min`."""
    if isinstance(dim, Tensor):
        return pointwise.minimum(input, dim)
    if dim is None:
        return reduction.min_all(input)
    return reduction.min_dim(input, dim, keepdim)


# ---- dtype moves --------------------------------------------------------------------------


@defop("ToCopyBackward0", grads={"self": lambda F, g: g}, method=False)
def to_dtype(self, dtype):
    """A copy in another dtype (the engine casts the gradient back)."""
    return self.astype(dtype.np)


def to(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    """Matches `torch.Tensor.to(dtype)`, `.to(device)`, `.to(other)`; CPU only."""
    dtype = kwargs.pop("dtype", None)
    copy = kwargs.pop("copy", False)
    check_device(kwargs.pop("device", None))
    for a in args:
        if isinstance(a, D.dtype):
            dtype = a
        elif isinstance(a, Tensor):
            dtype = a.dtype
        elif a is not None and not isinstance(a, bool):
            check_device(a)
    if dtype is None or dtype is self.dtype:
        return shape.clone(self) if copy else self
    return to_dtype(self, dtype)


def _caster(dt: D.dtype) -> Any:
    def cast(self: Tensor, memory_format: Any = None) -> Tensor:
        return self if self.dtype is dt else to_dtype(self, dt)

    return cast


def type_as(self: Tensor, other: Tensor) -> Tensor:
    return to(self, other.dtype)


def new_tensor(
    self: Tensor, data: Any, *, dtype: Any = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    from .._creation import tensor

    return tensor(data, dtype=dtype or self.dtype, requires_grad=requires_grad)


def _new_filled(value: Any) -> Any:
    def new(
        self: Tensor, *size: Any, dtype: Any = None, device: Any = None, requires_grad: bool = False
    ) -> Tensor:
        from .._creation import _fill

        return _fill(size, value, dtype or self.dtype, requires_grad, device)

    return new


def new_full(
    self: Tensor,
    size: Any,
    fill_value: Any,
    *,
    dtype: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    from .._creation import _fill

    return _fill(tuple(size), fill_value, dtype or self.dtype, requires_grad, device)


# ---- in-place ops -------------------------------------------------------------------------


@defop(
    "FillBackward0",
    inputs=("self", "value"),
    grads={
        "self": lambda F, g: F.zeros_grad(g),
        "value": lambda F, g: F.sum(g),
    },
    method=False,
)
def fill(self, value):
    """A tensor shaped like self, filled with value."""
    return np.full_like(self, value)


@defop("ZeroBackward0", grads={"self": lambda F, g: F.zeros_grad(g)}, method=False)
def zero(self):
    return np.zeros_like(self)


@defop(
    "CopyBackwards",
    inputs=("self", "src"),
    grads={
        "self": lambda F, g: F.zeros_grad(g),
        "src": lambda F, g: g,
    },
    method=False,
)
def copy_from(self, src):
    """src broadcast to self's shape, in self's dtype."""
    return np.broadcast_to(np.asarray(src), self.shape).astype(self.dtype)


def fill_(self: Tensor, value: Any) -> Tensor:
    """Matches `torch.Tensor.fill_`."""
    return _inplace("fill", self, value)


def zero_(self: Tensor) -> Tensor:
    """Matches `torch.Tensor.zero_`."""
    if not (_state.enabled and self._requires_grad):
        self._data[...] = 0
        self._version[0] += 1
        return self
    return _inplace("zero", self)


def copy_(self: Tensor, src: Any, non_blocking: bool = False) -> Tensor:
    """Matches `torch.Tensor.copy_` (broadcasts src, casts to self's dtype)."""
    recording = check_inplace(self, isinstance(src, Tensor) and src._requires_grad)
    if not recording:
        s = src._data if isinstance(src, Tensor) else src
        self._data[...] = s
        self._version[0] += 1
        return self
    return commit_inplace(self, copy_from(self, src))


def _inplace(name: str, self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
    return _INPLACE[name](self, *args, **kwargs)


_INPLACE: dict[str, Any] = {}

# In-place variants of table ops: `x.add_(y)` is `add` computed out of place, then written
# into x (see _dispatch.make_inplace for the graph side).
INPLACE_OPS = (
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "clamp",
    "neg",
    "abs",
    "exp",
    "log",
    "sqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "relu",
    "floor",
    "ceil",
    "round",
    "trunc",
    "frac",
    "reciprocal",
    "sign",
    "masked_fill",
    "scatter",
    "scatter_add",
    "fill",
    "zero",
    "lerp",
    "remainder",
    "fmod",
    "floor_divide",
    "rsqrt",
    "expm1",
    "log1p",
    "log2",
    "log10",
    "square_",
    "t",
    "transpose",
    "squeeze",
    "unsqueeze",
    "clamp_min_",
    "clamp_max_",
    "nan_to_num",
    "atan2",
    "tril",
    "triu",
    "erf",
    "asin",
    "acos",
    "atan",
    "sinh",
    "cosh",
    "tan",
    "maximum_",
    "minimum_",
    "eq",
    "ne",
    "lt",
    "le",
    "gt",
    "ge",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "index_select_",
)


def build_inplace() -> dict[str, Any]:
    out = {}
    for name in INPLACE_OPS:
        op = TABLE.get(name)
        if op is None:
            continue
        f = make_inplace(op)
        _INPLACE[name] = f
        out[name + "_"] = f
    return out


def clamp_min_(self: Tensor, min: Any) -> Tensor:
    return _INPLACE["clamp"](self, min=min)


def clamp_max_(self: Tensor, max: Any) -> Tensor:
    return _INPLACE["clamp"](self, max=max)


def square_(self: Tensor) -> Tensor:
    return _INPLACE["pow"](self, 2)


# ---- item assignment --------------------------------------------------------------------------


def setitem(self: Tensor, index: Any, value: Any) -> None:
    """`x[index] = value`. Matches `torch.Tensor.__setitem__` (records CopySlices /
    IndexPutBackward0 when a gradient must flow through the assignment)."""
    vrg = isinstance(value, Tensor) and value._requires_grad
    recording = check_inplace(self, vrg)
    if not recording:
        idx = indexing.raw_index(index)
        self._data[idx] = value._data if isinstance(value, Tensor) else value
        self._version[0] += 1
        return
    commit_inplace(self, indexing.setitem(self, value, index))


# ---- random in-place fills (used by nn.init) ----------------------------------------------------


def _random_fill(self: Tensor, data: np.ndarray) -> Tensor:
    check_inplace(self)
    self._data[...] = data
    self._version[0] += 1
    return self


def uniform_(self: Tensor, a: float = 0.0, b: float = 1.0, *, generator: Any = None) -> Tensor:
    """Matches `torch.Tensor.uniform_`."""
    from .._random import rng

    return _random_fill(self, rng(generator).uniform(a, b, self._data.shape))


def normal_(self: Tensor, mean: float = 0.0, std: float = 1.0, *, generator: Any = None) -> Tensor:
    """Matches `torch.Tensor.normal_`."""
    from .._random import rng

    return _random_fill(self, mean + std * rng(generator).standard_normal(self._data.shape))


def bernoulli_(self: Tensor, p: float = 0.5, *, generator: Any = None) -> Tensor:
    from .._random import rng

    return _random_fill(self, rng(generator).random(self._data.shape) < p)


def random_(
    self: Tensor, from_: int = 0, to: int | None = None, *, generator: Any = None
) -> Tensor:
    from .._random import rng

    if to is None:
        from_, to = 0, from_ if from_ else 2**24
    return _random_fill(self, rng(generator).integers(from_, to, self._data.shape))


def exponential_(self: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    from .._random import rng

    return _random_fill(self, rng(generator).exponential(1 / lambd, self._data.shape))


def bernoulli(input: Tensor, p: Any = None, *, generator: Any = None) -> Tensor:
    """Matches `torch.bernoulli`."""
    from .._random import rng

    prob = input._data if p is None else p
    return _wrap(
        (rng(generator).random(input._data.shape) < prob).astype(input.dtype.np), input.dtype
    )


def multinomial(
    input: Tensor, num_samples: int, replacement: bool = False, *, generator: Any = None
) -> Tensor:
    """Matches `torch.multinomial`."""
    from .._random import rng

    r = rng(generator)
    p = np.atleast_2d(input._data.astype(np.float64))
    out = np.stack(
        [r.choice(p.shape[1], num_samples, replace=replacement, p=row / row.sum()) for row in p]
    )
    if input.ndim == 1:
        out = out[0]
    return _wrap(out.astype(np.int64), D.int64)


# ---- sorting, selection and comparison composites ------------------------------------------
# Bound as Tensor methods where Tensor lacks them. Not exported as torch.* functions yet: each
# public function needs its spec in tests/opdb.py first (test_every_public_function_has_a_spec).


def _wdim(dim: int, ndim: int) -> int:
    n = builtins.max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n


def argsort(input: Tensor, dim: int = -1, descending: bool = False, stable: bool = False) -> Tensor:
    """Matches `torch.argsort`."""
    return _wrap(reduction.sort_indices(input._data, dim, descending), D.int64)


def nonzero(input: Tensor, *, out: Any = None, as_tuple: bool = False) -> Any:
    """Matches `torch.nonzero`: an (n, ndim) int64 tensor, or a tuple of index tensors."""
    raw = input._data
    if not as_tuple:
        return _wrap(np.argwhere(raw).astype(np.int64), D.int64)
    if raw.ndim == 0:
        return (_wrap(np.zeros(int(bool(raw)), np.int64), D.int64),)
    return tuple(_wrap(i.astype(np.int64), D.int64) for i in np.nonzero(raw))


def _scalar_name(dt: D.dtype) -> str:
    names = {
        "float32": "Float",
        "float64": "Double",
        "float16": "Half",
        "int64": "Long",
        "int32": "Int",
        "int16": "Short",
        "int8": "Char",
        "uint8": "Byte",
        "bool": "Bool",
        "complex64": "ComplexFloat",
        "complex128": "ComplexDouble",
    }
    return names.get(str(dt).split(".")[-1], str(dt))


def _close(input: Tensor, other: Tensor, rtol: float, atol: float, equal_nan: bool) -> np.ndarray:
    if input.dtype is not other.dtype:
        raise RuntimeError(f"{_scalar_name(input.dtype)} did not match {_scalar_name(other.dtype)}")
    return np.isclose(input._data, other._data, rtol=rtol, atol=atol, equal_nan=equal_nan)


def isclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> Tensor:
    """Matches `torch.isclose`."""
    return _wrap(np.asarray(_close(input, other, rtol, atol, equal_nan)), D.bool)


def allclose(
    input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False
) -> bool:
    """Matches `torch.allclose`."""
    return bool(np.all(_close(input, other, rtol, atol, equal_nan)))


def equal(input: Tensor, other: Tensor) -> bool:
    """Matches `torch.equal`: same shape and the same values."""
    return input.shape == other.shape and bool(np.array_equal(input._data, other._data))


def count_nonzero(input: Tensor, dim: Any = None) -> Tensor:
    """Matches `torch.count_nonzero`."""
    axis = (
        None
        if dim is None
        else (
            tuple(_wdim(d, input.ndim) for d in dim)
            if isinstance(dim, list | tuple)
            else _wdim(dim, input.ndim)
        )
    )
    return _wrap(np.asarray(np.count_nonzero(input._data, axis=axis)).astype(np.int64), D.int64)


def broadcast_shapes(*shapes: Any) -> Any:
    """Matches `torch.broadcast_shapes` (and its error, which names the first misfit)."""
    from .._tensor import Size

    norm = [(int(s),) if isinstance(s, int | np.integer) else tuple(s) for s in shapes]
    result: list[int] = []
    for i, sh in enumerate(norm):
        if len(sh) > len(result):
            result = [1] * (len(sh) - len(result)) + result
        for k in builtins.range(1, len(sh) + 1):
            have, want = sh[-k], result[-k]
            if want == 1:
                result[-k] = have
            elif have != 1 and have != want:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {have} at {-k}! Mismatching "
                    f"argument at index {i} had {sh}; but expected shape should be broadcastable "
                    f"to {result}"
                )
    return Size(result)


def broadcast_tensors(*tensors: Any) -> tuple:
    """Matches `torch.broadcast_tensors`."""
    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    target = broadcast_shapes(*(t.shape for t in tensors))
    return tuple(shape.expand(t, *target) for t in tensors)


def meshgrid(*tensors: Any, indexing: str | None = None) -> tuple:
    """Matches `torch.meshgrid` ('ij' unless indexing='xy')."""
    import warnings

    if len(tensors) == 1 and isinstance(tensors[0], list | tuple):
        tensors = tuple(tensors[0])
    if indexing is None:
        warnings.warn(
            "torch.meshgrid: in an upcoming release, it will be required to pass the indexing "
            "argument.",
            UserWarning,
            stacklevel=2,
        )
        indexing = "ij"
    ts = list(tensors)
    swap = indexing == "xy" and len(ts) >= 2
    if swap:
        ts[0], ts[1] = ts[1], ts[0]
    sizes = [t.numel() for t in ts]
    n = len(ts)
    out = []
    for i, t in enumerate(ts):
        view = [1] * n
        view[i] = sizes[i]
        out.append(shape.expand(shape.reshape(t, view), *sizes))
    if swap:
        out[0], out[1] = out[1], out[0]
    return tuple(out)


def repeat_interleave(
    input: Any, repeats: Any = None, dim: int | None = None, *, output_size: Any = None
) -> Tensor:
    """Matches `torch.repeat_interleave` (an index_select with repeated indices)."""
    if repeats is None:  # torch.repeat_interleave(repeats): indices repeated by their counts
        counts = input._data.astype(np.int64)
        return _wrap(np.repeat(np.arange(counts.size), counts).astype(np.int64), D.int64)
    if dim is None:
        input = shape.reshape(input, (-1,))
        dim = 0
    d = _wdim(dim, input.ndim)
    n = input.shape[d]
    if isinstance(repeats, int):  # PyTorch: unsqueeze, expand, clone, flatten
        sizes = list(input.shape)
        sizes.insert(d + 1, repeats)
        grown = shape.clone(shape.expand(shape.unsqueeze(input, d + 1), *sizes))
        new = list(input.shape)
        new[d] = n * repeats
        return shape.reshape(grown, tuple(new))
    reps = repeats._data if isinstance(repeats, Tensor) else repeats
    idx = np.repeat(np.arange(n), reps).astype(np.int64)
    return indexing.index_select(input, dim, _wrap(idx, D.int64))


def tile(input: Tensor, *dims: Any) -> Tensor:
    """Matches `torch.tile`: repeat with leading ones for missing dims."""
    dims = tuple(dims[0]) if len(dims) == 1 and not isinstance(dims[0], int) else dims
    dims = (1,) * (input.ndim - len(dims)) + dims
    return shape.repeat(input, *dims)


# broadcast_shapes, broadcast_tensors and meshgrid (torch.* only) wait for their opdb specs.
EXTRA_METHODS = {
    "argsort": argsort,
    "nonzero": nonzero,
    "isclose": isclose,
    "allclose": allclose,
    "equal": equal,
    "count_nonzero": count_nonzero,
    "repeat_interleave": repeat_interleave,
    "tile": tile,
}
