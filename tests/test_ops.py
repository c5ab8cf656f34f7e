"""Tests generated from the op database (tests/opdb.py), for every spec x sample:

- forward value, dtype and grad_fn name against PyTorch (live when installed, and always
  against the golden file tests/golden/ops_golden.json recorded from it);
- gradient against central finite differences in float64, against torch, against the golden;
- double backward: the gradient of (grad . u) against finite differences of the first
  gradient, against torch, against the golden;
- no-grad behaviour; PyTorch's exception type and message for bad inputs; dtype promotion;
- coverage: every public function has a spec (or is a listed alias).
"""

from __future__ import annotations

import hashlib
import json
import pathlib
import sys
from typing import Any

import numpy as np
import pytest

import weifen

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import opdb  # noqa: E402
from conftest import import_torch  # noqa: E402

GOLDEN_PATH = pathlib.Path(__file__).parent / "golden" / "ops_golden.json"
GOLDEN: dict[str, Any] = json.loads(GOLDEN_PATH.read_text()) if GOLDEN_PATH.exists() else {}
HAS_TORCH = import_torch() is not None

# ---- cases ------------------------------------------------------------------------------------


class Case:
    def __init__(self, spec: opdb.OpSpec, sample: opdb.Sample, key: str, f32: bool = False):
        self.spec, self.sample, self.key, self.f32 = spec, sample, key, f32

    @property
    def differentiable(self) -> bool:
        return self.spec.grad and not self.f32 and any(t.grad for t in self.sample.tensors())


def _cases() -> list[Case]:
    out = []
    for spec in opdb.SPECS.values():
        seen: set[str] = set()
        for i, s in enumerate(spec.samples):
            sid = s.name or str(i)
            if sid in seen:
                sid = f"{sid}#{i}"
            seen.add(sid)
            out.append(Case(spec, s, f"{spec.name}[{sid}]"))
        first = spec.samples[0] if spec.samples else None
        if (
            spec.f32
            and spec.random is None
            and first is not None
            and any(t.data.dtype == np.float64 for t in first.tensors())
        ):
            out.append(Case(spec, first, f"{spec.name}[{first.name or 0}]/f32", f32=True))
    return out


CASES = _cases()
BY_KEY = {c.key: c for c in CASES}
DETERMINISTIC = [c for c in CASES if c.spec.random is None]
GRAD_CASES = [c for c in DETERMINISTIC if c.differentiable]
FD_CASES = [c for c in GRAD_CASES if c.sample.fd]
DOUBLE_CASES = [c for c in GRAD_CASES if c.spec.double and c.sample.double]
DOUBLE_FD_CASES = [c for c in DOUBLE_CASES if c.sample.fd]


def _ids(cases: list[Case]) -> list[str]:
    return [c.key for c in cases]


# ---- building the calls -----------------------------------------------------------------------


def _tensor(lib: Any, a: np.ndarray, requires_grad: bool) -> Any:
    if lib is weifen:
        t = weifen.tensor(a.copy())
    else:
        t = lib.from_numpy(a.copy())
    if requires_grad:
        t.requires_grad_(True)
    return t


def build(lib: Any, case: Case, grad: bool = True, data: dict | None = None) -> tuple:
    """(args, kwargs, leaves): the sample's call in `lib`; `leaves` are the tensors that
    require grad, in order. `data` replaces the arrays of chosen T objects (by id)."""
    leaves: list = []

    def conv(v: Any) -> Any:
        if isinstance(v, opdb.T):
            a = v.data if data is None else data.get(id(v), v.data)
            if case.f32 and a.dtype == np.float64:
                a = a.astype(np.float32)
            rg = grad and v.grad and not case.f32
            t = _tensor(lib, a, rg)
            if rg:
                leaves.append(t)
            return t
        if isinstance(v, opdb.Dt):
            return getattr(lib, v.name)
        if isinstance(v, list):
            return [conv(x) for x in v]
        if isinstance(v, tuple):
            return tuple(conv(x) for x in v)
        return v

    args = conv(case.sample.args)
    kwargs = {k: conv(v) for k, v in case.sample.kwargs.items()}
    return args, kwargs, leaves


def call(lib: Any, case: Case, grad: bool = True, data: dict | None = None) -> tuple:
    args, kwargs, leaves = build(lib, case, grad, data)
    return case.spec.fn(lib)(*args, **kwargs), leaves


def outputs(out: Any) -> list:
    if isinstance(out, tuple | list):
        return [o for x in out for o in outputs(x)]
    return [out]


