"""Anomaly detection: `detect_anomaly` / `set_detect_anomaly`.

When on, every recorded node remembers where in the user's code it was created, and the
engine checks each backward formula's output for NaN, naming the node and that place.
"""

from __future__ import annotations

from typing import Any

__all__ = ["detect_anomaly", "set_detect_anomaly", "is_anomaly_enabled", "is_anomaly_check_nan_enabled"]

# [enabled, check_nan]; a list so dispatch reads it without a function call
_on = [False, True]


def capture() -> Any:
    """The user's stack at node creation, without weifen's own frames."""
    import traceback

    frames = [f for f in traceback.extract_stack()[:-1] if "/weifen/" not in f.filename]
    return frames


def is_anomaly_enabled() -> bool:
    return _on[0]


def is_anomaly_check_nan_enabled() -> bool:
    return _on[1]


class set_detect_anomaly:
    """Matches `torch.autograd.set_detect_anomaly` (call or context manager)."""

    def __init__(self, mode: bool, check_nan: bool = True) -> None:
        self.prev = list(_on)
        _on[0], _on[1] = bool(mode), bool(check_nan)

    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        _on[0], _on[1] = self.prev


class detect_anomaly:
    """Matches `torch.autograd.detect_anomaly` (context manager and decorator)."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = list(_on)

    def __enter__(self) -> None:
        self.prev = list(_on)
        _on[0], _on[1] = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        _on[0], _on[1] = self.prev

    def __call__(self, fn: Any) -> Any:
        import functools

        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            with self.__class__(self.check_nan):
                return fn(*a, **k)

        return wrapper


def where_created(node: Any) -> str:
    frames = getattr(node, "_anomaly", None)
    if not frames:
        return ""
    f = frames[-1]
    return f"{f.filename}:{f.lineno} ({f.line})"
