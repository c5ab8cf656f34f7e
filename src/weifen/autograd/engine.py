"""The backward pass: the chain rule, run over the recorded graph.

1. Count, for every node reachable from the roots, how many edges point at it.
2. Start from the roots with their gradients; a node runs once all its incoming gradients
   have arrived (Kahn's algorithm, iterative: a million-node chain needs no recursion). Among
   ready nodes the most recently created runs first, as in PyTorch.
3. A node's formulas turn the gradient of its output into gradients of its inputs; the
   engine sums those back to each input's shape when the forward broadcast, casts them to the
   input's dtype, and adds them into the next node's buffer.
4. AccumulateGrad nodes add into the leaves' `.grad`.

In a plain backward the formulas run on NumPy arrays (no Tensor is made). Under
create_graph=True the same formulas run on Tensors with grad mode on, so the backward pass
is itself recorded.
"""

from __future__ import annotations

import heapq
import warnings
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Size, Tensor, _wrap
from . import anomaly
from .fused import raw_backward
from .grad_mode import _state
from .graph import AccumulateGrad, Node, OpNode, accumulate_node

# The op table's namespaces for the formulas (RAW: arrays, GRAPH: Tensors). A module
# reference, read at call time: the table imports this package while it is being built.
from ..ops import _registry as _reg  # noqa: E402  # isort: skip

__all__ = ["backward", "grad"]

_ndarray = np.ndarray

SECOND_BACKWARD = (
    "Trying to backward through the graph a second time (or directly access saved tensors "
    "after they have already been freed). Saved intermediate values of the graph are freed "
    "when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to "
    "backward through the graph a second time or if you need to access saved tensors after "
    "calling backward."
)


def _type_str(t: Any) -> str:
    from ..ops._dispatch import _TYPE_NAMES

    return f"torch.{_TYPE_NAMES[t.dtype.name]}Tensor [{', '.join(map(str, t.shape))}]"


def _modified_error(t: Any, node_name: str | None, version: int, expected: int) -> RuntimeError:
    where = "" if node_name is None else f", which is output 0 of {node_name}"
    return RuntimeError(
        "one of the variables needed for gradient computation has been modified by an inplace "
        f"operation: [{_type_str(t)}]{where}, is at version {version}; expected version "
        f"{expected} instead. Hint: enable anomaly detection to find the operation that failed "
        "to compute its gradient, with torch.autograd.set_detect_anomaly(True, check_nan=False)."
    )


def _short_name(node: Any) -> str:
    n = type(node).__name__
    return n[: n.index("Backward")] if "Backward" in n else n


# ---- shape and dtype bookkeeping ----------------------------------------------------------


def _sum_to_raw(g: _ndarray, shape: tuple) -> _ndarray:
    """Undo broadcasting: sum `g` down to `shape` (or broadcast a smaller g up to it)."""
    gs = g.shape
    if gs == shape:
        return g
    lead = len(gs) - len(shape)
    if lead < 0 or g.size < _prod(shape):
        return np.broadcast_to(g, shape)
    axes = tuple(range(lead)) + tuple(
        lead + i for i, s in enumerate(shape) if s == 1 and gs[lead + i] != 1
    )
    out = g.sum(axis=axes, keepdims=True) if axes else g
    return out.reshape(shape)


def _prod(shape: tuple) -> int:
    n = 1
    for s in shape:
        n *= s
    return n


def _sum_to_graph(g: Tensor, shape: tuple) -> Tensor:
    if g._data.shape == shape:
        return g
    if g._data.size < _prod(shape) or g._data.ndim < len(shape):
        return g.expand(shape)  # type: ignore[attr-defined]
    return g.sum_to_size(shape)  # type: ignore[attr-defined]


# ---- running one node -----------------------------------------------------------------------


def _check_saved(node: OpNode) -> None:
    saved = node._saved
    if saved is None:
        raise RuntimeError(SECOND_BACKWARD)
    for k, (s, v) in enumerate(zip(saved, node._versions)):
        if v >= 0 and s._version[0] != v and _reads_saved(node, k):
            gf = s._grad_fn
            raise _modified_error(s, None if gf is None else _short_name(gf), s._version[0], v)
    ov = node._out_versions
    if ov is not None:
        for counter, v in ov:
            if counter[0] != v:
                res = node._result if node._nout == 1 else node._result[0]
                t = _wrap(res, D.FROM_NP[res.dtype])
                raise _modified_error(t, _short_name(node), counter[0], v)


