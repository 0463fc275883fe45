"""Small built-in datasets: dice, coins, two moons and handwritten digits.

Everything here needs only NumPy and the standard library, and every number
can be checked by hand.

Counting before learning
------------------------
A probability distribution answers "how likely is each outcome?". For dice and
coins we can answer it *exactly* by counting: list every equally likely pattern
(36 ways two dice can land, 2**n ways n coins can land), count how many patterns
give each outcome s, and divide:

    p(s) = (number of patterns giving s) / (number of patterns)

`Distribution` holds such a table, and `one_die()`, `two_dice()` and
`coin_flips(n)` build the three the docs walk through. Each one can also be
*sampled*, by really rolling dice or flipping coins with a seeded random
generator, so a learner can watch the sampled frequencies approach p(s).

Data to learn from
------------------
- `make_moons(n)`: two interleaving half circles, a small 2-D problem that a
  straight line cannot separate but a tiny MLP can.
- `load_digits()`: 1,797 handwritten digits as 8x8 images, for a first real
  classifier.
- `train_test_split(X, y)`: keep some examples aside to check the model on
  data it never trained on.

Where the digits come from
--------------------------
The digits are the "Optical Recognition of Handwritten Digits" data set of the
UCI Machine Learning Repository, made by E. Alpaydin and C. Kaynak (1998),
DOI 10.24432/C50P49, and shared under the Creative Commons Attribution 4.0
(CC BY 4.0) licence. We ship the same 1,797-image copy that scikit-learn
bundles, stored as unsigned bytes in `tiny_grad/datasets/digits.npz`; see
`tiny_grad/datasets/README.md` for details.
"""

from __future__ import annotations

import math
import operator
from fractions import Fraction
from importlib import resources

import numpy as np

from .utils.data import DataLoader, Dataset, TensorDataset  # (torch.utils.data's, also here)

__all__ = [
    "Distribution", "one_die", "two_dice", "coin_flips",
    "make_moons", "load_digits", "train_test_split",
    "Dataset", "TensorDataset", "DataLoader",
]


# ---------------------------------------------------------------------------
# Discrete distributions by counting
# ---------------------------------------------------------------------------

class Distribution:
    """A discrete distribution found by counting equally likely patterns.

    If an experiment has ``total`` equally likely patterns and ``counts[i]`` of
    them give the outcome ``outcomes[i]``, then

        p(outcomes[i]) = counts[i] / total,        Σ_i p(outcomes[i]) = 1.

    Attributes
    ----------
    name : str
        What is being counted, e.g. ``"two dice"``.
    outcomes : ndarray of int64
        The possible outcomes s, in increasing order (the set S).
    counts : ndarray of ints
        Number of patterns giving each outcome. int64 while the numbers fit
        (up to 66 coins); beyond that an object array of exact Python ints.
    total : int
        Number of equally likely patterns, ``sum(counts)``.
    probs : ndarray of float64
        ``counts / total``, each division correctly rounded.

    Parameters
    ----------
    name, outcomes, counts
        As above; ``total`` is computed from ``counts``.
    draw : callable ``draw(rng, shape) -> ndarray of int``
        Runs the experiment: returns one outcome per position of ``shape``,
        using the NumPy generator ``rng``. ``sample`` calls it.
    """

    def __init__(self, name, outcomes, counts, draw):
        exact_counts = [int(c) for c in counts]        # Python ints never overflow
        if len(exact_counts) != len(outcomes):
            raise ValueError(f"{len(outcomes)} outcomes but {len(exact_counts)} counts")
        self.name = name
        self.outcomes = np.asarray(outcomes, dtype=np.int64)
        self.total = sum(exact_counts)
        fits_int64 = max(exact_counts) <= np.iinfo(np.int64).max
        self.counts = np.array(exact_counts, dtype=np.int64 if fits_int64 else object)
        # int / int in Python is correctly rounded, even for huge ints.
        self.probs = np.array([c / self.total for c in exact_counts], dtype=np.float64)
        self._count_of = dict(zip(self.outcomes.tolist(), exact_counts))
        self._draw = draw

    def p(self, s):
        """Exact probability of the outcome ``s``:  p(s) = count(s) / total.

        Returns a ``fractions.Fraction`` (so ``two_dice().p(4) == Fraction(3, 36)``
        exactly; note that Fraction reduces it to 1/12). An outcome that cannot
        happen, such as a sum of 13 with two dice, has probability Fraction(0).
        """
        return Fraction(self._count_of.get(s, 0), self.total)

    def mean(self, exact=False):
        """Expected value:  E[s] = Σ_s s · p(s).

        The long-run average of many draws. Returns a float, or the exact
        ``Fraction`` when ``exact=True`` (one die: 21/6 = 7/2 = 3.5).
        """
        value = sum((Fraction(s * c, self.total) for s, c in self._count_of.items()), Fraction(0))
        return value if exact else float(value)

    def sample(self, size, seed=None):
        """Run the experiment ``size`` times and return the outcomes.

        ``size`` is an int or a shape tuple; the result is an int64 array of
        that shape. ``seed`` is an int (same seed, same draws), None (fresh
        randomness) or a ``np.random.Generator``. The frequency of each outcome
        among the draws approaches p(s) as ``size`` grows (the law of large
        numbers), and their average approaches ``mean()``.
        """
        shape = (size,) if np.ndim(size) == 0 else tuple(size)
        if not all(isinstance(n, (int, np.integer)) and n >= 0 for n in shape):
            raise ValueError(f"sample: size must be a whole number >= 0 (or a shape of them), "
                             f"not {size!r}")
        rng = np.random.default_rng(seed)
        return np.asarray(self._draw(rng, shape), dtype=np.int64)

    def table(self, width=40):
        """The distribution as text: one line per outcome, with a bar ∝ p(s)."""
        longest = max(self.counts.tolist())
        digits = len(f"{longest:,}")                     # width of the count column
        lines = [f"{self.name}: {self.total:,} equally likely patterns"]
        for s, c, p in zip(self.outcomes.tolist(), self.counts.tolist(), self.probs.tolist()):
            bar = "#" * round(width * c / longest)
            lines.append(f"{s:>4}  {c:>{digits},}/{self.total:,}  {p:.4f}  {bar}".rstrip())
        return "\n".join(lines)

    def __repr__(self):
        lo, hi = int(self.outcomes[0]), int(self.outcomes[-1])
        return (f"Distribution({self.name!r}: outcomes {lo}..{hi}, "
                f"{self.total:,} equally likely patterns, mean {self.mean():g})")


