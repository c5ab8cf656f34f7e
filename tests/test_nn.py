"""weifen.nn: layers, functional ops (finite differences in float64, double backward, and
PyTorch where installed), Module API, reprs, initialisation, and a small training run."""

from __future__ import annotations

import copy
import math
import pickle
import time
import warnings

import numpy as np
import pytest

import weifen as W
import weifen.nn.functional as F
from weifen import nn

RNG = np.random.default_rng(1234)


def w64(a, rg=True):
    return W.tensor(np.asarray(a, np.float64), requires_grad=rg)


def torch_or_skip():
    return pytest.importorskip("torch")


# ---- finite-difference machinery -------------------------------------------------------------


def _numeric_grad(f, arrays, i, eps=1e-6):
    """d f / d arrays[i] by central differences (f returns a float)."""
    a = arrays[i]
    g = np.zeros_like(a)
    flat = a.reshape(-1)
    gf = g.reshape(-1)
    for k in range(flat.size):
        old = flat[k]
        flat[k] = old + eps
        hi = f(arrays)
        flat[k] = old - eps
        lo = f(arrays)
        flat[k] = old
        gf[k] = (hi - lo) / (2 * eps)
    return g


def check_grad(fn, *arrays, diff=None, atol=1e-6, double=True):
    """fn(*tensors) -> tensor. Checks first derivatives against finite differences and,
    with double=True, the derivative of <grad, v> (so the backward ops' own formulas)."""
    arrays = [np.array(a, np.float64) for a in arrays]
    diff = list(range(len(arrays))) if diff is None else diff
    out0 = fn(*[w64(a, False) for a in arrays])
    gout = RNG.standard_normal(out0.shape)

    def scalar(arrs):
        with W.no_grad():
            return float((fn(*[w64(a, False) for a in arrs]) * W.tensor(gout)).sum())

    ts = [w64(a, i in diff) for i, a in enumerate(arrays)]
    out = fn(*ts)
    out.backward(W.tensor(gout))
    for i in diff:
        num = _numeric_grad(scalar, arrays, i)
        assert ts[i].grad is not None, f"no gradient for input {i}"
        np.testing.assert_allclose(ts[i].grad.numpy(), num, atol=atol, rtol=1e-5)
    if not double:
        return
    # second order: h(x, g) = <d<fn(x), g>/dx_j, v>, differentiated in x and in g
    j = diff[0]
    v = RNG.standard_normal(arrays[j].shape)

    def h_of(arrs, gvec, grad_mode):
        ts2 = [w64(a, i in diff) for i, a in enumerate(arrs)]
        gt = w64(gvec, grad_mode)
        (gx,) = W.autograd.grad((fn(*ts2) * gt).sum(), [ts2[j]], create_graph=True)
        return (gx * W.tensor(v)).sum(), ts2, gt

    h, ts2, gt = h_of(arrays, gout, True)
    if h.grad_fn is None:
        return  # the first derivative does not depend on anything differentiable
    wrt = [ts2[i] for i in diff] + [gt]
    grads = W.autograd.grad(h, wrt, allow_unused=True)
    for k, i in enumerate(diff):
        num = _numeric_grad(lambda arrs: float(h_of(arrs, gout, False)[0]), arrays, i)
        got = np.zeros_like(num) if grads[k] is None else grads[k].numpy()
        np.testing.assert_allclose(got, num, atol=1e-5, rtol=1e-4)
    gs = [gout.copy()]
    num = _numeric_grad(lambda gg: float(h_of(arrays, gg[0], False)[0]), gs, 0)
    got = np.zeros_like(num) if grads[-1] is None else grads[-1].numpy()
    np.testing.assert_allclose(got, num, atol=1e-5, rtol=1e-4)


def rand(*shape):
    return RNG.standard_normal(shape)


# ---- gradients of the table ops ----------------------------------------------------------------


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2},
        {"padding": 1},
        {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)},
        {"padding": "same"},
    ],
)
def test_conv2d_gradients(kw):
    check_grad(lambda x, k, b: F.conv2d(x, k, b, **kw), rand(2, 2, 5, 4), rand(3, 2, 3, 3), rand(3))


def test_conv2d_groups_and_unbatched_gradients():
    check_grad(lambda x, k: F.conv2d(x, k, groups=2), rand(1, 4, 4, 4), rand(4, 2, 2, 2))
    check_grad(lambda x, k: F.conv2d(x, k, padding=1), rand(2, 4, 3), rand(1, 2, 3, 3))


def test_conv1d_gradients():
    check_grad(
        lambda x, k, b: F.conv1d(x, k, b, stride=2, padding=1),
        rand(2, 3, 7),
        rand(2, 3, 3),
        rand(2),
    )


