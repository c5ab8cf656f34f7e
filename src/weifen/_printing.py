"""Tensor printing, character for character what PyTorch 2.13 prints (torch/_tensor_str.py).

A repr is ``tensor(`` + the nested-list body + suffixes (``dtype=``, ``size=``, ``grad_fn=`` ...)
+ ``)``. The body is built in two steps, as PyTorch does:

1. A formatter looks at the values once and fixes the number style for the whole tensor:
   integer-valued floats print as ``1.``, mixed magnitudes switch to scientific notation,
   and every element is right-aligned to the widest one.
2. The nested lists are laid out: 1-D rows wrap at ``linewidth``, higher dimensions put
   ``ndim - 1`` newlines between their slices, and tensors with more than ``threshold``
   elements show only ``edgeitems`` entries at each end of every dimension, with ``...``.

Several of PyTorch's quirks are reproduced on purpose (they are marked "as PyTorch"), because
programs compare printed output and must see the same characters.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from weifen import _dtype

__all__ = ["format_tensor", "set_printoptions", "get_printoptions"]


class _PrintOptions:
    # a plain class, not a dataclass: `dataclasses` costs import time
    def __init__(self) -> None:
        self.precision: int = 4
        self.threshold: float = 1000
        self.edgeitems: int = 3
        self.linewidth: int = 80
        self.sci_mode: bool | None = None


_OPTIONS = _PrintOptions()

# profile -> (precision, threshold, edgeitems, linewidth). An unknown profile is ignored
# (as PyTorch).
_PROFILES = {
    "default": (4, 1000, 3, 80),
    "short": (2, 1000, 2, 80),
    "full": (4, math.inf, 3, 80),
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set options for printing. Matches `torch.set_printoptions`.

    A profile ("default", "short", "full") sets all four numeric options first; the other
    arguments then override it. `sci_mode` is always assigned, so any call that omits it
    returns to automatic choice of scientific notation (as PyTorch).
    """
    if profile in _PROFILES:
        (
            _OPTIONS.precision,
            _OPTIONS.threshold,
            _OPTIONS.edgeitems,
            _OPTIONS.linewidth,
        ) = _PROFILES[profile]
    if precision is not None:
        _OPTIONS.precision = precision
    if threshold is not None:
        _OPTIONS.threshold = threshold
    if edgeitems is not None:
        _OPTIONS.edgeitems = edgeitems
    if linewidth is not None:
        _OPTIONS.linewidth = linewidth
    _OPTIONS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current options as keyword arguments for `set_printoptions`.

    Matches `torch._tensor_str.get_printoptions` (PyTorch 2.13 does not export it as
    `torch.get_printoptions`).
    """
    return dict(vars(_OPTIONS))


# ---------------------------------------------------------------------------------------------
# Formatters: one per tensor, chosen from all (or, when summarising, the shown) values.
# Each has `width` (the aligned width of one element, used to decide how many fit on a line)
# and `format(value)` taking a Python scalar.


class _IntFormatter:
    """Integers and bools: their Python str(), right-aligned to the widest."""

    def __init__(self, values: np.ndarray) -> None:
        self.width = max([1, *(len(str(v)) for v in np.unique(values).tolist())])

    def format(self, value: int | bool) -> str:
        return str(value).rjust(self.width)


class _FloatFormatter:
    """Floating values in one of three styles, fixed for the whole tensor:

    - int mode, when every finite value is a whole number: ``1.``, ``-20.`` (the dot marks
      the tensor as floating);
    - scientific, when the finite nonzero magnitudes span more than 1000x, or exceed 1e8,
      or go below 1e-4 (or when sci_mode forces it): ``1.0000e+10``;
    - fixed, with `precision` decimals: ``0.5000``.

    Zeros, infinities and NaNs take no part in the choice, nor in the width.
    """

    def __init__(self, values: np.ndarray) -> None:
        self.precision = _OPTIONS.precision
        self.int_mode = True
        self.sci_mode: Any = False
        self.width = 1

        shown = values[np.isfinite(values) & (values != 0)]
        if shown.size == 0:
            return  # all zero/inf/nan: int mode, width 1 (as PyTorch, nothing is aligned)

        # float64 so that float16 cannot overflow in the ratio below.
        magnitudes = np.abs(shown).astype(np.float64)
        smallest, largest = float(magnitudes.min()), float(magnitudes.max())
        self.int_mode = bool(np.all(shown == np.ceil(shown)))
        if _OPTIONS.sci_mode is None:
            self.sci_mode = largest / smallest > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4
        else:
            self.sci_mode = _OPTIONS.sci_mode

        distinct = np.unique(shown).tolist()
        if self.sci_mode:
            self.width = max(len(f"{v:.{self.precision}e}") for v in distinct)
        elif self.int_mode:
            self.width = max(len(f"{v:.0f}") + 1 for v in distinct)  # + 1 for the dot
        else:
            self.width = max(len(f"{v:.{self.precision}f}") for v in distinct)

    def format(self, value: float) -> str:
        if self.sci_mode:
            text = f"{value:{self.width}.{self.precision}e}"
        elif self.int_mode:
            text = f"{value:.0f}"
            if math.isfinite(value):
                text += "."
        else:
            text = f"{value:.{self.precision}f}"
        return text.rjust(self.width)


class _ComplexFormatter:
    """Complex values as ``real+imagj``: the real and imaginary parts each get their own
    float formatter; the real part is aligned, the imaginary part is not (as PyTorch)."""

    def __init__(self, values: np.ndarray) -> None:
        self.real = _FloatFormatter(values.real)
        self.imag = _FloatFormatter(values.imag)
        self.width = self.real.width + self.imag.width + 1  # + 1 for the "j"

    def format(self, value: complex) -> str:
        real = self.real.format(value.real)
        imag = (self.imag.format(value.imag) + "j").lstrip()
        # A negative (or -0.) imaginary part brings its own sign.
        sign = "" if imag[0] in "+-" else "+"
        return real + sign + imag


_Formatter = _IntFormatter | _FloatFormatter | _ComplexFormatter


def _make_formatter(values: np.ndarray, dtype: _dtype.dtype) -> _Formatter:
    if dtype.is_complex:
        return _ComplexFormatter(values)
    if dtype.is_floating_point:
        return _FloatFormatter(values)
    return _IntFormatter(values)


def _summarized(data: np.ndarray) -> np.ndarray:
    """The elements a summarised print shows: `edgeitems` at each end of every dimension."""
    edge = _OPTIONS.edgeitems
    if data.ndim == 0:
        return data
    if not edge:
        # As PyTorch: with edgeitems=0 a vector keeps everything (its data[-0:] is all of it),
        # a matrix or higher keeps nothing.
        return data if data.ndim == 1 else data[(slice(0, 0),) * data.ndim]
    for axis, size in enumerate(data.shape):
        if size > 2 * edge:
            data = np.take(data, [*range(edge), *range(size - edge, size)], axis=axis)
    return data


# ---------------------------------------------------------------------------------------------
# Layout of the nested lists.


def _format_vector(row: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    edge = _OPTIONS.edgeitems
    if summarize and not edge:
        items = ["..."]
    elif summarize and len(row) > 2 * edge:
        # The leading space makes "..." line up with the (usually wider) numbers.
        items = [
            *(fmt.format(v) for v in row[:edge].tolist()),
            " ...",
            *(fmt.format(v) for v in row[-edge:].tolist()),
        ]
    else:
        items = [fmt.format(v) for v in row.tolist()]

    # Each element takes its width plus ", "; at least one per line however narrow.
    per_line = max(1, math.floor((_OPTIONS.linewidth - indent) / (fmt.width + 2)))
    lines = [", ".join(items[i : i + per_line]) for i in range(0, len(items), per_line)]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _format_nested(data: np.ndarray, indent: int, summarize: bool, fmt: _Formatter) -> str:
    if data.ndim == 0:
        return fmt.format(data.item())
    if data.ndim == 1:
        return _format_vector(data, indent, summarize, fmt)

    edge, size = _OPTIONS.edgeitems, data.shape[0]
    if summarize and size > 2 * edge:
        rows: list[int | None] = [*range(edge), None, *range(size - edge, size)]
    else:
        rows = list(range(size))
    slices = [
        "..." if i is None else _format_nested(data[i], indent + 1, summarize, fmt) for i in rows
    ]
    # A matrix's rows are one per line; 3-D slices are separated by one blank line, 4-D by two...
    separator = "," + "\n" * (data.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(slices) + "]"


def _format_body(data: np.ndarray, dtype: _dtype.dtype, indent: int) -> str:
    summarize = data.size > _OPTIONS.threshold
    fmt = _make_formatter(_summarized(data) if summarize else data, dtype)
    return _format_nested(data, indent, summarize, fmt)


# ---------------------------------------------------------------------------------------------
# The whole repr.


def _shape_str(shape: tuple[int, ...]) -> str:
    return str(tuple(int(n) for n in shape))  # "(0, 3)", "(0,)", "()"


def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ", suffix" for each suffix, moving one to its own line when it would pass
    `linewidth`."""
    # As PyTorch, the last line's length is overestimated: by 1 after a newline, and by 2 when
    # there is no newline at all (rfind returns -1).
    last_line = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if last_line + len(suffix) + 2 > _OPTIONS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            last_line = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            last_line += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


