"""06 · The learning rate: small steps, not one big jump.

Backward tells every parameter which way makes the gap bigger; training moves it a
little the other way. "A little" is the learning rate (lr):  parameter −= lr · gradient.

Two experiments with the same tiny model, a straight line  y = w·x + b  fitted to
twenty points:

1. The whole data set, three learning rates. Too small crawls; about right settles
   quickly; too large overshoots further every step, like "adding three more sugar
   cubes to make the coffee a bit sweeter" and getting sugar water.
2. One question at a time (the twenty points are twenty questions). Closing each
   question's gap completely (lr = 1) answers the last question exactly and spoils
   the others; small steps, repeated, find a line that answers them all fairly well.

    python examples/06_learning_rate.py [--out DIR] [--fast]

Figures: learning_rates.png, twenty_questions.png
"""

import numpy as np

from tiny_grad import Tensor, Value, optim
from tiny_grad import functional as F

from _common import parse_args, progress, pyplot, save_figure, table

NAME = "06_learning_rate"
LEARNING_RATES = {"too small": 0.01, "about right": 0.3, "too large": 0.65}


def make_points(n=20, seed=0):
    """n points near the line y = 0.5·x + 1, with some noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = 0.5 * x + 1 + rng.normal(0, 0.3, n)
    return x, y


def train_full_batch(x, y, lr, steps):
    """Gradient descent on the mean squared error over all the points; the loss per step."""
    w = Tensor(0.0, requires_grad=True, label="w")
    b = Tensor(0.0, requires_grad=True, label="b")
    opt = optim.SGD([w, b], lr=lr)
    X, Y = Tensor(x), Tensor(y)
    losses, slopes = [], []
    for step in range(steps):
        opt.zero_grad()
        loss = F.mse_loss(X * w + b, Y)   # forward: how far off is the line?
        loss.backward()                   # backward: which way is "more wrong"?
        opt.step()                        # move w and b a step of size lr the other way
        losses.append(loss.item())
        slopes.append(w.item())
    return np.array(losses), np.array(slopes)


def one_question_at_a_time(x, y, lr, passes):
    """Go through the questions in order, `passes` times, fixing a share `lr` of each gap.

    With loss ½·gap², the gradient is gap·x for w and gap for b. A plain step
    lr·gradient changes this question's answer by lr·gap·(x² + 1), so we divide by
    (x² + 1): then lr = 1 closes this question's gap exactly, and lr = 0.05 closes 5%.
    """
    w, b = Value(0.0, label="w"), Value(0.0, label="b")
    for _ in range(passes):
        for xi, yi in zip(x, y):
            gap = w * xi + b - yi
            loss = 0.5 * gap ** 2
            w.grad = b.grad = 0.0
            loss.backward()
            step = lr / (xi * xi + 1)
            w.data -= step * w.grad
            b.data -= step * b.grad
    return w.data, b.data


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out
    figures = []
    x, y = make_points()

    # ---- 1. three learning rates --------------------------------------------------------
    steps = 30 if args.fast else 40
    print(f"1. Fitting a line to {len(x)} points, {steps} steps of gradient descent each:")
    curves = {}
    for i, (name, lr) in enumerate(LEARNING_RATES.items()):
        curves[name] = train_full_batch(x, y, lr, steps)
        progress("learning rates", i + 1, len(LEARNING_RATES), lr=lr)
    final = {name: losses[-1] for name, (losses, _) in curves.items()}
    print(table([(name, lr, f"{curves[name][0][0]:.3f}", f"{final[name]:.4g}")
                 for name, lr in LEARNING_RATES.items()],
                header=("", "lr", "loss at start", f"loss after {steps} steps")))
    print("   Too small: still far off. About right: settled. Too large: every step jumps past")
    print("   the best line, further each time, and the loss explodes.\n")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    colours = {"too small": "#6baed6", "about right": "#31a354", "too large": "crimson"}
    for name, (losses, slopes) in curves.items():
        label = f"lr = {LEARNING_RATES[name]} ({name})"
        ax1.plot(losses, lw=2, color=colours[name], label=label)
        ax2.plot(slopes, lw=2, color=colours[name], marker=".", label=label)
    ax1.set_yscale("log")
    ax1.set_xlabel("step")
    ax1.set_ylabel("loss (MSE, log scale)")
    ax1.set_title("Same model, three learning rates")
    ax1.legend()
    best_w = np.polyfit(x, y, 1)[0]
    ax2.axhline(best_w, color="grey", ls=":", label=f"best slope {best_w:.2f}")
    ax2.set_ylim(-1.5, 2.5)
    ax2.set_xlabel("step")
    ax2.set_ylabel("slope w")
    ax2.set_title("Too large: every step overshoots, further each time")
    ax2.legend(fontsize=8, loc="lower right", framealpha=1)
    figures.append(save_figure(fig, out, "learning_rates.png"))

    # ---- 2. twenty questions -----------------------------------------------------------
    print("2. Twenty questions, one at a time (each point is a question: 'what is y at this x?')")
    full = one_question_at_a_time(x, y, lr=1.0, passes=1)
    small = one_question_at_a_time(x, y, lr=0.05, passes=10 if args.fast else 20)
    gaps_full = np.abs(full[0] * x + full[1] - y)
    gaps_small = np.abs(small[0] * x + small[1] - y)
    print("   lr = 1 closes every gap completely, the moment it sees the question.")
    print(f"   Afterwards: question 20 is answered exactly (gap {gaps_full[-1]:.3f}); the other 19 "
          f"are off by {gaps_full[:-1].mean():.2f} on average.")
    print("   Small steps (lr = 0.05, several passes): every question is off by "
          f"{gaps_small.mean():.2f} on average, the last one by {gaps_small[-1]:.2f}.")
    loss_full, loss_small = np.mean(gaps_full ** 2), np.mean(gaps_small ** 2)
    print(f"   Mean squared gap over all twenty: {loss_full:.3f} (lr = 1) vs {loss_small:.3f} "
          f"(small steps), {loss_full / loss_small:.1f} times worse.")
    print("   Fully adapting to each question teaches the model the last answer and erases\n"
          "   what the earlier ones taught: that is why the correction is scaled down.\n")

    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(11, 4))
    grid = np.linspace(-2.2, 2.2, 2)
    ax1.plot(x, y, "o", color="grey", label="the twenty questions")
    ax1.plot(x[-1], y[-1], "o", ms=12, mfc="none", mec="crimson", mew=2, label="the last one")
    ax1.plot(grid, full[0] * grid + full[1], color="crimson", lw=2, label="lr = 1, one pass")
    ax1.plot(grid, small[0] * grid + small[1], color="#31a354", lw=2,
             label="lr = 0.05, small steps")
    ax1.set_xlabel("x")
    ax1.set_ylabel("y")
    ax1.set_title("Full correction passes through the last point")
    ax1.legend(fontsize=8)
    q = np.arange(1, len(x) + 1)
    ax2.bar(q - 0.2, gaps_full, 0.4, color="crimson", label="lr = 1")
    ax2.bar(q + 0.2, gaps_small, 0.4, color="#31a354", label="lr = 0.05")
    ax2.set_xticks([1, 5, 10, 15, 20])
    ax2.set_xlabel("question")
    ax2.set_ylabel("|gap| after training")
    ax2.set_title("Gaps per question: lr = 1 zeroes only the last for sure")
    ax2.legend()
    figures.append(save_figure(fig, out, "twenty_questions.png"))

    return {
        "learning_rates": dict(LEARNING_RATES),
        "losses": {name: losses for name, (losses, _) in curves.items()},
        "final_loss": final,
        "full_correction_gaps": gaps_full, "small_step_gaps": gaps_small,
        "full_correction_last_gap": float(gaps_full[-1]),
        "full_correction_other_mean_gap": float(gaps_full[:-1].mean()),
        "small_step_mean_gap": float(gaps_small.mean()),
        "full_correction_loss": float(loss_full), "small_step_loss": float(loss_small),
        "figures": figures,
    }


if __name__ == "__main__":
    main()
