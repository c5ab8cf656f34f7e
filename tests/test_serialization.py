"""weifen.save / weifen.load round trips (tensors, containers, state dicts)."""

from __future__ import annotations

import io

import weifen as wf
from weifen import nn


def test_tensor_round_trip_keeps_values_dtype_and_requires_grad(tmp_path):
    x = wf.tensor([[1.5, -2.0]], dtype=wf.float64, requires_grad=True)
    path = tmp_path / "x.pt"
    wf.save(x, path)
    y = wf.load(path)
    assert y.dtype is wf.float64 and y.requires_grad and y.tolist() == [[1.5, -2.0]]
    assert y.is_leaf and y.grad is None


def test_containers_and_file_objects():
    buf = io.BytesIO()
    wf.save({"a": wf.arange(3), "b": [wf.ones(2), 7]}, buf)
    buf.seek(0)
    d = wf.load(buf)
    assert d["a"].tolist() == [0, 1, 2] and d["b"][0].tolist() == [1.0, 1.0] and d["b"][1] == 7


def test_state_dict_round_trip(tmp_path):
    net = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    wf.save(net.state_dict(), tmp_path / "net.params")
    clone = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    clone.load_state_dict(wf.load(tmp_path / "net.params"))
    x = wf.linspace(-1, 1, 8).reshape(4, 2)
    assert (clone(x) == net(x)).all()
