"""Tensor creation: tensor, zeros, ones, arange, randn, ... with PyTorch's dtype inference."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import _dtype as D
from ._random import Generator, rng
from ._tensor import Size, Tensor, _wrap, check_device

__all__ = [
    "tensor",
    "as_tensor",
    "asarray",
    "from_numpy",
    "zeros",
    "ones",
    "full",
    "empty",
    "arange",
    "range",
    "linspace",
    "logspace",
    "eye",
    "zeros_like",
    "ones_like",
    "full_like",
    "empty_like",
    "rand",
    "randn",
    "randint",
    "randperm",
    "normal",
    "rand_like",
    "randn_like",
    "randint_like",
    "scalar_tensor",
]


def _finish(data: np.ndarray, dtype: D.dtype, requires_grad: bool) -> Tensor:
    t = _wrap(data, dtype)
    if requires_grad:
        if dtype._category < D._FLOAT:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients"
            )
        t._requires_grad = True
    return t


def _check_ragged(data: Any) -> None:
    """PyTorch's errors for nested sequences of uneven lengths (the shape is read off the
    first element at each depth, then every sequence is checked against it)."""
    sizes = []
    d = data
    while isinstance(d, list | tuple):
        sizes.append(len(d))
        if not d:
            break
        d = d[0]

    def walk(x: Any, dim: int) -> None:
        if dim == len(sizes):
            return
        if not isinstance(x, list | tuple):
            raise TypeError("not a sequence")
        if len(x) != sizes[dim]:
            raise ValueError(
                f"expected sequence of length {sizes[dim]} at dim {dim} (got {len(x)})"
            )
        for y in x:
            walk(y, dim + 1)

    walk(data, 0)


def _infer_np(data: Any) -> np.ndarray:
    """PyTorch's inference: Python floats -> default dtype, ints -> int64; arrays keep theirs."""
    if isinstance(data, np.ndarray):
        return data
    if isinstance(data, np.generic):
        return np.asarray(data)
    try:
        arr = np.asarray(data)
    except ValueError:
        _check_ragged(data)
        raise
    if arr.dtype == object:
        raise TypeError(f"Could not infer dtype of {type(data).__name__}")
    if arr.dtype.kind == "f" and arr.dtype != np.float16 and _has_python_float(data):
        arr = arr.astype(D.get_default_dtype().np)
    elif arr.dtype.kind == "c" and _has_python_float(data):
        arr = arr.astype(D.default_complex().np)
    elif arr.dtype.kind in "iu" and not _has_numpy(data):
        arr = arr.astype(np.int64)
    return arr


def _has_python_float(data: Any) -> bool:
    # Floats that come from Python (or from 0-d float32 tensors) follow the default dtype;
    # a list of float64 arrays keeps float64.
    if isinstance(data, float | complex | int):
        return True
    if isinstance(data, Tensor):
        return data.dtype is not D.float64
    if isinstance(data, np.ndarray | np.generic):
        return False
    if isinstance(data, list | tuple):
        return all(_has_python_float(x) for x in data) if data else True
    return True


def _has_numpy(data: Any) -> bool:
    if isinstance(data, np.ndarray | np.generic):
        return True
    if isinstance(data, list | tuple) and data:
        return _has_numpy(data[0])
    return False


def tensor(
    data: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    pin_memory: bool = False,
) -> Tensor:
    """A new leaf tensor holding a copy of `data`. Matches `torch.tensor`."""
    check_device(device)
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use "
            "sourceTensor.detach().clone() or sourceTensor.detach().clone().requires_grad_(True), "
            "rather than torch.tensor(sourceTensor).",
            UserWarning,
            stacklevel=2,
        )
        arr = data._data.copy()
        dt = data.dtype
    else:
        if isinstance(data, list | tuple) and any(isinstance(x, Tensor) and x.ndim for x in data):
            raise ValueError("only one element tensors can be converted to Python scalars")
        if dtype is not None and not isinstance(data, np.ndarray | np.generic):
            # straight from the Python numbers: going through float32 first would round
            # 0.4 before widening it to float64
            src = (
                [x.item() if isinstance(x, Tensor) else x for x in data]
                if isinstance(data, list | tuple) and data and isinstance(data[0], Tensor)
                else data
            )
            try:
                arr = np.array(src, dtype=dtype.np)
            except ValueError:
                _check_ragged(src)
                raise
        else:
            arr = np.array(_infer_np(data), copy=True)
        dt = D.from_numpy_dtype(arr.dtype)
    if dtype is not None and dtype is not dt:
        arr = arr.astype(dtype.np)
        dt = dtype
    return _finish(arr, dt, requires_grad)


