"""The op database: one spec per public op, from which tests/test_ops.py generates its tests.

A spec names the op, how to call it (`torch.<name>(...)` by default; `call` for methods and
overloads), and its samples. A sample's arguments are plain values; a `T` marks a tensor
argument (its NumPy data, and whether it is differentiated). The same sample builds a weifen
call and a torch call, so the two can be compared value by value, and the golden file
(tests/golden/ops_golden.json, from tests/golden/make_ops_golden.py) keeps that comparison
alive without torch.

Inputs come from a NumPy Generator seeded per spec (crc32 of the name), in float64, inside the
op's domain and away from its kinks unless a sample says `fd=False` (not finite-differenced:
ties, kinks, inf/nan). Samples are small: finite differences cost two calls per element.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# ---- samples ----------------------------------------------------------------------------------


class T:
    """A tensor argument: NumPy data; `grad` says whether it is differentiated (float only)."""

    __slots__ = ("data", "grad")

    def __init__(self, data: Any, grad: bool | None = None) -> None:
        self.data = np.asarray(data)
        if grad is None:
            grad = self.data.dtype.kind == "f"
        self.grad = grad and self.data.dtype.kind == "f"

    def __repr__(self) -> str:
        return f"T({self.data.dtype}{list(self.data.shape)})"


class Dt:
    """A dtype argument, by name (`torch.float32` or `weifen.float32` when built)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


@dataclass
class Sample:
    args: tuple
    kwargs: dict = field(default_factory=dict)
    name: str = ""
    fd: bool = True  # finite differences meaningful (smooth around the sample)
    double: bool = True  # double backward checked

    def tensors(self) -> list[T]:
        return [t for t in _walk(self.args) + _walk(tuple(self.kwargs.values()))]


def _walk(args: tuple) -> list[T]:
    out: list[T] = []
    for a in args:
        if isinstance(a, T):
            out.append(a)
        elif isinstance(a, list | tuple):
            out.extend(_walk(tuple(a)))
    return out


@dataclass
class ErrorCase:
    """A bad call: `fn(lib)` must raise `exc` with exactly `msg` (PyTorch's text)."""

    name: str
    fn: Callable[[Any], Any]
    exc: type
    msg: str


@dataclass
class OpSpec:
    name: str
    samples: list[Sample]
    call: Callable[..., Any] | None = None  # call(lib, *args, **kwargs); default lib.<name>
    grad: bool = True  # differentiable
    double: bool = True  # double backward checked (when grad)
    random: Callable[[Any, Any], None] | None = None  # check(weifen, out) for random ops
    rtol: float = 1e-7
    atol: float = 1e-10
    f32: bool = True  # also compare a float32 copy of the first sample (dtype kept)

    def fn(self, lib: Any) -> Callable[..., Any]:
        if self.call is not None:
            call = self.call
            return lambda *a, **k: call(lib, *a, **k)
        return getattr(lib, self.name)


# ---- input domains ----------------------------------------------------------------------------

_rngs: dict[str, np.random.Generator] = {}


def rng(name: str) -> np.random.Generator:
    g = _rngs.get(name)
    if g is None:
        g = _rngs[name] = np.random.Generator(np.random.PCG64(zlib.crc32(name.encode())))
    return g


_CUR = ["?"]  # the spec being built: its generator draws the inputs


def _u(shape: tuple, lo: float, hi: float) -> np.ndarray:
    return rng(_CUR[0]).uniform(lo, hi, size=shape)


def rnd(*shape: int) -> T:
    """Any real, in [-2, 2]."""
    return T(_u(shape, -2.0, 2.0))


def pos(*shape: int) -> T:
    """Positive, in [0.5, 2] (log, sqrt, rsqrt, pow base)."""
    return T(_u(shape, 0.5, 2.0))


def unit(*shape: int) -> T:
    """Inside (-1, 1), away from the ends (asin, acos)."""
    return T(_u(shape, -0.8, 0.8))


def nz(*shape: int) -> T:
    """Away from zero: |x| in [0.3, 2] (abs, relu, sign, divisors)."""
    a = _u(shape, 0.3, 2.0)
    s = rng(_CUR[0]).choice([-1.0, 1.0], size=shape)
    return T(a * s)


def frac_(*shape: int, off: float = 0.0) -> T:
    """Away from integers (floor, ceil, trunc, frac): k + off + [0.2, 0.8]."""
    k = rng(_CUR[0]).integers(-3, 3, size=shape).astype(np.float64)
    return T(k + off + _u(shape, 0.2, 0.8))


def ints(*shape: int, lo: int = -5, hi: int = 6) -> T:
    return T(rng(_CUR[0]).integers(lo, hi, size=shape).astype(np.int64))


def bools(*shape: int) -> T:
    return T(rng(_CUR[0]).random(size=shape) < 0.5)


def idx(shape: tuple, hi: int) -> T:
    return T(rng(_CUR[0]).integers(0, hi, size=shape).astype(np.int64))


def const(x: T) -> T:
    """The same data, not differentiated."""
    return T(x.data, grad=False)


def exact(values: Any, dtype: str = "float64", grad: bool = True) -> T:
    return T(np.asarray(values, dtype=dtype), grad=grad)


# ---- sample families --------------------------------------------------------------------------

UNARY_SHAPES = [(), (3,), (2, 3), (0, 2)]
BINARY_SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((), (2, 3)), ((3,), ())]


def unary(make: Callable[..., T], shapes=UNARY_SHAPES, **kwargs: Any) -> list[Sample]:
    return [Sample((make(*s),), dict(kwargs), name=f"{list(s)}") for s in shapes]


def binary(
    make_a: Callable[..., T], make_b: Callable[..., T], scalar: Any = 1.5, **kwargs: Any
) -> list[Sample]:
    out = [
        Sample((make_a(*a), make_b(*b)), dict(kwargs), name=f"{list(a)},{list(b)}")
        for a, b in BINARY_SHAPES
    ]
    if scalar is not None:
        out.append(Sample((make_a(2, 3), scalar), dict(kwargs), name=f"[2,3],{scalar!r}"))
    return out


def reduce_samples(
    make: Callable[..., T] = rnd,
    keepdim: bool = True,
    dims: tuple = (None, 0, 1, -1, (0, 2)),
    zero_d: bool = True,
    **kwargs: Any,
) -> list[Sample]:
    out = [Sample((make(2, 3, 2),), dict(kwargs), name="all")]
    for d in dims:
        if d is None:
            continue
        out.append(Sample((make(2, 3, 2), d), dict(kwargs), name=f"dim={d}"))
        if keepdim:
            k = {**kwargs, "keepdim": True}
            out.append(Sample((make(2, 3, 2), d), k, name=f"dim={d},keepdim"))
    if zero_d:
        out.append(Sample((make(),), dict(kwargs), name="0-d"))
    return out


# ---- the database -----------------------------------------------------------------------------

SPECS: dict[str, OpSpec] = {}


def spec(name: str, samples: Callable[[], list[Sample]], **kw: Any) -> None:
    _CUR[0] = name
    SPECS[name] = OpSpec(name, samples(), **kw)


