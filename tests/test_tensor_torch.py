"""The Tensor engine against PyTorch: the same computation gives the same values and the
same gradients, including at kinks, ties, infinities and zeros, where "the gradient" is a
convention and tiny_grad promises PyTorch's. Skipped when PyTorch is not installed.
"""

import operator

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tiny_grad as tg
from tiny_grad import Tensor

torch = pytest.importorskip("torch")


def run_both(ours_fn, torch_fn, arrays, weights_seed=0, dtype=np.float64):
    """Apply both functions to the same arrays; backward a weighted sum of the outputs
    (random weights, so every output element gets a different upstream gradient);
    check that values and gradients agree."""
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    ours = [Tensor(a, requires_grad=True, dtype=dtype) for a in arrays]
    theirs = [torch.tensor(np.asarray(a), dtype=torch_dtype, requires_grad=True) for a in arrays]
    out, ref = ours_fn(*ours), torch_fn(*theirs)
    tolerance = dict(rtol=1e-5, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-10, atol=1e-12)
    assert out.shape == tuple(ref.shape)
    np.testing.assert_allclose(out.data, ref.detach().numpy(), equal_nan=True, **tolerance)

    if weights_seed is None:  # plain sum: needed when outputs hold inf (inf · w could be nan)
        out.sum().backward()
        ref.sum().backward()
    else:
        w = np.random.default_rng(weights_seed).standard_normal(out.shape)
        (out * Tensor(w, dtype=dtype)).sum().backward()
        (ref * torch.tensor(w, dtype=torch_dtype)).sum().backward()
    for i, (o, t) in enumerate(zip(ours, theirs)):
        np.testing.assert_allclose(o.grad.data, t.grad.numpy(), equal_nan=True,
                                   err_msg=f"gradient of input {i}", **tolerance)
        assert o.grad.dtype == dtype


def floats(lo, hi, avoid=()):
    strategy = st.floats(lo, hi, allow_nan=False, allow_infinity=False)
    if avoid:
        strategy = strategy.filter(lambda v: all(abs(v - k) > 0.01 for k in avoid))
    return strategy


moderate = floats(-2, 2)
shape_pairs = hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3, max_side=3)
small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


# ---- elementwise ops on random shapes ------------------------------------------------------

BINARY = {  # name: (the op for both libraries, left numbers, right numbers)
    "+": (operator.add, moderate, moderate),
    "-": (operator.sub, moderate, moderate),
    "*": (operator.mul, moderate, moderate),
    "/": (operator.truediv, moderate, floats(0.5, 2) | floats(-2, -0.5)),
    "**": (operator.pow, floats(0.5, 2), moderate),
}


@pytest.mark.parametrize("name", BINARY)
@settings(max_examples=15, deadline=None)
@given(shapes=shape_pairs, data=st.data())
def test_binary_ops_like_torch(name, shapes, data):
    op, left, right = BINARY[name]
    a = data.draw(hnp.arrays(np.float64, shapes.input_shapes[0], elements=left))
    b = data.draw(hnp.arrays(np.float64, shapes.input_shapes[1], elements=right))
    run_both(op, op, [a, b])


UNARY = {  # name: (ours, PyTorch's)
    "exp": (lambda x: x.exp(), torch.exp),
    "log": (lambda x: x.log(), torch.log),
    "sqrt": (lambda x: x.sqrt(), torch.sqrt),
    "abs": (lambda x: x.abs(), torch.abs),
    "tanh": (lambda x: x.tanh(), torch.tanh),
    "relu": (lambda x: x.relu(), torch.relu),
    "sigmoid": (lambda x: x.sigmoid(), torch.sigmoid),
    "clip": (lambda x: x.clip(-0.5, 1.0), lambda x: x.clamp(-0.5, 1.0)),
    "-x": (operator.neg, operator.neg),
    "x ** 3": (lambda x: x ** 3, lambda x: x ** 3),
}


@pytest.mark.parametrize("name", UNARY)
@settings(max_examples=10, deadline=None)
@given(data=st.data())
def test_unary_ops_like_torch(name, data):
    ours, theirs = UNARY[name]
    elements = floats(0.1, 3) if name in ("log", "sqrt") else floats(-3, 3)
    x = data.draw(small_shapes.flatmap(lambda s: hnp.arrays(np.float64, s, elements=elements)))
    run_both(ours, theirs, [x])


# ---- reductions --------------------------------------------------------------------------

def all_dims_if_none(t, axis):
    return tuple(range(t.ndim)) if axis is None else axis


