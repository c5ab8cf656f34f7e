"""weifen.autograd: the engine, grad mode, and (as they land) Function, functional, forward
mode, gradcheck. Matches `torch.autograd`."""

from __future__ import annotations

from . import anomaly, forward_ad, function, functional, grad_mode, graph, hooks
from .anomaly import (
    detect_anomaly,
    is_anomaly_check_nan_enabled,
    is_anomaly_enabled,
    set_detect_anomaly,
)
from .engine import backward, grad
from .function import Function, FunctionCtx, InplaceFunction, NestedIOFunction, once_differentiable
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import gradcheck, gradgradcheck

__all__ = [
    "backward",
    "grad",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
    "detect_anomaly",
    "set_detect_anomaly",
    "graph",
    "grad_mode",
    "anomaly",
    "function",
    "hooks",
    "Function",
    "FunctionCtx",
    "InplaceFunction",
    "NestedIOFunction",
    "once_differentiable",
    "forward_ad",
    "functional",
    "gradcheck",
    "gradgradcheck",
    "is_anomaly_enabled",
    "is_anomaly_check_nan_enabled",
]