def method(name: str) -> Callable[..., Any]:
    """Call as a Tensor method (`x.view(...)`): torch has no function of that name."""
    return lambda lib, self, *a, **k: getattr(self, name)(*a, **k)


# pointwise: unary, differentiable
for _name, _make in [
    ("abs", nz),
    ("neg", rnd),
    ("exp", rnd),
    ("exp2", rnd),
    ("expm1", rnd),
    ("log", pos),
    ("log2", pos),
    ("log10", pos),
    ("log1p", pos),
    ("sqrt", pos),
    ("rsqrt", pos),
    ("reciprocal", nz),
    ("sin", rnd),
    ("cos", rnd),
    ("tan", unit),
    ("asin", unit),
    ("acos", unit),
    ("atan", rnd),
    ("sinh", rnd),
    ("cosh", rnd),
    ("tanh", rnd),
    ("sigmoid", rnd),
    ("relu", nz),
    ("erf", rnd),
    ("sign", nz),
    ("floor", frac_),
    ("ceil", frac_),
    ("trunc", frac_),
    ("frac", frac_),
    ("square", rnd),
]:
    spec(_name, lambda m=_make: unary(m))

# integer inputs: exp of an int tensor is float32, abs/neg/sign/floor of an int stays int
for _name in [
    "abs",
    "neg",
    "exp",
    "sqrt",
    "sin",
    "sigmoid",
    "sign",
    "floor",
    "square",
    "relu",
    "reciprocal",
    "log1p",
    "erf",
]:
    _CUR[0] = _name
    SPECS[_name].samples.append(Sample((ints(2, 3, lo=0),), name="int64"))

spec(
    "round",
    lambda: (
        unary(lambda *s: frac_(*s, off=0.0))
        + [
            Sample((frac_(2, 3),), {"decimals": 1}, name="decimals=1", fd=False),
            Sample((exact([0.5, 1.5, 2.5, -0.5, -1.5]),), name="half-to-even", fd=False),
        ]
    ),
)
SPECS["round"].samples.append(Sample((ints(3, lo=-3),), name="int64"))
SPECS["relu"].samples.append(Sample((exact([-1.0, 0.0, 2.0]),), name="kink", fd=False))
SPECS["abs"].samples.append(Sample((exact([-1.0, 0.0, 2.0]),), name="kink", fd=False))
spec(
    "nan_to_num",
    lambda: (
        unary(rnd, shapes=[(), (2, 3)])
        + [
            Sample((exact([np.nan, np.inf, -np.inf, 1.0]),), name="nonfinite", fd=False),
            Sample(
                (exact([np.nan, np.inf, -np.inf, 1.0]), 2.0, 10.0, -10.0), name="values", fd=False
            ),
        ]
    ),
)

# pointwise: binary
spec(
    "add",
    lambda: (
        binary(rnd, rnd)
        + [
            Sample((rnd(2, 3), rnd(3)), {"alpha": 2}, name="alpha=2"),
            Sample((ints(2, 3), ints(3)), name="int64"),
        ]
    ),
)
spec(
    "sub",
    lambda: (
        binary(rnd, rnd)
        + [
            Sample((rnd(2, 3), rnd(3)), {"alpha": -0.5}, name="alpha=-0.5"),
        ]
    ),
)
spec(
    "rsub",
    lambda: (
        binary(rnd, rnd)
        + [
            Sample((rnd(2, 3), rnd(3)), {"alpha": 2}, name="alpha=2"),
        ]
    ),
    call=lambda lib, *a, **k: lib.rsub(*a, **k),
)
spec("mul", lambda: binary(rnd, rnd) + [Sample((ints(2, 3), 2.5), name="int*float")])
spec(
    "div",
    lambda: (
        binary(rnd, nz)
        + [
            Sample((ints(2, 3), T(np.array([1, 2, 4]))), name="int/int"),
            Sample((rnd(2, 3), nz(3)), {"rounding_mode": "floor"}, name="floor", fd=False),
            Sample((rnd(2, 3), nz(3)), {"rounding_mode": "trunc"}, name="trunc", fd=False),
            Sample(
                (ints(2, 3), T(np.array([2, -3, 4]))), {"rounding_mode": "trunc"}, name="int trunc"
            ),
            Sample(
                (ints(2, 3), T(np.array([2, -3, 4]))), {"rounding_mode": "floor"}, name="int floor"
            ),
        ]
    ),
)
spec(
    "floor_divide",
    lambda: [
        Sample((const(rnd(2, 3)), const(nz(3))), name="float"),
        Sample((ints(2, 3), T(np.array([2, -3, 4]))), name="int64"),
        Sample((ints(2, 3), 2), name="int,scalar"),
    ],
    grad=False,
)
spec(
    "remainder",
    lambda: [
        Sample((frac_(2, 3, off=0.0), T(np.array([1.0, -1.0, 1.0]))), name="float"),
        Sample(
            (T(np.array([5.3, -5.3, 5.3, -5.3])), T(np.array([2.0, 2.0, -2.0, -2.0]))), name="signs"
        ),
        Sample((T(np.array([5.3, -5.3])), 2.0), name="scalar"),
        Sample((ints(2, 3), T(np.array([2, -3, 4]))), name="int64"),
    ],
)
spec(
    "fmod",
    lambda: [
        Sample(
            (T(np.array([5.3, -5.3, 5.3, -5.3])), T(np.array([2.0, 2.0, -2.0, -2.0]))), name="signs"
        ),
        Sample((T(np.array([5.3, -5.3])), 2.0), name="scalar"),
        Sample((ints(2, 3), T(np.array([2, -3, 4]))), name="int64"),
    ],
)
spec(
    "pow",
    lambda: [
        Sample((pos(2, 3), 2), name="x**2"),
        Sample((pos(2, 3), 0.5), name="x**0.5"),
        Sample((pos(2, 3), 0), name="x**0"),
        Sample((pos(2, 3), -1.5), name="x**-1.5"),
        Sample((pos(2, 3), rnd(3)), name="x**y"),
        Sample((pos(), rnd(2, 3)), name="0d**y"),
        Sample((2.0, rnd(2, 3)), name="2**y", double=True),
        Sample((ints(2, 3, lo=0), 2), name="int**2"),
        Sample((exact([0.0, 1.0, 2.0]), exact([2.0, 0.0, 3.0])), name="zero base", fd=False),
    ],
    call=lambda lib, a, b: lib.pow(a, b),
)
spec("atan2", lambda: binary(rnd, nz, scalar=None))
spec(
    "maximum",
    lambda: (
        binary(rnd, rnd, scalar=None)
        + [Sample((exact([1.0, 2.0, 3.0]), exact([1.0, 0.0, 4.0])), name="ties", fd=False)]
    ),
)
spec(
    "minimum",
    lambda: (
        binary(rnd, rnd, scalar=None)
        + [Sample((exact([1.0, 2.0, 3.0]), exact([1.0, 0.0, 4.0])), name="ties", fd=False)]
    ),
)
spec(
    "lerp",
    lambda: [
        Sample((rnd(2, 3), rnd(2, 3), 0.3), name="scalar weight"),
        Sample((rnd(2, 3), rnd(3), rnd(2, 1)), name="tensor weight"),
        Sample((rnd(), rnd(3), unit(3)), name="0-d start"),
    ],
)
spec(
    "where",
    lambda: [
        Sample((bools(2, 3), rnd(2, 3), rnd(2, 3)), name="same"),
        Sample((bools(2, 3), rnd(3), rnd(2, 1)), name="broadcast"),
        Sample((bools(3), rnd(3), 0.0), name="scalar other"),
    ],
)
spec(
    "clamp",
    lambda: [
        Sample((nz(2, 3),), {"min": -0.1}, name="min"),
        Sample((nz(2, 3),), {"max": 0.1}, name="max"),
        Sample((nz(2, 3), -1.0, 1.0), name="min,max"),
        Sample((rnd(2, 3), T(_u((3,), -2, -0.1)), T(_u((3,), 0.1, 2))), name="tensor bounds"),
        Sample((exact([-1.0, 0.0, 1.0, 2.0]), 0.0, 1.0), name="at bounds", fd=False),
        Sample((ints(2, 3),), {"min": 0}, name="int64"),
    ],
)
spec(
    "clamp_min",
    lambda: [
        Sample((nz(2, 3), -0.1), name="float"),
        Sample((nz(3), T(np.array([-0.1, 0.05, 0.5]))), name="tensor"),
    ],
)
spec(
    "clamp_max",
    lambda: [
        Sample((nz(2, 3), 0.1), name="float"),
        Sample((nz(3), T(np.array([-0.1, 0.05, 0.5]))), name="tensor"),
    ],
)

