"""The op table: one `OpDef` per op, made by the `defop` decorator in the topic files.

An entry holds everything about an op and nothing about graphs:

    @defop("ExpBackward0", rule="float", grads={"self": lambda F, g, result: g * result})
    def exp(self):
        return np.exp(self)

- the decorated function is the forward on raw NumPy arrays;
- `grads` maps each differentiable input to its derivative formula (a vector-Jacobian
  product). A formula's parameters after `(F, g)` name what it reads: forward arguments by
  name, `result`, or `<input>_shape` (kept as metadata, so reading a shape keeps no array
  alive). The table saves exactly those, nothing else;
- `F` is the namespace of table ops the formula calls: raw forwards during a plain backward
  (NumPy speed, no Tensors), dispatched ops under create_graph=True (so the backward pass is
  itself recorded and higher derivatives come from the same line);
- `node` is the PyTorch name of the graph node (or a function of the arguments choosing one);
- `rule` is the dtype rule: "promote" (PyTorch's promotion across tensor inputs), "float"
  (promotion, then integers become the default float dtype), "compare" (promotion of inputs,
  bool result), or None (the forward decides).
"""

from __future__ import annotations

from collections.abc import Callable
from types import FunctionType, SimpleNamespace
from typing import Any

from ..autograd.graph import node_class

__all__ = ["OpDef", "defop", "TABLE", "RAW", "GRAPH"]

TABLE: dict[str, OpDef] = {}
RAW = SimpleNamespace()  # name -> forward on arrays (formulas' F in a plain backward)
GRAPH = SimpleNamespace()  # name -> dispatched op on Tensors (F under create_graph)


class OpDef:
    """One op of the table (see the module docstring); filled in by `defop`."""

    __slots__ = (
        "name",
        "forward",
        "call",
        "bind",
        "params",
        "nin",
        "list_input",
        "rule",
        "formulas",
        "save_idx",
        "saves_result",
        "node",
        "node_cls",
        "outputs",
        "public",
        "methods",
        "differentiable",
        "inplace_of",
        "jvp",
        "spec",
        "doc",
        "is_view",
        "in_idx",
        "reads_shapes",
        "bw_raw",
        "frees",
        "symmetric",
        "rec",
        "ufunc",
    )
    name: str
    forward: Callable
    call: Callable
    bind: Callable
    params: list[str]
    nin: int
    list_input: bool
    rule: Any
    formulas: tuple
    save_idx: tuple[int, ...]
    saves_result: bool
    node: Any
    node_cls: Any
    outputs: str | None
    public: Callable
    methods: tuple[str, ...]
    differentiable: bool
    inplace_of: Any
    jvp: dict
    spec: Any
    doc: str | None
    is_view: bool
    in_idx: tuple[int, ...]
    reads_shapes: bool
    bw_raw: Any  # the generated plain backward (autograd/fused.py): None until first used
    frees: bool | None  # whether backward frees what the node saved (None: decided per node)
    symmetric: bool  # op(self, other) == op(other, self), formulas alike: see autograd/fused.py
    rec: Any  # the generated recording of the fast paths (ops/_recorder.py): None until used
    ufunc: Any  # the NumPy ufunc the forward is, when it is just one (see defop)

    def __repr__(self) -> str:
        return f"<op {self.name}>"


_CO_VARARGS, _CO_VARKEYWORDS = 0x04, 0x08
# arguments that are never tensors: a node saving only these holds no tensor to free
_NUMBER_PARAMS = frozenset({"alpha", "dim", "keepdim"})
_binder_cache: dict[str, tuple] = {}


def _signature(fn: Callable) -> tuple[list[str], list[str], list[str]]:
    """(parameter list as written, parameter names, call arguments) from the code object.
    Read directly because `inspect` costs 20 ms of import time."""
    co = fn.__code__
    names = list(co.co_varnames[: co.co_argcount])
    parts = list(names)
    call_args = list(names)
    k = co.co_argcount
    kwonly = list(
        co.co_varnames[k + (1 if co.co_flags & _CO_VARARGS else 0) :][: co.co_kwonlyargcount]
    )
    if co.co_flags & _CO_VARARGS:
        star = co.co_varnames[k + co.co_kwonlyargcount]
        parts.append("*" + star)
        call_args.append("*" + star)
        names.append(star)
    elif kwonly:
        parts.append("*")
    if co.co_flags & _CO_VARKEYWORDS:
        raise TypeError(f"op {fn.__name__}: **kwargs forwards are not supported")
    for n in kwonly:
        parts.append(n)
        call_args.append(f"{n}={n}")
        names.append(n)
    return parts, names, call_args


def _param_names(fn: Callable) -> list[str]:
    return _signature(fn)[1]


