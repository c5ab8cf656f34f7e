"""Anomaly detection: `detect_anomaly` / `set_detect_anomaly`.

When on, every recorded node remembers where in the user's code it was created, and the
engine checks each backward formula's output for NaN. The error is PyTorch's, word for word
(`Function 'LogBackward0' returned nan values in its 0th output.`); like PyTorch, a warning
printed just before it shows the traceback of the forward call that created the node, with
weifen's own frames left out so the last line is the user's.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from typing import Any

__all__ = [
    "detect_anomaly",
    "set_detect_anomaly",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]

# [enabled, check_nan]; a list so dispatch reads it without a function call
_on = [False, True]

# weifen's own source tree: frames from files under it are not the user's, nor are those of
# the code weifen generates (ops/_recorder.py, autograd/fused.py, the op binders)
_PKG = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep
_OURS = (_PKG, "<recording of ", "<backward of ", "<op binder>")


def capture() -> Any:
    """The user's stack at node creation (outermost first), without weifen's own frames.
    Only (file, line, function) is kept; source lines are read if a report is made."""
    frames = []
    f: Any = sys._getframe(1)
    while f is not None:
        fn = f.f_code.co_filename
        if not fn.startswith(_OURS):
            frames.append((fn, f.f_lineno, f.f_code.co_name))
        f = f.f_back
    frames.reverse()
    return frames


def is_anomaly_enabled() -> bool:
    """Matches `torch.is_anomaly_enabled`."""
    return _on[0]


def is_anomaly_check_nan_enabled() -> bool:
    """Matches `torch.is_anomaly_check_nan_enabled`."""
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
    """Matches `torch.autograd.detect_anomaly`, including its warning on creation."""

    def __init__(self, check_nan: bool = True) -> None:
        self.check_nan = check_nan
        self.prev = list(_on)
        warnings.warn(
            "Anomaly Detection has been enabled. This mode will increase the runtime and should "
            "only be enabled for debugging.",
            stacklevel=2,
        )

    def __enter__(self) -> None:
        self.prev = list(_on)
        _on[0], _on[1] = True, self.check_nan

    def __exit__(self, *exc: object) -> None:
        _on[0], _on[1] = self.prev


def forward_traceback(node: Any) -> str:
    """The forward call that created `node`, formatted as a Python traceback ('' if unknown)."""
    frames = getattr(node, "_anomaly", None)
    if not frames:
        return ""
    summary = traceback.StackSummary.from_list(
        [traceback.FrameSummary(fn, ln, name) for fn, ln, name in frames]
    )
    return "".join(summary.format())


def where_created(node: Any) -> str:
    """Called by the engine when a node's backward fails under anomaly mode: warn, as PyTorch
    does, with the traceback of the forward call that created the node, and return that
    call's place ("file:line in function") for the error itself: PyTorch's message starts
    the error, the place where the user's forward code made the node follows it."""
    tb = forward_traceback(node)
    if tb:
        warnings.warn(
            f"Error detected in {type(node).__name__}. Traceback of forward call that caused the "
            f"error:\n{tb}",
            UserWarning,
            stacklevel=2,
        )
    frames = getattr(node, "_anomaly", None)
    if not frames:
        return ""
    fn, ln, name = frames[-1]
    return f"{fn}:{ln} in {name}"
