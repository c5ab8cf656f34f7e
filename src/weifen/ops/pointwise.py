"""Pointwise ops: forward on arrays, derivative formulas, PyTorch node names.

Formulas see `F` (table ops), `g` (the output's gradient) and the names they read; they are
written once and serve both a plain backward (arrays) and create_graph (Tensors).
Subgradients at kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, maximum/minimum ties split
the gradient in half, clamp passes the gradient at the bounds.

Complex numbers follow PyTorch's convention: the gradient of a real loss L with respect to
z = x + iy is dL/dx + i dL/dy (the conjugate Wirtinger derivative, times 2). For a
holomorphic f the vector-Jacobian product is then `g * conj(f'(z))`, so the formulas below
conjugate the derivative factor with `F.conj`, which is the identity on real data (real
tensors pay one function call, never an np.conj). Non-holomorphic ops (abs, sgn, angle,
real, imag, conj) have formulas of their own.
"""

from __future__ import annotations

import cmath
import math

import numpy as np

from .. import _dtype as D
from ._registry import defop

_Number = (int, float, complex, bool)
_PyComplex = (complex, np.complexfloating)  # (the name `complex` becomes torch.complex below)
_ndarray = np.ndarray
_COMPLEX_NP = frozenset([np.dtype(np.complex64), np.dtype(np.complex128)])
_F32, _F64 = np.dtype(np.float32), np.dtype(np.float64)


def _is_num(x: object) -> bool:
    return isinstance(x, _Number)


def _is_complex(x: object) -> bool:
    """Whether an array, Tensor or number is complex (formulas see all three)."""
    if isinstance(x, _PyComplex):
        return True
    dt = getattr(x, "dtype", None)
    if dt is None:
        return False
    return dt.is_complex if isinstance(dt, D.dtype) else dt.kind == "c"


def _kind(a) -> str:
    return np.asarray(a).dtype.kind


def _type_name(a) -> str:
    from ._dispatch import _TYPE_NAMES

    return _TYPE_NAMES[D.FROM_NP[np.asarray(a).dtype].name]


def _not_for(kernel, a):
    """PyTorch's error for a dtype a kernel has no loop for."""
    return NotImplementedError(f"\"{kernel}\" not implemented for '{_type_name(a)}'")


def _check_alpha(self, other, alpha):
    if alpha != 1 and isinstance(alpha, float) and _kind(self) in "biu" and _kind(other) in "biu":
        raise RuntimeError(
            "For integral input tensors, argument alpha must not be a floating point number."
        )


def _check_int_zero(self, other):
    # integer division by zero is an error in PyTorch (NumPy quietly gives 0)
    if _kind(self) in "biu" and _kind(other) in "biu" and np.any(np.asarray(other) == 0):
        raise RuntimeError("ZeroDivisionError")


# ---- arithmetic ---------------------------------------------------------------------------


@defop(
    "AddBackward0",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g: g,
        "other": lambda F, g, alpha: g if alpha == 1 else g * alpha.conjugate(),
    },
)
def add(self, other, *, alpha=1):
    """Matches `torch.add`."""
    _check_alpha(self, other, alpha)
    return self + other if alpha == 1 else self + other * alpha


@defop(
    "SubBackward0",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g: g,
        "other": lambda F, g, alpha: -g if alpha == 1 else g * -alpha.conjugate(),
    },
)
def sub(self, other, *, alpha=1):
    """Matches `torch.sub`."""
    _check_alpha(self, other, alpha)
    if self.dtype == np.bool_ and getattr(other, "dtype", None) == np.bool_:
        raise RuntimeError(
            "Subtraction, the `-` operator, with two bool tensors is not supported. "
            "Use the `^` or `logical_xor()` operator instead."
        )
    return self - other if alpha == 1 else self - other * alpha


@defop(
    lambda self, other, alpha: "RsubBackward1" if _is_num(other) else "RsubBackward0",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g, alpha: -g if alpha == 1 else g * -alpha.conjugate(),
        "other": lambda F, g: g,
    },
)
def rsub(self, other, *, alpha=1):
    """other - alpha * self. Matches `torch.rsub`."""
    return other - self if alpha == 1 else other - self * alpha


def _mul_grad(F, g, v):
    if type(v) is _ndarray:
        d = v.dtype
        if not (d is _F32 or d is _F64):  # (real arrays are their own conjugate)
            v = F.conj(v)
    elif type(v) is float or type(v) is int:
        if type(g) is _ndarray:
            if g.ndim and g.base is not None and not any(g.strides):
                # g is one value broadcast (the gradient of a sum) and v a number: the
                # product is one value too, kept broadcast rather than written out
                return np.broadcast_to(np.multiply(g[(0,) * g.ndim], v), g.shape)
            # (a 0-d array of g's dtype: what NumPy makes of the number, twice as fast)
            return g * np.asarray(v, g.dtype)
    else:
        v = F.conj(v)
    return g * v


