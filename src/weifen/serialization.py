"""`torch.save` / `torch.load`: pickle, as PyTorch's own format is (in a zip file there).

Files written by weifen are read by weifen; they are not PyTorch checkpoint files.
"""

from __future__ import annotations

import io
import os
import pickle
from typing import Any

__all__ = ["save", "load"]


def save(obj: Any, f: Any, pickle_module: Any = pickle, pickle_protocol: int = 2, **_: Any) -> None:
    """Matches `torch.save(obj, f)`; `f` is a path or a binary file object."""
    if isinstance(f, str | os.PathLike):
        with open(f, "wb") as fh:
            pickle_module.dump(obj, fh, protocol=max(pickle_protocol, 2))
    else:
        pickle_module.dump(obj, f, protocol=max(pickle_protocol, 2))


def load(
    f: Any,
    map_location: Any = None,
    pickle_module: Any = pickle,
    *,
    weights_only: bool | None = None,
    mmap: Any = None,
    **_: Any,
) -> Any:
    """Matches `torch.load(f)` for files written by `weifen.save`."""
    if isinstance(f, str | os.PathLike):
        with open(f, "rb") as fh:
            return pickle_module.load(fh)
    if isinstance(f, bytes | bytearray):
        return pickle_module.load(io.BytesIO(f))
    return pickle_module.load(f)
