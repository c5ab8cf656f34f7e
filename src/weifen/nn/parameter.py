"""`nn.Parameter`: a Tensor that a Module registers as one of its parameters."""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor

__all__ = ["Parameter", "UninitializedParameter", "UninitializedBuffer", "is_lazy"]


class Parameter(Tensor):
    """A leaf tensor that requires grad by default and that Modules collect. Shares memory
    with the tensor it wraps. Matches `torch.nn.Parameter`."""

    __slots__ = ()

    def __new__(cls, data: Tensor | None = None, requires_grad: bool = True) -> Parameter:
        p = Tensor.__new__(cls)
        if data is None:
            p._set_leaf(np.empty((0,), D.get_default_dtype().np), D.get_default_dtype())
        else:
            p._set_leaf(data._data, data.dtype)
            p._version = data._version
        if requires_grad:
            p.requires_grad = True
        return p

    def __init__(self, data: Tensor | None = None, requires_grad: bool = True) -> None:
        pass

    def __repr__(self, *, tensor_contents: Any = None) -> str:  # type: ignore[override]
        return "Parameter containing:\n" + Tensor.__repr__(self)

    __str__ = __repr__  # type: ignore[assignment]

    def __reduce_ex__(self, proto: Any) -> Any:
        return (_rebuild_parameter, (self._data, self.dtype.name, self._requires_grad))


def _rebuild_parameter(data: np.ndarray, dtype_name: str, requires_grad: bool) -> Parameter:
    from .._tensor import _wrap

    return Parameter(_wrap(data, getattr(D, dtype_name)), requires_grad)


class UninitializedParameter(Parameter):
    """A parameter whose shape is not known yet (lazy modules). Becomes a Parameter, the
    same object, on `materialize`. Matches `torch.nn.UninitializedParameter`."""

    __slots__ = ()

    def __new__(cls, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> Any:
        p = Parameter.__new__(cls, None, requires_grad)
        if dtype is not None:
            p.dtype = dtype
            p._data = p._data.astype(dtype.np)
        return p

    def __init__(self, requires_grad: bool = True, device: Any = None, dtype: Any = None) -> None:
        pass

    def __repr__(self, *, tensor_contents: Any = None) -> str:  # type: ignore[override]
        return "<UninitializedParameter>"

    __str__ = __repr__  # type: ignore[assignment]

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        dt = dtype or self.dtype
        self._data = np.empty(tuple(shape), dt.np)
        self.dtype = dt
        self.__class__ = Parameter  # type: ignore[assignment]


class UninitializedBuffer(Tensor):
    """A buffer whose shape is not known yet. Matches `torch.nn.UninitializedBuffer`."""

    __slots__ = ()

    def __init__(self, requires_grad: bool = False, device: Any = None, dtype: Any = None) -> None:
        dt = dtype or D.get_default_dtype()
        self._set_leaf(np.empty((0,), dt.np), dt)

    def __repr__(self, *, tensor_contents: Any = None) -> str:  # type: ignore[override]
        return "<UninitializedBuffer>"

    def materialize(self, shape: Any, device: Any = None, dtype: Any = None) -> None:
        dt = dtype or self.dtype
        self._data = np.empty(tuple(shape), dt.np)
        self.dtype = dt
        self.__class__ = Tensor  # type: ignore[assignment]


def is_lazy(param: Any) -> bool:
    """Matches `torch.nn.parameter.is_lazy`."""
    return isinstance(param, UninitializedParameter | UninitializedBuffer)


for _cls in (Parameter, UninitializedParameter, UninitializedBuffer):
    _cls.__module__ = "torch.nn.parameter"
