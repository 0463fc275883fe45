"""The Tensor engine: every op's gradient, broadcasting, shapes, dtypes, errors,
numerical stability and memory.

Most tests compare backward's gradient with central differences (`gradcheck`): if an
op's VJP were wrong, the two would disagree. Hypothesis picks the shapes and the
numbers. The numbers stay away from kinks (|x| and relu at 0, the ends of clip) and
poles (log and division near 0), where a derivative does not exist or changes too
fast for a finite difference to see it.
"""

import gc
import math
import operator
import subprocess
import sys
import warnings
import weakref

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tiny_grad as tg
from tiny_grad import Tensor, Value, gradcheck, gradgradcheck
from tiny_grad.autograd import topological_order


# ---- helpers and strategies ---------------------------------------------------------------


def floats(lo, hi, avoid=()):
    """Floats in [lo, hi], each at least 0.01 away from every number in `avoid`."""
    strategy = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if avoid:
        strategy = strategy.filter(lambda v: all(abs(v - k) > 0.01 for k in avoid))
    return strategy


def arrays(shape, elements):
    """float64 arrays of `shape` filled from the strategy `elements`."""
    return hnp.arrays(np.float64, shape, elements=elements)


def leaf(data, dtype=None):
    """A tensor we want gradients for."""
    return Tensor(data, requires_grad=True, dtype=dtype)


def distinct(shape, seed=0):
    """Numbers that are all different (at least 1/8 apart): max and min have no ties."""
    size = int(np.prod(shape))
    return np.random.default_rng(seed).permutation(size).reshape(shape) / 8.0 - size / 16.0


def assert_no_warning_recorded(caught):
    assert caught == [], [f"{w.category.__name__}: {w.message} ({w.filename})" for w in caught]


moderate = floats(-2, 2)
away_from_zero = floats(0.5, 2) | floats(-2, -0.5)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)


# ---- 1. binary ops and broadcasting ------------------------------------------------------

# name: (the op on Tensors, the same op in NumPy, numbers for the left side, for the right side)
BINARY = {
    "+": (operator.add, np.add, moderate, moderate),
    "-": (operator.sub, np.subtract, moderate, moderate),
    "*": (operator.mul, np.multiply, moderate, moderate),
    "/": (operator.truediv, np.divide, moderate, away_from_zero),
    "**": (operator.pow, np.power, floats(0.5, 2), moderate),  # a positive base
    # a lives on the grid k/10 and b on k/10 + 0.05, so they never tie
    "maximum": (tg.maximum, np.maximum,
                st.integers(-20, 20).map(lambda k: k / 10),
                st.integers(-20, 20).map(lambda k: k / 10 + 0.05)),
}


def check_binary(name, a_data, b_data):
    """Values as NumPy's, gradcheck, and each .grad has the shape of its own input."""
    op, np_op = BINARY[name][:2]
    a, b = leaf(a_data), leaf(b_data)
    out = op(a, b)
    expected = np_op(a_data, b_data)
    assert out.shape == expected.shape
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert gradcheck(op, [a, b])
    op(a, b).sum().backward()
    assert a.grad.shape == a.shape
    assert b.grad.shape == b.shape


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=20, deadline=None)
@given(shapes=shape_pairs, data=st.data())
def test_binary_op_broadcasts_and_passes_gradcheck(name, shapes, data):
    shape_a, shape_b = shapes.input_shapes
    left, right = BINARY[name][2:]
    check_binary(name, data.draw(arrays(shape_a, left)), data.draw(arrays(shape_b, right)))


NAMED_SHAPE_PAIRS = [
    ((), (3,)),
    ((1,), (2, 3)),
    ((3, 1, 4), (2, 1)),
    ((2, 1, 3), (1, 4, 1)),
    ((2, 3), ()),
    ((4,), (3, 1)),
]


@pytest.mark.parametrize("name", BINARY)
@pytest.mark.parametrize("shape_a, shape_b", NAMED_SHAPE_PAIRS)
def test_binary_op_on_named_shape_pairs(name, shape_a, shape_b):
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 2.0, shape_a)  # positive: fine as a base of ** and as a divisor
    b = rng.uniform(0.5, 2.0, shape_b) + 0.005  # + 0.005: never equal to a (maximum)
    check_binary(name, a, b)


@pytest.mark.parametrize("shape_a, shape_b", NAMED_SHAPE_PAIRS)
def test_broadcast_gradient_counts_the_copies(shape_a, shape_b):
    """In a + b, each element of a is used out.numel() / a.numel() times: that is its gradient."""
    a, b = leaf(np.zeros(shape_a)), leaf(np.zeros(shape_b))
    out = a + b
    out.sum().backward()
    np.testing.assert_array_equal(a.grad.data, np.full(shape_a, out.numel() / a.numel()))
    np.testing.assert_array_equal(b.grad.data, np.full(shape_b, out.numel() / b.numel()))


ARRAY = np.array([[0.3, -0.4, 0.9], [1.1, 0.2, -0.7]])
POSITIVE_ARRAY = np.array([0.5, 1.5, 2.5])
X_DATA = np.array([[0.5, 1.5, 2.0], [1.2, 0.7, 1.1]])  # positive, so 1/x and x ** a are fine

# An expression with a Python number or a NumPy array on one side, and its NumPy twin.
MIXED = {
    "2 * x": (lambda x: 2 * x, lambda x: 2 * x),
    "x * 2.5": (lambda x: x * 2.5, lambda x: x * 2.5),
    "x - 1": (lambda x: x - 1, lambda x: x - 1),
    "1 - x": (lambda x: 1 - x, lambda x: 1 - x),
    "0.5 + x": (lambda x: 0.5 + x, lambda x: 0.5 + x),
    "x / 4": (lambda x: x / 4, lambda x: x / 4),
    "1 / x": (lambda x: 1 / x, lambda x: 1 / x),
    "x ** 2": (lambda x: x ** 2, lambda x: x ** 2),
    "x ** 0.5": (lambda x: x ** 0.5, lambda x: x ** 0.5),
    "2 ** x": (lambda x: 2 ** x, lambda x: 2 ** x),
    "np.float64(3) * x": (lambda x: np.float64(3) * x, lambda x: 3 * x),
    "array + x": (lambda x: ARRAY + x, lambda x: ARRAY + x),
    "x + array": (lambda x: x + ARRAY, lambda x: x + ARRAY),
    "array - x": (lambda x: ARRAY - x, lambda x: ARRAY - x),
    "array * x": (lambda x: ARRAY * x, lambda x: ARRAY * x),
    "x / array": (lambda x: x / ARRAY, lambda x: x / ARRAY),
    "array / x": (lambda x: ARRAY / x, lambda x: ARRAY / x),
    "row ** x": (lambda x: POSITIVE_ARRAY ** x, lambda x: POSITIVE_ARRAY ** x),
    "x ** row": (lambda x: x ** POSITIVE_ARRAY, lambda x: x ** POSITIVE_ARRAY),
    "array.T @ x": (lambda x: ARRAY.T @ x, lambda x: ARRAY.T @ x),
    "x @ array.T": (lambda x: x @ ARRAY.T, lambda x: x @ ARRAY.T),
}