REDUCTIONS = {  # PyTorch's max/min over dims with ties: amax/amin share the gradient equally
    "sum": lambda t, axis, keep: t.sum(dim=all_dims_if_none(t, axis), keepdim=keep),
    "mean": lambda t, axis, keep: t.mean(dim=all_dims_if_none(t, axis), keepdim=keep),
    "amax": lambda t, axis, keep: t.amax(dim=all_dims_if_none(t, axis), keepdim=keep),
    "amin": lambda t, axis, keep: t.amin(dim=all_dims_if_none(t, axis), keepdim=keep),
    "logsumexp": lambda t, axis, keep: torch.logsumexp(t, dim=all_dims_if_none(t, axis),
                                                       keepdim=keep),
}


@pytest.mark.parametrize("name", REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2), (-1, 1)], ids=str)
@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("with_ties", [False, True])
def test_reductions_like_torch(name, axis, keepdims, with_ties):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 3, (2, 3, 4)).astype(float) if with_ties else rng.standard_normal((2, 3, 4))
    run_both(lambda t: getattr(t, name)(axis, keepdims),
             lambda t: REDUCTIONS[name](t, axis, keepdims), [x])


# ---- matmul and shapes ---------------------------------------------------------------------


@pytest.mark.parametrize("shape_a, shape_b", [
    ((3,), (3,)), ((3,), (3, 2)), ((2, 3), (3,)), ((2, 3), (3, 4)), ((2, 3, 4), (4, 5)),
    ((4,), (2, 4, 5)), ((2, 1, 3, 4), (5, 4, 2)), ((3, 4), (2, 4, 2)),
], ids=str)
def test_matmul_like_torch(shape_a, shape_b):
    rng = np.random.default_rng(1)
    run_both(operator.matmul, operator.matmul,
             [rng.standard_normal(shape_a), rng.standard_normal(shape_b)])


MASK = np.array([[True, False, True, True], [False, False, True, False], [True, True, False, True]])

SHAPE_OPS = {  # name: (ours, PyTorch's), on a (3, 4) input
    "reshape": (lambda x: x.reshape(2, 6), lambda x: x.reshape(2, 6)),
    "T": (lambda x: x.T, lambda x: x.T),
    "transpose": (lambda x: x.reshape(3, 2, 2).transpose(2, 0, 1),
                  lambda x: x.reshape(3, 2, 2).permute(2, 0, 1)),
    "slices": (lambda x: x[1:, ::2], lambda x: x[1:, ::2]),
    "negative step": (lambda x: x[::-1, 1], lambda x: x.flip(0)[:, 1]),
    "row targets": (lambda x: x[np.arange(3), [1, 3, 1]],
                    lambda x: x[torch.arange(3), torch.tensor([1, 3, 1])]),
    "repeated rows": (lambda x: x[[0, 0, 2, 0]], lambda x: x[[0, 0, 2, 0]]),
    "mask": (lambda x: x[MASK], lambda x: x[torch.from_numpy(MASK)]),
    "concatenate": (lambda x: tg.concatenate([x, x[:1] * 2], axis=0),
                    lambda x: torch.cat([x, x[:1] * 2], dim=0)),
    "stack": (lambda x: tg.stack([x, x.exp()], axis=-1),
              lambda x: torch.stack([x, x.exp()], dim=-1)),
    "maximum": (lambda x: tg.maximum(x, x[0]), lambda x: torch.maximum(x, x[0])),  # ties in row 0
}


@pytest.mark.parametrize("name", SHAPE_OPS)
def test_shape_ops_like_torch(name):
    ours, theirs = SHAPE_OPS[name]
    run_both(ours, theirs, [np.random.default_rng(2).standard_normal((3, 4))])


# ---- where "the gradient" is a convention: kinks, ties, zeros, infinities -------------------

