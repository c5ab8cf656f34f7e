"""parameters_to_vector / vector_to_parameters."""

from __future__ import annotations

from collections.abc import Iterable

from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...ops import shape as _shape


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """Matches `torch.nn.utils.parameters_to_vector`."""
    return _shape.cat([p.reshape(-1) for p in parameters])  # type: ignore[attr-defined]


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """Matches `torch.nn.utils.vector_to_parameters`."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {type(vec).__name__}")
    i = 0
    with no_grad():
        for p in parameters:
            n = p.numel()
            p._data = vec._data[i : i + n].reshape(p.shape).copy()
            i += n