# comparisons, logic, predicates (not differentiable)
for _name in ["eq", "ne", "lt", "le", "gt", "ge"]:
    spec(
        _name,
        lambda: [
            Sample((ints(2, 3, lo=0, hi=3), ints(3, lo=0, hi=3)), name="int64"),
            Sample((rnd(2, 3), 0.5), name="float,scalar"),
            Sample((ints(2, 3), 0.5), name="int,float scalar"),
            Sample(
                (T(np.array([1, 2, 3], np.int32)), T(np.array([1.0, 2.5, 3.0], np.float32))),
                name="int32,float32",
            ),
            Sample(
                (T(np.array([1, 2, 3], np.uint8)), T(np.array([1, -2, 3], np.int8))),
                name="uint8,int8",
            ),
            Sample((rnd(2, 3), const(rnd(3))), name="float64"),
        ],
        grad=False,
    )
for _name in ["logical_and", "logical_or", "logical_xor"]:
    spec(
        _name,
        lambda: [
            Sample((bools(2, 3), bools(3)), name="bool"),
            Sample((ints(2, 3, lo=0, hi=2), rnd(2, 3)), name="int,float"),
        ],
        grad=False,
    )
spec(
    "logical_not",
    lambda: [Sample((bools(2, 3),), name="bool"), Sample((ints(2, 3, lo=0, hi=2),), name="int")],
    grad=False,
)
for _name in ["bitwise_and", "bitwise_or", "bitwise_xor"]:
    spec(
        _name,
        lambda: [
            Sample((ints(2, 3, lo=0, hi=16), ints(3, lo=0, hi=16)), name="int64"),
            Sample((bools(2, 3), bools(3)), name="bool"),
            Sample((ints(2, 3), 3), name="int,scalar"),
        ],
        grad=False,
    )
spec(
    "bitwise_not",
    lambda: [Sample((ints(2, 3),), name="int64"), Sample((bools(3),), name="bool")],
    grad=False,
)
for _name in ["isnan", "isinf", "isfinite"]:
    spec(
        _name,
        lambda: [
            Sample((exact([np.nan, np.inf, -np.inf, 1.0, 0.0]),), name="mix"),
            Sample((ints(3),), name="int64"),
        ],
        grad=False,
    )

# reductions
spec(
    "sum",
    lambda: (
        reduce_samples()
        + [
            Sample(
                (rnd(2, 3),), {"dtype": Dt("float32")}, name="dtype=float32", fd=False, double=False
            ),
            Sample((ints(2, 3),), name="int64"),
            Sample((bools(2, 3), 1), name="bool,dim"),
            Sample((rnd(0, 3), 0), name="empty"),
        ]
    ),
)
spec("mean", lambda: reduce_samples() + [Sample((rnd(0, 3), 0), name="empty")])
spec(
    "var",
    lambda: (
        reduce_samples(dims=(None, 1, (0, 2)), zero_d=False)
        + [
            Sample((rnd(2, 3), 1), {"correction": 0}, name="correction=0"),
            Sample((rnd(2, 3), 1, False), name="unbiased=False"),
            Sample((rnd(4),), {"correction": 2}, name="correction=2"),
        ]
    ),
)
spec(
    "std",
    lambda: (
        reduce_samples(dims=(None, 1, (0, 2)), zero_d=False)
        + [
            Sample((rnd(2, 3), 1), {"correction": 0}, name="correction=0"),
            Sample((rnd(2, 3), 1, False), name="unbiased=False"),
        ]
    ),
)
spec(
    "prod",
    lambda: [
        Sample((rnd(2, 3),), name="all"),
        Sample((rnd(2, 3), 1), name="dim=1"),
        Sample((rnd(2, 3), 0, True), name="dim=0,keepdim"),
        Sample((rnd(),), name="0-d"),
        Sample((exact([[1.5, 0.0, 2.0], [0.5, 1.5, -1.0]]),), name="one zero", double=False),
        Sample((exact([[1.5, 0.0, 2.0], [0.5, 1.5, -1.0]]), 1), name="one zero,dim", double=False),
        Sample((exact([[0.0, 0.0, 2.0], [0.5, 1.5, -1.0]]), 1), name="two zeros", double=False),
        Sample((ints(2, 3),), name="int64"),
    ],
)
spec(
    "amax",
    lambda: (
        reduce_samples(dims=(0, -1, (0, 2)))
        + [Sample((exact([[1.0, 3.0, 3.0], [2.0, 2.0, 0.0]]), 1), name="ties", fd=False)]
    ),
)
spec(
    "amin",
    lambda: (
        reduce_samples(dims=(0, -1, (0, 2)))
        + [Sample((exact([[1.0, 1.0, 3.0], [2.0, 2.0, 0.0]]), 1), name="ties", fd=False)]
    ),
)
for _name in ["max", "min"]:
    spec(
        _name,
        lambda: [
            Sample((rnd(2, 3),), name="all"),
            Sample((rnd(2, 3), 1), name="dim=1"),
            Sample((rnd(2, 3), 0, True), name="dim=0,keepdim"),
            Sample((rnd(),), name="0-d"),
            Sample((rnd(), 0), name="0-d,dim"),
            Sample((rnd(2, 3), rnd(3)), name="binary"),
            Sample((exact([[1.0, 3.0, 3.0], [1.0, 1.0, 0.0]]),), name="ties", fd=False),
            Sample((ints(2, 3), 1), name="int64,dim"),
        ],
    )
for _name in ["argmax", "argmin"]:
    spec(
        _name,
        lambda: [
            Sample((rnd(2, 3),), name="all"),
            Sample((rnd(2, 3), 1), name="dim"),
            Sample((rnd(2, 3), 0, True), name="keepdim"),
            Sample((rnd(),), name="0-d"),
        ],
        grad=False,
    )
