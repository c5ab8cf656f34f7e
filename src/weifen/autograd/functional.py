"""Higher-level autograd: `jacobian`, `hessian`, `vjp`, `jvp`, `hvp`, `vhp`.

Matches `torch.autograd.functional`: same arguments, same return structures (a Tensor when
the input/output was a Tensor, tuples when they were tuples) and the same strict-mode errors.
Everything is built on `autograd.grad`; `jvp` and `hvp` use the double-backward trick (the
backward pass is linear in its grad_output, so differentiating it again with respect to that
grad_output runs it forwards). `vectorize=True` is accepted and computes the same result by
looping over rows; `strategy="forward-mode"` uses forward-mode AD (`forward_ad`).
"""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator"

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .._tensor import Tensor
from .engine import grad as _grad
from .grad_mode import _state, enable_grad, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]


def _as_tuple(inp: Any, arg_name: str | None = None, fn_name: str | None = None) -> Any:
    if arg_name is None and fn_name is None:
        return isinstance(inp, tuple), inp if isinstance(inp, tuple) else (inp,)
    is_tuple = isinstance(inp, tuple)
    if not is_tuple:
        inp = (inp,)
    for i, el in enumerate(inp):
        if not isinstance(el, Tensor):
            where = f"value at index {i}" if is_tuple else f"given {arg_name}"
            raise TypeError(
                f"The {arg_name} given to {fn_name} must be either a Tensor or a tuple of Tensors "
                f"but the {where} has type {type(el)}."
            )
    return is_tuple, inp


def _unpack(res: Any, to_unpack: Any) -> Any:
    if isinstance(to_unpack, tuple):
        if not to_unpack[1]:
            res = tuple(el[0] for el in res)
        if not to_unpack[0]:
            res = res[0]
    elif not to_unpack:
        res = res[0]
    return res


def _prepare(inputs: tuple, create_graph: bool, need_graph: bool) -> tuple:
    # Always a new Tensor object, so the inputs can be told apart from the same tensors
    # captured by the user's function.
    return tuple(
        x.view_as(x)  # type: ignore[attr-defined]
        if create_graph and x.requires_grad
        else x.detach().requires_grad_(need_graph)
        for x in inputs
    )


def _finish(res: tuple, create_graph: bool) -> tuple:
    if isinstance(res[0], Tensor):
        return res if create_graph else tuple(x.detach() for x in res)
    return tuple(_finish(r, create_graph) for r in res)


def _validate_v(v: tuple, other: tuple, is_other_tuple: bool) -> None:
    if len(other) != len(v):
        if is_other_tuple:
            raise RuntimeError(
                f"v is a tuple of invalid length: should be {len(other)} but got {len(v)}."
            )
        raise RuntimeError("The given v should contain a single Tensor.")
    for idx, (a, b) in enumerate(zip(v, other)):
        if a.size() != b.size():
            prepend = f"Entry {idx} in " if is_other_tuple else ""
            raise RuntimeError(
                f"{prepend}v has invalid size: should be {b.size()} but got {a.size()}."
            )


def _check_requires_grad(inputs: tuple, input_type: str, strict: bool) -> None:
    if not strict:
        return
    for i, x in enumerate(inputs):
        if x is None:
            raise RuntimeError(
                f"The output of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode."
            )
        if x.requires_grad:
            continue
        if input_type == "hessian":
            raise RuntimeError(
                f"The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is thrice differentiable and that the hessian depends on the "
                "inputs."
            )
        if input_type == "jacobian":
            raise RuntimeError(
                "While computing the hessian, found that the jacobian of the user-provided "
                f"function with respect to input {i} is independent of the input. This is not "
                "allowed in strict mode. You should ensure that your function is twice "
                "differentiable and that the jacobian depends on the inputs (this would be "
                "violated by a linear function for example)."
            )
        if input_type == "grad_inputs":
            raise RuntimeError(
                f"The gradient with respect to input {i} is independent of the inputs of the "
                "user-provided function. This is not allowed in strict mode."
            )
        raise RuntimeError(
            f"Output {i} of the user-provided function does not require gradients. The outputs "
            "must be computed in a differentiable manner from the input when running in strict "
            "mode."
        )


