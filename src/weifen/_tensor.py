"""The Tensor: a thin handle on a NumPy array plus autograd metadata. No maths lives here:
operators and methods are bound from the op table (`weifen.ops`) at import time."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from . import _dtype as D

__all__ = ["Tensor", "Size", "device"]

_ndarray = np.ndarray


class Size(tuple):
    """A tensor's shape: a tuple that prints as ``torch.Size([2, 3])``. Matches `torch.Size`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return f"torch.Size({list(self)})"

    def numel(self) -> int:
        n = 1
        for s in self:
            n *= s
        return n

    def __getitem__(self, i: Any) -> Any:  # type: ignore[override]
        r = tuple.__getitem__(self, i)
        return Size(r) if isinstance(i, slice) else r

    def __add__(self, other: Any) -> Size:  # type: ignore[override]
        return Size(tuple(self) + tuple(other))


class device:
    """Matches `torch.device`; weifen runs on the CPU only."""

    __slots__ = ("type", "index")

    type: str
    index: int | None

    def __init__(self, type: str | device = "cpu", index: int | None = None) -> None:
        if isinstance(type, device):  # the argument is called `type`, as PyTorch's
            spec: str = type.type
            index = type.index
        else:
            spec = type
        name, _, idx = str(spec).partition(":")
        if name not in ("cpu", "cuda", "mps", "meta"):
            raise RuntimeError(
                "Expected one of cpu, cuda, ipu, xpu, mkldnn, opengl, opencl, ideep, hip, ve, "
                "fpga, maia, xla, lazy, vulkan, mps, meta, hpu, mtia, privateuseone device "
                f"type at start of device string: {spec}"
            )
        self.type = name
        self.index = int(idx) if idx else index

    def __repr__(self) -> str:
        idx = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{idx})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        if isinstance(other, str):
            other = device(other)
        return isinstance(other, device) and other.type == self.type and other.index == self.index

    def __hash__(self) -> int:
        return hash((self.type, self.index))


_CPU = device("cpu")


def check_device(dev: Any) -> None:
    """Accept `device=` arguments naming the CPU; anything else is an error, not a silent copy."""
    if dev is None:
        return
    d = device(dev) if not isinstance(dev, device) else dev
    if d.type != "cpu":
        raise RuntimeError(
            f"weifen runs on the CPU only; device '{d}' is not available "
            "(Torch not compiled with CUDA enabled)"
        )


