"""Tensor: automatic differentiation one NumPy array at a time.

This is `scalar.py` again, with arrays: each operation computes its result with
NumPy and says, in its VJP, how the gradient of the result turns into gradients
of its inputs. Three things are new compared with Value:

* **Broadcasting.** `x + b` with x of shape (64, 10) and b of shape (10,) adds b
  to every row. b was used 64 times, so its gradient is the sum of 64 rows of the
  result's gradient. `_unbroadcast` does that summing, for every op, in one place.
* **Reductions and shapes** (sum, max, reshape, indexing…) move gradients back to
  where the numbers came from: a sum copies its gradient to every input element,
  an index puts it back at the positions it picked.
* **requires_grad.** Data (images, labels) needs no gradient; parameters do. An op
  records a graph only if one of its inputs requires a gradient.

VJPs are written in Tensor operations, so with `create_graph=True` the backward
pass is itself a graph and can be differentiated again. As in scalar.py, a VJP is called
with g and the op's inputs (`lambda g, a, b: ...`); anything else it needs (an axis, a
mask) it keeps as a default argument. It skips the work for an input that needs no
gradient (data, constants): `_unbroadcast` returns None.

Nothing is copied or widened that need not be: results keep their inputs' dtype (float32
stays float32, gradients included), a gradient that passes through unchanged is the same
array, and a matrix product gives a transposed weight its gradient in the weight's own
memory order. benchmarks/ measures what that buys against NumPy written by hand.
"""

import functools
import math
import numbers

import numpy as np

from . import autograd
from .scalar import _BOOL_GRADIENT, Value


# ---- NumPy without its floating-point warnings --------------------------------------------
# tiny_grad answers log 0 = -inf, 0·inf = nan and exp(1000) = inf just as NumPy does, and the
# docs explain them; NumPy's RuntimeWarning about each would only be noise on a learner's
# screen. So every NumPy call of an op runs as inside np.errstate(all="ignore"): `_quiet()`
# switches the warnings off and returns a token, `_restore(token)` puts back what was there.
# NumPy 2 keeps that state in a context variable, and setting it directly costs a tenth of
# np.errstate, which matters for ops that take a few microseconds.
try:
    from numpy._core._ufunc_config import _extobj_contextvar, _make_extobj

    _quiet = functools.partial(_extobj_contextvar.set, _make_extobj(all="ignore"))
    _restore = _extobj_contextvar.reset
except ImportError:  # NumPy 1.x
    def _quiet():
        return np.seterr(all="ignore")

    def _restore(previous):
        np.seterr(**previous)


class quiet_numpy:
    """`with quiet_numpy():` runs its block as inside np.errstate(all="ignore"), at a tenth of
    the cost (optimizers run one around every step)."""

    __slots__ = ("token",)

    def __enter__(self):
        self.token = _quiet()

    def __exit__(self, *exc):
        _restore(self.token)


def _np(f, *args, **kwargs):
    """f(*args, **kwargs), a NumPy function, with its floating-point warnings off."""
    token = _quiet()
    try:
        return f(*args, **kwargs)
    finally:
        _restore(token)


_FLOATS = (np.float32, np.float64)

# ---- dtypes, as PyTorch has them ----------------------------------------------------------
# A Tensor holds floats (float64 by default, or float32), whole numbers (int64) or truths
# (bool). Only floats have gradients: an integer tensor holds class indices or positions, a
# bool tensor a mask. Arithmetic promotes as PyTorch does (`_promote`): bool < int < float, and
# among tensors of one kind, a tensor with axes decides over a 0-d one (float32 stays float32).
_default_float = np.dtype(np.float64)  # (PyTorch's is float32: see set_default_dtype)


def set_default_dtype(dtype):
    """The float type of new tensors made from Python floats: float64 (tiny_grad's default) or
    float32 (PyTorch's)."""
    global _default_float
    if np.dtype(dtype) not in _FLOATS:
        raise TypeError(f"the default dtype is float32 or float64, not {np.dtype(dtype)}")
    _default_float = np.dtype(dtype)


def get_default_dtype():
    """The float type of new tensors made from Python floats (float64 unless set otherwise)."""
    return _default_float


def _real_array(data):
    """np.asarray(data), checked to hold real numbers (refusing Values, text, ragged rows)."""
    if isinstance(data, Tensor):
        return data.data
    if isinstance(data, Value) or (isinstance(data, (list, tuple)) and data
                                   and isinstance(data[0], Value)):
        raise TypeError("Values and Tensors do not mix: they are two engines with two graphs. "
                        "Use Tensors throughout (Tensor(v.data) is a Value's number), or Values")
    if isinstance(data, (list, tuple)) and any(isinstance(v, Tensor) for v in data):
        data = [v.data if isinstance(v, Tensor) else v for v in data]  # [t1, t2] of 0-d tensors
    try:
        array = np.asarray(data)
    except ValueError:  # (NumPy's words: "inhomogeneous shape after 1 dimensions")
        raise ValueError(f"a Tensor's numbers make a box, with rows of one length: "
                         f"{data!r:.60} has rows of different lengths") from None
    if array.dtype == object and all(isinstance(v, numbers.Real) for v in array.flat):
        try:  # ints too big for int64, such as 10**30, are numbers too
            array = array.astype(np.float64)
        except OverflowError:
            raise ValueError("a whole number in the data is too big for a float (the largest "
                             "is about 1.8e308)") from None
    if array.dtype.kind not in "biuf":
        raise TypeError(f"a Tensor holds real numbers, not {array.dtype} data like {data!r:.60}")
    return array


def _dtype_of(array, data):
    """The dtype torch.tensor gives `data`: bools stay bool, whole numbers int64 (NumPy's other
    integer types kept), floats as given for NumPy data, else the default float type."""
    kind = array.dtype.kind
    if kind == "b":
        return array.dtype
    if kind in "iu":
        return array.dtype if isinstance(data, (np.ndarray, np.generic, Tensor)) else np.dtype(np.int64)
    if isinstance(data, (np.ndarray, np.generic, Tensor)) and array.dtype in _FLOATS:
        return array.dtype
    return _default_float


def _to_array(data, dtype=None, infer=False):
    """A new array from anything np.asarray takes. As torch.Tensor(data): floats (float64, or
    float32 if given float32); with infer=True, as torch.tensor(data): see `_dtype_of`."""
    array = _real_array(data)
    if dtype is None:
        if infer:
            dtype = _dtype_of(array, data)
        else:
            dtype = np.float32 if array.dtype == np.float32 else _default_float
    elif np.dtype(dtype).kind not in "biuf":
        raise TypeError(f"a Tensor's dtype is a float, int or bool type, not {np.dtype(dtype)}")
    return _np(np.array, array, dtype=dtype)  # a copy, as torch.tensor makes one (1e300 as
    # float32 is inf, with no warning)


# ---- random numbers -----------------------------------------------------------------------
_generator = np.random.default_rng()


def manual_seed(seed):
    """Make tiny_grad's random numbers (randn, rand, randint, shuffling, nn's initial weights)
    repeatable."""
    global _generator
    _generator = np.random.default_rng(seed)


def _rng(seed=None):
    """A generator for `seed` (a number, or a tg.Generator), or tiny_grad's shared one (see
    manual_seed) when seed is None."""
    if seed is None:
        return _generator
    return seed.numpy if isinstance(seed, Generator) else np.random.default_rng(seed)


class Generator:
    """A random generator of its own, as torch.Generator: g = tg.Generator().manual_seed(42),
    then tg.randn(3, generator=g). (NumPy's generator inside: not PyTorch's numbers.)"""

    def __init__(self, device="cpu"):
        self.numpy = np.random.default_rng()

    def manual_seed(self, seed):
        """Start again from `seed`; returns the generator."""
        self.numpy = np.random.default_rng(seed)
        return self


def _check_can_require_grad(data):
    if data.dtype.kind != "f":
        raise RuntimeError(f"only floating-point tensors can require gradients, not {data.dtype} "
                           "ones (class indices, masks): make it a float first, x.float()")


_CATEGORY = {"b": 0, "u": 1, "i": 1, "f": 2}  # bool < whole numbers < floats


def _promote(a, b):
    """The dtype of a result computed from arrays a and b, by PyTorch's rule: the higher kind
    (bool < int < float) wins; between two of one kind, an array with axes decides over a 0-d
    one (float32 * a 0-d float64 is float32), else the wider type. (NumPy would make int64 +
    float32 a float64, and float32 + a 0-d float64 too.)"""
    da, db = a.dtype, b.dtype
    ca, cb = _CATEGORY[da.kind], _CATEGORY[db.kind]
    if ca != cb:
        return da if ca > cb else db
    if (a.ndim == 0) != (b.ndim == 0):
        return db if a.ndim == 0 else da
    return np.promote_types(da, db)


