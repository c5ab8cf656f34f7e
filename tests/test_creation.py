"""Creation functions: device requests other than the CPU are errors."""

from __future__ import annotations

import weifen as wf


def test_like_and_scalar_factories_refuse_cuda_rather_than_copy_silently():
    import pytest

    x = wf.ones(2)
    for make in (wf.zeros_like, wf.ones_like, wf.empty_like, wf.rand_like, wf.randn_like):
        with pytest.raises(RuntimeError, match="CPU only"):
            make(x, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        wf.full_like(x, 3.0, device="cuda")
    with pytest.raises(RuntimeError, match="CPU only"):
        wf.scalar_tensor(1.0, device="cuda")
    assert wf.zeros_like(x, device="cpu").tolist() == [0.0, 0.0]
