"""In-place updates: the SGD step written by hand trains, and never gives a wrong gradient.

`p -= lr * p.grad` under no_grad() must change p's own array (the model's weights move);
with gradients on, a leaf that requires grad refuses; a tensor changed after an op saved it
makes backward raise instead of using the new numbers. Where PyTorch is installed, each case
is run there too, and both must agree (values, or that both raise).
"""

import math

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor

try:
    import torch
except ImportError:  # the comparisons below skip; every tiny_grad assertion still runs
    torch = None


def both(scenario):
    """Run scenario(lib) with lib = tiny_grad, and with torch where installed; return results."""
    results = [scenario(tg)]
    if torch is not None:
        results.append(scenario(torch))
    return results


def outcome(run):
    """'raises RuntimeError' or the value run() returns (as a list of floats)."""
    try:
        value = run()
    except RuntimeError:
        return "raises RuntimeError"
    return np.asarray(value.detach().numpy() if hasattr(value, "detach") else value,
                      dtype=float).round(5).tolist()


def _list(t):
    """t's numbers as nested lists of floats, rounded (torch's float32 beside our float64)."""
    return np.asarray(t.numpy(), dtype=float).round(5).tolist()


# ---- the hand-written SGD step trains ------------------------------------------------------

@pytest.mark.parametrize("forget", ["set to None", "zero_()"])
def test_the_polynomial_fit_of_pytorchs_tutorial_trains_with_p_minus_equals(forget):
    """y = a + b x + c x² + d x³ fitted to sin x on [-π, π], as PyTorch's autograd tutorial."""
    x = tg.linspace(-math.pi, math.pi, 2000)
    y = tg.sin(x)
    a, b, c, d = (tg.tensor(v, requires_grad=True) for v in (0.3, -0.2, 0.1, 0.05))
    ids = [id(p) for p in (a, b, c, d)]
    learning_rate = 1e-6
    first = None
    for t in range(2000):
        y_pred = a + b * x + c * x ** 2 + d * x ** 3
        loss = (y_pred - y).pow(2).sum()
        first = loss.item() if first is None else first
        loss.backward()
        with tg.no_grad():
            for p in (a, b, c, d):
                p -= learning_rate * p.grad
                if forget == "set to None":
                    p.grad = None
                else:
                    p.grad.zero_()
    assert [id(p) for p in (a, b, c, d)] == ids  # the same tensors, changed in place
    assert loss.item() < first / 100, (first, loss.item())
    assert abs(b.item() - 0.85) < 0.05 and abs(d.item() + 0.09) < 0.02  # sin x ≈ 0.85x − 0.09x³


def test_a_hand_written_step_moves_the_models_own_weights():
    tg.manual_seed(0)
    model = tg.nn.Sequential(tg.nn.Linear(3, 4), tg.nn.ReLU(), tg.nn.Linear(4, 1))
    x, y = Tensor(np.random.default_rng(1).normal(size=(16, 3))), Tensor(np.ones((16, 1)))
    before = [p.data.copy() for p in model.parameters()]
    losses = []
    for _ in range(30):
        loss = ((model(x) - y) ** 2).mean()
        losses.append(loss.item())
        model.zero_grad()
        loss.backward()
        with tg.no_grad():
            for p in model.parameters():
                p -= 0.1 * p.grad
    assert all(not np.array_equal(b, p.data) for b, p in zip(before, model.parameters()))
    assert losses[-1] < losses[0] / 2


def test_an_update_keeps_the_same_object_array_and_dtype():
    p = Tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    array = p.data
    with tg.no_grad():
        p -= 0.5 * Tensor([1.0, 1.0])  # a float64 step into a float32 parameter
        p *= 2
        p += 1
        p /= 2
    assert p.data is array and p.dtype == np.float32 and p.is_leaf and p.requires_grad
    np.testing.assert_allclose(p.data, [1.0, 2.0])


# ---- with gradients on, a leaf that requires grad refuses ------------------------------------

@pytest.mark.parametrize("update", [
    lambda p: p.__isub__(0.1 * p.detach()), lambda p: p.add_(1.0), lambda p: p.zero_(),
    lambda p: p.mul_(2.0), lambda p: p.copy_(p.detach() * 2), lambda p: p.clamp_(0, 1),
    lambda p: p.fill_(3.0), lambda p: p.div_(2.0), lambda p: p.sub_(1.0)],
    ids=["-=", "add_", "zero_", "mul_", "copy_", "clamp_", "fill_", "div_", "sub_"])