class ShapeError(ValueError, RuntimeError):
    """Shapes that do not fit: a ValueError (tiny_grad's rule) that is also the RuntimeError
    PyTorch raises there, so `except RuntimeError:` written for PyTorch catches it too."""


def _shape_of(args):
    """Tensor.zeros(2, 3) and Tensor.zeros((2, 3)) both mean shape (2, 3)."""
    if len(args) == 1 and isinstance(args[0], (tuple, list)):
        return tuple(args[0])
    return tuple(args)


def _axes(axis, ndim):
    """axis (None, an int or a tuple, negatives counting from the end) as a sorted tuple."""
    if axis is None:
        return tuple(range(ndim))
    axes = axis if isinstance(axis, (tuple, list)) else (axis,)
    result = []
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise TypeError(f"axis is a whole number or a tuple of them, not {axis!r}")
        if not -max(ndim, 1) <= a < max(ndim, 1):  # (a 0-d tensor takes 0 and -1, as in PyTorch)
            raise ValueError(f"axis {a} is out of range for a tensor with {ndim} dimensions")
        result.append(a % ndim if ndim else 0)
    if len(set(result)) != len(result):
        raise ValueError(f"axis {axis} names the same axis twice")
    return tuple(sorted(result)) if ndim else ()  # a 0-d tensor has no axis to reduce


def _reduction_args(axis, keepdims, dim, keepdim):
    """Accept PyTorch's dim= and keepdim= as well as NumPy's axis= and keepdims=."""
    if dim is not None:
        if axis is not None:
            raise TypeError("give axis= or dim=, not both")
        axis = dim
    if keepdim is not None:
        keepdims = keepdim
    return axis, keepdims


