"""detect_anomaly: the first NaN or inf raises at once, naming the op and the user's line."""

import inspect

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, Value


def this_line():
    return inspect.currentframe().f_back.f_lineno


def test_forward_log_of_zero_names_log_and_the_line():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(tg.AnomalyError) as info:
        with tg.detect_anomaly():
            line = this_line(); y = (0 * x).log()  # noqa: E702
    message = str(info.value)
    assert "'log'" in message and "inf" in message
    assert f"line {line}" in message and __file__ in message


def test_log_of_zero_times_x_is_named_when_it_meets_backward():
    # Forward is allowed to make -inf here (made before the watch starts); backward is watched.
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = (0 * x).log().sum()
    with pytest.raises(tg.AnomalyError, match="backward of 'log'"):
        with tg.detect_anomaly():
            y.backward()
    assert x.grad is None  # nothing was stored by the refused backward


def test_backward_nan_names_the_op_and_the_line_that_created_it():
    x = Tensor([0.0, 4.0], requires_grad=True)
    with tg.detect_anomaly():
        line = this_line(); y = x.sqrt()  # noqa: E702  (finite forward: sqrt 0 = 0)
        z = y.sum()
        with pytest.raises(tg.AnomalyError) as info:
            z.backward()  # d/dx √x = 1/(2√x) is inf at 0
    message = str(info.value)
    assert "backward of 'sqrt'" in message and "inf" in message
    assert f"line {line}" in message


def test_values_are_watched_too():
    a = Value(0.0)
    with pytest.raises(tg.AnomalyError, match="'log'"):
        with tg.detect_anomaly():
            a.log()


def test_ops_inside_library_functions_name_the_users_line():
    x = Tensor(np.array([[-np.inf, 0.0]]), requires_grad=True)
    with pytest.raises(tg.AnomalyError) as info:
        with tg.detect_anomaly():
            line = this_line(); x.logsumexp(axis=1)  # noqa: E702
    assert f"line {line}" in str(info.value)


def test_finite_computations_pass_and_the_mode_switches_off():
    x = Tensor([1.0, 2.0], requires_grad=True)
    with tg.detect_anomaly():
        (x * x).log().sum().backward()
    np.testing.assert_allclose(x.grad.data, [2.0, 1.0])
    assert (0 * x).log().data[0] == -np.inf  # no watch outside the block