def _mul_self(F, g, other):
    return _mul_grad(F, g, other)


def _mul_other(F, g, self):
    return _mul_grad(F, g, self)


@defop(
    "MulBackward0",
    inputs=("self", "other"),
    rule="promote",
    symmetric=True,
    grads={"self": _mul_self, "other": _mul_other},
)
def mul(self, other):
    """Matches `torch.mul`."""
    return self * other


def _div_rule(self, other, rounding_mode):
    return "float" if rounding_mode is None else "promote"


def _div_node(self, other, rounding_mode):
    if rounding_mode is None:
        return "DivBackward0"
    return "DivBackward3" if _is_num(other) else "DivBackward2"


def _div_self(F, g, other, rounding_mode):
    if rounding_mode is not None:
        return F.zeros_grad(g)
    return g / F.conj(other)


def _div_other(F, g, self, other, rounding_mode):
    if rounding_mode is not None:
        return F.zeros_grad(g)
    return -g * F.conj(self) / F.conj(other * other)


@defop(
    _div_node,
    inputs=("self", "other"),
    rule=_div_rule,
    grads={"self": _div_self, "other": _div_other},
)
def div(self, other, *, rounding_mode=None):
    """Matches `torch.div`."""
    if rounding_mode is None:
        return np.true_divide(self, other)
    if rounding_mode == "floor":
        if np.asarray(self).dtype.kind in "iub" and np.any(np.asarray(other) == 0):
            raise RuntimeError("ZeroDivisionError")
        return np.floor_divide(self, other)
    if rounding_mode == "trunc":
        if np.asarray(self).dtype.kind in "iub":
            q = np.floor_divide(self, other)
            fix = (np.remainder(self, other) != 0) & (
                (np.asarray(self) < 0) ^ (np.asarray(other) < 0)
            )
            return q + fix
        return np.trunc(np.true_divide(self, other))
    raise RuntimeError(
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
        f"'{rounding_mode}'"
    )


def _not_implemented(name):
    def formula(F, g):
        raise RuntimeError(f"derivative for aten::{name} is not implemented")

    return formula


@defop(
    "NotImplemented",
    inputs=("self", "other"),
    rule="promote",
    grads={"self": _not_implemented("floor_divide"), "other": _not_implemented("floor_divide")},
)
def floor_divide(self, other):
    """Matches `torch.floor_divide` (rounds toward negative infinity, as PyTorch >= 1.13)."""
    _check_int_zero(self, other)
    return np.floor_divide(self, other)


@defop(
    lambda self, other: "RemainderBackward0" if _is_num(other) else "RemainderBackward1",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g: g,
        "other": lambda F, g, self, other: -g * F.floor(F.div(self, other)),
    },
)
def remainder(self, other):
    """Python's modulo: the result has the divisor's sign. Matches `torch.remainder`."""
    _check_int_zero(self, other)
    return np.remainder(self, other)


@defop(
    lambda self, other: "FmodBackward0" if _is_num(other) else "FmodBackward1",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g: g,
        "other": lambda F, g, self, other: -g * F.trunc(F.div(self, other)),
    },
)
def fmod(self, other):
    """C's fmod: the result has the dividend's sign. Matches `torch.fmod`."""
    _check_int_zero(self, other)
    return np.fmod(self, other)


@defop("NegBackward0", grads={"self": lambda F, g: -g}, method=("neg", "negative"))
def neg(self):
    """Matches `torch.neg`."""
    if self.dtype == np.bool_:
        raise RuntimeError(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying "
            "to invert a mask, use the `~` or `logical_not()` operator instead."
        )
    return np.negative(self)


@defop("AbsBackward0", grads={"self": lambda F, g, self: g * F.sgn(self)})
def abs(self):
    """Matches `torch.abs`; abs'(0) = 0 (for complex z the gradient is g * z/|z|, 0 at 0)."""
    if self.dtype == np.bool_:
        raise _not_for("abs_cpu", self)
    return np.abs(self)


@defop("ZerosGradBackward0", method=False)
def zeros_grad(self):
    """Zeros shaped like a gradient: the derivative of piecewise-constant ops (not `g * 0`,
    which would turn an infinite gradient into NaN)."""
    return np.zeros_like(self)


@defop("SignBackward0", grads={"self": lambda F, g: F.zeros_grad(g)})
def sign(self):
    """Matches `torch.sign` (the sign of a bool is itself; complex inputs need `sgn`)."""
    if self.dtype.kind == "c":
        raise NotImplementedError(
            "Unlike NumPy, torch.sign is not intended to support complex numbers. Please use "
            "torch.sgn instead."
        )
    return self.copy() if self.dtype == np.bool_ else np.sign(self)


