"""One graph-recording function per op, written out from its table entry (the forward hot path).

`_record_one` in _dispatch.py records a node for any op of one or two inputs; most of its
branches ask things that never change for a given op (how many inputs, which arguments are
saved, whether the result is kept). For the fast paths of `op(self)` and `op(self, other)`
called without extra arguments, this module writes the recording out once per op, the first
time it records, with those answers built in. For `mul` it reads:

    def rec(a, b, r, out):
        node = new(cls)
        if a._requires_grad:
            gf = a._grad_fn
            ea = (gf if gf is not None else acc(a), a._output_nr)
        else:
            ea = NO_EDGE
        if isinstance(b, Tensor):
            ... the same for b ...
            meta: (shape, dtype) of each input, or None when both match the output
        node.next_functions = (ea, eb)
        node._saved = (a, b)
        node._versions = (a._version[0], b._version[0] if isinstance(b, Tensor) else -1)
        node._op = op
        ...
        r._requires_grad = True
        r._grad_fn = node

The node it makes is the one `_record_one` makes (tests/test_fast_paths.py compares them).
"""

from __future__ import annotations

from typing import Any

from .._tensor import Tensor
from ..autograd import anomaly
from ..autograd.graph import _seq, accumulate_node, node_class

__all__ = ["recorder"]


def recorder(op: Any, nin: int, tail: tuple) -> Any:
    """The generated `rec(a, r, out)` (one input) or `rec(a, b, r, out)` (two) of `op`, for
    calls whose other arguments are the defaults `tail`. Cached on the op."""
    ins = "a" if nin == 1 else "a, b"
    env: dict[str, Any] = {
        "new": object.__new__,
        "cls": op.node_cls,
        "op": op,
        "Tensor": Tensor,
        "acc": accumulate_node,
        "NO_EDGE": (None, 0),
        "next_seq": _seq.__next__,
        "anomaly_on": anomaly._on,
        "capture": anomaly.capture,
        "node_class": node_class,
        "op_node": op.node,
    }
    for k, v in enumerate(tail):
        env[f"t{k}"] = v
    vals = [*ins.split(", "), *(f"t{k}" for k in range(len(tail)))]
    lines = [f"def rec({ins}, r, out):"]
    if op.node_cls is not None:
        lines.append("    node = new(cls)")
    else:
        lines.append(f"    node = new(node_class(op_node({', '.join(vals)})))")
    shapes_kept = "True" if op.reads_shapes else "False"
    if nin == 1:
        # the fast path records only when `a` requires grad
        lines += [
            "    gf = a._grad_fn",
            "    node.next_functions = ((gf if gf is not None else acc(a), a._output_nr),)",
            f"    if {shapes_kept} or a._data.shape != out.shape or a.dtype is not r.dtype:",
            "        node._meta = ((a._data.shape, a.dtype),)",
            "    else:",
            "        node._meta = None",
        ]
    else:
        f0, f1 = op.formulas[0] is not None, op.formulas[1] is not None
        lines += _edge_lines("a", "ea", f0, "    ")
        lines += [
            "    ma = (a._data.shape, a.dtype)",
            "    if isinstance(b, Tensor):",
            *_edge_lines("b", "eb", f1, "        "),
            "        mb = (b._data.shape, b.dtype)",
            "        same = mb[0] == out.shape and mb[1] is r.dtype",
            "    else:",
            "        eb = NO_EDGE",
            "        mb = None",
            "        same = True",
            "    node.next_functions = (ea, eb)",
            f"    if {shapes_kept} or not same or ma[0] != out.shape or ma[1] is not r.dtype:",
            "        node._meta = (ma, mb)",
            "    else:",
            "        node._meta = None",
        ]
    saved = [vals[i] for i in op.save_idx]
    if saved:
        versions = []
        for i in op.save_idx:
            if i == 0:
                versions.append("a._version[0]")
            elif i == 1 and nin == 2:
                versions.append("(b._version[0] if isinstance(b, Tensor) else -1)")
            else:  # a default of a non-tensor argument
                versions.append("-1")
        lines.append(f"    node._saved = ({', '.join(saved)},)")
        lines.append(f"    node._versions = ({', '.join(versions)},)")
    else:
        lines.append("    node._saved = node._versions = ()")
    lines += ["    node._op = op", "    node._nout = 1"]
    if op.saves_result:
        lines += ["    node._result = out", "    node._out_versions = [(r._version, 0)]"]
    else:
        lines.append("    node._result = node._out_versions = None")
    lines += [
        "    node._seq = next_seq()",
        "    node._pre_hooks = node._post_hooks = None",
        "    if anomaly_on[0]:",
        "        node._anomaly = capture()",
        "    r._requires_grad = True",
        "    r._grad_fn = node",
    ]
    src = "\n".join(lines) + "\n"
    exec(compile(src, f"<recording of {op.name}>", "exec"), env)
    fn = env["rec"]
    fn.__name__ = fn.__qualname__ = f"{op.name}_record"
    op.rec = fn
    return fn


def _edge_lines(t: str, e: str, has_formula: bool, pad: str) -> list[str]:
    if not has_formula:
        return [f"{pad}{e} = NO_EDGE"]
    return [
        f"{pad}if {t}._requires_grad:",
        f"{pad}    gf = {t}._grad_fn",
        f"{pad}    {e} = (gf if gf is not None else acc({t}), {t}._output_nr)",
        f"{pad}else:",
        f"{pad}    {e} = NO_EDGE",
    ]