@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"kernel_size": 2, "dilation": 2},
    ],
)
def test_max_pool2d_gradients(kw):
    check_grad(lambda x: F.max_pool2d(x, **kw), rand(2, 2, 6, 7))


@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
        {"kernel_size": 2, "divisor_override": 3},
    ],
)
def test_avg_pool2d_gradients(kw):
    check_grad(lambda x: F.avg_pool2d(x, **kw), rand(2, 2, 6, 7))


def test_adaptive_pool_gradients():
    check_grad(lambda x: F.adaptive_avg_pool2d(x, (2, 3)), rand(1, 2, 5, 7))
    check_grad(lambda x: F.adaptive_avg_pool2d(x, 1), rand(1, 2, 4, 4))
    check_grad(lambda x: F.adaptive_max_pool2d(x, (2, 2)), rand(1, 2, 4, 4))


@pytest.mark.parametrize("shape", [(3,), (4, 3), (2, 2, 3)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_gradients(shape, bias):
    if bias:
        check_grad(lambda x, w, b: F.linear(x, w, b), rand(*shape), rand(2, 3), rand(2))
    else:
        check_grad(lambda x, w: F.linear(x, w), rand(*shape), rand(2, 3))


TARGET = np.array([0, 3, 1, 1, 2])


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"ignore_index": 1},
        {"weight": np.array([1.0, 2.0, 0.5, 1.0])},
        {"label_smoothing": 0.2},
    ],
)
def test_cross_entropy_gradients(kw):
    def fn(x):
        k = {a: (W.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}
        return F.cross_entropy(x, W.tensor(TARGET), **k)

    check_grad(fn, rand(5, 4))


def test_nll_loss_spatial_and_1d_gradients():
    t = W.tensor(RNG.integers(0, 3, (2, 4, 5)))
    check_grad(lambda x: F.nll_loss(x, t), rand(2, 3, 4, 5))
    check_grad(lambda x: F.nll_loss(x, W.tensor(2), reduction="none"), rand(4))
    probs = RNG.random((5, 4))
    probs /= probs.sum(1, keepdims=True)
    check_grad(lambda x: F.cross_entropy(x, W.tensor(probs)), rand(5, 4))


@pytest.mark.parametrize("name", ["mse_loss", "huber_loss", "smooth_l1_loss", "l1_loss"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_loss_gradients(name, reduction):
    fn = getattr(F, name)
    check_grad(lambda x, y: fn(x, y, reduction=reduction), rand(3, 4) * 2, rand(3, 4))


def test_bce_gradients():
    p = 1 / (1 + np.exp(-rand(3, 4)))
    y = RNG.random((3, 4))
    check_grad(lambda x, t: F.binary_cross_entropy(x, t), p, y, double=False)
    check_grad(lambda x, t: F.binary_cross_entropy_with_logits(x, t), rand(3, 4), y)
    pw = W.tensor(np.array([1.0, 2.0, 0.5, 3.0]))
    check_grad(lambda x, t: F.binary_cross_entropy_with_logits(x, t, pos_weight=pw), rand(3, 4), y)


@pytest.mark.parametrize(
    "fn",
    [
        F.gelu,
        lambda x: F.gelu(x, approximate="tanh"),
        F.leaky_relu,
        F.elu,
        F.silu,
        F.softplus,
        F.hardtanh,
        F.mish,
        F.logsigmoid,
        F.selu,
    ],
)
def test_activation_gradients(fn):
    x = rand(3, 5) * 2
    x[np.abs(x) < 0.05] = 0.3  # stay off the kinks
    x[np.abs(np.abs(x) - 1) < 0.05] = 0.5
    check_grad(fn, x)


def test_embedding_and_pad_gradients():
    idx = W.tensor(np.array([[1, 2, 2], [4, 1, 0]]))
    check_grad(lambda w: F.embedding(idx, w), rand(5, 3))
    wt = w64(rand(5, 3))
    F.embedding(idx, wt, padding_idx=2).sum().backward()
    assert wt.grad[2].tolist() == [0.0, 0.0, 0.0] and wt.grad[1].tolist() == [2.0, 2.0, 2.0]
    check_grad(lambda x: F.pad(x, (1, 2, 0, 1)), rand(2, 3, 4))
    check_grad(lambda x: F.pad(x, (-1, 1)), rand(2, 4))


def test_norm_layers_gradients():
    check_grad(
        lambda x, w, b: F.batch_norm(x, None, None, w, b, training=True),
        rand(4, 3, 2, 2),
        rand(3),
        rand(3),
        double=False,
    )
    check_grad(
        lambda x, w, b: F.layer_norm(x, (4,), w, b), rand(3, 4), rand(4), rand(4), double=False
    )


# ---- forward values and gradients against PyTorch ---------------------------------------------


def _cmp(a, b, tol=1e-5):
    a = a.detach().numpy()
    b = b.detach().numpy()
    assert a.shape == b.shape
    np.testing.assert_allclose(a, b, atol=tol, rtol=tol)


def _pair_run(fn_w, fn_t, *arrays, tol=1e-5):
    torch = torch_or_skip()
    tw = [W.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    tt = [torch.tensor(a, requires_grad=a.dtype.kind == "f") for a in arrays]
    yw, yt = fn_w(*tw), fn_t(*tt)
    _cmp(yw, yt, tol)
    assert type(yw.grad_fn).__name__ == type(yt.grad_fn).__name__
    g = RNG.standard_normal(tuple(yt.shape)).astype(np.float32)
    yw.backward(W.tensor(g))
    yt.backward(torch.tensor(g))
    for a, b in zip(tw, tt):
        if b.grad is not None:
            _cmp(a.grad, b.grad, tol * 10)


def f32(*shape):
    return RNG.standard_normal(shape).astype(np.float32)


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"stride": 2},
        {"padding": 1},
        {"stride": (2, 1), "padding": (1, 2), "dilation": (2, 1)},
        {"groups": 3},
    ],
)
def test_conv2d_vs_torch(kw):
    torch = torch_or_skip()
    k = f32(6, 3 // kw.get("groups", 1), 3, 2)
    _pair_run(
        lambda x, k, b: F.conv2d(x, k, b, **kw),
        lambda x, k, b: torch.nn.functional.conv2d(x, k, b, **kw),
        f32(2, 3, 7, 6),
        k,
        f32(6),
        tol=1e-4,
    )


@pytest.mark.parametrize("name", ["max_pool2d", "avg_pool2d"])
@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 2, "padding": 1},
        {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    ],
)
def test_pool_vs_torch(name, kw):
    torch = torch_or_skip()
    _pair_run(
        lambda x: getattr(F, name)(x, **kw),
        lambda x: getattr(torch.nn.functional, name)(x, **kw),
        f32(2, 3, 7, 6),
    )


