"""Tests for tiny_grad.data: exact distributions, samplers, moons, digits, splits."""

import hashlib
import math
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from tiny_grad import data


# --- one die -------------------------------------------------------------

def test_one_die_is_uniform_with_mean_3_5():
    die = data.one_die()
    assert die.outcomes.tolist() == [1, 2, 3, 4, 5, 6]
    assert die.counts.tolist() == [1] * 6 and die.total == 6
    assert all(die.p(s) == Fraction(1, 6) for s in range(1, 7))
    assert die.mean() == 3.5
    assert die.mean(exact=True) == Fraction(7, 2)


def test_one_die_rolls_average_towards_3_5():
    rolls = data.one_die().sample(100_000, seed=0)
    assert rolls.min() == 1 and rolls.max() == 6
    assert abs(rolls.mean() - 3.5) < 0.03


# --- two dice ------------------------------------------------------------

def test_two_dice_exact_probabilities():
    dice = data.two_dice()
    assert dice.p(4) == Fraction(3, 36)
    assert dice.p(7) == Fraction(6, 36)
    assert dice.p(2) == Fraction(1, 36)
    assert 1 - dice.p(2) == Fraction(35, 36)
    assert dice.total == 36
    assert dice.outcomes.tolist() == list(range(2, 13))
    assert dice.outcomes.dtype == np.int64
    assert dice.probs.dtype == np.float64
    assert abs(dice.probs.sum() - 1.0) <= 1e-15
    for s, p in zip(dice.outcomes, dice.probs):
        assert abs(p - (6 - abs(s - 7)) / 36) <= 1e-15
    assert sum(dice.p(s) for s in range(2, 13)) == 1
    assert dice.mean() == 7.0


def test_two_dice_impossible_sums_have_probability_zero():
    dice = data.two_dice()
    for s in (13, 1, 0, -7, 4.5):
        assert dice.p(s) == Fraction(0)
    assert dice.p(4.0) == Fraction(3, 36)          # 4.0 is the same number as 4
    assert dice.p(np.int64(7)) == Fraction(6, 36)


def test_two_dice_sampled_frequencies_match_exact_values():
    dice = data.two_dice()
    rolls = dice.sample(100_000, seed=0)
    assert rolls.shape == (100_000,) and rolls.dtype == np.int64
    assert rolls.min() >= 2 and rolls.max() <= 12
    freqs = np.array([(rolls == s).mean() for s in dice.outcomes])
    assert np.all(np.abs(freqs - dice.probs) < 0.01)
    assert abs(rolls.mean() - 7) < 0.05


def test_two_dice_sampler_really_rolls_two_dice():
    # The same generator, asked for pairs of faces 1..6 and summed, gives the same draws.
    expected = np.random.default_rng(123).integers(1, 7, size=(1000, 2)).sum(axis=1)
    assert np.array_equal(data.two_dice().sample(1000, seed=123), expected)


def test_sampling_is_seeded():
    dice = data.two_dice()
    assert np.array_equal(dice.sample(500, seed=7), dice.sample(500, seed=7))
    assert not np.array_equal(dice.sample(500, seed=7), dice.sample(500, seed=8))
    assert dice.sample((3, 4), seed=0).shape == (3, 4)


# --- coins ---------------------------------------------------------------

def test_twenty_coins():
    coins = data.coin_flips(20)
    assert coins.total == 1_048_576 == 2 ** 20
    assert abs(coins.probs.sum() - 1.0) <= 1e-15
    assert int(np.argmax(coins.probs)) == 10
    assert coins.outcomes[np.argmax(coins.probs)] == 10
    assert coins.counts[10] == 184_756
    assert coins.p(10) == Fraction(184_756, 1_048_576)
    assert coins.mean() == 10.0


def test_few_coins_give_pascals_triangle():
    rows = {1: [1, 1], 2: [1, 2, 1], 3: [1, 3, 3, 1], 4: [1, 4, 6, 4, 1]}
    for n, row in rows.items():
        coins = data.coin_flips(n)
        assert coins.counts.tolist() == row
        assert coins.outcomes.tolist() == list(range(n + 1))
        assert coins.total == 2 ** n


def test_many_coins_stay_exact():
    coins = data.coin_flips(100)                     # counts beyond int64
    assert coins.total == 2 ** 100
    assert coins.p(50) == Fraction(math.comb(100, 50), 2 ** 100)
    assert abs(coins.probs.sum() - 1.0) < 1e-12


def test_coin_sampler_flips_n_coins():
    coins = data.coin_flips(20)
    heads = coins.sample(100_000, seed=1)
    assert heads.min() >= 0 and heads.max() <= 20
    freqs = np.bincount(heads, minlength=21) / len(heads)
    assert np.all(np.abs(freqs - coins.probs) < 0.01)
    assert abs(heads.mean() - 10) < 0.05
    flips = np.random.default_rng(5).integers(0, 2, size=(50, 20), dtype=np.int8)
    assert np.array_equal(coins.sample(50, seed=5), flips.sum(axis=1))