def _reads_saved(node: OpNode, k: int) -> bool:
    """Whether a formula that runs reads saved value `k`. PyTorch saves a value only for the
    formulas of inputs that need a gradient (`x * w` with w constant keeps only w), so only
    those can report it modified. Asked only when a version differs: off the hot path."""
    op = node._op
    nf = node.next_functions
    for i, f in enumerate(op.formulas):
        if f is not None and k in f[1]:
            if op.list_input or nf[i][0] is not None:
                return True
    return False


def _zeros_like_meta(shape: tuple, dt: D.dtype, graph: bool) -> Any:
    z = np.zeros(shape, dt.np)
    return _wrap(z, dt) if graph else z


def run_op_node(node: OpNode, grads: list, graph: bool) -> list:
    """The gradients of `node`'s inputs, given the gradients of its outputs."""
    op = node._op
    saved = node._saved
    if saved is None:
        raise RuntimeError(SECOND_BACKWARD)
    if node._versions or node._out_versions is not None:
        _check_saved(node)
    if graph:
        F = _reg.GRAPH
        args: list = list(saved)
        args.append(_result_tensors(node) if op.saves_result else None)
    else:
        F = _reg.RAW
        args = [s._data if isinstance(s, Tensor) else s for s in saved]
        args.append(node._result)
    meta = node._meta
    if op.reads_shapes:  # formulas may read `<input>_shape`, kept as metadata
        args.extend([None if m is None else m[0] for m in meta])
    nf = node.next_functions
    if node._nout == 1:
        g = grads[0]
        if g is None:
            return [None] * len(nf)
        if meta is None:  # every input had the output's shape and dtype (see _record_one)
            m = (g._data.shape, g.dtype) if graph else (g.shape, D.FROM_NP[g.dtype])
            meta = (m,) * len(nf)
    else:
        g = _multi_grads(node, grads, graph)
        if g is None:
            return [None] * len(nf)
    formulas = op.formulas
    if op.list_input:
        f = formulas[0]
        gs = f[0](F, g, *[args[k] for k in f[1]])
        return [
            None if nf[i][0] is None or gi is None else _fit(gi, meta[i], graph)
            for i, gi in enumerate(gs)
        ]
    outs: list = []
    for i, f in enumerate(formulas):
        if f is None or nf[i][0] is None:
            outs.append(None)
            continue
        gi = f[0](F, g, *[args[k] for k in f[1]])
        if gi is None:
            outs.append(None)
        elif graph:
            outs.append(_fit(gi, meta[i], True))
        else:
            # the common case inline: an array of the input's shape and dtype
            shape, dt = meta[i]
            if type(gi) is _ndarray and gi.shape == shape and gi.dtype is dt.np:
                outs.append(gi)
            else:
                outs.append(_fit(gi, meta[i], False))
    return outs


def _multi_grads(node: OpNode, grads: list, graph: bool) -> Any:
    """The gradients of a multi-output node's outputs, zeros for unused ones (as PyTorch
    materializes them); None when no output received a gradient."""
    if all(x is None for x in grads):
        return None
    shapes = node._out_meta
    return tuple(
        x if x is not None else _zeros_like_meta(shape, dt, graph)
        for x, (shape, dt) in zip(grads, shapes)
    )


def _fit(gi: Any, m: tuple, graph: bool) -> Any:
    shape, dt = m
    if graph:
        if not isinstance(gi, Tensor):
            gi = _wrap(np.asarray(gi, dt.np), dt)
        if gi._data.shape != shape:
            gi = _sum_to_graph(gi, shape)
        if gi.dtype is not dt:
            if gi.dtype.is_complex and not dt.is_complex:
                gi = gi.real  # type: ignore[attr-defined]  # a real input of a complex op
            gi = gi.to(dt)  # type: ignore[attr-defined]
        return gi
    if type(gi) is not _ndarray:
        gi = np.asarray(gi)
    if gi.shape != shape:
        gi = _sum_to_raw(gi, shape)
    npdt = dt.np
    if gi.dtype is not npdt and gi.dtype != npdt:
        if gi.dtype.kind == "c" and npdt.kind != "c":
            gi = gi.real  # a real input of a complex op takes the real part (PyTorch)
        gi = gi.astype(npdt)
    return gi


def _fit_raw(gi: Any, m: tuple) -> Any:
    return _fit(gi, m, False)