def _whole_number(n, what, smallest):
    """``n`` as a Python int >= ``smallest``, or a ValueError naming ``what``.

    Accepts ints and NumPy integers; rejects floats (even 3.0), strings and bools.
    """
    if isinstance(n, (bool, np.bool_)):
        raise ValueError(f"{what} must be an integer >= {smallest}, got {n!r}")
    try:
        n = operator.index(n)
    except TypeError:
        raise ValueError(f"{what} must be an integer >= {smallest}, got {n!r}") from None
    if n < smallest:
        raise ValueError(f"{what} must be an integer >= {smallest}, got {n}")
    return n


def one_die():
    """One fair six-sided die:  p(s) = 1/6 for s = 1, ..., 6.

    Expected value E[s] = (1 + 2 + 3 + 4 + 5 + 6) / 6 = 21/6 = 3.5.
    """
    def roll(rng, shape):
        return rng.integers(1, 7, size=shape)           # 1..6, each equally likely

    return Distribution("one die", range(1, 7), [1] * 6, roll)


def two_dice():
    """The sum of two fair dice:  p(s) = (6 − |s − 7|) / 36 for s = 2, ..., 12.

    The two dice land in 6 × 6 = 36 equally likely ways. The sum s comes up in
    6 − |s − 7| of them: 2 only as (1, 1), 4 as (1, 3), (2, 2), (3, 1), and 7 in
    six ways, the most of any sum. So p(2) = 1/36, p(4) = 3/36, p(7) = 6/36,
    a triangle peaked at the expected value E[s] = 3.5 + 3.5 = 7.

    Sampling really rolls two dice and adds them.
    """
    def roll(rng, shape):
        dice = rng.integers(1, 7, size=(*shape, 2))     # the last axis holds the two dice
        return dice.sum(axis=-1)

    sums = range(2, 13)
    return Distribution("two dice", sums, [6 - abs(s - 7) for s in sums], roll)


def coin_flips(n):
    """Number of heads k when flipping n fair coins:  p(k) = C(n, k) / 2**n.

    Each coin lands heads or tails, so n coins land in 2**n equally likely
    patterns. The patterns with exactly k heads are the ways to choose which k
    of the n coins show heads: C(n, k) = n! / (k! (n − k)!) (``math.comb``).
    The counts are computed, never enumerated: 20 coins have 1,048,576
    patterns, the most likely count is k = 10 with C(20, 10) = 184,756 of
    them, and the counts trace the bell-shaped curve. E[k] = n / 2.

    ``n`` must be a positive integer; anything else raises ValueError.
    Sampling really flips n coins per draw and counts the heads.
    """
    n = _whole_number(n, "coin_flips(n): n", smallest=1)

    def flip(rng, shape):
        coins = rng.integers(0, 2, size=(*shape, n), dtype=np.int8)   # 1 = heads
        return coins.sum(axis=-1, dtype=np.int64)

    heads = range(n + 1)
    label = "1 coin" if n == 1 else f"{n} coins"
    return Distribution(label, heads, [math.comb(n, k) for k in heads], flip)


# ---------------------------------------------------------------------------
# Two moons
# ---------------------------------------------------------------------------