# As PyTorch, g multiplies the masked factor from outside the where: a NaN arriving in g (in
# double backward) stays NaN instead of being masked to zero.
def _pow_self(F, g, self, exponent):
    if _is_num(exponent):
        if exponent == 0:
            return F.zeros_grad(g)
        return g * F.conj(exponent * self ** (exponent - 1))
    return g * F.where(exponent == 0, 0.0, F.conj(exponent * self ** (exponent - 1)))


def _nonneg(F, exponent):
    # exponent >= 0; for a complex exponent, real and >= 0 (PyTorch's pow_backward_exponent)
    if _is_complex(exponent):
        return (F.imag(exponent) == 0) & (F.real(exponent) >= 0)
    return exponent >= 0


def _pow_exponent(F, g, self, exponent, result):
    if _is_num(self):
        if self == 0:
            return g * F.where(_nonneg(F, exponent), 0.0, F.conj(result * -math.inf))
        log = cmath.log(self) if isinstance(self, _PyComplex) else math.log(self)
        return g * F.conj(result * log)
    if _is_complex(self) or _is_complex(result):
        return g * F.where((self == 0) & _nonneg(F, exponent), 0.0, F.conj(result * F.log(self)))
    return g * F.where((self == 0) & (exponent >= 0), 0.0, result * F.log(self))


def _pow_node(self, exponent):
    if _is_num(self):
        return "PowBackward2"
    return "PowBackward0" if _is_num(exponent) else "PowBackward1"


