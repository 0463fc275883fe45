"""The shared engine: order, accumulation, retain_graph, grad(), no_grad, memory."""

import gc
import weakref

import pytest

import tiny_grad as tg
from tiny_grad import Value
from tiny_grad.autograd import topological_order


def test_topological_order_puts_parents_first_and_is_deterministic():
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    c = a * b
    d = c + a
    e = d * c
    order = topological_order([e])
    position = {id(n): i for i, n in enumerate(order)}
    for node in order:
        for parent in node.parents:
            assert position[id(parent)] < position[id(node)]
    assert len(order) == 5
    assert order == topological_order([e])
    assert [n.label for n in order[:2]] == ["a", "b"]


def test_long_chain_has_no_recursion_error():
    x = Value(1.0)
    y = x
    n = 10 ** 5
    for _ in range(n):
        y = y * 1.0000001 + 0.0
    y.backward()
    assert x.grad == pytest.approx(1.0000001 ** n, rel=1e-9)


def test_graph_is_freed_without_the_cycle_collector():
    gc.disable()
    try:
        a = Value(2.0)
        b = (a * 3.0).tanh()
        c = (b + a).exp() * b
        watch = [weakref.ref(node) for node in topological_order([c]) if node is not a]
        c.backward()
        assert a.grad != 0.0
        del b, c
        assert all(ref() is None for ref in watch)
    finally:
        gc.enable()


def test_graph_with_create_graph_gradients_is_freed_once_leaf_grads_go():
    gc.disable()
    try:
        x = Value(1.5)
        y = x.tanh() * x
        ref = weakref.ref(y)
        (g,) = tg.grad(y, [x], create_graph=True)
        del y
        assert ref() is None  # grad() stores nothing on x, so no leaf refers back
        assert g.parents
    finally:
        gc.enable()


def test_second_backward_raises_and_changes_nothing():
    a = Value(2.0)
    b = a * a
    L = b * 3.0
    L.backward()
    assert a.grad == 12.0
    with pytest.raises(RuntimeError, match="retain_graph=True"):
        L.backward()
    assert a.grad == 12.0
    assert b.parents == (a, a) and L.op == "*"  # still drawable


def test_retain_graph_lets_gradients_accumulate_like_pytorch():
    a = Value(2.0)
    b = a * a
    L = b * 3.0
    L.backward(retain_graph=True)
    L.backward()
    assert a.grad == 24.0  # leaves accumulate
    assert b.grad == 3.0  # an inner node holds the latest pass
    with pytest.raises(RuntimeError, match="retain_graph"):
        L.backward()


def test_leaves_accumulate_across_graphs_until_zeroed():
    w = Value(0.5)
    (w * 2.0).backward()
    (w * 3.0).backward()
    assert w.grad == 5.0
    w.grad = 0.0
    (w * 4.0).backward()
    assert w.grad == 4.0


def test_backward_on_a_leaf_seeds_one():
    a = Value(7.0)
    a.backward()
    assert a.grad == 1.0


def test_grad_returns_gradients_without_touching_dot_grad():
    a, b = Value(2.0), Value(5.0)
    L = a * b + a
    ga, gb = tg.grad(L, [a, b])
    assert (ga.data, gb.data) == (6.0, 2.0)
    assert a.grad == 0.0 and b.grad == 0.0 and L.grad == 0.0


def test_grad_of_an_inner_node_and_of_several_outputs():
    a = Value(2.0)
    b = a * a
    c = b * 3.0
    (gb,) = tg.grad(c, [b], retain_graph=True)
    assert gb.data == 3.0
    (ga,) = tg.grad([c, b], [a], grad_outputs=[1.0, 10.0])
    assert ga.data == 3 * 4.0 + 10 * 4.0


def test_grad_unused_input():
    a, unused = Value(2.0), Value(1.0)
    with pytest.raises(RuntimeError, match="allow_unused"):
        tg.grad(a * 2, [unused])
    assert tg.grad(a * 2, [a, unused], allow_unused=True)[1] is None


def test_second_derivative_of_cube_is_6x():
    for x0 in (-2.0, 0.5, 3.0):
        x = Value(x0)
        (g,) = tg.grad(x ** 3, [x], create_graph=True)
        assert g.data == pytest.approx(3 * x0 ** 2)
        (h,) = tg.grad(g, [x])
        assert h.data == pytest.approx(6 * x0)


@pytest.mark.parametrize("op, second", [
    ("tanh", lambda x: -2 * __import__("math").tanh(x) * (1 - __import__("math").tanh(x) ** 2)),
    ("exp", lambda x: __import__("math").exp(x)),
    ("log", lambda x: -1 / x ** 2),
    ("sqrt", lambda x: -0.25 * x ** -1.5),
])
def test_second_derivatives_of_functions(op, second):
    x = Value(0.7)
    (g,) = tg.grad(getattr(x, op)(), [x], create_graph=True)
    (h,) = tg.grad(g, [x])
    assert h.data == pytest.approx(second(0.7))


def test_backward_with_create_graph_keeps_a_graph_in_leaf_grad():
    x = Value(2.0)
    y = x * x * x
    y.backward(create_graph=True)
    assert x.grad == 12.0
    assert x._grad.parents  # the gradient is itself a graph
    (h,) = tg.grad(x._grad, [x])
    assert h.data == 12.0


