"""05 · Softmax, and why libraries compute log(softmax) with the log-sum-exp trick.

Softmax turns raw scores z into probabilities:  p_k = e^(z_k) / Σ_j e^(z_j).
On paper, log p_k is then just a log. On a computer, e^1000 does not fit in a float
(the largest is about 1.8e308, and e^710 is already bigger): it becomes inf, and
inf / inf is NaN, "not a number". One NaN and the whole training run is lost.

The fix uses the fact that softmax does not change when the same number m is
subtracted from every score. Take m = the largest score:

    log p_k = z_k − logsumexp(z),   logsumexp(z) = m + log Σ_j e^(z_j − m)

Now every exponent is ≤ 0, so e^(z_j − m) lies in (0, 1]: nothing overflows, and
one term is exactly 1, so the log never sees 0.

    python examples/05_softmax_and_logsumexp.py [--out DIR] [--fast]

Figures: naive_vs_stable.png, naive_graph.svg, logsumexp_graph.svg
"""

import numpy as np

from tiny_grad import Tensor, Value, draw_graph
from tiny_grad import functional as F

from _common import parse_args, pyplot, save_figure, save_svg

NAME = "05_softmax_and_logsumexp"


def named(node, label):
    node.label = label
    return node


def naive_log_softmax(z):
    """log(e^z_k / Σ e^z), exactly as written on paper, one Value at a time."""
    e = [named(zk.exp(), f"e^z{k}") for k, zk in enumerate(z)]
    total = named(e[0] + e[1] + e[2], "Σ e^z")
    return [named((ek / total).log(), f"log p{k}") for k, ek in enumerate(e)]