for _name in ["all", "any"]:
    spec(
        _name,
        lambda: [
            Sample((bools(2, 3),), name="all"),
            Sample((bools(2, 3), 1), name="dim"),
            Sample((ints(2, 3, lo=0, hi=2), 0, True), name="int,keepdim"),
            Sample((rnd(0, 2),), name="empty"),
        ],
        grad=False,
    )
spec(
    "norm",
    lambda: [
        Sample((rnd(2, 3),), name="fro"),
        Sample((rnd(2, 3),), {"p": 1}, name="p=1"),
        Sample((rnd(2, 3),), {"p": 3}, name="p=3"),
        Sample((rnd(2, 3),), {"p": float("inf")}, name="p=inf"),
        Sample((rnd(2, 3),), {"dim": 1}, name="dim=1"),
        Sample((rnd(2, 3),), {"p": 1.5, "dim": 0, "keepdim": True}, name="p=1.5,dim=0,keepdim"),
        Sample((exact([0.0, 0.0]),), name="zero", fd=False),
        Sample((rnd(),), name="0-d"),
    ],
)
spec(
    "logsumexp",
    lambda: [
        Sample((rnd(2, 3), 1), name="dim=1"),
        Sample((rnd(2, 3), 0, True), name="dim=0,keepdim"),
        Sample((rnd(2, 3, 2), (0, 2)), name="dims"),
        Sample((exact([1000.0, 1000.0, 999.0]), 0), name="large"),
        Sample((rnd(), 0), name="0-d"),
    ],
)
spec(
    "cumsum",
    lambda: [
        Sample((rnd(2, 3), 1), name="dim=1"),
        Sample((rnd(2, 3), 0), name="dim=0"),
        Sample((rnd(), 0), name="0-d"),
        Sample((ints(4), 0), name="int64"),
        Sample((rnd(3, 0), -1), name="empty"),
    ],
)
spec(
    "cumprod",
    lambda: [
        Sample((rnd(2, 3), 1), name="dim=1"),
        Sample((rnd(4), 0), name="1-d"),
        Sample((rnd(), 0), name="0-d"),
        Sample((ints(4), 0), name="int64"),
        Sample((exact([2.0, 0.0, 3.0, 1.5]), 0), name="zero", double=False),
    ],
)
spec(
    "softmax",
    lambda: [
        Sample((rnd(2, 3), 1), name="dim=1"),
        Sample((rnd(2, 3), 0), name="dim=0"),
        Sample((rnd(), 0), name="0-d"),
        Sample((exact([1000.0, 0.0, -1000.0]), 0), name="large"),
    ],
)
spec(
    "log_softmax",
    lambda: [
        Sample((rnd(2, 3), 1), name="dim=1"),
        Sample((rnd(2, 3), -2), name="dim=-2"),
        Sample((rnd(), 0), name="0-d"),
        Sample((exact([1000.0, 0.0, -1000.0]), 0), name="large"),
    ],
)
spec(
    "sum_to_size",
    lambda: [
        Sample((rnd(2, 3), 1, 3), name="(1,3)"),
        Sample((rnd(2, 3), (3,)), name="(3,)"),
        Sample((rnd(2, 3), 2, 1), name="(2,1)"),
    ],
    call=method("sum_to_size"),
)

# shape
spec(
    "view",
    lambda: [
        Sample((rnd(2, 3), 3, 2), name="3,2"),
        Sample((rnd(2, 3), (-1,)), name="-1"),
        Sample((rnd(), 1), name="0-d"),
        Sample((rnd(0, 3), 3, 0), name="empty"),
    ],
    call=method("view"),
)
spec(
    "reshape",
    lambda: [
        Sample((rnd(2, 3), (3, 2)), name="3,2"),
        Sample((rnd(2, 3), (-1,)), name="-1"),
        Sample((rnd(), (1, 1)), name="0-d"),
    ],
)
spec(
    "squeeze",
    lambda: [
        Sample((rnd(2, 1, 3),), name="all"),
        Sample((rnd(2, 1, 3), 1), name="dim"),
        Sample((rnd(2, 1, 3), 0), name="not 1"),
        Sample((rnd(1, 2, 1), (0, 2)), name="dims"),
        Sample((rnd(),), name="0-d"),
    ],
)
spec(
    "unsqueeze",
    lambda: [
        Sample((rnd(2, 3), 0), name="0"),
        Sample((rnd(2, 3), -1), name="-1"),
        Sample((rnd(), 0), name="0-d"),
    ],
)
spec(
    "permute",
    lambda: [
        Sample((rnd(2, 3, 2), (2, 0, 1)), name="tuple"),
        Sample((rnd(2, 3), (-1, 0)), name="neg"),
    ],
)
spec(
    "transpose",
    lambda: [Sample((rnd(2, 3), 0, 1), name="2d"), Sample((rnd(2, 3, 2), -1, 0), name="3d")],
)
spec(
    "t",
    lambda: [
        Sample((rnd(2, 3),), name="2d"),
        Sample((rnd(3),), name="1d"),
        Sample((rnd(),), name="0-d"),
    ],
)
spec(
    "expand",
    lambda: [
        Sample((rnd(3, 1), 3, 4), name="3,4"),
        Sample((rnd(3), (2, -1)), name="new dim"),
        Sample((rnd(), (2,)), name="0-d"),
    ],
    call=method("expand"),
)
spec(
    "repeat",
    lambda: [Sample((rnd(2, 3), 2, 1), name="2,1"), Sample((rnd(3), (2, 2)), name="new dim")],
    call=method("repeat"),
)
spec("flip", lambda: [Sample((rnd(2, 3), (0,)), name="0"), Sample((rnd(2, 3), (0, 1)), name="0,1")])
spec(
    "roll",
    lambda: [
        Sample((rnd(2, 3), 1, 1), name="1,1"),
        Sample((rnd(2, 3), 2), name="flat"),
        Sample((rnd(2, 3), (1, -1), (0, 1)), name="tuple"),
    ],
)
spec(
    "cat",
    lambda: [
        Sample(([rnd(2, 3), rnd(1, 3)],), name="dim0"),
        Sample(([rnd(2, 3), rnd(2, 2)], 1), name="dim1"),
        Sample(([rnd(2), const(rnd(3))],), name="const part"),
        Sample(([rnd(2, 3), ints(1, 3)],), name="promote"),
    ],
)
spec(
    "stack",
    lambda: [
        Sample(([rnd(2, 3), rnd(2, 3)],), name="dim0"),
        Sample(([rnd(3), rnd(3), rnd(3)], 1), name="dim1"),
        Sample(([rnd(), rnd()],), name="0-d"),
    ],
)
spec(
    "split",
    lambda: [
        Sample((rnd(5, 2), 2), name="size"),
        Sample((rnd(5, 2), [1, 4]), name="sizes"),
        Sample((rnd(2, 4), 2, 1), name="dim1"),
    ],
)
spec("chunk", lambda: [Sample((rnd(5, 2), 2), name="2"), Sample((rnd(2, 6), 3, 1), name="dim1")])
spec("unbind", lambda: [Sample((rnd(3, 2),), name="0"), Sample((rnd(3, 2), 1), name="1")])
spec(
    "narrow",
    lambda: [Sample((rnd(4, 3), 0, 1, 2), name="0"), Sample((rnd(4, 3), -1, 0, 2), name="-1")],
)
spec(
    "select", lambda: [Sample((rnd(4, 3), 0, 1), name="0"), Sample((rnd(4, 3), 1, -1), name="neg")]
)
spec("clone", lambda: unary(rnd, shapes=[(), (2, 3)]))
spec("contiguous", lambda: unary(rnd, shapes=[(), (2, 3)]), call=method("contiguous"))
spec("tril", lambda: [Sample((rnd(3, 3),), name="0"), Sample((rnd(3, 4), -1), name="-1")])
spec("triu", lambda: [Sample((rnd(3, 3),), name="0"), Sample((rnd(3, 4), 1), name="1")])
spec(
    "diag",
    lambda: [
        Sample((rnd(3),), name="vec"),
        Sample((rnd(3), 1), name="vec,1"),
        Sample((rnd(3, 3),), name="mat"),
        Sample((rnd(3, 4), -1), name="mat,-1"),
    ],
)
spec(
    "diagonal",
    lambda: [
        Sample((rnd(3, 3),), name="0"),
        Sample((rnd(3, 4), 1), name="1"),
        Sample((rnd(2, 3, 3), 0, 1, 2), name="batched"),
        Sample((rnd(3, 4), -1), name="-1"),
    ],
)
spec(
    "movedim",
    lambda: [
        Sample((rnd(2, 3, 2), 0, 2), name="int"),
        Sample((rnd(2, 3, 2), (0, 1), (2, 0)), name="tuple"),
    ],
)
spec("view_as", lambda: [Sample((rnd(2, 3), const(rnd(3, 2))), name="")], call=method("view_as"))
spec("reshape_as", lambda: [Sample((rnd(2, 3), const(rnd(6))), name="")], call=method("reshape_as"))
spec(
    "expand_as",
    lambda: [Sample((rnd(3, 1), const(rnd(2, 3, 4))), name="")],
    call=method("expand_as"),
)
spec("broadcast_to", lambda: [Sample((rnd(3, 1), (2, 3, 4)), name="")])
spec(
    "flatten",
    lambda: [
        Sample((rnd(2, 3, 2),), name="all"),
        Sample((rnd(2, 3, 2), 1), name="1"),
        Sample((rnd(),), name="0-d"),
    ],
)
spec(
    "unflatten",
    lambda: [Sample((rnd(2, 6), 1, (2, 3)), name=""), Sample((rnd(6), 0, (-1, 2)), name="-1")],
)
spec("fliplr", lambda: [Sample((rnd(2, 3),), name="")])
spec("flipud", lambda: [Sample((rnd(2, 3),), name="")])
spec(
    "hstack",
    lambda: [Sample(([rnd(2), rnd(3)],), name="1d"), Sample(([rnd(2, 1), rnd(2, 2)],), name="2d")],
)
spec(
    "vstack",
    lambda: [Sample(([rnd(3), rnd(3)],), name="1d"), Sample(([rnd(1, 3), rnd(2, 3)],), name="2d")],
)