@defop(
    _pow_node,
    inputs=("self", "exponent"),
    rule="promote",
    grads={"self": _pow_self, "exponent": _pow_exponent},
)
def pow(self, exponent):
    """Matches `torch.pow` (tensor ** number, number ** tensor, tensor ** tensor)."""
    if np.asarray(self).dtype.kind in "iu" and np.any(np.asarray(exponent) < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return np.power(self, exponent)


def square(self):
    """self ** 2 (PowBackward0, as PyTorch). Matches `torch.square`."""
    return pow(self, 2)


# ---- exponentials, logarithms, roots ------------------------------------------------------


@defop(
    "ExpBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g * F.conj(result)},
    ufunc=np.exp,
)
def exp(self):
    """Matches `torch.exp`."""
    return np.exp(self)


@defop(
    "Exp2Backward0",
    rule="float",
    grads={"self": lambda F, g, result: g * (F.conj(result) * math.log(2))},
    ufunc=np.exp2,
)
def exp2(self):
    """Matches `torch.exp2`."""
    return np.exp2(self)


@defop(
    "Expm1Backward0",
    rule="float",
    grads={"self": lambda F, g, result: g * (F.conj(result) + 1)},
    ufunc=np.expm1,
)
def expm1(self):
    """Matches `torch.expm1`."""
    return np.expm1(self)


@defop(
    "LogBackward0", rule="float", grads={"self": lambda F, g, self: g / F.conj(self)}, ufunc=np.log
)
def log(self):
    """Matches `torch.log`."""
    return np.log(self)


@defop(
    "Log2Backward0",
    rule="float",
    grads={"self": lambda F, g, self: g / (F.conj(self) * math.log(2))},
    ufunc=np.log2,
)
def log2(self):
    """Matches `torch.log2`."""
    return np.log2(self)


@defop(
    "Log10Backward0",
    rule="float",
    grads={"self": lambda F, g, self: g / (F.conj(self) * math.log(10))},
    ufunc=np.log10,
)
def log10(self):
    """Matches `torch.log10`."""
    return np.log10(self)


@defop(
    "Log1PBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g / (F.conj(self) + 1)},
    ufunc=np.log1p,
)
def log1p(self):
    """Matches `torch.log1p`."""
    return np.log1p(self)


@defop(
    "SqrtBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g / (2 * F.conj(result))},
    ufunc=np.sqrt,
)
def sqrt(self):
    """Matches `torch.sqrt`."""
    return np.sqrt(self)


@defop(
    "RsqrtBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g * (-0.5 * F.conj(result * result * result))},
)
def rsqrt(self):
    """Matches `torch.rsqrt`."""
    return 1 / np.sqrt(self)


@defop(
    "ReciprocalBackward0",
    rule="float",
    grads={"self": lambda F, g, result: -g * F.conj(result * result)},
    ufunc=np.reciprocal,
)
def reciprocal(self):
    """Matches `torch.reciprocal`."""
    return np.reciprocal(self)


# ---- trigonometric and hyperbolic ---------------------------------------------------------


@defop(
    "SinBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g * F.conj(F.cos(self))},
    ufunc=np.sin,
)
def sin(self):
    """Matches `torch.sin`."""
    return np.sin(self)


@defop(
    "CosBackward0",
    rule="float",
    grads={"self": lambda F, g, self: -g * F.conj(F.sin(self))},
    ufunc=np.cos,
)
def cos(self):
    """Matches `torch.cos`."""
    return np.cos(self)


@defop(
    "TanBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g * F.conj(1 + result * result)},
    ufunc=np.tan,
)
def tan(self):
    """Matches `torch.tan`."""
    return np.tan(self)


@defop(
    "AsinBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g / F.conj(F.sqrt(1 - self * self))},
    method=("asin", "arcsin"),
    ufunc=np.arcsin,
)
def asin(self):
    """Matches `torch.asin`."""
    return np.arcsin(self)


@defop(
    "AcosBackward0",
    rule="float",
    grads={"self": lambda F, g, self: -g / F.conj(F.sqrt(1 - self * self))},
    method=("acos", "arccos"),
    ufunc=np.arccos,
)
def acos(self):
    """Matches `torch.acos`."""
    return np.arccos(self)


@defop(
    "AtanBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g / F.conj(1 + self * self)},
    method=("atan", "arctan"),
    ufunc=np.arctan,
)
def atan(self):
    """Matches `torch.atan`."""
    return np.arctan(self)


@defop(
    "Atan2Backward0",
    inputs=("self", "other"),
    rule="float",
    grads={
        "self": lambda F, g, self, other: g * other / (self * self + other * other),
        "other": lambda F, g, self, other: -g * self / (self * self + other * other),
    },
    method=("atan2", "arctan2"),
)
def atan2(self, other):
    """Matches `torch.atan2`."""
    return np.arctan2(self, other)


@defop(
    "SinhBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g * F.conj(F.cosh(self))},
    ufunc=np.sinh,
)
def sinh(self):
    """Matches `torch.sinh`."""
    return np.sinh(self)


@defop(
    "CoshBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g * F.conj(F.sinh(self))},
    ufunc=np.cosh,
)
def cosh(self):
    """Matches `torch.cosh`."""
    return np.cosh(self)


@defop(
    "TanhBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g * F.conj(1 - result * result)},
    ufunc=np.tanh,
)
def tanh(self):
    """Matches `torch.tanh`."""
    return np.tanh(self)


@defop(
    "SigmoidBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g * F.conj(result * (1 - result))},
)
def sigmoid(self):
    """Matches `torch.sigmoid`; exp never overflows (computed from -|x|)."""
    if self.dtype.kind == "c":
        return 1 / (1 + np.exp(-self))
    e = np.exp(-np.abs(self))
    return np.where(self >= 0, 1 / (1 + e), e / (1 + e)).astype(e.dtype, copy=False)


# same-width integer types, for selecting float gradients bit for bit
_SAME_WIDTH_INT = {np.dtype(np.float32): np.int32, np.dtype(np.float64): np.int64}


def _relu_grad(F, g, result):
    # PyTorch's threshold_backward: +0 where result <= 0, else g (a NaN result passes g on).
    # Never g * mask: inf * 0 would put a NaN where PyTorch has 0.
    if type(g) is _ndarray and type(result) is _ndarray:
        ints = _SAME_WIDTH_INT.get(g.dtype)
        if ints is None or result.size <= 1024:
            return np.where(result <= 0, 0, g)
        # large arrays: np.where on a random mask runs ~10x slower than an AND of the bits
        # with an all-ones (keep) or all-zeros (drop) mask, which is the same selection
        m = (result <= 0).astype(ints)
        m -= 1
        m &= g.view(ints)
        return m.view(g.dtype)
    return F.where(result <= 0, 0.0, g)


@defop("ReluBackward0", grads={"self": _relu_grad})
def relu(self):
    """Matches `torch.relu`; relu'(0) = 0."""
    if self.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return np.maximum(self, 0).astype(self.dtype, copy=False)


_TWO_OVER_SQRT_PI = 2 / math.sqrt(math.pi)


def _erf_array(x):
    # Abramowitz-Stegun 7.1.26 is too coarse for float64; use math.erf elementwise via
    # np.vectorize-free frompyfunc, which is exact to double precision. (asarray: on a 0-d
    # input frompyfunc returns a bare Python float.)
    return np.asarray(_erf_ufunc(x), dtype=x.dtype if hasattr(x, "dtype") else np.float64)


_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


@defop(
    "ErfBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g * (_TWO_OVER_SQRT_PI * F.exp(-(self * self)))},
)
def erf(self):
    """Matches `torch.erf`."""
    return _erf_array(np.asarray(self))


# ---- rounding -------------------------------------------------------------------------------


def _zero(F, g):
    return F.zeros_grad(g)


@defop("FloorBackward0", grads={"self": _zero})
def floor(self):
    """Matches `torch.floor`."""
    return np.floor(self) if self.dtype.kind in "fc" else self.copy()


@defop("CeilBackward0", grads={"self": _zero})
def ceil(self):
    """Matches `torch.ceil`."""
    return np.ceil(self) if self.dtype.kind in "fc" else self.copy()


@defop(
    lambda self, decimals: "RoundBackward0" if decimals == 0 else "RoundBackward1",
    grads={"self": _zero},
)
def round(self, *, decimals=0):
    """Half to even, as PyTorch. Matches `torch.round`."""
    if decimals != 0 and self.dtype.kind not in "fc":
        raise _not_for("round_cpu", self)
    return np.round(self, decimals) if self.dtype.kind in "fc" else self.copy()


@defop("TruncBackward0", grads={"self": _zero}, method=("trunc", "fix"))
def trunc(self):
    """Matches `torch.trunc`."""
    return np.trunc(self) if self.dtype.kind in "fc" else self.copy()


@defop("FracBackward0", grads={"self": lambda F, g: g})
def frac(self):
    """self - trunc(self). Matches `torch.frac`."""
    if self.dtype.kind not in "fc":
        raise _not_for("frac_cpu", self)
    return self - np.trunc(self)


# ---- clamping, extrema, selection -------------------------------------------------------


def _clamp_mask(F, self, min, max):
    m = None
    if min is not None:
        m = self >= min
    if max is not None:
        m = (self <= max) if m is None else (m & (self <= max))
    return m


def _clamp_self(F, g, self, min, max):
    m = _clamp_mask(F, self, min, max)
    return g if m is None else F.where(m, g, 0.0)


def _clamp_node(self, min, max):
    return (
        "ClampBackward1"
        if (min is None or _is_num(min)) and (max is None or _is_num(max))
        else "ClampBackward0"
    )


@defop(
    _clamp_node,
    inputs=("self", "min", "max"),
    rule="promote",
    grads={
        "self": _clamp_self,
        "min": lambda F, g, self, min, max: F.where(
            (self < min) if max is None else ((self < min) & (min <= max)), g, 0.0
        ),
        "max": lambda F, g, self, max: F.where(self > max, g, 0.0),
    },
    method=("clamp", "clip"),
)
def clamp(self, min=None, max=None):
    """Matches `torch.clamp`."""
    if min is None and max is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    out = self
    if min is not None:
        out = np.maximum(out, min)
    if max is not None:
        out = np.minimum(out, max)
    return out


clip = clamp


# clamp_min/clamp_max are ops of their own in PyTorch (ClampMinBackward0/1, not
# ClampBackward1), so they get their own entries; the formulas are clamp's with one bound.
@defop(
    lambda self, min: "ClampMinBackward0" if _is_num(min) else "ClampMinBackward1",
    inputs=("self", "min"),
    rule="promote",
    grads={
        "self": lambda F, g, self, min: F.where(self >= min, g, 0.0),
        "min": lambda F, g, self, min: F.where(self < min, g, 0.0),
    },
)
def clamp_min(self, min):
    """Matches `torch.clamp_min`."""
    return np.maximum(self, min)


@defop(
    lambda self, max: "ClampMaxBackward0" if _is_num(max) else "ClampMaxBackward1",
    inputs=("self", "max"),
    rule="promote",
    grads={
        "self": lambda F, g, self, max: F.where(self <= max, g, 0.0),
        "max": lambda F, g, self, max: F.where(self > max, g, 0.0),
    },
)
def clamp_max(self, max):
    """Matches `torch.clamp_max`."""
    return np.minimum(self, max)


@defop(
    "MaximumBackward0",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g, self, other: F.where(
            self == other, g / 2, F.where(self > other, g, 0.0)
        ),
        "other": lambda F, g, self, other: F.where(
            self == other, g / 2, F.where(other > self, g, 0.0)
        ),
    },
)
def maximum(self, other):
    """Matches `torch.maximum`; ties split the gradient."""
    return np.maximum(self, other)