@pytest.mark.parametrize("name", MIXED)
def test_numbers_and_numpy_arrays_on_either_side(name):
    fn, np_fn = MIXED[name]
    x = leaf(X_DATA)
    out = fn(x)
    assert isinstance(out, Tensor)  # not an ndarray of Tensors
    np.testing.assert_allclose(out.data, np_fn(X_DATA), rtol=1e-12)
    assert gradcheck(fn, [x])
    fn(x).sum().backward()
    assert x.grad.shape == x.shape


def test_a_tensor_without_requires_grad_gets_no_gradient():
    x, c = leaf([1.0, 2.0]), Tensor([3.0, 4.0])
    (x * c).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])
    assert c.grad is None


def test_tensor_exponent_of_a_negative_base_under_detect_anomaly():
    """x ** c with a constant Tensor c: only x needs a gradient. The gradient c would get,
    x^c · log x, is NaN for x < 0, but nobody asked for it, so anomaly mode must not raise
    (PyTorch computes it only when the exponent requires grad)."""
    x = leaf([-2.0, 0.0, 3.0])
    with tg.detect_anomaly():
        (x ** Tensor(2.0)).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-4.0, 0.0, 6.0])


def test_maximum_shares_the_gradient_on_ties():
    a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 0.0])
    tg.maximum(a, b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [0.5, 0.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [0.5, 1.0, 0.0])


def test_maximum_with_a_number_is_a_relu_with_a_floor():
    x = leaf([-2.0, 0.5, 3.0])
    for out in (tg.maximum(x, 0.0), tg.maximum(0.0, x)):
        np.testing.assert_array_equal(out.data, [0.0, 0.5, 3.0])
    tg.maximum(0.0, x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0])


# ---- 2. elementwise functions ------------------------------------------------------------

# name: (the op, the same in NumPy, numbers away from its kinks and poles)
UNARY = {
    "exp": (lambda x: x.exp(), np.exp, moderate),
    "log": (lambda x: x.log(), np.log, floats(0.1, 3)),
    "sqrt": (lambda x: x.sqrt(), np.sqrt, floats(0.1, 3)),
    "abs": (lambda x: x.abs(), np.abs, floats(-2, 2, avoid=[0])),
    "abs()": (lambda x: abs(x), np.abs, floats(-2, 2, avoid=[0])),
    "tanh": (lambda x: x.tanh(), np.tanh, moderate),
    "relu": (lambda x: x.relu(), lambda a: np.maximum(a, 0), floats(-2, 2, avoid=[0])),
    "sigmoid": (lambda x: x.sigmoid(), lambda a: 1 / (1 + np.exp(-a)), floats(-5, 5)),
    "clip(-0.5, 1)": (lambda x: x.clip(-0.5, 1.0), lambda a: np.clip(a, -0.5, 1.0),
                      floats(-2, 2, avoid=[-0.5, 1.0])),
    "clip(lo only)": (lambda x: x.clip(0.25), lambda a: np.clip(a, 0.25, None),
                      floats(-2, 2, avoid=[0.25])),
    "clip(hi only)": (lambda x: x.clip(max=0.25), lambda a: np.clip(a, None, 0.25),
                      floats(-2, 2, avoid=[0.25])),
    "-x": (lambda x: -x, np.negative, moderate),
    "x ** 3": (lambda x: x ** 3, lambda a: a ** 3, moderate),
}


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_unary_op_matches_numpy_and_passes_gradcheck(name, data):
    op, np_op, elements = UNARY[name]
    x_data = data.draw(small_shapes.flatmap(lambda shape: arrays(shape, elements)))
    x = leaf(x_data)
    out = op(x)
    assert out.shape == x.shape
    np.testing.assert_allclose(out.data, np_op(x_data), rtol=1e-12, atol=1e-15)
    assert gradcheck(op, [x])


def test_kinks_have_the_pytorch_slopes():
    """relu'(0) = 0, |x|'(0) = 0, and clip passes the gradient at its ends (ends included)."""
    x = leaf([-1.0, 0.0, 1.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])
    x.grad = None
    x.clip(-1.0, 0.5).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 0.0])


# ---- 3. reductions -----------------------------------------------------------------------


def numpy_logsumexp(a, axis=None, keepdims=False):
    return np.log(np.sum(np.exp(a), axis=axis, keepdims=keepdims))


REDUCTIONS = {"sum": np.sum, "mean": np.mean, "amax": np.max, "amin": np.min,
              "logsumexp": numpy_logsumexp}
AXES = [None, 0, 1, 2, -1, -2, -3, (0, 1), (0, 2), (1, 2), (-1, 0), (2, -2), (0, 1, 2)]


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", AXES, ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
def test_reduction_over_every_axis_choice(name, axis, keepdims):
    x_data = distinct((2, 3, 4))
    x = leaf(x_data)

    def reduce(t):
        return getattr(t, name)(axis=axis, keepdims=keepdims)

    out = reduce(x)
    expected = REDUCTIONS[name](x_data, axis=axis, keepdims=keepdims)
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12)
    assert gradcheck(reduce, [x])

    # PyTorch's names: dim= and keepdim=
    alias = getattr(x, name)(dim=axis, keepdim=keepdims)
    assert alias.shape == out.shape
    np.testing.assert_array_equal(alias.data, out.data)


@pytest.mark.parametrize("name", REDUCTIONS)
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_reduction_on_random_shapes(name, data):
    shape = data.draw(hnp.array_shapes(min_dims=0, max_dims=4, min_side=1, max_side=3))
    ndim = len(shape)
    axis_choices = st.none()
    if ndim:
        axis_choices |= st.integers(-ndim, ndim - 1) | hnp.valid_tuple_axes(ndim, min_size=1)
    axis = data.draw(axis_choices)
    keepdims = data.draw(st.booleans())
    x_data = distinct(shape, seed=data.draw(st.integers(0, 1000)))
    x = leaf(x_data)

    def reduce(t):
        return getattr(t, name)(axis, keepdims)

    # atol: logsumexp of e.g. [-0.0625, -3.5625, -3.4375] is -7.4e-05, m + log Σ e^(x - m) with
    # m = -0.0625 and log Σ ≈ +0.0624: a cancellation that leaves an error of a few ulp of the
    # inputs (|x| <= 5), which rtol=1e-12 of the tiny result calls a mismatch (both the library
    # and the naive NumPy formula are within 1 ulp of 1 there; shape (3, 3, 3, 3), seed 148).
    np.testing.assert_allclose(reduce(x).data,
                               REDUCTIONS[name](x_data, axis=axis, keepdims=keepdims), rtol=1e-12,
                               atol=1e-13)
    assert gradcheck(reduce, [x])
    reduce(x).sum().backward()
    assert x.grad.shape == shape


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_share_the_gradient_between_ties(name):
    x = leaf([1.0, 3.0, 3.0] if name == "max" else [3.0, 1.0, 1.0])
    getattr(x, name)().backward()  # (the whole tensor: ties share, as in PyTorch)
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])

    x = leaf([[1.0, 1.0, 0.0], [2.0, 2.0, 2.0]] if name == "max" else
             [[0.0, 0.0, 1.0], [2.0, 2.0, 2.0]])
    getattr(x, "a" + name)(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, [[0.5, 0.5, 0.0], [1 / 3, 1 / 3, 1 / 3]])


