"""optim: SGD and Adam follow PyTorch's update rules, step for step.

Each optimizer minimises loss = Σ (w − target)² (so grad = 2·(w − target)) for three
steps, and is compared with the same rule written out in plain Python floats, one
number at a time. A few trajectories are also worked out by hand, as literal numbers,
so that a misreading shared by the code and the reference would still be caught.
"""

import math

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, nn
from tiny_grad.optim import SGD, Adam, Optimizer

W0 = [1.0, -2.0, 0.5]
TARGET = [0.3, 0.7, -1.1]


def run(make_optimizer, steps=3, w0=W0, target=TARGET, dtype=None):
    """Minimise Σ (w − target)² with tiny_grad; return w after each step."""
    w = Tensor(w0, requires_grad=True, dtype=dtype)
    optimizer = make_optimizer([w])
    history = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = ((w - Tensor(target, dtype=dtype)) ** 2).sum()
        loss.backward()
        optimizer.step()
        history.append(w.data.copy())
    return history


def sgd_by_hand(lr, momentum=0.0, dampening=0.0, weight_decay=0.0, nesterov=False, steps=3):
    """PyTorch's SGD in plain floats, one number at a time."""
    w, buf, history = list(W0), [None] * len(W0), []
    for _ in range(steps):
        for i in range(len(w)):
            g = 2 * (w[i] - TARGET[i]) + weight_decay * w[i]
            if momentum:
                buf[i] = g if buf[i] is None else momentum * buf[i] + (1 - dampening) * g
                g = g + momentum * buf[i] if nesterov else buf[i]
            w[i] = w[i] - lr * g
        history.append(list(w))
    return history


def adam_by_hand(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0, steps=3):
    """PyTorch's Adam in plain floats, one number at a time."""
    b1, b2 = betas
    w, m, v, history = list(W0), [0.0] * len(W0), [0.0] * len(W0), []
    for t in range(1, steps + 1):
        for i in range(len(w)):
            g = 2 * (w[i] - TARGET[i]) + weight_decay * w[i]
            m[i] = b1 * m[i] + (1 - b1) * g
            v[i] = b2 * v[i] + (1 - b2) * g * g
            m_hat = m[i] / (1 - b1 ** t)
            v_hat = v[i] / (1 - b2 ** t)
            w[i] = w[i] - lr * m_hat / (math.sqrt(v_hat) + eps)
        history.append(list(w))
    return history


def assert_same_path(got, expected):
    assert len(got) == len(expected)
    for step, (g, e) in enumerate(zip(got, expected), start=1):
        np.testing.assert_allclose(g, e, rtol=0, atol=1e-12, err_msg=f"after step {step}")


SGD_SETTINGS = [
    dict(lr=0.1),
    dict(lr=0.1, momentum=0.9),
    dict(lr=0.1, momentum=0.9, dampening=0.5),
    dict(lr=0.1, momentum=0.9, nesterov=True),
    dict(lr=0.1, weight_decay=0.3),
    dict(lr=0.05, momentum=0.8, weight_decay=0.3),
    dict(lr=0.05, momentum=0.8, dampening=0.2, weight_decay=0.3),
    dict(lr=0.05, momentum=0.8, weight_decay=0.3, nesterov=True),
]


@pytest.mark.parametrize("settings", SGD_SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()))
def test_sgd_matches_the_rule_written_in_floats(settings):
    assert_same_path(run(lambda params: SGD(params, **settings)), sgd_by_hand(**settings))


ADAM_SETTINGS = [
    dict(),
    dict(lr=0.1),
    dict(lr=0.1, weight_decay=0.3),
    dict(lr=0.05, betas=(0.5, 0.9), eps=1e-3, weight_decay=0.1),
]


@pytest.mark.parametrize("settings", ADAM_SETTINGS, ids=lambda s: ",".join(f"{k}={v}" for k, v in s.items()) or "defaults")
def test_adam_matches_the_rule_written_in_floats(settings):
    assert_same_path(run(lambda params: Adam(params, **settings)), adam_by_hand(**settings))


