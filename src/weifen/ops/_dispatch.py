"""Dispatch: the one place that joins the op table, Tensor, the engine and grad mode.

A call unwraps its tensor arguments, applies PyTorch's dtype promotion, runs the forward on
NumPy arrays, wraps the result, and records a graph node only when grad mode is on and an
input requires grad. Nothing else happens on the hot path.

Two entries per op: `public` (make_public), the general path that binds any arguments, and
for `op(self)` / `op(self, other)` called without extra arguments a fast path
(make_fast_public) that skips the binder, records through the op's generated recording
(_recorder.py), passes Python numbers to + - * / as 0-d arrays (NumPy's weak-scalar path
costs twice as much), and lets `a + b` write into a temporary's buffer (temporary elision, as
NumPy does). Anything unusual falls back to `public`.
"""

from __future__ import annotations

import opcode
import sys
from collections import namedtuple
from typing import Any

import numpy as np

from .. import _dtype as D
from .._tensor import Tensor, _wrap
from ..autograd import anomaly
from ..autograd import forward_ad as _fwd  # forward-mode AD / saved-tensor hooks
from ..autograd.grad_mode import _state
from ..autograd.graph import _seq, accumulate_node, next_seq, node_class
from ._recorder import recorder

_ndarray = np.ndarray
_asarray = np.asarray
_FROM_NP = D.FROM_NP
_new = object.__new__
_FLOAT = D._FLOAT
_next_seq = _seq.__next__
_anomaly_on = anomaly._on
_fwd_active = _fwd._active  # True while forward-mode AD (or a saved-tensor hook) needs after_op


def _leaf_inplace_error() -> RuntimeError:
    return RuntimeError(
        "a leaf Variable that requires grad is being used in an in-place operation."
    )


def result_dtype(ins: Any, rule: str) -> D.dtype:
    """The dtype the op computes in, by PyTorch's rules (see _dtype.result_type)."""
    a = ins[0]
    n = len(ins)
    if n == 1:
        dt = a.dtype if isinstance(a, Tensor) else D.result_type(a)
    elif (
        n == 2
        and isinstance(a, Tensor)
        and isinstance(ins[1], Tensor)
        and (a.dtype is ins[1].dtype)
    ):
        dt = a.dtype
    else:
        dt = D.result_type(*[v for v in ins if v is not None])
    if rule == "float" and dt._category < _FLOAT:
        dt = D._default[0]
    return dt


def _to_array(v: Any) -> Any:
    # Python numbers stay Python numbers: NumPy treats them as weak, as PyTorch treats
    # wrapped scalars. Lists and NumPy arrays become arrays.
    if isinstance(v, list | tuple):
        return np.asarray(v)
    return v


def _node_for(op: Any, vals: tuple) -> Any:
    cls = op.node_cls
    if cls is None:
        cls = node_class(op.node(*vals))
    return _new(cls)


def record(op: Any, vals: tuple, inputs: Any, outs: Any, out_data: Any) -> None:
    """Attach a graph node for `op` to the output tensors `outs`."""
    node = _node_for(op, vals)
    nf: list[tuple] = []
    meta: list[Any] = []
    formulas = op.formulas
    list_input = op.list_input
    for i, t in enumerate(inputs):
        if isinstance(t, Tensor):
            meta.append((t._data.shape, t.dtype))
            if t._requires_grad and formulas[0 if list_input else i] is not None:
                gf = t._grad_fn
                nf.append((gf if gf is not None else accumulate_node(t), t._output_nr))
                continue
        else:
            meta.append(None)
        nf.append((None, 0))
    node.next_functions = tuple(nf)
    node._meta = meta
    if op.save_idx:
        saved = tuple([vals[i] for i in op.save_idx])
        node._versions = tuple([v._version[0] if isinstance(v, Tensor) else -1 for v in saved])
    else:
        saved = ()
        node._versions = ()
    node._saved = saved
    node._op = op
    node._nout = len(outs)
    if len(outs) > 1:  # shapes for the zeros of outputs that receive no gradient
        node._out_meta = [(r._data.shape, r.dtype) for r in outs]
    if op.saves_result:
        node._result = out_data
        node._out_versions = [(r._version, r._version[0]) for r in outs]
    else:
        node._result = None
        node._out_versions = None
    node._seq = next_seq()
    node._pre_hooks = None
    node._post_hooks = None
    node._meta_dict = None
    node._anomaly = anomaly.capture() if anomaly._on[0] else None
    for k, r in enumerate(outs):
        if r is not None:
            r._requires_grad = True
            r._grad_fn = node
            r._output_nr = k