@pytest.mark.parametrize("bad", [0, -3, 2.5, 3.0, "4", None, True])
def test_coin_flips_rejects_bad_n(bad):
    with pytest.raises(ValueError):
        data.coin_flips(bad)


def test_coin_flips_accepts_numpy_ints():
    assert data.coin_flips(np.int64(3)).counts.tolist() == [1, 3, 3, 1]


def test_repr_and_table_are_readable():
    dice = data.two_dice()
    assert "two dice" in repr(dice) and "36" in repr(dice)
    assert "1,048,576" in repr(data.coin_flips(20))
    table = dice.table()
    assert len(table.splitlines()) == 12           # a title and one line per sum
    assert "6/36" in table
    # rare outcomes get no bar, and their lines end with the probability, not with spaces
    lines = data.coin_flips(20).table().splitlines()
    assert lines[1].endswith("0.0000")
    assert all(line == line.rstrip() for line in lines)


# --- moons ---------------------------------------------------------------

def test_make_moons_shapes_and_balance():
    X, y = data.make_moons(200, seed=0)
    assert X.shape == (200, 2) and X.dtype == np.float64
    assert y.shape == (200,) and y.dtype == np.int64
    assert np.bincount(y).tolist() == [100, 100]
    X, y = data.make_moons(101, seed=0)
    assert np.bincount(y).tolist() == [50, 51]       # n // 2 outer, the rest inner


def test_make_moons_is_seeded():
    X1, y1 = data.make_moons(100, noise=0.2, seed=3)
    X2, y2 = data.make_moons(100, noise=0.2, seed=3)
    X3, _ = data.make_moons(100, noise=0.2, seed=4)
    assert np.array_equal(X1, X2) and np.array_equal(y1, y2)
    assert not np.allclose(X1, X3)


def test_make_moons_without_noise_lies_on_the_circles():
    X, y = data.make_moons(300, noise=0.0, seed=0)
    outer, inner = X[y == 0], X[y == 1]
    assert np.allclose(np.hypot(outer[:, 0], outer[:, 1]), 1.0, rtol=0, atol=1e-12)
    assert np.all(outer[:, 1] >= -1e-12)             # upper half
    assert np.allclose(np.hypot(inner[:, 0] - 1.0, inner[:, 1] - 0.5), 1.0, rtol=0, atol=1e-12)
    assert np.all(inner[:, 1] <= 0.5 + 1e-12)        # lower half


def test_make_moons_unshuffled_puts_label_0_first():
    X, y = data.make_moons(10, noise=0.0, shuffle=False)
    assert y.tolist() == [0] * 5 + [1] * 5
    assert np.allclose(X[0], [1.0, 0.0]) and np.allclose(X[5], [0.0, 0.5])


def test_make_moons_rejects_bad_input():
    with pytest.raises(ValueError):
        data.make_moons(-1)
    with pytest.raises(ValueError):
        data.make_moons(10, noise=-0.1)


# --- digits --------------------------------------------------------------

def test_load_digits_shapes_types_and_range():
    images, labels = data.load_digits()
    assert images.shape == (1797, 8, 8) and images.dtype == np.float64
    assert labels.shape == (1797,) and labels.dtype == np.int64
    assert images.min() == 0.0 and images.max() == 1.0
    assert np.all(images * 16 == np.round(images * 16))   # raw pixels were 0..16
    counts = np.bincount(labels, minlength=10)
    assert len(counts) == 10 and np.all((170 <= counts) & (counts <= 190))
    assert labels[:10].tolist() == list(range(10))


def test_load_digits_is_deterministic_and_fresh():
    images1, labels1 = data.load_digits()
    images1[0] = -1.0                                # changing a result changes nothing else
    images2, labels2 = data.load_digits()
    images3, labels3 = data.load_digits()
    assert np.array_equal(images2, images3) and np.array_equal(labels1, labels2)
    assert images2.min() == 0.0


def test_load_digits_flatten():
    images, labels = data.load_digits()
    flat, flat_labels = data.load_digits(flatten=True)
    assert flat.shape == (1797, 64)
    assert np.array_equal(flat.reshape(-1, 8, 8), images)
    assert np.array_equal(flat_labels, labels)


def test_digits_file_is_small_plain_and_unchanged():
    path = Path(data.__file__).parent / "datasets" / "digits.npz"
    assert path.stat().st_size < 100_000
    with np.load(path, allow_pickle=False) as archive:
        assert sorted(archive.files) == ["images", "labels"]
        raw_images, raw_labels = archive["images"], archive["labels"]
    assert raw_images.dtype == np.uint8 and raw_labels.dtype == np.uint8
    assert int(raw_images.sum(dtype=np.int64)) == 561_718
    digest = hashlib.sha256(raw_images.tobytes() + raw_labels.tobytes()).hexdigest()
    assert digest == "87ff0c9e40dc7e2c0e34e7257799c2e3f3aec1a016363bb11cad869ec428a826"


