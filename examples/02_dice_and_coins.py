"""02 · Probability distributions: one die, two dice, and coins that become a bell.

The first of cross-entropy's five pieces is a probability distribution: a list of the
possible outcomes, each with how likely it is, adding up to 1. Dice and coins let us
find one exactly, by counting equally likely patterns, and then check it by really
rolling and flipping (with a seeded random generator, so every run is the same).

    python examples/02_dice_and_coins.py [--out DIR] [--fast]

Figures: one_die_average.png, two_dice.png, coins.png
"""

import math
from fractions import Fraction

import numpy as np

from tiny_grad import data

from _common import parse_args, pyplot, save_figure

NAME = "02_dice_and_coins"


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out
    n_rolls = 20_000 if args.fast else 200_000
    figures = []

    # ---- one die ----------------------------------------------------------------------------
    die = data.one_die()
    print("One die: six faces, each as likely as the others.")
    print(f"   p(each face) = 1/6 = {float(die.p(1)):.4f}")
    rolls = die.sample(n_rolls, seed=1)
    running_mean = np.cumsum(rolls) / np.arange(1, n_rolls + 1)
    print(f"   The expected value is (1+2+3+4+5+6)/6 = {die.mean()}; the average of "
          f"{n_rolls:,} real rolls is {running_mean[-1]:.4f}.\n")

    fig, ax = plt.subplots(figsize=(8, 3.5))
    ax.plot(np.arange(1, n_rolls + 1), running_mean, lw=1.5, label="average of the rolls so far")
    ax.axhline(die.mean(), color="crimson", ls="--", label="expected value 3.5")
    ax.set_xscale("log")
    ax.set_ylim(1, 6)
    ax.set_xlabel("number of rolls (log scale)")
    ax.set_ylabel("average")
    ax.set_title("One die: the average settles at the expected value")
    ax.legend()
    figures.append(save_figure(fig, out, "one_die_average.png"))

    # ---- two dice ---------------------------------------------------------------------------
    # Rolling is the event, the dice coming to rest is the occurrence, and the sum they show
    # is the outcome s. S = {2, 3, ..., 12} is the set of outcomes.
    dice = data.two_dice()
    print("Two dice: the sums 2..12 are NOT equally likely.")
    print("   The two dice land in 6 x 6 = 36 equally likely ways; count the ways for each sum:")
    print("\n".join("   " + line for line in dice.table(width=30).splitlines()))
    p4 = dice.p(4)
    print(f"   p(4) = 3/36 = {float(p4):.4f}: (1,3), (2,2) and (3,1).")
    print(f"   p(7) = 6/36 = {float(dice.p(7)):.4f}, the most likely sum; p(2) = 1/36 = "
          f"{float(dice.p(2)):.4f}, the smallest non-zero probability here.")
    print(f"   'anything but 2' has probability 1 - p(2) = {1 - dice.p(2)} = "
          f"{float(1 - dice.p(2)):.4f}.")
    assert p4 == Fraction(3, 36)

    sums = dice.sample(n_rolls, seed=2)
    sampled = np.array([(sums == s).mean() for s in dice.outcomes])
    largest_miss = np.abs(sampled - dice.probs).max()
    print(f"   Rolled {n_rolls:,} times: the sum 4 came up {sampled[2]:.4f} of the time "
          f"(exact {float(p4):.4f}).")
    print(f"   The largest difference between sampled and exact over all sums: {largest_miss:.4f}.")
    print("   The shape is a triangle, peaked at the expected sum 7.\n")

    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(dice.outcomes, sampled, width=0.8, color="#9ecae1",
           label=f"sampled: {n_rolls:,} rolls")
    ax.plot(dice.outcomes, dice.probs, "o-", color="crimson", label="exact: count / 36")
    ax.set_xticks(dice.outcomes)
    ax.set_yticks(np.arange(0, 7) / 36, [f"{k}/36" for k in range(7)])
    ax.annotate("p(4) = 3/36", xy=(4, 3 / 36), xytext=(2.2, 5.2 / 36),
                arrowprops=dict(arrowstyle="->"))
    ax.set_xlabel("sum of two dice, s")
    ax.set_ylabel("p(s)")
    ax.set_title("Two dice: a triangular distribution")
    ax.legend(loc="upper right")
    figures.append(save_figure(fig, out, "two_dice.png"))

    # ---- coins -------------------------------------------------------------------------------
    # A coin has two faces where a die has six. Count heads among n coins: there are 2**n
    # equally likely patterns, and C(n, k) of them have exactly k heads.
    print("Coins: count the heads among n coins.")
    coin_counts = [1, 2, 3, 4, 20]
    n_flips = 5_000 if args.fast else 50_000
    coins = {}
    fig, axes = plt.subplots(1, len(coin_counts), figsize=(15, 3.2),
                             gridspec_kw={"width_ratios": [1, 1, 1.2, 1.4, 3]})
    for ax, n in zip(axes, coin_counts):
        dist = data.coin_flips(n)
        heads = dist.sample(n_flips, seed=10 + n)
        freq = np.bincount(heads, minlength=n + 1) / n_flips
        coins[n] = {"exact": dist.probs, "sampled": freq, "patterns": dist.total}
        ax.bar(dist.outcomes, freq, width=0.8, color="#fdae6b", label="sampled")
        ax.plot(dist.outcomes, dist.probs, "o-", ms=3 if n > 4 else 5, color="#2171b5",
                label="exact C(n,k)/2^n")
        if n == 20:
            # The bell (Gaussian) curve with the same mean n/2 and spread sqrt(n)/2.
            k = np.linspace(0, n, 300)
            sd = math.sqrt(n) / 2
            bell = np.exp(-((k - n / 2) ** 2) / (2 * sd ** 2)) / (sd * math.sqrt(2 * math.pi))
            ax.plot(k, bell, color="crimson", lw=1, ls="--", label="bell curve")
            ax.legend(fontsize=8, loc="upper left")
        ax.set_title(f"{n} coin{'s' if n > 1 else ''}: {dist.total:,} patterns", fontsize=10)
        ax.set_xlabel("heads")
        ax.set_xticks(dist.outcomes if n <= 4 else range(0, n + 1, 5))
        if n <= 4:
            counts = " ".join(str(c) for c in dist.counts)
            print(f"   {n:>2} coin{'s' if n > 1 else ' '}: {dist.total:>9,} patterns; patterns with "
                  f"0, 1, ... heads: {counts}")
        else:
            middle = n // 2
            print(f"   {n:>2} coins: {dist.total:>9,} patterns; {middle} heads alone has "
                  f"C({n}, {middle}) = {math.comb(n, middle):,} of them (p = "
                  f"{dist.probs[middle]:.4f})")
    axes[0].set_ylabel("probability")
    fig.suptitle("More coins: the counts of heads grow into a bell shape", y=1.03)
    figures.append(save_figure(fig, out, "coins.png"))
    print("   One coin is flat, two make a tent, three and four a hump, and with 20 coins")
    print("   (1,048,576 patterns) the bell-shaped (Gaussian) curve is plain to see.\n")

    return {
        "p4_exact": float(p4), "p4_fraction": p4, "p4_sampled": float(sampled[2]),
        "two_dice_exact": dice.probs, "two_dice_sampled": sampled,
        "two_dice_largest_miss": float(largest_miss),
        "one_die_average": float(running_mean[-1]), "n_rolls": n_rolls,
        "coins": coins,
        "figures": figures,
    }


if __name__ == "__main__":
    main()