def test_max_pool_indices_vs_torch():
    torch = torch_or_skip()
    x = f32(2, 3, 7, 6)
    iw = F.max_pool2d(W.tensor(x), 3, 2, 1, return_indices=True)[1]
    it = torch.nn.functional.max_pool2d(torch.tensor(x), 3, 2, 1, return_indices=True)[1]
    assert iw.tolist() == it.tolist()
    assert iw.dtype is W.int64


@pytest.mark.parametrize(
    "kw",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"ignore_index": 1},
        {"label_smoothing": 0.1},
        {"weight": np.array([1, 2, 0.5, 1], np.float32)},
        {"weight": np.array([1, 2, 0.5, 1], np.float32), "label_smoothing": 0.3},
    ],
)
def test_cross_entropy_vs_torch(kw):
    torch = torch_or_skip()

    def conv(lib):
        return {a: (lib.tensor(b) if isinstance(b, np.ndarray) else b) for a, b in kw.items()}

    _pair_run(
        lambda x: F.cross_entropy(x, W.tensor(TARGET), **conv(W)),
        lambda x: torch.nn.functional.cross_entropy(x, torch.tensor(TARGET), **conv(torch)),
        f32(5, 4),
    )


@pytest.mark.parametrize(
    "name",
    ["mse_loss", "l1_loss", "smooth_l1_loss", "huber_loss", "binary_cross_entropy_with_logits"],
)
def test_losses_vs_torch(name):
    torch = torch_or_skip()
    y = RNG.random((5, 4)).astype(np.float32)
    _pair_run(
        lambda x: getattr(F, name)(x, W.tensor(y)),
        lambda x: getattr(torch.nn.functional, name)(x, torch.tensor(y)),
        f32(5, 4),
    )


def test_bce_vs_torch():
    torch = torch_or_skip()
    p = (1 / (1 + np.exp(-f32(5, 4)))).astype(np.float32)
    y = RNG.random((5, 4)).astype(np.float32)
    _pair_run(
        lambda x: F.binary_cross_entropy(x, W.tensor(y)),
        lambda x: torch.nn.functional.binary_cross_entropy(x, torch.tensor(y)),
        p,
    )


@pytest.mark.parametrize(
    "name",
    [
        "gelu",
        "leaky_relu",
        "elu",
        "silu",
        "softplus",
        "relu6",
        "hardtanh",
        "relu",
        "sigmoid",
        "tanh",
    ],
)
def test_activations_vs_torch(name):
    torch = torch_or_skip()
    _pair_run(getattr(F, name), getattr(torch.nn.functional, name), f32(4, 5) * 3)


