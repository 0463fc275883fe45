"""The engine's fast paths give the same answers as the plain ones.

Speed comes from a few specific choices (see benchmarks/): log_softmax is one op with its
own VJP, the backward walk adds gradients in place where it owns the sum, constants get no
gradient work, matmul gives a transposed weight its gradient in the weight's memory order.
Each is checked here against the slow, obvious computation. (Timings live in benchmarks/,
never in tests.)
"""

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, Value, functional as F, nn, optim
from tiny_grad.autograd import topological_order
from tiny_grad.tensor import _unbroadcast


def grads_of(fn, x, g):
    """(fn(x), d/dx Σ fn(x)·g) for a fresh leaf holding x."""
    leaf = Tensor(x, requires_grad=True)
    out = fn(leaf)
    out.backward(g)
    return out.data, leaf.grad.data


@pytest.mark.parametrize("shape, axis", [((4, 5), -1), ((4, 5), 0), ((2, 3, 4), 1), ((6,), 0),
                                         ((2, 3, 4), (0, 2))])
def test_log_softmax_op_equals_the_composite_value_and_gradient(shape, axis):
    rng = np.random.default_rng(1)
    x = rng.normal(0, 3, shape)
    g = rng.normal(0, 1, shape)
    fused = grads_of(lambda t: F.log_softmax(t, axis), x, g)
    composite = grads_of(lambda t: F.log_softmax_composite(t, axis), x, g)
    np.testing.assert_allclose(fused[0], composite[0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(fused[1], composite[1], rtol=0, atol=1e-12)


def test_log_softmax_op_second_derivatives_equal_the_composite():
    rng = np.random.default_rng(2)
    x0, v = rng.normal(0, 2, (3, 4)), rng.normal(0, 1, (3, 4))
    hessian_vector = []
    for log_softmax in (F.log_softmax, F.log_softmax_composite):
        x = Tensor(x0, requires_grad=True)
        loss = (log_softmax(x) * Tensor(v)).sum() + (log_softmax(x) ** 2).sum()
        (g,) = tg.grad(loss, [x], create_graph=True)
        (h,) = tg.grad((g * Tensor(v)).sum(), [x])
        hessian_vector.append((g.data, h.data))
    np.testing.assert_allclose(hessian_vector[0][0], hessian_vector[1][0], rtol=0, atol=1e-12)
    np.testing.assert_allclose(hessian_vector[0][1], hessian_vector[1][1], rtol=0, atol=1e-10)


def test_log_softmax_op_passes_gradcheck_and_gradgradcheck():
    x = Tensor(np.random.default_rng(3).normal(0, 1, (3, 4)), requires_grad=True)
    assert tg.gradcheck(lambda t: F.log_softmax(t, axis=1), [x])
    assert tg.gradgradcheck(lambda t: F.log_softmax(t, axis=1), [x])


def test_log_softmax_op_on_extreme_rows_matches_the_composite(recwarn):
    x = np.array([[1000.0, 0.0, -1000.0], [-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf]])
    g = np.ones_like(x)
    fused = grads_of(F.log_softmax, x, g)
    composite = grads_of(F.log_softmax_composite, x, g)
    np.testing.assert_array_equal(np.isfinite(fused[0]), np.isfinite(composite[0]))
    finite = np.isfinite(composite[0])
    np.testing.assert_allclose(fused[0][finite], composite[0][finite], atol=1e-12)
    np.testing.assert_allclose(fused[1][:2], composite[1][:2], atol=1e-12)
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


def test_cross_entropy_graph_still_reads_log_softmax_pick_mean_negate():
    logits = Tensor(np.random.default_rng(4).normal(0, 1, (5, 3)), requires_grad=True)
    loss = F.cross_entropy(logits, [0, 2, 1, 1, 0])
    ops = [node.op for node in topological_order([loss]) if node.op]
    assert ops == ["log_softmax", "index", "mean", "neg"]


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_in_place_sums_never_change_a_shared_gradient(kind):
    # s = a + b hands one and the same gradient object to a and to b. a then gets more
    # parts (from the two "+ a" below), which are summed in place: b must not see them.
    make = (lambda v: Value(v)) if kind == "value" else (lambda v: Tensor([v, v], requires_grad=True))
    a, b = make(2.0), make(-1.0)
    s = a + b
    t = s * 3.0 + a + a + a * a
    (t if kind == "value" else t.sum()).backward()
    grad = (lambda n: n.grad) if kind == "value" else (lambda n: n.grad.data[0])
    assert grad(b) == 3.0
    assert grad(a) == 3.0 + 1 + 1 + 2 * 2.0
    assert grad(s) == 3.0


def test_in_place_sums_give_the_same_gradients_as_plain_sums():
    # A node used by many paths: the walk's running sum is added to in place.
    x = Tensor(np.linspace(-1, 1, 6).reshape(2, 3), requires_grad=True)
    terms = [x * k for k in range(1, 8)] + [x.exp(), x.tanh()]
    total = terms[0]
    for t in terms[1:]:
        total = total + t
    total.sum().backward()
    want = sum(range(1, 8)) + np.exp(x.data) + 1 - np.tanh(x.data) ** 2
    np.testing.assert_allclose(x.grad.data, want, rtol=1e-12)


def test_no_two_leaves_get_one_gradient_array():
    # a + b hands one g to both leaves; a reshape hands on a view of it; a gradient given to
    # backward() is the caller's. Changing one leaf's .grad in place must change nothing else.
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    c = Tensor([[5.0], [6.0]], requires_grad=True)
    given = Tensor([1.0, 2.0])
    (a + b + c.reshape(2)).backward(given)
    a.grad.data *= 0.5  # e.g. clipping one parameter's gradient by hand
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0])
    np.testing.assert_array_equal(b.grad.data, [1.0, 2.0])
    np.testing.assert_array_equal(c.grad.data, [[1.0], [2.0]])
    np.testing.assert_array_equal(given.data, [1.0, 2.0])
    b.grad.data[:] = 0
    c.grad.data[:] = 0
    np.testing.assert_array_equal(a.grad.data, [0.5, 1.0])
    w = Tensor([1.0, 2.0], requires_grad=True)  # a leaf reached directly by the given gradient
    w.backward(given)
    w.grad.data *= 3
    np.testing.assert_array_equal(given.data, [1.0, 2.0])


