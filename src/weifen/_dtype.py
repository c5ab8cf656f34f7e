"""dtypes and PyTorch's type-promotion rules. This module alone owns them.

PyTorch's rules differ from NumPy's in two ways that matter every day:
- Python scalars and 0-dim tensors only promote a dimensioned tensor when they belong to a
  higher category (bool < integer < floating < complex): float32 tensor + 0-dim float64 tensor
  is float32, int64 tensor + 2.5 is float32 (the default dtype), not float64.
- An integer and a floating dtype promote to the floating one (int16 + float16 is float16).
"""

from __future__ import annotations

import builtins

import numpy as np

__all__ = [
    "dtype",
    "float16",
    "float32",
    "float64",
    "complex64",
    "complex128",
    "int8",
    "int16",
    "int32",
    "int64",
    "uint8",
    "bool",
    "get_default_dtype",
    "set_default_dtype",
    "promote_types",
    "result_type",
]

_BOOL, _INT, _FLOAT, _COMPLEX = 0, 1, 2, 3
_pybool = builtins.bool  # the builtin, before `bool` below names torch.bool


class dtype:
    """A tensor's element type; prints as ``torch.float32``. Matches `torch.dtype`."""

    __slots__ = ("name", "np", "itemsize", "_category", "is_signed")

    def __init__(self, name: str, np_dtype: type, category: int, is_signed: builtins.bool) -> None:
        self.name = name
        self.np = np.dtype(np_dtype)
        self.itemsize = self.np.itemsize
        self._category = category
        self.is_signed = is_signed

    @property
    def is_floating_point(self) -> builtins.bool:
        return self._category == _FLOAT

    @property
    def is_complex(self) -> builtins.bool:
        return self._category == _COMPLEX

    def to_real(self) -> dtype:
        return {complex64: float32, complex128: float64}.get(self, self)

    def to_complex(self) -> dtype:
        return {float32: complex64, float64: complex128, float16: complex64}.get(self, self)

    def __repr__(self) -> str:
        return "torch." + self.name

    def __reduce__(self) -> str:  # dtypes are singletons, also through pickle
        return self.name


float16 = dtype("float16", np.float16, _FLOAT, True)
float32 = dtype("float32", np.float32, _FLOAT, True)
float64 = dtype("float64", np.float64, _FLOAT, True)
complex64 = dtype("complex64", np.complex64, _COMPLEX, True)
complex128 = dtype("complex128", np.complex128, _COMPLEX, True)
int8 = dtype("int8", np.int8, _INT, True)
int16 = dtype("int16", np.int16, _INT, True)
int32 = dtype("int32", np.int32, _INT, True)
int64 = dtype("int64", np.int64, _INT, True)
uint8 = dtype("uint8", np.uint8, _INT, False)
bool = dtype("bool", np.bool_, _BOOL, False)  # noqa: A001  (torch.bool)

ALL = (float16, float32, float64, complex64, complex128, int8, int16, int32, int64, uint8, bool)
# PyTorch's aliases: torch.float is float32, torch.long is int64, ...
ALIASES = {
    "half": float16,
    "float": float32,
    "double": float64,
    "cfloat": complex64,
    "cdouble": complex128,
    "short": int16,
    "int": int32,
    "long": int64,
}
# numpy dtype -> weifen dtype; the hot path looks results up here instead of branching.
FROM_NP: dict[np.dtype, dtype] = {d.np: d for d in ALL}

_default = [float32]


def get_default_dtype() -> dtype:
    """Matches `torch.get_default_dtype`."""
    return _default[0]


def set_default_dtype(d: dtype) -> None:
    """Matches `torch.set_default_dtype` (float32 or float64 only, as PyTorch)."""
    if d not in (float32, float64):
        raise TypeError("only floating-point types are supported as the default type")
    _default[0] = d


def default_complex() -> dtype:
    return complex128 if _default[0] is float64 else complex64


def from_numpy_dtype(npd: np.dtype) -> dtype:
    try:
        return FROM_NP[npd]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{npd}. The only supported types are: "
            "float64, float32, float16, complex64, complex128, int64, int32, int16, int8, "
            "uint8, and bool."
        ) from None


def promote_types(a: dtype, b: dtype) -> dtype:
    """Matches `torch.promote_types`."""
    if a is b:
        return a
    ca, cb = a._category, b._category
    if ca != cb:
        hi, lo = (a, b) if ca > cb else (b, a)
        if hi._category == _COMPLEX and lo._category == _FLOAT and lo.itemsize == 8:
            return complex128
        return hi
    return FROM_NP[np.promote_types(a.np, b.np)]


def _scalar_dtype(x: object) -> dtype:
    # A Python number's "wrapped" dtype: bool, int64, the default float, the default complex.
    t = type(x)
    if t is float:
        return _default[0]
    if t is int:
        return int64
    if t is _pybool:
        return bool
    if t is complex:
        return default_complex()
    if isinstance(x, _pybool | np.bool_):
        return bool
    if isinstance(x, int | np.integer):
        return int64
    if isinstance(x, float | np.floating):
        return _default[0]
    if isinstance(x, complex | np.complexfloating):
        return default_complex()
    raise TypeError(f"unsupported scalar type {type(x).__name__}")


def _combine(higher: dtype | None, lower: dtype | None) -> dtype | None:
    # c10's combine_categories: a lower-priority class only counts if its category is higher.
    if higher is None:
        return lower
    if lower is None:
        return higher
    if higher._category == _COMPLEX:
        return higher
    if lower._category == _COMPLEX:
        return higher.to_complex() if higher._category == _FLOAT else lower
    if higher._category == _FLOAT:
        return higher
    if higher is bool or lower._category == _FLOAT:
        return promote_types(higher, lower)
    return higher


def result_type(*operands: object) -> dtype:
    """The dtype of an op on these operands (tensors and Python numbers). Matches
    `torch.result_type` generalised to n operands."""
    dim = zero = wrapped = None
    for x in operands:
        d = getattr(x, "dtype", None)
        if isinstance(d, dtype):
            if x.ndim:  # type: ignore[attr-defined]
                dim = d if dim is None else promote_types(dim, d)
            else:
                zero = d if zero is None else promote_types(zero, d)
        else:
            s = _scalar_dtype(x)
            wrapped = s if wrapped is None else promote_types(wrapped, s)
    out = _combine(dim, _combine(zero, wrapped))
    assert out is not None
    return out