class Tensor:
    """A multi-dimensional array that can record the operations applied to it.

    Matches `torch.Tensor`. `_data` is the NumPy array (views share memory, as PyTorch's do);
    `_grad_fn` is the graph node that made a non-leaf; leaves that require grad get an
    `AccumulateGrad` node (`_accum`) the first time they are used in a recorded op.
    """

    __slots__ = (
        "_data",
        "dtype",
        "_requires_grad",
        "_grad_fn",
        "_output_nr",
        "_grad",
        "_version",
        "_accum",
        "_hooks",
        "_retains_grad",
        "_base",
        "__weakref__",
    )
    _data: _ndarray
    _requires_grad: bool
    _grad_fn: Any
    _output_nr: int
    _grad: Any
    _version: list
    _accum: Any
    _hooks: Any
    _retains_grad: bool
    _base: Any

    # ---- construction -------------------------------------------------------------------
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from ._creation import _legacy_constructor

        _legacy_constructor(self, *args, **kwargs)

    def _set_leaf(self, data: _ndarray, dtype: D.dtype, requires_grad: bool = False) -> None:
        self._data = data
        self.dtype = dtype
        self._requires_grad = requires_grad
        self._grad_fn = None
        self._output_nr = 0
        self._grad = None
        self._version = [0]
        self._accum = None
        self._hooks = None
        self._retains_grad = False
        self._base = None

    # ---- autograd metadata --------------------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if self._grad_fn is not None:
            msg = "you can only change requires_grad flags of leaf variables."
            if not value:
                msg += (
                    " If you want to use a computed variable in a subgraph that doesn't require "
                    "differentiation use var_no_grad = var.detach()."
                )
            raise RuntimeError(msg)
        if value and self.dtype._category < D._FLOAT:
            # PyTorch's property setter and requires_grad_ word this differently
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients"
            )
        self._requires_grad = bool(value)

    def requires_grad_(self, requires_grad: bool = True) -> Tensor:
        """Matches `torch.Tensor.requires_grad_` (True on a non-leaf is allowed, a no-op)."""
        if self._grad_fn is not None:
            if not requires_grad:
                self.requires_grad = False  # raises PyTorch's leaf error
            return self
        if requires_grad and self.dtype._category < D._FLOAT:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        self._requires_grad = bool(requires_grad)
        return self

    @property
    def grad_fn(self) -> Any:
        return self._grad_fn

    @property
    def is_leaf(self) -> bool:
        return self._grad_fn is None

    @property
    def grad(self) -> Tensor | None:
        if self._grad_fn is not None and not self._retains_grad and self._grad is None:
            warnings.warn(
                "The .grad attribute of a Tensor that is not a leaf Tensor is being accessed. "
                "Its .grad attribute won't be populated during autograd.backward(). If you "
                "indeed want the .grad field to be populated for a non-leaf Tensor, use "
                ".retain_grad() on the non-leaf Tensor. If you access the non-leaf Tensor by "
                "mistake, make sure you access the leaf Tensor instead. See "
                "github.com/pytorch/pytorch/pull/30531 for more information. (Triggered "
                "internally at /__w/pytorch/pytorch/build/aten/src/ATen/core/TensorBody.h:493.)",
                UserWarning,
                stacklevel=2,
            )
        return self._grad

    @grad.setter
    def grad(self, value: Tensor | None) -> None:
        if value is not None:
            if not isinstance(value, Tensor):
                raise TypeError(
                    f"assigned grad expected to be a Tensor or None but got grad of type "
                    f"{type(value).__name__}"
                )
            if value.dtype is not self.dtype:
                raise RuntimeError("assigned grad has data of a different type")
            if value._data.shape != self._data.shape:
                raise RuntimeError("assigned grad has data of a different size")
        self._grad = value

    @property
    def data(self) -> Tensor:
        """The same data, detached from the graph. Matches `torch.Tensor.data`."""
        t = _wrap(self._data, self.dtype)
        return t

    @data.setter
    def data(self, value: Tensor) -> None:
        self._data = value._data
        self.dtype = value.dtype

    @property
    def _version_value(self) -> int:
        return self._version[0]

    @property
    def retains_grad(self) -> bool:
        return self._retains_grad

    def retain_grad(self) -> None:
        """Matches `torch.Tensor.retain_grad`."""
        from .autograd.hooks import retain_grad

        retain_grad(self)

    def detach(self) -> Tensor:
        """A new tensor sharing data, outside the graph. Matches `torch.Tensor.detach`."""
        t = _wrap(self._data, self.dtype)
        t._version = self._version
        return t

    def detach_(self) -> Tensor:
        """Matches `torch.Tensor.detach_`."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution."
            )
        self._grad_fn = None
        self._requires_grad = False
        self._output_nr = 0
        return self

    def backward(
        self,
        gradient: Tensor | None = None,
        retain_graph: bool | None = None,
        create_graph: bool = False,
        inputs: Any = None,
    ) -> None:
        """Matches `torch.Tensor.backward`."""
        _engine_backward(self, gradient, retain_graph, create_graph, inputs=inputs)

    def register_hook(self, hook: Any) -> Any:
        """Matches `torch.Tensor.register_hook`."""
        from .autograd.hooks import register_tensor_hook

        return register_tensor_hook(self, hook)

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Matches `torch.Tensor.register_post_accumulate_grad_hook`."""
        from .autograd.hooks import register_post_accumulate_grad_hook

        return register_post_accumulate_grad_hook(self, hook)

    # ---- shape and metadata -------------------------------------------------------------
    @property
    def shape(self) -> Size:
        return Size(self._data.shape)

    def size(self, dim: int | None = None) -> Any:
        """Matches `torch.Tensor.size`."""
        if dim is None:
            return Size(self._data.shape)
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> int:
        return self._data.ndim

    @property
    def ndim(self) -> int:
        return self._data.ndim

    def ndimension(self) -> int:
        return self._data.ndim

    def numel(self) -> int:
        return self._data.size

    nelement = numel

    def element_size(self) -> int:
        return self.dtype.itemsize

    def stride(self, dim: int | None = None) -> Any:
        st = tuple(s // self.dtype.itemsize for s in self._data.strides)
        return st if dim is None else st[_wrap_dim(dim, self._data.ndim)]

    def is_contiguous(self, memory_format: Any = None) -> bool:
        return bool(self._data.flags.c_contiguous)

    @property
    def device(self) -> device:
        return _CPU

    @property
    def is_cuda(self) -> bool:
        return False

    @property
    def layout(self) -> str:
        return "torch.strided"

    def is_floating_point(self) -> bool:
        return self.dtype._category == D._FLOAT

    def is_complex(self) -> bool:
        return self.dtype._category == D._COMPLEX

    @property
    def is_sparse(self) -> bool:
        return False

    def _is_view(self) -> bool:
        """Matches `torch.Tensor._is_view` (a method, as in PyTorch)."""
        return self._base is not None

    def data_ptr(self) -> int:
        return int(self._data.__array_interface__["data"][0])

    def untyped_storage(self) -> Any:
        return self._data.base if self._data.base is not None else self._data

    # ---- conversion to Python and NumPy --------------------------------------------------
    def item(self) -> Any:
        """Matches `torch.Tensor.item`."""
        if self._data.size != 1:
            raise RuntimeError(
                f"a Tensor with {self._data.size} elements cannot be converted to Scalar"
            )
        return self._data.reshape(()).item()

    def tolist(self) -> Any:
        return self._data.tolist()

    def numpy(self, *, force: bool = False) -> _ndarray:
        """The array itself (shared memory). Matches `torch.Tensor.numpy`."""
        if self._requires_grad and not force:
            raise RuntimeError(
                "Can't call numpy() on Tensor that requires grad. "
                "Use tensor.detach().numpy() instead."
            )
        return self._data

    def __array__(self, dtype: Any = None, copy: Any = None) -> _ndarray:
        a = self._data
        return a if dtype is None else a.astype(dtype, copy=False)

    def _scalar(self, kind: str) -> Any:
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.reshape(()).item()

    def __bool__(self) -> bool:
        if self._data.size != 1:
            if self._data.size == 0:
                raise RuntimeError("Boolean value of Tensor with no values is ambiguous")
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return bool(self._data.reshape(()).item())

    def __float__(self) -> float:
        return float(self._scalar("float"))

    def __int__(self) -> int:
        return int(self._scalar("int"))

    def __complex__(self) -> complex:
        return complex(self._scalar("complex"))

    def __index__(self) -> int:
        if self._data.size != 1 or self.dtype._category > D._INT:
            raise TypeError("only integer tensors of a single element can be converted to an index")
        return int(self._data.reshape(()).item())

    def __format__(self, spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(spec)
        if spec:
            raise TypeError("unsupported format string passed to Tensor.__format__")
        return repr(self)

    def __len__(self) -> int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __iter__(self) -> Any:
        if self._data.ndim == 0:
            raise TypeError("iteration over a 0-d tensor")
        return iter(self.unbind(0))  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self, *, tensor_contents: Any = None) -> str:
        from ._printing import format_tensor

        gf = self._grad_fn
        return format_tensor(
            self._data,
            self.dtype,
            grad_fn_name=None if gf is None else type(gf).__name__,
            requires_grad=self._requires_grad,
        )

    __str__ = __repr__

    def __reduce_ex__(self, proto: Any) -> Any:
        from ._creation import _rebuild

        return (_rebuild, (self._data, self.dtype.name, self._requires_grad))

    def __deepcopy__(self, memo: dict) -> Tensor:
        if self._grad_fn is not None:
            raise RuntimeError(
                "Only Tensors created explicitly by the user (graph leaves) support the "
                "deepcopy protocol at the moment.  If you were attempting to deepcopy a module, "
                "this may be because of a torch.nn.utils.weight_norm usage, see "
                "https://github.com/pytorch/pytorch/pull/103001"
            )
        t = type(self).__new__(type(self))
        t._set_leaf(self._data.copy(), self.dtype, self._requires_grad)
        if self._grad is not None:
            t._grad = self._grad.__deepcopy__(memo)
        memo[id(self)] = t
        return t

    # ---- device and type moves (CPU only) -------------------------------------------------
    def cpu(self) -> Tensor:
        return self

    def cuda(self, *args: Any, **kwargs: Any) -> Tensor:
        check_device("cuda")
        return self

    def type(self, dtype: Any = None) -> Any:
        if dtype is None:
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
            return f"torch.{names[self.dtype.name]}Tensor"
        return self.to(dtype)  # type: ignore[attr-defined]


_new = object.__new__


def _engine_backward(*args: Any, **kwargs: Any) -> None:
    # autograd.engine imports this module: bound on first use, then called directly
    global _engine_backward
    from .autograd.engine import backward

    _engine_backward = backward
    backward(*args, **kwargs)


def _wrap(data: _ndarray, dtype: D.dtype) -> Tensor:
    """A new leaf around `data` (no copy). The hot path: every op output starts here."""
    t = _new(Tensor)
    t._data = data
    t.dtype = dtype
    t._requires_grad = False
    t._grad_fn = None
    t._output_nr = 0
    t._grad = None
    t._version = [0]
    t._accum = None
    t._hooks = None
    t._retains_grad = False
    t._base = None
    return t


def _wrap_dim(dim: int, ndim: int) -> int:
    n = max(ndim, 1)
    if not -n <= dim < n:
        raise IndexError(
            f"Dimension out of range (expected to be in range of [{-n}, {n - 1}], but got {dim})"
        )
    return dim % n if ndim else 0
