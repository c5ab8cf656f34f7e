"""Activation checkpointing: trade compute for memory. Matches `torch.utils.checkpoint`.

`checkpoint(fn, *args)` runs `fn` with grad mode off, so none of its intermediate values are
kept, and returns outputs whose grad_fn is one `CheckpointFunctionBackward` node. When the
backward pass reaches that node it reruns `fn` with grad mode on (same RNG state), and
backpropagates through the recomputed graph.

Tensors that `fn` uses without receiving them as arguments (a layer's weights in a closure)
get gradients too: during the forward, dispatch reports every op input that requires grad
(see forward_ad.after_op), and each becomes an input edge of the node. So `.backward()`
accumulates into them and `autograd.grad` can ask for them, with either `use_reentrant`.

Differences from PyTorch: with `use_reentrant=False` PyTorch's outputs carry the graph of the
ops themselves (their saved tensors recomputed on demand); weifen uses the same node for both
variants. `context_fn`, `determinism_check`, `debug` and `early_stop` are accepted and have
no effect. With `use_reentrant=True` PyTorch refuses `autograd.grad`; weifen allows it.
"""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator"

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd import forward_ad as _hook
from ..autograd.engine import grad as _grad
from ..autograd.grad_mode import _state
from ..autograd.graph import Node, accumulate_node, next_seq

__all__ = ["checkpoint", "checkpoint_sequential"]


class _Noop:
    def __enter__(self) -> None:
        pass

    def __exit__(self, *exc: object) -> None:
        pass


def noop_context_fn() -> tuple[Any, Any]:
    return _Noop(), _Noop()


class CheckpointFunctionBackward(Node):
    """Recomputes the checkpointed function, then backpropagates through it."""

    __slots__ = ("_fn", "_args", "_kwargs", "_edges", "_rng", "_nout")

    def _apply(self, grads: list, graph: bool) -> list:
        from .._random import get_rng_state, set_rng_state

        n = len(self.next_functions)
        if all(g is None for g in grads):
            return [None] * n
        detached = [
            a.detach().requires_grad_(a._requires_grad) if isinstance(a, Tensor) else a
            for a in self._args
        ]
        prev_rng = None
        if self._rng is not None:
            prev_rng = get_rng_state()
            set_rng_state(self._rng)
        enabled = _state.enabled
        _state.enabled = True
        try:
            out = self._fn(*detached, **self._kwargs)
        finally:
            _state.enabled = enabled
            if prev_rng is not None:
                set_rng_state(prev_rng)
        outs = out if isinstance(out, tuple) else (out,)
        sel, gsel = [], []
        for o, g in zip(outs, grads):
            if isinstance(o, Tensor) and o._requires_grad and g is not None:
                sel.append(o)
                gsel.append(g if isinstance(g, Tensor) else _wrap(g, D.FROM_NP[g.dtype]))
        if not sel:
            raise RuntimeError(
                "none of output has requires_grad=True, this checkpoint() is not necessary"
            )
        targets = [detached[i] if isinstance(i, int) else i[1] for i in self._edges]
        got = _grad(sel, targets, gsel, retain_graph=True, create_graph=graph, allow_unused=True)
        if graph:
            return list(got)
        return [None if g is None else g._data for g in got]


def _make_node(fn: Callable, args: tuple, kwargs: dict, captured: list, rng: Any) -> Any:
    node = object.__new__(CheckpointFunctionBackward)
    edges: list = []
    nf = []
    for i, a in enumerate(args):
        if isinstance(a, Tensor) and a._requires_grad:
            edges.append(i)
            gf = a._grad_fn
            nf.append((gf if gf is not None else accumulate_node(a), a._output_nr))
    for t in captured:
        edges.append(("captured", t))
        gf = t._grad_fn
        nf.append((gf if gf is not None else accumulate_node(t), t._output_nr))
    node.next_functions = tuple(nf)
    node._edges = edges
    node._fn = fn
    node._args = args
    node._kwargs = kwargs
    node._rng = rng
    node._seq = next_seq()
    node._pre_hooks = node._post_hooks = node._meta_dict = node._anomaly = None
    node._nout = 1
    return node