def test_leaves_accumulate_in_place_from_their_own_sum_on():
    # a + b hands one gradient object to both leaves. Pass 1 stores it as it is; pass 2
    # makes each leaf a sum of its own; passes 3 and 4 add into that sum in place.
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    c = Tensor([5.0, 6.0], requires_grad=True)
    arrays = []
    for k in range(1, 5):
        (a + b + c * c).backward(Tensor([k, k]))
        arrays.append((a.grad.data, b.grad.data))
    np.testing.assert_array_equal(a.grad.data, [10.0, 10.0])  # 1 + 2 + 3 + 4
    np.testing.assert_array_equal(b.grad.data, [10.0, 10.0])
    np.testing.assert_array_equal(c.grad.data, 10 * 2 * c.data)
    assert arrays[0][0] is not arrays[1][0]  # pass 1's gradient may be shared: not changed
    assert arrays[1][0] is arrays[2][0] is arrays[3][0]  # the leaf's own sum: in place
    assert a.grad.data is not b.grad.data


def test_an_accumulated_gradient_shared_by_hand_is_never_changed_in_place():
    w = Tensor([1.0, 1.0], requires_grad=True)
    v = Tensor([2.0, 2.0], requires_grad=True)
    for _ in range(2):
        (w * 3.0).sum().backward()  # w.grad = 3 + 3: w's own sum from now on
    v.grad = w.grad  # now shared: a later pass must add to neither in place
    (v * 1.0).sum().backward()
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [9.0, 9.0])
    np.testing.assert_array_equal(v.grad.data, [7.0, 7.0])
    u = Tensor([0.0, 0.0], requires_grad=True)  # and a gradient passed to backward() is shared
    (w * 3.0).sum().backward()  # w.grad is w's own sum again
    u.backward(w.grad)
    (w * 3.0).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [15.0, 15.0])
    np.testing.assert_array_equal(u.grad.data, [12.0, 12.0])


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_accumulation_with_create_graph_keeps_the_sum_a_graph(kind):
    x = Value(1.5) if kind == "value" else Tensor(1.5, requires_grad=True)
    for _ in range(3):
        (x * x * x).backward(create_graph=True)  # 3x² each time, as a graph of x
    assert x._grad.data == pytest.approx(3 * 3 * 1.5 ** 2)
    (h,) = tg.grad(x._grad, [x])  # d/dx of 9x² = 18x: the three passes' graphs, summed
    assert float(h.data) == pytest.approx(18 * 1.5)


