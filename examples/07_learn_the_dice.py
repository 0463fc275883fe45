"""07 · Learning the two-dice distribution from rolls, with cross-entropy and SGD.

Example 02 found p(s) for the sum of two dice by counting: a triangle from 1/36 up to
6/36 and back. Here a model finds it without counting, just by watching rolls.

The model is as small as a model gets: eleven free numbers, one score (logit) per
possible sum 2…12. Softmax turns the scores into a probability distribution, and
cross-entropy measures how surprised that distribution is by the rolls that really
happened. Gradient steps make the surprise smaller, and the probabilities slide to
the right values: 1/36, 2/36, …, 6/36, …, 1/36.

    python examples/07_learn_the_dice.py [--out DIR] [--fast]

Figures: learned_vs_exact.png, training_loss.png
"""

import numpy as np

import tiny_grad as tg
from tiny_grad import Tensor, data, optim
from tiny_grad import functional as F

from _common import parse_args, progress, pyplot, save_figure, table

NAME = "07_learn_the_dice"


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out
    figures = []

    # ---- the data: real (simulated) rolls -----------------------------------------------------
    n_rolls = 50_000 if args.fast else 200_000
    batch_size = 2_500 if args.fast else 5_000
    epochs = 10
    dice = data.two_dice()
    sums = dice.sample(n_rolls, seed=7)            # e.g. [7, 4, 9, 7, ...]
    classes = sums - 2                             # sum 2 is class 0, ..., sum 12 is class 10
    exact = dice.probs                             # what counting says: k/36
    frequency = np.bincount(classes, minlength=11) / n_rolls
    print(f"{n_rolls:,} rolls of two dice; the model never sees the table of 36 patterns.")

    # ---- the model: one score per sum ------------------------------------------------------
    logits = Tensor(np.zeros(11), requires_grad=True, label="logits")   # all equal: 1/11 each
    # Start with big steps, and shrink them to nothing by the end (lr falls in a straight
    # line): far from the answer big steps save time, near it small steps let it settle
    # instead of jittering from one batch of rolls to the next (see example 06).
    start_lr = 1.0
    opt = optim.SGD([logits], lr=start_lr, momentum=0.9)
    batches_per_epoch = -(-n_rolls // batch_size)
    total_steps = epochs * batches_per_epoch
    rng = np.random.default_rng(0)

    step, losses = 0, []
    for epoch in range(1, epochs + 1):
        order = rng.permutation(n_rolls)            # a new shuffle of the rolls every epoch
        for start in range(0, n_rolls, batch_size):
            batch = classes[order[start:start + batch_size]]
            opt.lr = start_lr * (1 - step / total_steps)
            # Cross-entropy from its five pieces, for a batch of rolls:
            log_p = F.log_softmax(logits)            # 1 + 2: the distribution, and its log
            t = tg.one_hot(batch, 11)                # 3: the training data, one row per roll
            ce = -(t * log_p).sum(axis=1).mean()     # 4: sum over sums, mean over rolls; 5: minus
            opt.zero_grad()
            ce.backward()                            # d ce / d logits = p − (batch frequencies)
            opt.step()
            losses.append(ce.item())
            step += 1
            progress("learning the dice", step, total_steps, loss=ce.item())
        learned = F.softmax(logits).data
        print(f"   epoch {epoch:2d}: cross-entropy {np.mean(losses[-batches_per_epoch:]):.4f}, "
              f"p(7) = {learned[5]:.4f} (exact {exact[5]:.4f}), "
              f"p(2) = {learned[0]:.4f} (exact {exact[0]:.4f})")

    learned = F.softmax(logits).data
    error = np.abs(learned - exact)
    entropy = float(-(exact * np.log(exact)).sum())
    print()
    print(table([(s, f"{k}/36", f"{e:.4f}", f"{f:.4f}", f"{l:.4f}")
                 for s, k, e, f, l in zip(dice.outcomes, dice.counts, exact, frequency, learned)],
                header=("sum", "exact", "= decimal", "in the rolls", "learned")))
    print(f"   The largest difference between learned and exact: {error.max():.4f}.")
    print("   The model learned the frequencies it saw, and those are close to the truth.")
    print(f"   The loss levels off at about {entropy:.2f}, the entropy of two dice: even the exact")
    print("   distribution is that surprised, on average, by a random roll. Training removes the")
    print("   surprise the model is to blame for, not the randomness of the dice. (On these rolls")
    print("   it can dip a hair lower, because it fits their own frequencies.)\n")

    # ---- figures ------------------------------------------------------------------------------
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.bar(dice.outcomes - 0.2, learned, 0.4, color="#fd8d3c", label="learned by SGD")
    ax.bar(dice.outcomes + 0.2, frequency, 0.4, color="#9ecae1", label="frequency in the rolls")
    ax.plot(dice.outcomes, exact, "o--", color="crimson", label="exact k/36")
    ax.set_xticks(dice.outcomes)
    ax.set_yticks(np.arange(0, 7) / 36, [f"{k}/36" for k in range(7)])
    ax.set_xlabel("sum of two dice")
    ax.set_ylabel("probability")
    ax.set_title(f"Learned from {n_rolls:,} rolls: largest error {error.max():.4f}")
    ax.legend(loc="upper right", fontsize=9)
    figures.append(save_figure(fig, out, "learned_vs_exact.png"))

    fig, ax = plt.subplots(figsize=(8, 3.6))
    ax.plot(np.arange(1, len(losses) + 1), losses, lw=1.5, label="cross-entropy of each batch")
    ax.axhline(np.log(11), color="grey", ls=":", label=f"start: 1/11 each, log 11 = {np.log(11):.3f}")
    ax.axhline(entropy, color="crimson", ls="--", label=f"entropy of two dice = {entropy:.3f}")
    ax.set_xlabel("step (one batch of rolls)")
    ax.set_ylabel("cross-entropy")
    ax.set_title("Training: the surprise falls to what randomness leaves")
    ax.legend()
    figures.append(save_figure(fig, out, "training_loss.png"))

    return {
        "learned": learned, "exact": exact, "frequency": frequency,
        "max_error": float(error.max()), "entropy": entropy, "n_rolls": n_rolls,
        "final_loss": float(np.mean(losses[-batches_per_epoch:])), "losses": np.array(losses),
        "figures": figures,
    }


if __name__ == "__main__":
    main()
