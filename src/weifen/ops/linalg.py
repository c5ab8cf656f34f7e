"""Matrix products: matmul (all its broadcasting forms), mm, bmm, mv, dot, outer, einsum.

The gradient of a batched/broadcast product is computed at the broadcast shape; the engine
sums it back over the broadcast batch dims (as for any broadcasting op).
"""

from __future__ import annotations

import numpy as np

from ._registry import RAW, defop

_ndarray = np.ndarray
_np_matmul = np.matmul

_C_NAMES = {
    "float32": "float",
    "float64": "double",
    "float16": "c10::Half",
    "int64": "long int",
    "int32": "int",
    "complex64": "c10::complex<float>",
    "complex128": "c10::complex<double>",
}


def _same_dtype(a, b):
    if a.dtype != b.dtype:
        na = _C_NAMES.get(a.dtype.name, a.dtype.name)
        nb = _C_NAMES.get(b.dtype.name, b.dtype.name)
        raise RuntimeError(f"expected m1 and m2 to have the same dtype, but got: {na} != {nb}")


# Complex inputs: the gradient of a product with `other` multiplies by conj(other) (PyTorch's
# convention, see pointwise.py), e.g. g @ other.mH; F.conj is the identity on real data.


def _matmul_self(F, g, self, other):
    if F is RAW and g.ndim == 2 and other.ndim == 2 and other.dtype is g.dtype:
        if other.dtype.kind != "c":  # the plain backward of a real mm: one BLAS call
            return _np_matmul(g, other.T)
    other = F.conj(other)
    if other.ndim == 1:
        if self.ndim == 1:
            return g * other
        return F.unsqueeze(g, -1) * other
    if self.ndim == 1:
        return F.squeeze(F.matmul(other, F.unsqueeze(g, -1)), -1)
    return F.matmul(g, F.transpose(other, -1, -2))


def _matmul_other(F, g, self, other):
    if F is RAW and g.ndim == 2 and self.ndim == 2 and self.dtype is g.dtype:
        if self.dtype.kind != "c":
            return _np_matmul(self.T, g)
    self = F.conj(self)
    if self.ndim == 1:
        if other.ndim == 1:
            return g * self
        return F.unsqueeze(self, -1) * F.unsqueeze(g, -2)
    if other.ndim == 1:
        return F.squeeze(F.matmul(F.transpose(self, -1, -2), F.unsqueeze(g, -1)), -1)
    return F.matmul(F.transpose(self, -1, -2), g)


def _matmul_node(self, other):
    a, b = self.ndim, other.ndim
    if a == 1 and b == 1:
        return "DotBackward0"
    if a == 2 and b == 2:
        return "MmBackward0"
    if a == 2 and b == 1:
        return "MvBackward0"
    if a == 1 and b == 2:
        return "SqueezeBackward4"
    if a == 2:
        return "CloneBackward0"
    return "UnsafeViewBackward0"


_GRADS = {"self": _matmul_self, "other": _matmul_other}


@defop(_matmul_node, inputs=("self", "other"), grads=_GRADS, method=("matmul", "__matmul__"))
def matmul(self, other):
    """Matches `torch.matmul`."""
    if (
        type(self) is _ndarray
        and type(other) is _ndarray
        and self.ndim == 2
        and other.ndim == 2
        and self.dtype is other.dtype
        and self.shape[1] == other.shape[0]
    ):
        return _np_matmul(self, other)  # the common case, checked in one go
    a, b = np.asarray(self), np.asarray(other)
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(
            f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D"
        )
    if a.ndim == 1 and b.ndim == 1:
        return RAW.dot(a, b)  # the forward works on arrays: the raw dot, not the public one
    _same_dtype(a, b)
    k1 = a.shape[-1]
    k2 = b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k1 != k2:
        if a.ndim == 2 and b.ndim == 2:
            raise RuntimeError(
                f"mat1 and mat2 shapes cannot be multiplied ({a.shape[0]}x{a.shape[1]} and "
                f"{b.shape[0]}x{b.shape[1]})"
            )
        if b.ndim == 1:
            raise RuntimeError(
                f"size mismatch, got input ({a.shape[-2] if a.ndim > 1 else 1}), mat "
                f"({a.shape[-2] if a.ndim > 1 else 1}x{k1}), vec ({k2})"
            )
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{int(np.prod(b.shape[:-2]))}, {k1}] but got: [{int(np.prod(b.shape[:-2]))}, {k2}]."
        )
    return np.matmul(a, b)


@defop(
    "MmBackward0",
    inputs=("self", "mat2"),
    grads={
        "self": lambda F, g, mat2: F.matmul(g, F.conj(F.transpose(mat2, 0, 1))),
        "mat2": lambda F, g, self: F.matmul(F.conj(F.transpose(self, 0, 1)), g),
    },
)
def mm(self, mat2):
    """Matches `torch.mm`."""
    if self.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if mat2.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    return RAW.matmul(self, mat2)


@defop(
    "BmmBackward0",
    inputs=("self", "mat2"),
    grads={
        "self": lambda F, g, mat2: F.matmul(g, F.conj(F.transpose(mat2, 1, 2))),
        "mat2": lambda F, g, self: F.matmul(F.conj(F.transpose(self, 1, 2)), g),
    },
)
def bmm(self, mat2):
    """Matches `torch.bmm`."""
    if self.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if mat2.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if self.shape[0] != mat2.shape[0] or self.shape[2] != mat2.shape[1]:
        raise RuntimeError(
            f"Expected size for first two dimensions of batch2 tensor to be: "
            f"[{self.shape[0]}, {self.shape[2]}] but got: [{mat2.shape[0]}, {mat2.shape[1]}]."
        )
    _same_dtype(self, mat2)
    return np.matmul(self, mat2)


