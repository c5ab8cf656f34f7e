"""weifen (微分): PyTorch's tensor and autograd API in plain Python on NumPy.

    import weifen as torch
    x = torch.arange(4.0, requires_grad=True)
    y = 2 * torch.dot(x, x)
    y.backward()
    x.grad  # tensor([ 0.,  4.,  8., 12.])

Layout: `_tensor.py` (the Tensor handle), `_dtype.py` (dtypes and promotion), `ops/` (the op
table: forward + derivative per op), `autograd/` (engine, grad mode), `_printing.py`.
"""

from __future__ import annotations

import numpy as _np

# PyTorch computes log(0) = -inf, 0/0 = nan, exp(1000) = inf silently; so do we. (NumPy's
# error state is per thread: a thread of the user's own starts with NumPy's defaults.)
_np.seterr(all="ignore")

from . import _dtype, autograd  # noqa: E402
from . import ops as _ops  # noqa: E402
from ._creation import *  # noqa: E402,F403
from ._creation import __all__ as _creation_all  # noqa: E402
from ._dtype import (  # noqa: E402
    bool,
    complex64,
    complex128,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int8,
    int16,
    int32,
    int64,
    promote_types,
    result_type,
    set_default_dtype,
    uint8,
)
from ._printing import set_printoptions  # noqa: E402
from ._random import Generator, get_rng_state, initial_seed, manual_seed, seed, set_rng_state  # noqa: E402
from ._tensor import Size, Tensor, device  # noqa: E402
from .autograd.grad_mode import (  # noqa: E402
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)

__version__ = "0.1.0"

# `type(t)` prints `<class 'torch.Tensor'>` as in PyTorch, so programs that print types print
# the same thing. (Pickling does not depend on it: Tensor.__reduce_ex__ names weifen.)
for _cls in (Tensor, Size, dtype, device, Generator):
    _cls.__module__ = "torch"

half, float, double = float16, float32, float64  # noqa: A001
cfloat, cdouble = complex64, complex128
short, int, long = int16, int32, int64  # noqa: A001

globals().update(_ops.FUNCTIONS)


def is_tensor(obj: object) -> object:
    """Matches `torch.is_tensor`."""
    return isinstance(obj, Tensor)


def numel(input: Tensor) -> object:
    return input.numel()


def is_floating_point(input: Tensor) -> object:
    return input.is_floating_point()


def is_complex(input: Tensor) -> object:
    return input.is_complex()


def is_conj(input: Tensor) -> object:
    """Always False: conj() copies here (NumPy has no lazy conjugate bit)."""
    return False


def can_cast(from_: dtype, to: dtype) -> object:
    """Matches `torch.can_cast`."""
    from .ops._dispatch import _can_cast

    return _can_cast(from_, to)


from .autograd.anomaly import is_anomaly_check_nan_enabled, is_anomaly_enabled  # noqa: E402


def get_default_device() -> device:
    return device("cpu")


# nn, optim, utils and func load on first use, so `import weifen` stays as fast as NumPy's
# import plus a few milliseconds.
_LAZY = {"nn", "optim", "utils", "func", "testing"}


def __getattr__(name: str) -> object:
    if name in ("save", "load"):
        from . import serialization

        return getattr(serialization, name)
    if name in _LAZY:
        import importlib

        mod = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'weifen' has no attribute '{name}'")


__all__ = [
    "Tensor",
    "Size",
    "device",
    "dtype",
    "autograd",
    "manual_seed",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "set_default_dtype",
    "get_default_dtype",
    "set_printoptions",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
    *_creation_all,
    *_ops.FUNCTIONS,
]
_ = (
    _dtype,
    Generator,
    get_rng_state,
    initial_seed,
    seed,
    set_rng_state,
    promote_types,
    result_type,
    is_inference_mode_enabled,
    bool,
    complex64,
    complex128,
    float16,
    float32,
    float64,
    int8,
    int16,
    int32,
    int64,
    uint8,
)
