"""Forward-mode AD: dual tensors carry a tangent, and every op pushes tangents forward.

    with fwAD.dual_level():
        x = fwAD.make_dual(primal, tangent)
        y = f(x)
        jvp = fwAD.unpack_dual(y).tangent      # J_f(primal) @ tangent

Matches `torch.autograd.forward_ad`. The JVP of an op comes from the same table entry as its
VJP; dispatch calls `after_op` once per op while a dual level is open. The rules, cheapest
first:

1. `op.jvp[input]` when the entry declares one: `lambda F, t, <reads>: ...`, read like a
   VJP formula (forward arguments by name, `result`, `<input>_shape`), with the input's
   tangent `t` in place of the output gradient;
2. ops linear in their tensor inputs (views, reductions by sum, cat, add, ...): the op itself,
   applied to the tangents;
3. bilinear ops (mul, matmul, ...): the product rule, `f(ta, b) + f(a, tb)`;
4. elementwise ops, whose Jacobian is diagonal and so its own transpose: the VJP formula,
   evaluated with the (broadcast) tangent as the output gradient;
5. anything else, by transposing the VJP: `vjp_i(u)` is linear in `u`, so
   `J_i t_i = d/du <vjp_i(u), t_i>`, one small backward pass through the VJP formulas run on
   Tensors (the create_graph machinery).

Tangents are computed on Tensors with grad mode as the caller has it, so they are themselves
differentiable (reverse-over-forward). They live in a dict keyed by `id(tensor)`, emptied by
a weakref callback when the tensor dies and wholesale when the level exits: no reference
cycle, nothing kept alive by the tangent table.

The same dispatch hook also serves saved-tensor hooks (`saved_tensors_hooks`: pack when a
node saves its inputs, unpack when backward reads them) and checkpoint's tracing of the
tensors a checkpointed function captures.

Differences from PyTorch: one level at a time (PyTorch's Python API has the same rule); a
view and its base do not share tangents (an in-place op on a view does not update the base's
tangent); tangents do not flow through formulas that read `result` inside a create_graph
backward run under a dual level (forward-over-reverse: use `torch.func.jvp`/`jacfwd`, built
on the double-backward trick); dual tensors print without PyTorch's `tangent=` suffix.
"""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator"

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, NamedTuple

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from .grad_mode import _state as _grad

__all__ = [
    "UnpackedDualTensor",
    "enter_dual_level",
    "exit_dual_level",
    "make_dual",
    "unpack_dual",
    "dual_level",
]

# Dispatch reads `_active[0]` once per op: True while a dual level is open, saved-tensor
# hooks are set, or a checkpoint is tracing.
_active = [False]
_current_level = -1
_tangents: dict[int, tuple[weakref.ref, Tensor]] = {}
_busy = [False]  # while a JVP is being computed, its own ops push no tangents
_saved_hooks: list[tuple[Callable, Callable]] = []
_tracers: list[dict[int, Tensor]] = []


def _refresh() -> None:
    _active[0] = _current_level >= 0 or bool(_saved_hooks) or bool(_tracers)


# ---- the tangent table ----------------------------------------------------------------------


def _get(t: Any) -> Tensor | None:
    e = _tangents.get(id(t))
    if e is None or e[0]() is not t:
        return None
    return e[1]


def _set(t: Tensor, tangent: Tensor) -> None:
    key = id(t)

    def gone(ref: weakref.ref, key: int = key) -> None:
        e = _tangents.get(key)
        if e is not None and e[0] is ref:
            del _tangents[key]

    _tangents[key] = (weakref.ref(t, gone), tangent)


# ---- public API -------------------------------------------------------------------------------


def enter_dual_level() -> int:
    """Open a forward-AD level and return it.
    Matches `torch.autograd.forward_ad.enter_dual_level`."""
    global _current_level
    if _current_level >= 0:
        raise RuntimeError("Nested forward mode AD is not supported at the moment")
    _current_level = 0
    _refresh()
    return _current_level


def exit_dual_level(*, level: int | None = None) -> None:
    """Close the level; every tangent is dropped.
    Matches `torch.autograd.forward_ad.exit_dual_level`."""
    global _current_level
    if level is None:
        level = _current_level
    if level != _current_level:
        raise RuntimeError(
            "Trying to exit a forward AD level that was not the last one that was created. "
            "This is not supported."
        )
    _tangents.clear()
    _current_level = level - 1
    _refresh()