def _edge(t: Any, formula: Any) -> tuple:
    if isinstance(t, Tensor) and t._requires_grad and formula is not None:
        gf = t._grad_fn
        return (gf if gf is not None else accumulate_node(t), t._output_nr)
    return _NO_EDGE


def _record_one(op: Any, vals: tuple, inputs: tuple, r: Tensor, out: Any) -> None:
    """record() for the common case: one output, one or two inputs; the hot path of every
    op, so it is written out rather than looped (a comprehension alone costs 0.3 us here)."""
    cls = op.node_cls
    node = _new(cls if cls is not None else node_class(op.node(*vals)))
    a = inputs[0]
    if len(inputs) == 1:
        gf = a._grad_fn
        node.next_functions = ((gf if gf is not None else accumulate_node(a), a._output_nr),)
        # `_meta` None: every input has the output's shape and dtype (most pointwise ops), so
        # backward checks formulas' results against the incoming gradient; fewer objects per
        # node for Python's cycle collector to walk
        if op.reads_shapes or a._data.shape != out.shape or a.dtype is not r.dtype:
            node._meta = ((a._data.shape, a.dtype),)
        else:
            node._meta = None
    else:
        b = inputs[1]
        formulas = op.formulas
        node.next_functions = (_edge(a, formulas[0]), _edge(b, formulas[1]))
        ma = (a._data.shape, a.dtype) if isinstance(a, Tensor) else None
        mb = (b._data.shape, b.dtype) if isinstance(b, Tensor) else None
        if (
            op.reads_shapes
            or (ma is not None and (ma[0] != out.shape or ma[1] is not r.dtype))
            or (mb is not None and (mb[0] != out.shape or mb[1] is not r.dtype))
        ):
            node._meta = (ma, mb)
        else:
            node._meta = None
    save_idx = op.save_idx
    n = len(save_idx)
    if n == 0:
        node._saved = node._versions = ()
    elif n == 1:
        s = vals[save_idx[0]]
        node._saved = (s,)
        node._versions = (s._version[0] if isinstance(s, Tensor) else -1,)
    elif n == 2:
        s = vals[save_idx[0]]
        s1 = vals[save_idx[1]]
        node._saved = (s, s1)
        node._versions = (
            s._version[0] if isinstance(s, Tensor) else -1,
            s1._version[0] if isinstance(s1, Tensor) else -1,
        )
    else:
        saved = tuple([vals[i] for i in save_idx])
        node._saved = saved
        node._versions = tuple([v._version[0] if isinstance(v, Tensor) else -1 for v in saved])
    node._op = op
    node._nout = 1
    if op.saves_result:
        node._result = out
        node._out_versions = [(r._version, 0)]
    else:
        node._result = node._out_versions = None
    node._seq = _next_seq()
    node._pre_hooks = node._post_hooks = None
    if _anomaly_on[0]:  # `_anomaly` and `_meta_dict` stay unset unless used (graph.py)
        node._anomaly = anomaly.capture()
    r._requires_grad = True
    r._grad_fn = node


_NO_EDGE = (None, 0)


