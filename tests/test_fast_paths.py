"""The speed-only paths must compute exactly what the general paths compute.

- autograd/fused.py: the generated per-op backward (plain backward) against run_op_node, the
  general path it replaces, op by op over the op database's samples;
- temporary elision in ops/_dispatch.py: `x * x + 3 * x` writes into the temporary's buffer,
  and never into a tensor someone can still see;
- `x * x`: the shared formula result gives PyTorch's gradient bit for bit;
- `_meta` left out for nodes whose inputs match their output.
"""

from __future__ import annotations

import pathlib
import sys
import tracemalloc

import numpy as np
import pytest

import weifen
from weifen.autograd import engine
from weifen.autograd.fused import raw_backward
from weifen.autograd.graph import OpNode

sys.path.insert(0, str(pathlib.Path(__file__).parent))
import test_ops  # noqa: E402
from conftest import import_torch  # noqa: E402


def _differentiable_cases() -> list:
    return [pytest.param(c, id=c.key) for c in test_ops._cases() if c.differentiable]


@pytest.mark.parametrize("case", _differentiable_cases())
def test_generated_backward_matches_run_op_node(case):
    out, _ = test_ops.call(weifen, case)
    outs = out if isinstance(out, tuple | list) else (out,)
    rng = np.random.default_rng(0)
    checked = 0
    for o in outs:
        node = getattr(o, "grad_fn", None)
        if not isinstance(node, OpNode) or node._nout != 1 or not raw_backward(node._op):
            continue
        d = o._data
        g = np.asarray(rng.standard_normal(d.shape)).astype(d.dtype)
        fast = node._op.bw_raw(node, g)
        slow = engine.run_op_node(node, [g], False)
        assert len(fast) == len(slow)
        for a, b in zip(fast, slow):
            if a is None or b is None:
                assert a is None and b is None
            else:
                assert a.shape == b.shape and a.dtype == b.dtype
                np.testing.assert_array_equal(a, b)
        checked += 1
    if case.spec.name in ("add", "mul", "sin", "exp", "matmul", "sum"):
        assert checked


def test_temporary_elision_reuses_the_buffer():
    x = weifen.tensor(np.ones(1_000_000, np.float32), requires_grad=True)
    tracemalloc.start()
    tracemalloc.reset_peak()
    y = x * x + 3 * x
    peak_temp = tracemalloc.get_traced_memory()[1]
    tracemalloc.reset_peak()
    t = x * x
    z = t + 3 * x
    peak_named = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak_temp < peak_named - 3_000_000  # one 4 MB array less
    np.testing.assert_array_equal(t.detach().numpy(), np.ones(1_000_000, np.float32))
    np.testing.assert_array_equal(y.detach().numpy(), z.detach().numpy())
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(1_000_000, 5, np.float32))


def test_elision_never_touches_a_visible_tensor():
    big = np.linspace(-1, 1, 200_000, dtype=np.float32)
    x = weifen.tensor(big, requires_grad=True)
    e = x.exp()  # ExpBackward0 keeps its result: `e + 1` must not overwrite it
    (e + 1).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), np.exp(big), rtol=1e-6)
    # a view of a temporary shares its buffer
    with weifen.no_grad():
        a = weifen.tensor(big) * 2
        v = a[:10]
        b = a + 1
        assert float(v[0]) == float(big[0] * 2)
        assert float(b[0]) == float(big[0] * 2 + 1)
    # mul saves both operands, so `(x * y) * 2` never writes into the product's buffer
    x.grad = None
    y = weifen.tensor(big, requires_grad=True)
    ((x * y) * 2).sum().backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * big, rtol=1e-6)


def test_square_gradient_is_pytorchs_bit_for_bit():
    torch = import_torch()
    data = np.random.default_rng(3).standard_normal(1000).astype(np.float32)
    x = weifen.tensor(data, requires_grad=True)
    (x * x + 3 * x).sum().backward()
    # PyTorch's value: g*x + g*x accumulated after 3*g, in float32
    g = np.ones_like(data)
    expect = (g * np.float32(3) + g * data) + g * data
    np.testing.assert_array_equal(x.grad.numpy(), expect)
    if torch is not None:
        tx = torch.tensor(data, requires_grad=True)
        (tx * tx + 3 * tx).sum().backward()
        np.testing.assert_array_equal(x.grad.numpy(), tx.grad.numpy())


def test_meta_left_out_only_when_inputs_match_the_output():
    x = weifen.randn(3, requires_grad=True)
    assert x.sin().grad_fn._meta is None
    b = weifen.randn(2, 3, requires_grad=True)
    n = x + b  # x broadcasts: its shape must be kept to sum the gradient back
    assert n.grad_fn._meta is not None
    n.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), np.full(3, 2, np.float32))
    d = weifen.randn(3, dtype=weifen.float64, requires_grad=True)
    m = x * d  # float32 * float64: x's gradient is cast back to float32
    assert m.grad_fn._meta is not None
    m.sum().backward()
    assert x.grad.dtype == weifen.float32


def _recorder_cases() -> list:
    from weifen.ops._dispatch import _fast_ok
    from weifen.ops._registry import TABLE

    out = []
    for c in test_ops._cases():
        op = TABLE.get(c.spec.name)
        if op is None or not op.differentiable or not _fast_ok(op) or c.sample.kwargs:
            continue
        if len(c.sample.args) == len(op.in_idx) and c.differentiable:
            out.append(pytest.param(c, id=c.key))
    return out


