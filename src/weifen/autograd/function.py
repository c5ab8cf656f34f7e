"""Custom autograd functions: `Function` with static `forward`/`backward`. Matches
`torch.autograd.Function`.

As in PyTorch the `ctx` a forward sees is the graph node itself: `MyFn.apply` makes one
`MyFnBackward` node, runs `forward` with grad mode off, and attaches the node to the outputs.
The engine runs the node through `_apply`, which calls the user's `backward` on Tensors (with
grad mode on under create_graph, so a backward written with weifen ops can be differentiated
again).
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from . import anomaly
from .grad_mode import _state
from .graph import Node, accumulate_node, next_seq

__all__ = [
    "Function",
    "FunctionCtx",
    "BackwardCFunction",
    "InplaceFunction",
    "NestedIOFunction",
    "once_differentiable",
]


class FunctionCtx:
    """What `forward`/`setup_context` may call on `ctx`. Matches `torch.autograd.function.
    FunctionCtx`."""

    def save_for_backward(self, *tensors: Any) -> None:
        for t in tensors:
            if t is not None and not isinstance(t, Tensor):
                raise TypeError(
                    "save_for_backward can only save variables, but argument "
                    f"{tensors.index(t)} is of type {type(t).__name__}"
                )
        self.to_save = tensors

    def save_for_forward(self, *tensors: Any) -> None:
        self.saved_for_forward = tensors

    def mark_dirty(self, *args: Any) -> None:
        self.dirty_tensors = args

    def mark_non_differentiable(self, *args: Any) -> None:
        self.non_differentiable = args

    def set_materialize_grads(self, value: bool) -> None:
        self.materialize_grads = value


class _SavedOutput:
    """A saved tensor that is also an output: kept as its array (the output tensor holds the
    node, so holding the tensor would be a reference cycle), rebuilt on unpacking."""

    __slots__ = ("data", "dtype", "nr", "version")

    def __init__(self, t: Tensor, nr: int) -> None:
        self.data = t._data
        self.dtype = t.dtype
        self.nr = nr
        self.version = t._version


class BackwardCFunction(Node, FunctionCtx):
    """The node of a custom Function (and its ctx). `MyFnBackward` subclasses it."""

    _forward_cls: Any = None
    _is_node_class = True

    def __init__(self) -> None:
        self.next_functions = ()
        self._seq = next_seq()
        self._pre_hooks = None
        self._post_hooks = None
        self._meta_dict = None
        self._anomaly = anomaly.capture() if anomaly._on[0] else None
        self._nout = 1
        self.to_save: tuple = ()
        self.non_differentiable: tuple = ()
        self.dirty_tensors: tuple = ()
        self.materialize_grads = True
        self.needs_input_grad: tuple = ()
        self._saved: list | None = None
        self._saved_versions: list = []
        self._out_meta: list = []  # (shape, dtype, differentiable) per output
        self._in_meta: list = []  # (shape, dtype) per tensor input
        self._freed = False

    # ---- saved tensors --------------------------------------------------------------------
    @property
    def saved_tensors(self) -> tuple:
        from .engine import SECOND_BACKWARD, _modified_error, _short_name

        if self._freed:
            raise RuntimeError(SECOND_BACKWARD)
        if self._saved is None:  # forward still running, or nothing was recorded
            return tuple(self.to_save)
        out: list[Any] = []
        for s, v in zip(self._saved, self._saved_versions):
            if s is None:
                out.append(None)
                continue
            if isinstance(s, _SavedOutput):
                t = _wrap(s.data, s.dtype)
                t._version = s.version
                t._requires_grad = True
                t._grad_fn = self
                t._output_nr = s.nr
                if s.version[0] != v:
                    raise _modified_error(t, _short_name(self), s.version[0], v)
            else:
                t = s
                if t._version[0] != v:
                    gf = t._grad_fn
                    raise _modified_error(
                        t, None if gf is None else _short_name(gf), t._version[0], v
                    )
            out.append(t)
        return tuple(out)

    @property
    def saved_variables(self) -> tuple:
        return self.saved_tensors

    def _release(self) -> None:
        if self._saved:
            self._saved = None
            self._freed = True

    # ---- running in the engine ------------------------------------------------------------
    def _apply(self, grads: list, graph: bool) -> list:
        """The gradients of the tensor inputs (arrays, or Tensors under create_graph)."""
        fwd = self._forward_cls
        gts: list = []
        for g, (shape, dt, _) in zip(grads, self._out_meta):
            if g is None:
                if self.materialize_grads:
                    gts.append(_wrap(np.zeros(shape, dt.np), dt))
                else:
                    gts.append(None)
            elif isinstance(g, Tensor):
                gts.append(g)
            else:
                gts.append(_wrap(g, D.FROM_NP[g.dtype]))
        prev = _state.enabled
        _state.enabled = graph
        try:
            res = fwd.backward(self, *gts)
        finally:
            _state.enabled = prev
        if not isinstance(res, tuple):
            res = (res,)
        name = type(self).__name__
        n_args = len(self.needs_input_grad)
        if len(res) != n_args:
            if len(res) > n_args and all(r is None for r in res[n_args:]):
                res = res[:n_args]
            else:
                raise RuntimeError(
                    f"function {name} returned an incorrect number of gradients (expected "
                    f"{n_args}, got {len(res)})"
                )
        outs: list = []
        k = 0
        for i, r in enumerate(res):
            is_tensor = i in self._tensor_pos
            if not is_tensor:
                if r is not None:
                    raise RuntimeError(
                        f"function {name} returned a gradient different than None at position "
                        f"{i + 1}, but the corresponding forward input was not a Variable"
                    )
                continue
            if r is not None and not isinstance(r, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(r).__name__})")
            nxt = self.next_functions[k][0]
            shape, dt = self._in_meta[k]
            k += 1
            if r is None or nxt is None:
                outs.append(None)
                continue
            outs.append(_fit_grad(r, shape, dt, graph, name, k - 1))
        return outs

    def __repr__(self) -> str:
        return f"<torch.autograd.function.{type(self).__name__} object at {id(self):#x}>"

    _tensor_pos: frozenset = frozenset()


def _fit_grad(r: Tensor, shape: tuple, dt: D.dtype, graph: bool, name: str, idx: int) -> Any:
    """PyTorch's validate_outputs: sum a broadcastable gradient down, reject other shapes,
    cast to the input's dtype."""
    if r._data.shape != shape:
        try:
            ok = np.broadcast_shapes(shape, r._data.shape) == r._data.shape
        except ValueError:
            ok = False
        if not ok:
            raise RuntimeError(
                f"Function {name} returned an invalid gradient at index {idx} - got "
                f"{list(r._data.shape)} but expected shape compatible with {list(shape)}"
            )
    from .engine import _fit

    if graph:
        return _fit(r, (shape, dt), True)
    return _fit(r._data, (shape, dt), False)


