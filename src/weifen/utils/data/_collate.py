"""default_collate and default_convert: samples into batches of tensors."""

from __future__ import annotations

import collections.abc
from typing import Any

import numpy as np

from ... import _dtype as D
from ..._tensor import Tensor, _wrap
from ...ops import shape as _shape

__all__ = ["default_collate", "default_convert"]

_ERR = (
    "default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; found {}"
)


def _np_tensor(a: np.ndarray) -> Tensor:
    if a.dtype.kind in "OUSV":
        raise TypeError(_ERR.format(a.dtype))
    return _wrap(np.ascontiguousarray(a), D.FROM_NP[a.dtype])


def default_convert(data: Any) -> Any:
    """NumPy arrays become tensors, recursively; the rest is unchanged. Matches
    `torch.utils.data.default_convert`."""
    if isinstance(data, Tensor):
        return data
    if isinstance(data, np.ndarray) and data.dtype.kind not in "OUSV":
        return _wrap(data, D.FROM_NP[data.dtype])
    if isinstance(data, np.generic) and data.dtype.kind not in "OUSV":
        return _wrap(np.asarray(data), D.FROM_NP[data.dtype])
    if isinstance(data, collections.abc.Mapping):
        return type(data)({k: default_convert(v) for k, v in data.items()})  # type: ignore
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, str | bytes):
        return [default_convert(d) for d in data]
    return data


def default_collate(batch: Any) -> Any:
    """Stack a list of samples into a batch: tensors are stacked, NumPy arrays and numbers
    become tensors (floats float64, ints int64), dicts and sequences are collated per field
    (a tuple sample gives a list). Matches `torch.utils.data.default_collate`."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return _shape.stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        return _np_tensor(np.stack(batch))
    if isinstance(elem, np.generic):
        return _np_tensor(np.asarray(batch))
    if isinstance(elem, bool):
        return _wrap(np.asarray(batch, np.bool_), D.bool)
    if isinstance(elem, float):
        return _wrap(np.asarray(batch, np.float64), D.float64)
    if isinstance(elem, int):
        return _wrap(np.asarray(batch, np.int64), D.int64)
    if isinstance(elem, str | bytes):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        return type(elem)({k: default_collate([d[k] for d in batch]) for k in elem})  # type: ignore
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):
        return type(elem)(*(default_collate(s) for s in zip(*batch)))
    if isinstance(elem, collections.abc.Sequence):
        n = len(elem)
        if not all(len(e) == n for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        transposed = list(zip(*batch))
        if isinstance(elem, tuple):
            return [default_collate(s) for s in transposed]
        try:
            return type(elem)([default_collate(s) for s in transposed])  # type: ignore
        except TypeError:
            return [default_collate(s) for s in transposed]
    raise TypeError(_ERR.format(type(elem)))
