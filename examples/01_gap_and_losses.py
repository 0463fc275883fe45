"""01 · The gap (ずれ), and three ways to measure it: MSE, MAE and cross-entropy.

Supervised learning compares what a model answers with the right answer. The
difference is the gap, and learning means making it smaller. For one number a
subtraction says everything. For several numbers at once we need a single number
that says "how far off, overall": that number is the loss.

This example
  1. measures the gap for a scalar (one person's height) and for a vector (five heights),
  2. computes MSE and MAE on the five heights, then makes one guess very wrong,
  3. computes MSE, MAE and cross-entropy on the same probability predictions, then makes
     one of them confidently wrong, and watches which loss cares most.

    python examples/01_gap_and_losses.py [--out DIR] [--fast]

Figures: gaps.png, loss_curves.png, loss_growth.png
"""

import numpy as np

import tiny_grad as tg
from tiny_grad import Tensor, Value
from tiny_grad import functional as F

from _common import parse_args, pyplot, save_figure, table

NAME = "01_gap_and_losses"


def cross_entropy_of_probs(p, answers):
    """−Σ t·log p, averaged over the rows: the five pieces (example 04 takes it apart)."""
    t = tg.one_hot(answers, p.shape[1])
    return -(t * p.log()).sum(axis=1).mean()


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out

    # ---- 1. A scalar gap: one person's height --------------------------------------------
    print("1. The gap for one number")
    guess = Value(168.0, label="guess")     # what the model says, in cm
    answer = 172.5                          # what the training data says
    gap = guess - answer                    # negative: the guess is too short
    print(f"   The model guesses {guess.data} cm, the answer is {answer} cm.")
    print(f"   gap = guess - answer = {gap.data:+.1f} cm: the sign says which way, "
          "the size says how far.")
    # Learning wants a number to make small, whatever the sign: square the gap.
    squared = gap ** 2
    squared.backward()
    print(f"   gap² = {squared.data:.2f}; its gradient d(gap²)/d(guess) = {guess.grad:+.1f} "
          "says: raise the guess.\n")

    # ---- 2. A vector gap: five heights at once ---------------------------------------------
    print("2. The gap for five numbers at once")
    answers_cm = np.array([172.5, 158.0, 181.0, 165.5, 176.0])
    guesses_cm = np.array([168.0, 160.5, 178.0, 166.0, 179.5])
    gaps = guesses_cm - answers_cm
    print("   gaps (cm):", " ".join(f"{g:+.1f}" for g in gaps))
    print("   Five gaps are not one verdict. A loss boils them down to one number:")
    pred, target = Tensor(guesses_cm), Tensor(answers_cm)
    mse = F.mse_loss(pred, target).item()   # mean of gap²: big gaps weigh much more
    mae = F.l1_loss(pred, target).item()    # mean of |gap|: every centimetre counts the same
    print(f"   MSE (mean squared error)  = {mse:.3f} cm²")
    print(f"   MAE (mean absolute error) = {mae:.3f} cm")

    # Now one guess goes badly wrong: the fourth person is guessed 30 cm too tall.
    wrong_cm = guesses_cm.copy()
    wrong_cm[3] = answers_cm[3] + 30.0
    mse_wrong = F.mse_loss(Tensor(wrong_cm), target).item()
    mae_wrong = F.l1_loss(Tensor(wrong_cm), target).item()
    mse_growth, mae_growth = mse_wrong / mse, mae_wrong / mae
    print("   One guess 30 cm off:")
    print(f"   MSE {mse:.2f} -> {mse_wrong:.2f}  (x{mse_growth:.1f})")
    print(f"   MAE {mae:.2f} -> {mae_wrong:.2f}  (x{mae_growth:.1f})")
    print("   Squaring makes MSE far more sensitive to one big mistake than MAE.\n")

    # ---- 3. Same probability predictions, three losses ------------------------------------
    print("3. Probabilities: MSE, MAE and cross-entropy on the same predictions")
    # Four questions with three possible answers each; each row is the model's probability
    # for answer 0, 1, 2. The right answers are the class indices below.
    right = [0, 2, 1, 0]
    probs = np.array([[0.70, 0.20, 0.10],
                      [0.10, 0.20, 0.70],
                      [0.15, 0.70, 0.15],
                      [0.70, 0.10, 0.20]])
    onehot = tg.one_hot(right, 3)           # the training data as probabilities: 1 on the answer

    def three_losses(p):
        """The three losses, and how hard each pulls on question 4's right-answer probability."""
        result = {}
        for name, loss_fn in [("MSE", lambda q: F.mse_loss(q, onehot)),
                              ("MAE", lambda q: F.l1_loss(q, onehot)),
                              ("CE", lambda q: cross_entropy_of_probs(q, right))]:
            q = Tensor(p, requires_grad=True)
            loss = loss_fn(q)
            loss.backward()                 # the gradient is how the loss reacts: its pull
            result[name] = (loss.item(), q.grad.data[3, right[3]])
        return result

    before = three_losses(probs)
    # One confident mistake: question 4 now gets only 1% on its right answer.
    confident_wrong = probs.copy()
    confident_wrong[3] = [0.01, 0.98, 0.01]
    after = three_losses(confident_wrong)
    print(table([(k, f"{before[k][0]:.4f}", f"{after[k][0]:.4f}",
                  f"{before[k][1]:+.3f}", f"{after[k][1]:+.3f}") for k in before],
                header=("loss", "all fair", "one sure mistake",
                        "pull before", "pull after")))
    print("   'pull' is d loss / d p(right answer) of question 4: the push the gradient gives.")
    print("   MAE's pull does not change at all, MSE's triples, and cross-entropy's grows")
    print(f"   {after['CE'][1] / before['CE'][1]:.0f}-fold, because −log p shoots up as p heads "
          f"to 0 (−log 0.01 = {-np.log(0.01):.2f}).")
    print("   A probability is off by at most 1, so MSE and MAE stay small; cross-entropy has")
    print("   no ceiling. It punishes being sure and wrong.\n")

    # ---- figures ------------------------------------------------------------------------------
    figures = []

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 2.4]})
    ax1.bar(["answer", "guess"], [answer, guess.data], color=["#74c476", "#6baed6"])
    ax1.annotate("", xy=(1, answer), xytext=(1, guess.data),
                 arrowprops=dict(arrowstyle="<->", color="crimson", lw=2))
    ax1.text(1.08, (answer + guess.data) / 2, f"gap\n{gap.data:+.1f} cm", color="crimson",
             va="center")
    ax1.set_ylim(150, 180)
    ax1.set_ylabel("height (cm)")
    ax1.set_title("A scalar: one subtraction")
    people = np.arange(1, 6)
    ax2.vlines(people, answers_cm, guesses_cm, color="crimson", lw=2, label="gap")
    ax2.plot(people, answers_cm, "o", color="#31a354", ms=9, label="answer")
    ax2.plot(people, guesses_cm, "x", color="#2171b5", ms=10, mew=2, label="guess")
    for x, g in zip(people, gaps):
        ax2.text(x + 0.1, guesses_cm[x - 1], f"{g:+.1f}", color="crimson", fontsize=9)
    ax2.set_xticks(people, [f"person {i}" for i in people])
    ax2.set_ylabel("height (cm)")
    ax2.set_title(f"A vector: five gaps, one loss  (MSE {mse:.2f}, MAE {mae:.2f})")
    ax2.legend(loc="upper left")
    figures.append(save_figure(fig, out, "gaps.png"))

    # How each loss grows as ONE of the gaps grows (the other gaps stay as they are).
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    sizes = np.linspace(0, 30, 61)
    mse_curve, mae_curve = [], []
    for e in sizes:
        g = gaps.copy()
        g[3] = e
        mse_curve.append(np.mean(g ** 2) / mse)
        mae_curve.append(np.mean(np.abs(g)) / mae)
    ax1.plot(sizes, mse_curve, lw=2, label="MSE (squares)")
    ax1.plot(sizes, mae_curve, lw=2, label="MAE (absolute values)")
    ax1.set_xlabel("size of one gap (cm); the other four stay small")
    ax1.set_ylabel("loss / loss before")
    ax1.set_title("Heights: one gap grows")
    ax1.legend()
    p_right = np.linspace(0.005, 1.0, 200)
    # One question's loss as the probability of its right answer falls (the rest split evenly).
    t = np.array([1.0, 0.0, 0.0])
    rows = np.stack([p_right, (1 - p_right) / 2, (1 - p_right) / 2], axis=1)
    ax2.plot(p_right, ((rows - t) ** 2).mean(axis=1), lw=2, label="MSE")
    ax2.plot(p_right, np.abs(rows - t).mean(axis=1), lw=2, label="MAE")
    ax2.plot(p_right, -np.log(p_right), lw=2, label="cross-entropy  −log p")
    ax2.set_xlabel("probability the model gives the right answer")
    ax2.set_ylabel("loss of that one question")
    ax2.set_ylim(0, 5.5)
    ax2.invert_xaxis()
    ax2.set_title("Probabilities: sure and wrong is punished by CE")
    ax2.legend()
    figures.append(save_figure(fig, out, "loss_curves.png"))

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    bars = ax1.bar(["MSE", "MAE"], [mse_growth, mae_growth], color=["#6baed6", "#9ecae1"])
    ax1.bar_label(bars, labels=[f"x{mse_growth:.1f}", f"x{mae_growth:.1f}"])
    ax1.set_ylabel("loss after / loss before")
    ax1.set_title("Heights: one guess 30 cm off")
    names = list(before)
    x = np.arange(len(names))
    pulls_before = [abs(before[k][1]) for k in names]
    pulls_after = [abs(after[k][1]) for k in names]
    ax2.bar(x - 0.2, pulls_before, 0.4, label="all fair (p = 0.70)", color="#9ecae1")
    bars = ax2.bar(x + 0.2, pulls_after, 0.4, label="sure and wrong (p = 0.01)", color="#e6550d")
    ax2.bar_label(bars, labels=[f"{v:.3g}" for v in pulls_after])
    ax2.set_xticks(x, names)
    ax2.set_yscale("log")
    ax2.set_ylabel("|d loss / d p(right answer)|  (log scale)")
    ax2.set_title("Probabilities: how hard each loss pulls")
    ax2.legend(loc="upper left")
    figures.append(save_figure(fig, out, "loss_growth.png"))

    return {
        "scalar_gap": gap.data,
        "vector_gaps": gaps,
        "mse": mse, "mae": mae,
        "mse_one_large_error": mse_wrong, "mae_one_large_error": mae_wrong,
        "mse_growth": mse_growth, "mae_growth": mae_growth,
        # {loss name: (value, d loss / d p(right answer) of question 4)}
        "prob_losses_before": before, "prob_losses_after": after,
        "figures": figures,
    }


if __name__ == "__main__":
    main()
