"""Pointwise ops: forward on arrays, derivative formulas, PyTorch node names.

Formulas see `F` (table ops), `g` (the output's gradient) and the names they read; they are
written once and serve both a plain backward (arrays) and create_graph (Tensors).
Subgradients at kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, maximum/minimum ties split
the gradient in half, clamp passes the gradient at the bounds.
"""

from __future__ import annotations

import math

import numpy as np

from .. import _dtype as D
from ._registry import defop

_Number = (int, float, complex, bool)


def _is_num(x: object) -> bool:
    return isinstance(x, _Number)


def _kind(a) -> str:
    return np.asarray(a).dtype.kind


def _type_name(a) -> str:
    from ._dispatch import _TYPE_NAMES

    return _TYPE_NAMES[D.FROM_NP[np.asarray(a).dtype].name]


def _not_for(kernel, a):
    """PyTorch's error for a dtype a kernel has no loop for."""
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(a)}\'')


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
        "other": lambda F, g, alpha: g if alpha == 1 else g * alpha,
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
        "other": lambda F, g, alpha: -g if alpha == 1 else g * -alpha,
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
        "self": lambda F, g, alpha: -g if alpha == 1 else g * -alpha,
        "other": lambda F, g: g,
    },
)
def rsub(self, other, *, alpha=1):
    """other - alpha * self. Matches `torch.rsub`."""
    return other - self if alpha == 1 else other - self * alpha


