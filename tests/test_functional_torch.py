"""Where PyTorch is installed: tiny_grad's losses equal PyTorch's, value and gradient."""

import numpy as np
import pytest

from tiny_grad import Tensor
from tiny_grad import functional as F

torch = pytest.importorskip("torch")
TF = torch.nn.functional


def both(array):
    """The same numbers as a tiny_grad Tensor and a torch tensor, both needing gradients."""
    return (Tensor(array, requires_grad=True),
            torch.tensor(array, dtype=torch.float64, requires_grad=True))


def assert_same(ours, theirs, x, tx):
    np.testing.assert_allclose(ours.data, theirs.detach().numpy(), rtol=1e-12, atol=1e-12)
    ours.sum().backward()
    theirs.sum().backward()
    np.testing.assert_allclose(x.grad.data, tx.grad.numpy(), rtol=1e-10, atol=1e-12)


RNG = np.random.default_rng(0)
LOGITS = [RNG.normal(size=(5, 4)) * 3,
          np.array([[1000.0, -1000.0, 0.0, 1.0], [-1000.0, -1000.0, -1000.0, -1000.0]]),
          np.array([[-np.inf, 0.0, 1.0, 2.0]])]


# Smoothing sums every log-probability, -inf included, so it is only paired with finite logits.
CASES = [(LOGITS[0], 0.0), (LOGITS[0], 0.1), (LOGITS[1], 0.0), (LOGITS[1], 0.1), (LOGITS[2], 0.0)]


@pytest.mark.parametrize("logits, smoothing", CASES,
                         ids=["normal", "normal-smoothed", "extreme", "extreme-smoothed", "minus-inf"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_class_indices(logits, reduction, smoothing):
    labels = np.arange(len(logits)) % logits.shape[1] + (1 if np.isinf(logits).any() else 0)
    x, tx = both(logits)
    ours = F.cross_entropy(x, labels, reduction=reduction, label_smoothing=smoothing)
    theirs = TF.cross_entropy(tx, torch.tensor(labels), reduction=reduction,
                              label_smoothing=smoothing)
    assert_same(ours, theirs, x, tx)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cross_entropy_with_ignore_index_and_probabilities(reduction):
    x, tx = both(LOGITS[0])
    labels = np.array([0, -100, 3, 2, -100])
    assert_same(F.cross_entropy(x, labels, reduction=reduction),
                TF.cross_entropy(tx, torch.tensor(labels), reduction=reduction), x, tx)
    probs = RNG.dirichlet(np.ones(4), size=5)
    x, tx = both(LOGITS[0])
    assert_same(F.cross_entropy(x, probs, reduction=reduction, label_smoothing=0.2),
                TF.cross_entropy(tx, torch.tensor(probs), reduction=reduction,
                                 label_smoothing=0.2), x, tx)


@pytest.mark.parametrize("ours, theirs", [
    (F.softmax, lambda t: TF.softmax(t, dim=-1)),
    (F.log_softmax, lambda t: TF.log_softmax(t, dim=-1)),
    (lambda x: F.logsumexp(x, axis=-1), lambda t: torch.logsumexp(t, dim=-1)),
])
def test_softmax_family(ours, theirs):
    x, tx = both(LOGITS[0])
    assert_same(ours(x), theirs(tx), x, tx)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_regression_and_binary_losses(reduction):
    target = RNG.uniform(0, 1, size=(3, 4))
    for ours, theirs, data in [
        (F.mse_loss, TF.mse_loss, RNG.normal(size=(3, 4))),
        (F.l1_loss, TF.l1_loss, RNG.normal(size=(3, 4))),
        (F.binary_cross_entropy, TF.binary_cross_entropy, RNG.uniform(0.05, 0.95, size=(3, 4))),
        (F.binary_cross_entropy_with_logits, TF.binary_cross_entropy_with_logits,
         np.array([[1000.0, -1000.0, 0.0, 3.0]] * 3)),
    ]:
        x, tx = both(data)
        assert_same(ours(x, target, reduction=reduction),
                    theirs(tx, torch.tensor(target), reduction=reduction), x, tx)


def test_bce_at_the_edges_and_pos_weight():
    x, tx = both(np.array([0.0, 1.0, 0.0, 1.0, 0.5]))
    target = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    assert_same(F.binary_cross_entropy(x, target, reduction="none"),
                TF.binary_cross_entropy(tx, torch.tensor(target), reduction="none"), x, tx)
    x, tx = both(RNG.normal(size=(2, 3)))
    target = np.array([[1.0, 0.0, 1.0], [0.0, 1.0, 1.0]])
    weight = np.array([0.5, 2.0, 3.0])
    assert_same(F.binary_cross_entropy_with_logits(x, target, pos_weight=weight),
                TF.binary_cross_entropy_with_logits(tx, torch.tensor(target),
                                                    pos_weight=torch.tensor(weight)), x, tx)