def stable_log_softmax(z):
    """z_k − (m + log Σ e^(z_j − m)) with m the largest score.

    m is one shared node, so the drawing shows its gradient: the paths through m cancel
    out to exactly 0. The result does not depend on which m we pick; the largest score
    is simply the choice that keeps every e^(z_j − m) at most 1.
    """
    m = Value(max(zk.data for zk in z), label="m (largest score)")
    shifted = [named(zk - m, f"z{k} − m") for k, zk in enumerate(z)]
    e = [named(sk.exp(), f"e^(z{k} − m)") for k, sk in enumerate(shifted)]
    lse = named(named((e[0] + e[1] + e[2]).log(), "log Σ e^(z − m)") + m, "logsumexp")
    return [named(zk - lse, f"log p{k}") for k, zk in enumerate(z)], m


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    plt = pyplot()
    out = args.out
    figures = []

    # ---- ordinary scores: both ways agree ------------------------------------------------------
    small = [2.0, 1.0, 0.1]
    naive_small = [v.data for v in naive_log_softmax([Value(s) for s in small])]
    stable_small = [v.data for v in stable_log_softmax([Value(s) for s in small])[0]]
    print(f"Scores {small}:")
    print("   naive  log softmax:", "  ".join(f"{x:.4f}" for x in naive_small))
    print("   stable log softmax:", "  ".join(f"{x:.4f}" for x in stable_small))
    print("   The same numbers: the trick changes nothing where nothing goes wrong.\n")

    # ---- scores of 1000: the naive way breaks -----------------------------------------------
    big = [1000.0, 999.0, 998.0]
    answer = 0
    print(f"Scores {big} (the same gaps of 1, just shifted up):")
    z = [Value(s, label=f"z{k}") for k, s in enumerate(big)]
    naive = naive_log_softmax(z)
    naive_ce = named(-naive[answer], "CE (naive)")
    naive_ce.backward()
    naive_values = np.array([v.data for v in naive])
    naive_grads = np.array([zk.grad for zk in z])
    print(f"   e^1000 = {z[0].exp().data}, so p = inf / inf = NaN")
    print("   naive  log softmax:", "  ".join(f"{x}" for x in naive_values))
    print("   naive  gradients  :", "  ".join(f"{x}" for x in naive_grads))
    figures.append(save_svg(draw_graph(naive_ce), out, "naive_graph.svg"))

    z = [Value(s, label=f"z{k}") for k, s in enumerate(big)]
    stable, m = stable_log_softmax(z)
    stable_ce = named(-stable[answer], "CE (stable)")
    stable_ce.backward()
    stable_values = np.array([v.data for v in stable])
    stable_grads = np.array([zk.grad for zk in z])
    print("   stable log softmax:", "  ".join(f"{x:.4f}" for x in stable_values))
    print("   stable gradients  :", "  ".join(f"{x:+.4f}" for x in stable_grads),
          " (p − t, as it should be)")
    print(f"   The gradient reaching m is {m.grad:.2g}, zero up to rounding: the paths through m\n"
          "   cancel, because which m we subtract does not change the result.")
    figures.append(save_svg(draw_graph(stable_ce), out, "logsumexp_graph.svg"))

    # The library does the same with Tensors: F.log_softmax subtracts logsumexp, and
    # F.cross_entropy is built on it.
    library = F.log_softmax(Tensor(big)).data
    naive_tensor = (Tensor(big).exp() / Tensor(big).exp().sum()).log().data
    print("   F.log_softmax     :", "  ".join(f"{x:.4f}" for x in library))
    print("   Tensor, naive     :", "  ".join(f"{x}" for x in naive_tensor))
    print(f"   F.cross_entropy   : {F.cross_entropy(Tensor([big]), [answer]).item():.4f}\n")

    # The other way to fail: a very negative score. e^-1000 rounds to 0, and log 0 = −inf.
    low = [0.0, -1000.0]
    naive_low = (Tensor(low).exp() / Tensor(low).exp().sum()).log().data
    stable_low = F.log_softmax(Tensor(low)).data
    print(f"Scores {low}: naive gives {naive_low[1]} for the second class (e^-1000 rounded to 0),")
    print(f"   the stable form gives {stable_low[1]:.1f}, the true value.\n")

    # ---- the picture: scale up the scores until the naive way breaks -------------------------
    base = np.array([1.0, 0.5, -1.0])
    scales = np.linspace(1, 1000, 400 if args.fast else 1000)
    naive_curve, stable_curve = [], []
    for c in scales:
        logits = Tensor(base * c)
        naive_curve.append((logits.exp() / logits.exp().sum()).log().data[1])
        stable_curve.append(F.log_softmax(logits).data[1])
    naive_curve, stable_curve = np.array(naive_curve), np.array(stable_curve)
    broken = ~np.isfinite(naive_curve)
    first_broken = scales[broken][0]
    print(f"Scores {base.tolist()} times c: the naive log p1 breaks from c ≈ {first_broken:.0f} "
          "on (e^710 overflows); the stable one never does.")

    fig, ax = plt.subplots(figsize=(8, 4.2))
    ax.plot(scales, stable_curve, lw=3, color="#31a354", label="stable: z − logsumexp(z)")
    ax.plot(scales, np.where(broken, np.nan, naive_curve), lw=2, ls="--", color="#e6550d",
            label="naive: log(e^z / Σ e^z), until it breaks")
    ax.axvspan(first_broken, scales[-1], color="crimson", alpha=0.12,
               label="naive gives NaN / −inf here")
    ax.set_xlabel("c  (the scores are c · [1, 0.5, −1])")
    ax.set_ylabel("log p of class 1")
    ax.set_title("log softmax as the scores grow: the naive formula overflows")
    ax.legend(loc="lower left")
    figures.append(save_figure(fig, out, "naive_vs_stable.png"))

    return {
        "naive_values": naive_values, "naive_grads": naive_grads,
        "naive_has_nan": bool(np.isnan(naive_values).any() and np.isnan(naive_grads).any()),
        "naive_tensor_has_nan": bool(np.isnan(naive_tensor).any()),
        "stable_values": stable_values, "stable_grads": stable_grads, "m_grad": m.grad,
        "stable_finite": bool(np.isfinite(stable_values).all() and np.isfinite(stable_grads).all()),
        "library_values": library,
        "naive_low_is_minus_inf": bool(np.isneginf(naive_low[1])),
        "stable_low": stable_low,
        "naive_breaks_at_scale": float(first_broken),
        "small_scores_agree": bool(np.allclose(naive_small, stable_small)),
        "figures": [f for f in figures if f is not None],
    }


if __name__ == "__main__":
    main()
