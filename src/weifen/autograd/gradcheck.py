"""`gradcheck` and `gradgradcheck`: analytical gradients against central finite differences.

Matches `torch.autograd.gradcheck`: same signature, same checks in the same order, same
`GradcheckError` (a RuntimeError) and messages ("Jacobian mismatch for output 0 with respect
to input 0,\\nnumerical:...\\nanalytical:..."). The Jacobians compared are laid out as
PyTorch's: one row per input element, one column per output element. `fast_mode=True` checks
`v^T J u` for random `u`, `v` as PyTorch does, and on failure recomputes in slow mode for the
message. `check_forward_ad=True` checks the forward-mode Jacobian (`forward_ad`).
`check_batched_grad` and `check_batched_forward_grad` are accepted; batched gradients are
computed by looping, so the check would compare a loop with itself and is skipped.
Complex inputs are not checked yet (PyTorch checks their Wirtinger derivatives separately);
weifen's complex gradients are tested against torch and finite differences in
tests/test_complex.py.
"""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator"

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np

from .._tensor import Tensor, _wrap
from .engine import grad as _grad

__all__ = ["gradcheck", "gradgradcheck", "GradcheckError"]


class GradcheckError(RuntimeError):
    """Raised by gradcheck and gradgradcheck. Matches
    `torch.autograd.gradcheck.GradcheckError`."""


FAST_FAIL_SLOW_OK_MSG = """
Fast gradcheck failed but element-wise differences are small. This means that the
test might've passed in slow_mode!

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck:

If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `fast_mode=False` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_fast_mode=False`
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_fast_mode=False`
""".strip()

FAILED_NONDET_MSG = """\n
NOTE: If your op relies on non-deterministic operations i.e., it is listed here:
https://pytorch.org/docs/stable/generated/torch.use_deterministic_algorithms.html
this failure might be expected.

If you are adding a new operator, please file an issue and then use one of the
workarounds. The workaround depends on how your test invokes gradcheck/gradgradcheck.
If the test
- manually invokes gradcheck/gradgradcheck, then call gradcheck/gradgradcheck
  with `nondet_tol=<tol>` as a keyword argument.
- is OpInfo-based (e.g., in test_ops_gradients.py), then modify the OpInfo for the test
  to have `gradcheck_nondet_tol=<tol>`.
- is a Module test (e.g., in common_nn.py), then modify the corresponding
  module_test entry to have `gradcheck_nondet_tol=<tol>`
"""


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _differentiable_outputs(x: Any) -> tuple:
    return tuple(o for o in _as_tuple(x) if o.requires_grad)


def _t(a: np.ndarray) -> Tensor:
    from .. import _dtype as D

    a = np.ascontiguousarray(a)
    return _wrap(a, D.FROM_NP[a.dtype])


def _is_float(o: Any) -> bool:
    return isinstance(o, Tensor) and o.is_floating_point()


def _check_inputs(inputs: tuple) -> list[int]:
    idx = []
    for i, x in enumerate(inputs):
        if isinstance(x, Tensor) and x.requires_grad:
            if x.dtype.name not in ("float64", "complex128"):
                warnings.warn(
                    f"Input #{i} requires gradient and is not a double precision floating point "
                    "or complex. This check will likely fail if all the inputs are not of double "
                    "precision floating point or complex. ",
                    stacklevel=3,
                )
            if not all(st > 0 or sz <= 1 for st, sz in zip(x.stride(), x.size())):
                raise RuntimeError(
                    f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                    "inputs that are non-overlapping to be able to compute the numerical "
                    "gradients correctly. You should call .contiguous on the input before "
                    "passing it to gradcheck."
                )
            idx.append(i)
    if not idx:
        raise ValueError(
            "gradcheck expects at least one input tensor to require gradient, but none of them "
            "have requires_grad=True."
        )
    return idx


def _eval(func: Callable, inputs: tuple) -> list[np.ndarray]:
    """func's outputs as float64 arrays (every output, as PyTorch's numerical path)."""
    return [
        np.array(o.detach()._data, dtype=np.float64)
        for o in _as_tuple(func(*inputs))
        if isinstance(o, Tensor)
    ]