def test_linear_vs_torch_and_node_names():
    torch = torch_or_skip()
    for shape in [(3,), (4, 3), (2, 4, 3)]:
        _pair_run(F.linear, torch.nn.functional.linear, f32(*shape), f32(2, 3), f32(2))
        _pair_run(F.linear, torch.nn.functional.linear, f32(*shape), f32(2, 3))


def test_batchnorm_layernorm_vs_torch():
    torch = torch_or_skip()
    x = f32(4, 3, 5, 5)
    bw, bt = nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3)
    for _ in range(2):
        xw, xt = W.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
        yw, yt = bw(xw), bt(xt)
        _cmp(yw, yt, 1e-4)
        (yw * yw).sum().backward()
        (yt * yt).sum().backward()
        _cmp(xw.grad, xt.grad, 1e-3)
    _cmp(bw.running_mean, bt.running_mean)
    _cmp(bw.running_var, bt.running_var)
    assert int(bw.num_batches_tracked) == 2
    bw.eval()
    bt.eval()
    _cmp(bw(W.tensor(x)), bt(torch.tensor(x)), 1e-4)
    x1 = f32(6, 3)
    b1w, b1t = nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None)
    _cmp(b1w(W.tensor(x1)), b1t(torch.tensor(x1)), 1e-4)
    _cmp(b1w.running_var, b1t.running_var)
    lw, lt = nn.LayerNorm([5, 5]), torch.nn.LayerNorm([5, 5])
    _cmp(lw(W.tensor(x)), lt(torch.tensor(x)), 1e-4)


def test_embedding_vs_torch():
    torch = torch_or_skip()
    idx = np.array([[1, 2, 2], [9, 1, 0]])
    _pair_run(
        lambda wt: F.embedding(W.tensor(idx), wt, padding_idx=2),
        lambda wt: torch.nn.functional.embedding(torch.tensor(idx), wt, padding_idx=2),
        f32(10, 3),
    )


def test_error_messages_vs_torch():
    torch = torch_or_skip()
    cases = [
        lambda m: m.nn.functional.linear(m.ones(2, 3), m.ones(2, 4)),
        lambda m: m.nn.functional.conv2d(m.ones(1, 2, 5, 5), m.ones(1, 1, 3, 3)),
        lambda m: m.nn.functional.cross_entropy(m.ones(2, 3), m.tensor([0, 5])),
        lambda m: m.nn.functional.nll_loss(m.ones(2, 3), m.tensor([0, 1, 1])),
        lambda m: m.nn.functional.embedding(m.tensor([1.0]), m.ones(3, 2)),
        lambda m: m.nn.functional.linear(m.ones(2, 3, dtype=m.float64), m.ones(2, 3)),
    ]
    for case in cases:
        errs = []
        for m in (W, torch):
            with pytest.raises(Exception) as e:
                case(m)
            errs.append((type(e.value).__name__, str(e.value)))
        assert errs[0] == errs[1]


# ---- modules ----------------------------------------------------------------------------------


def _modules(m):
    return [
        m.Sequential(m.Linear(2, 1)),
        m.Sequential(m.Flatten(), m.Linear(784, 256), m.ReLU(), m.Dropout(0.5), m.Linear(256, 10)),
        m.Sequential(
            m.Conv2d(1, 6, kernel_size=5, padding=2),
            m.Sigmoid(),
            m.AvgPool2d(kernel_size=2, stride=2),
            m.Conv2d(6, 16, kernel_size=5),
            m.Sigmoid(),
            m.MaxPool2d(kernel_size=2, stride=2),
            m.Flatten(),
            m.Linear(16 * 5 * 5, 120),
            m.Sigmoid(),
            m.Linear(120, 84),
            m.Tanh(),
        ),
        m.Conv2d(1, 6, (3, 5), stride=2, bias=False, dilation=2, groups=1),
        m.Conv2d(4, 4, 3, padding="same", groups=2),
        m.MaxPool2d(3, 2, 1),
        m.AdaptiveAvgPool2d((1, 1)),
        m.AdaptiveAvgPool2d(1),
        m.BatchNorm2d(6),
        m.BatchNorm1d(6, affine=False),
        m.LayerNorm(5),
        m.LayerNorm([2, 3]),
        m.ReLU(inplace=True),
        m.LeakyReLU(),
        m.LeakyReLU(0.2, True),
        m.Softmax(dim=1),
        m.LogSoftmax(1),
        m.Identity(),
        m.GELU(),
        m.GELU("tanh"),
        m.Embedding(10, 3),
        m.Embedding(10, 3, padding_idx=0),
        m.MSELoss(),
        m.CrossEntropyLoss(),
        m.CrossEntropyLoss(reduction="none"),
        m.ELU(),
        m.SiLU(),
        m.Softplus(),
        m.Hardtanh(),
        m.ReLU6(),
        m.Unflatten(1, (2, 2)),
        m.Dropout2d(),
        m.AvgPool2d(3, stride=1, padding=1),
        m.HuberLoss(),
        m.SmoothL1Loss(),
        m.BCELoss(),
        m.NLLLoss(),
        m.L1Loss(),
        m.BCEWithLogitsLoss(),
        m.Softmax(),
        m.Conv1d(3, 4, 3),
        m.MaxPool1d(2),
        m.AvgPool1d(3),
        m.ModuleList([m.Linear(2, 2) for _ in range(3)] + [m.ReLU()]),
        m.ModuleDict({"act": m.ReLU(), "lin": m.Linear(2, 3)}),
        m.ModuleList(),
        m.Sequential(m.Sequential(m.Linear(4, 8), m.ReLU()), m.Linear(8, 1)),
    ]