def _autograd_grad(
    outputs: tuple,
    inputs: tuple,
    grad_outputs: Any = None,
    create_graph: bool = False,
    retain_graph: bool | None = None,
) -> tuple:
    """autograd.grad that skips outputs needing no gradient (None for every input if none)."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    outs, gos = [], []
    for o, g in zip(outputs, grad_outputs):
        if o is not None and o.requires_grad:
            outs.append(o)
            gos.append(g)
    if not outs:
        return (None,) * len(inputs)
    return _grad(
        outs,
        inputs,
        gos,
        allow_unused=True,
        create_graph=create_graph,
        retain_graph=retain_graph,
    )


_ZERO_MSG = {
    "back": "The output of the user-provided function is independent of input {i}. This is not "
    "allowed in strict mode.",
    "back_trick": "The gradient with respect to the input is independent of entry {i} in the "
    "grad_outputs when using the double backward trick to compute forward mode gradients. This "
    "is not allowed in strict mode.",
    "double_back": "The jacobian of the user-provided function is independent of input {i}. "
    "This is not allowed in strict mode.",
    "double_back_trick": "The hessian of the user-provided function is independent of entry {i} "
    "in the grad_jacobian. This is not allowed in strict mode as it prevents from using the "
    "double backward trick to replace forward mode AD.",
}


def _fill_in_zeros(
    grads: tuple, refs: tuple, strict: bool, create_graph: bool, stage: str
) -> tuple:
    from .. import zeros_like

    res = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_ZERO_MSG[stage].format(i=i))
            g = zeros_like(refs[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(
                f"The {what} of the user-provided function is independent of input {i}. This is "
                "not allowed in strict mode when create_graph=True."
            )
        res.append(g)
    return tuple(res)


def _v_or_scalar(v: Any, against: tuple, is_tuple: bool, name: str, create_graph: bool, what: str):
    if v is not None:
        _, v = _as_tuple(v, "v", name)
        v = _prepare(v, create_graph, need_graph=False)
        _validate_v(v, against, is_tuple)
        return v
    if len(against) != 1 or against[0].nelement() != 1:
        raise RuntimeError(what)
    return None


def vjp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(func(inputs), v^T J). Matches `torch.autograd.functional.vjp`."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vjp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vjp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        v = _v_or_scalar(
            v, outputs, is_outputs_tuple, "vjp", create_graph,
            "The vector v can only be None if the user-provided function returns a single "
            "Tensor with a single element.",
        )  # fmt: skip
    with set_grad_enabled(True if create_graph else _state.enabled):
        res = _autograd_grad(outputs, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, create_graph, "back")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(res, is_inputs_tuple)


def jvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(func(inputs), J v) by the double-backward trick. Matches
    `torch.autograd.functional.jvp`."""
    from .. import zeros_like

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _v_or_scalar(
            v, inputs, is_inputs_tuple, "jvp", create_graph,
            "The vector v can only be None if the input to the user-provided function is a "
            "single Tensor with a single element.",
        )  # fmt: skip
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jvp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        # the backward is linear in grad_outputs: their value does not matter (zeros are safe)
        grad_outputs = tuple(zeros_like(o, requires_grad=True) for o in outputs)
        grad_inputs = _autograd_grad(outputs, inputs, grad_outputs, create_graph=True)
        _check_requires_grad(grad_inputs, "grad_inputs", strict)
    with set_grad_enabled(True if create_graph else _state.enabled):
        res = _autograd_grad(grad_inputs, grad_outputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, outputs, strict, create_graph, "back_trick")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(res, is_outputs_tuple)


