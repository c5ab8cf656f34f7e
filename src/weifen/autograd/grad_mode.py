"""Grad mode: whether ops record the graph. Thread-local, as in PyTorch.

Dispatch reads `_state.enabled` once per op; that attribute read is the whole cost of grad
mode on the hot path.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

__all__ = [
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "inference_mode",
    "is_grad_enabled",
    "is_inference_mode_enabled",
]


class _GradState(threading.local):
    # Class attributes are each new thread's initial values.
    enabled = True
    inference = False


_state = _GradState()


def is_grad_enabled() -> bool:
    """Matches `torch.is_grad_enabled`."""
    return _state.enabled


def is_inference_mode_enabled() -> bool:
    """Matches `torch.is_inference_mode_enabled`."""
    return _state.inference


class _Mode:
    """A context manager that is also a decorator, like PyTorch's grad-mode classes."""

    def _enter(self) -> None:
        raise NotImplementedError

    def _exit(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> None:
        self._enter()

    def __exit__(self, *exc: object) -> None:
        self._exit()

    def clone(self) -> _Mode:
        return self.__class__()

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        if getattr(getattr(func, "__code__", None), "co_flags", 0) & 0x20:  # a generator

            @functools.wraps(func)
            def gen_wrapper(*args: Any, **kwargs: Any) -> Any:
                gen = func(*args, **kwargs)
                with self.clone():
                    value = next(gen)
                while True:
                    try:
                        with self.clone():
                            sent = yield value
                            value = gen.send(sent)
                    except StopIteration as e:
                        return e.value

            return gen_wrapper

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self.clone():
                return func(*args, **kwargs)

        return wrapper


class no_grad(_Mode):
    """Disable gradient recording. Matches `torch.no_grad` (context manager and decorator)."""

    def __init__(self) -> None:
        self.prev = True

    def _enter(self) -> None:
        self.prev = _state.enabled
        _state.enabled = False

    def _exit(self) -> None:
        _state.enabled = self.prev


class enable_grad(_Mode):
    """Enable gradient recording. Matches `torch.enable_grad`."""

    def __init__(self) -> None:
        self.prev = True

    def _enter(self) -> None:
        self.prev = _state.enabled
        _state.enabled = True

    def _exit(self) -> None:
        _state.enabled = self.prev


class set_grad_enabled(_Mode):
    """Matches `torch.set_grad_enabled`: takes effect at once when called, and restores the
    previous mode on exit when used as a context manager or decorator."""

    def __init__(self, mode: bool) -> None:
        self.prev = _state.enabled
        self.mode = bool(mode)
        _state.enabled = self.mode

    def _enter(self) -> None:
        pass

    def _exit(self) -> None:
        _state.enabled = self.prev

    def clone(self) -> set_grad_enabled:
        return self.__class__(self.mode)

    def __call__(self, func: Callable[..., Any]) -> Callable[..., Any]:
        # Used as a decorator the constructor call must not leave the mode changed.
        _state.enabled = self.prev
        return super().__call__(func)


class inference_mode(_Mode):
    """Matches `torch.inference_mode`. Here it is no_grad plus the flag that
    `is_inference_mode_enabled` reports; inference tensors are ordinary tensors."""

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode
        self.prev = (True, False)

    def __new__(cls, mode: Any = True) -> Any:
        if callable(mode) and not isinstance(mode, bool):  # bare @inference_mode
            return cls()(mode)
        return super().__new__(cls)

    def _enter(self) -> None:
        self.prev = (_state.enabled, _state.inference)
        if self.mode:
            _state.enabled, _state.inference = False, True
        else:
            _state.inference = False

    def _exit(self) -> None:
        _state.enabled, _state.inference = self.prev

    def clone(self) -> inference_mode:
        return self.__class__(self.mode)