# w = 1, target 0, so grad = 2w; lr = 0.1. Worked out with pencil and paper.
BY_HAND = [
    (dict(), [0.8, 0.64, 0.512]),
    # buf: 2 -> 0.9·2 + 1.6 = 3.4 -> 0.9·3.4 + 0.92 = 3.98
    (dict(momentum=0.9), [0.8, 0.46, 0.062]),
    # the first step takes buf = g undamped; then buf: 2 -> 1.8 + 0.5·1.6 = 2.6 -> 2.34 + 0.54 = 2.88
    (dict(momentum=0.9, dampening=0.5), [0.8, 0.54, 0.252]),
    # g + 0.9·buf: 2 + 1.8 = 3.8 -> 1.24 + 0.9·3.04 = 3.976 -> 0.4448 + 0.9·3.1808 = 3.30752
    (dict(momentum=0.9, nesterov=True), [0.62, 0.2224, -0.108352]),
    # g = 2w + 0.5w = 2.5w, so w shrinks by 1 − 0.25 each step
    (dict(weight_decay=0.5), [0.75, 0.5625, 0.421875]),
]


@pytest.mark.parametrize("settings, expected", BY_HAND)
def test_sgd_numbers_worked_out_by_hand(settings, expected):
    path = run(lambda params: SGD(params, lr=0.1, **settings), w0=[1.0], target=[0.0])
    assert [w[0] for w in path] == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("settings, expected", BY_HAND)
def test_a_0d_parameter_follows_the_same_numbers(settings, expected):
    # The numbers of a 0-d result (here every gradient) used to be a NumPy number instead of
    # an array, so the momentum buffer, "updated in place", kept its first value for ever.
    w = Tensor(1.0, requires_grad=True)
    optimizer = SGD([w], lr=0.1, **settings)
    path = []
    for _ in range(3):
        optimizer.zero_grad()
        (w * w).backward()  # grad = 2w, as in the table
        optimizer.step()
        path.append(float(w.data))
    assert path == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize("make", [SGD, Adam])
def test_a_parameter_made_from_a_0d_result_is_updated(make):
    w = (Tensor(2.0) * 3.0).detach()  # an op's 0-d result, made a parameter
    w.requires_grad = True
    (w * w).backward()
    make([w], lr=0.1).step()
    assert float(w.data) == pytest.approx(4.8 if make is SGD else 5.9)


def test_adam_first_step_moves_every_parameter_by_about_lr():
    # m̂ = g and v̂ = g² on step 1, so the step is lr·g/(|g| + ε): lr against the sign of g,
    # whatever the size of g.
    w = run(lambda params: Adam(params, lr=0.1), steps=1, w0=[5.0, -0.001], target=[0.0, 0.0])[0]
    np.testing.assert_allclose(w, [4.9, 0.099], atol=1e-6)


@pytest.mark.parametrize("make", [
    lambda params: SGD(params, lr=0.1, momentum=0.9, weight_decay=0.1, nesterov=True),
    lambda params: SGD(params, lr=0.1, momentum=0.9, dampening=0.1),
    lambda params: Adam(params, lr=0.1, weight_decay=0.1),
])
def test_float32_parameters_stay_float32_and_are_updated_in_place(make):
    w = Tensor(W0, requires_grad=True, dtype=np.float32)
    array = w.data
    optimizer = make([w])
    for _ in range(3):
        optimizer.zero_grad()
        ((w - Tensor(TARGET, dtype=np.float32)) ** 2).sum().backward()
        optimizer.step()
    assert w.data is array and w.dtype == np.float32
    state = [v for s in optimizer.state.values() for v in s.values() if isinstance(v, np.ndarray)]
    assert state and all(s.dtype == np.float32 for s in state)
    float64_path = run(make)
    np.testing.assert_allclose(w.data, float64_path[-1], rtol=1e-5)


@pytest.mark.parametrize("make, first_step", [
    (lambda params: SGD(params, lr=0.1, momentum=0.9), lambda g: 0.1 * g),
    (lambda params: Adam(params, lr=0.1), lambda g: 0.1 * g / (np.abs(g) + 1e-8)),
])
def test_parameters_without_grad_are_skipped_and_their_state_kept(make, first_step):
    used, unused = Tensor([1.0, 2.0], requires_grad=True), Tensor([3.0, -4.0], requires_grad=True)
    optimizer = make([used, unused])
    for _ in range(2):  # `unused` is not in the loss: its grad stays None
        optimizer.zero_grad()
        (used * used).sum().backward()
        optimizer.step()
    np.testing.assert_array_equal(unused.data, [3.0, -4.0])
    # Now it takes part: its update is a *first* step, as if the optimizer had just met it.
    optimizer.zero_grad()
    (unused * unused).sum().backward()
    before, used_before = unused.data.copy(), used.data.copy()
    optimizer.step()
    np.testing.assert_allclose(unused.data, before - first_step(2 * before), rtol=0, atol=1e-12)
    np.testing.assert_array_equal(used.data, used_before)  # its grad is None this time