def test_scalar_leaves_accumulate_through_their_own_sum():
    a = Value(2.0)
    b = Value(3.0)
    for _ in range(4):
        (a * b + a).backward()  # one gradient object may reach both; a's parts are summed
    assert (a.grad, b.grad) == (16.0, 8.0)


@pytest.mark.parametrize("shape", [(), (1,), (2, 3)])
def test_a_node_reached_by_many_paths_sums_in_place_in_any_shape(shape):
    # The walk's running sums: a 0-d result holds a NumPy number, not an array.
    x = Tensor(np.full(shape, 1.5), requires_grad=True)
    (x * 2.0 + x * 3.0 + x * 4.0 + x.exp()).sum().backward()
    np.testing.assert_allclose(x.grad.data, 9.0 + np.exp(1.5))
    for _ in range(2):  # and a 0-d leaf's own sum, across passes
        (x * 2.0).sum().backward()
    np.testing.assert_allclose(x.grad.data, 13.0 + np.exp(1.5))


def test_grad_with_create_graph_keeps_every_sum_a_graph_node():
    x = Tensor([0.5, -1.5], requires_grad=True)
    y = (x * x + x * x * x + x).sum()  # x reaches y along five paths
    (g,) = tg.grad(y, [x], create_graph=True)
    np.testing.assert_allclose(g.data, 2 * x.data + 3 * x.data ** 2 + 1)
    (h,) = tg.grad(g.sum(), [x])
    np.testing.assert_allclose(h.data, 2 + 6 * x.data)


def test_a_failed_backward_leaves_no_half_summed_gradients_behind():
    x = Tensor([0.0, 4.0], requires_grad=True)
    y = (x.sqrt() + x).sum()  # d√x/dx is inf at 0
    with pytest.raises(tg.AnomalyError):
        with tg.detect_anomaly():
            y.backward(retain_graph=True)
    assert x.grad is None
    assert all(node._pending is None for node in topological_order([y]))
    y.backward()  # and the graph still works
    assert x.grad.data[1] == pytest.approx(1 / 4 + 1)


def test_backward_from_inside_a_vjp_is_refused_clearly():
    a = Value(2.0)
    other = a * 3.0

    def vjp(g, a):
        other.backward()
        return (g,)

    out = Value._apply("sneaky", a.data, (a,), vjp)
    with pytest.raises(RuntimeError, match="inside a VJP"):
        out.backward()


def test_constants_get_no_gradient_work():
    x = Tensor([1.0, 2.0], requires_grad=True)
    c = Tensor([3.0, 4.0])
    assert _unbroadcast(Tensor([1.0, 1.0]), c) is None
    (gx, gc) = tg.grad((x * c).sum(), [x, c], allow_unused=True)
    np.testing.assert_array_equal(gx.data, [3.0, 4.0])
    assert gc is None


def test_linear_weight_gradient_is_row_major_like_the_weight():
    layer = nn.Linear(5, 3, dtype=np.float32)
    x = Tensor(np.random.default_rng(5).normal(0, 1, (4, 5)).astype(np.float32))
    layer(x).sum().backward()
    assert layer.weight.grad.data.flags.c_contiguous
    np.testing.assert_allclose(layer.weight.grad.data, np.ones((4, 3)).T @ x.data, rtol=1e-6)


