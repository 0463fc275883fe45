"""03 · The natural logarithm on (0, 1]: where probabilities live.

The second of cross-entropy's five pieces is log, the natural logarithm (base e).
Probabilities run from 0 to 1, so only that stretch of log matters to us:

* log 1 = 0: an answer the model was sure of costs nothing;
* as p shrinks towards 0, log p falls without a bottom, faster and faster;
* log 0 itself does not exist (tiny_grad, like NumPy, says −inf), so in practice
  probabilities are kept above a tiny eps such as 1e-8.

Flip the sign and −log p reads as "surprise": 0 for a sure thing, large for a shock.

    python examples/03_natural_log.py [--out DIR] [--fast]

Figures: log_curve.png, surprise.png
"""

import math

import numpy as np

from tiny_grad import Tensor, Value

from _common import parse_args, pyplot, save_figure, table

NAME = "03_natural_log"
EPS = 1e-8


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out
    figures = []

    # ---- log of the two-dice probabilities --------------------------------------------------
    print("log of probabilities, from the rarest sum of two dice (1/36) up to a sure thing (1):")
    ks = [1, 2, 3, 4, 5, 6, 12, 18, 36]
    logs = {k: Value(k / 36).log().data for k in ks}
    print(table([(f"{k}/36", f"{k / 36:.4f}", f"{logs[k]:+.4f}") for k in ks],
                header=("p", "decimal", "log p")))
    print(f"   log(1/36) = {logs[1]:.4f}, and log 1 = {logs[36]:.0f}. Every log p here is <= 0.")
    print("   Halving a probability always lowers log p by the same step, log 2 = "
          f"{math.log(2):.4f}:")
    print(f"   log(6/36) - log(3/36) = {logs[6] - logs[3]:.4f}, log(2/36) - log(1/36) = "
          f"{logs[2] - logs[1]:.4f}.\n")

    # ---- the slope: confident mistakes cost the most ---------------------------------------
    # backward gives d log p / dp = 1/p: near 0 the curve is very steep.
    slopes = {}
    for p in (1.0, 0.5, 1 / 36, 0.001):
        v = Value(p)
        v.log().backward()
        slopes[p] = v.grad
    print("The steepness of log, from backward (d log p / dp = 1/p):")
    print("   " + ",  ".join(f"at p = {p:.4g}: {g:.4g}" for p, g in slopes.items()))
    print("   The rarer the answer, the steeper the curve: shrinking an already small\n"
          "   probability costs more and more.\n")

    # ---- log 0 ----------------------------------------------------------------------------
    print("log 0: heading down forever")
    for p in (1e-1, 1e-2, 1e-4, 1e-8, 1e-16, 1e-300):
        print(f"   {f'log({p:g})':>12} = {math.log(p):8.2f}")
    log0_value = Value(0.0).log().data               # a Value: -inf, as NumPy says
    log0_tensor = Tensor([0.0, 0.5, 1.0]).log().data  # a Tensor: -inf at the 0
    print(f"   There is no bottom, so log 0 does not exist: tiny_grad answers {log0_value} "
          f"(Value) and {log0_tensor[0]} (Tensor).")
    # A loss of inf cannot be made smaller step by step, and its gradient 1/0 is inf too.
    # Keeping p above a tiny eps is the usual way out.
    p = Tensor([0.0, 1e-12, 0.3], requires_grad=True)
    safe = p.clip(EPS, 1.0).log()
    print(f"   With eps = {EPS:g}: log(clip(p, eps, 1)) for p = 0, 1e-12, 0.3 gives "
          + ", ".join(f"{x:.3f}" for x in safe.data))
    print(f"   log(eps) = {math.log(EPS):.2f} is the floor: a large but finite cost, and "
          "training can carry on.\n")

    # ---- surprise ----------------------------------------------------------------------------
    print("−log p as surprise:")
    surprises = {k: 0.0 - logs[k] for k in ks}   # 0.0 - x: no '-0.0' at p = 1
    for k in (36, 6, 1):
        print(f"   p = {k}/36: surprise {surprises[k]:.3f}")
    print("   Cross-entropy is the average surprise the model feels at the right answers.\n")

    # ---- figures ------------------------------------------------------------------------------
    x = np.linspace(1e-4, 1.0, 2000)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    ax.plot(x, np.log(x), lw=2, label="log x")
    dice_p = np.arange(1, 7) / 36
    ax.plot(dice_p, np.log(dice_p), "o", color="crimson", label="two-dice probabilities 1/36 … 6/36")
    ax.plot([1.0], [0.0], "o", color="#31a354", label="log 1 = 0")
    ax.annotate(f"log(1/36) = {logs[1]:.2f}", xy=(1 / 36, logs[1]), xytext=(0.15, -5),
                arrowprops=dict(arrowstyle="->"))
    ax.axhline(0, color="grey", lw=0.8)
    ax.set_ylim(-9.5, 0.8)
    ax.set_xlim(0, 1.02)
    ax.set_xlabel("x (a probability)")
    ax.set_ylabel("log x")
    ax.set_title("The natural log on (0, 1]: 0 at 1, falling without end towards 0")
    ax.legend(loc="lower right")
    figures.append(save_figure(fig, out, "log_curve.png"))

    fig, ax = plt.subplots(figsize=(8, 4.5))
    x = np.logspace(-10, 0, 2000)
    ax.plot(x, -np.log(x), lw=2, label="surprise  −log p")
    ax.plot(x, -np.log(np.clip(x, EPS, 1.0)), lw=2, ls="--", color="crimson",
            label=f"with eps = {EPS:g}: never above {-math.log(EPS):.1f}")
    for k, text_y in ((36, 1.0), (6, 3.5), (1, 6.0)):   # labels in the empty lower left
        ax.annotate(f"p = {k}/36: surprise {surprises[k]:.2f}", xy=(k / 36, surprises[k]),
                    xytext=(1e-7, text_y), arrowprops=dict(arrowstyle="->", color="grey"))
    ax.set_xscale("log")
    ax.set_xlabel("probability of what happened (log scale)")
    ax.set_ylabel("−log p")
    ax.set_title("−log p: no surprise at a sure thing, no ceiling for the impossible")
    ax.legend(loc="upper right")
    figures.append(save_figure(fig, out, "surprise.png"))

    return {
        "log_1_36": logs[1], "log_1": logs[36], "logs": logs,
        "log0_value": log0_value, "log0_tensor": float(log0_tensor[0]),
        "log_with_eps": safe.data, "log_eps": math.log(EPS),
        "slopes": slopes, "surprises": surprises,
        "figures": figures,
    }


if __name__ == "__main__":
    main()