@defop(
    "MinimumBackward0",
    inputs=("self", "other"),
    rule="promote",
    grads={
        "self": lambda F, g, self, other: F.where(
            self == other, g / 2, F.where(self < other, g, 0.0)
        ),
        "other": lambda F, g, self, other: F.where(
            self == other, g / 2, F.where(other < self, g, 0.0)
        ),
    },
)
def minimum(self, other):
    """Matches `torch.minimum`; ties split the gradient."""
    return np.minimum(self, other)


@defop(
    "WhereBackward0",
    inputs=("condition", "input", "other"),
    grads={
        "input": lambda F, g, condition: F.where(condition, g, 0.0),
        "other": lambda F, g, condition: F.where(condition, 0.0, g),
    },
    method=False,
)
def where(condition, input, other):
    """Matches `torch.where(condition, input, other)`."""
    if np.asarray(condition).dtype != np.bool_:
        from ._dispatch import _TYPE_NAMES

        raise RuntimeError(
            f"where expected condition to be a boolean tensor, but got a tensor with dtype "
            f"{_TYPE_NAMES[D.FROM_NP[np.asarray(condition).dtype].name]}"
        )
    # PyTorch promotes input and other (not the condition) by its rules, which a dtype rule
    # in the table cannot express (it would cast the condition too): promote here.
    dt = D.result_type(_Meta.of(input), _Meta.of(other)).np
    return np.where(condition, input, other).astype(dt, copy=False)


