"""Graph nodes. A node is what a non-leaf tensor's `grad_fn` points to.

`next_functions` holds one `(node, output_nr)` pair per differentiable input, as PyTorch's
does: `node` is the input's own `grad_fn`, its `AccumulateGrad` if it is a leaf that requires
grad, or None. Nodes hold no maths: `OpNode` asks its op-table entry for the formulas.
"""

from __future__ import annotations

import itertools
import weakref
from typing import Any

__all__ = ["Node", "AccumulateGrad", "RemovableHandle"]

_seq = itertools.count()


class RemovableHandle:
    """Returned by `register_hook`; `.remove()` takes the hook out. Matches PyTorch's."""

    __slots__ = ("_hooks", "_key")
    _next_id = itertools.count()

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self._key = next(RemovableHandle._next_id)

    @property
    def id(self) -> int:
        return self._key

    def remove(self) -> None:
        self._hooks.pop(self._key, None)

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.remove()


class Node:
    """Base of all graph nodes. Matches `torch.autograd.graph.Node`."""

    __slots__ = (
        "next_functions",
        "_seq",
        "_pre_hooks",
        "_post_hooks",
        "_meta_dict",
        "_anomaly",
        "__weakref__",
    )
    next_functions: tuple
    _seq: int
    _pre_hooks: Any
    _post_hooks: Any
    _meta_dict: Any
    _anomaly: Any

    # how many outputs the node's forward had (OpNode and Function nodes set their own)
    _nout = 1
    _is_op = False  # an OpNode: the engine asks this instead of isinstance on its hot path

    def name(self) -> str:
        n = type(self).__name__
        # PyTorch's C++ nodes that are not generated from derivatives.yaml keep their namespace
        return "torch::autograd::" + n if n in ("AccumulateGrad", "CopySlices", "GraphRoot") else n

    @property
    def metadata(self) -> dict:
        # `_meta_dict` (like `_anomaly`) is left unset by the recording hot path
        d = getattr(self, "_meta_dict", None)
        if d is None:
            d = self._meta_dict = {}
        return d

    def register_hook(self, fn: Any) -> RemovableHandle:
        """`fn(grad_inputs, grad_outputs)` runs after the node; it may return new grad_inputs."""
        if self._post_hooks is None:
            self._post_hooks = {}
        h = RemovableHandle(self._post_hooks)
        self._post_hooks[h._key] = fn
        return h

    def register_prehook(self, fn: Any) -> RemovableHandle:
        """`fn(grad_outputs)` runs before the node; it may return new grad_outputs."""
        hooks = pre_hooks(self).node
        h = RemovableHandle(hooks)
        hooks[h._key] = fn
        return h

    def _register_hook_dict(self, tensor: Any) -> None:
        pass

    def __call__(self, *grads: Any) -> Any:
        from .engine import _call_node

        return _call_node(self, grads)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} object at {id(self):#x}>"


class AccumulateGrad(Node):
    """The node of a leaf that requires grad: adds the incoming gradient into `.grad`."""

    __slots__ = ("variable",)

    def __init__(self, variable: Any) -> None:
        self.variable = variable
        self.next_functions = ()
        self._seq = 1 << 62  # PyTorch runs leaves' accumulation as soon as they are ready
        self._pre_hooks = None
        self._post_hooks = None
        self._meta_dict = None
        self._anomaly = None


def accumulate_node(t: Any) -> AccumulateGrad:
    """The leaf's AccumulateGrad, shared by every use of the leaf while a graph holds it.

    As in PyTorch the node holds the leaf and the leaf only a weak reference to the node: a
    strong one both ways would be a reference cycle per leaf, left for the cycle collector.
    Hooks live on the tensor, so a node made anew finds them."""
    r = t._accum
    if r is not None:
        a = r()
        if a is not None:
            return a
    a = AccumulateGrad(t)
    t._accum = weakref.ref(a)
    return a


class PreHooks:
    """What runs before a node, in PyTorch's order: the hooks of the tensors it made
    (`Tensor.register_hook`, per output, in registration order), then `retain_grad`'s, then
    the node's own pre-hooks (`Node.register_prehook`)."""

    __slots__ = ("tensor", "retains", "node")

    def __init__(self) -> None:
        self.tensor: dict[int, tuple[int, Any]] = {}  # key -> (output_nr, fn)
        self.retains: dict[int, Any] = {}  # output_nr -> fn
        self.node: dict[int, Any] = {}

    def __bool__(self) -> bool:
        return bool(self.tensor or self.retains or self.node)


def pre_hooks(node: Node) -> PreHooks:
    p = node._pre_hooks
    if p is None:
        p = node._pre_hooks = PreHooks()
    return p


class OpNode(Node):
    """A node made by an op of the table. Subclassed once per PyTorch name (MulBackward0, ...)
    so that `type(t.grad_fn).__name__` is what PyTorch shows.

    `_saved` holds the forward's arguments that the formulas read (tensors as Tensors, so that
    a create_graph backward can differentiate through them), `_versions` their version at save
    time, `_result` the output's array when a formula reads `result`, `_meta` the (shape,
    dtype) of each input that needs a gradient. `_saved` becomes None once freed.
    """

    __slots__ = (
        "_op",
        "_saved",
        "_versions",
        "_result",
        "_meta",
        "_nout",
        "_out_versions",
        "_out_meta",
    )
    _op: Any
    _saved: Any
    _versions: Any
    _result: Any
    _meta: Any
    _out_versions: Any
    _out_meta: Any

    _op_def: Any = None
    _is_op = True

    def __init__(self) -> None:  # never called on the hot path: dispatch fills the slots
        raise TypeError(f"cannot create '{type(self).__name__}' instances")

    def _saved_tensors_for_print(self) -> Any:
        return self._saved


_node_classes: dict[str, type] = {}


def node_class(name: str) -> type:
    """The OpNode subclass called `name`, made once."""
    cls = _node_classes.get(name)
    if cls is None:
        cls = _node_classes[name] = type(name, (OpNode,), {"__slots__": ()})
    return cls


def next_seq() -> int:
    return next(_seq)


def __getattr__(name: str) -> Any:
    # saved_tensors_hooks / save_on_cpu live with forward_ad (they share its dispatch hook);
    # loaded on first use to keep graph.py free of import cycles
    if name in ("saved_tensors_hooks", "save_on_cpu"):
        from . import forward_ad

        return getattr(forward_ad, name)
    raise AttributeError(f"module 'weifen.autograd.graph' has no attribute '{name}'")