def _result_tensors(node: OpNode) -> Any:
    """Under create_graph, `result` must be a Tensor whose grad_fn is this node, so that a
    formula reading it is differentiated through the node (no reference cycle is kept: the
    node stores only the array)."""

    def one(a: _ndarray, k: int) -> Tensor:
        t = _wrap(a, D.FROM_NP[a.dtype])
        t._requires_grad = True
        t._grad_fn = node
        t._output_nr = k
        return t

    if node._nout == 1:
        return one(node._result, 0)
    return tuple(one(a, k) for k, a in enumerate(node._result))


def _free(node: Any) -> None:
    """Release what the node saved for backward (retain_graph=False). Only a node that saved
    tensors is marked freed: PyTorch's second-backward error concerns saved tensors, so
    `x.sum()` (which keeps only a shape) can run backward twice."""
    if type(node) is AccumulateGrad:
        return
    if not isinstance(node, OpNode):
        release = getattr(node, "_release", None)
        if release is not None:
            release()
        return
    saved = node._saved
    if saved is None:
        return
    if node._result is not None or _saves_tensor(node._op, saved):
        node._saved = None
        node._result = None


_saves_input: dict[Any, bool] = {}


def _saves_tensor(op: Any, saved: tuple) -> bool:
    """Whether the node holds a tensor: a saved tensor argument (a Python number passed for a
    tensor input counts, as PyTorch wraps it in a tensor), or a Tensor anywhere in `saved`."""
    s = _saves_input.get(op)
    if s is None:
        s = _saves_input[op] = not op.list_input and any(i in op.in_idx for i in op.save_idx)
    if s:
        return True
    for k, v in enumerate(saved):
        if isinstance(v, Tensor):
            return True
        if op.params[op.save_idx[k]] in ("index", "indices") and _advanced(v):
            return True  # an advanced index, which PyTorch saves as tensors
    return False


def _advanced(v: Any) -> bool:
    if isinstance(v, list | _ndarray | Tensor):
        return True
    return isinstance(v, tuple) and any(_advanced(e) for e in v)


# ---- the graph walk ---------------------------------------------------------------------------


class _Run:
    """One backward pass: buffers, dependency counts, and what to capture or accumulate."""

    def __init__(self, graph: bool, retain_graph: bool, accumulate: bool) -> None:
        self.graph = graph
        self.retain = retain_graph
        self.accumulate = accumulate
        self.buffers: dict[Node, Any] = {}  # node -> gradient (one output) or list of them
        self.owned: set[int] = set()  # ids of raw buffers made here, safe to add into in place
        self.handed: set[int] = set()  # ids of raw arrays already given to a .grad or caller

    def add(self, node: Node, nr: int, g: Any, nout: int) -> None:
        """Add `g` for output `nr` of `node` into its buffer: the gradient itself for a
        node of one output (no list to make per node), a list for several."""
        buffers = self.buffers
        if nout == 1:
            old = buffers.get(node)
            buffers[node] = g if old is None else self.sum(old, g)
            return
        buf = buffers.get(node)
        if buf is None:
            buf = buffers[node] = [None] * nout
        old = buf[nr]
        buf[nr] = g if old is None else self.sum(old, g)

    def sum(self, old: Any, g: Any) -> Any:
        """old + g, in place into `old` when this pass made it."""
        if self.graph:
            return old + g
        if id(old) in self.owned and old.dtype == g.dtype and old.shape == g.shape:
            np.add(old, g, out=old)
            return old
        new = old + g
        if type(new) is not _ndarray:
            new = np.asarray(new)
        self.owned.add(id(new))
        return new

    def fresh(self, g: Any) -> Any:
        """`g` if nobody else holds it, else a copy: a .grad must never alias another."""
        if self.graph:
            return g
        if id(g) in self.handed or g.base is not None or not g.flags.writeable:
            g = g.copy()
        self.handed.add(id(g))
        return g


def _collect(roots: list[Node]) -> dict[Node, int]:
    """Number of incoming edges of every node reachable from the roots."""
    deps: dict[Node, int] = {}
    get = deps.get
    stack = list(roots)
    pop, push = stack.pop, stack.append
    # a node is expanded when first reached (deps has no entry yet); a root reached from
    # another root must not be expanded twice, so several roots start as reached
    roots_reached = set(roots) if len(roots) > 1 else ()
    while stack:
        for nxt, _ in pop().next_functions:
            if nxt is not None:
                c = get(nxt)
                if c is None:
                    deps[nxt] = 1
                    if nxt not in roots_reached:
                        push(nxt)
                else:
                    deps[nxt] = c + 1
    return deps


