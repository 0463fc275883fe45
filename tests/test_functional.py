"""Losses and softmax: the five pieces of cross-entropy, closed-form gradients, extreme inputs."""

import subprocess
import sys
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tiny_grad as tg
from tiny_grad import Tensor, gradcheck, gradgradcheck
from tiny_grad import functional as F


def logits_and_labels(n=5, c=4, seed=0):
    rng = np.random.default_rng(seed)
    return Tensor(rng.normal(size=(n, c)) * 2, requires_grad=True), rng.integers(0, c, size=n)


def no_warnings(fn):
    """Run fn and assert NumPy printed no RuntimeWarning (default warning filters kept)."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = fn()
    assert [str(w.message) for w in caught] == []
    return result


# ---- the five pieces ---------------------------------------------------------------------------

def test_cross_entropy_built_from_the_five_pieces_equals_the_library():
    logits, labels = logits_and_labels()
    p = F.softmax(logits)                  # 1. a probability distribution
    log_p = p.log()                        # 2. the natural logarithm
    t = tg.one_hot(labels, 4)              # 3. the training data (the answer)
    summed = (t * log_p).sum(axis=1)       # 4. a sum over the classes
    by_hand = -summed.mean()               # 5. a minus sign (and a mean over examples)
    (g_hand,) = tg.grad(by_hand, [logits])

    library = F.cross_entropy(logits, labels)
    (g_lib,) = tg.grad(library, [logits])
    assert by_hand.item() == pytest.approx(library.item(), rel=1e-12)
    np.testing.assert_allclose(g_hand.data, g_lib.data, rtol=1e-10, atol=1e-14)


def test_cross_entropy_is_nll_of_log_softmax():
    logits, labels = logits_and_labels(seed=1)
    for reduction in ("mean", "sum", "none"):
        a = F.cross_entropy(logits, labels, reduction=reduction)
        b = F.nll_loss(F.log_softmax(logits), labels, reduction=reduction)
        np.testing.assert_array_equal(a.data, b.data)


def test_gradient_of_cross_entropy_is_softmax_minus_one_hot_over_n():
    logits, labels = logits_and_labels(n=6, c=3, seed=2)
    F.cross_entropy(logits, labels).backward()
    expected = (F.softmax(logits).data - np.eye(3)[labels]) / 6
    np.testing.assert_allclose(logits.grad.data, expected, atol=1e-15)


def test_softmax_is_a_distribution_and_log_softmax_its_log():
    x = Tensor([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    p = F.softmax(x)
    np.testing.assert_allclose(p.data.sum(axis=1), 1.0)
    np.testing.assert_allclose(p.data[1], 1 / 3)
    np.testing.assert_allclose(F.log_softmax(x).data, np.log(p.data))
    e = np.exp([1.0, 2.0, 3.0])
    np.testing.assert_allclose(p.data[0], e / e.sum())
    np.testing.assert_allclose(F.softmax(x, axis=0).data.sum(axis=0), 1.0)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 4), c=st.integers(2, 5), seed=st.integers(0, 10_000),
       smoothing=st.sampled_from([0.0, 0.1, 0.5]),
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_cross_entropy_passes_gradcheck(n, c, seed, smoothing, reduction):
    logits, labels = logits_and_labels(n, c, seed)
    assert gradcheck(lambda x: F.cross_entropy(x, labels, reduction, smoothing), [logits])
    probs = np.random.default_rng(seed).dirichlet(np.ones(c), size=n)
    assert gradcheck(lambda x: F.cross_entropy(x, probs, reduction, smoothing), [logits])


@pytest.mark.parametrize("name, fn", [
    ("softmax", lambda x: F.softmax(x, axis=1)),
    ("log_softmax", lambda x: F.log_softmax(x, axis=0)),
    ("logsumexp", lambda x: F.logsumexp(x, axis=1)),
    ("nll_loss", lambda x: F.nll_loss(x, [1, 0, 3])),
    ("mse_loss", lambda x: F.mse_loss(x, np.ones((3, 4)))),
    ("l1_loss", lambda x: F.l1_loss(x, np.full((3, 4), 5.0))),
    ("binary_cross_entropy", lambda x: F.binary_cross_entropy(x.sigmoid(), np.eye(3, 4))),
    ("bce_with_logits", lambda x: F.binary_cross_entropy_with_logits(x, np.eye(3, 4))),
    ("bce_with_logits pos_weight",
     lambda x: F.binary_cross_entropy_with_logits(x, np.eye(3, 4), pos_weight=np.arange(1.0, 5.0))),
])
def test_every_function_passes_gradcheck_and_gradgradcheck(name, fn):
    x = Tensor(np.random.default_rng(3).normal(size=(3, 4)), requires_grad=True)
    assert gradcheck(fn, [x])
    if name not in ("nll_loss", "l1_loss"):  # those are linear (or piecewise linear) in x
        assert gradgradcheck(fn, [x])


def test_closed_form_gradients_of_the_regression_and_binary_losses():
    rng = np.random.default_rng(4)
    x = Tensor(rng.normal(size=(2, 3)), requires_grad=True)
    t = rng.normal(size=(2, 3))
    F.mse_loss(x, t).backward()
    np.testing.assert_allclose(x.grad.data, 2 * (x.data - t) / 6)
    x.grad = None
    F.l1_loss(x, t).backward()
    np.testing.assert_allclose(x.grad.data, np.sign(x.data - t) / 6)
    x.grad = None
    labels = (t > 0).astype(float)
    F.binary_cross_entropy_with_logits(x, labels).backward()
    np.testing.assert_allclose(x.grad.data, (1 / (1 + np.exp(-x.data)) - labels) / 6)
    p = Tensor(rng.uniform(0.1, 0.9, size=(2, 3)), requires_grad=True)
    F.binary_cross_entropy(p, labels, reduction="sum").backward()
    np.testing.assert_allclose(p.grad.data, (p.data - labels) / (p.data * (1 - p.data)))


def test_the_fused_bce_equals_the_composite_formula_where_that_is_finite():
    rng = np.random.default_rng(5)
    p = Tensor(rng.uniform(0.01, 0.99, size=(4, 3)), requires_grad=True)
    t = Tensor(rng.uniform(0, 1, size=(4, 3)), requires_grad=True)
    fused = F.binary_cross_entropy(p, t)
    composite = -(t * p.log() + (1 - t) * (1 - p).log()).mean()
    g_fused = tg.grad(fused, [p, t])
    g_composite = tg.grad(composite, [p, t])
    assert fused.item() == pytest.approx(composite.item(), rel=1e-12)
    for a, b in zip(g_fused, g_composite):
        np.testing.assert_allclose(a.data, b.data, rtol=1e-10)


def test_bce_at_zero_and_one_is_finite_like_pytorch():
    p = Tensor([0.0, 1.0, 0.0, 1.0], requires_grad=True)
    t = Tensor([1.0, 0.0, 0.0, 1.0])
    loss = no_warnings(lambda: F.binary_cross_entropy(p, t, reduction="none"))
    np.testing.assert_array_equal(loss.data, [100.0, 100.0, 0.0, 0.0])  # log clamped at -100
    loss.sum().backward()
    big = 1 / float(np.float32(1e-12))  # the denominator is clamped at 1e-12 (as a float32)
    np.testing.assert_allclose(p.grad.data, [-big, big, 0.0, 0.0], rtol=1e-15)


def test_extreme_logits_are_finite_without_warnings():
    logits = Tensor([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0]], requires_grad=True)

    def run():
        loss = F.cross_entropy(logits, [1, 2])
        loss.backward()
        return loss

    loss = no_warnings(run)
    assert loss.item() == pytest.approx((2000.0 + np.log(3)) / 2)
    assert np.isfinite(logits.grad.data).all()
    np.testing.assert_allclose(logits.grad.data[0], [0.5, -0.5, 0.0], atol=1e-12)
    x = Tensor([[1000.0, -1000.0]], requires_grad=True)
    no_warnings(lambda: F.binary_cross_entropy_with_logits(x, np.array([[0.0, 1.0]])).backward())
    assert np.isfinite(x.grad.data).all()
    p = no_warnings(lambda: F.softmax(Tensor([1000.0, 0.0])))
    np.testing.assert_array_equal(p.data, [1.0, 0.0])


def test_a_non_target_logit_of_minus_inf_keeps_cross_entropy_finite():
    logits = Tensor([[-np.inf, 1.0, 2.0]], requires_grad=True)
    loss = no_warnings(lambda: F.cross_entropy(logits, [2]))
    loss.backward()
    assert np.isfinite(loss.item())
    assert np.isfinite(logits.grad.data).all()
    assert logits.grad.data[0, 0] == 0.0


def test_no_warning_reaches_a_learners_terminal():
    code = (
        "import numpy as np, tiny_grad as tg\n"
        "from tiny_grad import functional as F\n"
        "x = tg.Tensor([[1000., -1000., -np.inf]], requires_grad=True)\n"
        "F.cross_entropy(x, [0]).backward()\n"
        "p = tg.Tensor([0., 1.], requires_grad=True)\n"
        "F.binary_cross_entropy(p, [1., 0.]).backward()\n"
        "tg.Tensor([0.]).log(); tg.Tensor([[-np.inf, -np.inf]]).logsumexp(axis=1)\n"
        "(tg.one_hot([0], 2) * F.softmax(tg.Tensor([[0., -np.inf]])).log()).sum()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""


def test_label_smoothing_and_ignore_index_follow_pytorchs_formulas():
    logits, labels = logits_and_labels(n=4, c=5, seed=6)
    logp = F.log_softmax(logits).data
    eps = 0.2
    t = np.eye(5)[labels] * (1 - eps) + eps / 5
    expected = -(t * logp).sum(axis=1).mean()
    assert F.cross_entropy(logits, labels, label_smoothing=eps).item() == pytest.approx(expected)
    ignored = labels.copy()
    ignored[1] = -100
    kept = [0, 2, 3]
    expected = -logp[kept, labels[kept]].mean()
    assert F.cross_entropy(logits, ignored).item() == pytest.approx(expected)
    t_kept = t[kept]
    expected = -(t_kept * logp[kept]).sum(axis=1).mean()
    assert F.cross_entropy(logits, ignored, label_smoothing=eps).item() == pytest.approx(expected)
    loss = F.cross_entropy(logits, ignored, reduction="none")
    assert loss.data[1] == 0.0
    loss.sum().backward()
    np.testing.assert_array_equal(logits.grad.data[1], 0.0)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_an_ignored_example_adds_nothing_even_where_its_scores_are_minus_inf(reduction, smoothing):
    # Ignored examples were multiplied by 0, and 0·(−inf) is nan. Only example 1 counts here.
    logits = Tensor([[-np.inf, 1.0, 2.0], [0.0, 1.0, 2.0]], requires_grad=True)
    loss = F.cross_entropy(logits, [-100, 0], reduction=reduction, label_smoothing=smoothing)
    logp = np.array([0.0, 1.0, 2.0]) - np.log(np.exp([0.0, 1.0, 2.0]).sum())
    t = np.array([1.0, 0.0, 0.0]) * (1 - smoothing) + smoothing / 3
    want = -(t * logp).sum()
    np.testing.assert_allclose(loss.data, [0.0, want] if reduction == "none" else want)
    loss.sum().backward()
    np.testing.assert_array_equal(logits.grad.data[0], 0.0)
    np.testing.assert_allclose(logits.grad.data[1], np.exp(logp) - t)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_a_batch_with_every_example_ignored_gives_zero_gradients(reduction):
    # As PyTorch: the mean over no examples is 0/0 = nan, but no gradient is nan.
    logits = Tensor(np.ones((2, 3)), requires_grad=True)
    loss = F.cross_entropy(logits, [-100, -100], reduction=reduction)
    expected = {"mean": np.nan, "sum": 0.0, "none": [0.0, 0.0]}[reduction]
    np.testing.assert_array_equal(loss.data, expected)
    loss.sum().backward()
    np.testing.assert_array_equal(logits.grad.data, 0.0)
    single = F.cross_entropy(Tensor([1.0, 2.0]), -100, reduction=reduction)  # unbatched
    assert single.shape == ()
    np.testing.assert_array_equal(single.data, {"mean": np.nan, "sum": 0.0, "none": 0.0}[reduction])


def test_targets_as_list_array_or_tensor_and_unbatched():
    logits, labels = logits_and_labels(seed=7)
    a = F.cross_entropy(logits, list(labels))
    b = F.cross_entropy(logits, np.asarray(labels))
    c = F.cross_entropy(logits, Tensor(labels))
    assert a.item() == b.item() == c.item()
    single = F.cross_entropy(logits[0], int(labels[0]))
    assert single.shape == ()
    assert single.item() == pytest.approx(F.cross_entropy(logits, labels, reduction="none").data[0])


def test_float32_stays_float32():
    x = Tensor(np.ones((2, 3)), dtype=np.float32, requires_grad=True)
    for loss in (F.cross_entropy(x, [0, 1]), F.mse_loss(x, np.zeros((2, 3), np.float32)),
                 F.binary_cross_entropy_with_logits(x, np.ones((2, 3), np.float32))):
        assert loss.dtype == np.float32
        x.grad = None
        loss.backward()
        assert x.grad.dtype == np.float32


def test_bad_input_gets_clear_errors():
    logits, labels = logits_and_labels(n=3, c=4)
    with pytest.raises(IndexError, match="class index 7 is out of range for 4 classes"):
        F.cross_entropy(logits, [0, 7, 1])
    with pytest.raises(IndexError, match="-1"):
        F.nll_loss(F.log_softmax(logits), [0, -1, 1])
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(logits, labels, reduction="average")
    with pytest.raises(ValueError, match="whole numbers"):
        F.cross_entropy(logits, [0.5, 1, 2])
    with pytest.raises(ValueError, match=r"\(3, 1\).*\(3,\)"):
        F.mse_loss(Tensor(np.zeros((3, 1))), np.zeros(3))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(logits, labels, label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"\(3, 4\).*\(2,\)"):
        F.cross_entropy(logits, [0, 1])


def test_functions_take_arrays_and_lists_as_tensors():
    # (each of these raised an AttributeError: 'list' object has no attribute 'ndim', ...)
    logits = np.array([[1.0, 2.0, 0.5]])
    assert F.cross_entropy(logits, [1]).item() == pytest.approx(
        F.cross_entropy(Tensor(logits), [1]).item())
    assert F.nll_loss([[-1.0, -0.5]], [1]).item() == 0.5
    np.testing.assert_allclose(F.softmax([0.0, 0.0]).data, [0.5, 0.5])
    np.testing.assert_allclose(F.log_softmax_composite([0.0, 0.0]).data, np.log([0.5, 0.5]))
    assert F.logsumexp([0.0, 0.0]).item() == pytest.approx(np.log(2))
    assert F.softplus([0.0]).data[0] == pytest.approx(np.log(2))
    assert F.mse_loss([0.2, 0.5], [0, 1]).item() == pytest.approx((0.04 + 0.25) / 2)
    assert F.l1_loss(np.array([0.2, 0.5]), [0, 1]).item() == pytest.approx(0.35)
    assert F.binary_cross_entropy(np.array([0.5]), [1.0]).item() == pytest.approx(np.log(2))
    assert F.binary_cross_entropy_with_logits([0.0], [1.0]).item() == pytest.approx(np.log(2))
    x = Tensor(np.ones((2, 3)), requires_grad=True)
    y = F.linear(x, np.ones((4, 3)), np.zeros(4))
    assert y.shape == (2, 4) and y.data[0, 0] == 3.0
    y.sum().backward()
    assert x.grad.data.tolist() == [[4.0] * 3] * 2


def test_bce_refuses_numbers_outside_0_and_1_and_points_to_the_logits_version():
    with pytest.raises(ValueError, match=r"in \[0, 1\], got 3.*binary_cross_entropy_with_logits"):
        F.binary_cross_entropy(Tensor([3.0, -2.0], requires_grad=True), Tensor([1.0, 0.0]))
    with pytest.raises(ValueError, match=r"in \[0, 1\], got nan"):
        F.binary_cross_entropy(Tensor([np.nan]), [1.0])
    assert F.binary_cross_entropy(Tensor([0.0, 1.0]), [1.0, 1.0]).item() == 50.0  # the ends are fine


def test_target_mistakes_get_messages_that_name_them_and_no_warning():
    logits = Tensor(np.zeros((2, 3)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # (inf and 1e20 printed NumPy's cast warning)
        with pytest.raises(ValueError, match=r"target of shape \(2, 4\) does not fit input of "
                                             r"shape \(2, 3\).*or probabilities"):
            F.cross_entropy(logits, np.ones((2, 4)) / 4)  # (it said "must be whole numbers")
        with pytest.raises(ValueError, match="whole numbers, got array"):
            F.cross_entropy(logits, [np.inf, 0.0])
        with pytest.raises(ValueError, match=r"target of shape \(2,\) does not fit input of shape "
                                             r"\(3,\): give class indices of shape \(\)"):
            F.cross_entropy(Tensor([1.0, 2.0, 3.0]), [0.5, 0.5])  # unbatched probabilities
        with pytest.raises(ValueError, match=r"nll_loss takes class indices of shape \(2,\), not "
                                             r"a target of shape \(2, 3\); .* use cross_entropy"):
            F.nll_loss(logits, np.ones((2, 3)) / 3)  # (it said (2, 3) does not fit (2, 3))
        with pytest.raises(IndexError, match="class index 1e\\+20 is out of range"):
            F.nll_loss(logits, [1e20, 0.0])
        with pytest.raises(TypeError, match="one_hot: class indices are whole numbers, not <U1"):
            tg.one_hot(["a"])
        with pytest.raises(IndexError, match="class index -1 is negative"):
            tg.one_hot([-1])  # (it said "out of range for 0 classes (valid: 0 to -1)")
    assert tg.one_hot(Tensor([2.0, 0.0]), 3).data.tolist() == [[0, 0, 1], [1, 0, 0]]


def test_losses_agree_on_dtype_float32_stays_float32_with_list_or_array_targets():
    p = Tensor(np.full(3, 0.3, np.float32), requires_grad=True)
    losses = (F.binary_cross_entropy, F.mse_loss, F.l1_loss, F.binary_cross_entropy_with_logits)
    for target, dtype in (([1.0, 0.0, 1.0], np.float32), (np.ones(3), np.float32),
                          (Tensor(np.ones(3)), np.float64)):  # a float64 Tensor widens, as torch
        assert [loss(p, target).dtype for loss in losses] == [dtype] * 4, target
    logits = Tensor(np.float32([[1, 2, 3]]))
    assert F.cross_entropy(logits, [[0.2, 0.3, 0.5]]).dtype == np.float32  # probabilities too
    assert F.binary_cross_entropy_with_logits(p, [1.0, 0.0, 1.0], pos_weight=[2.0]).dtype == \
        np.float32
    F.mse_loss(p, Tensor(np.ones(3))).backward()
    assert p.grad.dtype == np.float32
