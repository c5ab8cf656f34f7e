"""`torch.nn`: modules, parameters, `functional`, `init` and `utils`. Matches `torch.nn`.

A client of the public API: everything here is made of table ops (`weifen.ops`, with the
layer-specific ones in `ops/nn_ops.py`), so autograd and printing need nothing new.
"""

from . import functional, init, utils
from .modules import *  # noqa: F403
from .modules import __all__ as _modules_all
from .parameter import Parameter, UninitializedBuffer, UninitializedParameter

__all__ = [
    *_modules_all,
    "Parameter",
    "UninitializedParameter",
    "UninitializedBuffer",
    "functional",
    "init",
    "utils",
]
