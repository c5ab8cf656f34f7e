"""Function transforms: `grad`, `grad_and_value`, `vjp`, `jvp`, `jacrev`, `jacfwd`, `hessian`,
`vmap`. Matches `torch.func`.

Built on the reverse-mode engine: each transform differentiates with `autograd.grad(...,
create_graph=True)`, so transforms nest (`grad(grad(f))`, `jacfwd(jacrev(f))`) and work with
tensors that require grad outside them; results that depend on nothing outside the transform
are returned detached, as PyTorch's are. `jvp` and `jacfwd` use the double-backward trick
(J v = d/du <J^T u, v>), which composes with the other transforms where weifen's
forward mode does not. Arguments may be Tensors or (nested) tuples, lists and dicts of them.

Differences from PyTorch: `vmap` runs `func` once per batch element in a Python loop and
stacks the results (not a batching interpreter), so it is no faster than the loop and
`randomness` is not enforced; `chunk_size` is accepted and ignored.
"""

# Tensor methods and operators are bound from the op table at import time, unseen by mypy.
# mypy: disable-error-code="attr-defined,operator"

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._tensor import Tensor
from .autograd.engine import grad as _autograd_grad
from .autograd.grad_mode import enable_grad
from .autograd.graph import AccumulateGrad

__all__ = ["grad", "grad_and_value", "vjp", "jvp", "jacrev", "jacfwd", "hessian", "vmap"]


# ---- pytrees (tuples, lists, dicts; every other object is a leaf) --------------------------


def _flatten(tree: Any) -> tuple[list, Any]:
    if isinstance(tree, tuple | list):
        leaves, specs = [], []
        for x in tree:
            lv, sp = _flatten(x)
            leaves += lv
            specs.append(sp)
        return leaves, (type(tree), specs)
    if isinstance(tree, dict):
        leaves, specs = [], []
        keys = list(tree)
        for k in keys:
            lv, sp = _flatten(tree[k])
            leaves += lv
            specs.append(sp)
        return leaves, (dict, keys, specs)
    return [tree], None


def _unflatten(leaves: list, spec: Any) -> Any:
    it = iter(leaves)
    return _build(it, spec)


def _build(it: Any, spec: Any) -> Any:
    if spec is None:
        return next(it)
    if spec[0] is dict:
        return {k: _build(it, s) for k, s in zip(spec[1], spec[2])}
    items = [_build(it, s) for s in spec[1]]
    return spec[0](items) if spec[0] is not tuple else tuple(items)


def _n_leaves(spec: Any) -> int:
    if spec is None:
        return 1
    return sum(_n_leaves(s) for s in (spec[2] if spec[0] is dict else spec[1]))


# ---- shared machinery -------------------------------------------------------------------------


def _argnums_tuple(argnums: Any, nargs: int, name: str) -> tuple[int, ...]:
    nums = argnums if isinstance(argnums, tuple) else (argnums,)
    if not nums:
        raise RuntimeError(f"{name}: argnums must be non-empty")
    out = []
    for a in nums:
        if not isinstance(a, int):
            raise RuntimeError(
                f"{name}: argnums must be int or Tuple[int, ...], got: {type(argnums)}"
            )
        if not -nargs <= a < nargs:
            raise RuntimeError(f"Got argnums={a}, but only {nargs} positional inputs")
        out.append(a % nargs)
    return tuple(out)


class _Level:
    """The differentiable inputs of one transform: fresh tensors the transform owns (or views of
    tensors that already require grad, so outer transforms still see through)."""

    def __init__(self, args: tuple, argnums: tuple[int, ...]) -> None:
        self.args = list(args)
        self.specs = []
        self.leaves: list[Tensor] = []
        self.own: set[int] = set()
        for a in argnums:
            lv, sp = _flatten(args[a])
            new = [self._mark(x) for x in lv]
            self.leaves += new
            self.specs.append((a, sp, len(new)))
            self.args[a] = _unflatten(new, sp)

    def _mark(self, x: Any) -> Tensor:
        if not isinstance(x, Tensor):
            raise RuntimeError(
                f"Expected the differentiated arguments to be Tensors, got {type(x).__name__}"
            )
        if x.requires_grad:
            return x.view_as(x)  # type: ignore[attr-defined]
        y = x.detach().requires_grad_()
        self.own.add(id(y))
        return y

    def per_arg(self, flat: list, single: bool) -> Any:
        """Regroup a flat list (one entry per leaf) into the argnums structure."""
        out, k = [], 0
        for _, sp, n in self.specs:
            out.append(_unflatten(flat[k : k + n], sp))
            k += n
        return out[0] if single else tuple(out)

    def finish(self, tree: Any) -> Any:
        """Detach every result that depends on nothing outside this transform."""
        leaves, spec = _flatten(tree)
        return _unflatten([self._finish_one(x) for x in leaves], spec)

    def _finish_one(self, x: Any) -> Any:
        if not isinstance(x, Tensor) or not x.requires_grad:
            return x
        if x.grad_fn is None:
            return x if id(x) not in self.own else x.detach()
        seen, stack = set(), [x.grad_fn]
        while stack:
            n = stack.pop()
            if isinstance(n, AccumulateGrad):
                if id(n.variable) not in self.own:
                    return x
                continue
            for nxt, _ in n.next_functions:
                if nxt is not None and id(nxt) not in seen:
                    seen.add(id(nxt))
                    stack.append(nxt)
        return x.detach()