@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_along_a_dim_give_values_and_indices_as_pytorch(name):
    x = leaf([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]] if name == "max" else
             [[3.0, 1.0, 1.0], [0.5, 0.5, 2.0]])
    values, indices = getattr(x, name)(1)
    assert indices.dtype == np.int64 and indices.tolist() == [1, 0]  # the first of the ties
    assert getattr(x, name)(dim=1).values is not None and values.shape == (2,)
    values.sum().backward()  # the gradient goes to the index picked, not shared
    np.testing.assert_array_equal(x.grad.data, [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]])
    kept = getattr(x, name)(1, keepdim=True)
    assert kept.values.shape == (2, 1) and kept.indices.shape == (2, 1)


def test_reductions_reject_axis_and_dim_together():
    x = Tensor([[1.0, 5.0], [7.0, 2.0]])
    np.testing.assert_array_equal(x.amax(0).data, [7.0, 5.0])
    np.testing.assert_array_equal(x.max(0).values.data, [7.0, 5.0])
    with pytest.raises(TypeError):
        x.sum(axis=0, dim=0)
    with pytest.raises(ValueError):
        x.sum(axis=2)


@pytest.mark.parametrize("axis", [(0, 0), (1, -1)])
def test_an_axis_given_twice_is_an_error_as_in_numpy(axis):
    with pytest.raises(ValueError):
        Tensor(np.ones((2, 3))).sum(axis=axis)


def test_mean_gradient_is_one_over_the_count():
    x = leaf(np.zeros((2, 5)))
    x.mean(axis=1).sum().backward()
    np.testing.assert_allclose(x.grad.data, np.full((2, 5), 0.2))


@pytest.mark.parametrize("reduce", ["sum", "mean", "max"])
def test_a_gradient_spread_by_a_reduction_can_be_changed_in_place(reduce):
    # (say, clipping by hand) A reduction's VJP copies g over the input's shape; that copy
    # is the leaf's .grad, so it must be an array of its own, not a read-only view of g.
    x = leaf(np.arange(6.0).reshape(2, 3))
    getattr(x, reduce)().backward()
    before = x.grad.data.copy()
    x.grad.data *= 0.5
    np.testing.assert_array_equal(x.grad.data, before * 0.5)


# ---- 4. matmul ---------------------------------------------------------------------------

MATMUL_SHAPES = [
    ((3,), (3,)),
    ((3,), (3, 2)),
    ((2, 3), (3,)),
    ((2, 3), (3, 4)),
    ((2, 3, 4), (4, 5)),
    ((4,), (2, 4, 5)),
    ((2, 3, 4), (4,)),
    ((2, 1, 3, 4), (5, 4, 2)),
    ((3, 4), (2, 4, 2)),
]


def check_matmul(shape_a, shape_b, seed=0):
    rng = np.random.default_rng(seed)
    a_data, b_data = rng.standard_normal(shape_a), rng.standard_normal(shape_b)
    a, b = leaf(a_data), leaf(b_data)
    out = a @ b
    expected = a_data @ b_data
    assert out.shape == np.shape(expected)
    np.testing.assert_allclose(out.data, expected, rtol=1e-12, atol=1e-14)
    assert gradcheck(operator.matmul, [a, b])
    (a @ b).sum().backward()
    assert a.grad.shape == shape_a and b.grad.shape == shape_b


@pytest.mark.parametrize("shape_a, shape_b", MATMUL_SHAPES, ids=str)
def test_matmul_matches_numpy_and_passes_gradcheck(shape_a, shape_b):
    check_matmul(shape_a, shape_b)


@settings(max_examples=30, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(signature=np.matmul.signature, max_dims=2,
                                                max_side=3),
       seed=st.integers(0, 1000))
def test_matmul_on_random_shapes(shapes, seed):
    check_matmul(*shapes.input_shapes, seed=seed)


REUSES = [lambda t: t * 2.0, lambda t: t.exp(), lambda t: t * t, lambda t: t.tanh(),
          lambda t: t.log(), lambda t: -t, lambda t: t.sum(), lambda t: t.max()]


@settings(max_examples=40, deadline=None)
@given(shape=small_shapes, picks=st.lists(st.integers(0, len(REUSES) - 1), min_size=1, max_size=6),
       seed=st.integers(0, 1000))
def test_a_tensor_used_many_times_in_any_shape_passes_gradcheck(shape, picks, seed):
    # x reaches the output along len(picks) paths: the walk sums their gradients, in place
    # from the third on, in any shape (a 0-d sum once crashed there).
    x = leaf(np.random.default_rng(seed).uniform(0.5, 1.5, shape))

    def f(x):
        total = REUSES[picks[0]](x)
        for i in picks[1:]:
            total = total + REUSES[i](x)
        return total
    assert gradcheck(f, [x])


def test_matmul_gradient_of_a_matrix_product():
    """d/dA sum(A @ B) = 1 @ Bᵀ: every row of the gradient is B's row sums."""
    a, b = leaf(np.ones((2, 3))), leaf(np.arange(12.0).reshape(3, 4))
    (a @ b).sum().backward()
    np.testing.assert_array_equal(a.grad.data, np.tile(b.data.sum(axis=1), (2, 1)))
    np.testing.assert_array_equal(b.grad.data, np.full((3, 4), 2.0))


# ---- 5. shapes: reshape, transpose, indexing, concatenate, stack -------------------------

Y = np.array([2, 0, 3])  # a target class for each of 3 rows