def test_module_reprs_vs_torch():
    torch = torch_or_skip()
    for a, b in zip(_modules(nn), _modules(torch.nn)):
        assert repr(a) == repr(b)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name, args in [("LazyLinear", (3,)), ("LazyConv2d", (6, 5)), ("LazyBatchNorm2d", ())]:
            assert repr(getattr(nn, name)(*args)) == repr(getattr(torch.nn, name)(*args))
        assert repr(nn.LazyLinear(3).weight) == repr(torch.nn.LazyLinear(3).weight)


def test_parameter_repr_and_basics():
    p = nn.Parameter(W.tensor([1.0, 2.0]))
    assert repr(p) == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    assert isinstance(p, W.Tensor) and p.is_leaf and p.requires_grad
    q = nn.Parameter(W.ones(2), requires_grad=False)
    assert repr(q) == "Parameter containing:\ntensor([1., 1.])"
    assert type(p * 2) is W.Tensor
    assert type(copy.deepcopy(p)) is nn.Parameter
    r = pickle.loads(pickle.dumps(p))
    assert type(r) is nn.Parameter and r.requires_grad and r.tolist() == [1.0, 2.0]


def test_module_registration_and_traversal():
    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.hidden = nn.Linear(4, 3)
            self.out = nn.Linear(3, 2)
            self.scale = nn.Parameter(W.ones(1))
            self.register_buffer("counter", W.zeros(1))
            self.register_buffer("tmp", W.zeros(1), persistent=False)

        def forward(self, x):
            return self.out(F.relu(self.hidden(x))) * self.scale

    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ["scale", "hidden.weight", "hidden.bias", "out.weight", "out.bias"]
    assert list(net.state_dict()) == names[:1] + ["counter"] + names[1:]
    assert [n for n, _ in net.named_modules()] == ["", "hidden", "out"]
    assert [n for n, _ in net.named_buffers()] == ["counter", "tmp"]
    assert len(list(net.children())) == 2
    assert net(W.randn(5, 4)).shape == (5, 2)
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'nope'"):
        _ = net.nope
    with pytest.raises(TypeError, match="cannot assign 'torch.FloatTensor' as parameter 'scale'"):
        net.scale = W.ones(1)
    net.eval()
    assert not net.training and not net.hidden.training
    net.train()
    assert net.out.training
    seen = []
    assert net.apply(lambda m: seen.append(type(m).__name__)) is net
    assert seen == ["Linear", "Linear", "Net"]
    with pytest.raises(NotImplementedError, match=r"Module \[Module\] is missing the required"):
        nn.Module()(1)


def test_state_dict_roundtrip_and_errors():
    a = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    b = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    sd = a.state_dict()
    assert not sd["0.weight"].requires_grad
    assert repr(b.load_state_dict(sd)) == "<All keys matched successfully>"
    for pa, pb in zip(a.parameters(), b.parameters()):
        assert np.array_equal(pa.detach().numpy(), pb.detach().numpy())
        assert pb.requires_grad
    sd2 = dict(sd)
    del sd2["2.bias"]
    sd2["extra"] = W.ones(1)
    with pytest.raises(RuntimeError) as e:
        b.load_state_dict(sd2)
    assert str(e.value) == (
        "Error(s) in loading state_dict for Sequential:\n\tMissing key(s) in state_dict: "
        '"2.bias". \n\tUnexpected key(s) in state_dict: "extra". '
    )
    r = b.load_state_dict(sd2, strict=False)
    assert r.missing_keys == ["2.bias"] and r.unexpected_keys == ["extra"]
    sd3 = dict(sd)
    sd3["0.weight"] = W.ones(2, 3)
    with pytest.raises(
        RuntimeError,
        match="size mismatch for 0.weight: copying a param with "
        r"shape torch.Size\(\[2, 3\]\) from checkpoint",
    ):
        b.load_state_dict(sd3)