def test_digits_attribution_ships_beside_the_data():
    readme = (Path(data.__file__).parent / "datasets" / "README.md").read_text(encoding="utf-8")
    for needle in ("Alpaydin", "Kaynak", "1998", "CC BY 4.0", "10.24432/C50P49"):
        assert needle in readme
    for needle in ("Alpaydin", "Kaynak", "CC BY 4.0", "10.24432/C50P49"):
        assert needle in data.__doc__


# --- train / test split --------------------------------------------------

def test_train_test_split_sizes_on_digits():
    images, labels = data.load_digits()
    X_train, X_test, y_train, y_test = data.train_test_split(images, labels, test_fraction=0.2)
    assert len(X_train) == len(y_train) == 1437
    assert len(X_test) == len(y_test) == 360
    assert X_train.shape[1:] == (8, 8)


def test_train_test_split_is_disjoint_covering_and_paired():
    X = np.arange(50 * 3).reshape(50, 3)             # row i is [3i, 3i+1, 3i+2]
    y = np.arange(50)
    X_train, X_test, y_train, y_test = data.train_test_split(X, y, test_fraction=0.3, seed=1)
    assert len(X_test) == 15 and len(X_train) == 35
    assert np.array_equal(X_train[:, 0] // 3, y_train)
    assert np.array_equal(X_test[:, 0] // 3, y_test)
    assert set(y_train.tolist()).isdisjoint(y_test.tolist())
    assert sorted(y_train.tolist() + y_test.tolist()) == list(range(50))
    assert not np.array_equal(y_train, np.arange(35))   # shuffled, not just cut in two


def test_train_test_split_size_ignores_float_fuzz():
    X, y = np.zeros((100, 1)), np.zeros(100)
    assert 100 * 0.55 > 55                           # 55.00000000000001 in floating point
    X_train, X_test, _, _ = data.train_test_split(X, y, test_fraction=0.55)
    assert len(X_test) == 55 and len(X_train) == 45


def test_train_test_split_accepts_lists():
    X = [[i] for i in range(10)]
    X_train, X_test, y_train, y_test = data.train_test_split(X, list(range(10)))
    assert X_train.shape == (8, 1) and y_test.shape == (2,)


def test_train_test_split_is_seeded():
    X, y = np.arange(100).reshape(100, 1), np.arange(100)
    first = data.train_test_split(X, y, seed=0)
    again = data.train_test_split(X, y, seed=0)
    other = data.train_test_split(X, y, seed=1)
    assert all(np.array_equal(a, b) for a, b in zip(first, again))
    assert not np.array_equal(first[3], other[3])
    default = data.train_test_split(X, y)            # seed=0 by default
    assert all(np.array_equal(a, b) for a, b in zip(first, default))


def test_train_test_split_rejects_bad_input():
    X, y = np.zeros((10, 2)), np.zeros(10)
    with pytest.raises(ValueError):
        data.train_test_split(X, y[:9])
    for bad in (0.0, 1.0, -0.2, 1.5):
        with pytest.raises(ValueError):
            data.train_test_split(X, y, test_fraction=bad)
    with pytest.raises(ValueError):
        data.train_test_split(X[:1], y[:1])           # one example cannot be split


@pytest.mark.parametrize("bad", [-1, "3", 2.5, (2, -1)])
def test_sample_rejects_a_size_that_is_not_a_count(bad):
    with pytest.raises(ValueError, match="size must be a whole number >= 0"):
        data.two_dice().sample(bad)


def test_small_facts_of_coins_and_samples():
    assert data.coin_flips(1).name == "1 coin"
    assert data.coin_flips(40).counts.dtype == np.int64  # C(40, 20) does not fit in int32
    empty = data.two_dice().sample(0)
    assert empty.shape == (0,) and empty.dtype == np.int64


def test_moons_noise_default_spread_and_nan():
    x, _ = data.make_moons(400, seed=3)
    np.testing.assert_array_equal(x, data.make_moons(400, noise=0.1, seed=3)[0])  # the default
    clean, _ = data.make_moons(2000, noise=0.0, seed=5, shuffle=False)
    noisy, _ = data.make_moons(2000, noise=0.3, seed=5, shuffle=False)
    assert np.std(noisy - clean) == pytest.approx(0.3, rel=0.05)  # noise is the spread
    default, _ = data.make_moons(2000, seed=5, shuffle=False)
    assert np.std(default - clean) == pytest.approx(0.1, rel=0.05)
    np.testing.assert_allclose(clean[999], [-1.0, 0.0], atol=1e-12)  # the outer moon ends at (-1, 0)
    with pytest.raises(ValueError):
        data.make_moons(10, noise=float("nan"))