def test_fixed_gradients_set_by_hand_on_a_tiny_linear_model():
    # Any source of .grad works: here the gradients are set directly, not by backward.
    layer = nn.Linear(2, 1)
    layer.load_state_dict({"weight": [[0.5, -0.5]], "bias": [0.1]})
    optimizer = SGD(layer.parameters(), lr=0.5, momentum=0.5)
    for _ in range(3):
        layer.weight.grad = Tensor([[1.0, -2.0]])
        layer.bias.grad = Tensor([4.0])
        optimizer.step()
    # buf: g -> 1.5·g -> 1.75·g, so w moves by 0.5·(1 + 1.5 + 1.75)·g = 2.125·g
    np.testing.assert_allclose(layer.weight.data, [[0.5 - 2.125, -0.5 + 4.25]], atol=1e-12)
    np.testing.assert_allclose(layer.bias.data, [0.1 - 8.5], atol=1e-12)


def test_a_gradient_set_by_hand_must_fit_its_parameter():
    # The check happens at the assignment, the line with the mistake, not later in step().
    w = Tensor(np.zeros((2, 3)), requires_grad=True, dtype=np.float32, label="w")
    with pytest.raises(ValueError, match=r"shape \(3, 2\).*shape \(2, 3\).*\(w\)"):
        w.grad = np.ones((3, 2))
    assert w.grad is None  # nothing was stored
    w.grad = np.ones((2, 3))  # float64 numbers become a float32 gradient
    assert w.grad.dtype == np.float32
    SGD([w], lr=0.5).step()
    assert w.data.dtype == np.float32
    np.testing.assert_array_equal(w.data, np.full((2, 3), -0.5, np.float32))


def test_zero_grad_and_parameters_from_a_module():
    model = nn.MLP(2, [3, 1])
    optimizer = SGD(model.parameters(), lr=0.1)
    assert len(optimizer.params) == 4
    model(Tensor(np.ones((2, 2)))).sum().backward()
    optimizer.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_loading_a_state_dict_keeps_the_optimizer_connected():
    model, other = nn.Linear(2, 1), nn.Linear(2, 1)
    optimizer = SGD(model.parameters(), lr=1.0)
    model.load_state_dict(other.state_dict())
    model.weight.grad = Tensor([[1.0, 1.0]])
    optimizer.step()
    np.testing.assert_allclose(model.weight.data, other.weight.data - 1.0)