def make_dual(tensor: Tensor, tangent: Tensor, *, level: int | None = None) -> Tensor:
    """A view of `tensor` carrying `tangent`. Matches `torch.autograd.forward_ad.make_dual`."""
    if level is None:
        level = _current_level
    if level < 0:
        raise RuntimeError(
            "Trying to create a dual Tensor for forward AD but no level exists, make sure to "
            "enter_dual_level() first."
        )
    if not (tensor.is_floating_point() or tensor.is_complex()):
        raise ValueError(
            f"Expected primal to be floating point or complex, but got: {tensor.dtype}"
        )
    if not (tangent.is_floating_point() or tangent.is_complex()):
        raise ValueError(
            f"Expected tangent to be floating point or complex, but got: {tangent.dtype}"
        )
    if tangent.shape != tensor.shape:
        raise RuntimeError(
            "Trying to set a forward gradient that has a different size than that of the "
            f"original Tensor, this is not supported. Tensor is of size {list(tensor.shape)} "
            f"while the given forward gradient is of size {list(tangent.shape)}."
        )
    dual = _alias(tensor)
    _set(dual, tangent)
    return dual


class UnpackedDualTensor(NamedTuple):
    """Matches `torch.autograd.forward_ad.UnpackedDualTensor`: (primal, tangent)."""

    primal: Tensor
    tangent: Tensor | None


def unpack_dual(tensor: Tensor, *, level: int | None = None) -> UnpackedDualTensor:
    """(primal view, tangent or None). Matches `torch.autograd.forward_ad.unpack_dual`."""
    if level is None:
        level = _current_level
    if level < 0:
        return UnpackedDualTensor(tensor, None)
    return UnpackedDualTensor(_alias(tensor), _get(tensor))


class dual_level:
    """Context manager (and decorator) around enter/exit_dual_level.
    Matches `torch.autograd.forward_ad.dual_level`."""

    def __enter__(self) -> int:
        return enter_dual_level()

    def __exit__(self, *exc: object) -> None:
        exit_dual_level()

    def __call__(self, fn: Callable) -> Callable:
        import functools

        @functools.wraps(fn)
        def wrapper(*a: Any, **k: Any) -> Any:
            with dual_level():
                return fn(*a, **k)

        return wrapper


def _alias(t: Tensor) -> Tensor:
    """A new Tensor object on the same memory: a differentiable view when `t` needs grad."""
    if t._requires_grad and _grad.enabled:
        busy, _busy[0] = _busy[0], True
        try:
            return t.view_as(t)  # type: ignore[attr-defined]
        finally:
            _busy[0] = busy
    a = _wrap(t._data, t.dtype)
    a._version = t._version
    a._base = t if t._base is None else t._base
    return a


# ---- the dispatch hook ----------------------------------------------------------------------


def after_op(op: Any, vals: tuple, res: Any) -> None:
    """Called by dispatch after each op while `_active[0]`: trace, pack, push tangents."""
    if _tracers or _saved_hooks:
        inputs = vals[0] if op.list_input else [vals[i] for i in op.in_idx]
        if _tracers:
            for t in inputs:
                if isinstance(t, Tensor) and t._requires_grad:
                    for tr in _tracers:
                        tr.setdefault(id(t), t)
        if _saved_hooks:
            _pack_node(res)
    if _tangents and not _busy[0] and op.differentiable:
        propagate(op, vals, res)


def after_inplace(self: Tensor, r: Tensor) -> None:
    """`self` took `r`'s value in place: it takes `r`'s tangent too."""
    if _tangents:
        t = _get(r)
        if t is not None:
            _set(self, t)


def _outputs(op: Any, res: Any) -> list:
    if op.outputs is None:
        return [res]
    if op.outputs == "multi":
        return list(res)
    return [res[0]]  # (values, indices): only values are differentiable


def _is_float(t: Any) -> bool:
    return isinstance(t, Tensor) and t.dtype._category >= D._FLOAT


