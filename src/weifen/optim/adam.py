"""Adam and AdamW."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .optimizer import Optimizer, bump, check_lr, params_with_grad, scalar, state_tensor

__all__ = ["Adam", "AdamW"]


class Adam(Optimizer):
    """Matches `torch.optim.Adam` (bias-corrected moments; L2 weight decay added to the
    gradient, or decoupled as AdamW when decoupled_weight_decay=True; amsgrad)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0,
        amsgrad: bool = False,
        *,
        foreach: Any = None,
        maximize: bool = False,
        capturable: bool = False,
        differentiable: bool = False,
        fused: Any = None,
        decoupled_weight_decay: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= betas[0] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 0: {betas[0]}")
        if not 0.0 <= betas[1] < 1.0:
            raise ValueError(f"Invalid beta parameter at index 1: {betas[1]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = dict(
            lr=lr,
            betas=betas,
            eps=eps,
            weight_decay=weight_decay,
            amsgrad=amsgrad,
            maximize=maximize,
            foreach=foreach,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=decoupled_weight_decay,
        )
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            beta1, beta2 = group["betas"]
            wd = group["weight_decay"]
            eps = group["eps"]
            for p, g in params_with_grad(group):
                data = p._data
                st = self.state[p]
                if not st:
                    st["step"] = scalar(0.0)
                    st["exp_avg"] = state_tensor(np.zeros_like(data), p)
                    st["exp_avg_sq"] = state_tensor(np.zeros_like(data), p)
                    if group["amsgrad"]:
                        st["max_exp_avg_sq"] = state_tensor(np.zeros_like(data), p)
                if group["maximize"]:
                    g = -g
                if wd != 0:
                    if group["decoupled_weight_decay"]:
                        data *= 1 - lr * wd
                    else:
                        g = g + wd * data
                st["step"]._data += 1
                step = float(st["step"]._data)
                m = st["exp_avg"]._data
                v = st["exp_avg_sq"]._data
                m += (g - m) * (1 - beta1)  # lerp, as PyTorch
                v *= beta2
                v += (1 - beta2) * g * g
                bc1 = 1 - beta1**step
                bc2_sqrt = math.sqrt(1 - beta2**step)
                if group["amsgrad"]:
                    vmax = st["max_exp_avg_sq"]._data
                    np.maximum(vmax, v, out=vmax)
                    denom = np.sqrt(vmax) / bc2_sqrt + eps
                else:
                    denom = np.sqrt(v) / bc2_sqrt + eps
                data -= (lr / bc1) * (m / denom)
                bump(p)
        return loss


class AdamW(Adam):
    """Adam with decoupled weight decay (default 0.01). Matches `torch.optim.AdamW`."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
        *,
        maximize: bool = False,
        foreach: Any = None,
        capturable: bool = False,
        differentiable: bool = False,
        fused: Any = None,
    ) -> None:
        super().__init__(
            params,
            lr,
            betas,
            eps,
            weight_decay,
            amsgrad,
            foreach=foreach,
            maximize=maximize,
            capturable=capturable,
            differentiable=differentiable,
            fused=fused,
            decoupled_weight_decay=True,
        )