def _needed(roots: list[Node], targets: set[Node], run_targets: set[Node]) -> set[Node]:
    """The nodes worth running, as PyTorch decides: those with a path to a target, plus
    `run_targets` (backward(inputs=...)'s nodes). A target of autograd.grad that leads to no
    other target is only captured, not run."""
    needed: set[Node] = set(run_targets)
    visited: set[Node] = set()
    stack: list[tuple[Node, bool]] = [(r, False) for r in roots]
    while stack:  # iterative post-order: children are decided before their parents
        n, done = stack.pop()
        if done:
            for nxt, _ in n.next_functions:
                if nxt is not None and (nxt in needed or nxt in targets):
                    needed.add(n)
                    break
            continue
        if n in visited:
            continue
        visited.add(n)
        stack.append((n, True))
        for nxt, _ in n.next_functions:
            if nxt is not None and nxt not in visited:
                stack.append((nxt, False))
    return needed


def _execute(
    roots: list[tuple[Node, int, Any]],
    run: _Run,
    capture: dict[tuple[Node, int], int] | None,
    only: set[Node] | None,
) -> list:
    """Run the graph from `roots` ((node, output_nr, grad) triples). `capture` maps the
    (node, output_nr) of each `grad()` input to its index in the returned list; `only`, when
    given, is the set of nodes backward(inputs=...) must reach: the leaves' AccumulateGrad
    and the grad_fn of non-leaves (whose retain_grad hook stores their .grad)."""
    if len(roots) == 1:  # loss.backward(): one root, ready at once, no heap needed
        root_nodes = [roots[0][0]]
    else:
        root_nodes = list(dict.fromkeys(n for n, _, _ in roots))
    deps = _collect(root_nodes)
    cap_nodes: set[Node] = set() if capture is None else {n for n, _ in capture}
    needed = None
    if capture is not None or only is not None:
        needed = _needed(root_nodes, cap_nodes | (only or set()), only or set())
    captured: list = [None] * (len(capture) if capture else 0)
    for n, nr, g in roots:
        run.add(n, nr, g, n._nout)
    heap = [(-n._seq, id(n), n) for n in root_nodes if deps.get(n, 0) == 0]
    if len(heap) > 1:
        heapq.heapify(heap)
    graph = run.graph
    buffers = run.buffers
    owned = run.owned
    retain = run.retain
    check_nan = anomaly._on[0] and anomaly._on[1]
    heappop = heapq.heappop
    follow: Node | None = None  # the one node made ready by the last, when nothing else is
    plain = needed is None and not graph  # every node may take the common path below
    while True:
        if follow is not None:
            node = follow  # a chain: no need to go through the heap
            follow = None
        elif heap:
            node = heappop(heap)[2]
        else:
            break
        b = buffers.pop(node, None)
        if node._nout == 1:
            if owned and b is not None:
                owned.discard(id(b))
            if plain and b is not None and node._is_op and not node._pre_hooks:
                # the common case, without a list of gradients: an op node, one incoming
                # gradient, a plain backward (_is_op: node is an OpNode; no isinstance call)
                op = node._op  # type: ignore[attr-defined]
                bw = op.bw_raw
                if bw is None:
                    bw = raw_backward(op)
                if bw:
                    post = node._post_hooks
                    outs = bw(node, b)
                    mine = None
                    # large arrays only (the check is all small ones pay)
                    if b.size >= 65536 and not post and type(b) is _ndarray:
                        mine = _fresh_outputs(outs, (b,))
                    if not retain:
                        frees = op.frees
                        if frees:
                            node._saved = node._result = None  # type: ignore[attr-defined]
                        elif frees is None:
                            _free(node)
                    if check_nan or post:
                        if check_nan:
                            _check_nan(node, outs)
                        if post:
                            outs = _run_post_hooks(node, outs, [b], graph)
                    follow = _route(node.next_functions, outs, mine, run, deps, heap, follow)
                    continue
            grads = [b]
        else:
            grads = b if b is not None else [None] * node._nout
            if owned:
                for g in grads:
                    owned.discard(id(g))
        if needed is not None:
            if node not in needed:
                # not on a path to what was asked for: only captured (autograd.grad's
                # inputs, after their tensor hooks), never run, as in PyTorch
                if node in cap_nodes:
                    grads = _tensor_pre_hooks(node, grads, graph)
                    _capture(node, grads, capture, captured)  # type: ignore[arg-type]
                continue
            if node in cap_nodes:
                _capture(node, grads, capture, captured)  # type: ignore[arg-type]
        if type(node) is AccumulateGrad:
            _run_accumulate(node, grads, run)
            continue
        if node._pre_hooks:
            grads = _run_pre_hooks(node, grads, graph)
        post = node._post_hooks
        mine = None
        if isinstance(node, OpNode):
            op = node._op
            bw = op.bw_raw
            if bw is None:
                bw = raw_backward(op)
            g0 = grads[0]
            if bw and not graph:
                outs = [None] * len(node.next_functions) if g0 is None else bw(node, g0)
            else:
                outs = run_op_node(node, grads, graph)
            if not graph and not post and type(g0) is _ndarray and g0.size >= 65536:
                mine = _fresh_outputs(outs, grads)
            if not retain:
                frees = op.frees
                if frees:
                    node._saved = node._result = None
                elif frees is None:
                    _free(node)
        else:
            outs = node._apply(grads, graph)  # type: ignore[attr-defined]  # custom Function
            if not retain:
                _free(node)
        if check_nan:
            _check_nan(node, outs)
        if post:
            outs = _run_post_hooks(node, outs, grads, graph)
        follow = _route(node.next_functions, outs, mine, run, deps, heap, follow)
    return captured


