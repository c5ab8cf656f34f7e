"""gradcheck / gradgradcheck: PyTorch's signature, checks and messages."""

from __future__ import annotations

import warnings

import pytest

import weifen as wf
from weifen.autograd.gradcheck import GradcheckError, gradcheck, gradgradcheck


def _x():
    return wf.tensor([[0.5, -1.0, 2.0], [1.5, 0.3, -0.7]], dtype=wf.float64, requires_grad=True)


def _y():
    return wf.tensor([0.2, 0.4, -0.3], dtype=wf.float64, requires_grad=True)


def f(a, b):
    return (a.exp() * b).sum(1), a.sin() * b


def bad(a):
    return a * a.detach()  # the gradient is off by a factor of 2


@pytest.mark.parametrize("fast", [False, True])
def test_passes_on_correct_gradients(fast):
    assert gradcheck(f, (_x(), _y()), fast_mode=fast)
    assert gradgradcheck(f, (_x(), _y()), fast_mode=fast)
    assert gradcheck(lambda a: a.tanh().cumsum(0), _y(), check_forward_ad=True)


def test_mismatch_raises_gradcheck_error():
    assert issubclass(GradcheckError, RuntimeError)
    with pytest.raises(GradcheckError) as e:
        gradcheck(bad, (_y(),))
    msg = str(e.value)
    assert msg.startswith("Jacobian mismatch for output 0 with respect to input 0,\nnumerical:")
    assert "\nanalytical:" in msg
    assert gradcheck(bad, (_y(),), raise_exception=False) is False
    with pytest.raises(GradcheckError, match="computed in fast mode|in fast mode"):
        gradcheck(bad, (_y(),), fast_mode=True)
    with pytest.raises(GradcheckError, match="Jacobian computed with forward mode mismatch"):
        gradcheck(bad, (_y(),), check_forward_ad=True, check_backward_ad=False)


def test_input_checks():
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda a: a, (wf.ones(2, dtype=wf.float64),))
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double"):
        gradcheck(lambda a: a * 2, (wf.ones(2, requires_grad=True),), eps=1e-3, atol=1e-2)
    z = wf.ones(3, dtype=wf.float64).expand(2, 3).requires_grad_()
    with pytest.raises(RuntimeError, match="The 0th input has a dimension with stride 0"):
        gradcheck(lambda a: a, (z,))


def test_messages_match_torch(torch):
    from torch.autograd import gradcheck as tgc

    def run(m, gc, fast):
        x = m.tensor([0.2, 0.4, -0.3], dtype=m.float64, requires_grad=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                gc(lambda a: a * a.detach(), (x,), fast_mode=fast)
            except RuntimeError as e:
                return str(e)

    assert run(wf, gradcheck, False) == run(torch, tgc, False)
    # fast mode draws its random vectors differently: compare the message's shape only
    w, t = run(wf, gradcheck, True), run(torch, tgc, True)
    assert w.splitlines()[0] == t.splitlines()[0]
    # the slow-mode recomputation shown after it: same matrices (the max difference's last
    # digits are finite-difference rounding)
    cut = "The max per-element difference"
    assert (
        w.split("Below, we recompute")[1].split(cut)[0]
        == (t.split("Below, we recompute")[1].split(cut)[0])
    )