_NODE_SLOTS = ("_op", "_saved", "_versions", "_result", "_meta", "_nout", "_out_versions")


@pytest.mark.parametrize("case", _recorder_cases())
def test_generated_recording_matches_record_one(case):
    from weifen._tensor import _wrap
    from weifen.ops._dispatch import _record_one
    from weifen.ops._recorder import recorder
    from weifen.ops._registry import TABLE

    op = TABLE[case.spec.name]
    args, _, _ = test_ops.build(weifen, case)
    if not isinstance(args[0], weifen.Tensor) or not args[0].requires_grad:
        pytest.skip("the fast path records only from a tensor that requires grad")
    nin = len(op.in_idx)
    tail = op.bind(*([None] * nin))[nin:]
    raw = [a._data if isinstance(a, weifen.Tensor) else a for a in args]
    out = np.asarray(op.call(*raw, *tail))
    r1, r2 = _wrap(out, weifen.float64), _wrap(out, weifen.float64)
    recorder(op, nin, tail)(*args, r1, out)
    _record_one(op, (*args, *tail), tuple(args), r2, out)
    n1, n2 = r1.grad_fn, r2.grad_fn
    assert type(n1) is type(n2)
    assert n1.next_functions == n2.next_functions
    for name in _NODE_SLOTS:
        v1, v2 = getattr(n1, name), getattr(n2, name)
        if name == "_out_versions" and v1 is not None:
            v1 = [(id(c), v) for c, v in v1]
            v2 = [(id(c) if c is not r2._version else id(r1._version), v) for c, v in v2]
        assert _same(v1, v2), name
    assert n1._seq != n2._seq


def _same(x, y) -> bool:
    if isinstance(x, tuple | list) and isinstance(y, tuple | list):
        return len(x) == len(y) and all(_same(a, b) for a, b in zip(x, y))
    if isinstance(x, weifen.Tensor | np.ndarray) or isinstance(y, weifen.Tensor | np.ndarray):
        return x is y
    return type(x) is type(y) and x == y


def test_hooks_may_write_into_the_implicit_gradient():
    # the root gradient 1 is a new array per pass (copied from a kept 0-d one), and small
    # reduction gradients are filled arrays: a hook may modify them in place, as in PyTorch
    x = weifen.arange(3.0).requires_grad_()
    y = x.sum()
    y.register_hook(lambda g: g.mul_(2))
    y.backward()
    z = x.sum()
    z.backward()
    np.testing.assert_array_equal(x.grad.numpy(), [3.0, 3.0, 3.0])
    s = weifen.tensor(2.0, requires_grad=True)
    s.backward()
    s.grad.add_(5)
    s.backward()
    assert float(s.grad) == 7.0


def test_constant_gradient_times_a_number_stays_one_value():
    # the gradient of a large sum is one value broadcast; mul by a number keeps it so, and
    # the leaf still receives an array of its own that it may modify
    data = np.linspace(-1, 1, 100_000, dtype=np.float32)
    x = weifen.tensor(data, requires_grad=True)
    (x * 2.5).sum().backward()
    g = x.grad.numpy()
    assert g.flags.writeable and g.base is None and g.strides == (4,)
    np.testing.assert_array_equal(g, np.full(100_000, 2.5, np.float32))
    x.grad.add_(1)
    assert float(x.grad[0]) == 3.5
    (x * x + 3 * x).sum().backward()  # 2x + 3 added into the existing .grad
    np.testing.assert_array_equal(x.grad.numpy(), np.float32(3.5) + ((3 + data) + data))


def test_elision_only_for_operators_in_python_code():
    # a tensor reached through C code (an object array, np.add, map) is never written into
    t = weifen.ones(1_000_000) * 2
    o = np.empty(1, dtype=object)
    o[0] = t
    del t
    r = np.add(o, 1)
    r2 = o + 1
    s = list(map(weifen.add, [weifen.ones(1_000_000) * 2], [1.0]))
    assert float(o[0][0]) == 2.0 and float(r[0][0]) == 3.0 and float(r2[0][0]) == 3.0
    assert float(s[0][0]) == 3.0


@pytest.mark.parametrize("n", [1, 1000])  # a small array (np.where) and a large one (bit mask)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_relu_gradient_selects_like_threshold_backward(n, dtype):
    # PyTorch: +0 where the result is <= 0, else the gradient itself: a NaN input passes the
    # gradient on, an inf gradient where relu is flat gives 0 (g * mask would give NaN)
    x = np.tile([np.nan, -1.0, 2.0, 0.0, -0.0], n).astype(dtype)
    g = np.tile([1.0, np.inf, np.nan, -np.inf, -2.0], n).astype(dtype)
    expect = np.tile([1.0, 0.0, np.nan, 0.0, 0.0], n).astype(dtype)
    for create_graph in (False, True):
        t = weifen.tensor(x, requires_grad=True)
        (got,) = weifen.autograd.grad(t.relu(), t, weifen.tensor(g), create_graph=create_graph)
        np.testing.assert_array_equal(got.detach().numpy(), expect)
        assert got.dtype == t.dtype
        assert not np.signbit(got.detach().numpy()).any()  # +0, never -0
    torch = import_torch()
    if torch is not None:
        tx = torch.tensor(x, requires_grad=True)
        tx.relu().backward(torch.tensor(g))
        np.testing.assert_array_equal(tx.grad.numpy(), expect)
