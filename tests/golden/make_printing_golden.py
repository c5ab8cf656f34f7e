"""Write tests/golden/printing.json: how PyTorch prints tensors, for tests/test_printing.py.

Run with torch installed:  python tests/golden/make_printing_golden.py

Each case builds its data with a NumPy expression (only `np` in scope), casts it to the case's
dtype with NumPy, and records `repr` of the torch tensor made from that very array. Values come
from exact arithmetic only (no RNG, no transcendental functions) so that every NumPy version
and platform builds the same bits. tests/test_printing.py imports `build_array` and
`torch_repr` from here, to rebuild each case and to compare against a live torch.
"""

from __future__ import annotations

import json
import pathlib
from typing import Any

import numpy as np

GOLDEN = pathlib.Path(__file__).with_name("printing.json")

# grad_fn name -> an op that gives a tensor that grad_fn without changing its values.
GRAD_FN_OPS = {
    "MulBackward0": lambda t: t * 1,
    "DivBackward0": lambda t: t / 1,
    "CloneBackward0": lambda t: t.clone(),
    "ViewBackward0": lambda t: t.view(t.shape),
    "ExpandBackward0": lambda t: t.expand(t.shape),
}


def build_array(expr: str, dtype_name: str) -> np.ndarray:
    """The case's data: `expr` evaluated with only `np` in scope, cast to the dtype by NumPy."""
    value = eval(expr, {"__builtins__": {}, "np": np})
    return np.ascontiguousarray(np.asarray(value).astype(np.dtype(dtype_name)))


def torch_repr(case: dict[str, Any]) -> str:
    """What torch prints for `case` (its options and default dtype are restored afterwards)."""
    import torch

    arr = build_array(case["numpy"], case["dtype"])
    old_default = torch.get_default_dtype()
    try:
        if case.get("default_dtype"):
            torch.set_default_dtype(getattr(torch, case["default_dtype"]))
        if case.get("options"):
            torch.set_printoptions(**case["options"])
        t = torch.from_numpy(arr).to(getattr(torch, case["dtype"]))
        if case.get("grad_fn"):
            t = GRAD_FN_OPS[case["grad_fn"]](t.requires_grad_())
            assert type(t.grad_fn).__name__ == case["grad_fn"], t.grad_fn
            assert np.array_equal(t.detach().numpy(), arr, equal_nan=True)
        elif case.get("requires_grad"):
            t.requires_grad_()
        return repr(t)
    finally:
        torch.set_printoptions(profile="default")
        torch.set_default_dtype(old_default)


def _case(
    id_,
    expr,
    dtype="float32",
    *,
    grad_fn=None,
    requires_grad=False,
    options=None,
    default_dtype=None,
):
    return {
        "id": id_,
        "numpy": expr,
        "dtype": dtype,
        "requires_grad": requires_grad or grad_fn is not None,
        "grad_fn": grad_fn,
        "options": options,
        "default_dtype": default_dtype,
    }