def test_state_dict_vs_torch():
    torch = torch_or_skip()
    mw = nn.Sequential(
        nn.Conv2d(1, 2, 3),
        nn.BatchNorm2d(2),
        nn.Flatten(),
        nn.LazyLinear(1) if False else nn.Linear(2, 1),
    )
    mt = torch.nn.Sequential(
        torch.nn.Conv2d(1, 2, 3), torch.nn.BatchNorm2d(2), torch.nn.Flatten(), torch.nn.Linear(2, 1)
    )
    assert list(mw.state_dict()) == list(mt.state_dict())
    mt.load_state_dict({k: torch.tensor(v.numpy()) for k, v in mw.state_dict().items()})
    mw.eval()
    mt.eval()
    x = f32(2, 1, 3, 3)
    _cmp(mw(W.tensor(x)), mt(torch.tensor(x)), 1e-5)


def test_zero_grad_to_and_hooks():
    net = nn.Linear(2, 1)
    net(W.ones(3, 2)).sum().backward()
    assert net.weight.grad is not None
    net.zero_grad(set_to_none=False)
    assert net.weight.grad.tolist() == [[0.0, 0.0]]
    net.zero_grad()
    assert net.weight.grad is None
    w_obj = net.weight
    net.to(W.float64)
    assert net.weight is w_obj and net.weight.dtype is W.float64
    assert net(W.ones(1, 2, dtype=W.float64)).dtype is W.float64
    net.float()
    calls = []
    h = net.register_forward_hook(lambda m, inp, out: calls.append(out.shape) or out * 0)
    hp = net.register_forward_pre_hook(lambda m, inp: (inp[0] * 2,))
    assert net(W.ones(1, 2)).tolist() == [[0.0]]
    h.remove()
    hp.remove()
    assert calls == [W.Size([1, 1])] and net(W.ones(1, 2)).tolist() != [[0.0]]


def test_default_init_bounds():
    W.manual_seed(0)
    lin = nn.Linear(100, 50)
    bound = 1 / math.sqrt(100)  # kaiming_uniform(a=sqrt(5)) gives the same bound
    assert np.abs(lin.weight.detach().numpy()).max() <= bound
    assert np.abs(lin.weight.detach().numpy()).max() > 0.9 * bound
    assert np.abs(lin.bias.detach().numpy()).max() <= bound
    conv = nn.Conv2d(3, 8, 5)
    assert np.abs(conv.weight.detach().numpy()).max() <= 1 / math.sqrt(75)
    emb = nn.Embedding(1000, 4, padding_idx=3)
    assert abs(float(emb.weight.std()) - 1) < 0.1 and emb.weight[3].tolist() == [0.0] * 4
    W.manual_seed(0)
    a = nn.Linear(3, 3).weight.tolist()
    W.manual_seed(0)
    assert nn.Linear(3, 3).weight.tolist() == a


def test_init_functions():
    t = W.empty(40, 60)
    nn.init.xavier_uniform_(t)
    assert np.abs(t.numpy()).max() <= math.sqrt(6 / 100)
    nn.init.normal_(t, mean=0, std=0.01)
    assert abs(float(t.std()) - 0.01) < 0.001
    nn.init.zeros_(t)
    assert float(t.abs().sum()) == 0
    nn.init.constant_(t, 3)
    assert float(t.mean()) == 3
    nn.init.kaiming_normal_(t, nonlinearity="relu")
    assert abs(float(t.std()) - math.sqrt(2 / 60)) < 0.02
    p = nn.Parameter(W.empty(3, 3))
    nn.init.ones_(p)
    nn.init.eye_(p)
    assert p.requires_grad and p.is_leaf and p.tolist()[0] == [1.0, 0.0, 0.0]
    assert nn.init.calculate_gain("tanh") == 5.0 / 3


def test_lazy_modules():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        net = nn.Sequential(
            nn.LazyConv2d(4, 3, padding=1),
            nn.LazyBatchNorm2d(),
            nn.ReLU(),
            nn.Flatten(),
            nn.LazyLinear(2),
        )
    from weifen.optim import SGD

    opt = SGD(net.parameters(), lr=0.1)
    out = net(W.randn(2, 3, 5, 5))
    assert out.shape == (2, 2)
    assert type(net[0]) is nn.Conv2d and type(net[4]) is nn.Linear
    assert type(net[1]) is nn.BatchNorm2d
    assert repr(net[4]) == "Linear(in_features=100, out_features=2, bias=True)"
    assert net[0].weight.shape == (4, 3, 3, 3)
    out.sum().backward()
    before = net[4].weight.detach().numpy().copy()
    opt.step()
    assert not np.array_equal(before, net[4].weight.detach().numpy())