def test_float32_stays_float32_end_to_end():
    tg.manual_seed(0)
    model = nn.MLP(6, [8, 3], dtype=np.float32)
    opt = optim.SGD(model.parameters(), lr=0.1)
    x = Tensor(np.random.default_rng(6).normal(0, 1, (4, 6)), dtype=np.float32)
    loss = F.cross_entropy(model(x), [0, 1, 2, 1])
    loss.backward()
    order = topological_order([loss])
    assert {node.data.dtype for node in order} == {np.dtype(np.float32)}
    assert {node.grad.data.dtype for node in order if node.requires_grad} == {np.dtype(np.float32)}
    opt.step()
    assert {p.data.dtype for p in model.parameters()} == {np.dtype(np.float32)}


@pytest.mark.parametrize("axes", [(2, 0, 1), (1, 2, 0), (0, 2, 1), (-1, 0, 1)])
def test_transpose_gradient_goes_back_to_the_original_axes(axes):
    x = Tensor(np.arange(24.0).reshape(2, 3, 4), requires_grad=True)
    g = np.random.default_rng(7).normal(0, 1, x.transpose(*axes).shape)
    x.transpose(*axes).backward(g)
    back = np.argsort([a % 3 for a in axes])
    np.testing.assert_array_equal(x.grad.data, g.transpose(back))


def test_relu_and_clip_gradients_keep_the_dtype_and_the_zeros():
    x = Tensor(np.array([-1.0, 0.0, 0.5, 2.0], np.float32), requires_grad=True)
    (x.relu() * 3.0 + x.clip(0.0, 1.0)).sum().backward()
    assert x.grad.dtype == np.float32
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 4.0, 3.0])


# ---- gaps that mutation testing found: each test fails on one plausible bug ----------------

def test_clip_passes_the_gradient_at_both_ends_and_relu_masks_second_derivatives():
    x = Tensor([0.0, 1.0, 2.0, 3.0], requires_grad=True)
    x.clip(0.0, 2.0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0, 0.0])  # ends included
    # d/dg of relu's VJP is the same mask: the gradient of a gradient flows only where x > 0
    x = Tensor([-1.0, 2.0], requires_grad=True)
    g = Tensor([1.0, 1.0], requires_grad=True)
    (gx,) = tg.grad(x.relu(), [x], grad_outputs=g, create_graph=True)
    (gg,) = tg.grad(gx.sum(), [g])
    np.testing.assert_array_equal(gg.data, [0.0, 1.0])


def test_every_gradient_comes_back_in_its_own_inputs_dtype():
    x32 = Tensor(np.ones((3, 2)), dtype=np.float32, requires_grad=True)
    x32.astype(np.float64).sum().backward()
    assert x32.grad.dtype == np.float32
    for other_shape in [(3, 2), (2,)]:  # same shape, and broadcast
        a = Tensor(np.ones(other_shape), dtype=np.float32, requires_grad=True)
        b = Tensor(np.ones((3, 2)), requires_grad=True)  # float64
        (a * b).sum().backward()
        assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    x = Tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    w = Tensor(np.ones((4, 3)), requires_grad=True)  # float64
    F.linear(x, w).sum().backward(create_graph=True)
    assert x.grad.dtype == np.float32 and w.grad.dtype == np.float64


def test_bce_target_gradient_is_clamped_and_float32_stays_float32():
    p = Tensor([0.0, 0.5], requires_grad=True)
    t = Tensor([1.0, 1.0], requires_grad=True)
    F.binary_cross_entropy(p, t, reduction="sum").backward()
    np.testing.assert_allclose(t.grad.data, [100.0, 0.0])  # log 1 − max(log 0, −100)
    p32 = Tensor([0.25, 0.5], dtype=np.float32, requires_grad=True)
    loss = F.binary_cross_entropy(p32, np.array([1.0, 0.0]))  # a float64 target
    assert loss.dtype == np.float32
    loss.backward()
    assert p32.grad.dtype == np.float32  # (the float64 target made it float64)
    t64 = Tensor([1.0, 0.0], requires_grad=True)
    F.binary_cross_entropy(p32, t64).backward()
    assert t64.grad.dtype == np.float64 and p32.grad.dtype == np.float32