def to_np(t: Any) -> np.ndarray:
    if isinstance(t, weifen.Tensor):
        return np.asarray(t.detach().numpy())
    return np.asarray(t.detach().numpy(force=True))  # torch: a ZeroTensor needs force


def dtype_name(t: Any) -> str:
    return str(t.dtype).replace("torch.", "")


def grad_fn_name(t: Any) -> str | None:
    return None if t.grad_fn is None else type(t.grad_fn).__name__


def weights(shape: tuple, k: int) -> np.ndarray:
    """Fixed cotangents: the same for every library and run."""
    return np.random.Generator(np.random.PCG64(1000 + k)).uniform(-1.0, 1.0, size=shape)


def fingerprint(case: Case) -> str:
    h = hashlib.sha1()
    for t in case.sample.tensors():
        h.update(np.ascontiguousarray(t.data).tobytes())
    return h.hexdigest()[:16]


def float_outs(outs: list) -> list:
    return [o for o in outs if o.dtype.is_floating_point]


def first_grads(lib: Any, case: Case, create_graph: bool = False, data: dict | None = None):
    """(leaves, outs, grads): d/d leaves of sum_k <out_k, w_k> over the float outputs."""
    out, leaves = call(lib, case, data=data)
    outs = [o for o in float_outs(outputs(out)) if o.requires_grad]
    vs = [_tensor(lib, weights(tuple(o.shape), k), False).to(o.dtype) for k, o in enumerate(outs)]
    if not outs:
        return leaves, outs, [lib.zeros_like(x) for x in leaves]
    gs = lib.autograd.grad(
        outs, leaves, grad_outputs=vs, allow_unused=True, create_graph=create_graph
    )
    gs = [lib.zeros_like(x) if g is None else g for x, g in zip(leaves, gs)]
    return leaves, outs, gs


def second_grads(lib: Any, case: Case) -> list[np.ndarray]:
    """d/d leaves of sum_i <first_grad_i, u_i>."""
    leaves, _, gs = first_grads(lib, case, create_graph=True)
    terms = [
        (g * _tensor(lib, weights(tuple(x.shape), 100 + i), False).to(g.dtype)).sum()
        for i, (x, g) in enumerate(zip(leaves, gs))
        if g.requires_grad
    ]
    if not terms:
        return [np.zeros(tuple(x.shape)) for x in leaves]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    g2 = lib.autograd.grad(total, leaves, allow_unused=True)
    return [np.zeros(tuple(x.shape)) if g is None else to_np(g) for x, g in zip(leaves, g2)]


def grad_leaves(case: Case) -> list[opdb.T]:
    return [t for t in case.sample.tensors() if t.grad]


def finite_difference(case: Case, phi: Any, eps: float = 1e-6) -> list[np.ndarray]:
    """Central differences of the scalar function phi(data) in every differentiated input."""
    result = []
    for t in grad_leaves(case):
        g = np.zeros(t.data.shape)
        flat = g.reshape(-1)
        for j in range(t.data.size):
            vals = []
            for sgn in (1.0, -1.0):
                a = t.data.copy().reshape(-1)
                a[j] += sgn * eps
                vals.append(phi({id(t): a.reshape(t.data.shape)}))
            flat[j] = (vals[0] - vals[1]) / (2 * eps)
        result.append(g)
    return result


def phi_forward(case: Case):
    def phi(data: dict) -> float:
        with weifen.no_grad():
            out, _ = call(weifen, case, grad=False, data=data)
        outs = float_outs(outputs(out))
        return float(sum(np.sum(to_np(o) * weights(tuple(o.shape), k)) for k, o in enumerate(outs)))

    return phi


def phi_first_grad(case: Case):
    def phi(data: dict) -> float:
        leaves, _, gs = first_grads(weifen, case, data=data)
        return float(
            sum(
                np.sum(to_np(g) * weights(tuple(x.shape), 100 + i))
                for i, (x, g) in enumerate(zip(leaves, gs))
            )
        )

    return phi


# ---- comparisons ------------------------------------------------------------------------------