@pytest.mark.parametrize("make, message", [
    (lambda p: SGD(p, lr=-0.1), "learning rate"),
    (lambda p: SGD(p, lr=0.1, momentum=-0.5), "momentum"),
    (lambda p: SGD(p, lr=0.1, weight_decay=-1e-4), "weight_decay"),
    (lambda p: SGD(p, lr=0.1, nesterov=True), "nesterov"),
    (lambda p: SGD(p, lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "dampening"),
    (lambda p: SGD(p, lr=float("nan")), "learning rate"),
    (lambda p: Adam(p, lr=-1.0), "learning rate"),
    (lambda p: Adam(p, betas=(1.0, 0.999)), "β1"),
    (lambda p: Adam(p, betas=(0.9, -0.1)), "β2"),
    (lambda p: Adam(p, betas=(0.9,)), "pair"),
    (lambda p: Adam(p, betas=0.9), "pair"),
    (lambda p: Adam(p, eps=-1e-8), "eps"),
    (lambda p: Adam(p, weight_decay=-0.1), "weight_decay"),
    (lambda p: SGD([], lr=0.1), "empty"),
    (lambda p: Adam(iter([]), lr=0.1), "empty"),
    (lambda p: SGD(p + p, lr=0.1), "twice"),
    (lambda p: SGD([p[0] * 2.0], lr=0.1), r"parameter 0 is the result of an operation \('\*'\)"),
])
def test_invalid_settings_raise_valueerror_with_the_reason(make, message):
    with pytest.raises(ValueError, match=message):
        make([Tensor([1.0], requires_grad=True)])


def test_edge_settings_are_allowed():
    p = [Tensor([1.0], requires_grad=True)]
    SGD(p, lr=0.0)
    Adam(p, lr=0.0, betas=(0.0, 0.0), eps=0.0)


def test_not_tensors_raise_typeerror():
    with pytest.raises(TypeError, match="single Tensor"):
        SGD(Tensor([1.0], requires_grad=True), lr=0.1)
    with pytest.raises(TypeError, match="parameter 0"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(NotImplementedError):
        Optimizer([Tensor([1.0])]).step()


def test_repr_shows_settings():
    p = [Tensor([1.0], requires_grad=True)]
    assert repr(SGD(p, lr=0.1, momentum=0.9)) == \
        "SGD(lr=0.1, momentum=0.9, dampening=0.0, weight_decay=0.0, nesterov=False)"
    assert repr(Adam(p)) == "Adam(lr=0.001, betas=(0.9, 0.999), eps=1e-08, weight_decay=0.0, amsgrad=False)"


@pytest.mark.parametrize("make", [lambda p: SGD(p, lr=0.1, momentum=0.9), lambda p: Adam(p, lr=0.1)])
def test_a_training_loop_fits_a_line(make):
    x = np.linspace(-1, 1, 20).reshape(-1, 1)
    y = Tensor(3 * x - 0.5)
    tg.manual_seed(0)
    model = nn.Linear(1, 1)
    optimizer = make(model.parameters())
    for _ in range(300):
        optimizer.zero_grad()
        loss = ((model(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()
    assert loss.item() < 1e-6
    np.testing.assert_allclose([model.weight.item(), model.bias.item()], [3.0, -0.5], atol=1e-3)


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1), lambda ps: SGD(ps, lr=0.1, momentum=0.9),
                                  lambda ps: Adam(ps, lr=0.1)], ids=["sgd", "momentum", "adam"])
def test_a_refused_step_changes_no_parameter_and_no_state(make):
    a = Tensor(np.ones((2, 2)), requires_grad=True, label="a")
    b = Tensor(np.ones(3), requires_grad=True, label="b")
    opt = make([a, b])
    a.grad, b.grad = np.ones((2, 2)), np.ones(3)
    opt.step()  # (a first step, so momentum and Adam have state to lose)
    before = [a.data.copy(), b.data.copy()]
    state = [np.copy(x) for x in vars(opt).get("momentum_buffers", []) + vars(opt).get("m", [])]
    for bad in (np.ones(4), np.ones(2)):  # (2,) would broadcast over a's rows without a word
        a.grad, b.grad = np.ones((2, 2)), np.ones(3)
        (b if bad.size == 4 else a).grad.data = bad
        with pytest.raises(ValueError, match=r"parameter \d \((a|b)\) has shape .* no parameter"):
            opt.step()
        np.testing.assert_array_equal(a.data, before[0])
        np.testing.assert_array_equal(b.data, before[1])
        after = [np.copy(x) for x in vars(opt).get("momentum_buffers", []) + vars(opt).get("m", [])]
        assert all(np.array_equal(x, y) for x, y in zip(state, after))
        assert vars(opt).get("steps", [1, 1]) == [1, 1]


def test_steps_that_overflow_or_divide_by_zero_print_no_warning():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        w = Tensor(np.ones(2), requires_grad=True)
        opt = Adam([w], eps=0.0)
        w.grad = np.zeros(2)
        opt.step()  # 0/0 = nan, as in PyTorch
        assert np.isnan(w.data).all()
        v = Tensor([1e300], requires_grad=True)
        v.grad = np.array([-1e300])
        SGD([v], lr=1e10).step()  # lr·g overflows to -inf
        assert v.data[0] == np.inf


def test_an_optimizer_given_a_model_or_a_dict_or_odd_settings_says_what_it_takes():
    model = nn.Linear(2, 1)
    for params in (model, {"w": model.weight}):
        with pytest.raises(TypeError, match=r"write model.parameters\(\) for a model"):
            SGD(params, lr=0.1)
    for make in (lambda: SGD(model.parameters(), lr=None), lambda: Adam(model.parameters(),
                                                                       lr=Tensor(1.0))):
        with pytest.raises(TypeError, match="lr is a number, not"):
            make()
    assert SGD(model.parameters(), lr=np.float64(0.1)).lr == 0.1  # NumPy numbers are numbers