def test_ignore_index_that_is_a_class_ignores_those_examples():
    logits = Tensor(np.log([[0.5, 0.25, 0.25], [0.2, 0.6, 0.2], [0.1, 0.1, 0.8]]))
    loss = F.cross_entropy(logits, [0, 1, 2], ignore_index=0)  # all targets valid classes
    assert loss.item() == pytest.approx(-(np.log(0.6) + np.log(0.8)) / 2)
    for target, ignore in [([0, 3, 1], -100), ([0, 3, 1], 0)]:  # 3 is no class of 3
        with pytest.raises(IndexError, match="class index 3 is out of range for 3 classes"):
            F.cross_entropy(logits, target, ignore_index=ignore)


def test_label_smoothing_of_probability_targets_against_numbers_by_hand():
    logits = Tensor(np.log([[0.5, 0.25, 0.25]]))
    t = [[0.0, 1.0, 0.0]]
    smoothed = np.array([0.1, 0.8, 0.1])  # (1 − 0.3)·t + 0.3/3
    loss = F.cross_entropy(logits, t, label_smoothing=0.3)
    assert loss.item() == pytest.approx(-(smoothed * np.log([0.5, 0.25, 0.25])).sum())


def test_a_leaf_grad_that_was_summed_in_place_still_takes_a_graph_later():
    w = Tensor([1.5, 2.0], requires_grad=True)
    for _ in range(2):
        (w * w).sum().backward()  # 2w twice: w's own sum
    (w * w * w).sum().backward(create_graph=True)  # + 3w², as a graph of w
    np.testing.assert_allclose(w.grad.data, 4 * w.data + 3 * w.data ** 2)
    (h,) = tg.grad(w.grad.sum(), [w])
    np.testing.assert_allclose(h.data, 6 * w.data)


def test_two_leaves_given_one_gradient_by_a_plus_each_keep_their_own():
    a = Tensor([1.0, 2.0], requires_grad=True)
    b = Tensor([3.0, 4.0], requires_grad=True)
    (a + b).sum().backward()  # the seed is a 0-d one: the two leaves share what `+` hands on
    a.grad.data *= 0.5
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])


def test_a_leafs_own_sum_given_to_backward_with_create_graph_is_not_added_into_later():
    w = Tensor([1.0, 1.0], requires_grad=True)
    for _ in range(2):
        (w * 3.0).sum().backward()  # w.grad = 6: w's own sum
    u = Tensor([0.0, 0.0], requires_grad=True)
    u.backward(w.grad, create_graph=True)  # u.grad is stored as it is: the same object
    u.backward(Tensor([1.0, 1.0]))  # a plain pass adds to u.grad: not into w's
    np.testing.assert_array_equal(w.grad.data, [6.0, 6.0])
    np.testing.assert_array_equal(u.grad.data, [7.0, 7.0])


def test_one_output_given_twice_counts_twice():
    x = Tensor([2.0], requires_grad=True)
    y = x * 2.0
    tg.autograd.backward([y, y])
    assert x.grad.item() == 4.0


def test_momentum_keeps_its_own_buffer_and_leaves_the_gradient_alone():
    p = Tensor([1.0], requires_grad=True)
    p.grad = Tensor([1.0])
    opt = optim.SGD([p], lr=0.1, momentum=0.9)
    opt.step()
    opt.step()  # buf: 1, then 0.9·1 + 1 = 1.9
    assert p.grad.item() == 1.0
    assert p.item() == pytest.approx(1.0 - 0.1 * 1.0 - 0.1 * 1.9)


def test_a_matrix_product_gives_an_ordinary_weight_its_gradient_in_row_major_order():
    a = Tensor(np.ones((4, 5)), requires_grad=True)
    b = Tensor(np.ones((5, 3)), requires_grad=True)  # not a transposed view
    (a @ b).sum().backward()
    assert b.grad.data.flags.c_contiguous and a.grad.data.flags.c_contiguous