# name: (input shape, the op); each must pass gradcheck and equal the same op on NumPy's array
SHAPE_OPS = {
    "reshape(3, 4)": ((2, 6), lambda x: x.reshape(3, 4)),
    "reshape((4, 3))": ((2, 6), lambda x: x.reshape((4, 3))),
    "reshape(-1)": ((2, 3, 2), lambda x: x.reshape(-1)),
    "reshape(2, -1, 2)": ((4, 3), lambda x: x.reshape(2, -1, 2)),
    "reshape(())": ((1, 1), lambda x: x.reshape(())),
    "transpose()": ((2, 3, 4), lambda x: x.transpose()),
    "transpose(1, 0, 2)": ((2, 3, 4), lambda x: x.transpose(1, 0, 2)),
    "transpose((2, 0, 1))": ((2, 3, 4), lambda x: x.transpose((2, 0, 1))),
    "transpose(-1, -3, -2)": ((2, 3, 4), lambda x: x.transpose(-1, -3, -2)),
    ".T 2-D": ((2, 3), lambda x: x.T),
    ".T 3-D": ((2, 3, 4), lambda x: x.T),
    ".mT": ((2, 3, 4), lambda x: x.mT),
    "[1]": ((3, 4), lambda x: x[1]),
    "[-1]": ((3, 4), lambda x: x[-1]),
    "[1, 2]": ((3, 4), lambda x: x[1, 2]),
    "[1:]": ((3, 4), lambda x: x[1:]),
    "[:, ::-1]": ((3, 4), lambda x: x[:, ::-1]),
    "[::-2, 1]": ((3, 4), lambda x: x[::-2, 1]),
    "[..., 1:3]": ((2, 3, 4), lambda x: x[..., 1:3]),
    "[None, 0]": ((3, 4), lambda x: x[None, 0]),
    "[[0, 2]]": ((3, 4), lambda x: x[[0, 2]]),
    "[array([2, 0, 2])]": ((3, 4), lambda x: x[np.array([2, 0, 2])]),
    "[:, [3, 3, 0]]": ((3, 4), lambda x: x[:, [3, 3, 0]]),
    "[2-D int array]": ((4,), lambda x: x[np.array([[0, 1], [3, 3]])]),
    "[arange(n), y]": ((3, 4), lambda x: x[np.arange(3), Y]),
    "[bool mask 2-D]": ((3, 4), lambda x: x[distinct((3, 4)) > 0]),
    "[bool mask rows]": ((3, 4), lambda x: x[np.array([True, False, True])]),
    "[:, bool mask]": ((3, 4), lambda x: x[:, np.array([False, True, True, False])]),
    "[Tensor index]": ((3, 4), lambda x: x[tg.tensor([2, 0])]),
}


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_op_matches_numpy_and_passes_gradcheck(name):
    shape, op = SHAPE_OPS[name]
    x_data = distinct(shape)
    x = leaf(x_data)
    out = op(x)
    expected = op(x_data) if "Tensor" not in name else x_data[[2, 0]]
    assert out.shape == np.shape(expected)
    np.testing.assert_array_equal(out.data, expected)
    assert gradcheck(op, [x])
    op(x).sum().backward()
    assert x.grad.shape == shape


def test_picking_each_rows_target_log_probability():
    """logp[np.arange(n), y]: the classic cross-entropy pick, with its gradient softmax - onehot."""
    logits = leaf(distinct((3, 4)))
    logp = logits - logits.logsumexp(axis=1, keepdims=True)
    picked = logp[np.arange(3), Y]
    expected = np.log(np.exp(logits.data) / np.exp(logits.data).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(picked.data, expected[np.arange(3), Y], rtol=1e-12)
    (-picked.sum()).backward()
    softmax = np.exp(expected)
    np.testing.assert_allclose(logits.grad.data, softmax - np.eye(4)[Y], atol=1e-12)


def test_repeated_indices_add_up():
    x = leaf([10.0, 20.0, 30.0, 40.0])
    x[[0, 0, 1]].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 1.0, 0.0, 0.0])

    m = leaf(np.zeros((2, 3)))
    m[np.array([1, 1, 0]), np.array([2, 2, 2])].sum().backward()
    np.testing.assert_array_equal(m.grad.data, [[0, 0, 1], [0, 0, 2]])


def test_slice_gradient_lands_where_the_numbers_came_from():
    x = leaf(np.arange(6.0))
    (x[::-2] * Tensor([1.0, 2.0, 3.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0, 3, 0, 2, 0, 1])


CONCAT_CASES = [  # shapes of the pieces, axis
    ([(2, 3), (1, 3), (4, 3)], 0),
    ([(2, 1), (2, 3)], 1),
    ([(2, 3, 1), (2, 3, 2)], -1),
    ([(1, 2), (3, 2)], -2),
    ([(3,)], 0),
]


@pytest.mark.parametrize("shapes, axis", CONCAT_CASES, ids=str)
def test_concatenate(shapes, axis):
    pieces = [distinct(s, seed=i) for i, s in enumerate(shapes)]
    inputs = [leaf(p) for p in pieces]

    def join(*ts):
        return tg.concatenate(ts, axis=axis)

    np.testing.assert_array_equal(join(*inputs).data, np.concatenate(pieces, axis=axis))
    assert gradcheck(join, inputs)


@pytest.mark.parametrize("axis", [0, 1, 2, -1, -2, -3])
def test_stack(axis):
    pieces = [distinct((2, 3), seed=i) for i in range(3)]
    inputs = [leaf(p) for p in pieces]

    def join(*ts):
        return tg.stack(ts, axis=axis)

    np.testing.assert_array_equal(join(*inputs).data, np.stack(pieces, axis=axis))
    assert gradcheck(join, inputs)


def test_concatenate_with_a_constant_piece_gives_each_input_its_slice():
    a, c = leaf([1.0, 2.0]), Tensor([3.0])
    (tg.concatenate([a, c, a]) * Tensor([1.0, 2.0, 3.0, 4.0, 5.0])).sum().backward()
    np.testing.assert_array_equal(a.grad.data, [1.0 + 4.0, 2.0 + 5.0])
    assert c.grad is None


# ---- 6. Values one by one and one Tensor compute the same --------------------------------


def test_values_element_by_element_equal_one_tensor():
    rng = np.random.default_rng(3)
    x_data, w_data = rng.uniform(-1, 1, (2, 2, 3))
    b_data = rng.uniform(-1, 1, 3)  # shared by both rows: broadcast in the Tensor version

    x, w, b = leaf(x_data), leaf(w_data), leaf(b_data)
    loss = ((x * w + b).tanh() * x).exp().sum() + x.sigmoid().log().sum()
    loss.backward()

    xs = [[Value(v) for v in row] for row in x_data]
    ws = [[Value(v) for v in row] for row in w_data]
    bs = [Value(v) for v in b_data]
    total = Value(0.0)
    for i in range(2):
        for j in range(3):
            xv = xs[i][j]
            total = total + ((xv * ws[i][j] + bs[j]).tanh() * xv).exp() + xv.sigmoid().log()
    total.backward()

    assert loss.item() == pytest.approx(total.data, rel=1e-12)
    np.testing.assert_allclose(x.grad.data, [[v.grad for v in row] for row in xs], rtol=1e-12)
    np.testing.assert_allclose(w.grad.data, [[v.grad for v in row] for row in ws], rtol=1e-12)
    np.testing.assert_allclose(b.grad.data, [v.grad for v in bs], rtol=1e-12)


# ---- 7. second order ---------------------------------------------------------------------


def test_second_derivative_of_cube_is_6x():
    x = leaf([-1.5, 0.5, 2.0])
    (first,) = tg.grad((x ** 3).sum(), x, create_graph=True)
    np.testing.assert_allclose(first.data, 3 * x.data ** 2)
    (second,) = tg.grad(first.sum(), x, create_graph=True)
    np.testing.assert_allclose(second.data, 6 * x.data)
    assert x.grad is None  # grad() returns gradients, it does not store them


def test_hessian_of_logsumexp_is_diag_s_minus_s_s_transposed():
    v = np.array([0.3, -1.2, 2.0, 0.5])
    x = leaf(v)
    (g,) = tg.grad(x.logsumexp(), x, create_graph=True)
    s = np.exp(v) / np.exp(v).sum()
    np.testing.assert_allclose(g.data, s, rtol=1e-12)
    hessian = np.stack([tg.grad(g[i], x, retain_graph=True)[0].data for i in range(len(v))])
    np.testing.assert_allclose(hessian, np.diag(s) - np.outer(s, s), atol=1e-12)


def log_softmax_like(x):
    return x - x.logsumexp(axis=-1, keepdims=True)


SECOND_ORDER = {  # name: (fn, input shapes); each fn is non-linear in every input
    "log_softmax": (log_softmax_like, [(2, 3)]),
    "(x @ w).tanh().sum()": (lambda x, w: (x @ w).tanh().sum(), [(2, 3), (3, 2)]),
    "(x * x).sigmoid()": (lambda x: (x * x).sigmoid(), [(2, 3)]),
    "broadcast x * b, b / x": (lambda x, b: (x * b) * (b / x).exp(), [(2, 3), (3,)]),
    "x ** y": (lambda x, y: x ** y, [(2, 1), (3,)]),
    "mean and max": (lambda x: x.mean(axis=0) * x.amax(axis=1, keepdims=True), [(2, 3)]),
    "index and concatenate": (lambda x: tg.concatenate([(x * x)[[1, 1, 0]], x.exp()]), [(3,)]),
    "stack and transpose": (lambda x: tg.stack([x.T, x.T.tanh()], axis=-1).sqrt(), [(2, 3)]),
    "logsumexp over axis 0": (lambda x: x.logsumexp(axis=0) ** 2, [(3, 2)]),
}


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_gradgradcheck(name):
    fn, shapes = SECOND_ORDER[name]
    rng = np.random.default_rng(1)
    inputs = [leaf(rng.uniform(0.5, 1.5, s)) for s in shapes]  # positive: sqrt, / and ** are fine
    assert gradgradcheck(fn, inputs)


# ---- 8. errors ---------------------------------------------------------------------------


def test_matmul_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        Tensor(np.ones((3, 4))) @ Tensor(np.ones((5, 6)))
    assert "(3, 4)" in str(info.value) and "(5, 6)" in str(info.value)


def test_broadcast_mismatch_names_both_shapes():
    with pytest.raises(ValueError) as info:
        Tensor(np.ones(3)) + Tensor(np.ones(4))
    assert "(3,)" in str(info.value) and "(4,)" in str(info.value)


def test_reshape_to_a_wrong_size_names_both_shapes():
    with pytest.raises(ValueError) as info:
        Tensor(np.ones((2, 3))).reshape(4, 2)
    assert "(2, 3)" in str(info.value) and "(4, 2)" in str(info.value)


def test_backward_on_many_elements_needs_a_gradient():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match="non-scalar"):
        (x * 2).backward()