def _route(nf: tuple, outs: list, mine: Any, run: _Run, deps: dict, heap: list, follow: Any) -> Any:
    """Send a node's input gradients along its edges; a node whose last gradient arrived is
    ready. Returns the next `follow`: the one ready node when nothing else is (a chain then
    never touches the heap)."""
    buffers = run.buffers
    for (nxt, nr), g in zip(nf, outs):
        if nxt is None:
            continue
        if g is not None:
            if nxt._nout != 1:
                run.add(nxt, nr, g, nxt._nout)
            else:
                old = buffers.get(nxt)
                if old is None:
                    buffers[nxt] = g  # the first gradient to arrive: no sum yet
                    if mine is not None and id(g) in mine:
                        run.owned.add(id(g))  # later arrivals may add into it in place
                else:
                    buffers[nxt] = run.sum(old, g)
        c = deps[nxt] - 1
        deps[nxt] = c
        if c == 0:
            if follow is None and not heap:
                follow = nxt
            else:
                if follow is not None:
                    heapq.heappush(heap, (-follow._seq, id(follow), follow))
                    follow = None
                heapq.heappush(heap, (-nxt._seq, id(nxt), nxt))
    return follow


def _fresh_outputs(outs: list, grads: Any) -> set[int]:
    """The ids of a node's output gradients that nothing else holds: arrays its formulas
    made (not one of the incoming gradients, not a view, not given for two inputs), which
    the engine may then own and add into in place. A large-tensor backward so allocates one
    buffer less per input that receives several gradients (x * x + 3 * x)."""
    seen: set[int] = set()
    twice: set[int] = set()
    incoming = {id(g) for g in grads}
    for g in outs:
        if g is None:
            continue
        k = id(g)
        if k in seen:
            twice.add(k)
        seen.add(k)
    return {
        id(g)
        for g in outs
        if type(g) is _ndarray
        and id(g) not in twice
        and id(g) not in incoming
        and g.base is None
        and g.flags.writeable
    }


def _capture(node: Node, grads: list, capture: dict, captured: list) -> None:
    for k, g in enumerate(grads):
        idx = capture.get((node, k))
        if idx is not None:
            captured[idx] = g


def _apply(node: Node, grads: list, graph: bool) -> list:
    if isinstance(node, OpNode):
        return run_op_node(node, grads, graph)
    return node._apply(grads, graph)  # type: ignore[attr-defined]  # custom Function nodes


def _check_nan(node: Node, outs: list) -> None:
    for i, g in enumerate(outs):
        if g is None:
            continue
        a = g._data if isinstance(g, Tensor) else g
        if a.dtype.kind in "fc" and np.isnan(a).any():
            where = anomaly.where_created(node)
            msg = f"Function '{type(node).__name__}' returned nan values in its {i}th output."
            if where:
                msg += f" The forward call that created it: {where}"
            raise RuntimeError(msg)


def _as_tensor(g: Any, graph: bool) -> Any:
    if g is None or graph or isinstance(g, Tensor):
        return g
    return _wrap(g, D.FROM_NP[g.dtype])


def _as_raw(g: Any, graph: bool) -> Any:
    if g is None or graph:
        return g
    return g._data if isinstance(g, Tensor) else g