class _Meta:
    """What dtype promotion reads from a tensor (dtype, ndim), for a raw array; Python
    numbers pass through (they are weak scalars in promotion)."""

    __slots__ = ("dtype", "ndim")

    @staticmethod
    def of(v):
        if isinstance(v, np.ndarray | np.generic):
            m = _Meta()
            m.dtype, m.ndim = D.FROM_NP[v.dtype], v.ndim
            return m
        return v


def _lerp_rule(self, end, weight):
    """lerp does not promote: a dimensioned end or weight must have self's dtype (a 0-dim or
    number weight promotes as usual, and so cannot change it)."""
    from ._dispatch import _TYPE_NAMES as N

    for name, v in (("end", end), ("weight", weight)):
        if getattr(v, "ndim", 0) and v.dtype is not self.dtype:
            a, b = N[self.dtype.name].lower(), N[v.dtype.name].lower()
            raise RuntimeError(f"expected dtype {a} for `{name}` but got dtype {b}")
    return "promote"


@defop(
    # PyTorch: LerpBackward0 for a number weight, LerpBackward1 for a tensor weight
    lambda self, end, weight: "LerpBackward0" if _is_num(weight) else "LerpBackward1",
    inputs=("self", "end", "weight"),
    rule=_lerp_rule,
    grads={
        "self": lambda F, g, weight: g * F.conj(1 - weight),
        "end": lambda F, g, weight: g * F.conj(weight),
        "weight": lambda F, g, self, end: g * F.conj(end - self),
    },
)
def lerp(self, end, weight):
    """self + weight * (end - self). Matches `torch.lerp`."""
    return self + weight * (end - self)


def _nan_to_num_node(self, nan, posinf, neginf):
    # called only when the op is recorded: PyTorch refuses to record it for complex outputs
    if self.dtype.is_complex:
        raise RuntimeError(
            "nan_to_num does not support automatic differentiation for outputs with complex dtype."
        )
    return "NanToNumBackward0"


@defop(
    _nan_to_num_node,
    grads={"self": lambda F, g, self: F.where(F.isfinite(self), g, 0.0)},
)
def nan_to_num(self, nan=0.0, posinf=None, neginf=None):
    """Matches `torch.nan_to_num`."""
    return np.nan_to_num(self, nan=nan, posinf=posinf, neginf=neginf)


# ---- comparisons and logic (not differentiable) -------------------------------------------


def _compare(name, ufunc, aliases=()):
    def fwd(self, other):
        return ufunc(self, other)

    fwd.__name__ = name
    fwd.__doc__ = f"Matches `torch.{name}`."
    return defop(None, inputs=("self", "other"), rule="compare", method=(name, *aliases))(fwd)


eq = _compare("eq", np.equal)
ne = _compare("ne", np.not_equal, ("not_equal",))
lt = _compare("lt", np.less, ("less",))
le = _compare("le", np.less_equal, ("less_equal",))
gt = _compare("gt", np.greater, ("greater",))
ge = _compare("ge", np.greater_equal, ("greater_equal",))
greater, less, greater_equal, less_equal, not_equal = gt, lt, ge, le, ne


def _logical(name, ufunc):
    def fwd(self, other):
        return ufunc(self, other)

    fwd.__name__ = name
    fwd.__doc__ = f"Matches `torch.{name}`."
    return defop(None, inputs=("self", "other"))(fwd)


logical_and = _logical("logical_and", np.logical_and)
logical_or = _logical("logical_or", np.logical_or)
logical_xor = _logical("logical_xor", np.logical_xor)


@defop(None)
def logical_not(self):
    """Matches `torch.logical_not`."""
    return np.logical_not(self)


def _bitwise(name, ufunc):
    def fwd(self, other):
        a = np.asarray(self)
        if a.dtype.kind in "fc" or np.asarray(other).dtype.kind in "fc":
            raise NotImplementedError(f"\"{name}_cpu\" not implemented for 'Float'")
        return ufunc(self, other)

    fwd.__name__ = name
    fwd.__doc__ = f"Matches `torch.{name}`."
    return defop(None, inputs=("self", "other"), rule="promote")(fwd)