def test_dropout_modes():
    d = nn.Dropout(0.5)
    x = W.ones(1000)
    y = d(x)
    vals = set(np.unique(y.numpy()).tolist())
    assert vals <= {0.0, 2.0} and 300 < int((y == 0).sum()) < 700
    d.eval()
    assert d(x) is x
    assert F.dropout(x, 1.0).sum().item() == 0
    with pytest.raises(ValueError, match="dropout probability has to be between 0 and 1"):
        nn.Dropout(1.5)


def test_clip_grad_norm():
    p = nn.Parameter(W.tensor([3.0, 4.0]))
    q = nn.Parameter(W.tensor([0.0]))
    p.grad = W.tensor([3.0, 4.0])
    q.grad = W.tensor([12.0])
    n = nn.utils.clip_grad_norm_([p, q], 1.0)
    assert abs(float(n) - 13.0) < 1e-5
    total = math.sqrt(float((p.grad**2).sum()) + float((q.grad**2).sum()))
    assert abs(total - 1.0) < 1e-4
    nn.utils.clip_grad_value_([p, q], 0.1)
    assert float(q.grad.max()) <= 0.1 + 1e-6
    v = nn.utils.parameters_to_vector([p, q])
    assert v.shape == (3,)


def test_clip_grad_norm_vs_torch():
    torch = torch_or_skip()
    g = [f32(3, 4) * 5, f32(5)]
    pw = [nn.Parameter(W.zeros(*a.shape)) for a in g]
    pt = [torch.nn.Parameter(torch.zeros(*a.shape)) for a in g]
    for a, b, gg in zip(pw, pt, g):
        a.grad, b.grad = W.tensor(gg), torch.tensor(gg)
    for norm in (2.0, 1.0, math.inf):
        nw = nn.utils.clip_grad_norm_(pw, 2.0, norm)
        nt = torch.nn.utils.clip_grad_norm_(pt, 2.0, norm)
        assert abs(float(nw) - float(nt)) < 1e-4 * max(1.0, float(nt))
        for a, b in zip(pw, pt):
            _cmp(a.grad, b.grad, 1e-5)


# ---- models and training ----------------------------------------------------------------------


def _lenet(m):
    return m.Sequential(
        m.Conv2d(1, 6, kernel_size=5, padding=2),
        m.Sigmoid(),
        m.AvgPool2d(kernel_size=2, stride=2),
        m.Conv2d(6, 16, kernel_size=5),
        m.Sigmoid(),
        m.MaxPool2d(kernel_size=2, stride=2),
        m.Flatten(),
        m.Linear(16 * 5 * 5, 120),
        m.ReLU(),
        m.Linear(120, 84),
        m.Sigmoid(),
        m.Linear(84, 10),
    )


def test_lenet_training_steps_vs_torch():
    torch = torch_or_skip()
    import weifen.optim as wopt

    nw, nt = _lenet(nn), _lenet(torch.nn)
    nt.load_state_dict({k: torch.tensor(v.numpy()) for k, v in nw.state_dict().items()})
    ow = wopt.SGD(nw.parameters(), lr=0.9, momentum=0.5)
    ot = torch.optim.SGD(nt.parameters(), lr=0.9, momentum=0.5)
    x = f32(8, 1, 28, 28)
    y = RNG.integers(0, 10, 8)
    for _ in range(3):
        lw = nn.CrossEntropyLoss()(nw(W.tensor(x)), W.tensor(y))
        lt = torch.nn.CrossEntropyLoss()(nt(torch.tensor(x)), torch.tensor(y))
        assert abs(lw.item() - lt.item()) < 1e-4
        ow.zero_grad()
        ot.zero_grad()
        lw.backward()
        lt.backward()
        ow.step()
        ot.step()
    for a, b in zip(nw.parameters(), nt.parameters()):
        _cmp(a, b, 2e-4)