class FunctionMeta(type):
    """Gives each Function subclass its node class, `<Name>Backward`."""

    def __init__(cls, name: str, bases: tuple, attrs: dict) -> None:
        backward_cls = type(name + "Backward", (BackwardCFunction,), {"_forward_cls": cls})
        backward_cls.__module__ = "torch.autograd.function"
        backward_cls.__qualname__ = name + "Backward"
        cls._backward_cls = backward_cls
        super().__init__(name, bases, attrs)


class Function(metaclass=FunctionMeta):
    """Base class for custom differentiable operations. Matches `torch.autograd.Function`.

    Subclasses define static `forward(ctx, *args)` and `backward(ctx, *grads)` (or
    `forward(*args)` with `setup_context(ctx, inputs, output)`), and are called through
    `apply`. `jvp` is kept for forward-mode AD."""

    _backward_cls: Any = None
    generate_vmap_rule = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        pass

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)"
        )

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function."
        )

    @staticmethod
    def setup_context(ctx: Any, inputs: tuple, output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD."
        )

    vjp = backward

    @staticmethod
    def jvp(ctx: Any, *grad_inputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the jvp function for custom autograd.Function to use it with "
            "forward mode AD."
        )

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        return _apply_function(cls, args, kwargs)


def _uses_setup_context(cls: Any) -> bool:
    return _static(cls, "setup_context") is not _static(Function, "setup_context")


def _static(cls: Any, name: str) -> Any:
    # the attribute as defined in the class body (what inspect.getattr_static finds), read
    # through the MRO by hand: `inspect` costs 20 ms of import time
    for klass in cls.__mro__:
        if name in klass.__dict__:
            attr = klass.__dict__[name]
            return attr.__func__ if isinstance(attr, staticmethod | classmethod) else attr
    return None


