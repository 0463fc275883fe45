"""Value: automatic differentiation one number at a time.

Read this file first. Every operation below does two things:

* forward: compute the new number from the old ones, and
* backward: say how a small change of each input changes the result — its
  derivative. The VJP ("vector-Jacobian product") receives g = dL/d(result) and
  returns dL/d(input) = g * d(result)/d(input) for each input: the chain rule.

A VJP is called as `vjp(g, *inputs)`: it receives the result's gradient and the
op's inputs (the node's parents), so it needs to remember nothing itself. It is
written with Value operations (`g * b`, not floats), so when asked
(`create_graph=True`) the backward pass is a graph too, and can be differentiated
again. It uses the inputs, never the result: a result that pointed at itself
through its VJP would be a reference cycle, and the graph would outlive its last user.

The walk that calls the VJPs in the right order lives in `autograd.py`: read it next.
"""

import math
import numbers
import operator

import numpy as np

from . import autograd


_REAL = (int, float, numbers.Real)  # int and float first: the common cases are checked fastest


def _ieee(f, np_f, *args):
    """f(*args) from `math`; where math raises, NumPy's IEEE answer (inf or nan).

    math.log(0) raises, but a learner should see log 0 = -inf, as NumPy and
    PyTorch print it; likewise 1/0 = inf, exp(1000) = inf, sqrt(-1) = nan.
    """
    try:
        return f(*args)
    except (ValueError, OverflowError, ZeroDivisionError):
        with np.errstate(all="ignore"):
            return float(np_f(*args))


def _sigmoid(x):
    """1 / (1 + e^-x), written so that e^(something large) is never computed."""
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def _reflected(op):
    """The method for `number <op> value`: lift the number to a Value, then apply op."""
    def method(self, other):
        other = _lift(other)
        return NotImplemented if other is NotImplemented else op(other, self)
    return method