# ---- hooks (the engine pays for them only where they exist) -------------------------------


def _hook_name(hook: Any) -> str:
    return getattr(hook, "__name__", type(hook).__name__)


def _call_tensor_hook(hook: Any, g: Any, graph: bool) -> Any:
    """`hook(grad)`; its result, checked as PyTorch checks it, replaces `g`."""
    t = _as_tensor(g, graph)
    res = hook(t)
    if res is None:
        return g
    if not isinstance(res, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(res).__name__}'")
    if t is not None:
        if res._data.shape != t._data.shape:
            raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
        if res.dtype is not t.dtype:
            raise RuntimeError(
                f"hook '{_hook_name(hook)}' has changed the type of value (was "
                f"{_type_name(t)} got {_type_name(res)})"
            )
    return _as_raw(res, graph)


def _type_name(t: Tensor) -> str:
    from ..ops._dispatch import _TYPE_NAMES

    return f"torch.{_TYPE_NAMES[t.dtype.name]}Tensor"


def _tensor_pre_hooks(node: Node, grads: list, graph: bool) -> list:
    """The hooks of the tensors `node` made (a leaf's, for AccumulateGrad), then retain_grad."""
    if type(node) is AccumulateGrad:
        lh = node.variable._hooks
        if lh is not None and lh.pre:
            g = grads[0]
            for hook in list(lh.pre.values()):
                g = _call_tensor_hook(hook, g, graph)
            grads = [g]
    ph = node._pre_hooks
    if ph is not None:
        if ph.tensor:
            grads = list(grads)
            for nr, hook in list(ph.tensor.values()):
                grads[nr] = _call_tensor_hook(hook, grads[nr], graph)
        if ph.retains:
            for nr, hook in list(ph.retains.items()):
                hook(_as_tensor(grads[nr], graph))
    return grads


def _run_pre_hooks(node: Node, grads: list, graph: bool) -> list:
    grads = _tensor_pre_hooks(node, grads, graph)
    ph = node._pre_hooks
    if ph is not None and ph.node:
        for hook in list(ph.node.values()):
            res = hook(tuple(_as_tensor(g, graph) for g in grads))
            if res is not None:
                grads = [_as_raw(g, graph) for g in res]
    return grads


def _run_post_hooks(node: Node, outs: list, grads: list, graph: bool) -> list:
    for hook in list(node._post_hooks.values()):  # type: ignore[union-attr]
        res = hook(
            tuple(_as_tensor(g, graph) for g in outs), tuple(_as_tensor(g, graph) for g in grads)
        )
        if res is not None:
            outs = [_as_raw(g, graph) for g in res]
    return outs


# ---- leaves --------------------------------------------------------------------------------


def _run_accumulate(node: AccumulateGrad, grads: list, run: _Run) -> None:
    var = node.variable
    if node._pre_hooks or var._hooks is not None:
        grads = _run_pre_hooks(node, grads, run.graph)
    g = grads[0]
    if g is not None:
        _accumulate(var, g, run)
    lh = var._hooks
    if lh is not None and lh.post_acc:
        for h in list(lh.post_acc.values()):
            h(var)
    if node._post_hooks:
        _run_post_hooks(node, [], grads, run.graph)


def _accumulate(var: Tensor, g: Any, run: _Run) -> None:
    """Add `g` into the leaf's .grad (in place when the leaf already has one)."""
    old = var._grad
    if run.graph:
        if not isinstance(g, Tensor):
            g = _wrap(np.asarray(g), var.dtype)
        if old is None:
            if g._requires_grad:
                # PyTorch stores a copy of a gradient that is itself in a graph: .grad then
                # shows grad_fn=<CopyBackwards>, and later in-place use cannot reach g's graph
                var._grad = _reg.GRAPH.copy_from(g.detach().to(var.dtype), g)
            else:
                var._grad = g if g.dtype is var.dtype else g.to(var.dtype)  # type: ignore[attr-defined]
        elif _state.enabled and (old._requires_grad or g._requires_grad):
            var._grad = old + g  # type: ignore[operator]
        else:
            _add_into(old, g._data)
    else:
        if old is None:
            var._grad = _wrap(run.fresh(g), var.dtype)
        elif old._requires_grad:
            var._grad = old.detach() + _wrap(g, var.dtype)  # type: ignore[operator]
        else:
            _add_into(old, g)


