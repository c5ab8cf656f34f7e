"""Grad mode: no_grad, enable_grad, set_grad_enabled, inference_mode; context managers,
decorators, thread-locality."""

from __future__ import annotations

import threading

import pytest

import weifen


def _modes(M):
    out = []
    x = M.tensor([1.0], requires_grad=True)
    with M.no_grad():
        out.append((M.is_grad_enabled(), (x * 2).requires_grad))
        with M.enable_grad():
            out.append((M.is_grad_enabled(), (x * 2).requires_grad))
        out.append(M.is_grad_enabled())
    out.append(M.is_grad_enabled())
    with M.set_grad_enabled(False):
        out.append(M.is_grad_enabled())
    out.append(M.is_grad_enabled())
    M.set_grad_enabled(False)
    out.append(M.is_grad_enabled())
    M.set_grad_enabled(True)
    with M.inference_mode():
        out.append((M.is_grad_enabled(), M.is_inference_mode_enabled(), (x * 2).requires_grad))
        with M.inference_mode(False):
            out.append(M.is_inference_mode_enabled())
    out.append(M.is_inference_mode_enabled())

    @M.no_grad()
    def f():
        return M.is_grad_enabled(), (x * 2).requires_grad

    @M.enable_grad()
    def g():
        return M.is_grad_enabled()

    @M.set_grad_enabled(False)
    def h():
        return M.is_grad_enabled()

    @M.inference_mode()
    def i():
        return M.is_inference_mode_enabled()

    @M.inference_mode
    def i2():
        return M.is_inference_mode_enabled()

    out += [f(), M.is_grad_enabled(), h(), M.is_grad_enabled(), i(), i2()]
    with M.no_grad():
        out.append(g())

    @M.no_grad()
    def gen():
        yield M.is_grad_enabled()
        yield M.is_grad_enabled()

    out.append(list(gen()))
    out.append(M.is_grad_enabled())
    try:
        with M.no_grad():
            raise ValueError
    except ValueError:
        pass
    out.append(M.is_grad_enabled())
    return out


def test_modes_against_torch():
    torch = pytest.importorskip("torch")
    assert _modes(weifen) == _modes(torch)


def test_modes():
    out = _modes(weifen)
    assert out[0] == (False, False) and out[1] == (True, True) and out[2] is False
    assert out[-1] is True and out[-3] == [False, False]


def test_thread_local():
    mismatches = []
    barrier = threading.Barrier(16)

    def work(k):
        barrier.wait()
        x = weifen.tensor([1.0], requires_grad=True)
        for i in range(1000):
            want = (i + k) % 2 == 0
            with weifen.set_grad_enabled(want):
                if weifen.is_grad_enabled() != want or (x * 2).requires_grad != want:
                    mismatches.append((k, i))
            if not weifen.is_grad_enabled():
                mismatches.append((k, i, "leak"))

    threads = [threading.Thread(target=work, args=(k,)) for k in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert mismatches == []


def test_new_thread_starts_enabled():
    seen = []
    with weifen.no_grad():
        t = threading.Thread(target=lambda: seen.append(weifen.is_grad_enabled()))
        t.start()
        t.join()
    assert seen == [True]


def test_backward_inside_no_grad():
    x = weifen.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    with weifen.no_grad():
        y.backward()
    assert x.grad.tolist() == [2.0, 4.0]