def test_no_grad_as_context_and_decorator_and_nesting():
    a = Value(1.0)

    @tg.no_grad()
    def f():
        return a * 2

    @tg.no_grad
    def g():
        return a * 3

    assert f().parents == () and g().parents == ()
    assert tg.is_grad_enabled()
    with tg.no_grad():
        assert not tg.is_grad_enabled()
        with tg.enable_grad():
            assert (a * 2).parents[0] is a
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_no_grad_is_restored_after_an_exception():
    with pytest.raises(ZeroDivisionError):
        with tg.no_grad():
            1 / 0
    assert tg.is_grad_enabled()


@pytest.mark.parametrize("switch", [tg.no_grad, tg.no_grad(), tg.enable_grad(), tg.detect_anomaly()],
                         ids=["@no_grad", "@no_grad()", "@enable_grad()", "@detect_anomaly()"])
def test_a_switch_entered_again_before_it_exits_restores_every_mode(switch):
    # A decorated function that calls itself enters its one decorator object once per call.
    @switch
    def count_down(n):
        if n:
            count_down(n - 1)
    with tg.no_grad():
        count_down(2)
        assert not tg.is_grad_enabled()
    count_down(2)
    assert tg.is_grad_enabled() and not tg.autograd._anomaly_enabled
    one = tg.no_grad()  # and one object used twice, nested
    with one:
        with one:
            pass
        assert not tg.is_grad_enabled()
    assert tg.is_grad_enabled()


def test_set_grad_enabled_switches_as_torch_does_called_with_or_decorating():
    a = Value(1.0)
    try:
        tg.set_grad_enabled(False)  # a plain call switches at once, and it stays switched
        assert not tg.is_grad_enabled() and (a * 2).parents == ()
        tg.set_grad_enabled(True)
        assert (a * 2).parents[0] is a and tg.is_grad_enabled()
        with tg.set_grad_enabled(False):
            assert not tg.is_grad_enabled()
            with tg.set_grad_enabled(True):  # (nested: each block restores what it found)
                assert tg.is_grad_enabled()
            assert not tg.is_grad_enabled()
        assert tg.is_grad_enabled()
        with pytest.raises(ZeroDivisionError), tg.set_grad_enabled(False):
            1 / 0
        assert tg.is_grad_enabled()

        @tg.set_grad_enabled(False)  # decorating switches nothing until the function runs
        def modes(n):
            return [tg.is_grad_enabled()] + (modes(n - 1) if n else [])
        assert tg.is_grad_enabled()
        assert modes(2) == [False, False, False] and tg.is_grad_enabled()
        with tg.no_grad():
            assert tg.set_grad_enabled(True)(tg.is_grad_enabled)() is True
            assert not tg.is_grad_enabled()
        off = tg.set_grad_enabled(False)
        tg.set_grad_enabled(True)
        for _ in range(2):  # one object, used in two blocks: each switches, as in PyTorch
            with off:
                assert not tg.is_grad_enabled()
            assert tg.is_grad_enabled()
    finally:
        tg.set_grad_enabled(True)


def test_grad_takes_any_iterable_of_inputs():
    model = tg.nn.Linear(2, 1)
    loss = model(tg.Tensor([[1.0, 2.0], [3.0, 4.0]])).sum()
    grads = tg.grad(loss, model.parameters(), retain_graph=True)  # a generator
    assert [g.shape for g in grads] == [(1, 2), (1,)]
    assert grads[1].item() == 2.0
    with pytest.raises(TypeError, match="inputs must be Values or Tensors"):
        tg.grad(loss, [model.weight, 3.0])


def test_a_gradient_given_as_a_list_is_one_gradient_for_the_one_output():
    x = tg.Tensor([1.0, 2.0], requires_grad=True)
    (x * 2).backward([1.0, 3.0])
    assert x.grad.data.tolist() == [2.0, 6.0]
    y = tg.Tensor([1.0], requires_grad=True)
    (y * 2).backward([5.0])
    assert y.grad.data.tolist() == [10.0]


def test_wrong_number_of_grad_outputs():
    a = Value(1.0)
    with pytest.raises(ValueError, match="grad_outputs"):
        tg.grad([a * 2, a * 3], [a], grad_outputs=[1.0])


def test_the_package_exports_every_public_name_it_documents():
    for name in ["Value", "Tensor", "no_grad", "enable_grad", "grad", "gradcheck", "gradgradcheck",
                 "draw_graph", "explain", "tensor", "maximum", "concatenate", "stack", "one_hot",
                 "save", "load", "manual_seed"]:
        assert name in tg.__all__ and hasattr(tg, name), name


def test_a_refused_grad_leaves_the_graph_for_a_retry():
    p = tg.Tensor([1.0, 2.0], requires_grad=True)
    q = tg.Tensor([3.0], requires_grad=True)
    d = tg.Tensor([3.0, 4.0])  # data
    z = (p * d).sum()
    with pytest.raises(RuntimeError, match="input 0 is not used to compute the outputs"):
        tg.grad(z, [q])
    with pytest.raises(RuntimeError, match="input 1 does not require grad"):
        tg.grad(z, [p, d])  # (it was called "not used", which it is)
    gp, gq, gd = tg.grad(z, [p, q, d], allow_unused=True)  # the refusals freed nothing
    assert gp.data.tolist() == [3.0, 4.0] and gq is None and gd is None
