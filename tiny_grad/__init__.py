"""tiny_grad: automatic differentiation written to be read.

Reading order: autograd.py (the engine), scalar.py (Value), gradcheck.py, viz.py.
"""

from .autograd import backward, enable_grad, grad, is_grad_enabled, no_grad, set_grad_enabled
from .gradcheck import GradcheckError, gradcheck
from .scalar import Value
from .viz import draw_graph, save_graph

__all__ = [
    "Value", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad", "backward",
    "gradcheck", "GradcheckError", "draw_graph", "save_graph",
]
__version__ = "0.1.0"