def test_softmax_regression_trains_fast():
    W.manual_seed(0)
    from weifen.optim import SGD
    from weifen.utils.data import DataLoader, TensorDataset

    n, d, k = 600, 20, 4
    centers = RNG.standard_normal((k, d)) * 2
    y = RNG.integers(0, k, n)
    x = (centers[y] + RNG.standard_normal((n, d))).astype(np.float32)
    loader = DataLoader(TensorDataset(W.tensor(x), W.tensor(y)), batch_size=64, shuffle=True)
    net = nn.Sequential(nn.Flatten(), nn.Linear(d, 32), nn.ReLU(), nn.Linear(32, k))
    net.apply(lambda m: nn.init.normal_(m.weight, std=0.01) if type(m) is nn.Linear else None)
    loss = nn.CrossEntropyLoss()
    opt = SGD(net.parameters(), lr=0.1)
    start = time.perf_counter()
    losses = []
    for _ in range(5):
        total = 0.0
        for xb, yb in loader:
            ls = loss(net(xb), yb)
            opt.zero_grad()
            ls.backward()
            opt.step()
            total += ls.item() * len(yb)
        losses.append(total / n)
    assert time.perf_counter() - start < 5
    assert losses[-1] < losses[0] * 0.5
    with W.no_grad():
        acc = (net(W.tensor(x)).argmax(1) == W.tensor(y)).float().mean().item()
    assert acc > 0.9


def test_linear_regression_concise():
    W.manual_seed(1)
    from weifen.optim import SGD
    from weifen.utils.data import DataLoader, TensorDataset

    true_w, true_b = W.tensor([2, -3.4]), 4.2
    x = W.normal(0, 1, (1000, 2))
    y = (x @ true_w + true_b + W.normal(0, 0.01, (1000,))).reshape((-1, 1))
    net = nn.Sequential(nn.Linear(2, 1))
    net[0].weight.data.normal_(0, 0.01)
    net[0].bias.data.fill_(0)
    loss = nn.MSELoss()
    trainer = SGD(net.parameters(), lr=0.03)
    for _ in range(3):
        for xb, yb in DataLoader(TensorDataset(x, y), 10, shuffle=True):
            ls = loss(net(xb), yb)
            trainer.zero_grad()
            ls.backward()
            trainer.step()
    assert float((net[0].weight.data.reshape(true_w.shape) - true_w).abs().max()) < 0.01
    assert abs(float(net[0].bias.data) - true_b) < 0.01
    assert loss(net(x), y).grad_fn.name() if hasattr(loss(net(x), y).grad_fn, "name") else True


@pytest.mark.slow
def test_conv_speed():
    x = W.randn(64, 16, 28, 28)
    conv = nn.Conv2d(16, 32, 3, padding=1)
    start = time.perf_counter()
    y = conv(x)
    y.sum().backward()
    assert time.perf_counter() - start < 2.0


def test_module_pickle_and_deepcopy():
    net = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3), nn.Flatten())
    for clone in (pickle.loads(pickle.dumps(net)), copy.deepcopy(net)):
        assert repr(clone) == repr(net)
        assert type(clone[0].weight) is nn.Parameter and clone[0].weight is not net[0].weight
        assert clone[0].weight.tolist() == net[0].weight.tolist()
        net.eval()
        clone.eval()
        x = W.randn(4, 2)
        assert clone(x).tolist() == net(x).tolist()
    assert str(type(net)) == "<class 'torch.nn.modules.container.Sequential'>"


@pytest.mark.parametrize(
    "kw",
    [
        {"kernel_size": 2},
        {"kernel_size": 3, "stride": 1, "padding": 1},
        {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True},
        {"kernel_size": (2, 3), "stride": 1, "dilation": (1, 2)},
    ],
)
def test_max_pool_ties_nan_signed_zero_vs_torch(kw):
    # windows that overlap, tie, hold NaN, +-0 and -inf: values, indices and gradients must
    # be PyTorch's bit for bit (which element wins decides where the gradient goes)
    torch = torch_or_skip()
    rng = np.random.default_rng(7)
    x = rng.choice(
        np.array([0.0, -0.0, 1.0, -1.0, 2.0, np.nan, -np.inf], np.float32), size=(2, 2, 7, 8)
    )
    g = rng.standard_normal((2, 2, 7, 8)).astype(np.float32)  # sliced to the output's shape
    xw = W.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    ow, iw = F.max_pool2d(xw, return_indices=True, **kw)
    ot, it = torch.nn.functional.max_pool2d(xt, return_indices=True, **kw)
    gs = g[:, :, : ot.shape[2], : ot.shape[3]]
    ow.backward(W.tensor(gs))
    ot.backward(torch.tensor(gs))
    assert iw.tolist() == it.tolist()
    np.testing.assert_array_equal(ow.detach().numpy(), ot.detach().numpy())
    assert np.array_equal(np.signbit(ow.detach().numpy()), np.signbit(ot.detach().numpy()))
    np.testing.assert_array_equal(xw.grad.numpy(), xt.grad.numpy())