bitwise_and = _bitwise("bitwise_and", np.bitwise_and)
bitwise_or = _bitwise("bitwise_or", np.bitwise_or)
bitwise_xor = _bitwise("bitwise_xor", np.bitwise_xor)


@defop(None)
def bitwise_not(self):
    """Matches `torch.bitwise_not`."""
    if self.dtype.kind in "fc":
        raise TypeError(
            "~ (operator.invert) is only implemented on integer and Boolean-type tensors"
        )
    return np.invert(self)


@defop(None)
def isnan(self):
    """Matches `torch.isnan`."""
    return np.isnan(self)


@defop(None)
def isinf(self):
    """Matches `torch.isinf`."""
    return np.isinf(self)


@defop(None)
def isfinite(self):
    """Matches `torch.isfinite`."""
    return np.isfinite(self)


# ---- complex numbers --------------------------------------------------------------------------
#
# Where PyTorch returns the input itself (conj, real and resolve_conj of a real tensor), the
# public functions below do too, so no graph node is made; the table entries stay the
# forwards and formulas. Unlike PyTorch, conj() is not a lazy view: it copies (NumPy has no
# conjugate bit), so is_conj() is always False and writes to the input do not show through.


def _same_or(op_public, identity_when):
    """A public function returning its input when `identity_when(input)`, else the op's."""

    def public(input, *args, **kwargs):
        from .._tensor import Tensor

        if isinstance(input, Tensor) and identity_when(input):
            return input
        return op_public(input, *args, **kwargs)

    public.__name__ = public.__qualname__ = op_public.__name__
    public.__doc__ = op_public.__doc__
    return public


def _install(name, public, graph=None):
    from ._registry import GRAPH, TABLE

    TABLE[name].public = public
    setattr(GRAPH, name, graph or public)
    return public


@defop("ConjBackward0", grads={"self": lambda F, g: F.conj(g)})
def conj(self):
    """Matches `torch.conj` (a copy for complex input, the input itself otherwise)."""
    if type(self) is _ndarray:
        d = self.dtype
        if d is _F32 or d is _F64:  # the common case first: every real backward asks
            return self
        return self if d not in _COMPLEX_NP else np.conjugate(self)
    # formulas call F.conj on saved Python numbers too
    if type(self) is float or type(self) is int:
        return self
    return self.conjugate() if isinstance(self, _PyComplex) else self


def _conj_in_formula(x):
    # GRAPH.conj: formulas under create_graph pass Python numbers and real tensors too
    from .._tensor import Tensor

    if isinstance(x, Tensor):
        return x if x.dtype._category != D._COMPLEX else _conj_op(x)
    return x.conjugate() if isinstance(x, _PyComplex) else x


_conj_op = conj
conj = _install("conj", _same_or(_conj_op, lambda t: not t.is_complex()), _conj_in_formula)


@defop("ConjPhysicalBackward0", grads={"self": lambda F, g: F.conj_physical(g)})
def conj_physical(self):
    """Matches `torch.conj_physical` (always a copy, as PyTorch)."""
    return np.conjugate(self) if self.dtype.kind == "c" else self.copy()


@defop("AliasBackward0", grads={"self": lambda F, g: g})
def resolve_conj(self):
    """Matches `torch.resolve_conj`: weifen's conj is never lazy, so this is the input."""
    return self


resolve_conj = _install("resolve_conj", _same_or(resolve_conj, lambda t: True))


@defop("SelectBackward0", grads={"self": lambda F, g: g}, view=True)
def real(self):
    """Matches `torch.real` (a view of the real parts; the input itself if it is real)."""
    return np.real(self)


real = _install("real", _same_or(real, lambda t: not t.is_complex()))


@defop("SelectBackward0", grads={"self": lambda F, g: g * 1j}, view=True)
def imag(self):
    """Matches `torch.imag` (a view of the imaginary parts)."""
    if self.dtype.kind != "c":
        raise RuntimeError("imag is not implemented for tensors with non-complex dtypes.")
    return np.imag(self)


def _sgn_grad(F, g, self, result):
    if not _is_complex(self):
        return F.zeros_grad(g)
    # w = z/|z|: dw/dz = 1/(2|z|), dw/dz* = -w^2/(2|z|); at 0 PyTorch's gradient is 0
    a = F.abs(self)
    return F.where(a == 0, 0.0, (g - result * result * F.conj(g)) / (2 * a))


@defop("SgnBackward0", grads={"self": _sgn_grad})
def sgn(self):
    """z/|z| (0 at 0) for complex input, sign otherwise. Matches `torch.sgn`."""
    if self.dtype.kind != "c":
        return self.copy() if self.dtype == np.bool_ else np.sign(self)
    a = np.abs(self)
    return np.where(a == 0, 0, self / np.where(a == 0, 1, a)).astype(self.dtype, copy=False)


