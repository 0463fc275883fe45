"""tiny_grad: automatic differentiation written to be read.

Reading order: scalar.py (Value: each op beside its derivative), autograd.py (the backward
walk both engines share), tensor.py, functional.py, nn.py, optim.py, gradcheck.py, viz.py,
data.py.
"""

from .autograd import (AnomalyError, backward, detect_anomaly, enable_grad, grad, is_grad_enabled,
                       no_grad, set_grad_enabled)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .scalar import Value
from .tensor import Tensor, concatenate, manual_seed, maximum, one_hot, stack, tensor
from .viz import draw_graph, save_graph
from . import data, functional, nn, optim
from .checkpoint import load, save
from .explain import explain

__all__ = [
    "Value", "Tensor", "tensor", "maximum", "concatenate", "stack", "one_hot", "manual_seed",
    "detect_anomaly", "AnomalyError", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "backward",
    "gradcheck", "gradgradcheck", "GradcheckError", "draw_graph", "save_graph", "functional", "data", "nn", "optim", "save", "load", "explain",
]
__version__ = "0.1.0"
