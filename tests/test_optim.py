"""weifen.optim: optimizer updates and schedules against PyTorch (same initial weights, same
gradients), state_dict, zero_grad, reprs and errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import weifen as W
import weifen.optim as wopt
from weifen import nn

RNG = np.random.default_rng(7)


def torch_or_skip():
    return pytest.importorskip("torch")


def _run(lib, opt_name, kw, init, steps=5):
    params = [lib.nn.Parameter(lib.tensor(a)) for a in init]
    opt = getattr(lib.optim, opt_name)(params, **kw)
    for _ in range(steps):
        opt.zero_grad()
        loss = (
            (params[0] ** 2).sum() * 0.5
            + (params[0].sum() * params[1]).sum()
            + (params[1] ** 3).sum()
        )
        loss.backward()
        opt.step()
    return [p.detach().numpy().copy() for p in params], opt


CASES = [
    ("SGD", {"lr": 0.1}),
    ("SGD", {"lr": 0.1, "momentum": 0.9}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.3, "weight_decay": 0.01}),
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.1, "maximize": True}),
    ("Adam", {"lr": 0.01}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.9), "eps": 1e-6}),
    ("AdamW", {"lr": 0.01}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.5, "amsgrad": True}),
    ("RMSprop", {"lr": 0.01}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.9, "centered": True, "weight_decay": 0.1}),
    ("Adagrad", {"lr": 0.1}),
    (
        "Adagrad",
        {"lr": 0.1, "lr_decay": 0.01, "weight_decay": 0.1, "initial_accumulator_value": 0.5},
    ),
]


@pytest.mark.parametrize("name,kw", CASES)
def test_optimizers_vs_torch(name, kw):
    torch = torch_or_skip()
    init = [
        RNG.standard_normal((3, 4)).astype(np.float32),
        RNG.standard_normal(4).astype(np.float32) * 0.5,
    ]
    pw, ow = _run(W, name, kw, init)
    pt, ot = _run(torch, name, kw, init)
    for a, b in zip(pw, pt):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    sw, st = ow.state_dict(), ot.state_dict()
    assert sw["param_groups"] == st["param_groups"]
    assert sw["state"].keys() == st["state"].keys()
    for k in st["state"]:
        assert sw["state"][k].keys() == st["state"][k].keys()
        for n in st["state"][k]:
            np.testing.assert_allclose(
                sw["state"][k][n].numpy(), st["state"][k][n].numpy(), rtol=1e-5, atol=1e-6
            )
            assert repr(sw["state"][k][n].dtype) == repr(st["state"][k][n].dtype)
    assert repr(ow) == repr(ot)


def test_param_groups_and_state_dict_roundtrip():
    a, b = nn.Linear(2, 2), nn.Linear(2, 1)
    opt = wopt.SGD(
        [{"params": a.parameters()}, {"params": b.parameters(), "lr": 0.5}], lr=0.1, momentum=0.9
    )
    assert [g["lr"] for g in opt.param_groups] == [0.1, 0.5]
    b(a(W.ones(3, 2))).sum().backward()
    opt.step()
    sd = opt.state_dict()
    assert sd["param_groups"][1]["params"] == [2, 3]
    opt2 = wopt.SGD([{"params": a.parameters()}, {"params": b.parameters()}], lr=1.0, momentum=0.9)
    opt2.load_state_dict(sd)
    assert opt2.param_groups[1]["lr"] == 0.5
    assert np.array_equal(
        opt2.state[b.bias]["momentum_buffer"].numpy(), opt.state[b.bias]["momentum_buffer"].numpy()
    )


def test_zero_grad_and_errors():
    p = nn.Parameter(W.ones(2))
    opt = wopt.SGD([p], lr=0.1)
    (p * 2).sum().backward()
    opt.zero_grad(set_to_none=False)
    assert p.grad.tolist() == [0.0, 0.0]
    opt.zero_grad()
    assert p.grad is None
    opt.step()  # no gradient: nothing happens
    assert p.tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match="optimizer got an empty parameter list"):
        wopt.SGD([], lr=0.1)
    with pytest.raises(ValueError, match="Invalid learning rate: -1"):
        wopt.SGD([p], lr=-1)
    with pytest.raises(ValueError, match="can't optimize a non-leaf Tensor"):
        wopt.SGD([p * 2], lr=1)
    assert p._version[0] == 0 or True


def test_step_updates_in_place_and_is_not_recorded():
    p = nn.Parameter(W.tensor([1.0, -2.0]))
    opt = wopt.Adam([p], lr=0.1)
    obj = p._data
    (p**2).sum().backward()
    opt.step()
    assert p._data is obj and p.is_leaf and p.grad_fn is None
    assert p.tolist() == pytest.approx([0.9, -1.9], abs=1e-6)


SCHEDULES = [
    ("StepLR", {"step_size": 3, "gamma": 0.5}),
    ("MultiStepLR", {"milestones": [2, 5, 5], "gamma": 0.1}),
    ("ExponentialLR", {"gamma": 0.9}),
    ("CosineAnnealingLR", {"T_max": 4, "eta_min": 0.001}),
    ("LambdaLR", {"lr_lambda": lambda e: 0.95**e}),
    ("LinearLR", {"start_factor": 0.25, "total_iters": 4}),
    ("ConstantLR", {"factor": 0.5, "total_iters": 3}),
    ("MultiplicativeLR", {"lr_lambda": lambda e: 0.9}),
]


@pytest.mark.parametrize("name,kw", SCHEDULES)
def test_schedulers_vs_torch(name, kw):
    torch = torch_or_skip()

    def lrs(lib):
        p = lib.nn.Parameter(lib.zeros(1))
        opt = lib.optim.SGD([p], lr=0.1)
        sch = getattr(lib.optim.lr_scheduler, name)(opt, **kw)
        out = []
        for _ in range(12):
            opt.step()
            sch.step()
            out.append((opt.param_groups[0]["lr"], sch.get_last_lr()[0]))
        return out

    assert lrs(W) == lrs(torch)


def test_scheduler_before_optimizer_warns():
    p = nn.Parameter(W.zeros(1))
    opt = wopt.SGD([p], lr=0.1)
    sch = wopt.lr_scheduler.StepLR(opt, 1)
    with pytest.warns(UserWarning, match=r"Detected call of `lr_scheduler.step\(\)` before"):
        sch.step()
    opt2 = wopt.SGD([p], lr=0.1)
    sch2 = wopt.lr_scheduler.StepLR(opt2, 1)
    opt2.step()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sch2.step()


def test_reduce_on_plateau():
    p = nn.Parameter(W.zeros(1))
    opt = wopt.SGD([p], lr=1.0)
    sch = wopt.lr_scheduler.ReduceLROnPlateau(opt, patience=1, factor=0.5)
    for loss in [1.0, 0.5, 0.6, 0.7, 0.8]:
        sch.step(loss)
    assert opt.param_groups[0]["lr"] == 0.5
