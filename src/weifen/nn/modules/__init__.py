"""The layers of `torch.nn`, one file per family."""

from .activation import (
    ELU,
    GELU,
    GLU,
    SELU,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Mish,
    ReLU,
    ReLU6,
    Sigmoid,
    SiLU,
    Softmax,
    Softmin,
    Softplus,
    Tanh,
)
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, LazyConv1d, LazyConv2d
from .dropout import Dropout, Dropout1d, Dropout2d
from .lazy import LazyModuleMixin
from .linear import Flatten, Identity, LazyLinear, Linear, Unflatten
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    HuberLoss,
    KLDivLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .normalization import BatchNorm1d, BatchNorm2d, LayerNorm, LazyBatchNorm1d, LazyBatchNorm2d
from .pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from .sparse import Embedding

__all__ = [
    "Module",
    "Sequential",
    "ModuleList",
    "ModuleDict",
    "ParameterList",
    "ParameterDict",
    "Identity",
    "Linear",
    "LazyLinear",
    "Flatten",
    "Unflatten",
    "Conv1d",
    "Conv2d",
    "LazyConv1d",
    "LazyConv2d",
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "BatchNorm1d",
    "BatchNorm2d",
    "LazyBatchNorm1d",
    "LazyBatchNorm2d",
    "LayerNorm",
    "Embedding",
    "Dropout",
    "Dropout1d",
    "Dropout2d",
    "ReLU",
    "ReLU6",
    "LeakyReLU",
    "ELU",
    "SELU",
    "GELU",
    "SiLU",
    "Mish",
    "Sigmoid",
    "Tanh",
    "Softmax",
    "LogSoftmax",
    "Softmin",
    "Softplus",
    "Hardtanh",
    "LogSigmoid",
    "GLU",
    "L1Loss",
    "MSELoss",
    "CrossEntropyLoss",
    "NLLLoss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "HuberLoss",
    "SmoothL1Loss",
    "KLDivLoss",
    "LazyModuleMixin",
]

# Classes print as PyTorch's do (`<class 'torch.nn.modules.linear.Linear'>`).
_TORCH_FILES = {
    "activation": "activation",
    "container": "container",
    "conv": "conv",
    "dropout": "dropout",
    "loss": "loss",
    "module": "module",
    "pooling": "pooling",
    "sparse": "sparse",
    "lazy": "lazy",
}
_FILE_OF = {
    "Flatten": "flatten",
    "Unflatten": "flatten",
    "Identity": "linear",
    "Linear": "linear",
    "LazyLinear": "linear",
    "LayerNorm": "normalization",
}
for _name in __all__:
    _cls = globals()[_name]
    _file = _FILE_OF.get(_name) or _TORCH_FILES.get(_cls.__module__.rsplit(".", 1)[-1])
    if _file is None:  # the batch norms
        _file = "batchnorm"
    _cls._weifen_module = _cls.__module__
    _cls.__module__ = f"torch.nn.modules.{_file}"