def _apply_function(cls: Any, args: tuple, kwargs: dict) -> Any:
    ctx = cls._backward_cls()
    grad_on = _state.enabled
    tensor_pos = [i for i, a in enumerate(args) if isinstance(a, Tensor)]
    needs = tuple(isinstance(a, Tensor) and a._requires_grad and grad_on for a in args)
    ctx.needs_input_grad = needs
    ctx._tensor_pos = frozenset(tensor_pos)
    _state.enabled = False
    try:
        if _uses_setup_context(cls):
            output = cls.forward(*args, **kwargs)
            cls.setup_context(ctx, args, output)
        else:
            output = cls.forward(ctx, *args, **kwargs)
    finally:
        _state.enabled = grad_on
    is_tuple = isinstance(output, tuple)
    outs = list(output) if is_tuple else [output]
    record = any(needs)
    inputs = [args[i] for i in tensor_pos]
    dirty = {id(t) for t in ctx.dirty_tensors}
    non_diff = {id(t) for t in ctx.non_differentiable}
    input_ids = {id(t) for t in inputs}
    if record:
        nf = []
        for t in inputs:
            if t._requires_grad:
                gf = t._grad_fn
                nf.append((gf if gf is not None else accumulate_node(t), t._output_nr))
            else:
                nf.append((None, 0))
        ctx.next_functions = tuple(nf)
        ctx._in_meta = [(t._data.shape, t.dtype) for t in inputs]
        ctx._nout = len(outs)
    for t in ctx.dirty_tensors:
        if record and t._requires_grad and t._grad_fn is None:
            raise RuntimeError(
                "a leaf Variable that requires grad has been used in an in-place operation."
            )
    new_outs: list = []
    for k, o in enumerate(outs):
        if not isinstance(o, Tensor):
            new_outs.append(o)
            if record:
                ctx._out_meta.append(((), D._default[0], False))
            continue
        is_input = id(o) in input_ids
        is_dirty = id(o) in dirty
        if is_input and not is_dirty:
            # an input returned unchanged: a new tensor (a view) gets the new history
            v = _wrap(o._data, o.dtype)
            v._version = o._version
            v._base = o if o._base is None else o._base
            o = v
        differentiable = record and id(outs[k]) not in non_diff and o.dtype._category >= D._FLOAT
        if record:
            ctx._out_meta.append((o._data.shape, o.dtype, differentiable))
        if differentiable:
            o._grad_fn = ctx
            o._requires_grad = True
            o._output_nr = k
        elif is_dirty and record:
            o._grad_fn = None
            o._requires_grad = False
        new_outs.append(o)
    if record:
        out_index = {id(o): k for k, o in enumerate(outs) if isinstance(o, Tensor)}
        saved: list = []
        versions: list = []
        for t in ctx.to_save:
            if t is None:
                saved.append(None)
                versions.append(0)
                continue
            nr = out_index.get(id(t))
            if nr is not None and new_outs[nr]._grad_fn is ctx:
                saved.append(_SavedOutput(new_outs[nr], nr))
            else:
                saved.append(t)
            versions.append(t._version[0])
        ctx._saved = saved
        ctx._saved_versions = versions
        ctx.to_save = ()  # it may hold an output, which holds ctx: no cycle
    return tuple(new_outs) if is_tuple else new_outs[0]


class InplaceFunction(Function):
    """Matches `torch.autograd.function.InplaceFunction`."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace


class NestedIOFunction(Function):
    """Placeholder for `torch.autograd.function.NestedIOFunction` (legacy API)."""


class _DelayedErrorNode(Node):
    """Stands where a @once_differentiable backward's outputs would be differentiated."""

    def __init__(self, msg: str, edges: tuple) -> None:
        self.next_functions = edges
        self._seq = next_seq()
        self._pre_hooks = None
        self._post_hooks = None
        self._meta_dict = None
        self._anomaly = None
        self.msg = msg

    def _apply(self, grads: list, graph: bool) -> list:
        raise RuntimeError(self.msg)


_DelayedErrorNode.__name__ = _DelayedErrorNode.__qualname__ = "DelayedError"


def once_differentiable(fn: Any) -> Any:
    """A backward that is not itself differentiable: it runs with grad mode off, and trying to
    differentiate its result raises. Matches `torch.autograd.function.once_differentiable`."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        prev = _state.enabled
        _state.enabled = False
        try:
            outputs = fn(ctx, *args)
        finally:
            _state.enabled = prev
        if not prev:
            return outputs
        requires = [a for a in args if isinstance(a, Tensor) and a._requires_grad]
        if not requires:
            return outputs
        single = not isinstance(outputs, tuple)
        outs = (outputs,) if single else outputs
        edges = tuple(
            (a._grad_fn if a._grad_fn is not None else accumulate_node(a), a._output_nr)
            for a in requires
        )
        err = _DelayedErrorNode(
            "trying to differentiate twice a function that was marked with @once_differentiable",
            edges,
        )
        res = []
        for o in outs:
            if isinstance(o, Tensor) and o.dtype._category >= D._FLOAT:
                o = _wrap(o._data, o.dtype)
                o._requires_grad = True
                o._grad_fn = err
            res.append(o)
        return res[0] if single else tuple(res)

    return wrapper