@defop(
    "MvBackward0",
    inputs=("self", "vec"),
    grads={
        "self": lambda F, g, vec: F.unsqueeze(g, -1) * F.conj(vec),
        "vec": lambda F, g, self: F.matmul(F.conj(F.transpose(self, 0, 1)), g),
    },
)
def mv(self, vec):
    """Matches `torch.mv`."""
    if self.ndim != 2 or vec.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {self.ndim}, {vec.ndim}")
    return RAW.matmul(self, vec)


@defop(
    "DotBackward0",
    inputs=("self", "tensor"),
    grads={
        "self": lambda F, g, tensor: g * F.conj(tensor),
        "tensor": lambda F, g, self: g * F.conj(self),
    },
)
def dot(self, tensor):
    """Matches `torch.dot`."""
    return _dot(self, tensor, np.dot)


@defop(
    "VdotBackward0",
    inputs=("self", "other"),
    grads={
        "self": lambda F, g, other: F.conj(g) * other,
        "other": lambda F, g, self: g * self,
    },
)
def vdot(self, other):
    """sum(conj(self) * other). Matches `torch.vdot`."""
    return _dot(self, other, np.vdot)


def _dot(self, tensor, kernel):
    a, b = np.asarray(self), np.asarray(tensor)
    if a.ndim != 1 or b.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {a.ndim}D and {b.ndim}D tensors")
    if a.dtype != b.dtype:
        raise RuntimeError(
            "dot : expected both vectors to have same dtype, but found "
            f"{_T[a.dtype.name]} and {_T[b.dtype.name]}"
        )
    if a.shape[0] != b.shape[0]:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{a.shape[0]}] and src [{b.shape[0]}] "
            f"to have the same number of elements, but got {a.shape[0]} and {b.shape[0]} "
            "elements respectively"
        )
    return np.asarray(kernel(a, b))


_T = {
    "float32": "Float",
    "float64": "Double",
    "float16": "Half",
    "int64": "Long",
    "int32": "Int",
    "complex64": "ComplexFloat",
    "complex128": "ComplexDouble",
    "int16": "Short",
    "int8": "Char",
    "uint8": "Byte",
    "bool": "Bool",
}


# products, not matmul: the saved inputs keep their own dtypes (int * float promotes)
@defop(
    "MulBackward0",
    inputs=("self", "vec2"),
    rule="promote",
    grads={
        "self": lambda F, g, vec2: F.sum(g * F.conj(vec2), 1),
        "vec2": lambda F, g, self: F.sum(g * F.conj(F.unsqueeze(self, 1)), 0),
    },
    method=("outer", "ger"),
)
def outer(self, vec2):
    """Matches `torch.outer`."""
    return np.multiply.outer(self, vec2)


ger = outer


def _parse(equation, n):
    eq = equation.replace(" ", "")
    if "..." in eq:
        raise NotImplementedError("weifen: einsum with '...' is not supported yet")
    if "->" in eq:
        lhs, out = eq.split("->")
    else:
        lhs = eq
        letters = lhs.replace(",", "")
        out = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    subs = lhs.split(",")
    if len(subs) != n:
        raise RuntimeError(
            "einsum(): more operands were provided than specified in the equation"
            if len(subs) < n
            else "einsum(): fewer operands were provided than specified in the equation"
        )
    return subs, out


def _einsum_grad(F, g, operands, equation):
    subs, out = _parse(equation, len(operands))
    if isinstance(g, np.ndarray):  # a plain backward: the saved list still holds Tensors
        operands = [getattr(o, "_data", o) for o in operands]
    grads = []
    for i, s in enumerate(subs):
        others = [o for j, o in enumerate(operands) if j != i]
        osubs = [t for j, t in enumerate(subs) if j != i]
        if len(set(s)) != len(s):
            raise NotImplementedError(
                "weifen: the gradient of einsum with a repeated index in one operand is not "
                "supported yet"
            )
        avail = set(out) | set("".join(osubs))
        keep = "".join(c for c in s if c in avail)
        spec = ",".join([out, *osubs]) + "->" + keep
        r = F.einsum_list([g, *[F.conj(o) for o in others]], spec)
        if keep != s:
            # letters summed out only inside operand i: the gradient is constant along them
            kept_shape = tuple(operands[i].shape[k] if c in avail else 1 for k, c in enumerate(s))
            r = F.expand(F.reshape(r, kept_shape), tuple(operands[i].shape))
        grads.append(r)
    return grads


def _einsum_node(operands, equation):
    # The node PyTorch's einsum ends with: a permute (one operand, nothing summed), a sum
    # (one operand), a mul (nothing summed), else the view after its bmm.
    subs, out = _parse(equation, len(operands))
    summed = set("".join(subs)) - set(out)
    if len(subs) == 1:
        return "SumBackward1" if summed else "PermuteBackward0"
    return "ViewBackward0" if summed else "MulBackward0"


@defop(
    _einsum_node,
    inputs=("*operands",),
    rule="promote",
    grads={"operands": _einsum_grad},
    method=False,
    name="einsum_list",
)
def einsum_list(operands, equation):
    """einsum over a list of operands (see `einsum`)."""
    subs, out = _parse(equation, len(operands))
    return np.einsum(",".join(subs) + "->" + out, *operands)


def einsum(equation, *operands):
    """Matches `torch.einsum` (without '...')."""
    if len(operands) == 1 and isinstance(operands[0], list | tuple):
        operands = tuple(operands[0])
    return einsum_list(list(operands), equation)