def test_backward_with_a_gradient_of_the_wrong_shape():
    x = leaf([1.0, 2.0, 3.0])
    with pytest.raises(ValueError):
        (x * 2).backward(gradient=np.ones(2))
    (x * 2).backward(gradient=np.array([1.0, 10.0, 100.0]))  # the right shape works
    np.testing.assert_array_equal(x.grad.data, [2.0, 20.0, 200.0])


def test_second_backward_raises_unless_the_graph_was_retained():
    x = leaf([1.0, 2.0])
    loss = (x * x).sum()
    loss.backward()
    with pytest.raises(RuntimeError, match="retain_graph"):
        loss.backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])  # the refused backward added nothing

    y = leaf([1.0, 2.0])
    loss = (y * y).sum()
    loss.backward(retain_graph=True)
    loss.backward()
    np.testing.assert_array_equal(y.grad.data, [4.0, 8.0])  # leaves accumulate: doubled


def test_no_grad_builds_no_graph():
    x = leaf([1.0, 2.0])
    with tg.no_grad():
        y = (x * 3).exp().sum()
    assert y.requires_grad is False and y.parents == () and y.op == ""

    @tg.no_grad()
    def step(t):
        return t @ t

    z = step(x)
    assert z.requires_grad is False and z.parents == ()
    assert (x * 3).requires_grad  # recording is back on afterwards


@pytest.mark.parametrize("bad", ["abc", ["a", "b"], np.array([object()]), None, [1 + 2j]],
                         ids=["str", "list of str", "object array", "None", "complex"])
def test_non_numeric_data_raises_type_error(bad):
    with pytest.raises(TypeError):
        Tensor(bad)


def test_one_hot_out_of_range_names_the_index_and_the_class_count():
    np.testing.assert_array_equal(tg.one_hot([2, 0], 3).data, [[0, 0, 1], [1, 0, 0]])
    with pytest.raises(IndexError) as info:
        tg.one_hot([0, 5], 3)
    assert "5" in str(info.value) and "3" in str(info.value)


# ---- 9. dtypes ---------------------------------------------------------------------------


@pytest.mark.parametrize("data", [[1.0, 2.0], [1, 2], [True, False], np.arange(3),
                                  np.arange(3, dtype=np.int32), 7, 2.5],
                         ids=["floats", "ints", "bools", "int64 array", "int32 array", "int",
                              "float"])
def test_default_dtype_is_float64(data):
    assert Tensor(data).dtype == np.float64  # Tensor(data) is torch.Tensor(data): floats


@pytest.mark.parametrize("data, dtype", [([1.0, 2.0], np.float64), ([1, 2], np.int64),
                                         ([True, False], np.bool_), (np.arange(3), np.int64),
                                         (np.arange(3, dtype=np.int32), np.int32), (7, np.int64),
                                         (2.5, np.float64), (np.float32(2.5), np.float32)])
def test_tg_tensor_infers_the_dtype_as_torch_tensor_does(data, dtype):
    assert tg.tensor(data).dtype == dtype


def test_float32_on_request_or_from_a_float32_array():
    assert Tensor([1.0, 2.0], dtype=np.float32).dtype == np.float32
    assert Tensor(np.ones(3, dtype=np.float32)).dtype == np.float32
    assert Tensor(np.ones(3, dtype=np.float32), dtype=np.float64).dtype == np.float64
    assert Tensor.zeros(2, 3, dtype=np.float32).dtype == np.float32
    assert Tensor.randn(2, seed=0, dtype=np.float32).dtype == np.float32


