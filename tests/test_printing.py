"""Tensor repr against PyTorch's, character for character.

The golden file (tests/golden/printing.json, written by tests/golden/make_printing_golden.py)
lets these run without torch; with torch installed every case is also regenerated live.
"""

from __future__ import annotations

import importlib.util
import json
import math
import pathlib

import numpy as np
import pytest

from weifen import _dtype, _printing

GOLDEN_DIR = pathlib.Path(__file__).parent / "golden"
CASES = json.loads((GOLDEN_DIR / "printing.json").read_text())


def _load_generator():
    spec = importlib.util.spec_from_file_location(
        "make_printing_golden", GOLDEN_DIR / "make_printing_golden.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()


@pytest.fixture(autouse=True)
def _restore_state():
    default = _dtype.get_default_dtype()
    yield
    _printing.set_printoptions(profile="default")
    _dtype.set_default_dtype(default)


def weifen_repr(case: dict) -> str:
    if case.get("default_dtype"):
        _dtype.set_default_dtype(getattr(_dtype, case["default_dtype"]))
    if case.get("options"):
        _printing.set_printoptions(**case["options"])
    dtype = getattr(_dtype, case["dtype"])
    data = generator.build_array(case["numpy"], case["dtype"])
    assert data.dtype == dtype.np
    return _printing.format_tensor(
        data, dtype, grad_fn_name=case["grad_fn"], requires_grad=case["requires_grad"]
    )


def test_golden_is_large_enough():
    assert len(CASES) >= 100
    assert len({case["id"] for case in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_matches_golden(case):
    assert weifen_repr(case) == case["expected"]


@pytest.mark.parametrize("case", CASES, ids=[case["id"] for case in CASES])
def test_matches_live_torch(case):
    pytest.importorskip("torch")
    assert weifen_repr(case) == generator.torch_repr(case)


def test_set_printoptions_profiles():
    _printing.set_printoptions(profile="short", sci_mode=True)
    assert _printing.get_printoptions() == {
        "precision": 2,
        "threshold": 1000,
        "edgeitems": 2,
        "linewidth": 80,
        "sci_mode": True,
    }
    _printing.set_printoptions(precision=6)  # as PyTorch, omitting sci_mode resets it
    assert _printing.get_printoptions()["sci_mode"] is None
    assert _printing.get_printoptions()["precision"] == 6
    _printing.set_printoptions(profile="full")
    assert _printing.get_printoptions()["threshold"] == math.inf
    _printing.set_printoptions(profile="no such profile")  # ignored, as PyTorch
    assert _printing.get_printoptions()["threshold"] == math.inf


def test_get_printoptions_matches_torch():
    torch = pytest.importorskip("torch")
    from torch import _tensor_str

    try:
        for kwargs in ({}, {"profile": "short"}, {"profile": "full", "linewidth": 50}):
            torch.set_printoptions(**kwargs)
            _printing.set_printoptions(**kwargs)
            assert _printing.get_printoptions() == _tensor_str.get_printoptions()
    finally:
        torch.set_printoptions(profile="default")


def test_full_profile_prints_everything():
    data = np.arange(1200, dtype=np.int64)
    _printing.set_printoptions(profile="full")
    text = _printing.format_tensor(data, _dtype.int64)
    assert "..." not in text and text.endswith("1199])")