def propagate(op: Any, vals: tuple, res: Any) -> None:
    """Attach to `op`'s outputs the tangents implied by its inputs' tangents."""
    inputs = list(vals[0]) if op.list_input else [vals[i] for i in op.in_idx]
    tans = [_get(x) if isinstance(x, Tensor) else None for x in inputs]
    if all(t is None for t in tans):
        return
    outs = _outputs(op, res)
    if not any(_is_float(o) for o in outs):
        return
    if op.node == "NotImplemented":
        raise NotImplementedError(
            f"Trying to use forward AD with aten::{op.name} that does not support it."
        )
    keep = _grad.enabled and (
        any(isinstance(x, Tensor) and x._requires_grad for x in inputs)
        or any(t is not None and t._requires_grad for t in tans)
    )
    busy, _busy[0] = _busy[0], True
    prev = _grad.enabled
    try:
        out_tans = _jvp(op, vals, inputs, tans, outs, keep, res)
    finally:
        _busy[0] = busy
        _grad.enabled = prev
    for o, t in zip(outs, out_tans):
        if t is None or not _is_float(o):
            continue
        if t.dtype is not o.dtype:
            t = t.to(o.dtype)  # type: ignore[attr-defined]
        if t.shape != o.shape:
            t = t.expand(o.shape)  # type: ignore[attr-defined]
        if not keep:
            t = t.detach()
        _set(o, t)


def _const(x: Any, keep: bool) -> Any:
    if isinstance(x, Tensor) and not keep:
        return _detached(x)
    return x


def _detached(x: Tensor) -> Tensor:
    a = _wrap(x._data, x.dtype)
    a._version = x._version
    return a


def _zeros(x: Tensor) -> Tensor:
    return _wrap(np.zeros(x._data.shape, x._data.dtype), x.dtype)


def _replace_inputs(op: Any, vals: tuple, new_inputs: list) -> list:
    v = list(vals)
    if op.list_input:
        v[0] = new_inputs
    else:
        for i, x in zip(op.in_idx, new_inputs):
            v[i] = x
    return v


_callers: dict[str, Callable] = {}


def _call(op: Any, v: list) -> Any:
    """The public op called with the forward's arguments `v` (in `op.params` order)."""
    c = _callers.get(op.name)
    if c is None:
        import inspect  # only while forward AD runs: inspect costs 20 ms of import time

        kinds = [p.kind for p in inspect.signature(op.forward).parameters.values()]
        names = op.params

        def c(v: list, public: Callable = op.public) -> Any:
            args: list = []
            kw: dict = {}
            for name, kind, x in zip(names, kinds, v):
                if kind is inspect.Parameter.VAR_POSITIONAL:
                    args.extend(x)
                elif kind is inspect.Parameter.KEYWORD_ONLY:
                    kw[name] = x
                else:
                    args.append(x)
            return public(*args, **kw)

        _callers[op.name] = c
    return c(v)


def _jvp(op: Any, vals: tuple, inputs: list, tans: list, outs: list, keep: bool, res: Any) -> list:
    name = op.name
    cvals = tuple(_const(v, keep) for v in vals)
    cins = [_const(x, keep) for x in inputs]
    ctans = [None if t is None else _const(t, keep) for t in tans]
    _grad.enabled = keep
    if op.jvp:
        return [_declared(op, cvals, cins, ctans, outs, keep)]
    if name in LINEAR:
        new = []
        for k, (x, t) in enumerate(zip(cins, ctans)):
            if op.list_input or op.formulas[k] is not None:
                new.append(t if t is not None else (_zeros(x) if isinstance(x, Tensor) else 0))
            else:
                new.append(x)  # a non-differentiable tensor input (a mask, a condition)
        r = _call(op, _replace_inputs(op, cvals, new))
        return _outputs(op, r)
    if name in BILINEAR:
        total = None
        for k, t in enumerate(ctans):
            if t is None:
                continue
            new = list(cins)
            new[k] = t
            term = _call(op, _replace_inputs(op, cvals, new))
            total = term if total is None else total + term
        return [total]
    # the VJP formula reused as a JVP is conjugated for complex data: use the transpose there
    if name in DIAGONAL and not any(t is not None and t.dtype.is_complex for t in ctans):
        return [_diagonal(op, cvals, cins, ctans, outs, keep)]
    return _transpose(op, cvals, cins, ctans, outs, keep, list(res) if op.outputs else outs)