INF = np.inf
EDGES = {  # name: (ours, PyTorch's, input)
    "relu at 0": (lambda x: x.relu(), torch.relu, [-1.0, 0.0, 1.0]),
    "abs at 0": (lambda x: x.abs(), torch.abs, [-1.0, 0.0, 1.0]),
    "clip at its ends": (lambda x: x.clip(-1.0, 0.5), lambda x: x.clamp(-1.0, 0.5),
                         [-1.0, 0.5, 0.7, -2.0]),
    "max with ties": (lambda x: x.max(), lambda x: x.amax(), [1.0, 3.0, 3.0]),
    "min with ties per row": (lambda x: x.amin(axis=1), lambda x: x.amin(dim=1),
                              [[2.0, 2.0, 5.0], [1.0, 1.0, 1.0]]),
    "log of 0": (lambda x: x.log(), torch.log, [0.0, 1.0]),
    "sqrt of 0": (lambda x: x.sqrt(), torch.sqrt, [0.0, 4.0]),
    "x ** 0.5 at 0": (lambda x: x ** 0.5, lambda x: x ** 0.5, [0.0, 4.0]),
    "x ** 2 at 0": (lambda x: x ** 2, lambda x: x ** 2, [0.0, -3.0]),
    "x ** 0 at 0": (lambda x: x ** 0, lambda x: x ** 0, [0.0, 4.0]),
    "zero base ** x": (lambda x: Tensor([0.0, 0.0, 2.0]) ** x,
                       lambda x: torch.tensor([0.0, 0.0, 2.0], dtype=x.dtype) ** x,
                       [0.0, 1.5, 1.0]),
    "sigmoid of ±1000": (lambda x: x.sigmoid(), torch.sigmoid, [1000.0, -1000.0]),
    "tanh of ±1000": (lambda x: x.tanh(), torch.tanh, [1000.0, -1000.0]),
    "exp of 1000": (lambda x: x.exp(), torch.exp, [1000.0, 0.0]),
    "logsumexp of ±1000": (lambda x: x.logsumexp(axis=1), lambda x: torch.logsumexp(x, dim=1),
                           [[1000.0, 1000.0], [-1000.0, -1000.0]]),
    "logsumexp of a row of -inf": (lambda x: x.logsumexp(axis=1),
                                   lambda x: torch.logsumexp(x, dim=1), [[-INF, -INF], [0.0, 1.0]]),
    "logsumexp with -inf in a row": (lambda x: x.logsumexp(axis=1),
                                     lambda x: torch.logsumexp(x, dim=1),
                                     [[-INF, 0.0], [0.0, 1.0]]),
    "log_softmax with -inf": (lambda x: x - x.logsumexp(axis=1, keepdims=True),
                              lambda x: torch.log_softmax(x, dim=1), [[-INF, 0.0, 1.0]]),
}


@pytest.mark.parametrize("name", EDGES)
def test_edge_cases_like_torch(name):
    ours, theirs, x = EDGES[name]
    run_both(ours, theirs, [np.array(x)], weights_seed=None)


# ---- second order --------------------------------------------------------------------------


def test_hessian_vector_products_like_torch():
    rng = np.random.default_rng(4)
    x_data, w_data, v_data = (rng.standard_normal(s) for s in [(2, 3), (3, 4), (2, 3)])

    def f(x, w, logsumexp):
        h = (x @ w).tanh()
        return (h - logsumexp(h)).sum() + (x * x).sigmoid().sum()

    x, w = Tensor(x_data, requires_grad=True), Tensor(w_data, requires_grad=True)
    loss = f(x, w, lambda h: h.logsumexp(axis=-1, keepdims=True))
    gx, gw = tg.grad(loss, [x, w], create_graph=True)
    hvp = tg.grad((gx * Tensor(v_data)).sum(), [x, w])

    tx = torch.tensor(x_data, requires_grad=True)
    tw = torch.tensor(w_data, requires_grad=True)
    tgx, tgw = torch.autograd.grad(f(tx, tw, lambda h: torch.logsumexp(h, dim=-1, keepdim=True)),
                                   [tx, tw], create_graph=True)
    thvp = torch.autograd.grad((tgx * torch.tensor(v_data)).sum(), [tx, tw])

    np.testing.assert_allclose(gx.data, tgx.detach().numpy(), rtol=1e-10)
    np.testing.assert_allclose(gw.data, tgw.detach().numpy(), rtol=1e-10)
    for ours, theirs in zip(hvp, thvp):
        np.testing.assert_allclose(ours.data, theirs.numpy(), rtol=1e-9, atol=1e-12)


# ---- float32 -------------------------------------------------------------------------------


def test_a_small_float32_network_like_torch():
    rng = np.random.default_rng(6)
    x, w, b = rng.standard_normal((5, 3)), rng.standard_normal((3, 4)), rng.standard_normal(4)
    y = np.array([0, 3, 1, 1, 2])

    def net(x, w, b, logsumexp):
        logits = (x @ w + b).tanh() * 2.5
        logp = logits - logsumexp(logits)
        return -logp[np.arange(5), y].mean()

    run_both(lambda *t: net(*t, lambda h: h.logsumexp(axis=1, keepdims=True)),
             lambda *t: net(*t, lambda h: torch.logsumexp(h, dim=1, keepdim=True)),
             [x, w, b], dtype=np.float32)