def _numerical(func: Callable, inputs: tuple, j: int, u: np.ndarray | None, eps: float) -> list:
    """d outputs / d inputs[j]: per output, (in_numel, out_numel) in slow mode (u None), or
    the directional derivative J u (out_numel,) in fast mode."""
    x = inputs[j]
    data = x._data
    orig = data.copy()

    def at(delta: np.ndarray) -> list[np.ndarray]:
        data[...] = orig + delta
        try:
            return _eval(func, inputs)
        finally:
            data[...] = orig

    if u is not None:
        d = (u * eps).reshape(data.shape).astype(data.dtype)
        hi, lo = at(d), at(-d)
        return [((b - a) / (2 * eps)).reshape(-1) for a, b in zip(lo, hi)]
    n = data.size
    cols: list[list[np.ndarray]] = []
    for k in range(n):
        d = np.zeros(n, data.dtype)
        d[k] = eps
        d = d.reshape(data.shape)
        hi, lo = at(d), at(-d)
        cols.append([((b - a) / (2 * eps)).reshape(-1) for a, b in zip(lo, hi)])
    n_out = len(_eval(func, inputs))
    return [np.stack([c[i] for c in cols]) if cols else np.zeros((0, 0)) for i in range(n_out)]


def _analytical(
    inputs: tuple, diff: list[int], o: Tensor, nondet_tol: float, check_grad_dtypes: bool
) -> list[np.ndarray]:
    """Rows of the Jacobian of output `o` by reverse mode, as (in_numel, out_numel) blocks."""
    ins = [inputs[j] for j in diff]

    def once() -> tuple[list[np.ndarray], bool, bool]:
        blocks = [np.zeros((x.numel(), o.numel())) for x in ins]
        sizes_ok = types_ok = True
        for m in range(o.numel()):
            e = np.zeros(o.numel(), o.dtype.np)
            e[m] = 1
            gs = _grad(o, ins, _t(e.reshape(o._data.shape)), retain_graph=True, allow_unused=True)
            for b, g, x in zip(blocks, gs, ins):
                if g is None:
                    continue
                if g.shape != x.shape:
                    sizes_ok = False
                    continue
                if g.dtype is not x.dtype:
                    types_ok = False
                b[:, m] = g._data.reshape(-1)
        return blocks, sizes_ok, types_ok

    j1, sizes_ok, types_ok = once()
    j2, _, _ = once()
    if not types_ok and check_grad_dtypes:
        raise GradcheckError("Gradient has dtype mismatch")
    if not sizes_ok:
        raise GradcheckError("Analytical gradient has incorrect size")
    for a, b in zip(j1, j2):
        if a.size and np.abs(a - b).max() > nondet_tol:
            raise GradcheckError(
                "Backward is not reentrant, i.e., running backward with same input and "
                "grad_output multiple times gives different values, although analytical "
                "gradient matches numerical gradient."
                f"The tolerance for nondeterminism was {nondet_tol}." + FAILED_NONDET_MSG
            )
    return j1


def _forward_ad_jacobian(func: Callable, inputs: tuple, diff: list[int]) -> list[list]:
    """[input][output] Jacobian blocks (in_numel, out_numel) by forward mode."""
    from .. import zeros_like
    from . import forward_ad as fwAD

    res = []
    for j in diff:
        x = inputs[j]
        cols = []
        for k in range(x.numel()):
            with fwAD.dual_level():
                t = zeros_like(x.detach())
                t._data.reshape(-1)[k] = 1
                args = list(inputs)
                args[j] = fwAD.make_dual(x.detach(), t)
                outs = [o for o in _as_tuple(func(*args)) if _is_float(o)]
                col = []
                for o in outs:
                    tan = fwAD.unpack_dual(o).tangent
                    col.append(
                        np.zeros(o.numel()) if tan is None else tan._data.reshape(-1).astype(float)
                    )
                cols.append(col)
        n_out = len(cols[0]) if cols else 0
        res.append([np.stack([c[i] for c in cols]) for i in range(n_out)])
    return res


def _mismatch(a: Any, n: Any, i: int, j: int, forward: bool = False) -> str:
    mode = "computed with forward mode " if forward else ""
    return (
        f"Jacobian {mode}mismatch for output {i:d} with respect to input {j:d},\n"
        f"numerical:{n}\nanalytical:{a}\n"
    )


def _as_dtypes(a: np.ndarray, n: np.ndarray, x: Tensor, o: Tensor) -> tuple[Tensor, Tensor]:
    # as PyTorch shows them: the analytical Jacobian in the input's dtype, the numerical one
    # in the output's
    return _t(a.astype(x.dtype.np)), _t(n.astype(o.dtype.np))


def _allclose(a: np.ndarray, n: np.ndarray, rtol: float, atol: float) -> bool:
    return bool(np.allclose(a, n, rtol=rtol, atol=atol, equal_nan=False))