def _formula_args(op: Any, cvals: tuple, cins: list, outs: list, keep: bool) -> list:
    """What the table's formulas read, in their saved order (as engine.run_op_node builds)."""
    args = [cvals[i] for i in op.save_idx]
    if op.saves_result:
        # non-float outputs (indices) are read as arrays, as the raw formulas take them
        rs = [o._data if not _is_float(o) else (o if keep else _detached(o)) for o in outs]
        # one output: itself; several, or a (values, indices) pair: the tuple
        args.append(rs[0] if op.outputs is None else tuple(rs))
    else:
        args.append(None)
    args.extend([x._data.shape if isinstance(x, Tensor) else None for x in cins])
    return args


def _diagonal(op: Any, cvals: tuple, cins: list, ctans: list, outs: list, keep: bool) -> Any:
    from ..ops._registry import GRAPH as F

    args = _formula_args(op, cvals, cins, outs, keep)
    shape = outs[0]._data.shape
    total = None
    for k, t in enumerate(ctans):
        f = op.formulas[k]
        if t is None or f is None:
            continue
        g = t if t._data.shape == shape else t.expand(shape)  # type: ignore[attr-defined]
        term = f[0](F, g, *[args[j] for j in f[1]])
        total = term if total is None else total + term
    return total


_declared_reads: dict[tuple[str, str], tuple] = {}


def _declared(op: Any, cvals: tuple, cins: list, ctans: list, outs: list, keep: bool) -> Any:
    """Rules given in the entry's `jvp` dict: `lambda F, t, <reads>: <tangent of output>`."""
    from ..ops._registry import GRAPH as F

    in_names = [op.params[i] for i in op.in_idx]
    named: dict[str, Any] = {p: cvals[i] for i, p in enumerate(op.params)}
    named["result"] = outs[0] if keep else _detached(outs[0])
    for n, x in zip(in_names, cins):
        named[n + "_shape"] = x._data.shape if isinstance(x, Tensor) else None
    total = None
    for n, t in zip(in_names, ctans):
        rule = op.jvp.get(n)
        if t is None or rule is None:
            continue
        reads = _declared_reads.get((op.name, n))
        if reads is None:
            import inspect

            reads = _declared_reads[(op.name, n)] = tuple(inspect.signature(rule).parameters)[2:]
        term = rule(F, t, *[named[r] for r in reads])
        total = term if total is None else total + term
    return total


def _transpose(
    op: Any, cvals: tuple, cins: list, ctans: list, outs: list, keep: bool, all_outs: list
) -> list:
    """J t by differentiating the (linear) VJP: J_i t_i = d/du <vjp_i(u), t_i>."""
    from ..ops._registry import GRAPH as F
    from .engine import grad as _autograd_grad

    _grad.enabled = True
    args = _formula_args(op, cvals, cins, all_outs, keep)
    us = [_zeros(o).requires_grad_() if _is_float(o) else None for o in outs]
    if op.outputs == "multi":
        g: Any = tuple(u if u is not None else _zeros(o) for u, o in zip(us, outs))
    else:
        g = us[0]
    if op.list_input:
        f = op.formulas[0]
        gs = f[0](F, g, *[args[j] for j in f[1]])
    else:
        gs = [
            None if (f is None or t is None) else f[0](F, g, *[args[j] for j in f[1]])
            for f, t in zip(op.formulas, ctans)
        ]
    s = None
    for gi, t in zip(gs, ctans):
        if gi is None or t is None:
            continue
        if not isinstance(gi, Tensor):
            gi = _wrap(np.asarray(gi), t.dtype)
        term = (gi.conj() * t).sum().real if t.dtype.is_complex else (gi * t).sum()
        s = term if s is None else s + term
    targets = [u for u in us if u is not None]
    if s is None or not s._requires_grad:
        return [None if u is None else _zeros(u) for u in us]
    got = _autograd_grad(s, targets, create_graph=keep, allow_unused=True)
    it = iter(got)
    res: list = []
    for u in us:
        if u is None:
            res.append(None)
            continue
        gu = next(it)
        res.append(_zeros(u) if gu is None else gu)
    return res


