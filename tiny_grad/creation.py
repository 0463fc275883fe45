"""Making tensors, with PyTorch's names: tg.zeros, tg.arange, tg.randn, tg.full_like, ...

    import tiny_grad as torch
    x = torch.linspace(-3.14, 3.14, 2000)
    w = torch.randn(3, 4, requires_grad=True)
    y = torch.randint(0, 10, (64,))        # int64: class labels

Every function takes `dtype=` and `requires_grad=` as PyTorch's does. The dtype follows
PyTorch's rules: whole numbers give int64 (`arange(5)`, `full((2,), 7)`), a bool fill gives bool,
and floats take the default float type, which is float64 in tiny_grad (PyTorch's is float32;
`tg.set_default_dtype(tg.float32)` makes tiny_grad do the same). Random numbers come from
tiny_grad's one generator, so `tg.manual_seed(0)` makes them repeatable (they are not the same
numbers as PyTorch's: another generator).
"""

import numbers

import numpy as np

from .tensor import Generator, Tensor, _rng, _shape_of, get_default_dtype, tensor

# (device= is taken everywhere, as in PyTorch, and changes nothing: tiny_grad has only the CPU.)

# ---- the dtypes, as PyTorch names them (NumPy's types: x.dtype == tg.float32 is True) ------
# (tg.float, tg.int and tg.bool are PyTorch's names; in this file they hide Python's builtins,
# which it does not use below.)
float32 = float = np.float32
float64 = double = np.float64
int64 = long = np.int64
int32 = int = np.int32
uint8 = np.uint8
bool = np.bool_


def _made(data, dtype, requires_grad):
    """A new leaf holding `data` (already an array), in `dtype` if given."""
    return tensor(data, requires_grad=requires_grad, dtype=dtype)


def _float(dtype):
    """dtype, or the default float type when none is given."""
    return get_default_dtype() if dtype is None else dtype