def cases() -> list[dict[str, Any]]:
    c = _case
    out = [
        # --- floats: the three number styles, alignment, special values
        c("float_int_valued", "np.array([0.0, 1.0])"),
        c("float_int_negative", "np.array([-1.0, 20.0, 300.0])"),
        c("float_fixed", "np.array([1.5, 2.25, -3.125])"),
        c("float_rounding", "np.array([0.12345, 0.99999, 1.00005, 2.5e-4 * 4])"),
        c("float_half_even", "np.array([0.00005, 0.00015, 0.00025, 1.0])"),
        c("float_third", "np.arange(1, 8) / 3"),
        c("float_sci_big", "np.array([1e10, 1.0])"),
        c("float_sci_single_big", "np.array([1e10])"),
        c("float_sci_small", "np.array([1e-5, 1.0])"),
        c("float_sci_tiny_only", "np.array([1.5e-7, -2.5e-8])"),
        c("float_sci_ratio", "np.array([0.5, 600.0])"),
        c("float_ratio_just_under", "np.array([0.5, 500.0])"),
        c("float_int_1e8", "np.array([1e8, 2.0e7])"),
        c("float_int_over_1e8", "np.array([123456789.0, 1.0])"),
        c("float_int_sci_only_big", "np.array([1e9, 2e9, -3e9])"),
        c("float_special", "np.array([np.inf, -np.inf, np.nan, -0.0, 0.0])"),
        c("float_inf_int_mode", "np.array([1.0, np.inf, -np.inf])"),
        c("float_nan_fixed", "np.array([1.5, np.nan, -2.25])"),
        c("float_nan_sci", "np.array([1e-6, np.nan, np.inf, 1.0])"),
        c("float_neg_zero", "np.array([-0.0])"),
        c("float_zero_neg_zero", "np.array([0.0, -0.0, 0.0])"),
        c("float_neg_zero_with_values", "np.array([-0.0, 1.5])"),
        c("float_all_nan", "np.array([np.nan, np.nan])"),
        c("float_zeros_2d", "np.zeros((2, 3))"),
        c("float_align_2d", "np.array([[1.0, -2.5], [100.25, 3.0]])"),
        c("float_align_int_2d", "np.array([[1.0, -2.0], [1000.0, 3.0]])"),
        c("float_sci_2d", "np.array([[1e-3, 2.5e4], [-7.0, 0.0]])"),
        c("float_max_float32", "np.array([3.4028234663852886e38, 1.0])"),
        c("float_tiny_subnormal", "np.array([1e-45, 1.0])"),
        c("float_ints_in_fixed", "np.array([1.0, 2.0, 3.5])"),
        c("float_big_int_mode", "np.array([12345678.0, 1.0e5])"),
        # --- 0-d tensors
        c("scalar_float", "np.array(3.5)"),
        c("scalar_int_valued", "np.array(28.0)"),
        c("scalar_grad_fn", "np.array(28.0)", grad_fn="MulBackward0"),
        c("scalar_sci", "np.array(1.5e-9)"),
        c("scalar_nan", "np.array(np.nan)"),
        c("scalar_neg_inf", "np.array(-np.inf)"),
        c("scalar_neg_zero", "np.array(-0.0)"),
        c("scalar_int64", "np.array(7)", "int64"),
        c("scalar_int32", "np.array(-7)", "int32"),
        c("scalar_bool", "np.array(True)", "bool"),
        c("scalar_float64", "np.array(0.1)", "float64"),
        c("scalar_float16", "np.array(5.0)", "float16"),
        c("scalar_complex", "np.array(1 + 2j)", "complex64"),
        c("scalar_complex_neg_imag", "np.array(1.5 - 2.5j)", "complex64"),
        # --- wrapping at linewidth and summarisation
        c("wrap_float_30", "np.arange(30) / 7"),
        c("wrap_float_50", "np.arange(-25, 25) / 25"),
        c("wrap_int_100", "np.arange(100)", "int64"),
        c("wrap_int32_40", "np.arange(40) * 1000", "int32"),
        c("wrap_2d", "np.arange(60).reshape(2, 30) / 4"),
        c("wrap_3d", "np.arange(90).reshape(3, 1, 30) * 1.5"),
        c("summary_1d", "np.arange(2000)", "int64"),
        c("summary_1d_float", "np.arange(2000) / 8"),
        c("summary_1d_1001", "np.arange(1001) * 1.0"),
        c("no_summary_1000", "np.arange(1000) * 1.0"),
        c("summary_2d", "np.arange(2000).reshape(40, 50) * 1.0"),
        c("summary_2d_wide", "np.arange(2000).reshape(2, 1000)", "int32"),
        c("summary_2d_tall", "np.arange(2000).reshape(1000, 2) / 2"),
        c("summary_3d", "np.arange(3000).reshape(10, 10, 30) * 1.0"),
        c("summary_4d", "np.arange(4096).reshape(8, 8, 8, 8)", "int16"),
        c(
            "summary_width_from_shown",
            "np.concatenate([np.arange(5), np.full(1000, 1e6), np.arange(5)]) * 1.0",
        ),
        c(
            "summary_sci_hidden",
            "np.concatenate([np.ones(3), np.full(1000, 1e-9), np.ones(3) * 2.5])",
        ),
        c("summary_bool", "np.arange(1500) % 3 == 0", "bool"),
        # --- nesting
        c("nest_2d", "np.arange(6).reshape(2, 3) * 1.0"),
        c("nest_3d", "np.arange(24).reshape(2, 3, 4) * 1.0"),
        c("nest_4d", "np.arange(48).reshape(2, 2, 3, 4) * 1.0"),
        c("nest_4d_int", "np.arange(120).reshape(2, 3, 4, 5)", "int64"),
        c("nest_5d", "np.arange(32).reshape(2, 2, 2, 2, 2) - 16", "int8"),
        c("nest_column", "np.arange(4).reshape(4, 1) / 2"),
        c("nest_row", "np.arange(4).reshape(1, 4) / 2"),
        c("nest_single", "np.ones((1, 1, 1))"),
        # --- integers, bools
        c("int64", "np.array([1, -2, 300])", "int64"),
        c("int32", "np.array([1, -2, 300])", "int32"),
        c("int16", "np.array([[1, -32768], [32767, 0]])", "int16"),
        c("int8", "np.array([-128, 0, 127])", "int8"),
        c("uint8", "np.array([0, 7, 255])", "uint8"),
        c("uint8_2d", "np.arange(12).reshape(3, 4) * 20", "uint8"),
        c("int64_big", "np.array([2**62, -(2**63), 1])", "int64"),
        c("bool_1d", "np.array([True, False, True])", "bool"),
        c("bool_2d", "np.array([[True, False], [False, False]])", "bool"),
        c("bool_all_true", "np.ones(3) > 0", "bool"),
        c("bool_wrap", "np.arange(20) % 2 == 0", "bool"),
        # --- float64 / float16
        c("float64", "np.array([1.0, 2.0])", "float64"),
        c("float64_fixed", "np.arange(5) / 3", "float64"),
        c("float64_requires_grad", "np.array([1.0, 2.0])", "float64", requires_grad=True),
        c("float16", "np.array([1.5, 2.0, 65504.0])", "float16"),
        c("float16_fixed", "np.arange(6) / 3", "float16"),
        c("float16_sci", "np.array([6e-5, 1.0, 100.0])", "float16"),
        c("float16_special", "np.array([np.inf, np.nan, -0.0, 0.5])", "float16"),
        # --- complex
        c("complex64", "np.array([1 + 2j, -3.5 - 0.5j])", "complex64"),
        c("complex64_int_valued", "np.array([1 + 2j, 3 + 40j, -5 - 6j])", "complex64"),
        c("complex128", "np.array([1 + 2j, 0.5j])", "complex128"),
        c("complex_zero", "np.zeros(3)", "complex64"),
        c(
            "complex_neg_zero_imag",
            "np.array([1.0, -0.0, 0.0, 2.0]).view(np.complex128)",
            "complex64",
        ),
        c(
            "complex_special",
            "np.array([np.inf, np.nan, 1.0, -np.inf]).view(np.complex128)",
            "complex64",
        ),
        c("complex_sci", "np.array([1e-6 + 1j, 1e5 - 2.5j])", "complex64"),
        c("complex_2d", "(np.arange(6) + 1j * np.arange(6)[::-1]).reshape(2, 3) / 4", "complex64"),
        c("complex_wrap", "np.arange(30) / 3 + 1j * np.arange(30)", "complex64"),
        c("complex_summary", "np.arange(2000) + 0.5j * np.arange(2000)", "complex64"),
        c("complex_grad_fn", "np.array([1 + 2j, 3 - 4j])", "complex64", grad_fn="MulBackward0"),
        # --- empty tensors
        c("empty_1d", "np.zeros(0)"),
        c("empty_2d", "np.zeros((0, 3))"),
        c("empty_3d", "np.zeros((2, 0, 3))"),
        c("empty_int32", "np.zeros(0)", "int32"),
        c("empty_int64", "np.zeros(0)", "int64"),
        c("empty_bool", "np.zeros((0, 2))", "bool"),
        c("empty_float64", "np.zeros(0)", "float64"),
        c("empty_complex64", "np.zeros(0)", "complex64"),
        c("empty_requires_grad", "np.zeros((3, 0))", requires_grad=True),
        c("empty_grad_fn", "np.zeros(0)", "float64", grad_fn="CloneBackward0"),
        # --- autograd suffixes
        c("grad_mul", "np.array([1.0, 2.0])", grad_fn="MulBackward0"),
        c("grad_div", "np.array([[1.5, 2.0]])", grad_fn="DivBackward0"),
        c("grad_clone_2d", "np.arange(6).reshape(2, 3) * 1.0", grad_fn="CloneBackward0"),
        c("grad_view", "np.arange(4) / 3", "float64", grad_fn="ViewBackward0"),
        c("grad_expand_float16", "np.arange(4) / 2", "float16", grad_fn="ExpandBackward0"),
        c("requires_grad", "np.array([1.0, 2.0])", requires_grad=True),
        c("requires_grad_wrap", "np.arange(30) / 7", requires_grad=True),
        c("grad_fn_wrap_2d", "np.arange(16).reshape(2, 8) / 7", "float64", grad_fn="MulBackward0"),
        # --- print options
        c("opt_precision_2", "np.array([1.12345, 2.5])", options={"precision": 2}),
        c("opt_precision_0", "np.array([1.5, 2.25, 3.75])", options={"precision": 0}),
        c("opt_precision_8", "np.arange(1, 4) / 7", "float64", options={"precision": 8}),
        c("opt_precision_sci", "np.array([1e-7, 1.0])", options={"precision": 1}),
        c("opt_threshold_5", "np.arange(10)", "int64", options={"threshold": 5}),
        c("opt_threshold_0_scalar", "np.array(2.5)", options={"threshold": 0}),
        c("opt_threshold_2d", "np.arange(100).reshape(10, 10) * 1.0", options={"threshold": 50}),
        c("opt_edgeitems_1", "np.arange(2000) * 1.0", options={"edgeitems": 1}),
        c(
            "opt_edgeitems_5_2d",
            "np.arange(2000).reshape(40, 50)",
            "int64",
            options={"edgeitems": 5},
        ),
        c("opt_edgeitems_0", "np.arange(2000) * 1.0", options={"edgeitems": 0}),
        c(
            "opt_edgeitems_0_2d",
            "np.arange(2000).reshape(40, 50)",
            "int32",
            options={"edgeitems": 0},
        ),
        c("opt_edgeitems_0_small", "np.arange(6).reshape(2, 3) * 1.0", options={"edgeitems": 0}),
        c("opt_edgeitems_0_scalar", "np.array(1.0)", options={"edgeitems": 0}),
        c("opt_edgeitems_0_empty", "np.zeros((0, 4))", options={"edgeitems": 0}),
        c(
            "opt_edgeitems_0_threshold",
            "np.arange(5)",
            "int64",
            options={"edgeitems": 0, "threshold": 2},
        ),
        c("opt_linewidth_40", "np.arange(30) / 7", options={"linewidth": 40}),
        c("opt_linewidth_10", "np.arange(6).reshape(2, 3) / 7", options={"linewidth": 10}),
        c("opt_linewidth_200", "np.arange(60) / 7", options={"linewidth": 200}),
        c(
            "opt_linewidth_suffix",
            "np.arange(6) / 7",
            "float64",
            grad_fn="MulBackward0",
            options={"linewidth": 30},
        ),
        c("opt_profile_short", "np.arange(2000) / 7", options={"profile": "short"}),
        c("opt_profile_short_2d", "np.arange(20).reshape(4, 5) / 3", options={"profile": "short"}),
        c("opt_profile_full", "np.arange(1200)", "int64", options={"profile": "full"}),
        c(
            "opt_profile_default",
            "np.arange(2000) * 1.0",
            options={"profile": "default", "precision": 1},
        ),
        c("opt_sci_true", "np.array([1.0, 2.5])", options={"sci_mode": True}),
        c("opt_sci_true_int", "np.array([[1.0, 2.0], [3.0, 4.0]])", options={"sci_mode": True}),
        c("opt_sci_true_zeros", "np.zeros(2)", options={"sci_mode": True}),
        c("opt_sci_false_big", "np.array([1e10, 1.5])", options={"sci_mode": False}),
        c("opt_sci_false_small", "np.array([1e-6, 1.0])", options={"sci_mode": False}),
        c("opt_sci_true_complex", "np.array([1 + 2j])", "complex64", options={"sci_mode": True}),
        # --- default dtype float64
        c("default64_float64", "np.array([1.0, 2.0])", "float64", default_dtype="float64"),
        c("default64_float32", "np.array([1.0, 2.0])", "float32", default_dtype="float64"),
        c("default64_complex128", "np.array([1 + 1j])", "complex128", default_dtype="float64"),
        c("default64_complex64", "np.array([1 + 1j])", "complex64", default_dtype="float64"),
        c("default64_empty_float64", "np.zeros(0)", "float64", default_dtype="float64"),
        c("default64_empty_float32", "np.zeros(0)", "float32", default_dtype="float64"),
        c("default64_int64", "np.arange(3)", "int64", default_dtype="float64"),
        c(
            "default64_grad",
            "np.array(2.0)",
            "float64",
            grad_fn="MulBackward0",
            default_dtype="float64",
        ),
    ]
    # Suffixes moving to their own line: sweep the body's length across linewidth.
    for n in range(6, 16):
        out.append(c(f"suffix_sweep_{n}", f"np.arange({n}) * 1.5", "float64", requires_grad=True))
    for n in range(10, 14):
        out.append(
            c(
                f"suffix_sweep_2d_{n}",
                f"np.arange({2 * n}).reshape(2, {n}) / 2",
                "float16",
                grad_fn="MulBackward0",
            )
        )
    return out


def main() -> None:
    out = []
    for case in cases():
        case["expected"] = torch_repr(case)
        out.append(case)
    ids = [case["id"] for case in out]
    assert len(ids) == len(set(ids)), "duplicate case ids"
    GOLDEN.write_text(json.dumps(out, indent=1) + "\n")
    print(f"wrote {len(out)} cases to {GOLDEN}")


if __name__ == "__main__":
    main()
