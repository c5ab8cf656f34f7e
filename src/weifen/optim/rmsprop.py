"""RMSprop and Adagrad."""

from __future__ import annotations

from typing import Any

import numpy as np

from .optimizer import Optimizer, bump, check_lr, params_with_grad, scalar, state_tensor

__all__ = ["RMSprop", "Adagrad"]


class RMSprop(Optimizer):
    """Matches `torch.optim.RMSprop` (centered and momentum variants)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0,
        momentum: float = 0,
        centered: bool = False,
        capturable: bool = False,
        foreach: Any = None,
        maximize: bool = False,
        differentiable: bool = False,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if not 0.0 <= momentum:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= alpha:
            raise ValueError(f"Invalid alpha value: {alpha}")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            alpha=alpha,
            eps=eps,
            centered=centered,
            weight_decay=weight_decay,
            capturable=capturable,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
        )
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            alpha, eps, wd = group["alpha"], group["eps"], group["weight_decay"]
            momentum = group["momentum"]
            for p, g in params_with_grad(group):
                data = p._data
                st = self.state[p]
                if not st:
                    st["step"] = scalar(0.0)
                    st["square_avg"] = state_tensor(np.zeros_like(data), p)
                    if momentum > 0:
                        st["momentum_buffer"] = state_tensor(np.zeros_like(data), p)
                    if group["centered"]:
                        st["grad_avg"] = state_tensor(np.zeros_like(data), p)
                if group["maximize"]:
                    g = -g
                if wd != 0:
                    g = g + wd * data
                st["step"]._data += 1
                sq = st["square_avg"]._data
                sq *= alpha
                sq += (1 - alpha) * g * g
                if group["centered"]:
                    ga = st["grad_avg"]._data
                    ga += (g - ga) * (1 - alpha)
                    avg = np.sqrt(sq - ga * ga) + eps
                else:
                    avg = np.sqrt(sq) + eps
                if momentum > 0:
                    buf = st["momentum_buffer"]._data
                    buf *= momentum
                    buf += g / avg
                    data -= lr * buf
                else:
                    data -= lr * (g / avg)
                bump(p)
        return loss


class Adagrad(Optimizer):
    """Matches `torch.optim.Adagrad`."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-2,
        lr_decay: float = 0,
        weight_decay: float = 0,
        initial_accumulator_value: float = 0,
        eps: float = 1e-10,
        foreach: Any = None,
        *,
        maximize: bool = False,
        differentiable: bool = False,
        fused: Any = None,
    ) -> None:
        check_lr(lr)
        if not 0.0 <= lr_decay:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not 0.0 <= initial_accumulator_value:
            raise ValueError(
                f"Invalid initial_accumulator_value value: {initial_accumulator_value}"
            )
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        defaults = dict(
            lr=lr,
            lr_decay=lr_decay,
            eps=eps,
            weight_decay=weight_decay,
            initial_accumulator_value=initial_accumulator_value,
            foreach=foreach,
            maximize=maximize,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)
        for group in self.param_groups:
            for p in group["params"]:
                st = self.state[p]
                st["step"] = scalar(0.0)
                st["sum"] = state_tensor(
                    np.full_like(p._data, group["initial_accumulator_value"]), p
                )

    def step(self, closure: Any = None) -> Any:
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr, lr_decay = float(group["lr"]), group["lr_decay"]
            wd, eps = group["weight_decay"], group["eps"]
            for p, g in params_with_grad(group):
                data = p._data
                st = self.state[p]
                st["step"]._data += 1
                step = float(st["step"]._data)
                if group["maximize"]:
                    g = -g
                if wd != 0:
                    g = g + wd * data
                clr = lr / (1 + (step - 1) * lr_decay)
                s = st["sum"]._data
                s += g * g
                data -= clr * (g / (np.sqrt(s) + eps))
                bump(p)
        return loss
