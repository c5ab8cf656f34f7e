"""Anomaly detection: PyTorch's warning on entry, PyTorch's NaN error text, and the user's
own forward line in the traceback warning."""

from __future__ import annotations

import warnings

import pytest

import weifen as wf
from weifen.autograd import anomaly


def test_detect_anomaly_warns_like_torch():
    with pytest.warns(UserWarning) as rec:
        with wf.autograd.detect_anomaly():
            assert anomaly.is_anomaly_enabled()
    assert str(rec[0].message) == (
        "Anomaly Detection has been enabled. This mode will increase the runtime and should "
        "only be enabled for debugging."
    )
    assert rec[0].filename == __file__  # stacklevel points at the user's `with` line
    assert not anomaly.is_anomaly_enabled()


def test_set_detect_anomaly_is_silent_and_restores():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with wf.autograd.set_detect_anomaly(True, check_nan=False):
            assert anomaly.is_anomaly_enabled() and not anomaly.is_anomaly_check_nan_enabled()
    assert not anomaly.is_anomaly_enabled() and anomaly.is_anomaly_check_nan_enabled()


def _nan_backward():
    x = wf.tensor([-1.0, 4.0], requires_grad=True)
    y = wf.sqrt(x)  # FORWARD-LINE
    y.sum().backward()


with open(__file__, encoding="utf-8") as _f:  # the line marked FORWARD-LINE above
    _FORWARD_LINE = next(
        i for i, line in enumerate(_f, 1) if line.rstrip().endswith("# FORWARD-LINE")
    )


def test_nan_error_text_and_forward_location():
    with pytest.warns(UserWarning) as rec:
        with wf.autograd.detect_anomaly():
            with pytest.raises(RuntimeError) as e:
                _nan_backward()
    # PyTorch's message, then where the user's forward code created the node (the issue asks
    # for the place in the error itself; PyTorch only shows it as a warning traceback)
    msg = str(e.value)
    torch_text = "Function 'SqrtBackward0' returned nan values in its 0th output."
    assert msg.startswith(torch_text + " The forward call that created it: "), msg
    assert msg.endswith(f"{__file__}:{_FORWARD_LINE} in _nan_backward"), msg
    msgs = [str(r.message) for r in rec]
    found = [m for m in msgs if m.startswith("Error detected in SqrtBackward0.")]
    assert found, msgs
    tb = found[0]
    assert "Traceback of forward call that caused the error:" in tb
    last = tb.strip().splitlines()[-2:]
    # the innermost frame is the user's line, not weifen's
    assert f'File "{__file__}"' in last[0] and "in _nan_backward" in last[0]
    assert "y = wf.sqrt(x)  # FORWARD-LINE" in last[1]
    assert "/weifen/" not in tb.replace(__file__, "")


def test_nan_error_matches_torch(torch):
    def run(m):
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("always")
            with m.autograd.detect_anomaly():
                x = m.tensor([0.0, 1.0], requires_grad=True)
                try:
                    (m.log(x) * 0).sum().backward()
                except RuntimeError as e:
                    return str(e)
        return None

    ours, theirs = run(wf), run(torch)
    assert ours.startswith(theirs + " The forward call that created it: "), (ours, theirs)


def test_no_check_without_anomaly_mode():
    x = wf.tensor([-1.0], requires_grad=True)
    wf.sqrt(x).sum().backward()  # NaN gradient, no error, as in PyTorch
    assert x.grad.isnan().all()