# Ops whose output is linear in their differentiable tensor inputs jointly: the tangent is the
# op applied to the tangents (zeros for inputs without one), other arguments unchanged.
LINEAR = frozenset(
    {
        "add", "sub", "rsub", "neg", "sum", "mean", "sum_to_size", "cumsum", "expand_reduced",
        "view", "reshape", "squeeze", "unsqueeze", "permute", "transpose", "t", "expand",
        "repeat", "flip", "roll", "cat", "stack", "split", "unbind", "narrow", "narrow_backward",
        "select", "select_backward", "clone", "tril", "triu", "diag", "diagonal",
        "diagonal_backward", "movedim", "to_dtype", "getitem", "index_backward", "zero_at",
        "setitem", "index_select", "gather", "scatter_add", "masked_fill", "masked_select",
        "where", "index_to_dim_backward", "gather_dim", "copy_from", "zero", "frac",
        "zeros_grad",
    }
)  # fmt: skip

BILINEAR = frozenset({"mul", "matmul", "mm", "bmm", "mv", "dot", "outer", "einsum_list"})

# Elementwise ops: the Jacobian is diagonal, so the VJP formula with g := tangent is the JVP.
DIAGONAL = frozenset(
    {
        "div", "remainder", "fmod", "abs", "sign", "pow", "exp", "exp2", "expm1", "log",
        "log2", "log10", "log1p", "sqrt", "rsqrt", "reciprocal", "sin", "cos", "tan", "asin",
        "acos", "atan", "atan2", "sinh", "cosh", "tanh", "sigmoid", "relu", "erf", "floor",
        "ceil", "round", "trunc", "clamp", "clamp_min", "clamp_max", "maximum", "minimum",
        "lerp", "nan_to_num",
    }
)  # fmt: skip


# ---- saved-tensor hooks ---------------------------------------------------------------------


class _Packed(tuple):
    """A node's saved values with its tensors packed by the user's hook. Iterating (what the
    engine does to read them) unpacks, once, and rebuilds each tensor's autograd identity
    (version counter, grad_fn) so version checks and create_graph still work."""

    _unpack: Callable[[Any], Any]
    _meta: list
    _cache: tuple | None

    def __iter__(self) -> Any:
        if self._cache is None:
            out = []
            for p, m in zip(tuple.__iter__(self), self._meta):
                if m is None:
                    out.append(p)
                    continue
                u = self._unpack(p)
                if not isinstance(u, Tensor):
                    raise TypeError(
                        "Output of saved tensor unpack_hook expected to be a Tensor but got "
                        f"result of type {type(u).__name__}"
                    )
                a = _wrap(u._data, m[0])
                a._version, a._requires_grad, a._grad_fn, a._output_nr, a._accum = m[1:]
                out.append(a)
            self._cache = tuple(out)
        return iter(self._cache)

    def __getitem__(self, i: Any) -> Any:
        return tuple(iter(self))[i]


def _pack_node(res: Any) -> None:
    rs = res if isinstance(res, tuple) else (res,)
    node = None
    for r in rs:
        if isinstance(r, Tensor) and r._grad_fn is not None:
            node = r._grad_fn
            break
    saved = getattr(node, "_saved", None)
    if not saved or isinstance(saved, _Packed):
        return
    pack, unpack = _saved_hooks[-1]
    packed: list = []
    meta: list = []
    for s in saved:
        if isinstance(s, Tensor):
            packed.append(pack(s))
            meta.append((s.dtype, s._version, s._requires_grad, s._grad_fn, s._output_nr, s._accum))
        else:
            packed.append(s)
            meta.append(None)
    p = _Packed(packed)
    p._unpack = unpack
    p._meta = meta
    p._cache = None
    node._saved = p  # type: ignore[union-attr]


class saved_tensors_hooks:
    """Pack/unpack hooks for the tensors a node saves for backward. Matches
    `torch.autograd.graph.saved_tensors_hooks`, except that a node's saved output (`result`)
    is kept as is, not packed."""

    def __init__(self, pack_hook: Callable[[Tensor], Any], unpack_hook: Callable[[Any], Tensor]):
        self.pack_hook = pack_hook
        self.unpack_hook = unpack_hook

    def __enter__(self) -> None:
        _saved_hooks.append((self.pack_hook, self.unpack_hook))
        _refresh()

    def __exit__(self, *exc: object) -> None:
        _saved_hooks.pop()
        _refresh()


class save_on_cpu(saved_tensors_hooks):
    """Matches `torch.autograd.graph.save_on_cpu`: weifen's tensors are on the CPU already, so
    packing keeps the tensor as it is."""

    def __init__(self, pin_memory: bool = False, device_type: str = "cuda") -> None:
        super().__init__(lambda t: t, lambda t: t)