def make_fast_public(op: Any, general: Any) -> Any:
    """A faster entry for ops whose tensor inputs are the leading `(self)` or `(self, other)`
    and whose other parameters all have defaults: calls without extra arguments skip the
    argument binder and the generic loops. Anything unusual goes to `general`."""
    fwd, rule, nin = op.ufunc or op.forward, op.rule, len(op.in_idx)
    differentiable = op.differentiable
    tail = op.bind(*([None] * nin))[nin:]  # the defaults of the remaining parameters
    call = op.call
    # a dtype rule written as a function (norm, std, var: integers refused) runs first and
    # must answer "float"; anything else takes the general path
    rule_fn = rule if callable(rule) else None
    is_float_rule = rule == "float" or rule_fn is not None
    # Temporary elision, as NumPy does for its own operators: in `x * x + 3 * x` the
    # product `x * x` is a temporary nobody else can see, so add writes its result into that
    # buffer instead of allocating (one large allocation and its page faults less). Only for
    # ops that do not save `self` for backward, and only while nothing else references the
    # tensor or its array (reference counts; CPython < 3.14, whose borrowed stack references
    # would make a named tensor look like a temporary).
    elide = _INPLACE_UFUNCS.get(op.name) if nin == 2 and 0 not in op.save_idx else None
    arith = op.name in _INPLACE_UFUNCS  # + - * /: a Python number operand becomes 0-d
    if nin == 1:

        def unary(*args: Any, **kwargs: Any) -> Any:
            if len(args) != 1 or kwargs or _fwd_active[0]:  # forward AD: general path
                return general(*args, **kwargs)
            self = args[0]
            if not isinstance(self, Tensor):
                _not_tensor(op, self)
            d = self._data
            dt = self.dtype
            if rule_fn is not None and rule_fn(self, *tail) != "float":  # (checks, may raise)
                return general(self)
            if is_float_rule and dt._category < _FLOAT:
                dt = D._default[0]
                d = d.astype(dt.np)
            out = call(d, *tail) if tail else fwd(d)
            if type(out) is not _ndarray:
                out = _asarray(out)
            odt = dt if out.dtype is dt.np else _FROM_NP[out.dtype]
            r = _wrap(out, odt)
            if self._requires_grad and differentiable and _state.enabled:
                if odt._category >= _FLOAT:
                    rec = op.rec
                    if rec is None:
                        rec = recorder(op, 1, tail)
                    rec(self, r, out)
            return r

        unary.__name__ = unary.__qualname__ = op.name
        return unary

    def binary(*args: Any, **kwargs: Any) -> Any:
        if len(args) != 2 or kwargs or _fwd_active[0]:  # (forward AD: the general path)
            return general(*args, **kwargs)
        a, b = args
        if type(a) is Tensor or isinstance(a, Tensor):  # (nn.Parameter too)
            da: Any = a._data
            adt = a.dtype
        else:
            return general(a, b)
        if type(b) is Tensor or isinstance(b, Tensor):
            db: Any = b._data
            bdt = b.dtype
            if adt is bdt and adt._category >= _FLOAT:
                dt = adt
            else:
                return general(a, b)
            need = a._requires_grad or b._requires_grad
        elif type(b) is float or type(b) is int:
            if adt._category < _FLOAT or rule is None:  # (no rule: the forward decides)
                return general(a, b)
            dt = adt
            # NumPy multiplies an array by a Python number twice as slowly as by a 0-d array
            # of its dtype, which is what the number becomes anyway (a weak scalar)
            db = _asarray(b, adt.np) if arith else b
            need = a._requires_grad
        else:
            return general(a, b)
        if (
            elide is not None
            and type(da) is _ndarray
            and da.nbytes >= _ELIDE_MIN_BYTES
            and _refcount(a) <= _TEMP_REFS
            and _refcount(da) <= 3  # a's slot, the local `da`, getrefcount's argument
            and da.base is None
            and da.flags.writeable
            and da.dtype is dt.np
            and (type(db) is not _ndarray or db.shape == da.shape)
            and _by_operator()
        ):
            out = elide(da, db, out=da)  # `a` is a temporary: its buffer takes the result
        else:
            try:
                out = call(da, db, *tail) if tail else fwd(da, db)
            except ValueError as e:
                raise _translate(e, [da, db]) from None
        if type(out) is not _ndarray:
            out = _asarray(out)
        odt = dt if out.dtype is dt.np else _FROM_NP[out.dtype]
        r = _wrap(out, odt)
        if need and differentiable and _state.enabled and odt._category >= _FLOAT:
            rec = op.rec
            if rec is None:
                rec = recorder(op, 2, tail)
            rec(a, b, r, out)
        return r

    binary.__name__ = binary.__qualname__ = op.name
    return binary


_return_types: dict[str, type] = {}


def return_type(name: str) -> type:
    """`torch.return_types.max` and friends: named (values, indices) pairs."""
    cls = _return_types.get(name)
    if cls is None:
        base = namedtuple(name, ["values", "indices"])  # type: ignore[misc]

        def __repr__(self: Any) -> str:
            return f"torch.return_types.{name}(\nvalues={self[0]!r},\nindices={self[1]!r})"

        cls = _return_types[name] = type(name, (base,), {"__repr__": __repr__, "__slots__": ()})
        cls.__module__ = "torch.return_types"
    return cls