def _add_into(old: Tensor, g: _ndarray) -> None:
    d = old._data
    if d.shape == g.shape and d.flags.writeable:
        np.add(d, g, out=d, casting="unsafe")
    else:
        old._data = d + g
    old._version[0] += 1


# ---- entry points -------------------------------------------------------------------------------


def _root_node(t: Tensor) -> tuple[Node, int]:
    gf = t._grad_fn
    if gf is not None:
        return gf, t._output_nr
    return accumulate_node(t), 0


_ONES: dict = {}


def _one(shape: tuple, npdt: Any) -> _ndarray:
    """The implicit gradient 1 of a scalar output, a new array each time (hooks may write
    into it); copying a kept 0-d one is cheaper than np.ones."""
    if shape:
        return np.ones(shape, npdt)
    a = _ONES.get(npdt)
    if a is None:
        a = _ONES[npdt] = np.ones((), npdt)
    return a.copy()


def _make_grads(outputs: list, grad_outputs: list, graph: bool) -> list:
    out = []
    for i, (t, g) in enumerate(zip(outputs, grad_outputs)):
        if g is None:
            if t._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            if not t.dtype.is_floating_point:
                raise RuntimeError(
                    f"grad can be implicitly created only for real scalar outputs but got {t.dtype}"
                )
            a = np.ones(t._data.shape, t.dtype.np)
            out.append(_wrap(a, t.dtype) if graph else a)
            continue
        if not isinstance(g, Tensor):
            raise TypeError("gradients can be either Tensors or None, but got " + type(g).__name__)
        if g._data.shape != t._data.shape:
            raise RuntimeError(
                f"Mismatch in shape: grad_output[{i}] has a shape of {Size(g._data.shape)} and "
                f"output[{i}] has a shape of {Size(t._data.shape)}."
            )
        if graph:
            out.append(g)
        else:
            d = g._data
            out.append(d if d.dtype == t.dtype.np else d.astype(t.dtype.np))
    return out


def _as_list(x: Any) -> list:
    if x is None:
        return []
    if isinstance(x, Tensor):
        return [x]
    return list(x)


def _check_outputs(outputs: list) -> None:
    for i, t in enumerate(outputs):
        if not t._requires_grad:
            raise RuntimeError(
                f"element {i} of tensors does not require grad and does not have a grad_fn"
            )


def backward(
    tensors: Any,
    grad_tensors: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    grad_variables: Any = None,
    inputs: Any = None,
) -> None:
    """Accumulate the gradients of `tensors` into the leaves' `.grad`.
    Matches `torch.autograd.backward`."""
    if (
        grad_tensors is None
        and grad_variables is None
        and inputs is None
        and not create_graph
        and isinstance(tensors, Tensor)
        and tensors._requires_grad
        and tensors._data.size == 1
        and tensors.dtype.is_floating_point
    ):
        # the everyday `loss.backward()`: a scalar, gradient 1, no options
        prev = _state.enabled
        _state.enabled = False
        try:
            root = (*_root_node(tensors), _one(tensors._data.shape, tensors.dtype.np))
            _execute([root], _Run(False, bool(retain_graph), True), None, None)
        finally:
            _state.enabled = prev
        return
    outputs = _as_list(tensors)
    if grad_tensors is None:
        grad_tensors = grad_variables
    gl = _as_list(grad_tensors) if grad_tensors is not None else [None] * len(outputs)
    if len(gl) != len(outputs):
        raise RuntimeError(
            f"grad_tensors should have the same length as tensors, got {len(gl)} and {len(outputs)}"
        )
    if retain_graph is None:
        retain_graph = create_graph
    only: set[Node] | None = None
    inp = _as_list(inputs)
    if inputs is not None and not inp:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    _check_outputs(outputs)
    grads = _make_grads(outputs, gl, create_graph)
    if inp:
        only = set()
        for t in inp:
            if t._grad_fn is None:
                if not t._requires_grad:
                    raise RuntimeError("One of the differentiated Tensors does not require grad")
                only.add(accumulate_node(t))
            else:
                # as PyTorch: a non-leaf input gets retain_grad, and its node is run
                t.retain_grad()
                only.add(t._grad_fn)
    if create_graph and not _warned[0]:
        _warned[0] = True  # PyTorch warns once per process (TORCH_WARN_ONCE)
        warnings.warn(CREATE_GRAPH_WARNING, UserWarning, stacklevel=3)
    roots = [(*_root_node(t), g) for t, g in zip(outputs, grads)]
    with _GraphMode(create_graph):
        run = _Run(create_graph, retain_graph, True)
        _execute(roots, run, None, only)


