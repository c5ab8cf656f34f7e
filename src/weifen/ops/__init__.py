"""The op table, grouped by topic, and the binding of its entries onto Tensor.

Importing this package fills `TABLE` (one OpDef per op) and gives Tensor its methods and
operators. `FUNCTIONS` is what `weifen` exports as `torch.*` functions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._tensor import Tensor
from . import activation, indexing, linalg, methods, pointwise, reduction, shape
from ._registry import GRAPH, RAW, TABLE

__all__ = ["TABLE", "RAW", "GRAPH", "FUNCTIONS"]

# Table entries that exist for formulas (adjoints, constants), not for users.
INTERNAL = {
    "zeros_grad",
    "expand_reduced",
    "index_to_dim_backward",
    "gather_dim",
    "max_all",
    "min_all",
    "max_dim",
    "min_dim",
    "narrow_backward",
    "select_backward",
    "diagonal_backward",
    "index_backward",
    "zero_at",
    "setitem",
    "getitem",
    "zeros_grad_of_shape",
    "expand_mask",
    "einsum_list",
    "to_dtype",
    "fill",
    "zero",
    "copy_from",
}

FUNCTIONS: dict[str, Any] = {n: op.public for n, op in TABLE.items() if n not in INTERNAL}

# composites: functions made of table ops
for _mod, _names in (
    (
        shape,
        [
            "view_as",
            "reshape_as",
            "flatten",
            "unflatten",
            "expand_as",
            "broadcast_to",
            "chunk",
            "contiguous",
            "fliplr",
            "flipud",
            "hstack",
            "vstack",
            "swapaxes",
            "swapdims",
            "moveaxis",
            "concat",
            "concatenate",
        ],
    ),
    (
        pointwise,
        [
            "square",
            "clip",
            "clamp_min",
            "clamp_max",
            "greater",
            "less",
            "greater_equal",
            "less_equal",
            "not_equal",
        ],
    ),
    (linalg, ["einsum", "ger", "vdot"]),
    (
        methods,
        [
            "max",
            "min",
            "bernoulli",
            "multinomial",
            "isclose",
            "allclose",
            "equal",
            "count_nonzero",
            "nonzero",
            "argsort",
            "tile",
            "repeat_interleave",
        ],
    ),
):
    for _n in _names:
        FUNCTIONS[_n] = getattr(_mod, _n)
FUNCTIONS["absolute"] = pointwise.abs
FUNCTIONS["negative"] = pointwise.neg
FUNCTIONS["arcsin"], FUNCTIONS["arccos"], FUNCTIONS["arctan"] = (
    pointwise.asin,
    pointwise.acos,
    pointwise.atan,
)
FUNCTIONS["arctan2"] = pointwise.atan2
FUNCTIONS["fix"] = pointwise.trunc
FUNCTIONS["true_divide"] = FUNCTIONS["divide"] = pointwise.div
FUNCTIONS["multiply"] = pointwise.mul
FUNCTIONS["subtract"] = pointwise.sub
FUNCTIONS["special_erf"] = pointwise.erf


def _binary_guard(fn: Any) -> Any:
    """Comparison operators return NotImplemented for unrelated types (`x == None` is False)."""

    def op(self: Tensor, other: Any) -> Any:
        if isinstance(
            other, Tensor | int | float | bool | complex | np.ndarray | np.generic | list
        ):
            return fn(self, other)
        return NotImplemented

    return op


def _getitem(self: Tensor, index: Any) -> Tensor:
    r = indexing.getitem(self, index)
    if indexing.is_basic(index):
        # basic indexing is a view: it shares memory and so the version counter
        r._version = self._version
        r._base = self if self._base is None else self._base
    return r


def _part_setter(part: Any) -> Any:
    """`z.real = v` writes into the real (or imaginary) part, a view of z."""

    def setter(self: Tensor, value: Any) -> None:
        methods.copy_(part(self), value)

    return setter


def _mH(self: Tensor) -> Tensor:
    if self.ndim == 0:
        import warnings

        warnings.warn(
            "Tensor.mH is deprecated on 0-D tensors. Consider using x.conj().",
            UserWarning,
            stacklevel=2,
        )
        return pointwise.conj(self)
    if self.ndim == 1:
        raise RuntimeError(
            "tensor.mH is only supported on matrices or batches of matrices. Got 1-D tensor."
        )
    return shape.adjoint(self)


def _H(self: Tensor) -> Tensor:
    if self.ndim == 0:
        import warnings

        warnings.warn(
            "Tensor.H is deprecated on 0-D tensors. Consider using x.conj().",
            UserWarning,
            stacklevel=2,
        )
        return pointwise.conj(self)
    if self.ndim != 2:
        raise RuntimeError(
            f"tensor.H is only supported on matrices (2-D tensors). Got {self.ndim}-D tensor."
        )
    return shape.adjoint(self)


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    return pointwise.mul(pointwise.reciprocal(self), other)


def _bind() -> None:
    T = Tensor
    for op in TABLE.values():
        for m in op.methods:
            setattr(T, m, op.public)
    ops = {
        "__add__": pointwise.add,
        "__radd__": pointwise.add,
        "__sub__": pointwise.sub,
        "__rsub__": lambda s, o: pointwise.rsub(s, o),
        "__mul__": pointwise.mul,
        "__rmul__": pointwise.mul,
        "__truediv__": pointwise.div,
        "__rtruediv__": _rtruediv,
        "__floordiv__": pointwise.floor_divide,
        "__rfloordiv__": lambda s, o: pointwise.floor_divide(o, s),
        "__mod__": pointwise.remainder,
        "__rmod__": lambda s, o: pointwise.remainder(o, s),
        "__pow__": pointwise.pow,
        "__rpow__": lambda s, o: pointwise.pow(o, s),
        "__matmul__": linalg.matmul,
        "__rmatmul__": lambda s, o: linalg.matmul(o, s),
        "__neg__": pointwise.neg,
        "__abs__": pointwise.abs,
        "__pos__": lambda s: s,
        "__invert__": pointwise.bitwise_not,
        "__and__": pointwise.bitwise_and,
        "__or__": pointwise.bitwise_or,
        "__xor__": pointwise.bitwise_xor,
        "__rand__": pointwise.bitwise_and,
        "__ror__": pointwise.bitwise_or,
        "__rxor__": pointwise.bitwise_xor,
        "__eq__": _binary_guard(pointwise.eq),
        "__ne__": _binary_guard(pointwise.ne),
        "__lt__": _binary_guard(pointwise.lt),
        "__le__": _binary_guard(pointwise.le),
        "__gt__": _binary_guard(pointwise.gt),
        "__ge__": _binary_guard(pointwise.ge),
        "__getitem__": _getitem,
        "__setitem__": methods.setitem,
        "where": lambda self, condition, other: pointwise.where(condition, self, other),
        "square": pointwise.square,
        "clip": pointwise.clamp,
        "clamp_min": pointwise.clamp_min,
        "clamp_max": pointwise.clamp_max,
        "max": methods.max,
        "min": methods.min,
        "to": methods.to,
        "type_as": methods.type_as,
        "new_tensor": methods.new_tensor,
        "new_zeros": methods._new_filled(0),
        "new_ones": methods._new_filled(1),
        "new_empty": methods._new_filled(0),
        "new_full": methods.new_full,
        "fill_": methods.fill_,
        "zero_": methods.zero_,
        "copy_": methods.copy_,
        "clamp_min_": methods.clamp_min_,
        "clamp_max_": methods.clamp_max_,
        "square_": methods.square_,
        "uniform_": methods.uniform_,
        "normal_": methods.normal_,
        "bernoulli_": methods.bernoulli_,
        "random_": methods.random_,
        "exponential_": methods.exponential_,
        "T": property(lambda s: shape.permute(s, tuple(range(s.ndim - 1, -1, -1)))),
        "mT": property(lambda s: shape.transpose(s, -2, -1)),
        "absolute": pointwise.abs,
        "divide": pointwise.div,
        "true_divide": pointwise.div,
        "multiply": pointwise.mul,
        "subtract": pointwise.sub,
        "real": property(pointwise.real, _part_setter(pointwise.real)),
        "imag": property(pointwise.imag, _part_setter(pointwise.imag)),
        "is_conj": lambda s: False,
        "mH": property(_mH),
        "H": property(_H),
        "__array_priority__": 1000,
        "__array_ufunc__": None,
    }
    for name in [
        "view_as",
        "reshape_as",
        "flatten",
        "unflatten",
        "expand_as",
        "chunk",
        "contiguous",
        "fliplr",
        "flipud",
        "swapaxes",
        "swapdims",
        "moveaxis",
    ]:
        ops[name] = getattr(shape, name)
    for name, dt in (
        ("float", "float32"),
        ("double", "float64"),
        ("half", "float16"),
        ("long", "int64"),
        ("int", "int32"),
        ("short", "int16"),
        ("char", "int8"),
        ("byte", "uint8"),
        ("bool", "bool"),
        ("cfloat", "complex64"),
        ("cdouble", "complex128"),
    ):
        from .. import _dtype as D

        ops[name] = methods._caster(getattr(D, dt))
    for k, v in ops.items():
        setattr(T, k, v)
    for k, v in methods.EXTRA_METHODS.items():
        if not hasattr(T, k):
            setattr(T, k, v)
    for k, v in methods.build_inplace().items():
        setattr(T, k, v)
    for dunder, name in (
        ("__iadd__", "add"),
        ("__isub__", "sub"),
        ("__imul__", "mul"),
        ("__itruediv__", "div"),
        ("__ipow__", "pow"),
        ("__imod__", "remainder"),
        ("__ifloordiv__", "floor_divide"),
        ("__iand__", "bitwise_and"),
        ("__ior__", "bitwise_or"),
        ("__ixor__", "bitwise_xor"),
    ):
        setattr(T, dunder, methods._INPLACE[name])


_bind()
_ = (activation, reduction, RAW, GRAPH)
