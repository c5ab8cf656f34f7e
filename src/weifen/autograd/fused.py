"""One backward function per op, written out from its table entry (the plain-backward hot path).

`run_op_node` in engine.py is the general way to run a node: it gathers the saved values into
a list, picks each formula's arguments from it by position, and calls the formula. That
plumbing costs more than the formula itself on small tensors. For the common case (one output,
a fixed list of inputs, no create_graph) this module writes the same steps out as straight-line
code for each op, once, the first time a backward pass meets the op. For `mul`
(formulas `g * F.conj(other)` and `g * F.conj(self)`) the generated function reads:

    def MulBackward0_raw(node, g):
        s = node._saved
        if s is None:
            raise RuntimeError(SECOND_BACKWARD)
        s0, s1 = s
        v = node._versions
        if isinstance(s0, Tensor):
            if s0._version[0] != v[0]:
                check_saved(node)          # raises PyTorch's "modified by an inplace" error
            s0 = s0._data
        ... the same for s1 ...
        meta = node._meta
        nf = node.next_functions
        if nf[0][0] is None:
            o0 = None
        else:
            o0 = f0(F, g, s1)
            if o0 is None:
                pass
            elif meta is None:             # the inputs had the output's shape and dtype
                if type(o0) is not ndarray or o0.shape != g.shape or o0.dtype is not g.dtype:
                    o0 = fit(o0, (g.shape, FROM_NP[g.dtype]))
            else:
                m = meta[0]
                if type(o0) is not ndarray or o0.shape != m[0] or o0.dtype is not m[1].np:
                    o0 = fit(o0, m)        # sum over broadcast dimensions, cast the dtype
        ... the same for input 1 ...
        return [o0, o1]

It computes exactly what run_op_node computes (tests run both paths); create_graph, hooks,
multi-output and list-input ops keep the general path.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .._dtype import FROM_NP
from .._tensor import Tensor

__all__ = ["raw_backward"]


def raw_backward(op: Any) -> Any:
    """The generated plain-backward function of `op`, or False when the op takes the general
    path (several outputs, a list of tensors as input). Cached on the op."""
    if op.outputs is not None or op.list_input:
        op.bw_raw = False
        return False
    from . import engine  # the engine imports this module: resolved at first use

    nsave = len(op.save_idx)
    saved = [f"s{k}" for k in range(nsave)]
    lines = [
        "def bw(node, g):",
        "    s = node._saved",
        "    if s is None:",
        "        raise RuntimeError(SECOND_BACKWARD)",
    ]
    # `x * x`: both formulas of a symmetric op give the same array when self is other, so
    # the second is not computed again (the engine sums the two, exactly as before)
    same = op.symmetric and op.save_idx == (0, 1)
    if nsave:
        lines.append(f"    {', '.join(saved)}, = s")
        if same:
            lines.append("    same = s0 is s1")
        lines.append("    v = node._versions")
        for k in range(nsave):
            lines += [
                f"    if isinstance(s{k}, Tensor):",
                f"        if s{k}._version[0] != v[{k}]:",
                "            check_saved(node)",
                f"        s{k} = s{k}._data",
            ]
    if op.saves_result:
        lines += [
            "    res = node._result",
            "    (counter, at), = node._out_versions",
            "    if counter[0] != at:",
            "        check_saved(node)",
        ]
    lines.append("    meta = node._meta")
    shapes = [f"(None if meta[{i}] is None else meta[{i}][0])" for i in range(op.nin)]
    names = saved + ["res", *shapes]
    lines.append("    nf = node.next_functions")
    env: dict[str, Any] = {
        "Tensor": Tensor,
        "ndarray": np.ndarray,
        "SECOND_BACKWARD": engine.SECOND_BACKWARD,
        "check_saved": engine._check_saved,
        "fit": engine._fit_raw,
        "FROM_NP": FROM_NP,
    }
    outs = []
    for i, f in enumerate(op.formulas):
        o = f"o{i}"
        outs.append(o)
        if f is None:
            lines.append(f"    {o} = None")
            continue
        env[f"f{i}"] = f[0]
        args = "".join(", " + names[k] for k in f[1])
        if same and i == 1:
            lines += [
                "    if same and nf[0][0] is not None:",
                "        o1 = o0",
                "    el" + "if nf[1][0] is None:",
            ]
        else:
            lines.append(f"    if nf[{i}][0] is None:")
        lines += [
            f"        {o} = None",
            "    else:",
            f"        {o} = f{i}(F, g{args})",
            f"        if {o} is None:",
            "            pass",
            "        elif meta is None:  # the input had the output's shape and dtype",
            f"            if (type({o}) is not ndarray or {o}.shape != g.shape",
            f"                    or {o}.dtype is not g.dtype):",
            f"                {o} = fit({o}, (g.shape, FROM_NP[g.dtype]))",
            "        else:",
            f"            m = meta[{i}]",
            f"            if (type({o}) is not ndarray or {o}.shape != m[0]",
            f"                    or {o}.dtype is not m[1].np):",
            f"                {o} = fit({o}, m)",
        ]
    lines.append(f"    return [{', '.join(outs)}]")
    from ..ops._registry import RAW

    env["F"] = RAW
    src = "\n".join(lines) + "\n"
    exec(compile(src, f"<backward of {op.name}>", "exec"), env)
    fn = env["bw"]
    fn.__name__ = fn.__qualname__ = f"{op.name}_raw_backward"
    op.bw_raw = fn
    return fn