def test_an_in_place_change_of_a_leaf_that_requires_grad_is_refused_outside_no_grad(update):
    def scenario(lib):
        p = lib.tensor([1.0, 2.0], requires_grad=True)
        return outcome(lambda: update(p))
    results = both(scenario)
    assert results[0] == "raises RuntimeError"
    assert len(set(map(str, results))) == 1
    p = Tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"no_grad\(\).*p -= lr \* p.grad"):
        p -= 0.1
    np.testing.assert_array_equal(p.data, [1.0, 2.0])  # the refusal changed nothing


# ---- a change to what backward needs makes backward raise ------------------------------------

def _data_changed_after_use(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    x = lib.tensor([3.0, 4.0])
    loss = (w * x).sum()
    x += 1  # data: it needs no gradient, so this is allowed, but w's gradient needs the old x
    return outcome(lambda: (loss.backward(), w.grad)[1])


def _parameter_stepped_before_backward(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    x = lib.tensor([3.0, 4.0], requires_grad=True)
    loss = (w * x).sum()
    with lib.no_grad():
        w -= 0.1  # x's gradient is w: backward would read the stepped w
    return outcome(lambda: (loss.backward(), x.grad)[1])


def _a_view_changed(lib):
    w = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    x = lib.tensor([[1.0, 0.0], [0.5, 2.0]])
    xt = x.t()  # a view of x's memory
    loss = (w * xt).sum()
    x.mul_(3)  # changed through x: xt sees it
    return outcome(lambda: (loss.backward(), w.grad)[1])


def _exp_output_changed(lib):
    x = lib.tensor([0.5, 1.0], requires_grad=True)
    y = x.exp()  # d/dx e^x = e^x: PyTorch keeps y for backward
    with lib.no_grad():
        y += 1
    return outcome(lambda: (y.sum().backward(), x.grad)[1])


def _an_optimizer_step_in_between(lib):
    w = lib.tensor([1.0, 2.0], requires_grad=True)
    x = lib.tensor([3.0, 4.0], requires_grad=True)
    optimizer = lib.optim.SGD([w], lr=0.1)
    first = (w * w).sum()
    second = (w * x).sum()
    first.backward()
    optimizer.step()  # changes w in place; `second` saved the old w for x's gradient
    return outcome(lambda: (second.backward(), x.grad)[1])


@pytest.mark.parametrize("scenario", [_data_changed_after_use, _parameter_stepped_before_backward,
                                      _a_view_changed, _exp_output_changed,
                                      _an_optimizer_step_in_between],
                         ids=lambda f: f.__name__.strip("_"))
def test_backward_through_numbers_changed_in_place_raises_as_in_pytorch(scenario):
    results = both(scenario)
    assert results[0] == "raises RuntimeError", results[0]
    assert len(set(map(str, results))) == 1, results


def test_the_message_names_the_op_and_the_input_and_nothing_is_lost():
    w = Tensor([1.0, 2.0], requires_grad=True)
    x = Tensor([3.0, 4.0])
    loss = (w * x).sum()
    with tg.no_grad():
        x.add_(1)
    with pytest.raises(RuntimeError, match=r"in-place.*input 1 \(shape \(2,\)\).*'\*'.*clone"):
        loss.backward()
    assert w.grad is None  # nothing was stored: the refused backward changed nothing


def test_changes_after_backward_are_fine_and_the_next_graph_uses_the_new_numbers():
    w = Tensor([1.0, 2.0], requires_grad=True)
    for step in range(3):
        loss = (w * w).sum()
        loss.backward()
        with tg.no_grad():
            w -= 0.25 * w.grad
        w.grad = None
    np.testing.assert_allclose(w.data, np.array([1.0, 2.0]) * 0.5 ** 3)


# ---- in a graph, an in-place op records itself, as in PyTorch ---------------------------------

@pytest.mark.parametrize("change", [
    lambda h, w: h.__iadd__(1.0), lambda h, w: h.__imul__(w), lambda h, w: h.__isub__(w * 2),
    lambda h, w: h.__itruediv__(w + 3), lambda h, w: h.clamp_(0.0, 2.5),
    lambda h, w: h.add_(w, alpha=0.5), lambda h, w: h.zero_(), lambda h, w: h.copy_(w * 3)],
    ids=["+= 1", "*= w", "-= 2w", "/= (w + 3)", "clamp_", "add_(alpha)", "zero_", "copy_"])
def test_an_in_place_op_on_a_result_in_a_graph_gives_pytorchs_gradients(change):
    def scenario(lib):
        a = lib.tensor([0.5, 1.5, -1.0], requires_grad=True)
        w = lib.tensor([2.0, -1.0, 0.5], requires_grad=True)
        h = a * 2
        h = change(h, w)
        (h * h).sum().backward()
        return [_list(h.detach()), _list(a.grad), _list(w.grad) if w.grad is not None else None]
    results = both(scenario)
    if len(results) == 2:
        ours, theirs = results
        assert ours[0] == theirs[0] and ours[1] == theirs[1]
        assert ours[2] == theirs[2] or (ours[2] is None and theirs[2] == [0.0] * 3)


def test_an_in_place_op_on_data_with_a_tensor_that_requires_grad_joins_the_graph():
    w = Tensor([1.0, 2.0], requires_grad=True)
    total = tg.zeros(2)
    for _ in range(3):
        total += w * w  # total starts as data, then becomes a result in the graph
    total.sum().backward()
    np.testing.assert_allclose(w.grad.data, [6.0, 12.0])


# ---- what does not fit says so ---------------------------------------------------------------

def test_an_int_tensor_keeps_its_dtype_and_refuses_a_float_result():
    def scenario(lib):
        counts = lib.tensor([1, 2, 3])
        counts += 2
        return outcome(lambda: counts.__iadd__(0.5)), counts.tolist(), str(counts.dtype)
    results = both(scenario)
    assert results[0][0] == "raises RuntimeError" and results[0][1] == [3, 4, 5]
    assert results[0][2] == "int64"
    if len(results) == 2:
        assert results[1][:2] == results[0][:2]


def test_an_in_place_result_must_keep_the_tensors_shape():
    x = tg.zeros(3)
    with pytest.raises(ValueError, match=r"does not fit the tensor of shape \(3,\)"):
        x += tg.ones(2, 3)
    assert x.shape == (3,)


def test_setitem_writes_under_no_grad_and_on_data_and_refuses_in_a_graph():
    x = Tensor([[1.0, -2.0], [-3.0, 4.0]])
    x[x < 0] = 0.0
    x[0, 1] = 7
    np.testing.assert_array_equal(x.data, [[1.0, 7.0], [0.0, 4.0]])
    w = Tensor([1.0, 2.0], requires_grad=True)
    with tg.no_grad():
        w[0] = 5.0
    assert w.data.tolist() == [5.0, 2.0]
    with pytest.raises(RuntimeError, match="no_grad"):
        w[1] = 0.0
    h = w * 2
    with pytest.raises(RuntimeError, match=r"tg.where"):
        h[0] = 1.0


def test_requires_grad_underscore_needs_a_floating_leaf():
    x = tg.tensor([1.0, 2.0])
    assert x.requires_grad_() is x and x.requires_grad
    with pytest.raises(RuntimeError, match="floating-point.*float"):
        tg.tensor([1, 2]).requires_grad_()
    with pytest.raises(RuntimeError, match="leaf"):
        (x * 2).requires_grad_(False)
    with pytest.raises(RuntimeError, match="floating-point"):
        tg.tensor([1, 2], requires_grad=True)


def test_fill_copy_clamp_zero_and_friends_match_pytorch_under_no_grad():
    def scenario(lib):
        x = lib.tensor([[1.0, -2.0, 3.0], [0.5, 4.0, -6.0]])
        out = []
        for change in (lambda t: t.add_(lib.tensor([1.0, 2.0, 3.0]), alpha=2),
                       lambda t: t.sub_(0.5), lambda t: t.mul_(lib.tensor([[2.0], [-1.0]])),
                       lambda t: t.div_(4), lambda t: t.clamp_(min=-1.0),
                       lambda t: t.clamp_(max=1.0), lambda t: t.copy_(lib.tensor([9.0, 8.0, 7.0])),
                       lambda t: t.fill_(2.5), lambda t: t.zero_()):
            with lib.no_grad():
                assert change(x) is x
            out.append(_list(x))
        return out
    results = both(scenario)
    assert results[0][-1] == [[0.0] * 3] * 2 and results[0][-2] == [[2.5] * 3] * 2
    if len(results) == 2:
        assert results[0] == results[1]