def _run(fn: Callable, args: tuple, kwargs: dict, preserve: bool, reentrant: bool) -> Any:
    if not _state.enabled:
        return fn(*args, **kwargs)
    arg_ids = {id(a) for a in args}
    if reentrant and not any(isinstance(a, Tensor) and a._requires_grad for a in args):
        # PyTorch's reentrant variant records nothing then, even for weights in a closure
        warnings.warn(
            "None of the inputs have requires_grad=True. Gradients will be None", stacklevel=3
        )
        with _no_grad():
            return fn(*args, **kwargs)
    from .._random import get_rng_state

    rng = get_rng_state() if preserve else None
    tracer: dict[int, Tensor] = {}
    _hook._tracers.append(tracer)
    _hook._refresh()
    try:
        with _no_grad():
            out = fn(*args, **kwargs)
    finally:
        _hook._tracers.remove(tracer)
        _hook._refresh()
    captured = [t for k, t in tracer.items() if k not in arg_ids]
    if not captured and not any(isinstance(a, Tensor) and a._requires_grad for a in args):
        return out
    node = _make_node(fn, args, kwargs, captured, rng)
    outs = out if isinstance(out, tuple) else (out,)
    node._nout = len(outs)
    new = []
    for k, o in enumerate(outs):
        if isinstance(o, Tensor) and o.dtype._category >= D._FLOAT:
            a = _wrap(o._data, o.dtype)
            a._version = o._version
            a._requires_grad = True
            a._grad_fn = node
            a._output_nr = k
            o = a
        new.append(o)
    return tuple(new) if isinstance(out, tuple) else new[0]


class _no_grad:
    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = False

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self.prev


def checkpoint(
    function: Callable,
    *args: Any,
    use_reentrant: bool | None = None,
    context_fn: Callable[[], tuple[Any, Any]] = noop_context_fn,
    determinism_check: str = "default",
    debug: bool = False,
    early_stop: bool = True,
    **kwargs: Any,
) -> Any:
    """Run `function(*args)` without keeping its intermediates; recompute them in backward.
    Matches `torch.utils.checkpoint.checkpoint`."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint: the use_reentrant parameter should be passed explicitly. "
            "Starting in PyTorch 2.9, calling checkpoint without use_reentrant will raise an "
            "exception. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs and use_reentrant:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))
    if use_reentrant and (context_fn is not noop_context_fn or debug is not False):
        raise ValueError(
            "Passing `context_fn` or `debug` is only supported when use_reentrant=False."
        )
    return _run(function, args, kwargs, preserve, use_reentrant)


def checkpoint_sequential(
    functions: Any, segments: int, input: Any, use_reentrant: bool | None = None, **kwargs: Any
) -> Any:
    """Checkpoint all but the last of `segments` chunks of a sequential model.
    Matches `torch.utils.checkpoint.checkpoint_sequential`."""
    if use_reentrant is None:
        warnings.warn(
            "torch.utils.checkpoint.checkpoint_sequential: the use_reentrant parameter should be "
            "passed explicitly. In version 2.9 we will raise an exception if use_reentrant is "
            "not passed. use_reentrant=False is recommended, but if you need to preserve the "
            "current default behavior, you can pass use_reentrant=True. Refer to docs for more "
            "details on the differences between the two variants.",
            stacklevel=2,
        )
        use_reentrant = True
    preserve = kwargs.pop("preserve_rng_state", True)
    if kwargs:
        raise ValueError("Unexpected keyword arguments: " + ",".join(arg for arg in kwargs))

    def run_function(start: int, end: int, functions: Any) -> Callable:
        def forward(input: Any) -> Any:
            for j in range(start, end + 1):
                input = functions[j](input)
            return input

        return forward

    if type(functions).__name__ == "Sequential" and hasattr(functions, "children"):
        functions = list(functions.children())
    segment_size = len(functions) // segments
    end = -1
    for start in range(0, segment_size * (segments - 1), segment_size):
        end = start + segment_size - 1
        input = _run(run_function(start, end, functions), (input,), {}, preserve, use_reentrant)
    return run_function(end + 1, len(functions) - 1, functions)(input)