def _angle_grad(F, g, self):
    if not _is_complex(self):
        return F.zeros_grad(g)
    # d angle: (-y dx + x dy)/|z|^2, i.e. g * i z / |z|^2 in PyTorch's convention; 0 at 0
    a2 = F.real(self * F.conj(self))
    return F.where(a2 == 0, 0.0, g * (self * 1j) / a2)


@defop("AngleBackward0", rule="float", grads={"self": _angle_grad})
def angle(self):
    """Matches `torch.angle` (pi for negative reals, 0 otherwise, nan stays nan)."""
    if self.dtype.kind == "c":
        return np.angle(self)
    return np.where(self < 0, math.pi, np.where(np.isnan(self), self, 0)).astype(self.dtype)


def _float_pair(real, imag, what):
    a, b = np.asarray(real), np.asarray(imag)
    if a.dtype.kind != "f" or b.dtype.kind != "f":
        raise RuntimeError(
            f"Expected both inputs to be Half, Float or Double tensors but got "
            f"{_type_name(a)} and {_type_name(b)}"
        )
    if a.dtype != b.dtype:
        raise RuntimeError(
            f"Expected object of scalar type {_type_name(a)} but got scalar type "
            f"{_type_name(b)} for second argument"
        )
    if a.dtype == np.float16:
        raise NotImplementedError(f"weifen: {what} of float16 tensors (complex32) is not supported")
    return a, b, np.complex64 if a.dtype == np.float32 else np.complex128


@defop(
    "ComplexBackward0",
    inputs=("real", "imag"),
    grads={"real": lambda F, g: F.real(g), "imag": lambda F, g: F.imag(g)},
    method=False,
)
def complex(real, imag):
    """real + i imag (broadcast). Matches `torch.complex`."""
    a, b, ct = _float_pair(real, imag, "complex")
    out = np.empty(np.broadcast_shapes(a.shape, b.shape), ct)
    out.real = a
    out.imag = b
    return out


def _polar_abs(F, g, result):
    # Re(conj(g) * sgn(result)); at abs == 0 PyTorch's sgn makes it 0
    return F.real(F.conj(g) * F.sgn(result))


@defop(
    "PolarBackward0",
    inputs=("abs", "angle"),
    grads={
        "abs": _polar_abs,
        "angle": lambda F, g, result: F.real(F.conj(g) * (result * 1j)),
    },
    method=False,
)
def polar(abs, angle):
    """abs * (cos(angle) + i sin(angle)). Matches `torch.polar`."""
    a, t, ct = _float_pair(abs, angle, "polar")
    out = np.empty(np.broadcast_shapes(a.shape, t.shape), ct)
    out.real = a * np.cos(t)
    out.imag = a * np.sin(t)
    return out


def _as_real_view(z):
    # a view whatever z's strides: the new unit axis is contiguous, so NumPy can split it
    return z[..., None].view(np.float32 if z.dtype == np.complex64 else np.float64)


def _contiguous_last(g):
    d = getattr(g, "_data", g)
    return d.ndim == 0 or d.strides[-1] == d.itemsize or d.shape[-1] <= 1


@defop(
    "ViewAsRealBackward0",
    grads={"self": lambda F, g: F.view_as_complex(g if _contiguous_last(g) else F.clone(g))},
    method=False,
    view=True,
)
def view_as_real(self):
    """The (..., 2) real view of a complex tensor. Matches `torch.view_as_real`."""
    if self.dtype.kind != "c":
        raise RuntimeError("view_as_real is only supported for complex tensors")
    return _as_real_view(self)


@defop(
    "ViewAsComplexBackward0",
    grads={"self": lambda F, g: F.view_as_real(g)},
    method=False,
    view=True,
)
def view_as_complex(self):
    """The complex view of a (..., 2) float tensor. Matches `torch.view_as_complex`."""
    if self.dtype.kind != "f" or self.dtype == np.float16:
        if self.dtype == np.float16:
            raise NotImplementedError("weifen: complex32 (view_as_complex of float16)")
        raise RuntimeError(
            "view_as_complex is only supported for half, float and double tensors, but got a "
            f"tensor of scalar type: {_type_name(self)}"
        )
    if self.ndim == 0 or self.shape[-1] != 2:
        raise RuntimeError("Tensor must have a last dimension of size 2")
    if self.strides[-1] != self.itemsize:
        raise RuntimeError("Tensor must have a last dimension with stride 1")
    for st in self.strides[:-1]:
        if st % (2 * self.itemsize):
            raise RuntimeError(
                "Tensor must have a stride divisible by 2 for all but last dimension"
            )
    ct = np.complex64 if self.dtype == np.float32 else np.complex128
    return self.view(ct)[..., 0]