def jacobian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    strategy: str = "reverse-mode",
) -> Any:
    """The Jacobian of func at inputs, one row per output element. Matches
    `torch.autograd.functional.jacobian` (`vectorize` computes the same rows in a loop)."""
    from .._creation import zeros_like
    from ..ops.shape import stack

    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError(
            'Expected strategy to be either "forward-mode" or "reverse-mode". Hint: If your '
            'function has more outputs than inputs, "forward-mode" tends to be more performant. '
            'Otherwise, prefer to use "reverse-mode".'
        )
    if strategy == "forward-mode":
        if create_graph:
            raise NotImplementedError(
                "torch.autograd.functional.jacobian: `create_graph=True` and "
                '`strategy="forward-mode"` are not supported together (yet). Please either set '
                '`create_graph=False` or `strategy="reverse-mode"`.'
            )
        return _jacfwd(func, inputs, strict, vectorize)
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "jacobian"
        )
        _check_requires_grad(outputs, "outputs", strict)
        if vectorize and strict:
            raise RuntimeError(
                "torch.autograd.functional.jacobian: `strict=True` and `vectorized=True` are "
                "not supported together. Please either set `strict=False` or `vectorize=False`."
            )
        jac: list = []
        for i, out in enumerate(outputs):
            rows: list[list] = [[] for _ in inputs]
            flat = out.reshape(-1)
            for j in range(out.nelement()):
                vj = _autograd_grad(
                    (flat[j],), inputs, retain_graph=True, create_graph=create_graph
                )
                for k, (r, g, x) in enumerate(zip(rows, vj, inputs)):
                    if g is not None:
                        if strict and create_graph and not g.requires_grad:
                            raise RuntimeError(
                                "The jacobian of the user-provided function is independent of "
                                f"input {i}. This is not allowed in strict mode when "
                                "create_graph=True."
                            )
                        r.append(g)
                    else:
                        if strict:
                            raise RuntimeError(
                                f"Output {i} of the user-provided function is independent of "
                                f"input {k}. This is not allowed in strict mode."
                            )
                        r.append(zeros_like(x))
            jac.append(
                tuple(
                    (stack(r, 0) if r else zeros_like(x).reshape(0, *x.shape)).view(
                        tuple(out.shape) + tuple(x.shape)
                    )
                    for r, x in zip(rows, inputs)
                )
            )
        res = _finish(tuple(jac), create_graph)
        return _unpack(res, (is_outputs_tuple, is_inputs_tuple))


# (sic: PyTorch's message lacks the space in "isonly")
_FWD_NOT_VECTORIZED = (
    "Computing Jacobian using forward-AD or forward-over-reverse Hessian isonly implemented for "
    "`vectorize=True`."
)


def _jacfwd(func: Callable, inputs: Any, strict: bool, vectorize: bool) -> Any:
    from .._creation import zeros_like
    from ..ops.shape import stack
    from . import forward_ad as fwAD

    if strict:
        raise RuntimeError(
            'torch.autograd.functional.jacobian: `strict=True` and `strategy="forward-mode"` '
            "are not supported together (yet). Please either set `strict=False` or "
            '`strategy="reverse-mode"`.'
        )
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jacobian")
    if not vectorize:
        raise NotImplementedError(_FWD_NOT_VECTORIZED)
    cols: list[list[list]] = []  # [input][column] -> per-output tangents
    outputs: Any = None
    is_outputs_tuple = False
    for k, x in enumerate(inputs):
        per_col = []
        for j in range(x.nelement()):
            with fwAD.dual_level():
                duals = []
                for m, y in enumerate(inputs):
                    t = zeros_like(y)
                    if m == k:
                        t._data.reshape(-1)[j] = 1  # zeros_like is contiguous: a view
                    duals.append(fwAD.make_dual(y, t))
                is_outputs_tuple, outs = _as_tuple(func(*duals), "outputs")
                un = [fwAD.unpack_dual(o) for o in outs]
                outputs = [u.primal.detach() for u in un]
                per_col.append([u.tangent if u.tangent is not None else zeros_like(u.primal)
                                for u in un])  # fmt: skip
        cols.append(per_col)
    if outputs is None:
        outputs = list(_as_tuple(func(*inputs), "outputs")[1])
    jac = []
    for i, o in enumerate(outputs):
        jac.append(
            tuple(
                (
                    stack([c[i].reshape(-1) for c in cols[k]], -1)
                    if cols[k]
                    else zeros_like(o).reshape(-1, 0)
                )
                .reshape(tuple(o.shape) + tuple(x.shape))
                .detach()
                for k, x in enumerate(inputs)
            )
        )
    return _unpack(tuple(jac), (is_outputs_tuple, is_inputs_tuple))