def zeros(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of zeros: zeros(2, 3) or zeros((2, 3))."""
    return _made(np.zeros(_shape_of(size)), _float(dtype), requires_grad)


def ones(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of ones."""
    return _made(np.ones(_shape_of(size)), _float(dtype), requires_grad)


def empty(*size, dtype=None, requires_grad=False, device=None):
    """A tensor of the given size (its numbers are zeros here, not left over memory)."""
    return zeros(*size, dtype=dtype, requires_grad=requires_grad)


def full(size, fill_value, dtype=None, requires_grad=False, device=None):
    """A tensor of `size` with every element fill_value (an int fill gives int64, a bool bool)."""
    if dtype is None:
        dtype = tensor(fill_value).dtype
    return _made(np.full(_shape_of((size,)), fill_value), dtype, requires_grad)


def eye(n, m=None, dtype=None, requires_grad=False, device=None):
    """The n x m identity matrix (ones on the diagonal)."""
    return _made(np.eye(n, m), _float(dtype), requires_grad)


def arange(start, end=None, step=1, dtype=None, requires_grad=False, device=None):
    """start, start + step, ... up to (not including) end; arange(n) is 0, 1, ..., n - 1.
    int64 when all three are whole numbers, else floats."""
    if end is None:
        start, end = 0, start
    whole = all(isinstance(v, numbers.Integral) for v in (start, end, step))
    if dtype is None:
        dtype = np.int64 if whole else get_default_dtype()
    return _made(np.arange(start, end, step, dtype=np.float64 if not whole else None), dtype,
                 requires_grad)


def linspace(start, end, steps, dtype=None, requires_grad=False, device=None):
    """`steps` numbers evenly spaced from start to end, both included."""
    return _made(np.linspace(start, end, steps), _float(dtype), requires_grad)


def randn(*size, dtype=None, requires_grad=False, device=None, generator=None):
    """Samples of the standard normal distribution (mean 0, standard deviation 1)."""
    data = _rng(generator).standard_normal(_shape_of(size))
    return _made(data, _float(dtype), requires_grad)


def rand(*size, dtype=None, requires_grad=False, device=None, generator=None):
    """Samples of the uniform distribution on [0, 1)."""
    return _made(_rng(generator).random(_shape_of(size)), _float(dtype), requires_grad)


def randint(low, high=None, size=None, dtype=None, requires_grad=False, device=None, generator=None):
    """Whole numbers drawn uniformly from low, ..., high - 1 (int64): randint(high, size) or
    randint(low, high, size), as PyTorch's."""
    if size is None:  # randint(high, size)
        low, high, size = 0, low, high
    if size is None:
        raise TypeError("randint needs a size, e.g. randint(0, 10, (64,))")
    data = _rng(generator).integers(low, high, _shape_of((size,)))
    return _made(data, np.int64 if dtype is None else dtype, requires_grad)


def randperm(n, dtype=None, requires_grad=False, device=None, generator=None):
    """0, ..., n - 1 in a random order (int64)."""
    return _made(_rng(generator).permutation(n), np.int64 if dtype is None else dtype,
                 requires_grad)


def normal(mean, std, size, requires_grad=False, device=None, generator=None):
    """Samples of the normal distribution with this mean and standard deviation."""
    data = _rng(generator).normal(mean, std, _shape_of((size,)))
    return _made(data, get_default_dtype(), requires_grad)


def multinomial(input, num_samples, replacement=False, generator=None):
    """Class indices drawn with the probabilities in `input` (weights, need not sum to 1): one row
    of input gives num_samples indices; a matrix gives num_samples per row (int64)."""
    weights = input.data if isinstance(input, Tensor) else np.asarray(input, dtype=np.float64)
    if weights.ndim not in (1, 2) or np.any(weights < 0) or not np.all(np.isfinite(weights)):
        raise ValueError("multinomial takes a row (or a matrix of rows) of weights >= 0, finite")
    rows = np.atleast_2d(weights).astype(np.float64)
    totals = rows.sum(axis=1, keepdims=True)
    if np.any(totals <= 0):
        raise ValueError("multinomial: a row of weights sums to 0: no class can be drawn")
    if not replacement and num_samples > rows.shape[1]:
        raise ValueError(f"multinomial: cannot draw {num_samples} samples without replacement "
                         f"from {rows.shape[1]} classes")
    rng = _rng(generator)
    drawn = np.stack([rng.choice(len(p), num_samples, replace=replacement, p=p)
                      for p in rows / totals])
    return tensor(drawn if weights.ndim == 2 else drawn[0], dtype=np.int64)


# ---- shaped like another tensor ---------------------------------------------------------------

def _like(x, dtype):
    x = x if isinstance(x, Tensor) else tensor(x)
    return x.shape, x.dtype if dtype is None else dtype


def _shaped_like(make, doc):
    """make(...)'s tensor in the shape and dtype of another: zeros_like is _shaped_like(zeros)."""
    def like(input, dtype=None, requires_grad=False, device=None):
        shape, dtype = _like(input, dtype)
        return make(shape, dtype=dtype, requires_grad=requires_grad)
    like.__name__ = like.__qualname__ = make.__name__ + "_like"
    like.__doc__ = doc
    return like


zeros_like = _shaped_like(zeros, "Zeros of input's shape and dtype.")
ones_like = _shaped_like(ones, "Ones of input's shape and dtype.")
empty_like = _shaped_like(empty, "A tensor of input's shape and dtype (zeros here).")
randn_like = _shaped_like(randn, "Standard normal samples in input's shape and dtype.")
rand_like = _shaped_like(rand, "Uniform samples on [0, 1) in input's shape and dtype.")


def full_like(input, fill_value, dtype=None, requires_grad=False, device=None):
    """fill_value everywhere, in input's shape and dtype."""
    shape, dtype = _like(input, dtype)
    return full(shape, fill_value, dtype=dtype, requires_grad=requires_grad)


# ---- from other data -----------------------------------------------------------------------------

def from_numpy(array):
    """A tensor sharing `array`'s memory and dtype (a change to one shows in the other)."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"from_numpy takes a NumPy array, not {type(array).__name__}")
    out = tensor(np.zeros(0, array.dtype))  # (checks the dtype)
    out.data = array
    return out


def as_tensor(data, dtype=None):
    """data as a tensor: a Tensor of that dtype as it is, a NumPy array shared, else a copy."""
    if isinstance(data, Tensor):
        return data if dtype is None else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or np.dtype(dtype) == data.dtype):
        return from_numpy(data)
    return tensor(data, dtype=dtype)


def is_tensor(obj):
    """True if obj is a Tensor."""
    return isinstance(obj, Tensor)