def as_tensor(data: Any, dtype: D.dtype | None = None, device: Any = None) -> Tensor:
    """Shares memory with a NumPy array or tensor when it can. Matches `torch.as_tensor`."""
    check_device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype is data.dtype else data.to(dtype)  # type: ignore[attr-defined]
    if isinstance(data, np.ndarray):
        t = _wrap(data, D.from_numpy_dtype(data.dtype))
        return t if dtype is None or dtype is t.dtype else _wrap(data.astype(dtype.np), dtype)
    return tensor(data, dtype=dtype)


def asarray(
    obj: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    copy: bool | None = None,
    requires_grad: bool = False,
) -> Tensor:
    """Matches `torch.asarray`."""
    t = as_tensor(obj, dtype=dtype, device=device)
    if copy:
        t = _wrap(t._data.copy(), t.dtype)
    if requires_grad:
        t.requires_grad_(True)
    return t


def from_numpy(a: np.ndarray) -> Tensor:
    """A tensor sharing `a`'s memory. Matches `torch.from_numpy`."""
    if not isinstance(a, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(a).__name__})")
    return _wrap(a, D.from_numpy_dtype(a.dtype))


def _size(size: tuple) -> tuple:
    if len(size) == 1 and isinstance(size[0], list | tuple | Size):
        size = tuple(size[0])
    for s in size:
        if not isinstance(s, int | np.integer) and not (isinstance(s, Tensor) and s.ndim == 0):
            raise TypeError(
                f"{'zeros'}(): argument 'size' (position 1) must be tuple of ints, but found "
                f"element of type {type(s).__name__} at pos 0"
            )
    out = tuple(int(s) for s in size)
    for s in out:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(out)}")
    return out


def _flat_sizes(size: tuple) -> tuple:
    return tuple(size[0]) if len(size) == 1 and isinstance(size[0], list | tuple | Size) else size


def _pick(shape: tuple, size: Any) -> tuple:
    """Sizes given as varargs (`zeros(2, 3)`), one sequence, or the `size=` keyword."""
    return shape if size is None else (size,)


def _fill(
    size: tuple, value: Any, dtype: D.dtype | None, requires_grad: bool, device: Any
) -> Tensor:
    check_device(device)
    dt = dtype or D.get_default_dtype()
    return _finish(np.full(_size(size), value, dt.np), dt, requires_grad)


