"""PyTorch's functions that are methods here: torch.exp(x) is x.exp(), torch.cat is concatenate.

    import tiny_grad as torch
    torch.exp(x), torch.sum(x, dim=1), torch.max(x, 1), torch.cat([a, b], dim=0)

Each is the op of tensor.py (or functional.py) under PyTorch's name, nothing more: the
op, its derivative and its drawing are the same as for the method. The first argument may be
a Tensor, or anything tg.tensor takes.
"""

import builtins

import numpy as np

from . import functional
from .tensor import Tensor, concatenate, maximum, stack, tensor, where


def _function(method):
    """torch.name(x, ...) for the method x.name(...)."""
    def function(input, *args, **kwargs):
        return method(input if isinstance(input, Tensor) else tensor(input), *args, **kwargs)
    function.__name__, function.__qualname__, function.__doc__ = (
        method.__name__, method.__name__, method.__doc__)
    return function


# (These names hide Python's abs, sum, max, min and pow in this file; it uses builtins.*.)
exp, log, sqrt, abs, tanh, sigmoid, relu, sin, cos = map(_function, (
    Tensor.exp, Tensor.log, Tensor.sqrt, Tensor.abs, Tensor.tanh, Tensor.sigmoid, Tensor.relu,
    Tensor.sin, Tensor.cos))
sum, mean, max, min, amax, amin, argmax, argmin, var, std, norm = map(_function, (
    Tensor.sum, Tensor.mean, Tensor.max, Tensor.min, Tensor.amax, Tensor.amin, Tensor.argmax,
    Tensor.argmin, Tensor.var, Tensor.std, Tensor.norm))
clamp = clip = _function(Tensor.clip)
matmul, mm, pow, square = map(_function, (Tensor.__matmul__, Tensor.mm, Tensor.__pow__, Tensor.square))
add, sub, mul, div, neg = map(_function, (Tensor.__add__, Tensor.__sub__, Tensor.__mul__,
                                          Tensor.__truediv__, Tensor.__neg__))
reshape, flatten, squeeze, unsqueeze, transpose, permute, t = map(_function, (
    Tensor.reshape, Tensor.flatten, Tensor.squeeze, Tensor.unsqueeze, Tensor.transpose,
    Tensor.permute, Tensor.t))
clone, detach, numel, gather, masked_fill = map(_function, (
    Tensor.clone, Tensor.detach, Tensor.numel, Tensor.gather, Tensor.masked_fill))
isfinite, isnan, isinf = map(_function, (Tensor.isfinite, Tensor.isnan, Tensor.isinf))
eq, ne, lt, le, gt, ge = map(_function, (Tensor.__eq__, Tensor.__ne__, Tensor.__lt__,
                                         Tensor.__le__, Tensor.__gt__, Tensor.__ge__))


def softmax(input, dim, dtype=None):
    """F.softmax(input, dim)."""
    out = functional.softmax(input, dim)
    return out if dtype is None else out.to(dtype)


def log_softmax(input, dim, dtype=None):
    """F.log_softmax(input, dim)."""
    out = functional.log_softmax(input, dim)
    return out if dtype is None else out.to(dtype)


def cat(tensors, dim=0, *, axis=None):
    """Tensors joined along an existing axis (tg.concatenate)."""
    return concatenate(tensors, dim if axis is None else axis)


def minimum(a, b):
    """The elementwise smaller of a and b: -maximum(-a, -b)."""
    return -maximum(-a if isinstance(a, Tensor) else -tensor(a), -b if isinstance(b, Tensor) else -tensor(b))


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan=False):
    """True if a and b are equal within atol + rtol·|b|, element by element."""
    a, b = (x.data if isinstance(x, Tensor) else np.asarray(x) for x in (a, b))
    return builtins.bool(np.allclose(a, b, rtol, atol, equal_nan))


def equal(a, b):
    """True if a and b have the same shape and the same elements."""
    return builtins.bool(np.array_equal(a.data, b.data))


__all__ = ["where", "stack", "maximum"]  # (re-exported as they are)
