"""Lazy modules: parameters whose shapes come from the first input."""

from __future__ import annotations

import warnings
from typing import Any

from ..parameter import is_lazy


class LazyModuleMixin:
    """Infers parameter shapes on the first call, then becomes `cls_to_become` (the same
    object, so optimizers made before still hold its parameters). Matches
    `torch.nn.modules.lazy.LazyModuleMixin`."""

    cls_to_become: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[call-arg]
        self._initialize_hook = self.register_forward_pre_hook(  # type: ignore[attr-defined]
            _infer_parameters
        )
        warnings.warn(
            "Lazy modules are a new feature under heavy development so changes to the API or "
            "functionality can happen at any moment.",
            UserWarning,
            stacklevel=3,
        )

    def has_uninitialized_params(self) -> bool:
        params = self._parameters.values()  # type: ignore[attr-defined]
        buffers = self._buffers.values()  # type: ignore[attr-defined]
        return any(is_lazy(p) for p in list(params) + list(buffers))

    def initialize_parameters(self, *args: Any, **kwargs: Any) -> None:
        raise NotImplementedError


def _infer_parameters(module: Any, args: tuple) -> None:
    module.initialize_parameters(*args)
    if module.has_uninitialized_params():
        raise RuntimeError(f"module {module._get_name()} has not been fully initialized")
    module._initialize_hook.remove()
    del module.__dict__["_initialize_hook"]
    if module.cls_to_become is not None:
        module.__class__ = module.cls_to_become