def _compile_binder(fn: Callable, name: str) -> tuple[Callable, Callable, list[str]]:
    """Two tiny generated functions: `bind(*args, **kwargs)` puts the arguments in the
    forward's order (a tuple), `call(*vals)` calls the forward from that tuple. Generated code
    because inspect.Signature.bind costs microseconds and this runs once per op call. Ops with
    the same signature share the compiled code."""
    parts, names, call_args = _signature(fn)
    key = f"{parts}|{call_args}"
    codes = _binder_cache.get(key)
    if codes is None:
        ns: dict[str, Any] = {}
        tup = ", ".join(names) + ("," if len(names) == 1 else "")
        src = (
            f"def bind({', '.join(parts)}):\n    return ({tup})\n"
            f"def call({', '.join(names)}):\n    return _fwd({', '.join(call_args)})\n"
        )
        exec(compile(src, "<op binder>", "exec"), ns)
        codes = _binder_cache[key] = (ns["bind"].__code__, ns["call"].__code__)
    bind = FunctionType(codes[0], {}, name, fn.__defaults__)
    bind.__kwdefaults__ = fn.__kwdefaults__
    call = FunctionType(codes[1], {"_fwd": fn}, name)
    return bind, call, names


def defop(
    node: str | Callable[..., str] | None = None,
    *,
    grads: dict[str, Callable] | None = None,
    inputs: tuple[str, ...] = ("self",),
    rule: str | Callable[..., str] | None = None,
    outputs: str | None = None,
    method: bool | str | tuple[str, ...] = True,
    function: bool = True,
    name: str | None = None,
    jvp: dict[str, Callable] | None = None,
    view: bool = False,
    symmetric: bool = False,
    ufunc: Any = None,
) -> Callable[[Callable], Callable]:
    """Register the decorated forward as an op; return the public (dispatched) function.

    inputs: the leading parameters that take tensors ("*tensors" for one list of them);
    outputs: None (one tensor), "multi" (a tuple, each differentiable), or the name of a
      `torch.return_types` pair (values differentiable, indices not), e.g. "max";
    method: bind as a Tensor method too (True: the op's name; a string or tuple: those names);
    view: the output shares the input's memory (and so its version counter), as PyTorch's views;
    symmetric: swapping self and other changes neither the op nor its formulas (mul), so a
      plain backward of `x * x` computes the formula once;
    ufunc: the forward is `return ufunc(self)`: the fast path and the formulas (F.sin) call
      the NumPy ufunc directly, one Python call less.
    """

    def deco(fn: Callable) -> Callable:
        from ._dispatch import make_public

        op = OpDef()
        op.name = name or fn.__name__
        op.forward = fn
        op.bind, op.call, op.params = _compile_binder(fn, op.name)
        list_input = inputs[0].startswith("*") if inputs else False
        op.list_input = list_input
        in_names = [inputs[0][1:]] if list_input else list(inputs)
        op.nin = len(in_names)
        op.in_idx = tuple(op.params.index(n) for n in in_names)
        op.rule = rule
        op.outputs = outputs
        op.inplace_of = None
        op.jvp = jvp or {}
        op.spec = None
        op.doc = fn.__doc__
        op.is_view = view
        op.reads_shapes = False
        formulas: list[Any] = []
        needed: set[str] = set()
        op.saves_result = False
        for n in in_names:
            f = (grads or {}).get(n)
            if f is None:
                formulas.append(None)
                continue
            reads = _param_names(f)[2:]
            for r in reads:
                if r == "result":
                    op.saves_result = True
                elif r.endswith("_shape") and r[:-6] in in_names:
                    op.reads_shapes = True
                    pass  # shapes come from the node's input metadata, nothing is saved
                elif r not in op.params:
                    raise TypeError(f"op {op.name}: formula for {n} reads unknown '{r}'")
                else:
                    needed.add(r)
            formulas.append([f, reads])
        op.save_idx = tuple(i for i, p in enumerate(op.params) if p in needed)
        # each formula gets its arguments by position in the saved tuple (result last)
        pos = {op.params[i]: k for k, i in enumerate(op.save_idx)}
        pos["result"] = len(op.save_idx)
        for i, n in enumerate(in_names):
            pos[n + "_shape"] = len(op.save_idx) + 1 + i
        op.formulas = tuple(
            None if f is None else (f[0], tuple(pos[r] for r in f[1])) for f in formulas
        )
        op.differentiable = any(f is not None for f in op.formulas)
        op.bw_raw = op.rec = None
        op.symmetric = symmetric
        op.ufunc = ufunc
        # PyTorch's second-backward error concerns saved tensors: a node that saved an input
        # or its result is freed after backward, one that saved only numbers or shapes is not
        # (`x.sum()` can run backward twice). Other saved arguments are decided per node.
        saves_input = not list_input and any(i in op.in_idx for i in op.save_idx)
        if saves_input or op.saves_result:
            op.frees = True
        elif all(op.params[i] in _NUMBER_PARAMS for i in op.save_idx):
            op.frees = False
        else:
            op.frees = None
        op.node = node
        op.node_cls = node_class(node) if isinstance(node, str) else None
        if method is True:
            op.methods = (op.name,)
        elif method is False:
            op.methods = ()
        elif isinstance(method, str):
            op.methods = (method,)
        else:
            op.methods = tuple(method)
        TABLE[op.name] = op
        setattr(RAW, op.name, fn if ufunc is None else ufunc)
        op.public = make_public(op)
        op.public.__doc__ = fn.__doc__
        setattr(GRAPH, op.name, op.public)
        return op.public

    return deco