FLOAT32_OPS = {
    "x * 2.5": lambda x, w: x * 2.5,
    "2.5 * x": lambda x, w: 2.5 * x,
    "x + w": lambda x, w: x + w[:, 0],
    "x - 1": lambda x, w: x - 1,
    "1 / x": lambda x, w: 1 / x,
    "x ** 2.5": lambda x, w: x ** 2.5,
    "2 ** x": lambda x, w: 2 ** x,
    "x ** w": lambda x, w: x ** w[:, 0],
    "x @ w": lambda x, w: x @ w,
    "exp": lambda x, w: x.exp(),
    "log": lambda x, w: x.log(),
    "sqrt": lambda x, w: x.sqrt(),
    "abs": lambda x, w: x.abs(),
    "tanh": lambda x, w: x.tanh(),
    "relu": lambda x, w: x.relu(),
    "sigmoid": lambda x, w: x.sigmoid(),
    "clip": lambda x, w: x.clip(0.5, 1.5),
    "-x": lambda x, w: -x,
    "sum": lambda x, w: x.sum(axis=0),
    "mean": lambda x, w: x.mean(),
    "max": lambda x, w: x.amax(axis=1),
    "min": lambda x, w: x.min(),
    "logsumexp": lambda x, w: x.logsumexp(axis=-1),
    "reshape": lambda x, w: x.reshape(-1),
    "transpose": lambda x, w: x.T,
    "index": lambda x, w: x[[0, 0, 1], 1:],
    "concatenate": lambda x, w: tg.concatenate([x, w.T]),
    "stack": lambda x, w: tg.stack([x, x], axis=1),
    "maximum(x, w)": lambda x, w: tg.maximum(x, w.T[0]),
    "maximum(x, 1.0)": lambda x, w: tg.maximum(x, 1.0),
    "maximum(1.0, x)": lambda x, w: tg.maximum(1.0, x),
}


@pytest.mark.parametrize("name", FLOAT32_OPS)
def test_float32_stays_float32_forward_and_backward(name):
    x = leaf([[0.5, 1.25, 2.0], [1.5, 0.75, 1.75]], dtype=np.float32)
    w = leaf([[0.5, 1.0], [1.5, 0.25], [0.75, 2.0]], dtype=np.float32)
    out = FLOAT32_OPS[name](x, w)
    assert out.dtype == np.float32
    out.sum().backward()
    assert x.grad.dtype == np.float32
    assert w.grad is None or w.grad.dtype == np.float32


def test_float32_gradient_stays_float32_when_backward_gets_a_float64_array():
    x = leaf([1.0, 2.0, 3.0], dtype=np.float32)
    (x * 2).backward(gradient=np.ones(3))  # np.ones is float64
    assert x.grad.dtype == np.float32


# ---- 10. constructors and small conveniences ---------------------------------------------


@pytest.mark.parametrize("make", ["zeros", "ones", "randn", "rand"])
def test_constructors_take_ints_or_a_tuple(make):
    factory = getattr(Tensor, make)
    a, b = factory(2, 3), factory((2, 3))
    assert a.shape == b.shape == (2, 3)
    assert a.dtype == np.float64 and not a.requires_grad
    assert factory(4, requires_grad=True).requires_grad
    assert factory().shape == ()


def test_constructor_values_and_seeds():
    np.testing.assert_array_equal(Tensor.zeros(2, 2).data, np.zeros((2, 2)))
    np.testing.assert_array_equal(Tensor.ones(3).data, np.ones(3))
    for make in (Tensor.randn, Tensor.rand):
        np.testing.assert_array_equal(make(3, 4, seed=7).data, make((3, 4), seed=7).data)
        assert not np.array_equal(make(3, 4, seed=7).data, make(3, 4, seed=8).data)
    u = Tensor.rand(1000, seed=0).data
    assert 0 <= u.min() and u.max() < 1


def test_manual_seed_makes_unseeded_random_tensors_repeatable():
    tg.manual_seed(123)
    first = Tensor.randn(2, 3).data, Tensor.rand(4).data
    tg.manual_seed(123)
    second = Tensor.randn(2, 3).data, Tensor.rand(4).data
    np.testing.assert_array_equal(first[0], second[0])
    np.testing.assert_array_equal(first[1], second[1])


def test_tensor_copies_its_data():
    source = np.array([1.0, 2.0])
    t = tg.tensor(source, requires_grad=True, label="t")
    source[0] = 99.0
    assert t.data[0] == 1.0
    assert t.requires_grad and t.label == "t" and t.grad is None
    assert Tensor(t).data is not t.data


def test_numpy_item_detach_len_and_T():
    t = leaf([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])
    assert t.numpy() is t.data
    assert Tensor([[2.5]]).item() == 2.5 and isinstance(Tensor(2.5).item(), float)
    with pytest.raises(ValueError):
        t.item()
    assert len(t) == 2 and t.ndim == 2 and t.numel() == 6 and t.size() == (2, 3) and t.size(-1) == 3
    np.testing.assert_array_equal(t.T.data, t.data.T)

    y = t * 2
    d = y.detach()
    assert np.shares_memory(d.data, y.data)
    assert not d.requires_grad and d.parents == () and d.op == ""
    (d * t).sum().backward()  # the graph stops at d: t's gradient comes only through `* t`
    np.testing.assert_array_equal(t.grad.data, y.data)


def test_repr_shows_values_shape_and_grad_status():
    leaf_repr = repr(leaf([1.5, 2.5]))
    assert "1.5" in leaf_repr and "2.5" in leaf_repr
    assert "shape=(2,)" in leaf_repr and "requires_grad=True" in leaf_repr
    result_repr = repr(leaf([1.5, 2.5]) * 2)
    assert "3." in result_repr and "5." in result_repr and "op='*'" in result_repr
    assert "requires_grad" not in repr(Tensor([1.0]))
    assert "float32" in repr(Tensor([1.0], dtype=np.float32))


# ---- 11. numerical stability, without NumPy warnings ---------------------------------------
# catch_warnings(record=True) without simplefilter(): simplefilter would replace every
# filter in place, so these tests would not see the warnings settings a learner has.


def test_logsumexp_of_huge_and_tiny_numbers():
    with warnings.catch_warnings(record=True) as caught:
        big = Tensor([1000.0, 1000.0]).logsumexp()
        small = Tensor([-1000.0, -1000.0]).logsumexp()
        x = leaf([[-np.inf, -np.inf], [0.0, 1.0]])
        rows = x.logsumexp(axis=1)
    assert_no_warning_recorded(caught)
    assert big.item() == pytest.approx(1000 + np.log(2), rel=1e-15)
    assert small.item() == pytest.approx(-1000 + np.log(2), rel=1e-15)
    assert rows.data[0] == -np.inf
    assert rows.data[1] == pytest.approx(np.log(1 + np.e))


def test_logsumexp_gradient_of_huge_numbers_is_softmax():
    x = leaf([1000.0, 1000.0, -1000.0])
    with warnings.catch_warnings(record=True) as caught:
        x.logsumexp().backward()
    assert_no_warning_recorded(caught)
    np.testing.assert_allclose(x.grad.data, [0.5, 0.5, 0.0])


def test_sigmoid_of_plus_minus_1000():
    x = leaf([1000.0, -1000.0])
    with warnings.catch_warnings(record=True) as caught:
        s = x.sigmoid()
        s.sum().backward()
    assert_no_warning_recorded(caught)
    assert s.data[0] == 1.0 and s.data[1] == 0.0
    assert np.all(np.isfinite(x.grad.data))


