"""The scalar engine: every Value op against central differences, and its edge cases."""

import gc
import math
import warnings

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tiny_grad as tg
from tiny_grad import Value, gradcheck

# Points away from 0 so that no op sits on a kink (relu, abs) or a pole (log, 1/x).
moderate = st.floats(min_value=0.1, max_value=3.0) | st.floats(min_value=-3.0, max_value=-0.1)
positive = st.floats(min_value=0.1, max_value=5.0)

UNARY = {
    "neg": (lambda a: -a, moderate),
    "exp": (lambda a: a.exp(), moderate),
    "log": (lambda a: a.log(), positive),
    "sqrt": (lambda a: a.sqrt(), positive),
    "tanh": (lambda a: a.tanh(), moderate),
    "sigmoid": (lambda a: a.sigmoid(), moderate),
    "relu": (lambda a: a.relu(), moderate),
    "abs": (lambda a: a.abs(), moderate),
    "builtin abs": (lambda a: abs(a), moderate),
    "square": (lambda a: a ** 2, moderate),
    "cube": (lambda a: a ** 3, moderate),
    "inverse": (lambda a: a ** -1, moderate),
    "fractional power": (lambda a: a ** 0.5, positive),
    "reflected add": (lambda a: 2 + a, moderate),
    "reflected sub": (lambda a: 1 - a, moderate),
    "reflected mul": (lambda a: 2 * a, moderate),
    "reflected div": (lambda a: 3 / a, moderate),
    "number ** value": (lambda a: 2 ** a, moderate),
}

BINARY = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "value ** value": lambda a, b: a.abs() ** b,
}


@pytest.mark.parametrize("name", sorted(UNARY))
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_unary_ops_pass_gradcheck(name, data):
    fn, points = UNARY[name]
    x = data.draw(points)
    assert gradcheck(fn, [Value(x, label="x")])


@pytest.mark.parametrize("name", sorted(BINARY))
@settings(max_examples=25, deadline=None)
@given(x=moderate, y=moderate)
def test_binary_ops_pass_gradcheck(name, x, y):
    assert gradcheck(BINARY[name], [Value(x), Value(y)])


@settings(max_examples=40, deadline=None)
@given(x=moderate, y=moderate, z=positive)
def test_chains_and_reused_nodes_pass_gradcheck(x, y, z):
    def chain(a, b, c):  # (exp's argument is kept under 2: with e^31 in the sum, a central
        s = (a * b + c).tanh()  # difference's rounding error swamps a small slope, at x=y=3, z=0.25)
        return (s * s + (a / c).tanh()).exp() - (c.log() * b).sigmoid() + (a * a).sqrt()

    def self_add(a, b, c):
        return a + a

    def diamond(a, b, c):
        d = a * a
        return d + d * a

    for fn in (chain, self_add, diamond):
        assert gradcheck(fn, [Value(x), Value(y), Value(z)])


def test_reused_node_gradients_add_up():
    a = Value(3.0)
    (a + a).backward()
    assert a.grad == 2.0
    a = Value(3.0)
    b = a * a
    c = b + b * a  # c = a² + a³, dc/da = 2a + 3a²
    c.backward()
    assert a.grad == 2 * 3.0 + 3 * 3.0 ** 2
    assert b.grad == 1 + 3.0  # dc/db = 1 + a


def test_worked_example_values_and_gradients():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(10.0, label="c")
    e = a * b
    d = e + c
    L = d.tanh()
    L.backward()
    t = math.tanh(4.0)
    assert L.data == pytest.approx(t)
    assert d.grad == pytest.approx(1 - t * t)
    assert e.grad == pytest.approx(1 - t * t)
    assert a.grad == pytest.approx((1 - t * t) * -3.0)
    assert b.grad == pytest.approx((1 - t * t) * 2.0)
    assert c.grad == pytest.approx(1 - t * t)
    assert L.op == "tanh" and d.op == "+" and e.op == "*" and a.op == ""
    assert d.parents == (e, c) and a.parents == ()