def _slow(func, inputs, func_out, outputs, diff, eps, rtol, atol, nondet_tol, dtypes, fwd, bwd):
    outs_all = [o for o in _as_tuple(func_out) if isinstance(o, Tensor)]
    numerical = [_numerical(func, inputs, j, None, eps) for j in diff]  # [input][output]
    if not outputs:
        for per_in in numerical:
            for nj in per_in:
                if np.count_nonzero(nj) > 0:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    req = [k for k, o in enumerate(outs_all) if o.requires_grad]
    if fwd:
        fwd_jac = _forward_ad_jacobian(func, inputs, diff)
        float_idx = [k for k, o in enumerate(outs_all) if _is_float(o)]
        for i, k in enumerate(req):
            for jj, nj in enumerate(numerical):
                a = fwd_jac[jj][float_idx.index(k)]
                if not _allclose(a, nj[k], rtol, atol):
                    a_t, n_t = _as_dtypes(a, nj[k], inputs[diff[jj]], outs_all[k])
                    raise GradcheckError(_mismatch(a_t, n_t, i, jj, forward=True))
    if bwd:
        for i, (k, o) in enumerate(zip(req, outputs)):
            analytical = _analytical(inputs, diff, o, nondet_tol, dtypes)
            for jj, (a, nj) in enumerate(zip(analytical, numerical)):
                if not _allclose(a, nj[k], rtol, atol):
                    a_t, n_t = _as_dtypes(a, nj[k], inputs[diff[jj]], outs_all[k])
                    raise GradcheckError(_mismatch(a_t, n_t, i, jj))


def _fast(func, inputs, func_out, outputs, diff, eps, rtol, atol, nondet_tol, dtypes, fwd, bwd):
    from .. import Generator, rand

    gen = Generator()
    all_u = []
    for j in diff:
        u = rand(inputs[j].numel(), generator=gen).double()._data
        all_u.append(u / np.linalg.norm(u) if u.size else u)
    all_v = []
    for o in outputs:
        all_v.append(rand(o.numel(), generator=gen).double()._data)
    outs_all = [o for o in _as_tuple(func_out) if isinstance(o, Tensor)]
    req = [k for k, o in enumerate(outs_all) if o.requires_grad]
    numerical_Ju = [_numerical(func, inputs, j, u, eps) for j, u in zip(diff, all_u)]
    if not outputs:
        for per_in in numerical_Ju:
            for ju in per_in:
                if ju.size and np.abs(ju).max() > nondet_tol:
                    raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    ins = [inputs[j] for j in diff]
    for i, (k, o, v) in enumerate(zip(req, outputs, all_v)):
        vJ = []
        for _ in range(2):
            gs = _grad(o, ins, _t(v.astype(o.dtype.np).reshape(o._data.shape)),
                       retain_graph=True, allow_unused=True)  # fmt: skip
            vJ.append(
                [np.zeros(x.numel()) if g is None else g._data.reshape(-1) for g, x in zip(gs, ins)]
            )
        for a, b in zip(*vJ):
            if a.size and np.abs(a - b).max() > nondet_tol:
                raise GradcheckError(
                    "Backward is not reentrant, i.e., running backward with same input and "
                    "grad_output multiple times gives different values, although analytical "
                    "gradient matches numerical gradient."
                    f"The tolerance for nondeterminism was {nondet_tol}." + FAILED_NONDET_MSG
                )
        for jj, (u, vj) in enumerate(zip(all_u, vJ[0])):
            a = float(np.dot(vj.astype(np.float64), u))
            n = float(np.dot(v, numerical_Ju[jj][k]))
            adj = atol * float(u.sum()) * float(v.sum())
            if not _allclose(np.array(a), np.array(n), rtol, adj):
                raise GradcheckError(
                    _mismatch(_t(np.array(a)), _t(np.array(n)), i, jj)
                    + _slow_mode_text(func, inputs, o, diff, jj, k, rtol, atol, eps)
                )


def _slow_mode_text(func, inputs, o, diff, jj, k, rtol, atol, eps) -> str:
    slow_n = _numerical(func, inputs, diff[jj], None, eps)[k]
    slow_a = _analytical(inputs, diff, o, float("inf"), False)[jj]
    diff_max = np.abs(slow_n - slow_a).max() if slow_n.size else 0.0
    msg = (
        "\nThe above quantities relating the numerical and analytical jacobians are computed \n"
        "in fast mode. See: https://github.com/pytorch/pytorch/issues/53876 for more background \n"
        "about fast mode. Below, we recompute numerical and analytical jacobians in slow mode:\n\n"
        f"Numerical:\n {_t(slow_n)}\n"
        f"Analytical:\n{_t(slow_a)}\n\n"
        f"The max per-element difference (slow mode) is: {float(diff_max)}.\n"
    )
    if _allclose(slow_a, slow_n, rtol, atol):
        msg += FAST_FAIL_SLOW_OK_MSG
    return msg


