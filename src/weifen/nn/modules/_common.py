"""Helpers shared by the layer files."""

from __future__ import annotations

from typing import Any

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap, check_device


def empty(*shape: int, dtype: Any = None, device: Any = None) -> Tensor:
    check_device(device)
    dt = dtype or D.get_default_dtype()
    return _wrap(np.empty(shape, dt.np), dt)


def pair(v: Any) -> tuple:
    if isinstance(v, int | np.integer):
        return (int(v), int(v))
    t = tuple(v)
    return t * 2 if len(t) == 1 else t