class Tensor:
    """An array in a computation graph, with its gradient.

    >>> x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    >>> (x * x).sum().backward()
    >>> x.grad
    Tensor([2. 4. 6.], shape=(3,))
    """

    __slots__ = ("data", "requires_grad", "label", "op", "parents", "_vjp", "_grad", "_pending", "_mark",
                 "_made", "__weakref__")

    def __array_ufunc__(self, ufunc, method, *inputs, out=None, **kwargs):
        """When NumPy meets a Tensor: `ndarray + Tensor` is the Tensor's op (Tensor.__radd__),
        and `array += tensor` (as in `p.data += -lr * p.grad`) changes the array in place."""
        if out is not None:  # an array's own in-place op: on the numbers
            plain = [x.data if isinstance(x, Tensor) else x for x in inputs]
            out = tuple(o.data if isinstance(o, Tensor) else o for o in out)
            return getattr(ufunc, method)(*plain, out=out, **kwargs)
        if method == "__call__" and len(inputs) == 1 and ufunc.__name__ in _UNARY:
            return getattr(self, _UNARY[ufunc.__name__])()  # np.exp(t) is t.exp()
        reflected = _REFLECTED.get(ufunc.__name__) if method == "__call__" and len(inputs) == 2 else None
        if reflected is None or inputs[1] is not self:
            return NotImplemented
        return getattr(self, reflected)(inputs[0])

    def __init__(self, data, requires_grad=False, dtype=None, label=""):
        self.data = _to_array(data, dtype)
        if requires_grad:
            _check_can_require_grad(self.data)
        self.requires_grad = bool(requires_grad)
        self.label = label
        self.op, self.parents, self._vjp, self._grad, self._mark = "", (), None, None, None
        self._pending = None

    @staticmethod
    def _apply(op, data, parents, vjp):
        """The result of an operation (see autograd.make_node). It needs a gradient exactly
        when it recorded its parents: some parent needs one, outside no_grad()."""
        if type(data) is not np.ndarray:  # NumPy answers an op on 0-d arrays with a number:
            data = np.asarray(data)  # a tensor's numbers are always an array, to write into
        out = autograd.make_node(Tensor, op, data, parents, vjp)  # (a Parameter's results
        # are plain Tensors)
        out.requires_grad = bool(out.parents)
        return out

    # ---- constructors ---------------------------------------------------------------------

    @classmethod
    def zeros(cls, *shape, requires_grad=False, dtype=None, label=""):
        """A tensor of zeros: Tensor.zeros(2, 3) or Tensor.zeros((2, 3))."""
        return cls(np.zeros(_shape_of(shape)), requires_grad, dtype, label)

    @classmethod
    def ones(cls, *shape, requires_grad=False, dtype=None, label=""):
        """A tensor of ones."""
        return cls(np.ones(_shape_of(shape)), requires_grad, dtype, label)

    @classmethod
    def randn(cls, *shape, requires_grad=False, dtype=None, seed=None, label=""):
        """Standard normal samples; the same seed gives the same numbers."""
        data = _rng(seed).standard_normal(_shape_of(shape))
        return cls(data, requires_grad, dtype, label)

    @classmethod
    def rand(cls, *shape, requires_grad=False, dtype=None, seed=None, label=""):
        """Uniform samples from [0, 1); the same seed gives the same numbers."""
        return cls(_rng(seed).random(_shape_of(shape)), requires_grad, dtype, label)

    # ---- what it is -------------------------------------------------------------------------

    shape = property(lambda self: self.data.shape, doc="the array's shape")
    ndim = property(lambda self: self.data.ndim, doc="the number of axes")
    dtype = property(lambda self: self.data.dtype, doc="float64 or float32")
    is_leaf = property(lambda self: not self.parents, doc="True unless an op made it in a graph")
    grad_fn = property(lambda self: _GradFn(self) if self.parents else None,
                       doc="the op that made it in a graph (None for a leaf), as PyTorch's grad_fn")
    device = "cpu"  # (tiny_grad runs on the CPU, with NumPy)

    @property
    def grad(self):
        """dL/d(this tensor) after `L.backward()`: a Tensor of the same shape, or None."""
        return self._grad

    @grad.setter
    def grad(self, value):
        """`t.grad = g` stores g as a Tensor of t's dtype; it must have t's shape (or be None)."""
        if value is not None:
            value = _lift(value, self).astype(self.dtype)
            if value.shape != self.shape:
                raise ValueError(f"a gradient of shape {value.shape} cannot be the gradient of a "
                                 f"tensor of shape {self.shape} ({self.label or 'unnamed'}): "
                                 "they must have the same shape")
            value._mark = None  # g may be held elsewhere too: backward must not add into it
        self._grad = value

    def numpy(self):
        """The data as a NumPy array (shared, not copied)."""
        return self.data

    def size(self, dim=None):
        """The shape (a tuple), or the length of axis `dim`, as torch's size()."""
        return self.data.shape if dim is None else self.data.shape[_axes(dim, self.ndim)[0]]

    def numel(self):
        """The number of elements."""
        return self.data.size

    def dim(self):
        """The number of axes (ndim)."""
        return self.data.ndim

    nelement = numel

    def tolist(self):
        """The numbers as (nested) Python lists, or one Python number for a 0-d tensor."""
        return self.data.tolist()

    def item(self):
        """The one number in a one-element tensor, as a Python number."""
        if self.data.size != 1:
            raise ShapeError(f"item() needs a tensor with one element; this one has shape {self.shape}")
        return self.data.item()

    def detach(self):
        """The same data as a new leaf that needs no gradient: the graph stops here."""
        out = Tensor.__new__(Tensor)
        out.data, out.requires_grad, out.label = self.data, False, self.label
        out.op, out.parents, out._vjp, out._grad, out._mark = "", (), None, None, None
        out._pending = None
        return out

    def __len__(self):
        if self.ndim == 0:
            raise TypeError("len() of a 0-d tensor: it holds one number and has no length")
        return len(self.data)

    def __iter__(self):
        if self.ndim == 0:
            raise TypeError("iteration over a 0-d tensor: it holds one number (use .item())")
        return (self[i] for i in range(len(self.data)))

    def __bool__(self):
        if self.data.size != 1:
            raise RuntimeError(f"the truth value of a tensor of shape {self.shape} is ambiguous: "
                               "use (x > 0).any() or .all()")
        return bool(self.data)

    def __float__(self):
        return float(self.item())

    def __int__(self):
        return int(self.item())

    def __index__(self):  # an integer tensor of one element, as a position: range(n), xs[i]
        if self.data.dtype.kind not in "iu" or self.data.size != 1:
            raise TypeError(f"only an integer tensor of one element can be used as an index, "
                            f"not a {self.dtype} tensor of shape {self.shape}")
        return int(self.item())

    def __format__(self, spec):  # f"{loss:.4f}" for a one-element tensor, as in PyTorch
        if self.data.size == 1 and spec:
            return format(self.item(), spec)
        return format(repr(self), spec)

    __hash__ = object.__hash__  # (== gives a tensor, so a tensor is hashed by identity)

    def __repr__(self):
        body = np.array2string(self.data, precision=4, separator=" ", prefix="Tensor(")
        extras = [f"shape={self.shape}"]
        if self.dtype != np.float64:
            extras.append(f"dtype={self.dtype}")
        if self.op:
            extras.append(f"op={self.op!r}")
        elif self.requires_grad:
            extras.append("requires_grad=True")
        if self.label:
            extras.append(f"label={self.label!r}")
        return f"Tensor({body}, {', '.join(extras)})"

    # ---- backward -------------------------------------------------------------------------

    def _seed_grad(self, g):
        if g is None:
            if self.data.size != 1:
                raise RuntimeError(
                    f"backward() without a gradient works only for a one-element output, but this "
                    f"tensor has shape {self.shape}: a gradient must be given for non-scalar outputs. "
                    "Reduce it to one number first (.sum() or .mean()), or pass "
                    f"backward(gradient=...) with a tensor of shape {self.shape}."
                )
            return Tensor._apply("", np.ones(self.data.shape, self.data.dtype), (), None)
        if isinstance(g, bool):
            raise TypeError(_BOOL_GRADIENT)
        g = _lift(g, self).astype(self.dtype)
        if g.shape != self.shape:
            raise ValueError(f"backward: the gradient has shape {g.shape}, but the output has shape {self.shape}")
        return g

    def _add_in_place(self, g):
        _np(np.add, self.data, g.data, out=self.data)

    def _memory(self):
        """Which array holds these numbers: the data's own id, or for a view, its base's."""
        base = self.data.base
        return id(self.data if base is None else base)

    def _copy(self):
        """A new leaf holding a copy of these numbers."""
        return Tensor._apply("", self.data.copy(), (), None)

    def backward(self, gradient=None, retain_graph=None, create_graph=False):
        """Fill `.grad` of every tensor this one depends on with d(self)/d(that tensor)."""
        autograd.backward(self, None if gradient is None else (gradient,), retain_graph,
                          create_graph)  # (one output, one gradient, even if given as a list)

    # ---- arithmetic (NumPy broadcasting) ----------------------------------------------------

    # As in scalar.py, the VJPs of + - * / and unary - are static methods right below their
    # ops, made once and shared by every node; `@` shares `_matmul_vjp` (further down), and
    # the rarer ops keep theirs inline.

    def __add__(self, other):
        """a + b.   d/da = 1, d/db = 1"""
        other = other if isinstance(other, Tensor) else _lift(other, self)
        return self._apply("+", _broadcast("+", np.add, self, other), (self, other), Tensor._add_vjp)

    @staticmethod
    def _add_vjp(g, a, b):
        return _unbroadcast(g, a), _unbroadcast(g, b)

    def __sub__(self, other):
        """a - b.   d/da = 1, d/db = -1"""
        other = other if isinstance(other, Tensor) else _lift(other, self)
        return self._apply("-", _broadcast("-", np.subtract, self, other), (self, other),
                           Tensor._sub_vjp)

    @staticmethod
    def _sub_vjp(g, a, b):
        return _unbroadcast(g, a), -_unbroadcast(g, b) if b.requires_grad else None

    def __mul__(self, other):
        """a * b.   d/da = b, d/db = a"""
        other = other if isinstance(other, Tensor) else _lift(other, self)
        return self._apply("*", _broadcast("*", np.multiply, self, other), (self, other),
                           Tensor._mul_vjp)

    @staticmethod
    def _mul_vjp(g, a, b):
        return (_unbroadcast(g * b, a) if a.requires_grad else None,
                _unbroadcast(g * a, b) if b.requires_grad else None)

    def __truediv__(self, other):
        """a / b.   d/da = 1/b, d/db = -a/b²"""
        other = other if isinstance(other, Tensor) else _lift(other, self)
        return self._apply("/", _broadcast("/", np.divide, self, other), (self, other),
                           Tensor._div_vjp)

    @staticmethod
    def _div_vjp(g, a, b):
        # -g·a/b² is computed dividing by b twice: b² alone overflows to inf (or underflows
        # to 0) for |b| beyond about 1e154 (or below 1e-154). PyTorch divides by b twice too.
        return (_unbroadcast(g / b, a) if a.requires_grad else None,
                _unbroadcast(-(g * (a / b)) / b, b) if b.requires_grad else None)

    def __pow__(self, other):
        """a ** n (a number).   d/da = n·a^(n-1)   (0 for n = 0, even at a = 0)
        a ** b (a Tensor).      d/da = b·a^(b-1), d/db = a^b · log a
                                (where a = 0: d/da = 0 where b = 0, d/db = 0 where b ≥ 0)"""
        if isinstance(other, numbers.Real):
            n = float(other)
            return self._apply(f"**{n:g}", _np(np.power, self.data, self.data.dtype.type(n)), (self,),
                               lambda g, a, n=n: (g * n * a ** (n - 1) if n != 0 else g * 0,))
        other = _lift(other, self)

        def vjp(g, a, b):
            # Where a = 0 both slopes can meet 0·∞. There they take PyTorch's values: d/da = 0
            # where b = 0 (as for a ** 0), and d/db = 0 where b ≥ 0 (a^b·log a → 0 as a → 0).
            at_zero = a.data == 0
            grad_a = None
            if a.requires_grad:  # b·a^(b-1), with the exponent 0 where a = b = 0: 0·1, not 0·∞
                exponent = b - 1 + a._constant(at_zero & (b.data == 0))
                grad_a = _unbroadcast(g * b * a ** exponent, a)
            if not b.requires_grad:
                return grad_a, None
            log_a = (a + a._constant(at_zero & (b.data >= 0))).log()  # log 1 = 0 there
            return grad_a, _unbroadcast(g * a ** b * log_a, b)
        return self._apply("**", _broadcast("**", np.power, self, other), (self, other), vjp)

    def __matmul__(self, other):
        """a @ b (matrix product, NumPy's rules for 1-D and batched N-D).
        d/da = g @ bᵀ, d/db = aᵀ @ g"""
        other = _lift(other, self)
        try:
            data = _np(np.matmul, self.data, other.data)
        except ValueError:
            raise ShapeError(_matmul_message(self.shape, other.shape)) from None
        return self._apply("@", data, (self, other), _matmul_vjp)

    def __neg__(self):
        """-a.   d/da = -1"""
        return self._apply("neg", -self.data, (self,), Tensor._neg_vjp)

    @staticmethod
    def _neg_vjp(g, a):
        return (-g,)  # the gradient goes on with its sign flipped

    # The same operations with the non-Tensor on the left: 2 * x, 1 - x, ndarray @ x.
    def __radd__(self, other):
        return _lift(other, self) + self

    def __rsub__(self, other):
        return _lift(other, self) - self

    def __rmul__(self, other):
        return _lift(other, self) * self

    def __rtruediv__(self, other):
        return _lift(other, self) / self

    def __rpow__(self, other):
        return _lift(other, self) ** self

    def __rmatmul__(self, other):
        return _lift(other, self) @ self

    # ---- elementwise functions --------------------------------------------------------------

    def exp(self):
        """e^x.   d/dx e^x = e^x"""
        return self._apply("exp", _np(np.exp, self.data), (self,), lambda g, a: (g * a.exp(),))

    def log(self):
        """Natural logarithm.   d/dx log x = 1/x   (log 0 = -inf)"""
        return self._apply("log", _np(np.log, self.data), (self,), lambda g, a: (g / a,))

    def sqrt(self):
        """√x.   d/dx √x = 1/(2√x)"""
        return self._apply("sqrt", _np(np.sqrt, self.data), (self,),
                           lambda g, a: (g / (2 * a.sqrt()),))

    def abs(self):
        """|x|.   d/dx |x| = sign(x)   (0 at x = 0)"""
        return self._apply("abs", np.abs(self.data), (self,),
                           lambda g, a: (g * a._constant(np.sign(a.data)),))

    __abs__ = abs

    def tanh(self):
        """tanh x.   d/dx tanh x = 1 - tanh² x"""
        return self._apply("tanh", np.tanh(self.data), (self,),
                           lambda g, a: (g * (1 - a.tanh() ** 2),))

    def sigmoid(self):
        """σ(x) = 1/(1 + e^-x), as exp(-log(1 + e^-x)) so nothing overflows.
        d/dx σ(x) = σ(x)·(1 - σ(x))"""
        def vjp(g, a):
            s = a.sigmoid()
            return (g * s * (1 - s),)
        return self._apply("sigmoid", np.exp(-_np(np.logaddexp, 0, -self.data)), (self,), vjp)

    def softplus(self):
        """log(1 + e^x), as logaddexp(0, x) so nothing overflows.   d/dx = σ(x)"""
        return self._apply("softplus", _np(np.logaddexp, 0, self.data).astype(self.dtype, copy=False),
                           (self,), lambda g, a: (g * a.sigmoid(),))

    def relu(self):
        """max(0, x).   d/dx = 1 where x > 0, else 0 (also at 0, as in PyTorch)"""
        return self._apply("relu", np.maximum(self.data, 0), (self,),
                           lambda g, a: (_masked(g, a.data > 0),))

    def clip(self, min=None, max=None):
        """x limited to [min, max].   d/dx = 1 inside (ends included), 0 outside"""
        lo, hi = min, max  # (PyTorch's names for the bounds; inside, the builtins stay usable)
        if any(isinstance(b, Tensor) and b.requires_grad for b in (lo, hi)):
            raise TypeError("clip: the bounds are numbers and get no gradient; pass a number or "
                            "bound.detach()")
        lo, hi = (b.data if isinstance(b, Tensor) else b for b in (lo, hi))
        try:
            data = _np(np.clip, self.data, lo, hi)
        except ValueError:
            data = None
        if data is None or data.shape != self.shape:  # (bounds may not make x bigger either)
            raise ValueError(f"clip: bounds of shape {np.shape(lo)} and {np.shape(hi)} do not fit "
                             f"a tensor of shape {self.shape}")
        inside = np.ones(self.shape, dtype=bool)
        if lo is not None:
            inside &= self.data >= lo
        if hi is not None:
            inside &= self.data <= hi
        return self._apply("clip", data, (self,), lambda g, a, inside=inside: (_masked(g, inside),))

    def astype(self, dtype):
        """The same numbers in another dtype.   d/dx = 1 (the gradient is cast back); into whole
        numbers or bools no gradient flows (as in PyTorch, the result needs none)"""
        dtype = np.dtype(dtype)
        if dtype.kind not in "biuf":
            raise TypeError(f"a Tensor's dtype is a float, int or bool type, not {dtype}")
        if dtype == self.dtype:
            return self
        data = _np(self.data.astype, dtype)
        if dtype.kind != "f":
            return self._apply("astype", data, (), None)
        return self._apply("astype", data, (self,), lambda g, a: (g.astype(a.dtype),))

    def _constant(self, array):
        """A leaf holding `array` in this tensor's dtype (masks, slopes): no gradient flows in."""
        return Tensor._apply("", np.asarray(array, dtype=self.dtype), (), None)

    # ---- reductions -------------------------------------------------------------------------

    def sum(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """Σ x over `axis`.   d/dx = 1 for every element summed: the gradient is copied back"""
        axis, keepdims = _reduction_args(axis, keepdims, dim, keepdim)
        axes = _axes(axis, self.ndim)
        return self._apply("sum", _np(np.add.reduce, self.data, axes, keepdims=keepdims), (self,),
                           lambda g, a: (_expand(_keep(g, axes, a.ndim, keepdims), a.shape),))

    def mean(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The average over `axis`: Σ x / n.   d/dx = 1/n for every element averaged"""
        if self.data.dtype.kind != "f":  # (as PyTorch: an average of whole numbers is no int)
            raise RuntimeError(f"mean() needs a floating-point tensor, not a {self.dtype} one: "
                               "write x.float().mean()")
        axis, keepdims = _reduction_args(axis, keepdims, dim, keepdim)
        axes = _axes(axis, self.ndim)
        n = math.prod(self.shape[a] for a in axes)  # how many numbers each average is over
        return self._apply("mean", _np(_mean_numbers, self.data, axes, keepdims, n), (self,),
                           lambda g, a: (_expand(_keep(g, axes, a.ndim, keepdims), a.shape, n),))

    def amax(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The largest element over `axis`.   d/dx = 1 at the maximum (shared equally by ties)"""
        return self._extreme("max", np.max, axis, keepdims, dim, keepdim)

    def amin(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """The smallest element over `axis`.   d/dx = 1 at the minimum (shared equally by ties)"""
        return self._extreme("min", np.min, axis, keepdims, dim, keepdim)

    def max(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """As torch.max: x.max() the largest element (ties share the gradient); x.max(dim) the
        pair (values, indices) along dim (the gradient goes to the index picked); x.max(y) is
        maximum(x, y)."""
        if isinstance(dim, Tensor):
            return maximum(self, dim)
        dim, keepdim = _reduction_args(dim, keepdim, axis, keepdims)
        if dim is None:
            return self.amax()
        indices = self.argmax(dim, keepdim=True)
        return _ValuesIndices(self._along(dim, indices, keepdim), indices.squeeze(dim) if not keepdim else indices)

    def min(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """As torch.min: x.min(), x.min(dim) -> (values, indices), x.min(y) = minimum(x, y)."""
        if isinstance(dim, Tensor):
            return -maximum(-self, -dim)
        dim, keepdim = _reduction_args(dim, keepdim, axis, keepdims)
        if dim is None:
            return self.amin()
        indices = self.argmin(dim, keepdim=True)
        return _ValuesIndices(self._along(dim, indices, keepdim), indices.squeeze(dim) if not keepdim else indices)

    def _along(self, dim, indices, keepdim):
        """x's elements at `indices` (kept dims) along dim, with the kept axis dropped unless keepdim."""
        picked = self.gather(dim, indices)
        return picked if keepdim else picked.squeeze(dim)

    def argmax(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Where the largest element is along dim (the first, on ties), as int64; the position
        in the flattened tensor when dim is None. No gradient: positions are not numbers to nudge."""
        return self._arg("argmax", np.argmax, dim, keepdim, axis, keepdims)

    def argmin(self, dim=None, keepdim=False, *, axis=None, keepdims=None):
        """Where the smallest element is along dim (the first, on ties), as int64."""
        return self._arg("argmin", np.argmin, dim, keepdim, axis, keepdims)

    def _arg(self, op, np_fn, dim, keepdim, axis, keepdims):
        dim, keepdim = _reduction_args(dim, keepdim, axis, keepdims)
        if self.data.size == 0:
            raise ValueError(f"{op}: the tensor of shape {self.shape} is empty: no element to point at")
        if dim is None:
            data = np_fn(self.data)
            if keepdim:
                data = np.reshape(data, (1,) * self.ndim)
        else:
            (dim,) = _axes(dim, self.ndim)
            data = np_fn(self.data, axis=dim, keepdims=keepdim) if self.ndim else np.asarray(0)
        return self._apply(op, np.asarray(data, dtype=np.int64), (), None)

    def gather(self, dim, index):
        """x's elements picked along dim at `index` (an int tensor of x's number of axes), as
        torch.gather: out[i][j] = x[index[i][j]][j] for dim 0.   The gradient goes back to the
        positions picked (added up where one is picked twice)"""
        (dim,) = _axes(dim, self.ndim)
        index = _index_array(index, "gather")
        data = np.take_along_axis(self.data, index, axis=dim)

        def vjp(g, a, dim=dim, index=index):
            return (_put_along(g, dim, index, a.shape),)
        return self._apply("gather", data, (self,), vjp)

    def _extreme(self, op, np_fn, axis, keepdims, dim, keepdim):
        axis, keepdims = _reduction_args(axis, keepdims, dim, keepdim)
        axes = _axes(axis, self.ndim)
        empty = [a for a in axes if self.shape[a] == 0]
        if empty:
            raise ValueError(f"{op}: there is no {'largest' if op == 'max' else 'smallest'} of "
                             f"no numbers: the tensor of shape {self.shape} is empty along axis "
                             f"{empty[0]} (reduce along another axis)")
        best = np_fn(self.data, axis=axes, keepdims=True)

        def vjp(g, a):
            hits = a.data == best
            share = a._constant(_np(np.divide, hits, hits.sum(axis=axes, keepdims=True)))
            return (_keep(g, axes, a.ndim, keepdims) * share,)  # (* broadcasts g over x)
        return self._apply(op, best if keepdims else best.reshape(_reduced_shape(self.shape, axes)),
                           (self,), vjp)

    def logsumexp(self, axis=None, keepdims=False, *, dim=None, keepdim=None):
        """log Σ e^x, computed as m + log Σ e^(x - m) with m = max x, so no e^x overflows.
        d/dx = softmax(x). Built from exp, sum and log, so its graph shows the trick."""
        axis, keepdims = _reduction_args(axis, keepdims, dim, keepdim)
        axes = _axes(axis, self.ndim)
        m = self._constant(_max_shift(self.data, axes))
        out = (self - m).exp().sum(axes, keepdims=True).log() + m
        return out if keepdims else out.reshape(_reduced_shape(self.shape, axes))

    # ---- shapes -----------------------------------------------------------------------------

    def reshape(self, *shape):
        """The same numbers in a new shape.   The gradient is reshaped back."""
        shape = _shape_of(shape)
        if shape == self.shape:
            return self
        try:
            data = self.data.reshape(shape)
        except ValueError:
            raise ShapeError(f"reshape: cannot reshape shape {self.shape} ({self.numel()} elements) "
                             f"into shape {shape}") from None
        return self._apply("reshape", data, (self,), lambda g, a: (g.reshape(a.shape),))

    def transpose(self, *axes):
        """Axes reordered. As in PyTorch, x.transpose(d0, d1) swaps two axes; as in NumPy, no
        axes reverse them all and three or more (or one tuple) give the new order.
        The gradient is reordered back."""
        if not axes:  # all axes reversed (a matrix's transpose): reversing again is the way back
            return self._apply("transpose", self.data.T, (self,), Tensor._transpose_vjp)
        n = self.data.ndim
        if len(axes) == 2 and all(isinstance(a, (int, np.integer)) for a in axes):
            d0, d1 = (_axes(a, n)[0] if n else a for a in axes)  # (PyTorch: swap d0 and d1)
            order = list(range(n))
            if n:
                order[d0], order[d1] = order[d1], order[d0]
            axes = tuple(order)
        axes = _shape_of(axes)
        if sorted(a % n if -n <= a < n else -1 for a in axes) != list(range(n)):
            raise ValueError(f"transpose: axes {axes} are not an ordering of the axes of a tensor "
                             f"of shape {self.shape}, " + (f"each of 0 to {n - 1} once" if n else
                                                           "which has none"))
        axes = tuple(a % n for a in axes)
        back = tuple(axes.index(i) for i in range(n))  # where each axis went: the way back
        data = self.data.transpose(axes)
        return self._apply("transpose", data, (self,), lambda g, a, back=back: (g.transpose(back),))

    @staticmethod
    def _transpose_vjp(g, a):
        return (g.transpose(),)  # all axes reversed: reversing them again is the way back

    T = property(lambda self: self.transpose(), doc="all axes reversed (a matrix's transpose)")
    mT = property(lambda self: self.transpose() if self.ndim == 2
                  else self.transpose(*range(self.ndim - 2), -1, -2),
                  doc="the last two axes swapped (a batch of matrices transposed)")

    def __getitem__(self, index):
        """x[index]: slices, integers, integer tensors or arrays as positions (`logp[rows, y]`),
        bool tensors or arrays as masks (`x[x > 0]`). The gradient goes back to the positions
        picked, added up where one is picked twice."""
        index = _plain_index(index)
        return self._apply("index", self.data[index], (self,),
                           lambda g, a, index=index: (_scatter(g, index, a.shape),))

    # ---- more ops (PyTorch's) ------------------------------------------------------------------

    def sin(self):
        """sin x.   d/dx sin x = cos x"""
        return self._apply("sin", _np(np.sin, self.data), (self,), lambda g, a: (g * a.cos(),))

    def cos(self):
        """cos x.   d/dx cos x = -sin x"""
        return self._apply("cos", _np(np.cos, self.data), (self,), lambda g, a: (-(g * a.sin()),))

    def clone(self):
        """A copy with its own memory, in the graph.   d/dx = 1"""
        return self._apply("clone", self.data.copy(), (self,), lambda g, a: (g,))

    def expand(self, *shape):
        """The tensor repeated along axes of length 1 (a broadcast, no copy); -1 keeps an axis.
        d/dx = the gradient summed over the repeats"""
        shape = _shape_of(shape)
        shape = tuple(n if n != -1 else self.shape[i - len(shape) + self.ndim]
                      for i, n in enumerate(shape))
        try:
            data = np.broadcast_to(self.data, shape)
        except ValueError:
            raise ValueError(f"expand: shape {self.shape} cannot be expanded to {shape} (only axes "
                             "of length 1 stretch)") from None
        return self._apply("expand", data, (self,), lambda g, a: (_unbroadcast(g, a),))

    # ---- comparisons and logic: no gradients, bool tensors -------------------------------------
    # x > 0 is a bool tensor: a mask for x[x > 0] or where(x > 0, x, 0), or, as x.float(), 0s and
    # 1s to count with. Comparisons are steps, flat almost everywhere: no gradient flows through.

    def _compare(self, other, f, op):
        if not isinstance(other, (Tensor, numbers.Real, np.ndarray, list, tuple)):
            return NotImplemented  # (x == None is False, as for any object)
        other = _lift(other, self)
        return self._apply(op, _broadcast(op, f, self, other), (), None)

    def __lt__(self, other):
        return self._compare(other, np.less, "<")

    def __le__(self, other):
        return self._compare(other, np.less_equal, "<=")

    def __gt__(self, other):
        return self._compare(other, np.greater, ">")

    def __ge__(self, other):
        return self._compare(other, np.greater_equal, ">=")

    def __eq__(self, other):
        return self._compare(other, np.equal, "==")

    def __ne__(self, other):
        return self._compare(other, np.not_equal, "!=")

    def _logic(self, other, f, op):
        other = _lift(other, self)
        for t in (self, other):
            if t.data.dtype.kind not in "biu":
                raise TypeError(f"{op} works on bool (or integer) tensors, not {t.dtype}: compare "
                                f"first, e.g. (x > 0) {op} (x < 1)")
        return self._apply(op, _broadcast(op, f, self, other), (), None)

    def __and__(self, other):
        return self._logic(other, np.bitwise_and, "&")

    def __or__(self, other):
        return self._logic(other, np.bitwise_or, "|")

    def __xor__(self, other):
        return self._logic(other, np.bitwise_xor, "^")

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__

    def __invert__(self):
        return self._logic(True if self.dtype.kind == "b" else -1, np.bitwise_xor, "~")

    def __floordiv__(self, other):
        """a // b, rounded down (no gradient: a staircase is flat)."""
        other = _lift(other, self)
        return self._apply("//", _broadcast("//", np.floor_divide, self, other), (), None)

    def __mod__(self, other):
        """a % b, with the sign of b as in PyTorch (no gradient)."""
        other = _lift(other, self)
        return self._apply("%", _broadcast("%", np.remainder, self, other), (), None)

    def isfinite(self):
        """True where the element is a finite number (not inf, -inf or nan)."""
        return self._apply("isfinite", np.isfinite(self.data), (), None)

    def isnan(self):
        """True where the element is nan (not a number)."""
        return self._apply("isnan", np.isnan(self.data), (), None)

    def isinf(self):
        """True where the element is inf or -inf."""
        return self._apply("isinf", np.isinf(self.data), (), None)

    def any(self, dim=None, keepdim=False):
        """True where some element is true (nonzero) along dim."""
        return self._apply("any", np.any(self.data, axis=dim, keepdims=keepdim), (), None)

    def all(self, dim=None, keepdim=False):
        """True where every element is true (nonzero) along dim."""
        return self._apply("all", np.all(self.data, axis=dim, keepdims=keepdim), (), None)

    # ---- in-place changes --------------------------------------------------------------------
    # `p -= lr * p.grad` under no_grad() changes p's own array: the same tensor, the same dtype,
    # so a model's parameters really move. With gradients on, a leaf that requires grad refuses
    # (its gradient would be lost); any other tensor in a graph takes the op's result, as its
    # new value and its place in the graph. autograd.mark_changed notes every change, so a
    # backward that needs the numbers from before raises instead of being silently wrong.

    def _in_graph(self, other=None):
        """True if this in-place change must be recorded (gradients on, and some tensor needs
        one); a RuntimeError for a leaf that requires grad."""
        if not autograd.is_grad_enabled():
            return False
        if self.requires_grad and not self.parents:
            raise RuntimeError(
                "a leaf tensor that requires grad cannot be changed in place while gradients are "
                "on (its gradient would be lost): wrap the update in `with tg.no_grad():`, "
                "e.g. with tg.no_grad(): p -= lr * p.grad")
        return self.requires_grad or (other is not None and other.requires_grad)

    def _write(self, f, *args, op):
        """self.data changed in place by the NumPy function f (f(self.data, *args, out=...))."""
        token = _quiet()
        try:
            f(self.data, *args, out=self.data)
        except (TypeError, ValueError) as error:  # (NumPy's UFuncTypeError is a TypeError)
            shapes = " and ".join(str(np.shape(a)) for a in args)
            if isinstance(error, TypeError):  # (NumPy: "Cannot cast ufunc 'add' output ...")
                raise RuntimeError(f"{op}: the result cannot be written into a {self.dtype} "
                                   f"tensor (as in PyTorch, an in-place op keeps the dtype): "
                                   "use x = x.float() first, or an out-of-place op") from None
            raise ValueError(f"{op}: a result of shape {shapes} broadcast with {self.shape} "
                             f"does not fit the tensor of shape {self.shape} it is written "
                             "into") from None
        finally:
            _restore(token)
        autograd.mark_changed(self)
        return self

    def _become(self, result):
        """This tensor takes `result`'s numbers and place in the graph (an in-place op while a
        graph is recorded); the node it was is kept under a new name as result's parent."""
        self.data, self.op, self.parents, self._vjp = result.data, result.op, result.parents, result._vjp
        self.requires_grad, self._grad = result.requires_grad, None
        self._made = autograd.mark_changed(self)
        return self

    def _before(self):
        """A node standing for this tensor as it is now, with a copy of its numbers."""
        old = Tensor._apply(self.op, self.data.copy(), (), None)
        old.op, old.parents, old._vjp, old.requires_grad = self.op, self.parents, self._vjp, self.requires_grad
        old.label = self.label
        if self.parents:
            old._made = self._made
        return old

    def _update(self, other, out_of_place, f, op):
        other = other if isinstance(other, Tensor) else _lift(other, self)
        if self._in_graph(other):
            return self._become(out_of_place(self._before(), other))
        return self._write(f, other.data, op=op)

    def __iadd__(self, other):
        return self._update(other, Tensor.__add__, np.add, "+=")

    def __isub__(self, other):
        return self._update(other, Tensor.__sub__, np.subtract, "-=")

    def __imul__(self, other):
        return self._update(other, Tensor.__mul__, np.multiply, "*=")

    def __itruediv__(self, other):
        return self._update(other, Tensor.__truediv__, np.divide, "/=")

    def add_(self, other, alpha=1):
        """x += alpha * other, in place."""
        return self.__iadd__(other if alpha == 1 else other * alpha)

    def sub_(self, other, alpha=1):
        """x -= alpha * other, in place."""
        return self.__isub__(other if alpha == 1 else other * alpha)

    def mul_(self, other):
        """x *= other, in place."""
        return self.__imul__(other)

    def div_(self, other):
        """x /= other, in place."""
        return self.__itruediv__(other)

    def fill_(self, value):
        """Every element set to `value`, in place."""
        if self._in_graph():
            return self._become(self._before() * 0 + value)
        return self._write(_copy_into, value.data if isinstance(value, Tensor) else value, op="fill_")

    def zero_(self):
        """Every element set to 0, in place (p.grad.zero_() forgets a gradient)."""
        return self.fill_(0)

    def copy_(self, src):
        """src's numbers written into this tensor (broadcast to its shape, in its dtype)."""
        src = src if isinstance(src, Tensor) else tensor(src)
        if self._in_graph(src):
            return self._become(self._before() * 0 + src.astype(self.dtype))
        return self._write(_copy_into, src.data, op="copy_")

    def clamp_(self, min=None, max=None):
        """x limited to [min, max], in place."""
        if self._in_graph():
            return self._become(self._before().clip(min, max))
        lo, hi = (b.data if isinstance(b, Tensor) else b for b in (min, max))
        return self._write(np.clip, lo, hi, op="clamp_")

    def requires_grad_(self, requires_grad=True):
        """Start (or stop) recording what is computed from this leaf; returns it."""
        if self.parents:
            raise RuntimeError("requires_grad can only be changed on a leaf (a tensor no op "
                               "made): use .detach() to get a leaf from this result")
        if requires_grad:
            _check_can_require_grad(self.data)
        self.requires_grad = bool(requires_grad)
        return self

    def __setitem__(self, index, value):
        """x[index] = value, in place (under no_grad, or on data that needs no gradient)."""
        value = value if isinstance(value, Tensor) else _lift(value, self)
        if self._in_graph(value):
            raise RuntimeError("x[index] = value on a tensor in a graph is not recorded by "
                               "tiny_grad: build a new tensor instead, e.g. "
                               "tg.where(mask, value, x), or do it under tg.no_grad()")
        token = _quiet()
        try:
            self.data[_plain_index(index)] = value.data
        finally:
            _restore(token)
        autograd.mark_changed(self)

    def retain_grad(self):
        """Nothing to do: every node keeps its gradient after backward in tiny_grad."""

    # ---- also known as: PyTorch's names for the ops above ----------------------------------

    def view(self, *shape):
        """The same numbers in a new shape (as reshape; tiny_grad makes no contiguity demands)."""
        return self.reshape(*shape)

    def unsqueeze(self, dim):
        """A new axis of length 1 at position dim."""
        (dim,) = _axes(dim, self.ndim + 1)
        return self.reshape(self.shape[:dim] + (1,) + self.shape[dim:])

    def squeeze(self, dim=None):
        """Axes of length 1 removed (all of them, or only dim if it has length 1)."""
        if dim is None:
            return self.reshape(tuple(n for n in self.shape if n != 1))
        dims = _axes(dim, self.ndim)
        return self.reshape(tuple(n for i, n in enumerate(self.shape) if not (i in dims and n == 1)))

    def flatten(self, start_dim=0, end_dim=-1):
        """Axes start_dim to end_dim merged into one."""
        if self.ndim == 0:
            return self.reshape(1)
        (start,), (end,) = _axes(start_dim, self.ndim), _axes(end_dim, self.ndim)
        return self.reshape(self.shape[:start] + (-1,) + self.shape[end + 1:])

    def permute(self, *dims):
        """The axes in a new order (NumPy's transpose(axes))."""
        return self.transpose(_shape_of(dims))  # (one tuple: always read as the new order)

    def t(self):
        """A matrix's transpose (a 0-d or 1-d tensor as it is)."""
        if self.ndim > 2:
            raise ValueError(f"t() is for tensors of at most 2 axes, not shape {self.shape}: "
                             "use transpose(d0, d1) or permute")
        return self.transpose() if self.ndim == 2 else self

    def pow(self, exponent):
        """x ** exponent."""
        return self ** exponent

    def mm(self, other):
        """The matrix product of two matrices (x @ other)."""
        return self @ other

    matmul = __matmul__
    add, sub, mul, div, neg = __add__, __sub__, __mul__, __truediv__, __neg__
    multiply, divide, subtract = __mul__, __truediv__, __sub__
    clamp = clip
    eq, ne, lt, le, gt, ge = __eq__, __ne__, __lt__, __le__, __gt__, __ge__

    def square(self):
        """x²."""
        return self * self

    def norm(self, p=2, dim=None, keepdim=False):
        """The length of x (√Σx², for p = 2) or Σ|x| (p = 1), over dim or all elements."""
        if p == 1:
            return self.abs().sum(dim, keepdim)
        if p != 2:
            raise ValueError(f"norm: p is 1 or 2 here, not {p!r}")
        return (self * self).sum(dim, keepdim).sqrt()

    def var(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        """The variance Σ(x - mean)² / (n - 1) (n with unbiased=False, or n - correction)."""
        correction = (1 if unbiased else 0) if correction is None else correction
        n = self.data.size if dim is None else math.prod(self.shape[a] for a in _axes(dim, self.ndim))
        centred = self - self.mean(dim, keepdims=True)
        return (centred * centred).sum(dim, keepdim) / max(n - correction, 0)

    def std(self, dim=None, unbiased=True, keepdim=False, *, correction=None):
        """The standard deviation: √var."""
        return self.var(dim, unbiased, keepdim, correction=correction).sqrt()

    def masked_fill(self, mask, value):
        """value where mask is True, x elsewhere."""
        return where(mask, value, self)

    def softmax(self, dim):
        """F.softmax(x, dim)."""
        from . import functional
        return functional.softmax(self, dim)

    def log_softmax(self, dim):
        """F.log_softmax(x, dim)."""
        from . import functional
        return functional.log_softmax(self, dim)

    def to(self, *args, dtype=None, **kwargs):
        """x in another dtype (x.to(tg.float32)); a device ("cpu") changes nothing."""
        for a in args:
            if isinstance(a, Tensor):
                dtype = a.dtype
            elif not isinstance(a, str) and a is not None:
                dtype = a
        return self if dtype is None else self.astype(dtype)

    def type(self, dtype=None):
        """x in `dtype` (x.type(tg.float32)); with none, the name of its type, as PyTorch's."""
        if dtype is None:
            return {"float32": "torch.FloatTensor", "float64": "torch.DoubleTensor",
                    "int64": "torch.LongTensor", "bool": "torch.BoolTensor"}.get(
                        str(self.dtype), f"tiny_grad.Tensor[{self.dtype}]")
        return self.astype(dtype)

    def type_as(self, other):
        """x in other's dtype."""
        return self.astype(other.dtype)

    def float(self):
        """x as float32 (PyTorch's float)."""
        return self.astype(np.float32)

    def double(self):
        """x as float64."""
        return self.astype(np.float64)

    def long(self):
        """x as int64 (whole numbers, rounded toward 0)."""
        return self.astype(np.int64)

    def int(self):
        """x as int32."""
        return self.astype(np.int32)

    def bool(self):
        """x as bool (True where nonzero)."""
        return self.astype(np.bool_)

    def cpu(self):
        """x itself: tiny_grad runs on the CPU."""
        return self

    def is_floating_point(self):
        """True for float32 and float64 tensors."""
        return self.data.dtype.kind == "f"

# ---- the helpers the VJPs share ----------------------------------------------------------

_REFLECTED = {"add": "__radd__", "subtract": "__rsub__", "multiply": "__rmul__",
              "divide": "__rtruediv__", "true_divide": "__rtruediv__", "power": "__rpow__",
              "matmul": "__rmatmul__", "less": "__gt__", "less_equal": "__ge__",
              "greater": "__lt__", "greater_equal": "__le__", "equal": "__eq__",
              "not_equal": "__ne__"}  # NumPy's ufunc -> the Tensor's op with NumPy on the left
_UNARY = {"exp": "exp", "log": "log", "sqrt": "sqrt", "absolute": "abs", "tanh": "tanh",
          "sin": "sin", "cos": "cos", "negative": "__neg__"}  # np.exp(t) -> t.exp()


def _lift(x, like):
    """x as a Tensor. Python numbers take `like`'s dtype, so float32 stays float32."""
    if isinstance(x, Tensor):
        return x
    if isinstance(x, numbers.Real):
        dtype = like.data.dtype
        if dtype.kind != "f" and not isinstance(x, bool):  # int tensor * 0.5 is a float, as
            if not isinstance(x, numbers.Integral):        # in PyTorch; bool tensor + 1 an int
                dtype = _default_float
            elif dtype.kind == "b":
                dtype = np.dtype(np.int64)
        return Tensor._apply("", _np(np.asarray, x, dtype=dtype), (), None)
    return tensor(x)


def _broadcast(op, f, a, b):
    """f(a.data, b.data) with NumPy broadcasting and its warnings off, or a ValueError
    naming the op and both shapes. (This is `_np` written out: it runs on every + - * /.)"""
    token = _quiet()
    try:
        if a.data.dtype is b.data.dtype:  # (the common case: one dtype, nothing to decide)
            return f(a.data, b.data)
        return f(a.data, b.data, dtype=_promote(a.data, b.data))
    except ValueError:
        raise ShapeError(f"{op}: shapes {a.shape} and {b.shape} cannot be broadcast together "
                         "(each axis, counted from the end, must be equal or 1)") from None
    finally:
        _restore(token)


def _unbroadcast(g, like):
    """g made to fit the input `like`: summed over the axes that broadcasting added or
    stretched, so it has like's shape again, and in like's dtype (float32 stays float32).
    None when `like` needs no gradient (data, constants): then there is nothing to compute.

    The one place where broadcasting is undone: every op's VJP ends with it.
    """
    if not like.requires_grad:
        return None
    if g.data.shape == like.data.shape and g.data.dtype == like.data.dtype:
        return g  # (the common case: nothing was broadcast, so g passes through as it is)
    return _fit(g, like.data.shape, like.data.dtype)


def _fit(g, shape, dtype):
    """g summed over the axes that broadcasting added or stretched to reach g's shape from
    `shape`, and cast to `dtype`. (The work of `_unbroadcast`.)"""
    if g.data.dtype != dtype:
        g = g.astype(dtype)
    if g.data.shape == shape:
        return g
    added = g.ndim - len(shape)
    stretched = tuple(added + i for i, n in enumerate(shape) if n == 1 and g.shape[added + i] != 1)
    if not stretched:  # (the common case, like a bias: only leading axes were added)
        return g.sum(tuple(range(added)))
    return g.sum(tuple(range(added)) + stretched, keepdims=True).reshape(shape)


def _copy_into(x, value, out):
    """value written into out (x's own array), broadcast to its shape, in its dtype."""
    np.copyto(out, value, casting="unsafe")


def _masked(g, keep):
    """g where the boolean array `keep` is True, 0 elsewhere: relu's and clip's gradient.
    (g times a 0/1 mask, without first turning the mask into an array of floats.)
    d/dg = 1 where keep, 0 elsewhere: its VJP is the same mask again."""
    return Tensor._apply("mask", _np(np.multiply, g.data, keep), (g,),
                         lambda gg, g, keep=keep: (_masked(gg, keep),))


def _expand(g, shape, n=1):
    """g / n copied along axes of length 1 up to `shape`: a reduction's gradient spread back
    over its input (n = 1 for a sum; for a mean, n is how many numbers each average is over).
    Its VJP is `_unbroadcast`, divided by the same n.

    The copy is a new array of its own, not a read-only view: it may end up as a leaf's
    `.grad`, which a learner should be able to change in place (`w.grad.data *= 0.5`)."""
    if g.shape == shape and n == 1:
        return g
    out = np.empty(shape, g.dtype)
    _np(np.divide, g.data, n, out=out)  # (dividing by 1 changes no number: a plain copy)

    def vjp(gg, g):
        back = _unbroadcast(gg, g)
        return (back if n == 1 else back / n,)
    return Tensor._apply("expand", out, (g,), vjp)


def _mean_numbers(data, axes, keepdims, n):
    """Σ data over `axes`, divided by n: a mean's numbers. (A mean over every axis is one
    NumPy number, and Python's `/` divides that far faster than a call of np.divide.)"""
    return np.add.reduce(data, axes, keepdims=keepdims) / n


def _max_shift(data, axes):
    """The largest value along `axes` (kept as length-1 axes), to subtract before e^x so that
    nothing overflows: e^(x - m) ≤ 1. Where that largest value is not finite (a row of all
    -inf), 0 instead, so the row stays -inf rather than becoming -inf - (-inf) = nan."""
    # (np.max, without its wrapper; -inf is the largest of no numbers, so an empty axis works)
    m = np.maximum.reduce(data, axis=axes, keepdims=True, initial=-np.inf)
    finite = np.isfinite(m)
    return m if finite.all() else np.where(finite, m, 0)  # (no new array when all are finite)


def _reduced_shape(shape, axes):
    return tuple(n for i, n in enumerate(shape) if i not in axes)


def _keep(g, axes, ndim, keepdims):
    """A reduction's gradient with the reduced axes put back as length 1, ready to expand."""
    if keepdims or g.data.ndim == 0:
        return g  # (a single number broadcasts to any shape as it is)
    shape = list(g.shape)
    for a in axes:
        shape.insert(a, 1)
    return g.reshape(tuple(shape))


def _matmul_message(a, b):
    if len(a) == 0 or len(b) == 0:
        return f"@: shapes {a} and {b}: matmul needs at least one axis on each side"
    inner_b = b[-2] if len(b) > 1 else b[0]
    if a[-1] == inner_b:  # the matrices fit: the batch axes in front of them do not
        return (f"@: shapes {a} and {b}: the batch axes in front of the matrices, {a[:-2]} and "
                f"{b[:-2]}, cannot be broadcast together (each axis, counted from the end, "
                "must be equal or 1)")
    return (f"@: shapes {a} and {b} do not match: the last axis of the first ({a[-1]}) must "
            f"equal the {'second-to-last' if len(b) > 1 else 'only'} axis of the second ({inner_b})")


def _matmul_vjp(g, a, b):
    """Gradients of a @ b: g @ bᵀ for a and aᵀ @ g for b, made 2-D first and summed over
    broadcast batch axes; a side that needs no gradient is skipped (it can be costly)."""
    a2 = a if a.ndim > 1 else a.reshape(1, -1)  # a vector is a one-row matrix…
    b2 = b if b.ndim > 1 else b.reshape(-1, 1)  # …or a one-column matrix
    g2 = g
    if a.ndim != 2 or b.ndim != 2:  # (matrix @ matrix, the common case, needs no reshaping)
        batch = np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
        g2 = g.reshape(batch + (a2.shape[-2], b2.shape[-1]))
    ga = gb = None
    if a.requires_grad:
        ga = _fit(g2 @ b2.mT, a2.shape, a.dtype).reshape(a.shape)
    if b.requires_grad:
        if b2.ndim == 2 and b2.data.flags.f_contiguous and not b2.data.flags.c_contiguous:
            # b is a transposed view, like weight.T in nn.Linear. (gᵀ @ a)ᵀ is the same matrix
            # as aᵀ @ g, but comes out in b's memory order, so the weight's own gradient is an
            # ordinary row-major array, and an optimizer's update of it runs at full speed.
            gb = (g2.mT @ a2).mT
        else:
            gb = a2.mT @ g2
        gb = _fit(gb, b2.shape, b.dtype).reshape(b.shape)
    return ga, gb


def _plain_index(index):
    """An index with any Tensors in it replaced by their arrays: an integer tensor gives
    positions, a bool tensor a mask, as in PyTorch (a float tensor is refused)."""
    if isinstance(index, tuple):
        return tuple(_plain_index(part) for part in index)
    if isinstance(index, Tensor):
        return _index_array(index, "x[t]", masks=True)
    return index


def _index_array(index, op, masks=False):
    """A Tensor (or array, or list) of positions as an integer array, or a clear error."""
    data = index.data if isinstance(index, Tensor) else np.asarray(index)
    if data.dtype.kind in "iu" or (masks and data.dtype.kind == "b"):
        return data
    raise IndexError(f"{op}: tensors used as indices hold whole numbers (int64) or bools (a "
                     f"mask), not {data.dtype}: write t.long() for positions, t.bool() for a mask")


def _put_along(g, dim, index, shape):
    """Zeros of `shape` with g added at the positions `index` along dim (gather's way back).
    Its VJP gathers at the same positions again."""
    out = np.zeros(shape, dtype=g.dtype)
    lead = list(np.ogrid[tuple(slice(n) for n in index.shape)])
    lead[dim] = index
    _np(np.add.at, out, tuple(lead), g.data)
    return Tensor._apply("scatter", out, (g,), lambda gg, g, dim=dim, index=index:
                         (gg.gather(dim, index),))


def _is_basic(index):
    """True for indexes made of integers, slices, None and `...` only (no arrays or lists)."""
    parts = index if isinstance(index, tuple) else (index,)
    return all(p is None or p is Ellipsis or isinstance(p, (int, np.integer, slice)) for p in parts)


def _scatter(g, index, shape):
    """Zeros of `shape` with g added at x[index]; repeated positions add up.
    Its VJP picks the same positions again."""
    out = np.zeros(shape, dtype=g.dtype)
    if _is_basic(index):
        out[index] = g.data  # slices and single integers never pick a position twice
    else:
        _np(np.add.at, out, index, g.data)
    return Tensor._apply("scatter", out, (g,), lambda gg, g, index=index: (gg[index],))


# ---- functions of several tensors --------------------------------------------------------


def tensor(data, requires_grad=False, dtype=None, label="", device=None):
    """A new Tensor (a copy of `data`), as torch.tensor: [1, 2] is int64, [True] bool, [1.5] a
    float (float64 by default). Tensor(data) is torch.Tensor(data): always floats."""
    out = Tensor.__new__(Tensor)
    out.data = _to_array(data, dtype, infer=True)
    if requires_grad:
        _check_can_require_grad(out.data)
    out.requires_grad, out.label = bool(requires_grad), label
    out.op, out.parents, out._vjp, out._grad, out._mark, out._pending = "", (), None, None, None, None
    return out


class _GradFn:
    """What t.grad_fn shows: the op that made t, e.g. <MulBackward>, and the ops before it."""

    __slots__ = ("node",)

    def __init__(self, node):
        self.node = node

    def name(self):
        return _OP_NAMES.get(self.node.op, self.node.op.capitalize()) + "Backward"

    @property
    def next_functions(self):
        """(the grad_fn of each input, 0): None for an input that is a leaf or needs no gradient."""
        return tuple((p.grad_fn, 0) for p in self.node.parents)

    def __repr__(self):
        return f"<{self.name()}>"


_OP_NAMES = {"+": "Add", "-": "Sub", "*": "Mul", "/": "Div", "@": "MatMul", "neg": "Neg",
             "**": "Pow", "index": "Index"}


class _ValuesIndices(tuple):
    """What x.max(dim) and x.min(dim) return, as in PyTorch: a pair (values, indices) that
    also reads as .values and .indices."""

    __slots__ = ()

    def __new__(cls, values, indices):
        return super().__new__(cls, (values, indices))

    values = property(lambda self: self[0], doc="the largest (or smallest) elements")
    indices = property(lambda self: self[1], doc="where they are along the dimension (int64)")


def maximum(a, b):
    """Elementwise larger of a and b.   d/da = 1 where a > b, d/db = 1 where b > a, ½ each on ties"""
    if not isinstance(a, Tensor):
        a = _lift(a, b) if isinstance(b, Tensor) else Tensor(a)
    b = _lift(b, a)
    data = _broadcast("maximum", np.maximum, a, b)

    def vjp(g, a, b):
        share_a = a._constant((a.data > b.data) + 0.5 * (a.data == b.data))
        return (_unbroadcast(g * share_a, a), _unbroadcast(g * (1 - share_a), b))
    return Tensor._apply("maximum", data, (a, b), vjp)


def where(condition, x, y):
    """x where condition is True, y elsewhere (condition: a bool tensor or array).
    d/dx = 1 where condition, d/dy = 1 elsewhere"""
    keep = _index_array(condition, "where", masks=True).astype(bool, copy=False)
    if not isinstance(x, Tensor):
        x = _lift(x, y) if isinstance(y, Tensor) else tensor(x)
    y = _lift(y, x)
    token = _quiet()
    try:
        data = np.where(keep, x.data, y.data).astype(_promote(x.data, y.data), copy=False)
    except ValueError:
        raise ValueError(f"where: shapes {keep.shape}, {x.shape} and {y.shape} cannot be "
                         "broadcast together") from None
    finally:
        _restore(token)

    def vjp(g, x, y, keep=keep):
        return (_unbroadcast(_masked(g, keep), x) if x.requires_grad else None,
                _unbroadcast(_masked(g, ~keep), y) if y.requires_grad else None)
    return Tensor._apply("where", data, (x, y), vjp)


def concatenate(tensors, axis=0, *, dim=None):
    """Tensors joined along an existing axis.   Each gets back its own slice of the gradient."""
    axis = axis if dim is None else dim
    tensors = tuple(t if isinstance(t, Tensor) else Tensor(t) for t in tensors)
    if not tensors:
        raise ValueError("concatenate: needs at least one tensor to join")
    if tensors[0].ndim == 0:
        raise ValueError("concatenate: 0-d tensors have no axis to join along: use stack")
    (axis,) = _axes(axis, tensors[0].ndim)  # (a whole number, and an axis of theirs)
    try:
        data = np.concatenate([t.data for t in tensors], axis=axis)
    except ValueError:
        shapes = ", ".join(str(t.shape) for t in tensors)
        raise ValueError(f"concatenate: shapes {shapes} must match except along axis {axis}") from None
    ends = np.cumsum([t.shape[axis] for t in tensors])

    def vjp(g, *tensors, axis=axis, ends=ends):  # (_unbroadcast: each in its input's dtype)
        lead = (slice(None),) * axis
        return tuple(_unbroadcast(g[lead + (slice(end - t.shape[axis], end),)], t)
                     for t, end in zip(tensors, ends))
    return Tensor._apply("concatenate", data, tensors, vjp)


def stack(tensors, axis=0, *, dim=None):
    """Tensors of one shape joined along a new axis: each gets a new axis of length 1, then concatenate."""
    axis = axis if dim is None else dim
    tensors = [t if isinstance(t, Tensor) else Tensor(t) for t in tensors]
    if not tensors:
        raise ValueError("stack: needs at least one tensor to join")
    shapes = {t.shape for t in tensors}
    if len(shapes) != 1:
        raise ValueError(f"stack: all tensors need the same shape, got {sorted(shapes)}")
    (axis,) = _axes(axis, tensors[0].ndim + 1)  # (an axis of the result, which has one more)
    return concatenate([t.reshape(t.shape[:axis] + (1,) + t.shape[axis:]) for t in tensors], axis)


def _class_indices(labels, op):
    """labels (a list, an array or a Tensor of whole numbers) as an array of integer positions,
    or an error saying what is wrong with them. (A Tensor's whole floats are fine.)"""
    labels = labels.data if isinstance(labels, Tensor) else np.asarray(labels)
    if labels.dtype.kind not in "biuf":
        raise TypeError(f"{op}: class indices are whole numbers, not {labels.dtype} data like "
                        f"{labels!r:.60}")
    if labels.dtype.kind == "f":
        if not np.all(np.isfinite(labels) & (labels == np.round(labels))):
            raise ValueError(f"{op}: class indices must be whole numbers, got {labels!r:.80}")
        huge = np.abs(labels) >= 2.0 ** 62  # (beyond what an integer index holds)
        if huge.any():
            raise IndexError(f"{op}: class index {labels[huge][0]:g} is out of range")
    return labels.astype(np.intp, copy=False)


def one_hot(labels, num_classes=None):
    """Rows of zeros with a 1 at each label: [2, 0] with 3 classes -> [[0,0,1], [1,0,0]]."""
    labels = _class_indices(labels, "one_hot")
    negative = labels[labels < 0]
    if negative.size:
        raise IndexError(f"one_hot: class index {int(negative[0])} is negative; classes are "
                         "numbered from 0")
    if num_classes is None:
        num_classes = int(labels.max()) + 1 if labels.size else 0
    bad = labels[labels >= num_classes]
    if bad.size:
        raise IndexError(f"one_hot: class index {int(bad[0])} is out of range for "
                         f"{num_classes} classes (valid: 0 to {num_classes - 1})")
    return Tensor(np.eye(num_classes)[labels])
