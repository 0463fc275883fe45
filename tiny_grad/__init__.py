"""tiny_grad: automatic differentiation written to be read.

Reading order: scalar.py (Value: each op beside its derivative), autograd.py (the backward
walk both engines share), tensor.py, functional.py, nn.py, optim.py, gradcheck.py, viz.py,
data.py.

PyTorch is the dialect: `import tiny_grad as torch` runs everyday PyTorch code, with its names
(creation.py: tg.zeros, tg.arange, tg.float32; torch_functions.py: tg.exp(x), tg.cat) for the
same ops.
"""

import types as _types

from .autograd import (AnomalyError, backward, detect_anomaly, enable_grad, grad, is_grad_enabled,
                       no_grad, set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .scalar import Value
from .tensor import (Generator, Tensor, concatenate, get_default_dtype, manual_seed, maximum, one_hot,
                     set_default_dtype, stack, tensor, where)
from .creation import (arange, as_tensor, bool, double, empty, empty_like, eye, float, float32,
                       float64, from_numpy, full, full_like, int, int32, int64, is_tensor,
                       linspace, long, multinomial, normal, ones, ones_like, rand, rand_like, randint, randn,
                       randn_like, randperm, uint8, zeros, zeros_like)
from .torch_functions import (abs, add, allclose, amax, amin, argmax, argmin, cat, clamp, clip,
                              clone, cos, detach, div, eq, equal, exp, flatten, gather, ge, gt,
                              isfinite, isinf, isnan,
                              le, log, log_softmax, lt, masked_fill, matmul, max, mean, min,
                              minimum, mm, mul, ne, neg, norm, numel, permute, pow, relu,
                              reshape, sigmoid, sin, softmax, sqrt, square, squeeze, std, sub,
                              sum, t, tanh, transpose, unsqueeze, var)
from .viz import draw_graph, save_graph
from . import data, functional, nn, optim, utils
from .checkpoint import load, save
from .explain import explain

Size = tuple  # x.size() and x.shape are tuples: (2, 3) == tg.Size([2, 3])

# tiny_grad runs on the CPU. These let the usual first lines of a PyTorch script run as they are:
#   device = "cuda" if torch.cuda.is_available() else "cpu";  model.to(device);  x.to(device)
cuda = _types.SimpleNamespace(is_available=lambda: False, device_count=lambda: 0)
accelerator = _types.SimpleNamespace(is_available=lambda: False, current_accelerator=lambda: None)


def device(name="cpu"):
    """A device name, as torch.device("cpu"): tiny_grad has only the CPU."""
    return str(name)


__all__ = [
    "Value", "Tensor", "tensor", "maximum", "concatenate", "stack", "one_hot", "manual_seed",
    "detect_anomaly", "AnomalyError", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "backward",
    "gradcheck", "gradgradcheck", "GradcheckError", "draw_graph", "save_graph", "functional", "data", "nn", "optim", "save", "load", "explain",
]
__version__ = "0.1.0"