def _check_mul_by_grad_output(inputs: tuple, diff: list[int], outputs: tuple) -> None:
    from .. import zeros_like

    ins = [inputs[j] for j in diff]
    gs = _grad(outputs, ins, [zeros_like(o) for o in outputs], allow_unused=True)
    for g, x in zip(gs, ins):
        if g is None:
            continue
        if np.any(g._data != 0):
            raise GradcheckError("backward not multiplied by grad_output")
        if g.dtype is not x.dtype:
            raise GradcheckError("grad is incorrect type")
        if g.shape != x.shape:
            raise GradcheckError("grad is incorrect size")


def gradcheck(
    func: Callable[..., Any],
    inputs: Any,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_batched_forward_grad: bool = False,
    check_forward_ad: bool = False,
    check_backward_ad: bool = True,
    fast_mode: bool = False,
    masked: bool | None = None,
) -> bool:
    """Check analytical gradients against finite differences. Matches
    `torch.autograd.gradcheck` (see the module docstring for what is not checked)."""
    if not (check_forward_ad or check_backward_ad):
        raise AssertionError(
            "Expected at least one of check_forward_ad or check_backward_ad to be True"
        )
    try:
        inputs = _as_tuple(inputs)
        diff = _check_inputs(inputs)
        func_out = func(*inputs)
        outputs = _differentiable_outputs(func_out)
        run = _fast if fast_mode else _slow
        run(func, inputs, func_out, outputs, diff, eps, rtol, atol, nondet_tol,
            check_grad_dtypes, check_forward_ad, check_backward_ad)  # fmt: skip
        if check_backward_ad and outputs:
            _check_mul_by_grad_output(inputs, diff, outputs)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(
    func: Callable[..., Any],
    inputs: Any,
    grad_outputs: Any = None,
    *,
    eps: float = 1e-6,
    atol: float = 1e-5,
    rtol: float = 1e-3,
    gen_non_contig_grad_outputs: bool = False,
    raise_exception: bool = True,
    nondet_tol: float = 0.0,
    check_undefined_grad: bool = True,
    check_grad_dtypes: bool = False,
    check_batched_grad: bool = False,
    check_fwd_over_rev: bool = False,
    check_rev_over_rev: bool = True,
    fast_mode: bool = False,
    masked: bool = False,
) -> bool:
    """gradcheck of the gradient (second derivatives). Matches `torch.autograd.gradgradcheck`."""
    from .. import rand

    if not (check_fwd_over_rev or check_rev_over_rev):
        raise AssertionError(
            "Expected at least one of check_fwd_over_rev or check_rev_over_rev to be True"
        )
    tupled = _as_tuple(inputs)
    if grad_outputs is None:
        outs = _differentiable_outputs(func(*tupled))
        # uniform in [-1, 1), in each output's dtype (double for integer outputs)
        gos = tuple(
            (rand(o.shape).double() * 2 - 1)
            .to(o.dtype if o.is_floating_point() else rand(1).double().dtype)
            .requires_grad_()
            for o in outs
        )
    else:
        gos = _as_tuple(grad_outputs)
    n_out = len(gos)
    diff_in = {i for i, x in enumerate(tupled) if isinstance(x, Tensor) and x.requires_grad}
    diff_go = {i for i, x in enumerate(gos) if x.requires_grad}

    def new_func(*args: Any) -> tuple:
        ins = tuple(x.requires_grad_() if i in diff_in else x for i, x in enumerate(args[:-n_out]))
        outs = _differentiable_outputs(func(*ins))
        go = tuple(x.requires_grad_() if i in diff_go else x for i, x in enumerate(args[-n_out:]))
        d = tuple(x for i, x in enumerate(ins) if i in diff_in)
        gi = _grad(outs, d, go, create_graph=True, allow_unused=True)
        return tuple(g for g in gi if g is not None)

    return gradcheck(
        new_func,
        tupled + gos,
        eps=eps,
        atol=atol,
        rtol=rtol,
        raise_exception=raise_exception,
        nondet_tol=nondet_tol,
        check_undefined_grad=check_undefined_grad,
        check_grad_dtypes=check_grad_dtypes,
        check_batched_grad=check_batched_grad,
        fast_mode=fast_mode,
        check_forward_ad=check_fwd_over_rev,
        check_backward_ad=check_rev_over_rev,
        masked=masked,
    )
