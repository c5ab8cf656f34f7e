"""`torch.utils`: data loading (`utils.data`) and checkpointing (`utils.checkpoint`), each
loaded on first use."""

from __future__ import annotations

import importlib
from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("data", "checkpoint"):
        mod = importlib.import_module(f"{__name__}.{name}")
        globals()[name] = mod
        return mod
    raise AttributeError(f"module 'weifen.utils' has no attribute '{name}'")