class Value:
    """One number in a computation graph, with its gradient.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> c = a * b + 1; c.backward()
    >>> c.data, a.grad, b.grad
    (-5.0, -3.0, 2.0)
    """

    __slots__ = ("data", "label", "op", "parents", "_vjp", "_grad", "_pending", "_mark", "_made",
                 "__weakref__")
    requires_grad = True  # every Value takes part in backward

    def __init__(self, data, label=""):
        if isinstance(data, Value):
            raise TypeError("Value() takes a number, and this is already a Value: use it as it is")
        if not isinstance(data, _REAL):
            raise TypeError(f"Value() takes a real number (int or float), not {type(data).__name__} {data!r}")
        self.data = float(data)
        self.label = label
        self.op = ""
        self.parents = ()
        self._vjp = None
        self._grad = None
        self._pending = None
        self._mark = None

    # The result of an operation: a new Value that remembers its parents and VJP
    # (_apply(op, data, parents, vjp); see autograd.make_node).
    _apply = classmethod(autograd.make_node)

    # ---- gradient -------------------------------------------------------------------------

    @property
    def grad(self):
        """dL/d(this value) after `L.backward()`; 0.0 before."""
        return 0.0 if self._grad is None else self._grad.data

    @grad.setter
    def grad(self, value):
        if value is not None and not isinstance(value, _REAL):
            raise TypeError(f"a Value's gradient is one number, not a {type(value).__name__}")
        self._grad = None if value is None or value == 0 else Value(value)

    def _seed_grad(self, g):
        if isinstance(g, bool):
            raise TypeError(_BOOL_GRADIENT)
        seed = Value(1.0) if g is None else _lift(g)
        if seed is NotImplemented:
            raise TypeError(f"the gradient to start backward from a Value is a number (or a "
                            f"Value), not {type(g).__name__} like {g!r:.40}")
        return seed

    def _add_in_place(self, g):
        self.data += g.data

    def _memory(self):
        return None  # a Value's .grad is a float: no one can change it in place

    def backward(self, retain_graph=None, create_graph=False, *, gradient=None):
        """Fill `.grad` of every value this one depends on with d(self)/d(that value), times
        `gradient` (1 when not given, as in micrograd; PyTorch's Tensor.backward takes it first)."""
        if retain_graph is not None and not isinstance(retain_graph, bool):
            raise TypeError(f"Value.backward's first argument is retain_graph (True or False), "
                            f"not {retain_graph!r}: give a starting gradient as "
                            "backward(gradient=...)")
        autograd.backward(self, None if gradient is None else (gradient,), retain_graph,
                          create_graph)

    def __repr__(self):
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data:.6g}, grad={self.grad:.6g}{label})"

    # ---- arithmetic -----------------------------------------------------------------------
    # Below each op is its VJP: a static method of g and the op's inputs (a, b), made once
    # and shared by every node of that op. A node is then just a Value and its tuple of
    # parents; a graph of 100,000 scalar nodes holds nothing else, and Python's cycle
    # collector, which looks through every object alive, has that much less to look at.

    def __add__(self, other):
        """a + b.   d/da = 1, d/db = 1"""
        other = other if isinstance(other, Value) else _lift(other)
        if other is NotImplemented:
            return other
        return self._apply("+", self.data + other.data, (self, other), Value._add_vjp)

    @staticmethod
    def _add_vjp(g, a, b):
        return g, g  # the same gradient, unchanged, to both inputs

    def __mul__(self, other):
        """a * b.   d/da = b, d/db = a"""
        other = other if isinstance(other, Value) else _lift(other)
        if other is NotImplemented:
            return other
        return self._apply("*", self.data * other.data, (self, other), Value._mul_vjp)

    @staticmethod
    def _mul_vjp(g, a, b):
        return g * b, g * a

    def __neg__(self):
        """-a.   d/da = -1"""
        return self._apply("neg", -self.data, (self,), Value._neg_vjp)

    @staticmethod
    def _neg_vjp(g, a):
        return (-g,)

    def __sub__(self, other):
        """a - b.   d/da = 1, d/db = -1"""
        other = other if isinstance(other, Value) else _lift(other)
        if other is NotImplemented:
            return other
        return self._apply("-", self.data - other.data, (self, other), Value._sub_vjp)

    @staticmethod
    def _sub_vjp(g, a, b):
        return g, -g

    def __truediv__(self, other):
        """a / b.   d/da = 1/b, d/db = -a/b²"""
        other = other if isinstance(other, Value) else _lift(other)
        if other is NotImplemented:
            return other
        return self._apply("/", _ieee(operator.truediv, np.divide, self.data, other.data),
                           (self, other), Value._div_vjp)

    @staticmethod
    def _div_vjp(g, a, b):
        return g / b, -(g * (a / b)) / b  # -g·a/b², divided by b twice: b² could overflow

    def __pow__(self, other):
        """a ** n (a number).   d/da = n·a^(n-1)   (0 for n = 0, even at a = 0)
        a ** b (a Value).        d/da = b·a^(b-1), d/db = a^b · log a
                                 (at a = 0: d/da = 0 where b = 0, d/db = 0 where b ≥ 0)"""
        if isinstance(other, Value):
            return self._apply("**", _ieee(math.pow, np.power, self.data, other.data),
                               (self, other), Value._pow_vjp)
        if not isinstance(other, _REAL):
            return NotImplemented
        n = float(other)  # a number is not an input, so this VJP remembers it (n=n)
        return self._apply(f"**{n:g}", _ieee(math.pow, np.power, self.data, n), (self,),
                           lambda g, a, n=n: (g * n * a ** (n - 1) if n != 0 else g * 0,))

    @staticmethod
    def _pow_vjp(g, a, b):
        # At a = 0 both slopes can meet 0·∞. There they take PyTorch's values: d/da = 0 where
        # b = 0 (as for a ** 0), and d/db = 0 where b ≥ 0 (a^b·log a → 0 as a → 0).
        at_zero = a.data == 0
        grad_a = g * 0 if at_zero and b.data == 0 else g * b * a ** (b - 1)
        grad_b = g * 0 if at_zero and b.data >= 0 else g * a ** b * a.log()
        return grad_a, grad_b

    # The same operations with the number on the left: 2 * a, 1 - a, 3 / a, 2 ** a.
    __radd__ = _reflected(operator.add)
    __rmul__ = _reflected(operator.mul)
    __rsub__ = _reflected(operator.sub)
    __rtruediv__ = _reflected(operator.truediv)
    __rpow__ = _reflected(operator.pow)

    # ---- functions ------------------------------------------------------------------------

    def exp(self):
        """e^a.   d/da e^a = e^a"""
        return self._apply("exp", _ieee(math.exp, np.exp, self.data), (self,), Value._exp_vjp)

    @staticmethod
    def _exp_vjp(g, a):
        return (g * a.exp(),)

    def log(self):
        """Natural logarithm.   d/da log a = 1/a   (log 0 = -inf)"""
        return self._apply("log", _ieee(math.log, np.log, self.data), (self,), Value._log_vjp)

    @staticmethod
    def _log_vjp(g, a):
        return (g / a,)

    def sqrt(self):
        """√a.   d/da √a = 1/(2√a)"""
        return self._apply("sqrt", _ieee(math.sqrt, np.sqrt, self.data), (self,), Value._sqrt_vjp)

    @staticmethod
    def _sqrt_vjp(g, a):
        return (g / (2 * a.sqrt()),)

    def tanh(self):
        """tanh a.   d/da tanh a = 1 - tanh² a"""
        return self._apply("tanh", math.tanh(self.data), (self,), Value._tanh_vjp)

    @staticmethod
    def _tanh_vjp(g, a):
        return (g * (1 - a.tanh() ** 2),)

    def sigmoid(self):
        """σ(a) = 1/(1 + e^-a).   d/da σ(a) = σ(a)·(1 - σ(a))"""
        return self._apply("sigmoid", _sigmoid(self.data), (self,), Value._sigmoid_vjp)

    @staticmethod
    def _sigmoid_vjp(g, a):
        s = a.sigmoid()
        return (g * s * (1 - s),)

    def relu(self):
        """max(0, a).   d/da = 1 if a > 0 else 0   (0 at the kink, as in PyTorch)"""
        return self._apply("relu", max(self.data, 0.0), (self,), Value._relu_vjp)

    @staticmethod
    def _relu_vjp(g, a):
        return (g * (1.0 if a.data > 0 else 0.0),)

    def abs(self):
        """|a|.   d/da |a| = sign(a)   (0 at a = 0, as in PyTorch)"""
        return self._apply("abs", abs(self.data), (self,), Value._abs_vjp)

    @staticmethod
    def _abs_vjp(g, a):
        return (g * ((a.data > 0) - (a.data < 0)),)

    __abs__ = abs


_BOOL_GRADIENT = ("the gradient to start backward from is a number, not True or False; to keep "
                  "the graph for another backward, write backward(retain_graph=True)")


def _lift(x):
    """A Value for x: itself if it is one, a new constant leaf if it is a number."""
    if isinstance(x, Value):
        return x
    if isinstance(x, _REAL):
        return Value(x)
    return NotImplemented