def make_public(op: Any) -> Any:
    """The user-facing function of a table entry."""
    bind, call, rule, outputs = op.bind, op.call, op.rule, op.outputs
    in_idx = op.in_idx
    first = in_idx[0] if in_idx else -1
    unary = len(in_idx) == 1
    differentiable = op.differentiable
    is_view = op.is_view
    # single-output ops of one or two inputs record through _record_one (its one-input branch
    # assumes that input requires grad: true whenever `need` is)
    one_or_two = not op.list_input and len(in_idx) in (1, 2)

    def wrap_out(out: Any, vals: tuple, need: bool) -> Any:
        if outputs is None:
            if type(out) is not _ndarray:
                out = _asarray(out)
            r = _wrap(out, _FROM_NP[out.dtype])
            if is_view:
                src = vals[0]
                r._version = src._version
                r._base = src if src._base is None else src._base
            if need and r.dtype._category >= _FLOAT:
                if one_or_two:
                    _record_one(op, vals, tuple([vals[i] for i in in_idx]), r, out)
                else:
                    record(op, vals, [vals[i] for i in in_idx], (r,), out)
            return r
        arrays = [o if type(o) is _ndarray else _asarray(o) for o in out]
        rs = [_wrap(a, _FROM_NP[a.dtype]) for a in arrays]
        if is_view:
            src = vals[0]
            base = src if src._base is None else src._base
            for r in rs:
                r._version = src._version
                r._base = base
        if outputs == "multi":
            if need:
                record(op, vals, [vals[i] for i in in_idx], rs, arrays)
            return tuple(rs)
        if need:
            record(op, vals, [vals[i] for i in in_idx], rs[:1], arrays[0])
        return return_type(outputs)(rs[0], rs[1])

    if op.list_input:

        def public_list(*args: Any, **kwargs: Any) -> Any:
            if kwargs and "axis" in kwargs:
                kwargs = _numpy_aliases(kwargs)
            vals = bind(*args, **kwargs)
            tensors = vals[0]
            raw = list(vals)
            if rule is not None:
                dt = D.result_type(*tensors)
                if rule == "float" and dt._category < _FLOAT:
                    dt = D._default[0]
                raw[0] = [_cast(t, dt) for t in tensors]
            else:
                raw[0] = [t._data if isinstance(t, Tensor) else _asarray(t) for t in tensors]
            need = differentiable and _state.enabled
            if need:
                need = any(isinstance(t, Tensor) and t._requires_grad for t in tensors)
            out = call(*raw)
            if type(out) is not _ndarray:
                out = _asarray(out)
            r = _wrap(out, _FROM_NP[out.dtype])
            if need and r.dtype._category >= _FLOAT:
                record(op, vals, tensors, (r,), out)
            if _fwd._active[0]:  # forward-mode AD hook (autograd/forward_ad.py)
                _fwd.after_op(op, vals, r)
            return r

        public_list.__name__ = op.name
        return public_list

    rule_fn = None if rule is None or isinstance(rule, str) else rule

    def public(*args: Any, **kwargs: Any) -> Any:
        if kwargs and ("axis" in kwargs or "keepdims" in kwargs):
            kwargs = _numpy_aliases(kwargs)
        vals = bind(*args, **kwargs)
        raw = list(vals)
        need = False
        rl = rule if rule_fn is None else rule_fn(*vals)
        if rl is None:
            for i in in_idx:
                t = vals[i]
                if isinstance(t, Tensor):
                    raw[i] = t._data
                    if t._requires_grad:
                        need = True
                elif i == first:
                    _not_tensor(op, t)
                else:
                    raw[i] = _to_array(t)
        else:
            dt = result_dtype([vals[i] for i in in_idx] if not unary else (vals[first],), rl)
            npdt = dt.np
            for i in in_idx:
                t = vals[i]
                if isinstance(t, Tensor):
                    d = t._data
                    if t.dtype is not dt:
                        d = d.astype(npdt)
                    raw[i] = d
                    if t._requires_grad:
                        need = True
                elif i == first and unary:
                    _not_tensor(op, t)
                elif isinstance(t, list | tuple | _ndarray):
                    raw[i] = np.asarray(t, dtype=npdt)
        try:
            out = call(*raw)
        except ValueError as e:
            raise _translate(e, [raw[i] for i in in_idx]) from None
        res = wrap_out(out, vals, need and differentiable and _state.enabled)
        if _fwd._active[0]:  # forward-mode AD hook (autograd/forward_ad.py)
            _fwd.after_op(op, vals, res)
        return res

    public.__name__ = op.name
    public.__qualname__ = op.name
    if _fast_ok(op):
        return make_fast_public(op, public)
    return public