def test_power_with_value_exponent():
    a, b = Value(2.0), Value(3.0)
    y = a ** b
    y.backward()
    assert y.data == 8.0
    assert a.grad == pytest.approx(3 * 2.0 ** 2)
    assert b.grad == pytest.approx(8.0 * math.log(2.0))


def test_power_zero_has_slope_zero_everywhere():
    for x in (3.0, 0.0, -2.0):
        a = Value(x)
        (a ** 0).backward()
        assert a.grad == 0.0


# a ** b at a = 0, where the slopes meet 0·∞: (b, d/da, d/db), PyTorch's values.
POWER_AT_ZERO = [(0.0, 0.0, 0.0), (2.0, 0.0, 0.0), (0.5, math.inf, 0.0), (-1.0, -math.inf, -math.inf)]


@pytest.mark.parametrize("b, d_da, d_db", POWER_AT_ZERO)
def test_power_with_value_exponent_at_a_zero_base(b, d_da, d_db):
    # (b = 0 gives d/da = 0, as a ** 0 with a number does; Tensor's `**` agrees: test_tensor.py)
    a, e = Value(0.0), Value(b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        (a ** e).backward()
    assert (a.grad, e.grad) == (d_da, d_db)


def test_ieee_results_instead_of_exceptions_and_no_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert Value(0.0).log().data == -math.inf
        assert math.isnan(Value(-1.0).log().data)
        assert Value(1.0).__truediv__(0).data == math.inf
        assert Value(1000.0).exp().data == math.inf
        assert math.isnan(Value(-1.0).sqrt().data)
        assert Value(0.0) ** -1 is not None and (Value(0.0) ** -1).data == math.inf
        assert math.isnan((Value(-8.0) ** (1 / 3)).data)


@pytest.mark.parametrize("x", [1000.0, -1000.0, 1e308, -1e308])
def test_tanh_and_sigmoid_do_not_overflow(x):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for op in ("tanh", "sigmoid"):
            a = Value(x)
            y = getattr(a, op)()
            y.backward()
            assert math.isfinite(y.data) and math.isfinite(a.grad)
    assert Value(1000.0).sigmoid().data == 1.0
    assert Value(-1000.0).sigmoid().data == 0.0
    assert Value(1000.0).tanh().data == 1.0


def test_relu_and_abs_have_zero_slope_at_zero():
    for op in ("relu", "abs"):
        a = Value(0.0)
        getattr(a, op)().backward()
        assert a.grad == 0.0


@pytest.mark.parametrize("bad", ["abc", None, [1.0], 1 + 2j, b"1"])
def test_non_numbers_raise_type_error(bad):
    with pytest.raises(TypeError):
        Value(bad)
    with pytest.raises(TypeError):
        Value(1.0) + bad
    with pytest.raises(TypeError):
        bad * Value(1.0)


def test_value_of_value_raises():
    with pytest.raises(TypeError, match="already a Value"):
        Value(Value(1.0))


def test_numpy_and_bool_scalars_are_numbers():
    np = pytest.importorskip("numpy")
    assert Value(np.float32(1.5)).data == 1.5
    assert Value(np.int64(2)).data == 2.0
    assert (Value(1.0) * np.float64(2.0)).data == 2.0
    assert Value(True).data == 1.0


def test_grad_property_and_setter():
    a = Value(1.0)
    assert a.grad == 0.0
    (a * 5).backward()
    assert a.grad == 5.0
    a.grad = 0.0
    assert a.grad == 0.0
    a.grad = 2.5
    assert a.grad == 2.5


def test_repr_shows_data_grad_and_label():
    a = Value(2.0, label="a")
    assert repr(a) == "Value(data=2, grad=0, label='a')"
    assert repr(Value(0.5)) == "Value(data=0.5, grad=0)"


def test_no_grad_builds_no_graph():
    a = Value(2.0)
    with tg.no_grad():
        b = a * a + 1
    assert b.parents == () and b.op == "" and b.data == 5.0
    c = a * a
    assert c.parents == (a, a)


def test_values_use_slots():
    with pytest.raises(AttributeError):
        Value(1.0).something_else = 1


@pytest.mark.parametrize("make", [
    lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b, lambda a, b: a / b,
    lambda a, b: a ** b, lambda a, b: -a, lambda a, b: a.exp(), lambda a, b: a.log(),
    lambda a, b: a.sqrt(), lambda a, b: a.tanh(), lambda a, b: a.sigmoid(),
    lambda a, b: a.relu(), lambda a, b: abs(a),
])
def test_every_node_of_an_op_shares_one_vjp(make):
    a, b, c, d = Value(1.5), Value(2.5), Value(0.5), Value(3.0)
    first, second = make(a, b), make(c, d)
    assert first._vjp is second._vjp  # made once per op, not once per node


def test_a_scalar_node_is_two_tracked_objects():
    # What the cycle collector has to look through while a graph is alive: per node a Value
    # and its tuple of parents, nothing more (no function, closure or defaults per node).
    x = Value(0.3)
    gc.collect()
    before = len(gc.get_objects())
    y = x
    for _ in range(1000):
        y = (y * x).relu() + x  # 3 nodes a round
    after = len(gc.get_objects())
    assert after - before <= 2 * 3000 + 50
    assert y.data > 0


def test_backward_keeps_retain_graph_first_and_takes_a_gradient_by_name():
    a = Value(3.0)
    (a * 2).backward(gradient=0.5)
    assert a.grad == 1.0
    with pytest.raises(TypeError, match=r"first argument is retain_graph.*backward\(gradient=\.\.\.\)"):
        (a * 2).backward(0.5)  # (a number there is a gradient meant by name, not a switch)
    b = Value(2.0)
    L = b * b
    L.backward(True)  # retain_graph, positionally, as DESIGN.md writes v.backward(retain_graph=...)
    L.backward()
    assert b.grad == 8.0
    for bad in ("a", [1.0]):
        with pytest.raises(TypeError, match="a number"):
            (Value(1.0) * 2).backward(gradient=bad)
    with pytest.raises(TypeError, match="a number"):
        tg.backward(Value(1.0) * 2, grad_outputs="a")  # (an AttributeError on NotImplemented)


def test_values_do_not_mix_with_tensors_or_arrays():
    import numpy as np
    for mix in (lambda: tg.Tensor([1.0]) + Value(2.0), lambda: Value(2.0) * tg.Tensor([1.0]),
                lambda: tg.Tensor([Value(1.0), Value(2.0)])):
        with pytest.raises(TypeError, match="Values and Tensors do not mix"):
            mix()
    assert (np.float64(3.0) * Value(2.0)).data == 6.0  # NumPy numbers are numbers
    assert np.exp(Value(1.0)).data == pytest.approx(math.e)  # (NumPy calls v.exp())


def test_a_bool_given_as_a_tensors_gradient_says_to_name_retain_graph():
    a = tg.Tensor([2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"write backward\(retain_graph=True\)"):
        (a * a).sum().backward(True)  # (it was read as the gradient 1)
    assert a.grad is None
    with pytest.raises(TypeError, match=r"write backward\(retain_graph=True\)"):
        (Value(2.0) * 2).backward(gradient=False)


def test_a_values_gradient_is_set_to_one_number():
    import numpy as np
    v = Value(1.0)
    v.grad = np.float64(2.5)
    assert v.grad == 2.5
    with pytest.raises(TypeError, match="gradient is one number, not a ndarray"):
        v.grad = np.array([1.0, 2.0])  # (NumPy's "truth value ... is ambiguous")
    v.grad = None
    assert v.grad == 0.0
