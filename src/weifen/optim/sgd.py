"""Stochastic gradient descent, with momentum, dampening, Nesterov and weight decay."""

from __future__ import annotations

from typing import Any

from .optimizer import Optimizer, bump, check_lr, params_with_grad, state_tensor

__all__ = ["SGD"]


class SGD(Optimizer):
    """Matches `torch.optim.SGD` (PyTorch's momentum form: buf = momentum * buf +
    (1 - dampening) * g; the first step's buffer is g itself)."""

    def __init__(
        self,
        params: Any,
        lr: float = 1e-3,
        momentum: float = 0,
        dampening: float = 0,
        weight_decay: float = 0,
        nesterov: bool = False,
        *,
        maximize: bool = False,
        foreach: Any = None,
        differentiable: bool = False,
        fused: Any = None,
    ) -> None:
        check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        defaults = dict(
            lr=lr,
            momentum=momentum,
            dampening=dampening,
            weight_decay=weight_decay,
            nesterov=nesterov,
            maximize=maximize,
            foreach=foreach,
            differentiable=differentiable,
            fused=fused,
        )
        super().__init__(params, defaults)

    def step(self, closure: Any = None) -> Any:
        """One update of every parameter that has a gradient."""
        loss = self._closure(closure)
        for group in self.param_groups:
            lr = float(group["lr"])
            wd = group["weight_decay"]
            momentum = group["momentum"]
            dampening = group["dampening"]
            for p, g in params_with_grad(group):
                data = p._data
                d_p = -g if group["maximize"] else g
                if wd != 0:
                    d_p = d_p + wd * data
                if momentum != 0:
                    st = self.state[p]
                    buf = st.get("momentum_buffer")
                    if buf is None:
                        st["momentum_buffer"] = buf = state_tensor(d_p.copy(), p)
                    else:
                        b = buf._data
                        b *= momentum
                        if dampening == 0:
                            b += d_p
                        else:
                            b += (1 - dampening) * d_p
                    d_p = d_p + momentum * buf._data if group["nesterov"] else buf._data
                data -= lr * d_p
                bump(p)
        return loss