def test_log_of_zero_is_minus_infinity_without_a_warning():
    x = leaf([0.0, 1.0])
    with warnings.catch_warnings(record=True) as caught:
        y = x.log()
        y.sum().backward()
    assert_no_warning_recorded(caught)
    assert y.data[0] == -np.inf and y.data[1] == 0.0
    assert x.grad.data[0] == np.inf  # 1/0, as in NumPy and PyTorch


def test_sum_of_plus_and_minus_infinity_is_nan_without_a_warning():
    with warnings.catch_warnings(record=True) as caught:
        total = Tensor([np.inf, -np.inf]).sum()
    assert_no_warning_recorded(caught)
    assert np.isnan(total.item())


def test_power_with_tensor_exponent_at_a_zero_base():
    # The same table as for Value (test_scalar.py), one exponent per element, and a base
    # of 0 broadcast against them: d/da sums the four slopes.
    b = leaf([0.0, 2.0, 0.5, -1.0])
    a = leaf(0.0)
    with warnings.catch_warnings(record=True) as caught:
        (a ** b).sum().backward()
    assert_no_warning_recorded(caught)
    np.testing.assert_array_equal(b.grad.data, [0.0, 0.0, 0.0, -np.inf])
    assert np.isnan(a.grad.item())  # 0 + 0 + inf + (-inf)
    for b0, d_da in [(0.0, 0.0), (2.0, 0.0), (0.5, np.inf), (-1.0, -np.inf)]:
        a = leaf(0.0)
        (a ** leaf(b0)).backward()
        assert a.grad.item() == d_da


def test_nan_inputs_give_nan_without_a_warning():
    x = leaf([np.nan, 1.0])
    with warnings.catch_warnings(record=True) as caught:
        s = x.sigmoid() + x.softplus()
        s.sum().backward()
        m = leaf([[np.nan, np.nan], [1.0, 2.0]])
        m.amax(axis=1).sum().backward()  # a row with no maximum to share the gradient among
    assert_no_warning_recorded(caught)
    assert np.isnan(s.data[0]) and np.isfinite(s.data[1])
    np.testing.assert_array_equal(m.grad.data[1], [0.0, 1.0])


def test_softmax_and_logsumexp_of_a_0d_tensor_and_of_an_empty_axis():
    # A 0-d tensor takes axis 0 or -1 (as in PyTorch); log Σ over no numbers is log 0 = -inf.
    x = leaf(2.0)
    assert tg.functional.softmax(x).item() == 1.0
    assert x.logsumexp(-1).item() == 2.0
    empty = leaf(np.zeros((2, 0)))
    np.testing.assert_array_equal(empty.logsumexp(axis=1).data, [-np.inf, -np.inf])
    assert tg.functional.log_softmax(empty).shape == (2, 0)
    with pytest.raises(ValueError, match="axis 1 is out of range"):
        x.sum(axis=1)


@pytest.mark.parametrize("axes", [(1, 0, 0), (0, 1, 2), (1,)])
def test_transpose_refuses_axes_that_are_not_an_ordering(axes):
    with pytest.raises(ValueError, match=r"not an ordering of the axes of a tensor of shape \(2, 3\)"):
        leaf(np.ones((2, 3))).transpose(*axes)
    with pytest.raises(ValueError, match="which has none"):
        leaf(1.0).transpose(0)
    assert leaf(np.ones((2, 3))).transpose(-1, 0).shape == (3, 2)
    with pytest.raises(ValueError, match="axis 2 is out of range"):
        leaf(np.ones((2, 3))).transpose(1, 2)  # two axes: PyTorch's swap


def test_transpose_of_two_axes_swaps_them_as_in_pytorch():
    x = leaf(np.arange(24.0).reshape(2, 3, 4))
    assert x.transpose(0, 2).shape == (4, 3, 2) and x.transpose(-1, 1).shape == (2, 4, 3)
    np.testing.assert_array_equal(x.transpose(0, 2).data, np.swapaxes(x.data, 0, 2))
    m = leaf(np.arange(6.0).reshape(2, 3))
    assert m.transpose(0, 1).shape == (3, 2)  # (NumPy's transpose(0, 1) would change nothing)
    assert m.transpose(0, 0).shape == (2, 3)
    assert gradcheck(lambda t: t.transpose(0, 2) * leaf(np.arange(24.0).reshape(4, 3, 2)), [x])


def test_matmul_names_the_batch_axes_when_only_they_do_not_fit():
    with pytest.raises(ValueError, match=r"batch axes in front of the matrices, \(2,\) and \(3,\)"):
        leaf(np.ones((2, 2, 3))) @ leaf(np.ones((3, 3, 2)))
    with pytest.raises(ValueError, match=r"last axis of the first \(3\)"):
        leaf(np.ones((2, 2, 3))) @ leaf(np.ones((2, 4, 2)))