def _grads(outputs: list, inputs: list, grad_outputs: list | None = None) -> list:
    """Gradients of `outputs` with respect to `inputs` (zeros where unused), differentiable."""
    from . import zeros_like

    pairs = [
        (o, None if grad_outputs is None else grad_outputs[k])
        for k, o in enumerate(outputs)
        if isinstance(o, Tensor) and o.requires_grad
    ]
    if not pairs:
        return [zeros_like(x) for x in inputs]
    gs = _autograd_grad(
        [o for o, _ in pairs],
        inputs,
        None if grad_outputs is None else [g for _, g in pairs],
        retain_graph=True,
        create_graph=True,
        allow_unused=True,
    )
    return [zeros_like(x) if g is None else g for g, x in zip(gs, inputs)]


def _split_aux(out: Any, has_aux: bool, name: str) -> tuple[Any, Any]:
    if not has_aux:
        return out, None
    if not (isinstance(out, tuple) and len(out) == 2):
        raise RuntimeError(
            f"{name}(f)(*args): output of function f should be a tuple: (output, aux) if "
            "has_aux is True"
        )
    return out


# ---- grad ---------------------------------------------------------------------------------


def grad_and_value(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """(gradient, value) of a scalar function. Matches `torch.func.grad_and_value`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "grad_and_value")
        with enable_grad():
            lvl = _Level(args, nums)
            out, aux = _split_aux(func(*lvl.args, **kwargs), has_aux, "grad_and_value")
            if not isinstance(out, Tensor):
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a Tensor, got "
                    f"{type(out)}"
                )
            if out.dim() != 0:
                raise RuntimeError(
                    "grad_and_value(f)(*args): Expected f(*args) to return a scalar Tensor, got "
                    f"tensor with {out.dim()} dims. Maybe you wanted to use the vjp or jacrev "
                    "APIs instead?"
                )
            g = lvl.per_arg(_grads([out], lvl.leaves), isinstance(argnums, int))
        g, out = lvl.finish(g), lvl.finish(out)
        if has_aux:
            return g, (out, lvl.finish(aux))
        return g, out

    return wrapper


def grad(func: Callable, argnums: Any = 0, has_aux: bool = False) -> Callable:
    """The gradient of a scalar function. Matches `torch.func.grad`."""
    gv = grad_and_value(func, argnums, has_aux)

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        g, v = gv(*args, **kwargs)
        return (g, v[1]) if has_aux else g

    return wrapper


# ---- vjp and jvp --------------------------------------------------------------------------


def vjp(func: Callable, *primals: Any, has_aux: bool = False) -> Any:
    """(func(*primals), vjp_fn[, aux]); vjp_fn(cotangents) -> one gradient per primal.
    Matches `torch.func.vjp`."""
    with enable_grad():
        lvl = _Level(primals, tuple(range(len(primals))))
        out, aux = _split_aux(func(*lvl.args), has_aux, "vjp")
    flat_out, out_spec = _flatten(out)

    def vjp_fn(cotangents: Any) -> tuple:
        flat_ct, ct_spec = _flatten(cotangents)
        if _n_leaves(ct_spec) != len(flat_out):
            raise RuntimeError(
                "Expected pytree structure of cotangents to be the same as pytree structure of "
                "outputs to the function."
            )
        with enable_grad():
            gs = _grads(flat_out, lvl.leaves, flat_ct)
        return tuple(lvl.finish(lvl.per_arg(gs, False)))

    res = (lvl.finish(out), vjp_fn)
    return (*res, lvl.finish(aux)) if has_aux else res


def _jvp_flat(func: Callable, lvl: _Level, tangents: list, has_aux: bool, name: str) -> Any:
    from . import zeros_like

    out, aux = _split_aux(func(*lvl.args), has_aux, name)
    flat_out, out_spec = _flatten(out)
    for o in flat_out:
        if not isinstance(o, Tensor):
            raise RuntimeError(
                f"{name}(f, primals, tangents): Expected f(*primals) to return only tensors, "
                f"got unsupported type {type(o)}"
            )
    # double-backward trick: u -> J^T u is linear, and d/du <J^T u, t> = J t
    us = [zeros_like(o, requires_grad=True) for o in flat_out]
    gs = _grads(flat_out, lvl.leaves, us)
    terms = [(g * t).sum() for g, t in zip(gs, tangents) if g.requires_grad]
    if terms:
        s = terms[0]
        for t in terms[1:]:
            s = s + t
        got = _autograd_grad(s, us, retain_graph=True, create_graph=True, allow_unused=True)
        jv = [zeros_like(o) if g is None else g for g, o in zip(got, flat_out)]
    else:
        jv = [zeros_like(o) for o in flat_out]
    return out, _unflatten(jv, out_spec), aux


def jvp(
    func: Callable, primals: Any, tangents: Any, *, strict: bool = False, has_aux: bool = False
) -> Any:
    """(func(*primals), J @ tangents[, aux]). Matches `torch.func.jvp`."""
    for what, v in (("primals", primals), ("tangents", tangents)):
        if not isinstance(v, tuple):
            raise RuntimeError(
                f"jvp(f, primals, tangents): Expected {what} to be a tuple. E.g. it should be "
                "valid to call f(*primals)."
            )
    flat_t, t_spec = _flatten(tangents)
    flat_p, p_spec = _flatten(primals)
    if len(flat_t) != len(flat_p):
        raise RuntimeError(
            "jvp(f, primals, tangents): Expected primals and tangents to have the same python "
            "structure."
        )
    for p, t in zip(flat_p, flat_t):
        if p.shape != t.shape:
            raise RuntimeError(
                "Trying to set a forward gradient that has a different size than that of the "
                f"original Tensor, this is not supported. Tensor is of size {list(p.shape)} "
                f"while the given forward gradient is of size {list(t.shape)}."
            )
    with enable_grad():
        lvl = _Level(primals, tuple(range(len(primals))))
        out, jv, aux = _jvp_flat(func, lvl, flat_t, has_aux, "jvp")
    res = (lvl.finish(out), lvl.finish(jv))
    return (*res, lvl.finish(aux)) if has_aux else res


# ---- Jacobians ----------------------------------------------------------------------------


def _assemble(lvl: _Level, out: Any, blocks: list[list[Tensor]], single: bool) -> Any:
    """blocks[i][k]: d out_leaf_i / d in_leaf_k -> the output structure, each leaf replaced by
    the argnums structure of its Jacobian blocks."""
    flat_out, out_spec = _flatten(out)
    return lvl.finish(_unflatten([lvl.per_arg(row, single) for row in blocks], out_spec))


def _pos_zero(t: Tensor) -> Tensor:
    # a row of zeros times a negative number is -0.; PyTorch's batched rows print 0.
    t._data += 0.0
    return t


def jacrev(
    func: Callable,
    argnums: Any = 0,
    *,
    has_aux: bool = False,
    chunk_size: int | None = None,
    _preallocate_and_copy: bool = False,
) -> Callable:
    """The Jacobian by reverse mode, one backward pass per output element.
    Matches `torch.func.jacrev`."""
    from . import stack

    def wrapper(*args: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "jacrev")
        with enable_grad():
            lvl = _Level(args, nums)
            out, aux = _split_aux(func(*lvl.args), has_aux, "jacrev")
            flat_out, _ = _flatten(out)
            blocks = []
            for o in flat_out:
                flat = o.reshape(-1)
                rows = [_grads([flat[j]], lvl.leaves) for j in range(o.numel())]
                blocks.append(
                    [
                        _pos_zero(
                            stack([r[k] for r in rows]) if rows else x.new_zeros((0, *x.shape))
                        ).reshape(tuple(o.shape) + tuple(x.shape))
                        for k, x in enumerate(lvl.leaves)
                    ]
                )
        jac = _assemble(lvl, out, blocks, isinstance(argnums, int))
        return (jac, lvl.finish(aux)) if has_aux else jac

    return wrapper


def jacfwd(
    func: Callable, argnums: Any = 0, has_aux: bool = False, *, randomness: str = "error"
) -> Callable:
    """The Jacobian by forward products (J e_j, one per input element; computed with the
    double-backward trick). Matches `torch.func.jacfwd`."""
    from . import stack, zeros_like

    def wrapper(*args: Any) -> Any:
        nums = _argnums_tuple(argnums, len(args), "jacfwd")
        with enable_grad():
            lvl = _Level(args, nums)
            cols: list[list] = []  # per input leaf: list of (flat outputs' tangents)
            out = aux = None
            for k, x in enumerate(lvl.leaves):
                per = []
                for j in range(x.numel()):
                    ts = [zeros_like(y) for y in lvl.leaves]
                    ts[k]._data.reshape(-1)[j] = 1  # zeros_like is contiguous: a view
                    out, jv, aux = _jvp_flat(func, lvl, ts, has_aux, "jacfwd")
                    per.append(_flatten(jv)[0])
                cols.append(per)
            if out is None:
                out, aux = _split_aux(func(*lvl.args), has_aux, "jacfwd")
            flat_out, _ = _flatten(out)
            blocks = []
            for i, o in enumerate(flat_out):
                row = []
                for k, x in enumerate(lvl.leaves):
                    shape = tuple(o.shape) + tuple(x.shape)
                    if cols[k]:
                        row.append(stack([c[i].reshape(-1) for c in cols[k]], -1).reshape(shape))
                    else:
                        row.append(o.new_zeros(shape))
                blocks.append(row)
        jac = _assemble(lvl, out, blocks, isinstance(argnums, int))
        return (jac, lvl.finish(aux)) if has_aux else jac

    return wrapper


def hessian(func: Callable, argnums: Any = 0) -> Callable:
    """jacfwd(jacrev(func)). Matches `torch.func.hessian`."""
    return jacfwd(jacrev(func, argnums), argnums)


# ---- vmap -----------------------------------------------------------------------------------


def _fname(func: Callable) -> str:
    return getattr(func, "__name__", repr(func))


def vmap(
    func: Callable,
    in_dims: Any = 0,
    out_dims: Any = 0,
    randomness: str = "error",
    *,
    chunk_size: int | None = None,
) -> Callable:
    """Map `func` over a dimension of its inputs. Matches `torch.func.vmap`'s results, but
    batches by looping in Python: `func` runs once per batch element, and the outputs are
    stacked along `out_dims`."""
    from . import stack

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        name = _fname(func)
        if not isinstance(in_dims, int | tuple) or in_dims is True or in_dims is False:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): expected `in_dims` to be int "
                "or a (potentially nested) tuple matching the structure of inputs, got: "
                f"{type(in_dims)}."
            )
        flat_args, a_spec = _flatten(tuple(args))
        if isinstance(in_dims, int):
            flat_dims: list = [in_dims] * len(flat_args)
        else:
            if len(in_dims) != len(args):
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): in_dims is not compatible "
                    "with the structure of `inputs`."
                )
            flat_dims = []
            for d, a in zip(in_dims, args):
                n = len(_flatten(a)[0])
                flat_dims += [d] * n if d is None or isinstance(d, int) else _flatten(d)[0]
        sizes = []
        for x, d in zip(flat_args, flat_dims):
            if d is None or not isinstance(x, Tensor):
                continue
            if not -x.dim() <= d < x.dim():
                raise ValueError(
                    f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): Got in_dim={d} for some "
                    f"input, but that input is a Tensor of dimensionality {x.dim()} so expected "
                    f"in_dim to satisfy -{x.dim()} <= in_dim < {x.dim()}."
                )
            sizes.append(x.shape[d])
        if not sizes:
            raise ValueError(
                f"vmap({name}, in_dims={in_dims}, ...)(<inputs>): at least one input must be "
                "batched (have an in_dim that is not None)."
            )
        if len(set(sizes)) != 1:
            raise ValueError(
                "vmap: Expected all tensors to have the same size in the mapped dimension, got "
                f"sizes {sizes} for the mapped dimension"
            )
        results = []
        for b in range(sizes[0]):
            sl = [
                x.select(d, b) if d is not None and isinstance(x, Tensor) else x
                for x, d in zip(flat_args, flat_dims)
            ]
            results.append(func(*_unflatten(sl, a_spec), **kwargs))
        flat0, o_spec = _flatten(results[0])
        per = [_flatten(r)[0] for r in results]
        odims = (
            [out_dims] * len(flat0)
            if isinstance(out_dims, int) or out_dims is None
            else _flatten(out_dims)[0]
        )
        if len(odims) != len(flat0):
            raise ValueError(
                f"vmap({name}, ...): `out_dims` must have one dim per output (got {len(odims)} "
                f"out_dims and {len(flat0)} outputs)."
            )
        outs = []
        for i, d in enumerate(odims):
            if d is None:
                outs.append(per[0][i])
                continue
            vals = [p[i] for p in per]
            if not isinstance(vals[0], Tensor):
                raise ValueError(
                    f"vmap({name}, ...): `{name}` must only return Tensors, got type "
                    f"{type(vals[0])}. Did you mean to set out_dims= to None for output?"
                )
            outs.append(stack(vals, d))
        return _unflatten(outs, o_spec)

    return wrapper