def hessian(
    func: Callable,
    inputs: Any,
    create_graph: bool = False,
    strict: bool = False,
    vectorize: bool = False,
    outer_jacobian_strategy: str = "reverse-mode",
) -> Any:
    """The Hessian of a scalar function. Matches `torch.autograd.functional.hessian`."""
    is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def single_output(*inp: Any) -> Any:
        out = func(*inp)
        is_out_tuple, t_out = _as_tuple(out, "outputs of the user-provided function", "hessian")
        _check_requires_grad(t_out, "outputs", strict)
        if is_out_tuple or not isinstance(out, Tensor):
            raise RuntimeError("The function given to hessian should return a single Tensor")
        if out.nelement() != 1:
            raise RuntimeError(
                "The Tensor returned by the function given to hessian should contain a single "
                "element"
            )
        return out.squeeze()  # type: ignore[attr-defined]

    def jac_func(*inp: Any) -> Any:
        jac = jacobian(single_output, inp, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    if outer_jacobian_strategy == "forward-mode":
        if not vectorize:
            raise NotImplementedError(_FWD_NOT_VECTORIZED)
        # forward over reverse through a create_graph backward is not supported by weifen's
        # forward mode (see forward_ad); the reverse-mode outer Jacobian is the same matrix
        outer_jacobian_strategy = "reverse-mode"
    res = jacobian(
        jac_func,
        inputs,
        create_graph=create_graph,
        strict=strict,
        vectorize=vectorize,
        strategy=outer_jacobian_strategy,
    )
    return _unpack(res, (is_inputs_tuple, is_inputs_tuple))


def _scalar_fn_checks(outputs: tuple, is_outputs_tuple: bool, name: str) -> None:
    if is_outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(
            f"The Tensor returned by the function given to {name} should contain a single element"
        )


_V_NONE = (
    "The vector v can only be None if the input to the user-provided function is a single "
    "Tensor with a single element."
)


def vhp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(func(inputs), v^T H). Matches `torch.autograd.functional.vhp`."""
    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "vhp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _v_or_scalar(v, inputs, is_inputs_tuple, "vhp", create_graph, _V_NONE)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "vhp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        _scalar_fn_checks(outputs, is_outputs_tuple, "vhp")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
    with set_grad_enabled(True if create_graph else _state.enabled):
        res = _autograd_grad(jac, inputs, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, create_graph, "double_back")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(res, is_inputs_tuple)


def hvp(
    func: Callable, inputs: Any, v: Any = None, create_graph: bool = False, strict: bool = False
):
    """(func(inputs), H v) by the double-backward trick. Matches
    `torch.autograd.functional.hvp`."""
    from .. import zeros_like

    with enable_grad():
        is_inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hvp")
        inputs = _prepare(inputs, create_graph, need_graph=True)
        v = _v_or_scalar(v, inputs, is_inputs_tuple, "hvp", create_graph, _V_NONE)
        outputs = func(*inputs)
        is_outputs_tuple, outputs = _as_tuple(
            outputs, "outputs of the user-provided function", "hvp"
        )
        _check_requires_grad(outputs, "outputs", strict)
        _scalar_fn_checks(outputs, is_outputs_tuple, "hvp")
        jac = _autograd_grad(outputs, inputs, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        grad_jac = tuple(zeros_like(x, requires_grad=True) for x in inputs)
        double_back = _autograd_grad(jac, inputs, grad_jac, create_graph=True)
        _check_requires_grad(jac, "hessian", strict)
    with set_grad_enabled(True if create_graph else _state.enabled):
        res = _autograd_grad(double_back, grad_jac, v, create_graph=create_graph)
        res = _fill_in_zeros(res, inputs, strict, create_graph, "double_back_trick")
    outputs = _finish(outputs, create_graph)
    res = _finish(res, create_graph)
    return _unpack(outputs, is_outputs_tuple), _unpack(res, is_inputs_tuple)
