"""Shared fixtures. `torch` is the real PyTorch when importable; tests that need it skip
cleanly without it (hide it with `WEIFEN_HIDE_TORCH=1` to run the suite as if it were absent)."""

from __future__ import annotations

import os
import sys

import pytest

if os.environ.get("WEIFEN_HIDE_TORCH"):
    sys.modules["torch"] = None  # type: ignore[assignment]  # `import torch` raises ImportError


def import_torch():
    """The real torch module, or None."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@pytest.fixture(scope="session")
def torch():
    t = import_torch()
    if t is None:
        pytest.skip("PyTorch is not installed")
    return t
