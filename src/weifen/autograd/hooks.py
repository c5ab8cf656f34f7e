"""Tensor hooks: `Tensor.register_hook`, `retain_grad`, `register_post_accumulate_grad_hook`.

Where a hook lives follows PyTorch:

- a non-leaf's hooks are pre-hooks of its `grad_fn`, for its output number: they see (and
  may replace) the gradient flowing into the node before the node runs; `retain_grad` adds
  one more that runs after them and stores the result in `.grad`;
- a leaf's hooks live on the tensor (`_hooks`), because its `AccumulateGrad` node lives only
  as long as a graph holds it; the engine runs them before accumulating (or before handing
  the gradient to `autograd.grad`), and the post-accumulate hooks after `.grad` is updated.

The engine pays for none of this unless a node has hooks.
"""

from __future__ import annotations

import weakref
from typing import Any

from .graph import RemovableHandle, pre_hooks

__all__ = ["register_tensor_hook", "register_post_accumulate_grad_hook", "retain_grad"]


class LeafHooks:
    """A leaf's hooks: `pre` run on the incoming gradient, `post_acc` after accumulation."""

    __slots__ = ("pre", "post_acc")

    def __init__(self) -> None:
        self.pre: dict[int, Any] = {}
        self.post_acc: dict[int, Any] = {}


def _leaf_hooks(t: Any) -> LeafHooks:
    h = t._hooks
    if h is None:
        h = t._hooks = LeafHooks()
    return h


def _check_requires_grad(t: Any) -> None:
    if not t._requires_grad:
        raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")


def register_tensor_hook(t: Any, hook: Any) -> RemovableHandle:
    """`hook(grad)` runs when the gradient of `t` is computed; it may return a replacement.
    Matches `torch.Tensor.register_hook`."""
    _check_requires_grad(t)
    gf = t._grad_fn
    if gf is None:
        hooks = _leaf_hooks(t).pre
        h = RemovableHandle(hooks)
        hooks[h._key] = hook
        return h
    tensor_hooks = pre_hooks(gf).tensor
    h = RemovableHandle(tensor_hooks)
    tensor_hooks[h._key] = (t._output_nr, hook)
    return h


def register_post_accumulate_grad_hook(t: Any, hook: Any) -> RemovableHandle:
    """`hook(tensor)` runs after the leaf's `.grad` was updated.
    Matches `torch.Tensor.register_post_accumulate_grad_hook`."""
    _check_requires_grad(t)
    if t._grad_fn is not None:
        raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf tensors")
    hooks = _leaf_hooks(t).post_acc
    h = RemovableHandle(hooks)
    hooks[h._key] = hook
    return h


def retain_grad(t: Any) -> None:
    """Matches `torch.Tensor.retain_grad`: a non-leaf's gradient is kept in `.grad`."""
    if not t._requires_grad:
        raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
    gf = t._grad_fn
    if gf is None or t._retains_grad:
        return
    t._retains_grad = True
    # A weak reference: the node must not keep the tensor (which holds the node) alive.
    ref = weakref.ref(t)

    def store(g: Any) -> None:
        var = ref()
        if var is None or g is None:
            return
        if var._grad is None:
            var._grad = g.clone()
        else:
            var._grad = var._grad + g

    pre_hooks(gf).retains[t._output_nr] = store