def _fast_ok(op: Any) -> bool:
    """Whether make_fast_public applies: leading tensor inputs, one output, no view, a
    string rule (or none; or a function for unary ops), and defaults for every other
    parameter."""
    n = len(op.in_idx)
    if op.outputs is not None or op.is_view or op.list_input or op.in_idx != tuple(range(n)):
        return False
    if n not in (1, 2) or (n == 1 and op.rule not in (None, "float", "promote")):
        if not (n == 1 and callable(op.rule)):
            return False
    if n == 2 and not (op.rule is None or isinstance(op.rule, str)):
        return False
    try:
        op.bind(*([None] * n))
    except TypeError:
        return False
    return True


def _numpy_aliases(kwargs: dict) -> dict:
    """PyTorch accepts NumPy's `axis=` and `keepdims=` for `dim=` and `keepdim=`."""
    kw = dict(kwargs)
    if "axis" in kw:
        kw["dim"] = kw.pop("axis")
    if "keepdims" in kw:
        kw["keepdim"] = kw.pop("keepdims")
    return kw


def _translate(e: ValueError, arrays: list) -> Exception:
    """NumPy's broadcasting ValueError in PyTorch's words; other errors unchanged."""
    if "broadcast" not in str(e):
        return e
    shapes = [np.shape(a) for a in arrays if a is not None]
    if "non-broadcastable output" in str(e) and len(shapes) >= 2:
        full = np.broadcast_shapes(*shapes)
        return RuntimeError(
            f"output with shape {list(shapes[0])} doesn't match the broadcast shape {list(full)}"
        )
    if len(shapes) >= 2:
        a, b = shapes[0], shapes[1]
        n = max(len(a), len(b))
        pa, pb = (1,) * (n - len(a)) + tuple(a), (1,) * (n - len(b)) + tuple(b)
        for d in range(n - 1, -1, -1):
            if pa[d] != pb[d] and pa[d] != 1 and pb[d] != 1:
                return RuntimeError(
                    f"The size of tensor a ({pa[d]}) must match the size of tensor b ({pb[d]}) "
                    f"at non-singleton dimension {d}"
                )
    return RuntimeError(str(e))


def _cast(t: Any, dt: D.dtype) -> Any:
    if isinstance(t, Tensor):
        return t._data if t.dtype is dt else t._data.astype(dt.np)
    return np.asarray(t, dtype=dt.np)


def _not_tensor(op: Any, v: Any) -> None:
    raise TypeError(
        f"{op.name}(): argument 'input' (position 1) must be Tensor, not {type(v).__name__}"
    )


# ---- in-place ops -------------------------------------------------------------------------


def check_inplace(self: Tensor, others_require_grad: bool = False) -> bool:
    """PyTorch's checks before an in-place op changes any data; True when it must record."""
    if not _state.enabled:
        return False
    if self._requires_grad and self._grad_fn is None:
        raise _leaf_inplace_error()
    recording = self._requires_grad or others_require_grad
    if recording and self._base is not None and self._base._requires_grad:
        # Rewriting the base's graph (PyTorch's CopySlices) is not implemented yet; refusing
        # is better than a silently wrong gradient.
        raise RuntimeError(
            "weifen does not support in-place operations on a view of a tensor that requires "
            "grad yet; use an out-of-place operation (or .clone() the view first)"
        )
    return recording


def _snapshot(t: Tensor) -> Tensor:
    """The value `t` has now, standing at the same place in the graph, for formulas that
    read an input the in-place op is about to overwrite (PyTorch's `original_self`)."""
    s = _wrap(t._data.copy(), t.dtype)
    s._requires_grad = t._requires_grad
    s._grad_fn = t._grad_fn
    s._output_nr = t._output_nr
    s._accum = t._accum
    return s


