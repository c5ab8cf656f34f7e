"""weifen.utils.data: datasets, samplers, collation and the DataLoader."""

from __future__ import annotations

from collections import namedtuple

import numpy as np
import pytest

import weifen as W
from weifen.utils.data import (
    BatchSampler,
    ConcatDataset,
    DataLoader,
    Dataset,
    RandomSampler,
    SequentialSampler,
    Subset,
    TensorDataset,
    default_collate,
    random_split,
)


def test_tensor_dataset_and_loader_batches():
    x = W.arange(20.0).reshape(10, 2)
    y = W.arange(10)
    ds = TensorDataset(x, y)
    assert len(ds) == 10
    assert ds[3][0].tolist() == [6.0, 7.0] and ds[3][1].item() == 3
    dl = DataLoader(ds, batch_size=4)
    assert len(dl) == 3
    batches = list(dl)
    assert isinstance(batches[0], list) and len(batches[0]) == 2
    assert [b[1].tolist() for b in batches] == [[0, 1, 2, 3], [4, 5, 6, 7], [8, 9]]
    assert batches[0][0].shape == (4, 2) and batches[0][0].dtype is W.float32
    assert len(DataLoader(ds, batch_size=4, drop_last=True)) == 2
    assert [b[1].tolist() for b in DataLoader(ds, batch_size=4, drop_last=True)][-1] == [4, 5, 6, 7]
    with pytest.raises(AssertionError, match="Size mismatch between tensors"):
        TensorDataset(x, W.arange(3))


def test_shuffle_covers_everything_each_epoch():
    W.manual_seed(0)
    ds = TensorDataset(W.arange(50))
    dl = DataLoader(ds, batch_size=8, shuffle=True)
    epochs = [np.concatenate([b[0].numpy() for b in dl]) for _ in range(3)]
    for e in epochs:
        assert sorted(e.tolist()) == list(range(50))
    assert epochs[0].tolist() != epochs[1].tolist()
    W.manual_seed(3)
    a = [b[0].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)]
    W.manual_seed(3)
    assert [b[0].tolist() for b in DataLoader(ds, batch_size=8, shuffle=True)] == a


class Squares(Dataset):
    def __len__(self):
        return 5

    def __getitem__(self, i):
        return {"x": np.full(2, i, np.float32), "y": i * i, "name": f"s{i}"}


def test_custom_dataset_dict_collate():
    b = next(iter(DataLoader(Squares(), batch_size=3)))
    assert b["x"].shape == (3, 2) and b["x"].dtype is W.float32
    assert b["y"].tolist() == [0, 1, 4] and b["y"].dtype is W.int64
    assert b["name"] == ["s0", "s1", "s2"]


def test_default_collate_vs_torch():
    torch = pytest.importorskip("torch")
    from torch.utils.data import default_collate as tcollate

    Point = namedtuple("Point", "a b")
    samples = [
        [(1, 2.0), (3, 4.0)],
        [np.ones(3), np.zeros(3)],
        [[1, 2], [3, 4]],
        [Point(1, 2.0), Point(3, 4.0)],
        [{"k": 1.5}, {"k": 2.5}],
        [True, False],
        [np.float32(1.0), np.float32(2.0)],
    ]
    for s in samples:
        assert repr(default_collate(s)) == repr(tcollate(s))
    tw = [W.ones(2), W.zeros(2)]
    tt = [torch.ones(2), torch.zeros(2)]
    assert repr(default_collate(tw)) == repr(tcollate(tt))


def test_loader_no_batching_and_len():
    ds = TensorDataset(W.arange(4))
    dl = DataLoader(ds, batch_size=None)
    assert len(dl) == 4 and [b[0].item() for b in dl] == [0, 1, 2, 3]
    dl2 = DataLoader(list(range(7)), batch_size=3)
    assert [b.tolist() for b in dl2] == [[0, 1, 2], [3, 4, 5], [6]]


def test_samplers_and_splits():
    assert list(SequentialSampler(range(3))) == [0, 1, 2]
    assert sorted(RandomSampler(range(5))) == [0, 1, 2, 3, 4]
    assert list(BatchSampler(range(5), 2, False)) == [[0, 1], [2, 3], [4]]
    assert len(BatchSampler(range(5), 2, True)) == 2
    ds = TensorDataset(W.arange(10))
    a, b = random_split(ds, [7, 3])
    assert len(a) == 7 and len(b) == 3
    got = sorted([a[i][0].item() for i in range(7)] + [b[i][0].item() for i in range(3)])
    assert got == list(range(10))
    parts = random_split(range(10), [0.5, 0.3, 0.2])
    assert [len(p) for p in parts] == [5, 3, 2]
    with pytest.raises(ValueError, match="Sum of input lengths"):
        random_split(ds, [3, 3])
    sub = Subset(ds, [9, 0])
    assert sub[0][0].item() == 9 and len(sub) == 2
    cat = ConcatDataset([sub, ds])
    assert len(cat) == 12 and cat[2][0].item() == 0
    assert len(sub + ds) == 12


def test_loader_collate_fn_and_batch_sampler():
    ds = TensorDataset(W.arange(6.0))
    dl = DataLoader(ds, batch_size=2, collate_fn=lambda b: len(b))
    assert list(dl) == [2, 2, 2]
    dl2 = DataLoader(ds, batch_sampler=[[0, 5], [1]])
    assert [b[0].tolist() for b in dl2] == [[0.0, 5.0], [1.0]]
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