def assert_close(
    actual: np.ndarray,
    expected: Any,
    case: Case,
    what: str,
    rtol: float | None = None,
    atol: float | None = None,
) -> None:
    expected = np.asarray(expected)
    actual = np.asarray(actual)
    if expected.size == 0 and actual.size == 0:
        expected = expected.reshape(actual.shape)  # JSON keeps no shape for an empty list
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if actual.dtype.kind in "biu" and expected.dtype.kind in "biu":
        np.testing.assert_array_equal(actual, expected, err_msg=what)
        return
    if rtol is None:
        rtol = 2e-5 if actual.dtype == np.float32 else case.spec.rtol
    if atol is None:
        atol = 1e-6 if actual.dtype == np.float32 else case.spec.atol
    np.testing.assert_allclose(
        actual.astype(np.float64),
        expected.astype(np.float64),
        rtol=rtol,
        atol=atol,
        equal_nan=True,
        err_msg=what,
    )


def summary_forward(lib: Any, case: Case) -> dict:
    out, _ = call(lib, case)
    outs = outputs(out)
    return {
        "out": [
            {"dtype": dtype_name(o), "shape": list(o.shape), "v": to_np(o).tolist()} for o in outs
        ],
        "grad_fn": grad_fn_name(outs[0]),
    }


def check_forward(case: Case, expected: dict) -> None:
    got = summary_forward(weifen, case)
    assert len(got["out"]) == len(expected["out"]), "number of outputs"
    for k, (g, e) in enumerate(zip(got["out"], expected["out"])):
        assert g["dtype"] == e["dtype"], f"output {k} dtype"
        assert g["shape"] == e["shape"], f"output {k} shape"
        assert_close(
            np.asarray(g["v"], dtype=np.dtype(g["dtype"])),
            np.asarray(e["v"], dtype=np.dtype(e["dtype"])).reshape(e["shape"]),
            case,
            f"output {k} value",
        )
    assert got["grad_fn"] == expected["grad_fn"], "grad_fn name"


def golden(case: Case) -> dict:
    rec = GOLDEN.get(case.key)
    if rec is None:
        pytest.fail(f"no golden record for {case.key}: run tests/golden/make_ops_golden.py")
    assert rec["in"] == fingerprint(case), (
        f"the inputs of {case.key} changed: run tests/golden/make_ops_golden.py"
    )
    return rec


# ---- 1. forward -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", DETERMINISTIC, ids=_ids(DETERMINISTIC))
def test_forward_golden(case: Case) -> None:
    check_forward(case, golden(case))


@pytest.mark.parametrize("case", DETERMINISTIC, ids=_ids(DETERMINISTIC))
def test_forward_torch(case: Case, torch: Any) -> None:
    check_forward(case, summary_forward(torch, case))


@pytest.mark.parametrize("spec", [s for s in opdb.SPECS.values() if s.random], ids=lambda s: s.name)
def test_random_op(spec: opdb.OpSpec) -> None:
    for i, s in enumerate(spec.samples):
        case = Case(spec, s, f"{spec.name}[{i}]")
        out, _ = call(weifen, case, grad=False)
        spec.random(weifen, out)
        if HAS_TORCH:
            t_out, _ = call(import_torch(), case, grad=False)
            assert list(out.shape) == list(t_out.shape)
            assert dtype_name(out) == dtype_name(t_out)


# ---- 2-3. first derivatives -------------------------------------------------------------------


