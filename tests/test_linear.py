"""F.linear, the fused op behind nn.Linear, equals the composite x @ weight.T + bias.

DESIGN.md allows a fused fast path only beside a test that it equals the composite: here
values, gradients (to 1e-12) and second derivatives are compared for 1-D, 2-D and 3-D
inputs, with and without a bias, in float32, and with an input that needs no gradient.
The SGD update that goes a block of rows at a time is checked against the plain one.
"""

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, functional as F, nn, optim
from tiny_grad.autograd import topological_order


def composite(x, weight, bias=None):
    y = x @ weight.T
    return y if bias is None else y + bias


def run(fn, x0, w0, b0, g0, x_grad=True, dtype=np.float64):
    """(value, gradients of x, weight, bias) of fn after backward(g0), on fresh leaves."""
    x = Tensor(x0, requires_grad=x_grad, dtype=dtype)
    w = Tensor(w0, requires_grad=True, dtype=dtype)
    b = None if b0 is None else Tensor(b0, requires_grad=True, dtype=dtype)
    out = fn(x, w, b)
    out.backward(Tensor(g0, dtype=dtype))
    grads = [None if t is None or t.grad is None else t.grad.data for t in (x, w, b)]
    return out.data, grads


CASES = [  # (x shape, bias?)
    ((3,), True), ((4, 3), True), ((2, 5, 3), True), ((4, 3), False), ((2, 5, 3), False),
]


@pytest.mark.parametrize("x_shape, with_bias", CASES)
@pytest.mark.parametrize("x_grad", [True, False])
def test_linear_equals_the_composite_value_and_gradients(x_shape, with_bias, x_grad):
    rng = np.random.default_rng(0)
    x0, w0 = rng.normal(0, 1, x_shape), rng.normal(0, 1, (4, 3))
    b0 = rng.normal(0, 1, 4) if with_bias else None
    g0 = rng.normal(0, 1, x_shape[:-1] + (4,))
    fused = run(F.linear, x0, w0, b0, g0, x_grad)
    plain = run(composite, x0, w0, b0, g0, x_grad)
    np.testing.assert_allclose(fused[0], plain[0], rtol=0, atol=1e-12)
    for got, want in zip(fused[1], plain[1]):
        assert (got is None) == (want is None)
        if got is not None:
            np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)
    if not x_grad:
        assert fused[1][0] is None


@pytest.mark.parametrize("x_shape", [(3,), (4, 3), (2, 5, 3)])
@pytest.mark.parametrize("bias_shape", [(1,), ()])
def test_a_broadcast_bias_gets_a_gradient_of_its_own_shape(x_shape, bias_shape):
    # A bias of shape (1,) or () is added to every output; its gradient sums over them all.
    rng = np.random.default_rng(3)
    x0, w0, b0 = rng.normal(0, 1, x_shape), rng.normal(0, 1, (4, 3)), rng.normal(0, 1, bias_shape)
    g0 = rng.normal(0, 1, x_shape[:-1] + (4,))
    fused = run(F.linear, x0, w0, b0, g0)
    plain = run(composite, x0, w0, b0, g0)
    assert fused[1][2].shape == bias_shape
    for got, want in zip(fused[1], plain[1]):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


@pytest.mark.parametrize("x_shape, with_bias", [((4, 3), True), ((2, 5, 3), False)])
def test_linear_float32_stays_float32_and_equals_the_composite(x_shape, with_bias):
    rng = np.random.default_rng(1)
    x0, w0 = rng.normal(0, 1, x_shape), rng.normal(0, 1, (4, 3))
    b0 = rng.normal(0, 1, 4) if with_bias else None
    g0 = rng.normal(0, 1, x_shape[:-1] + (4,))
    fused = run(F.linear, x0, w0, b0, g0, dtype=np.float32)
    plain = run(composite, x0, w0, b0, g0, dtype=np.float32)
    assert fused[0].dtype == np.float32
    np.testing.assert_allclose(fused[0], plain[0], rtol=1e-6, atol=1e-6)
    for got, want in zip(fused[1], plain[1]):
        if got is not None:
            assert got.dtype == np.float32
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_linear_mixed_dtypes_give_the_composite_dtype():
    rng = np.random.default_rng(5)
    for dtypes in [(np.float32, np.float32, np.float64), (np.float64, np.float32, np.float32),
                   (np.float32, np.float64, np.float32)]:
        x, w, b = (Tensor(rng.normal(0, 1, shape), requires_grad=True, dtype=dtype)
                   for shape, dtype in zip([(2, 3), (4, 3), (4,)], dtypes))
        fused, plain = F.linear(x, w, b), composite(x, w, b)
        assert fused.dtype == plain.dtype
        np.testing.assert_allclose(fused.data, plain.data, rtol=1e-6)
        fused.sum().backward()
        assert [t.grad.dtype for t in (x, w, b)] == [np.dtype(d) for d in dtypes]