def _dtype_str(dtype: _dtype.dtype) -> str:
    return "dtype=torch." + dtype.name


def format_tensor(
    data: np.ndarray,
    dtype: _dtype.dtype,
    *,
    grad_fn_name: str | None = None,
    requires_grad: bool = False,
) -> str:
    """The repr of a tensor holding `data` (a NumPy array whose dtype matches `dtype.np`).

    `grad_fn_name` (e.g. "MulBackward0") is shown as ``grad_fn=<MulBackward0>`` and then
    replaces ``requires_grad=True``. Matches `torch.Tensor.__repr__` (and `__str__`).
    """
    data = np.asarray(data)
    prefix = "tensor("
    indent = len(prefix)
    suffixes = []
    default_dtype = _dtype.get_default_dtype()

    if data.size == 0:
        # The shape of an empty tensor is shown unless it is 1-D, as NumPy does; and with no
        # values to tell an integer tensor by, every dtype but the default float is shown.
        if data.ndim != 1:
            suffixes.append("size=" + _shape_str(data.shape))
        if dtype is not default_dtype:
            suffixes.append(_dtype_str(dtype))
        body = "[]"
    else:
        if not _OPTIONS.edgeitems:
            suffixes.append("size=" + _shape_str(data.shape))  # the body is just "[...]"
        # The values show these dtypes: "1." is the default float, "1" int64, "True" bool.
        implied = (default_dtype, _dtype.default_complex(), _dtype.int64, _dtype.bool)
        if dtype not in implied:
            suffixes.append(_dtype_str(dtype))
        body = _format_body(data, dtype, indent)

    if grad_fn_name is not None:
        suffixes.append(f"grad_fn=<{grad_fn_name}>")
    elif requires_grad:
        suffixes.append("requires_grad=True")
    return _add_suffixes(prefix + body, suffixes, indent)