# indexing
spec(
    "index_select",
    lambda: [
        Sample((rnd(4, 3), 0, idx((3,), 4)), name="0"),
        Sample((rnd(4, 3), 1, T(np.array([2, 2, 0]))), name="repeat"),
    ],
)
spec(
    "gather",
    lambda: [
        Sample((rnd(3, 4), 1, idx((3, 2), 4)), name="1"),
        Sample((rnd(3, 4), 0, idx((2, 4), 3)), name="0"),
        Sample((rnd(3, 4), 1, T(np.array([[0], [3], [1]], np.int32))), name="int32 index"),
    ],
)
spec(
    "scatter",
    lambda: [
        Sample((rnd(3, 4), 1, T(np.array([[0, 1], [2, 3], [1, 0]])), rnd(3, 2)), name="src"),
        Sample((rnd(3, 4), 0, T(np.array([[0, 1, 2, 0]])), rnd(1, 4)), name="src dim0"),
        Sample((rnd(3, 4), 1, T(np.array([[0], [2], [3]]))), {"value": 2.0}, name="value"),
    ],
)
spec(
    "scatter_add",
    lambda: [
        Sample((rnd(3, 4), 1, T(np.array([[0, 0], [2, 3], [1, 1]])), rnd(3, 2)), name="dup"),
        Sample((rnd(3, 4), 0, T(np.array([[0, 1, 2, 0], [0, 1, 2, 0]])), rnd(2, 4)), name="dim0"),
    ],
)
spec(
    "masked_fill",
    lambda: [
        Sample((rnd(2, 3), bools(2, 3), 0.5), name="scalar"),
        Sample((rnd(2, 3), bools(3), rnd()), name="tensor value"),
    ],
)
spec(
    "masked_select",
    lambda: [
        Sample((rnd(2, 3), bools(2, 3)), name=""),
        Sample((rnd(2, 3), bools(3)), name="broadcast"),
    ],
)

# linalg
spec(
    "matmul",
    lambda: [
        Sample((rnd(2, 3), rnd(3, 4)), name="mm"),
        Sample((rnd(3), rnd(3)), name="dot"),
        Sample((rnd(2, 3), rnd(3)), name="mv"),
        Sample((rnd(3), rnd(3, 2)), name="vm"),
        Sample((rnd(2, 2, 3), rnd(3, 2)), name="bmm-bcast"),
        Sample((rnd(2, 3), rnd(2, 3, 2)), name="mat@batch"),
        Sample((rnd(2, 1, 2, 3), rnd(3, 3, 1)), name="batch-bcast"),
        Sample((rnd(2, 2, 3), rnd(3)), name="batch@vec"),
        Sample((rnd(3), rnd(2, 3, 2)), name="vec@batch"),
    ],
)
spec(
    "mm",
    lambda: [Sample((rnd(2, 3), rnd(3, 4)), name=""), Sample((rnd(2, 0), rnd(0, 3)), name="empty")],
)
spec("bmm", lambda: [Sample((rnd(2, 2, 3), rnd(2, 3, 2)), name="")])
spec("mv", lambda: [Sample((rnd(2, 3), rnd(3)), name="")])
spec("dot", lambda: [Sample((rnd(3), rnd(3)), name=""), Sample((ints(3), ints(3)), name="int64")])
spec(
    "outer",
    lambda: [Sample((rnd(3), rnd(2)), name=""), Sample((ints(3), rnd(2)), name="int,float")],
)
spec(
    "einsum",
    lambda: [
        Sample(("ij,jk->ik", rnd(2, 3), rnd(3, 4)), name="mm"),
        Sample(("ij->ji", rnd(2, 3)), name="transpose"),
        Sample(("ij,ij->", rnd(2, 3), rnd(2, 3)), name="inner"),
        Sample(("bij,bjk->bik", rnd(2, 2, 3), rnd(2, 3, 2)), name="bmm"),
        Sample(("ij,k", rnd(2, 3), rnd(2)), name="implicit"),
        Sample(("ij->j", rnd(2, 3)), name="sum"),
        Sample(("i,i,i->", rnd(3), rnd(3), rnd(3)), name="three"),
    ],
)