@pytest.mark.parametrize("x_shape, with_bias", [((3,), True), ((4, 3), True), ((2, 5, 3), False)])
def test_linear_second_derivatives_equal_the_composite(x_shape, with_bias):
    rng = np.random.default_rng(2)
    x0, w0 = rng.normal(0, 1, x_shape), rng.normal(0, 1, (4, 3))
    b0 = rng.normal(0, 1, 4) if with_bias else None
    v0 = rng.normal(0, 1, x_shape[:-1] + (4,))
    results = []
    for fn in (F.linear, composite):
        x, w = Tensor(x0, requires_grad=True), Tensor(w0, requires_grad=True)
        b = None if b0 is None else Tensor(b0, requires_grad=True)
        loss = (fn(x, w, b).tanh() * Tensor(v0)).sum()
        inputs = [x, w] + ([b] if b is not None else [])
        grads = tg.grad(loss, inputs, create_graph=True)
        second = tg.grad(sum((g * g).sum() for g in grads), inputs)
        results.append([g.data for g in grads] + [h.data for h in second])
    for got, want in zip(*results):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-12)


def test_linear_passes_gradcheck_and_gradgradcheck():
    rng = np.random.default_rng(3)
    x = Tensor(rng.normal(0, 1, (2, 3)), requires_grad=True)
    w = Tensor(rng.normal(0, 1, (4, 3)), requires_grad=True)
    b = Tensor(rng.normal(0, 1, 4), requires_grad=True)
    assert tg.gradcheck(F.linear, [x, w, b])
    assert tg.gradgradcheck(F.linear, [x, w, b])
    assert tg.gradcheck(lambda x, w: F.linear(x, w), [x, w])


def test_linear_layer_is_one_node_and_gives_a_row_major_weight_gradient():
    layer = nn.Linear(3, 4)
    x = Tensor(np.ones((5, 3)))
    y = layer(x)
    assert y.op == "linear" and y.parents == (x, layer.weight, layer.bias)
    assert [n.op for n in topological_order([y]) if n.op] == ["linear"]
    y.sum().backward()
    assert layer.weight.grad.data.flags.c_contiguous
    assert x.grad is None  # data needs no gradient, and gets none


def test_linear_bad_shapes_name_both_shapes_and_the_op():
    w = Tensor(np.ones((4, 3)), requires_grad=True)
    with pytest.raises(ValueError, match=r"linear: x of shape \(2, 5\) and weight of shape \(4, 3\)"):
        F.linear(Tensor(np.ones((2, 5))), w)
    with pytest.raises(ValueError, match=r"linear: a bias of shape \(3,\) does not fit"):
        F.linear(Tensor(np.ones((2, 3))), w, Tensor(np.ones(3)))
    with pytest.raises(ValueError, match="linear"):
        nn.Linear(3, 4)(np.ones((2, 2)))


def test_linear_warns_nothing_on_overflow(recwarn):
    w = Tensor(np.full((2, 2), 1e200), requires_grad=True)
    b = Tensor(np.full(2, -np.inf), requires_grad=True)
    y = F.linear(Tensor(np.full((1, 2), 1e200)), w, b)
    assert not np.isfinite(y.data).any()
    y.sum().backward()
    assert len(recwarn) == 0


@pytest.mark.parametrize("momentum, nesterov, weight_decay", [(0.0, False, 0.0), (0.9, True, 1e-2)])
def test_sgd_update_of_a_big_parameter_equals_the_plain_update(momentum, nesterov, weight_decay):
    # a parameter bigger than optim._BLOCK is updated a block of rows at a time
    rng = np.random.default_rng(4)
    p0 = rng.normal(0, 1, (700, 150)).astype(np.float32)
    grads = [rng.normal(0, 1, p0.shape).astype(np.float32) for _ in range(3)]
    assert p0.size > optim._BLOCK
    p = Tensor(p0, requires_grad=True)
    opt = optim.SGD([p], lr=0.1, momentum=momentum, nesterov=nesterov, weight_decay=weight_decay)
    want, buf = p0.copy(), None
    for g in grads:
        p.grad = Tensor(g)
        opt.step()
        d = g + weight_decay * want if weight_decay else g
        if momentum:
            buf = d.copy() if buf is None else momentum * buf + d
            d = d + momentum * buf if nesterov else buf
        want -= 0.1 * d
    np.testing.assert_array_equal(p.data, want)
    assert p.data.dtype == np.float32