@defop(
    "MulBackward0",
    inputs=("self", "other"),
    rule="promote",
    grads={"self": lambda F, g, other: g * other, "other": lambda F, g, self: g * self},
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
    return g / other


def _div_other(F, g, self, other, rounding_mode):
    if rounding_mode is not None:
        return F.zeros_grad(g)
    return -g * self / (other * other)


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
            fix = (np.remainder(self, other) != 0) & ((np.asarray(self) < 0) ^ (np.asarray(other) < 0))
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


@defop("AbsBackward0", grads={"self": lambda F, g, self: g * F.sign(self)})
def abs(self):
    """Matches `torch.abs`; abs'(0) = 0."""
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
    """Matches `torch.sign` (the sign of a bool is itself)."""
    return self.copy() if self.dtype == np.bool_ else np.sign(self)


# As PyTorch, g multiplies the masked factor from outside the where: a NaN arriving in g (in
# double backward) stays NaN instead of being masked to zero.
def _pow_self(F, g, self, exponent):
    if _is_num(exponent):
        if exponent == 0:
            return F.zeros_grad(g)
        return g * (exponent * self ** (exponent - 1))
    return g * F.where(exponent == 0, 0.0, exponent * self ** (exponent - 1))


def _pow_exponent(F, g, self, exponent, result):
    if _is_num(self):
        if self == 0:
            return g * F.where(exponent >= 0, 0.0, result * -math.inf)
        return g * (result * math.log(self))
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


@defop("ExpBackward0", rule="float", grads={"self": lambda F, g, result: g * result})
def exp(self):
    """Matches `torch.exp`."""
    return np.exp(self)


@defop("Exp2Backward0", rule="float", grads={"self": lambda F, g, result: g * (result * math.log(2))})
def exp2(self):
    """Matches `torch.exp2`."""
    return np.exp2(self)


@defop("Expm1Backward0", rule="float", grads={"self": lambda F, g, result: g * (result + 1)})
def expm1(self):
    """Matches `torch.expm1`."""
    return np.expm1(self)


@defop("LogBackward0", rule="float", grads={"self": lambda F, g, self: g / self})
def log(self):
    """Matches `torch.log`."""
    return np.log(self)


@defop("Log2Backward0", rule="float", grads={"self": lambda F, g, self: g / (self * math.log(2))})
def log2(self):
    """Matches `torch.log2`."""
    return np.log2(self)


@defop(
    "Log10Backward0", rule="float", grads={"self": lambda F, g, self: g / (self * math.log(10))}
)
def log10(self):
    """Matches `torch.log10`."""
    return np.log10(self)


@defop("Log1PBackward0", rule="float", grads={"self": lambda F, g, self: g / (self + 1)})
def log1p(self):
    """Matches `torch.log1p`."""
    return np.log1p(self)


@defop("SqrtBackward0", rule="float", grads={"self": lambda F, g, result: g / (2 * result)})
def sqrt(self):
    """Matches `torch.sqrt`."""
    return np.sqrt(self)


@defop(
    "RsqrtBackward0",
    rule="float",
    grads={"self": lambda F, g, result: g * (-0.5 * result * result * result)},
)
def rsqrt(self):
    """Matches `torch.rsqrt`."""
    return 1 / np.sqrt(self)


@defop(
    "ReciprocalBackward0", rule="float", grads={"self": lambda F, g, result: -g * (result * result)}
)
def reciprocal(self):
    """Matches `torch.reciprocal`."""
    return np.reciprocal(self)


# ---- trigonometric and hyperbolic ---------------------------------------------------------


@defop("SinBackward0", rule="float", grads={"self": lambda F, g, self: g * F.cos(self)})
def sin(self):
    """Matches `torch.sin`."""
    return np.sin(self)


@defop("CosBackward0", rule="float", grads={"self": lambda F, g, self: -g * F.sin(self)})
def cos(self):
    """Matches `torch.cos`."""
    return np.cos(self)


@defop("TanBackward0", rule="float", grads={"self": lambda F, g, result: g * (1 + result * result)})
def tan(self):
    """Matches `torch.tan`."""
    return np.tan(self)


@defop(
    "AsinBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g / F.sqrt(1 - self * self)},
    method=("asin", "arcsin"),
)
def asin(self):
    """Matches `torch.asin`."""
    return np.arcsin(self)


@defop(
    "AcosBackward0",
    rule="float",
    grads={"self": lambda F, g, self: -g / F.sqrt(1 - self * self)},
    method=("acos", "arccos"),
)
def acos(self):
    """Matches `torch.acos`."""
    return np.arccos(self)


@defop(
    "AtanBackward0",
    rule="float",
    grads={"self": lambda F, g, self: g / (1 + self * self)},
    method=("atan", "arctan"),
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


@defop("SinhBackward0", rule="float", grads={"self": lambda F, g, self: g * F.cosh(self)})
def sinh(self):
    """Matches `torch.sinh`."""
    return np.sinh(self)


@defop("CoshBackward0", rule="float", grads={"self": lambda F, g, self: g * F.sinh(self)})
def cosh(self):
    """Matches `torch.cosh`."""
    return np.cosh(self)


@defop("TanhBackward0", rule="float", grads={"self": lambda F, g, result: g * (1 - result * result)})
def tanh(self):
    """Matches `torch.tanh`."""
    return np.tanh(self)


@defop(
    "SigmoidBackward0", rule="float", grads={"self": lambda F, g, result: g * (result * (1 - result))}
)
def sigmoid(self):
    """Matches `torch.sigmoid`; exp never overflows (computed from -|x|)."""
    e = np.exp(-np.abs(self))
    return np.where(self >= 0, 1 / (1 + e), e / (1 + e)).astype(e.dtype, copy=False)


@defop("ReluBackward0", grads={"self": lambda F, g, result: g * (result > 0)})
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
    return "ClampBackward1" if (min is None or _is_num(min)) and (max is None or _is_num(max)) else "ClampBackward0"


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
        "self": lambda F, g, self, other: F.where(self == other, g / 2, F.where(self > other, g, 0.0)),
        "other": lambda F, g, self, other: F.where(self == other, g / 2, F.where(other > self, g, 0.0)),
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
        "self": lambda F, g, self, other: F.where(self == other, g / 2, F.where(self < other, g, 0.0)),
        "other": lambda F, g, self, other: F.where(self == other, g / 2, F.where(other < self, g, 0.0)),
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
        "self": lambda F, g, weight: g * (1 - weight),
        "end": lambda F, g, weight: g * weight,
        "weight": lambda F, g, self, end: g * (end - self),
    },
)
def lerp(self, end, weight):
    """self + weight * (end - self). Matches `torch.lerp`."""
    return self + weight * (end - self)


@defop(
    "NanToNumBackward0",
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
            raise NotImplementedError(f'"{name}_cpu" not implemented for \'Float\'')
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
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors")
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