def commit_inplace(self: Tensor, r: Tensor) -> Tensor:
    """Write the out-of-place result `r` into `self` and move self to r's place in the graph."""
    rd = r._data
    if r.dtype is not self.dtype:
        if not _can_cast(r.dtype, self.dtype):
            raise RuntimeError(
                f"result type {_TYPE_NAMES[r.dtype.name]} can't be cast to the desired output "
                f"type {_TYPE_NAMES[self.dtype.name]}"
            )
    if rd.shape != self._data.shape:
        np.broadcast_shapes(rd.shape, self._data.shape)  # raises when incompatible
        if np.broadcast_shapes(rd.shape, self._data.shape) != self._data.shape:
            raise RuntimeError(
                f"output with shape {list(self._data.shape)} doesn't match the broadcast "
                f"shape {list(np.broadcast_shapes(rd.shape, self._data.shape))}"
            )
    self._data[...] = rd
    self._version[0] += 1
    if r._grad_fn is not None:
        self._grad_fn = r._grad_fn
        self._requires_grad = True
        self._output_nr = r._output_nr
        # the node's outputs now live in self: move the version watch there too
        node = r._grad_fn
        if node._out_versions is not None:
            node._result = self._data if node._nout == 1 else node._result
            node._out_versions = [(self._version, self._version[0])]
    if _fwd._active[0]:  # forward-mode AD hook: self takes r's tangent
        _fwd.after_inplace(self, r)
    return self


def make_inplace(op: Any) -> Any:
    """`add_` from `add`: compute out of place, then write into self (see commit_inplace)."""
    public = op.public
    saves_self = 0 in op.save_idx and op.params[0] == "self"

    ufunc = _INPLACE_UFUNCS.get(op.name)

    def inplace(self: Tensor, *args: Any, **kwargs: Any) -> Tensor:
        others = any(isinstance(a, Tensor) and a._requires_grad for a in args) or any(
            isinstance(a, Tensor) and a._requires_grad for a in kwargs.values()
        )
        recording = check_inplace(self, others)
        if (
            not recording
            and ufunc is not None
            and not _fwd_active[0]  # forward-mode AD takes the general path (tangents)
            and _direct(self, args, kwargs)
        ):
            # `p -= lr * g` under no_grad: write into p's array, no temporary result
            o = args[0]
            od = o._data if isinstance(o, Tensor) else o
            if kwargs:
                od = od * kwargs["alpha"]
            try:
                ufunc(self._data, od, out=self._data)
            except ValueError as e:
                raise _translate(e, [self._data, od]) from None
            self._version[0] += 1
            return self
        src = _snapshot(self) if recording and saves_self else self
        return commit_inplace(self, public(src, *args, **kwargs))

    inplace.__name__ = op.name + "_"
    return inplace


_INPLACE_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide}
_refcount = sys.getrefcount
# a temporary passed to binary(): the caller's stack, binary's args tuple, the local `a`, and
# getrefcount's own argument; 0 disables elision
_TEMP_REFS = 4 if sys.version_info < (3, 14) and sys.implementation.name == "cpython" else 0
_ELIDE_MIN_BYTES = 256 * 1024  # NumPy's own threshold: below it elision does not pay
_BINARY_OP = opcode.opmap.get("BINARY_OP", -1)


def _by_operator() -> bool:
    """Whether binary() runs for an operator in Python code (`a + b`). A call made by a
    function, or from C code (NumPy's object-array loops, map, sum), may hold references the
    count does not show, so it never elides (NumPy checks its C callers for the same
    reason). An object array of tensors used with an operator was tried too: NumPy's
    buffered loop counts its references, so nothing is elided there either."""
    f = sys._getframe(2)
    return f.f_code.co_code[f.f_lasti] == _BINARY_OP


def _direct(self: Tensor, args: tuple, kwargs: dict) -> bool:
    """Whether an in-place add/sub/mul/div can run as one NumPy ufunc with out=: a floating
    self, one operand of the same dtype (or a Python number), no keyword but alpha."""
    if len(args) != 1 or (kwargs and set(kwargs) != {"alpha"}):
        return False
    if self.dtype._category < _FLOAT or not self._data.flags.writeable:
        return False
    o = args[0]
    if isinstance(o, Tensor):
        return o.dtype is self.dtype
    return type(o) is float or type(o) is int


_TYPE_NAMES = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
}


def _can_cast(src: D.dtype, dst: D.dtype) -> bool:
    # torch.can_cast: no float -> integral, no complex -> non-complex, no non-bool -> bool.
    if src._category > dst._category:
        return False
    return True