def zeros(
    *shape: Any,
    size: Any = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """Matches `torch.zeros`."""
    sizes = _pick(shape, size)
    if any(isinstance(s, int) and s < 0 for s in _flat_sizes(sizes)):
        raise RuntimeError("zeros: Dimension size must be non-negative.")
    return _fill(_pick(shape, size), 0, dtype, requires_grad, device)


def ones(
    *shape: Any,
    size: Any = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
) -> Tensor:
    """Matches `torch.ones`."""
    return _fill(_pick(shape, size), 1, dtype, requires_grad, device)


def empty(
    *shape: Any,
    size: Any = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
    pin_memory: bool = False,
    memory_format: Any = None,
) -> Tensor:
    """Matches `torch.empty` (filled with zeros here: deterministic)."""
    return _fill(_pick(shape, size), 0, dtype, requires_grad, device)


def full(
    size: Any,
    fill_value: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Matches `torch.full` (the dtype follows the fill value, as PyTorch)."""
    if dtype is None:
        dtype = D.result_type(fill_value.item() if isinstance(fill_value, Tensor) else fill_value)
    return _fill(
        (size,) if isinstance(size, int) else tuple(size), fill_value, dtype, requires_grad, device
    )


def scalar_tensor(
    s: Any, *, dtype: D.dtype | None = None, device: Any = None, requires_grad: bool = False
) -> Tensor:
    return full(
        (), s, dtype=dtype or D.get_default_dtype(), device=device, requires_grad=requires_grad
    )


def arange(
    start: Any,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Matches `torch.arange` (int64 for integer arguments, else the default float dtype)."""
    check_device(device)
    if end is None:
        start, end = 0, start
    vals = [v.item() if isinstance(v, Tensor) else v for v in (start, end, step)]
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (vals[1] - vals[0]) * vals[2] < 0:
        raise RuntimeError("upper bound and larger bound inconsistent with step sign")
    if dtype is None:
        is_float = any(isinstance(v, float) for v in vals)
        dtype = D.get_default_dtype() if is_float else D.int64
    if dtype.is_floating_point:
        n = int(np.ceil((vals[1] - vals[0]) / vals[2]))
        data = (vals[0] + np.arange(n, dtype=np.float64) * vals[2]).astype(dtype.np)
    else:
        data = np.arange(vals[0], vals[1], vals[2]).astype(dtype.np)
    return _finish(data, dtype, requires_grad)


def range(
    start: Any = 0,
    end: Any = None,
    step: Any = 1,
    *,
    dtype: D.dtype | None = None,  # noqa: A001
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Matches the deprecated `torch.range` (end inclusive, default float dtype)."""
    warnings.warn(
        "torch.range is deprecated and will be removed in a future release because its "
        "behavior is inconsistent with Python's range builtin. Instead, use torch.arange, "
        "which produces values in [start, end).",
        UserWarning,
        stacklevel=2,
    )
    dtype = dtype or D.get_default_dtype()
    n = int(np.floor((end - start) / step)) + 1
    return _finish((start + np.arange(n) * step).astype(dtype.np), dtype, requires_grad)


def linspace(
    start: Any,
    end: Any,
    steps: int,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Matches `torch.linspace`."""
    check_device(device)
    dtype = dtype or D.get_default_dtype()
    data = np.linspace(float(start), float(end), int(steps)).astype(dtype.np)
    return _finish(data, dtype, requires_grad)


def logspace(
    start: Any,
    end: Any,
    steps: int,
    base: float = 10.0,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Matches `torch.logspace`."""
    dtype = dtype or D.get_default_dtype()
    data = np.logspace(float(start), float(end), int(steps), base=base).astype(dtype.np)
    return _finish(data, dtype, requires_grad)


def eye(
    n: int,
    m: int | None = None,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Matches `torch.eye`."""
    check_device(device)
    dtype = dtype or D.get_default_dtype()
    return _finish(np.eye(n, m, dtype=dtype.np), dtype, requires_grad)


def _like(
    t: Tensor, value: Any, dtype: D.dtype | None, requires_grad: bool, device: Any = None
) -> Tensor:
    check_device(device)  # a CUDA request is an error, never a silent CPU tensor
    dt = dtype or t.dtype
    return _finish(np.full(t._data.shape, value, dt.np), dt, requires_grad)


def zeros_like(
    input: Tensor,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Matches `torch.zeros_like`."""
    return _like(input, 0, dtype, requires_grad, device)


def ones_like(
    input: Tensor,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Matches `torch.ones_like`."""
    return _like(input, 1, dtype, requires_grad, device)


def empty_like(
    input: Tensor,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Matches `torch.empty_like` (zeros here)."""
    return _like(input, 0, dtype, requires_grad, device)


def full_like(
    input: Tensor,
    fill_value: Any,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    layout: Any = None,
    memory_format: Any = None,
) -> Tensor:
    """Matches `torch.full_like`."""
    return _like(input, fill_value, dtype, requires_grad, device)


def _float_dtype(dtype: D.dtype | None, name: str) -> D.dtype:
    dt = dtype or D.get_default_dtype()
    if not dt.is_floating_point and not dt.is_complex:
        raise RuntimeError(f"\"{name}\" not implemented for '{dt.name.capitalize()}'")
    return dt


def rand(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Uniform on [0, 1). Matches `torch.rand`."""
    check_device(device)
    dt = _float_dtype(dtype, "check_uniform_bounds")
    data = rng(generator).random(_size(_pick(shape, size)), dtype=np.float64).astype(dt.np)
    return _finish(data, dt, requires_grad)


def randn(
    *shape: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Standard normal. Matches `torch.randn`."""
    check_device(device)
    dt = _float_dtype(dtype, "normal_kernel_cpu")
    data = rng(generator).standard_normal(_size(_pick(shape, size)), dtype=np.float64).astype(dt.np)
    return _finish(data, dt, requires_grad)


def randint(
    *args: Any,
    size: Any = None,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """randint(high, size) or randint(low, high, size). Matches `torch.randint`."""
    check_device(device)
    rest = list(args)
    if size is None:
        size = rest.pop()
    low, high = (0, rest[0]) if len(rest) == 1 else (rest[0], rest[1])
    dt = dtype or D.int64
    if low >= high:
        raise RuntimeError(
            f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}"
        )
    data = rng(generator).integers(
        low, high, _size((size,) if isinstance(size, int) else tuple(size))
    )
    return _finish(data.astype(dt.np), dt, requires_grad)


def randperm(
    n: int,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    out: Any = None,
    layout: Any = None,
) -> Tensor:
    """Matches `torch.randperm`."""
    dt = dtype or D.int64
    return _finish(rng(generator).permutation(int(n)).astype(dt.np), dt, requires_grad)


def normal(
    mean: Any = 0.0,
    std: Any = 1.0,
    size: Any = None,
    *,
    generator: Generator | None = None,
    dtype: D.dtype | None = None,
    out: Any = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    """Matches `torch.normal` (tensor or float mean/std; size with floats)."""
    m = mean._data if isinstance(mean, Tensor) else mean
    s = std._data if isinstance(std, Tensor) else std
    if size is not None:
        shape = _size((size,) if isinstance(size, int) else tuple(size))
    else:
        shape = np.broadcast_shapes(np.shape(m), np.shape(s))
    if isinstance(std, int | float) and std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std}")
    dt = dtype or (
        mean.dtype
        if isinstance(mean, Tensor)
        else std.dtype
        if isinstance(std, Tensor)
        else D.get_default_dtype()
    )
    data = (m + s * rng(generator).standard_normal(shape)).astype(dt.np)
    return _finish(np.asarray(data), dt, requires_grad)


def rand_like(
    input: Tensor,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    layout: Any = None,
    memory_format: Any = None,
) -> Tensor:
    return rand(
        input.shape,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
        generator=generator,
    )


def randn_like(
    input: Tensor,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
    generator: Generator | None = None,
    layout: Any = None,
    memory_format: Any = None,
) -> Tensor:
    return randn(
        input.shape,
        dtype=dtype or input.dtype,
        device=device,
        requires_grad=requires_grad,
        generator=generator,
    )


def randint_like(
    input: Tensor,
    low: int = 0,
    high: int | None = None,
    *,
    dtype: D.dtype | None = None,
    device: Any = None,
    requires_grad: bool = False,
) -> Tensor:
    if high is None:
        low, high = 0, low
    return randint(low, high, tuple(input.shape), dtype=dtype or input.dtype, device=device)


def _legacy_constructor(self: Tensor, *args: Any, **kwargs: Any) -> None:
    """`torch.Tensor(2, 3)` (zeros of that shape) and `torch.Tensor([1, 2])` (float32 data)."""
    dt = D.float32
    if (
        len(args) == 1
        and isinstance(args[0], list | tuple | np.ndarray | Tensor)
        and not (isinstance(args[0], Size))
    ):
        src = args[0]
        data = src._data if isinstance(src, Tensor) else np.asarray(src)
        self._set_leaf(np.array(data, dtype=dt.np), dt)
        return
    shape = _size(args) if args else (0,)
    self._set_leaf(np.zeros(shape, dt.np), dt)


def _rebuild(data: np.ndarray, dtype_name: str, requires_grad: bool) -> Tensor:
    dt = getattr(D, dtype_name)
    t = _wrap(np.array(data), dt)
    t._requires_grad = requires_grad
    return t
