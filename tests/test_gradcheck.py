"""gradcheck itself: it passes right derivatives and catches wrong ones."""

import numpy as np
import pytest

from tiny_grad import GradcheckError, Tensor, Value, gradcheck


def wrong_square(a):
    """A test-only op: forward a², but a VJP that claims d/da a² = 3a (it is 2a)."""
    return Value._apply("wrong_square", a.data ** 2, (a,), lambda g, a: (g * 3 * a,))


def test_passes_a_correct_derivative():
    assert gradcheck(lambda a, b: a * b + b.exp(), [Value(0.3), Value(-1.2)]) is True


def test_wrong_derivative_is_caught_with_input_and_both_numbers():
    x = Value(0.5, label="x")
    with pytest.raises(GradcheckError) as info:
        gradcheck(lambda a, b: wrong_square(a) + b, [Value(1.0, label="b"), x][::-1])
    message = str(info.value)
    assert "input 0 ('x')" in message
    assert "1.5" in message  # analytic: 3 · 0.5
    assert "0.99999" in message or "1.00000" in message  # numeric: 2 · 0.5


def test_names_the_right_input_when_only_the_second_is_wrong():
    with pytest.raises(GradcheckError, match="input 1"):
        gradcheck(lambda a, b: a * 2 + wrong_square(b), [Value(0.5), Value(0.5)])


def test_names_the_element_of_a_tensor_as_plain_numbers():
    def wrong_at_one_place(x):  # forward x, but a VJP that loses the gradient at [1, 0]
        mask = np.ones(x.shape)
        mask[1, 0] = 0.0
        return Tensor._apply("leaky", x.data.copy(), (x,), lambda g, a: (g * a._constant(mask),))
    with pytest.raises(GradcheckError, match=r"element \(1, 0\):"):
        gradcheck(lambda x: wrong_at_one_place(x).sum(), [Tensor(np.ones((2, 2)), requires_grad=True)])


def test_inputs_are_restored_even_when_fn_fails():
    x = Value(0.25)
    calls = []

    def fn(a):
        calls.append(a.data)
        if len(calls) > 1:
            raise ZeroDivisionError("boom")
        return a * a

    with pytest.raises(ZeroDivisionError):
        gradcheck(fn, [x])
    assert x.data == 0.25


def test_unused_input_has_zero_gradient():
    assert gradcheck(lambda a, b: a * 3, [Value(1.0), Value(2.0)])


def test_single_value_input():
    assert gradcheck(lambda a: a.tanh(), Value(0.4))


def off_by(factor):
    """A test-only op: forward 2a, but a VJP that claims d/da = 2·factor."""
    return lambda a: Value._apply("off", 2 * a.data, (a,), lambda g, a: (g * 2 * factor,))


def test_default_tolerances_catch_a_one_percent_error_and_a_nan():
    with pytest.raises(GradcheckError):
        gradcheck(off_by(1.01), [Value(0.7)])
    with pytest.raises(GradcheckError):
        gradcheck(off_by(float("nan")), [Value(0.7)])
    assert gradcheck(off_by(1.0), [Value(0.7)])


def test_an_input_that_needs_no_gradient_is_used_but_not_checked():
    x = Tensor([0.5, 1.5])  # data: requires_grad=False
    w = Tensor([2.0, -1.0], requires_grad=True, label="w")
    assert gradcheck(lambda x, w: (x * w).exp().sum(), [x, w])

    def wrong_product(x, w):  # x·w, but a VJP that claims d/dw = 3x
        return Tensor._apply("bad", x.data * w.data, (x, w), lambda g, x, w: (None, g * 3 * x))
    with pytest.raises(GradcheckError, match=r"input 1 \('w'\)"):
        gradcheck(lambda x, w: wrong_product(x, w).sum(), [x, w])


def test_a_float32_input_is_checked_in_float64_with_a_warning():
    x = Tensor([0.5, 1.5], dtype=np.float32, requires_grad=True)
    with pytest.warns(UserWarning, match="float32"):
        assert gradcheck(lambda x: (x * x).sum(), [x])


def test_a_value_input_is_named_element_0():
    with pytest.raises(GradcheckError, match="input 0, element 0:"):
        gradcheck(wrong_square, [Value(0.5)])


def test_misuse_says_what_gradcheck_takes():
    import warnings
    from tiny_grad import gradgradcheck
    x = Tensor([1.0, 2.0], requires_grad=True)
    for check in (gradcheck, gradgradcheck):
        for inputs in ([np.ones(2)], [1.0]):  # (AttributeErrors before)
            with pytest.raises(TypeError, match="inputs must be Values or Tensors"):
                check(lambda a: a, inputs)
        for fn in (lambda a: 1.0, lambda a: None):
            with pytest.raises(TypeError, match="what fn returns must be Values or Tensors"):
                check(fn, [x])
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # (eps=0 divided by zero, with a warning)
            for eps in (0, -1e-6):
                with pytest.raises(ValueError, match="eps is the nudge"):
                    check(lambda a: (a * a).sum(), [x], eps=eps)


def test_an_array_given_for_a_tensor_is_called_an_array():
    with pytest.raises(TypeError, match=r"not a NumPy array: wrap it as Tensor\(array"):
        gradcheck(lambda a: a, np.array([1.0, 2.0]))  # (it said "not float64")
