"""Conv1d, Conv2d and their lazy forms."""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator,index,assignment"

from __future__ import annotations

import math
from typing import Any

from .. import functional as F
from .. import init
from ..parameter import Parameter, UninitializedParameter
from ._common import empty, pair
from .lazy import LazyModuleMixin
from .module import Module

__all__ = ["Conv1d", "Conv2d", "LazyConv1d", "LazyConv2d"]


class _ConvNd(Module):
    _n = 2

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        if groups <= 0:
            raise ValueError("groups must be a positive integer")
        if in_channels % groups != 0:
            raise ValueError("in_channels must be divisible by groups")
        if out_channels % groups != 0:
            raise ValueError("out_channels must be divisible by groups")
        if padding_mode != "zeros":
            raise NotImplementedError(f"weifen: padding_mode='{padding_mode}'")
        tup = self._tuple
        self.in_channels = in_channels
        self.out_channels = out_channels
        self.kernel_size = tup(kernel_size)
        self.stride = tup(stride)
        if isinstance(padding, str):
            if padding not in ("same", "valid"):
                raise ValueError(
                    f"Invalid padding string {padding!r}, should be one of {{'valid', 'same'}}"
                )
            if padding == "same" and any(s != 1 for s in self.stride):
                raise ValueError("padding='same' is not supported for strided convolutions")
            self.padding = padding
        else:
            self.padding = tup(padding)
        self.dilation = tup(dilation)
        self.transposed = False
        self.output_padding = tup(0)
        self.groups = groups
        self.padding_mode = padding_mode
        self.weight = Parameter(
            empty(
                out_channels, in_channels // groups, *self.kernel_size, dtype=dtype, device=device
            )
        )
        if bias:
            self.bias = Parameter(empty(out_channels, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def _tuple(self, v: Any) -> tuple:
        if self._n == 1:
            return (int(v),) if isinstance(v, int) else tuple(v)
        return pair(v)

    def reset_parameters(self) -> None:
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            if fan_in != 0:
                bound = 1 / math.sqrt(fan_in)
                init.uniform_(self.bias, -bound, bound)

    def extra_repr(self) -> str:
        s = f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}"
        s += f", stride={self.stride}"
        zeros = (0,) * len(self.kernel_size)
        if self.padding != zeros:
            s += f", padding={self.padding}"
        if self.dilation != (1,) * len(self.kernel_size):
            s += f", dilation={self.dilation}"
        if self.output_padding != zeros:
            s += f", output_padding={self.output_padding}"
        if self.groups != 1:
            s += f", groups={self.groups}"
        if self.bias is None:
            s += ", bias=False"
        if self.padding_mode != "zeros":
            s += f", padding_mode={self.padding_mode}"
        return s


class Conv2d(_ConvNd):
    """2-D convolution, initialised as PyTorch's. Matches `torch.nn.Conv2d`."""

    def forward(self, input: Any) -> Any:
        p = self._parameters
        return F.conv2d(
            input, p["weight"], p["bias"], self.stride, self.padding, self.dilation, self.groups
        )


class Conv1d(_ConvNd):
    """1-D convolution. Matches `torch.nn.Conv1d`."""

    _n = 1

    def forward(self, input: Any) -> Any:
        p = self._parameters
        return F.conv1d(
            input, p["weight"], p["bias"], self.stride, self.padding, self.dilation, self.groups
        )


class _LazyConvMixin(LazyModuleMixin):
    def reset_parameters(self) -> None:
        if not self.has_uninitialized_params() and self.in_channels != 0:  # type: ignore
            super().reset_parameters()  # type: ignore[misc]

    def initialize_parameters(self, input: Any, *args: Any) -> None:
        if self.has_uninitialized_params():
            s: Any = self
            unbatched = input.ndim == s._n + 1
            s.in_channels = input.shape[0 if unbatched else 1]
            if s.in_channels % s.groups != 0:
                raise ValueError("in_channels must be divisible by groups")
            s.weight.materialize((s.out_channels, s.in_channels // s.groups, *s.kernel_size))
            if s.bias is not None:
                s.bias.materialize((s.out_channels,))
            self.reset_parameters()


class LazyConv2d(_LazyConvMixin, Conv2d):
    """A Conv2d whose in_channels come from the first input. Matches `torch.nn.LazyConv2d`."""

    cls_to_become = Conv2d

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)


class LazyConv1d(_LazyConvMixin, Conv1d):
    """Matches `torch.nn.LazyConv1d`."""

    cls_to_become = Conv1d

    def __init__(
        self,
        out_channels: int,
        kernel_size: Any,
        stride: Any = 1,
        padding: Any = 0,
        dilation: Any = 1,
        groups: int = 1,
        bias: bool = True,
        padding_mode: str = "zeros",
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__(0, 0, kernel_size, stride, padding, dilation, groups, False, padding_mode)
        self.weight = UninitializedParameter(dtype=dtype)
        self.out_channels = out_channels
        if bias:
            self.bias = UninitializedParameter(dtype=dtype)