# random ops: values are not comparable to torch; shape, dtype and support are
def _check_bernoulli(wf: Any, lib_out: Any) -> None:
    d = lib_out._data if hasattr(lib_out, "_data") else lib_out.numpy()
    assert set(np.unique(d)) <= {0.0, 1.0}


def _check_multinomial(wf: Any, out: Any) -> None:
    d = np.asarray(out.tolist())
    assert out.dtype == wf.int64
    assert ((d >= 0) & (d < 4)).all()
    assert (d != 1).all()  # the zero-probability class never comes out


spec(
    "bernoulli",
    lambda: [Sample((T(np.full((2, 3), 0.5), grad=False),), name="")],
    grad=False,
    random=_check_bernoulli,
)
spec(
    "multinomial",
    lambda: [
        Sample((T(np.array([0.2, 0.0, 0.5, 0.3]), grad=False), 2), name="1-d"),
        Sample((T(np.array([[0.2, 0.0, 0.5, 0.3]] * 2), grad=False), 5, True), name="2-d,replace"),
    ],
    grad=False,
    random=_check_multinomial,
)


def _cx(lib, a, b):
    return lib.complex(a, b)


# complex ops: the harness handles real data, so specs build complex values with
# `complex` and return real views
spec(
    "complex",
    lambda: [
        Sample((rnd(2, 3), rnd(2, 3)), name=""),
        Sample((rnd(3, 1), rnd(2)), name="broadcast"),
    ],
    call=lambda lib, a, b: lib.view_as_real(_cx(lib, a, b)),
)  # noqa: E501
spec(
    "polar",
    lambda: [Sample((pos(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.view_as_real(lib.polar(a, b)),
)  # noqa: E501
spec(
    "view_as_real",
    lambda: [Sample((rnd(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.view_as_real(_cx(lib, a, b) ** 2),
)  # noqa: E501
spec(
    "view_as_complex",
    lambda: [Sample((rnd(3, 2),), name="")],
    call=lambda lib, x: lib.view_as_real(lib.view_as_complex(x) ** 2),
)  # noqa: E501
spec(
    "real",
    lambda: [Sample((rnd(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.real(_cx(lib, a, b) ** 2),
)  # noqa: E501
spec(
    "imag",
    lambda: [Sample((rnd(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.imag(_cx(lib, a, b) ** 2),
)  # noqa: E501
spec(
    "conj",
    lambda: [Sample((rnd(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.view_as_real(lib.conj(_cx(lib, a, b)) * _cx(lib, b, a)),
)  # noqa: E501
spec(
    "conj_physical",
    lambda: [Sample((rnd(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.view_as_real(lib.conj_physical(_cx(lib, a, b))),
)  # noqa: E501
spec(
    "resolve_conj",
    lambda: [Sample((rnd(2, 3), rnd(2, 3)), name="")],
    call=lambda lib, a, b: lib.view_as_real(lib.resolve_conj(lib.conj(_cx(lib, a, b)))),
)  # noqa: E501
spec("sgn", lambda: unary(nz) + [Sample((ints(2, 3),), name="int64")])
spec("angle", lambda: unary(nz) + [Sample((ints(2, 3),), name="int64")])
spec("adjoint", lambda: [Sample((rnd(2, 3),), name="2-d"), Sample((rnd(2, 2, 3),), name="3-d")])
spec("vdot", lambda: [Sample((rnd(3), rnd(3)), name=""), Sample((ints(3), ints(3)), name="int64")])


# sorting: the values are differentiable (their gradient goes back to the sorted positions)
spec(
    "sort",
    lambda: [
        Sample((rnd(3, 4),), name="last"),
        Sample((rnd(3, 4), 0, True), name="dim,desc"),
        Sample((rnd(),), name="0-d"),
    ],
    call=lambda lib, *a: lib.sort(*a).values,
)
spec(
    "topk",
    lambda: [Sample((rnd(3, 4), 2), name="k=2"), Sample((rnd(3, 4), 1, 0, False), name="smallest")],
    call=lambda lib, *a: lib.topk(*a).values,
)


# comparisons and index helpers exported as torch.* functions (methods.py composites)
spec(
    "isclose",
    lambda: [Sample((exact([1.0, 2.0, 3.0]), exact([1.0, 2.0 + 1e-9, 3.1])), name="")],
    grad=False,
)
spec(
    "allclose",
    lambda: [Sample((exact([1.0, 2.0]), exact([1.0, 2.0 + 1e-9])), name="")],
    call=lambda lib, a, b: lib.tensor(lib.allclose(a, b)),
    grad=False,
)
spec(
    "equal",
    lambda: [Sample((ints(2, 3), ints(2, 3)), name="")],
    call=lambda lib, a, b: lib.tensor([lib.equal(a, b), lib.equal(a, a)]),
    grad=False,
)
spec(
    "count_nonzero",
    lambda: [
        Sample((ints(3, 4, lo=-1, hi=2),), name="all"),
        Sample((ints(3, 4, lo=-1, hi=2), 1), name="dim"),
    ],
    grad=False,
)
spec("nonzero", lambda: [Sample((ints(3, 4, lo=-1, hi=2),), name="")], grad=False)
spec(
    "argsort",
    lambda: [Sample((rnd(3, 4),), name="last"), Sample((rnd(3, 4), 0, True), name="dim,desc")],
    grad=False,
)
spec(
    "tile", lambda: [Sample((rnd(2, 3), (2, 1)), name="2-d"), Sample((rnd(3), (2, 2)), name="grow")]
)
spec(
    "repeat_interleave",
    lambda: [Sample((rnd(2, 3), 2), name="flat"), Sample((rnd(2, 3), 2, 1), name="dim")],
)


# the derivative tests use one of the variants; these are forward-only through torch
NOT_DIFFERENTIABLE = {n for n, s in SPECS.items() if not s.grad}


# ---- aliases: same function object (or a thin wrapper), checked by identity/values -------------

ALIASES: dict[str, tuple[str, str]] = {
    "absolute": ("abs", "NumPy name of abs"),
    "negative": ("neg", "NumPy name of neg"),
    "arcsin": ("asin", "NumPy name"),
    "arccos": ("acos", "NumPy name"),
    "arctan": ("atan", "NumPy name"),
    "arctan2": ("atan2", "NumPy name"),
    "fix": ("trunc", "NumPy name of trunc"),
    "true_divide": ("div", "div without rounding_mode"),
    "divide": ("div", "NumPy name of div"),
    "multiply": ("mul", "NumPy name"),
    "subtract": ("sub", "NumPy name"),
    "clip": ("clamp", "NumPy name of clamp"),
    "concat": ("cat", "NumPy name of cat"),
    "concatenate": ("cat", "NumPy name of cat"),
    "swapaxes": ("transpose", "NumPy name of transpose"),
    "swapdims": ("transpose", "NumPy name of transpose"),
    "moveaxis": ("movedim", "NumPy name of movedim"),
    "greater": ("gt", "NumPy name"),
    "less": ("lt", "NumPy name"),
    "greater_equal": ("ge", "NumPy name"),
    "less_equal": ("le", "NumPy name"),
    "not_equal": ("ne", "NumPy name"),
    "ger": ("outer", "deprecated name of outer"),
    "special_erf": ("erf", "torch.special.erf (torch has no top-level special_erf)"),
}


# ---- bad inputs: PyTorch's exception type and message, one or more per op family ----------

ERRORS: list[ErrorCase] = [
    ErrorCase(
        "add-broadcast",
        lambda L: L.add(L.ones(2, 3), L.ones(4)),
        RuntimeError,
        "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1",
    ),
    ErrorCase(
        "sub-bool",
        lambda L: L.sub(L.tensor([True]), L.tensor([False])),
        RuntimeError,
        "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or "
        "`logical_xor()` operator instead.",
    ),
    ErrorCase(
        "neg-bool",
        lambda L: L.neg(L.tensor([True])),
        RuntimeError,
        "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
        "invert a mask, use the `~` or `logical_not()` operator instead.",
    ),
    ErrorCase(
        "pow-int-neg",
        lambda L: L.pow(L.tensor([2]), -1),
        RuntimeError,
        "Integers to negative integer powers are not allowed.",
    ),
    ErrorCase(
        "div-rounding",
        lambda L: L.div(L.ones(2), L.ones(2), rounding_mode="round"),
        RuntimeError,
        "div expected rounding_mode to be one of None, 'trunc', or 'floor' but found 'round'",
    ),
    ErrorCase(
        "where-cond",
        lambda L: L.where(L.tensor([1, 0]), L.ones(2), L.zeros(2)),
        RuntimeError,
        "where expected condition to be a boolean tensor, but got a tensor with dtype Long",
    ),
    ErrorCase(
        "clamp-none",
        lambda L: L.clamp(L.ones(2)),
        RuntimeError,
        "torch.clamp: At least one of 'min' or 'max' must not be None",
    ),
    ErrorCase(
        "bitwise-float",
        lambda L: L.bitwise_and(L.ones(2), L.ones(2)),
        NotImplementedError,
        "\"bitwise_and_cpu\" not implemented for 'Float'",
    ),
    ErrorCase(
        "invert-float",
        lambda L: ~L.ones(2),
        TypeError,
        "~ (operator.invert) is only implemented on integer and Boolean-type tensors",
    ),
    ErrorCase(
        "mean-int",
        lambda L: L.mean(L.tensor([1, 2])),
        RuntimeError,
        "mean(): could not infer output dtype. Input dtype must be either a floating point or "
        "complex dtype. Got: Long",
    ),
    ErrorCase(
        "max-empty",
        lambda L: L.max(L.ones(0)),
        RuntimeError,
        "max(): Expected reduction dim to be specified for input.numel() == 0. Specify the "
        "reduction dim with the 'dim' argument.",
    ),
    ErrorCase(
        "max-dim-empty",
        lambda L: L.max(L.ones(0, 2), 0),
        IndexError,
        "max(): Expected reduction dim 0 to have non-zero size.",
    ),
    ErrorCase(
        "sum-dim-range",
        lambda L: L.sum(L.ones(2, 3), 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    ErrorCase(
        "view-invalid",
        lambda L: L.ones(2, 3).view(4),
        RuntimeError,
        "shape '[4]' is invalid for input of size 6",
    ),
    ErrorCase(
        "view-2neg",
        lambda L: L.ones(2, 3).view(-1, -1),
        RuntimeError,
        "only one dimension can be inferred",
    ),
    ErrorCase(
        "view-stride",
        lambda L: L.ones(2, 3).t().view(6),
        RuntimeError,
        "view size is not compatible with input tensor's size and stride (at least one "
        "dimension spans across two contiguous subspaces). Use .reshape(...) instead.",
    ),
    ErrorCase(
        "cat-sizes",
        lambda L: L.cat([L.ones(2, 3), L.ones(2, 2)]),
        RuntimeError,
        "Sizes of tensors must match except in dimension 0. Expected size 3 but got size 2 for "
        "tensor number 1 in the list.",
    ),
    ErrorCase(
        "cat-ndim",
        lambda L: L.cat([L.ones(2, 3), L.ones(3)]),
        RuntimeError,
        "Tensors must have same number of dimensions: got 2 and 1",
    ),
    ErrorCase(
        "cat-0d",
        lambda L: L.cat([L.tensor(1.0), L.tensor(2.0)]),
        RuntimeError,
        "zero-dimensional tensor (at position 0) cannot be concatenated",
    ),
    ErrorCase(
        "stack-sizes",
        lambda L: L.stack([L.ones(2), L.ones(3)]),
        RuntimeError,
        "stack expects each tensor to be equal size, but got [2] at entry 0 and [3] at entry 1",
    ),
    ErrorCase(
        "expand-size",
        lambda L: L.ones(2, 3).expand(4, 3),
        RuntimeError,
        "The expanded size of the tensor (4) must match the existing size (2) at non-singleton "
        "dimension 0.  Target sizes: [4, 3].  Tensor sizes: [2, 3]",
    ),
    ErrorCase(
        "t-3d",
        lambda L: L.t(L.ones(2, 2, 2)),
        RuntimeError,
        "t() expects a tensor with <= 2 dimensions, but self is 3D",
    ),
    ErrorCase(
        "permute-len",
        lambda L: L.permute(L.ones(2, 3), (0,)),
        RuntimeError,
        "permute(sparse_coo): number of dimensions in the tensor input does not match the "
        "length of the desired ordering of dimensions i.e. input.dim() = 2 is not equal to "
        "len(dims) = 1",
    ),
    ErrorCase(
        "getitem-oob",
        lambda L: L.ones(2, 3)[2],
        IndexError,
        "index 2 is out of bounds for dimension 0 with size 2",
    ),
    ErrorCase(
        "getitem-float",
        lambda L: L.ones(3)[L.tensor([0.0])],
        IndexError,
        "tensors used as indices must be long, int, byte or bool tensors",
    ),
    ErrorCase(
        "masked-fill-mask",
        lambda L: L.masked_fill(L.ones(2), L.tensor([1, 0]), 0.0),
        RuntimeError,
        "masked_fill_ only supports boolean masks, but got mask with dtype long int",
    ),
    ErrorCase(
        "select-oob",
        lambda L: L.select(L.ones(2, 3), 1, 3),
        IndexError,
        "select(): index 3 out of range for tensor of size [2, 3] at dimension 1",
    ),
    ErrorCase(
        "mm-shapes",
        lambda L: L.mm(L.ones(2, 3), L.ones(2, 3)),
        RuntimeError,
        "mat1 and mat2 shapes cannot be multiplied (2x3 and 2x3)",
    ),
    ErrorCase(
        "matmul-0d",
        lambda L: L.matmul(L.tensor(1.0), L.ones(2)),
        RuntimeError,
        "both arguments to matmul need to be at least 1D, but they are 0D and 1D",
    ),
    ErrorCase(
        "dot-dtype",
        lambda L: L.dot(L.ones(2), L.ones(2, dtype=L.float64)),
        RuntimeError,
        "dot : expected both vectors to have same dtype, but found Float and Double",
    ),
    ErrorCase(
        "dot-ndim",
        lambda L: L.dot(L.ones(2, 2), L.ones(2)),
        RuntimeError,
        "1D tensors expected, but got 2D and 1D tensors",
    ),
    ErrorCase(
        "mv-size",
        lambda L: L.mv(L.ones(2, 3), L.ones(2)),
        RuntimeError,
        "size mismatch, got input (2), mat (2x3), vec (2)",
    ),
    ErrorCase(
        "bmm-ndim",
        lambda L: L.bmm(L.ones(2, 3), L.ones(3, 2)),
        RuntimeError,
        "batch1 must be a 3D tensor",
    ),
    ErrorCase(
        "floor_divide-backward",
        lambda L: L.floor_divide(L.ones(2, requires_grad=True), 2.0).sum().backward(),
        RuntimeError,
        "derivative for aten::floor_divide is not implemented",
    ),
    ErrorCase(
        "softmax-dim",
        lambda L: L.softmax(L.ones(2, 3), 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
    ErrorCase(
        "leaf-inplace",
        lambda L: L.ones(2, requires_grad=True).add_(1),
        RuntimeError,
        "a leaf Variable that requires grad is being used in an in-place operation.",
    ),
    ErrorCase(
        "split-sizes",
        lambda L: L.split(L.ones(4), [1, 2]),
        RuntimeError,
        "split_with_sizes expects split_sizes to sum exactly to 4 (input tensor's size at "
        "dimension 0), but got split_sizes=[1, 2]",
    ),
    ErrorCase(
        "narrow-oob",
        lambda L: L.narrow(L.ones(4), 0, 3, 2),
        RuntimeError,
        "start (3) + length (2) exceeds dimension size (4).",
    ),
    ErrorCase(
        "repeat-dims",
        lambda L: L.ones(2, 3).repeat(2),
        RuntimeError,
        "Number of dimensions of repeat dims can not be smaller than number of dimensions of "
        "tensor",
    ),
    ErrorCase(
        "diag-3d",
        lambda L: L.diag(L.ones(2, 2, 2)),
        RuntimeError,
        "diag(): Supports 1D or 2D tensors. Got 3D",
    ),
    ErrorCase(
        "index_select-2d",
        lambda L: L.index_select(L.ones(3), 0, L.tensor([[0]])),
        IndexError,
        "index_select(): Index is supposed to be a vector",
    ),
    ErrorCase(
        "prod-int-grad",
        lambda L: L.ones(2, dtype=L.int64, requires_grad=True),
        RuntimeError,
        "Only Tensors of floating point and complex dtype can require gradients",
    ),
    ErrorCase(
        "chunk-0",
        lambda L: L.chunk(L.ones(4), 0),
        RuntimeError,
        "chunk expects `chunks` to be greater than 0, got: 0",
    ),
    ErrorCase(
        "squeeze-dim",
        lambda L: L.squeeze(L.ones(2, 1), 3),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
    ),
    ErrorCase(
        "unsqueeze-dim",
        lambda L: L.unsqueeze(L.ones(2), 3),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 3)",
    ),
    ErrorCase(
        "transpose-dim",
        lambda L: L.transpose(L.ones(2, 3), 0, 2),
        IndexError,
        "Dimension out of range (expected to be in range of [-2, 1], but got 2)",
    ),
]

ERRORS += [
    ErrorCase(
        "softmax-int-lastdim",
        lambda L: L.softmax(L.ones(2, 3, dtype=L.int64), 1),
        NotImplementedError,
        "\"softmax_lastdim_kernel_impl\" not implemented for 'Long'",
    ),
    ErrorCase(
        "log_softmax-int",
        lambda L: L.log_softmax(L.ones(2, 3, dtype=L.int64), 0),
        NotImplementedError,
        "\"log_softmax_kernel_impl\" not implemented for 'Long'",
    ),
    ErrorCase(
        "gather-int16",
        lambda L: L.gather(L.ones(2, 2), 1, L.zeros(1, 1, dtype=L.int16)),
        RuntimeError,
        "gather(): Expected dtype int32/int64 for index",
    ),
    ErrorCase(
        "masked-fill-uint8",
        lambda L: L.ones(2).masked_fill(L.ones(2, dtype=L.uint8), 0.0),
        RuntimeError,
        "masked_fill_ only supports boolean masks, but got mask with dtype unsigned char",
    ),
    ErrorCase(
        "scatter-reduce-backward",
        lambda L: (
            L.scatter(
                L.ones(2, 3, requires_grad=True), 1, L.tensor([[0]]), L.ones(2, 3), reduce="add"
            )
            .sum()
            .backward()
        ),
        RuntimeError,
        "derivative for aten::scatter is not implemented",
    ),
]

ERRORS += [
    ErrorCase(
        "var-int",
        lambda L: L.var(L.tensor([1, 2, 3])),
        RuntimeError,
        "std and var only support floating point and complex dtypes",
    ),
    ErrorCase(
        "norm-int",
        lambda L: L.norm(L.tensor([3, 4])),
        RuntimeError,
        "linalg.vector_norm: Expected a floating point or complex tensor as input. Got Long",
    ),
    ErrorCase(
        "relu-bool",
        lambda L: L.relu(L.tensor([True])),
        RuntimeError,
        "Boolean inputs not supported for relu",
    ),
    ErrorCase(
        "abs-bool",
        lambda L: L.abs(L.tensor([True])),
        NotImplementedError,
        "\"abs_cpu\" not implemented for 'Bool'",
    ),
    ErrorCase(
        "remainder-int-zero",
        lambda L: L.remainder(L.tensor([5]), 0),
        RuntimeError,
        "ZeroDivisionError",
    ),
    ErrorCase(
        "floor_divide-int-zero",
        lambda L: L.tensor([5]) // L.tensor([0]),
        RuntimeError,
        "ZeroDivisionError",
    ),
    ErrorCase(
        "round-int-decimals",
        lambda L: L.round(L.tensor([15]), decimals=-1),
        NotImplementedError,
        "\"round_cpu\" not implemented for 'Long'",
    ),
    ErrorCase(
        "frac-int",
        lambda L: L.frac(L.tensor([3])),
        NotImplementedError,
        "\"frac_cpu\" not implemented for 'Long'",
    ),
    ErrorCase(
        "lerp-dtype",
        lambda L: L.lerp(L.ones(1), L.ones(1, dtype=L.float64), 0.5),
        RuntimeError,
        "expected dtype float for `end` but got dtype double",
    ),
    ErrorCase(
        "add-int-float-alpha",
        lambda L: L.add(L.tensor([1]), L.tensor([1]), alpha=0.5),
        RuntimeError,
        "For integral input tensors, argument alpha must not be a floating point number.",
    ),
]
SPECS["sign"].samples.append(Sample((T(np.array([True, False])),), name="bool"))
SPECS["any"].samples.append(Sample((T(np.array([[0, 2], [0, 0]], np.uint8)), 1), name="uint8"))
SPECS["all"].samples.append(Sample((T(np.array([1, 2], np.uint8)),), name="uint8"))
SPECS["lerp"].samples.append(
    Sample((T(np.array([1.0, 2.0])), T(np.array([3.0, 5.0])), T(np.array(0.25))), name="0-d weight")
)