def test_nothing_is_printed_in_a_fresh_interpreter():
    snippet = (
        "import tiny_grad as tg\n"
        "x = tg.Tensor([0.0, 1000.0, -1000.0], requires_grad=True)\n"
        "y = x.log().sum() + x.sigmoid().sum() + x.logsumexp() + x.exp().sum()\n"
        "y.backward()\n"
        "tg.Tensor([[float('-inf'), float('-inf')]]).logsumexp(axis=1)\n"
    )
    result = subprocess.run([sys.executable, "-c", snippet], capture_output=True, text=True,
                            cwd=str(__import__("pathlib").Path(__file__).parents[1]), timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""


# ---- 12. memory: a training loop does not pile up tensors -------------------------------


def live_tensors():
    """How many Tensors exist (Tensors are tracked by the garbage collector, so it lists them)."""
    return sum(type(o) is Tensor for o in gc.get_objects())


def test_training_loop_keeps_the_number_of_live_tensors_flat():
    x = Tensor.randn(16, 3, seed=0)
    target = Tensor.randn(16, 2, seed=1)
    w = Tensor.randn(3, 2, seed=2, requires_grad=True)
    b = Tensor.zeros(2, requires_grad=True)
    gc.collect()
    gc.disable()  # so only reference counting frees the graphs: no cycles allowed
    try:
        counts = {}
        loss = None
        for step in range(200):
            loss = (((x @ w + b).tanh() - target) ** 2).mean()
            w.grad = b.grad = None
            loss.backward()
            with tg.no_grad():
                w.data = (w - 0.1 * w.grad).data
                b.data = (b - 0.1 * b.grad).data
            if step in (10, 199):
                counts[step] = live_tensors()
        assert counts[199] == counts[10], counts

        # the last graph itself: every inner node goes when `loss` goes
        inner = [weakref.ref(n) for n in topological_order([loss]) if n.parents]
        assert inner and all(ref() is not None for ref in inner)
        del loss
        assert all(ref() is None for ref in inner)
    finally:
        gc.enable()
    assert w.requires_grad and w.grad is not None  # the update kept the parameters leaves


@pytest.mark.parametrize("a, b, slope", [(1e-300, 1e-200, -1e100), (1e300, 1e160, -1e-20)])
def test_division_slope_stays_in_range_where_b_squared_would_not(a, b, slope):
    # d(a/b)/db = -a/b²: with b² overflowing (or underflowing) it came out 0 (or -inf)
    for engine in (lambda v: Tensor([v], requires_grad=True), Value):
        x, y = engine(a), engine(b)
        if isinstance(x, Tensor):
            (x / y).sum().backward()
            assert y.grad.data[0] == pytest.approx(slope, rel=1e-12, abs=0)
        else:
            (x / y).backward()
            assert y.grad == pytest.approx(slope, rel=1e-12, abs=0)


def test_higher_derivatives_of_one_over_x_at_zero_are_infinite_not_nan():
    # d²/dx² (1/x) = 2/x³ and d³/dx³ log x = 2/x³: inf at 0, as PyTorch gives (b·b made 0·inf = nan)
    x = Tensor([0.0], requires_grad=True)
    (g,) = tg.grad((1 / x).sum(), x, create_graph=True)
    assert tg.grad(g.sum(), x)[0].data[0] == np.inf
    (g,) = tg.grad(x.log().sum(), x, create_graph=True)
    (h,) = tg.grad(g.sum(), x, create_graph=True)
    assert tg.grad(h.sum(), x)[0].data[0] == np.inf
    v = Value(0.0)
    (g,) = tg.grad(1 / v, v, create_graph=True)
    assert tg.grad(g, v)[0].data == math.inf


def test_an_index_tensor_is_read_by_its_dtype_as_in_pytorch():
    v = Tensor([10.0, 20.0, 30.0])
    assert v[tg.tensor([True, False, True])].data.tolist() == [10.0, 30.0]  # bool: a mask
    assert v[v > 15].data.tolist() == [20.0, 30.0]
    assert v[tg.tensor([1, 1, 0])].data.tolist() == [20.0, 20.0, 10.0]  # int64: positions
    assert v[tg.tensor([1, 0, 1])].data.tolist() == [20.0, 10.0, 20.0]  # (shaped like a mask)
    with pytest.raises(IndexError, match=r"whole numbers \(int64\) or bools.*t.long\(\)"):
        v[Tensor([1.0, 0.0, 1.0])]  # floats: neither, so refused (PyTorch refuses them too)
    x = Tensor(np.arange(6.0).reshape(2, 3))
    assert x[tg.tensor([0, 1]), tg.tensor([2, 2])].data.tolist() == [2.0, 5.0]


def test_concatenate_and_stack_give_each_input_a_gradient_of_its_own_dtype():
    for join in (tg.concatenate, tg.stack):
        a = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
        b = Tensor([3.0, 4.0], requires_grad=True)  # float64: the result is float64
        (join([a, b]) * 2).sum().backward()
        assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
        assert a.grad.data.tolist() == [2.0, 2.0]


def test_numbers_too_big_for_float32_become_inf_without_a_warning():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (each printed "overflow encountered in cast")
        t32 = Tensor([1.0], dtype=np.float32, requires_grad=True)
        for made in (Tensor([1e300], dtype=np.float32), t32 + 1e300, t32 * 1e300,
                     Tensor([1e300]).astype(np.float32)):
            assert made.dtype == np.float32 and made.data[0] == np.inf
        (t32 * 2).backward(gradient=np.array([1e300]))
        assert t32.grad.data[0] == np.inf and t32.grad.dtype == np.float32
        layer = tg.nn.Linear(1, 1, dtype=np.float32)
        layer.load_state_dict({"weight": np.array([[1e300]]), "bias": np.array([0.0])})
        assert layer.weight.data[0, 0] == np.inf


def test_small_mistakes_get_messages_that_say_what_is_wrong():
    empty = Tensor(np.ones((0, 3)))
    with pytest.raises(ValueError, match=r"max: there is no largest of no numbers.*axis 0"):
        empty.max()  # (NumPy's "zero-size array to reduction operation maximum")
    with pytest.raises(ValueError, match="min: there is no smallest"):
        empty.amin(axis=0)
    assert empty.amax(axis=1).shape == (0,)  # (no row is empty along axis 1: nothing to reduce)
    with pytest.raises(ValueError, match="needs at least one tensor"):
        tg.concatenate([])
    with pytest.raises(ValueError, match="needs at least one tensor"):
        tg.stack([])
    with pytest.raises(ValueError, match=r"0-d tensors have no axis to join along: use stack"):
        tg.concatenate([Tensor(1.0), Tensor(2.0)])
    with pytest.raises(ValueError, match="axis 5 is out of range for a tensor with 1 dimensions"):
        tg.concatenate([Tensor([1.0]), Tensor([2.0])], axis=5)
    for join in (tg.concatenate, tg.stack):
        with pytest.raises(TypeError, match="axis is a whole number or a tuple of them, not 1.5"):
            join([Tensor([1.0])], axis=1.5)
    assert tg.stack([Tensor([1.0, 2.0])] * 2, axis=-1).shape == (2, 2)
    x = Tensor([[1.0, 5.0, -2.0]])
    for axis in ("0", 1.5, (0, "1")):
        with pytest.raises(TypeError, match="axis is a whole number or a tuple of them"):
            x.sum(axis=axis)
    assert x.clip(Tensor(0.0), Tensor(3.0)).data.tolist() == [[1.0, 3.0, 0.0]]  # Tensor bounds
    assert Tensor(10 ** 30).item() == 1e30  # (an int beyond int64 was "object data")
    assert Tensor([10 ** 30, 0.5]).data.tolist() == [1e30, 0.5]
    with pytest.raises(ValueError, match="too big for a float"):
        Tensor(10 ** 400)
    with pytest.raises(TypeError, match="object data"):
        Tensor(np.array([1, None], dtype=object))  # None is no number, not nan
    with pytest.raises(ValueError, match=r"rows of one length: \[\[1, 2\], \[3\]\] has rows"):
        Tensor([[1, 2], [3]])  # (NumPy's "inhomogeneous shape after 1 dimensions")


def test_an_empty_or_0d_tensor_index_is_never_taken_for_a_mask():
    assert Tensor([5.0, 6.0])[tg.tensor(1)].item() == 6.0
    assert Tensor.zeros(0, 3)[tg.tensor(np.zeros(0, dtype=int))].shape == (0, 3)


def test_clip_bounds_are_numbers_that_fit():
    x = Tensor([[1.0, 5.0, -2.0]], requires_grad=True)
    with pytest.raises(TypeError, match=r"bounds are numbers and get no gradient.*detach"):
        x.clip(Tensor(0.0, requires_grad=True))  # (PyTorch would give it one: no silent None)
    for lo in (np.ones(4), np.zeros((2, 3))):  # does not broadcast; would make x bigger
        with pytest.raises(ValueError, match=r"clip: bounds of shape .* do not fit a tensor of shape \(1, 3\)"):
            x.clip(lo)
    x.clip(np.array([0.0, 0.0, 0.0]), 3.0).sum().backward()
    assert x.grad.data.tolist() == [[1.0, 0.0, 0.0]]