_warned = [False]
CREATE_GRAPH_WARNING = (
    "Using backward() with create_graph=True will create a reference cycle between the "
    "parameter and its gradient which can cause a memory leak. We recommend using "
    "autograd.grad when creating the graph to avoid this. If you have to use this function, "
    "make sure to reset the .grad fields of your parameters to None after use to break the "
    "cycle and avoid the leak. (Triggered internally at "
    "/__w/pytorch/pytorch/torch/csrc/autograd/engine.cpp:1307.)"
)


class _GraphMode:
    """Grad mode during backward: on (record) under create_graph, off otherwise."""

    def __init__(self, create_graph: bool) -> None:
        self.mode = create_graph

    def __enter__(self) -> None:
        self.prev = _state.enabled
        _state.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _state.enabled = self.prev


def grad(
    outputs: Any,
    inputs: Any,
    grad_outputs: Any = None,
    retain_graph: bool | None = None,
    create_graph: bool = False,
    only_inputs: bool = True,
    allow_unused: bool | None = None,
    is_grads_batched: bool = False,
    materialize_grads: bool = False,
) -> tuple:
    """The gradients of `outputs` with respect to `inputs`, returned rather than accumulated.
    Matches `torch.autograd.grad`."""
    outs = _as_list(outputs)
    inps = _as_list(inputs)
    single_input = isinstance(inputs, Tensor)
    gl = _as_list(grad_outputs) if grad_outputs is not None else [None] * len(outs)
    if len(gl) != len(outs):
        raise RuntimeError(
            f"grad requires one grad_output per output: got {len(gl)} grad_outputs and "
            f"{len(outs)} outputs"
        )
    if allow_unused is None:
        allow_unused = materialize_grads
    if retain_graph is None:
        retain_graph = create_graph
    if not inps:
        raise RuntimeError("grad requires non-empty inputs.")
    _check_outputs(outs)
    for t in inps:
        if not t._requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    if is_grads_batched:
        return _batched_grad(outs, inps, gl, retain_graph, create_graph, allow_unused)
    grads = _make_grads(outs, gl, create_graph)
    capture: dict[tuple[Node, int], int] = {}
    slots = []
    for t in inps:
        key = _root_node(t)
        if key not in capture:
            capture[key] = len(capture)
        slots.append(capture[key])
    roots = [(*_root_node(t), g) for t, g in zip(outs, grads)]
    with _GraphMode(create_graph):
        run = _Run(create_graph, retain_graph, False)
        captured = _execute(roots, run, capture, None)
    result: list[Any] = []
    for i, (t, k) in enumerate(zip(inps, slots)):
        g = captured[k]
        if g is None:
            if materialize_grads:
                result.append(_wrap(np.zeros(t._data.shape, t.dtype.np), t.dtype))
                continue
            if not allow_unused:
                raise RuntimeError(
                    f"The differentiated Tensor at index {i} appears to not have been used in "
                    "the graph. Set allow_unused=True if this is the desired behavior."
                )
            result.append(None)
            continue
        if isinstance(g, Tensor):
            result.append(g)
        else:
            g = g if g.shape == t._data.shape else _sum_to_raw(g, t._data.shape)
            result.append(_wrap(run.fresh(g), t.dtype))
    del single_input
    return tuple(result)


def _batched_grad(
    outs: list, inps: list, gl: list, retain: bool, create: bool, unused: bool
) -> tuple:
    # is_grads_batched: the first dimension of each grad_output indexes independent
    # backward passes (a loop here; the results are stacked).
    from ..ops._registry import GRAPH

    stack: Any = GRAPH.stack

    n = gl[0].shape[0]
    per = [
        grad(
            outs,
            inps,
            [g[i] for g in gl],
            retain_graph=True,
            create_graph=create,
            allow_unused=unused,
        )
        for i in range(n)
    ]
    return tuple(
        None if per[0][j] is None else stack([p[j] for p in per]) for j in range(len(inps))
    )


def _call_node(node: Node, grads: tuple) -> Any:
    """`node(*grads)`: run one node by hand, as PyTorch allows."""
    graph = any(isinstance(g, Tensor) and g._requires_grad for g in grads) and _state.enabled
    raw = [None if g is None else (g if graph else g._data) for g in grads]
    outs = _apply(node, raw, graph)
    res = tuple(_as_tensor(g, graph) for g in outs)
    return res[0] if len(res) == 1 else res