def make_moons(n, noise=0.1, seed=None, shuffle=True):
    """Two interleaving half circles: a small 2-D classification problem.

    The first ``n // 2`` points (label 0) lie on the upper half of the unit
    circle, the other ``n − n // 2`` (label 1) on a lower half circle shifted
    right and down, with t spread evenly over [0, π]:

        label 0:  (cos t,      sin t)
        label 1:  (1 − cos t,  1 − sin t − 0.5)

    Then Gaussian noise with standard deviation ``noise`` is added to every
    coordinate. No straight line separates the two moons.

    Returns ``(X, y)``: X float64 of shape (n, 2), y int64 of shape (n,).
    ``seed`` (int, None or ``np.random.Generator``) fixes the noise and the
    order; with ``shuffle=False`` the label-0 points come first.
    """
    n = _whole_number(n, "make_moons: n", smallest=0)
    if not noise >= 0:
        raise ValueError(f"make_moons: noise must be >= 0, got {noise}")
    rng = np.random.default_rng(seed)

    n_outer = n // 2
    n_inner = n - n_outer
    t_outer = np.linspace(0.0, np.pi, n_outer)
    t_inner = np.linspace(0.0, np.pi, n_inner)
    outer = np.column_stack([np.cos(t_outer), np.sin(t_outer)])
    inner = np.column_stack([1.0 - np.cos(t_inner), 1.0 - np.sin(t_inner) - 0.5])

    X = np.concatenate([outer, inner]).astype(np.float64)
    y = np.concatenate([np.zeros(n_outer, dtype=np.int64), np.ones(n_inner, dtype=np.int64)])
    if shuffle:
        order = rng.permutation(n)
        X, y = X[order], y[order]
    if noise > 0:
        X = X + rng.normal(0.0, noise, size=X.shape)
    return X, y


# ---------------------------------------------------------------------------
# Handwritten digits
# ---------------------------------------------------------------------------

DIGITS_FILE = "digits.npz"


def load_digits(flatten=False):
    """The 1,797 handwritten digits (UCI, Alpaydin and Kaynak 1998; CC BY 4.0).

    Each image is an 8x8 grid. A pixel counts how many of the 16 pixels in a
    4x4 block of the original 32x32 black-and-white scan were written on, so
    raw values run 0..16; we divide by 16 to put every pixel in [0, 1]:

        image = raw / 16

    Returns ``(images, labels)``: images float64 of shape (1797, 8, 8) — or
    (1797, 64) with ``flatten=True``, one row per image, ready for a Linear
    layer — and labels int64 of shape (1797,) holding the digit 0..9
    (about 180 of each). Every call returns the same data in fresh arrays.

    The file ships inside the package and is read with ``allow_pickle=False``,
    so loading it cannot run code.
    """
    resource = resources.files(__package__) / "datasets" / DIGITS_FILE
    try:
        with resource.open("rb") as f, np.load(f, allow_pickle=False) as archive:
            raw_images = archive["images"]               # uint8, 0..16
            raw_labels = archive["labels"]               # uint8, 0..9
    except FileNotFoundError:
        raise FileNotFoundError(
            f"the digits data file tiny_grad/datasets/{DIGITS_FILE} is missing from this "
            "installation of tiny_grad; reinstall the package") from None

    images = raw_images.astype(np.float64) / 16.0
    labels = raw_labels.astype(np.int64)
    if flatten:
        images = images.reshape(len(images), -1)
    return images, labels


# ---------------------------------------------------------------------------
# Train / test split
# ---------------------------------------------------------------------------

def _as_array(a):
    """A NumPy view of ``a``; Tensors (anything with ``.numpy()``) give their data."""
    return a.numpy() if hasattr(a, "numpy") else np.asarray(a)


def train_test_split(X, y, test_fraction=0.2, seed=0):
    """Shuffle the examples, then set the last part aside for testing.

    With N examples the test set gets n_test = ⌈N · test_fraction⌉ of them and
    the training set the other N − n_test (1,797 digits at 0.2: 360 and 1,437).
    Rows of X and y stay paired; every example lands in exactly one part.
    ``seed`` (int, None or ``np.random.Generator``) fixes the shuffle.

    Returns ``(X_train, X_test, y_train, y_test)`` as NumPy arrays, in that
    order (the order scikit-learn uses).
    """
    X, y = _as_array(X), _as_array(y)
    if X.ndim == 0 or y.ndim == 0 or len(X) != len(y):
        raise ValueError(f"train_test_split: X and y need the same number of rows, "
                         f"got shapes {X.shape} and {y.shape}")
    if not 0.0 < test_fraction < 1.0:
        raise ValueError("train_test_split: test_fraction must be between 0 and 1, "
                         f"got {test_fraction}")
    n = len(X)
    # The tiny tolerance keeps float fuzz (100 * 0.55 = 55.00000000000001) from adding a row.
    n_test = math.ceil(n * test_fraction - 1e-9)
    if n_test < 1 or n_test >= n:
        raise ValueError(f"train_test_split: {n} examples with test_fraction={test_fraction} "
                         f"would leave {n_test} for testing and {n - n_test} for training")

    order = np.random.default_rng(seed).permutation(n)
    train, test = order[:n - n_test], order[n - n_test:]
    return X[train], X[test], y[train], y[test]