@pytest.mark.parametrize("case", FD_CASES, ids=_ids(FD_CASES))
def test_grad_finite_differences(case: Case) -> None:
    _, _, gs = first_grads(weifen, case)
    fd = finite_difference(case, phi_forward(case))
    for k, (g, e) in enumerate(zip(gs, fd)):
        assert_close(to_np(g), e, case, f"grad of input {k}", rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("case", GRAD_CASES, ids=_ids(GRAD_CASES))
def test_grad_golden(case: Case) -> None:
    _, _, gs = first_grads(weifen, case)
    rec = golden(case)
    for k, (g, e) in enumerate(zip(gs, rec["grads"])):
        assert_close(to_np(g), e, case, f"grad of input {k}")


@pytest.mark.parametrize("case", GRAD_CASES, ids=_ids(GRAD_CASES))
def test_grad_torch(case: Case, torch: Any) -> None:
    _, _, gs = first_grads(weifen, case)
    _, _, ts = first_grads(torch, case)
    for k, (g, e) in enumerate(zip(gs, ts)):
        assert_close(to_np(g), to_np(e), case, f"grad of input {k}")


# ---- 4. double backward -----------------------------------------------------------------------


@pytest.mark.parametrize("case", DOUBLE_FD_CASES, ids=_ids(DOUBLE_FD_CASES))
def test_double_backward_finite_differences(case: Case) -> None:
    g2 = second_grads(weifen, case)
    fd = finite_difference(case, phi_first_grad(case))
    for k, (g, e) in enumerate(zip(g2, fd)):
        assert_close(g, e, case, f"second grad of input {k}", rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("case", DOUBLE_CASES, ids=_ids(DOUBLE_CASES))
def test_double_backward_golden(case: Case) -> None:
    rec = golden(case)
    for k, (g, e) in enumerate(zip(second_grads(weifen, case), rec["grads2"])):
        assert_close(g, e, case, f"second grad of input {k}", atol=1e-9)


@pytest.mark.parametrize("case", DOUBLE_CASES, ids=_ids(DOUBLE_CASES))
def test_double_backward_torch(case: Case, torch: Any) -> None:
    for k, (g, e) in enumerate(zip(second_grads(weifen, case), second_grads(torch, case))):
        assert_close(g, e, case, f"second grad of input {k}", atol=1e-9)


# ---- 5. no-grad -------------------------------------------------------------------------------


@pytest.mark.parametrize("case", GRAD_CASES, ids=_ids(GRAD_CASES))
def test_no_grad(case: Case) -> None:
    with weifen.no_grad():
        out, leaves = call(weifen, case)
    assert leaves, "the sample differentiates something"
    for o in outputs(out):
        if any(o is x for x in leaves):
            continue  # x.contiguous() and friends may return their input itself, as torch
        assert o.grad_fn is None and not o.requires_grad
    # and with grad mode back on, the same call gives outputs that require grad
    out, _ = call(weifen, case)
    assert any(o.requires_grad for o in float_outs(outputs(out)))


# ---- 6. bad inputs ----------------------------------------------------------------------------


@pytest.mark.parametrize("err", opdb.ERRORS, ids=[e.name for e in opdb.ERRORS])
def test_error(err: opdb.ErrorCase) -> None:
    with pytest.raises(Exception) as info:
        err.fn(weifen)
    assert type(info.value) is err.exc, f"{type(info.value).__name__}: {info.value}"
    assert str(info.value) == err.msg


@pytest.mark.parametrize("err", opdb.ERRORS, ids=[e.name for e in opdb.ERRORS])
def test_error_torch(err: opdb.ErrorCase, torch: Any) -> None:
    with pytest.raises(Exception) as info:
        err.fn(torch)
    assert type(info.value) is err.exc
    assert str(info.value) == err.msg


# ---- dtype promotion --------------------------------------------------------------------------

PROMOTION = {
    "int tensor + float scalar": (lambda L: L.tensor([1, 2]) + 2.5, "float32"),
    "float32 + 0-d float64": (lambda L: L.ones(2) + L.tensor(1.0, dtype=L.float64), "float32"),
    "float32 + 1-d float64": (lambda L: L.ones(2) + L.ones(2, dtype=L.float64), "float64"),
    "int / int": (lambda L: L.tensor([1, 2]) / L.tensor([2, 2]), "float32"),
    "int / int scalar": (lambda L: L.tensor([1, 2]) / 2, "float32"),
    "bool + int scalar": (lambda L: L.tensor([True, False]) + 1, "int64"),
    "bool + bool": (lambda L: L.tensor([True, False]) + L.tensor([True, True]), "bool"),
    "uint8 + int8": (lambda L: L.tensor([1], dtype=L.uint8) + L.tensor([1], dtype=L.int8), "int16"),
    "int32 + 0-d int64": (lambda L: L.tensor([1], dtype=L.int32) + L.tensor(1), "int32"),
    "int32 + int scalar": (lambda L: L.tensor([1], dtype=L.int32) * 3, "int32"),
    "0-d int + float scalar": (lambda L: L.tensor(1) + 1.5, "float32"),
    "0-d float64 + 0-d float32": (
        lambda L: L.tensor(1.0, dtype=L.float64) + L.tensor(1.0),
        "float64",
    ),
    "int8 + 0-d float64": (
        lambda L: L.tensor([1], dtype=L.int8) + L.tensor(1.0, dtype=L.float64),
        "float64",
    ),
    "float16 + float scalar": (lambda L: L.ones(2, dtype=L.float16) * 2.5, "float16"),
    "int + complex scalar": (lambda L: L.tensor([1]) + 1j, "complex64"),
    "float64 + complex scalar": (lambda L: L.ones(1, dtype=L.float64) * 1j, "complex128"),
    "int ** float scalar": (lambda L: L.tensor([1, 2]) ** 0.5, "float32"),
    "float scalar ** int tensor": (lambda L: 2.0 ** L.tensor([1, 2]), "float32"),
    "int tensor // float scalar": (lambda L: L.tensor([5, 7]) // 2.0, "float32"),
    "where int, float32": (
        lambda L: L.where(L.tensor([True, False]), L.tensor([1, 2]), L.ones(2)),
        "float32",
    ),
    "where float32, scalar": (
        lambda L: L.where(L.tensor([True, False]), L.ones(2), 0.0),
        "float32",
    ),
    "cat int, float32": (lambda L: L.cat([L.tensor([1]), L.ones(1)]), "float32"),
    "exp int": (lambda L: L.exp(L.tensor([1, 2])), "float32"),
    "sum bool": (lambda L: L.tensor([True, True]).sum(), "int64"),
    "sum int32": (lambda L: L.tensor([1], dtype=L.int32).sum(), "int64"),
    "int < float scalar": (lambda L: L.tensor([1, 2]) < 1.5, "bool"),
    "uint8 > int8": (
        lambda L: L.tensor([255], dtype=L.uint8) > L.tensor([-1], dtype=L.int8),
        "bool",
    ),
    "maximum int, float": (lambda L: L.maximum(L.tensor([1, 5]), L.tensor([2.5, 2.5])), "float32"),
    "clamp int by float": (lambda L: L.clamp(L.tensor([1, 5]), min=2.5), "float32"),
    "lerp float32, 0-d float64 weight": (
        lambda L: L.lerp(L.zeros(2), L.ones(2), L.tensor(0.5, dtype=L.float64)),
        "float32",
    ),
    "matmul int": (lambda L: L.tensor([[1, 2]]) @ L.tensor([[3], [4]]), "int64"),
    "masked_fill int with float": (
        lambda L: L.tensor([1, 2]).masked_fill(L.tensor([True, False]), 2.5),
        "int64",
    ),
}
# the values too, where they are interesting
PROMOTION_VALUES = {
    "uint8 > int8": [True],
    "int < float scalar": [True, False],
    "int tensor // float scalar": [2.0, 3.0],
    "clamp int by float": [2.5, 5.0],
    "masked_fill int with float": [2, 2],
}


@pytest.mark.parametrize("name", list(PROMOTION))
def test_promotion(name: str) -> None:
    fn, expected = PROMOTION[name]
    r = fn(weifen)
    assert dtype_name(r) == expected
    if name in PROMOTION_VALUES:
        assert r.tolist() == PROMOTION_VALUES[name]


@pytest.mark.parametrize("name", list(PROMOTION))
def test_promotion_torch(name: str, torch: Any) -> None:
    fn, expected = PROMOTION[name]
    r = fn(torch)
    assert dtype_name(r) == expected
    if name in PROMOTION_VALUES:
        assert r.tolist() == PROMOTION_VALUES[name]


# ---- 7. coverage ------------------------------------------------------------------------------


def test_every_public_function_has_a_spec() -> None:
    from weifen.ops import FUNCTIONS

    missing = sorted(set(FUNCTIONS) - set(opdb.SPECS) - set(opdb.ALIASES))
    assert not missing, f"public functions without an opdb spec: {missing}"
    stale = sorted((set(opdb.SPECS) | set(opdb.ALIASES)) - set(FUNCTIONS))
    assert not stale, f"opdb specs for functions weifen does not export: {stale}"


@pytest.mark.parametrize("alias", sorted(opdb.ALIASES))
def test_alias(alias: str) -> None:
    """An alias gives what its target gives, on the target's first sample."""
    target = opdb.ALIASES[alias][0]
    spec = opdb.SPECS[target]
    case = Case(spec, spec.samples[0], f"{alias}")
    args, kwargs, _ = build(weifen, case)
    got = getattr(weifen, alias)(*args, **kwargs)
    want = getattr(weifen, target)(*args, **kwargs)
    for g, w in zip(outputs(got), outputs(want)):
        assert dtype_name(g) == dtype_name(w)
        np.testing.assert_array_equal(to_np(g), to_np(w))
        assert grad_fn_name(g) == grad_fn_name(w)
    torch = import_torch()
    if torch is not None:
        tf = torch.special.erf if alias == "special_erf" else getattr(torch, alias)
        targs, tkwargs, _ = build(torch, case)
        for g, w in zip(outputs(got), outputs(tf(*targs, **tkwargs))):
            assert dtype_name(g) == dtype_name(w)
            assert_close(to_np(g), to_np(w), case, alias)
