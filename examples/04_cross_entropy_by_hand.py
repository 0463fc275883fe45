"""04 · Cross-entropy by hand, from its five pieces.

    CE(t, p) = − Σ_k t_k · log p_k

1. a probability distribution p   (softmax turns raw scores into one)
2. the natural logarithm log
3. the training data t            (1 on the right answer, 0 elsewhere: "one-hot")
4. a sum Σ                        (over the classes; then a mean over the examples)
5. a minus sign                   (log p ≤ 0, so −log p is a gap ≥ 0 to make small)

First we build it one number at a time with Values, for a single example, and draw
the graph with its gradients. Then the same five pieces with a Tensor, for a batch.
Finally both are compared with the library's F.cross_entropy.

    python examples/04_cross_entropy_by_hand.py [--out DIR] [--fast]

Figures: ce_values_graph.svg, ce_tensor_graph.svg
"""

import math

import numpy as np

import tiny_grad as tg
from tiny_grad import Tensor, Value, draw_graph
from tiny_grad import functional as F

from _common import parse_args, save_svg

NAME = "04_cross_entropy_by_hand"


def named(node, label):
    """Give a node a label (it shows in the drawing) and return it."""
    node.label = label
    return node


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    out = args.out
    figures = []

    # ---- one example, with Values -----------------------------------------------------------
    print("One example with three classes; the right answer is class 0.")
    scores = [2.0, 1.0, 0.1]
    answer = 0
    z = [Value(s, label=f"z{k}") for k, s in enumerate(scores)]   # the model's raw scores

    # Piece 1, a probability distribution: softmax. e^z is positive; dividing by the total
    # makes the three add up to 1.
    e = [named(zk.exp(), f"e^z{k}") for k, zk in enumerate(z)]
    total = named(e[0] + e[1] + e[2], "Σ e^z")
    p = [named(ek / total, f"p{k}") for k, ek in enumerate(e)]
    # Piece 3, the training data: the answer as a distribution, all on class 0.
    t = [Value(1.0 if k == answer else 0.0, label=f"t{k}") for k in range(3)]
    # Piece 2, the natural log, and piece 4, the sum over the classes...
    logp = [named(pk.log(), f"log p{k}") for k, pk in enumerate(p)]
    terms = [named(tk * lk, f"t{k}·log p{k}") for k, (tk, lk) in enumerate(zip(t, logp))]
    summed = named(terms[0] + terms[1] + terms[2], "Σ t·log p")
    # ...and piece 5, the minus sign.
    ce = named(-summed, "CE")

    print("   p  =", "  ".join(f"{pk.data:.4f}" for pk in p), f"  (they add up to "
          f"{sum(pk.data for pk in p):.4f})")
    print("   t  =", "  ".join(f"{tk.data:.0f}" for tk in t))
    print("   log p =", "  ".join(f"{lk.data:.4f}" for lk in logp))
    print(f"   CE = −(1·log p0 + 0·log p1 + 0·log p2) = −log p0 = {ce.data:.4f}")
    print("   Only the right answer's term survives: t switches the others off.")

    ce.backward()
    grads = np.array([zk.grad for zk in z])
    p_minus_t = np.array([pk.data - tk.data for pk, tk in zip(p, t)])
    print("   backward: dCE/dz =", "  ".join(f"{g:+.4f}" for g in grads))
    print("   which is p − t    =", "  ".join(f"{g:+.4f}" for g in p_minus_t),
          ": raise the right score, lower the others.")
    reference = F.cross_entropy(Tensor([scores]), [answer]).item()
    print(f"   F.cross_entropy on the same scores: {reference:.4f}\n")
    figures.append(save_svg(draw_graph(ce, rankdir="LR"), out, "ce_values_graph.svg"))

    # ---- a batch, with a Tensor --------------------------------------------------------------
    print("A batch of four examples, the same five pieces with Tensors:")
    logits = Tensor([[2.0, 1.0, 0.1],
                     [0.5, 2.5, -1.0],
                     [-0.3, 0.2, 1.5],
                     [1.2, -0.7, 0.4]], requires_grad=True, label="logits")
    answers = [0, 1, 2, 1]
    probs = named(F.softmax(logits, axis=1), "p = softmax(logits)")   # 1. distribution
    onehot = named(tg.one_hot(answers, 3), "t (one-hot answers)")      # 3. training data
    log_probs = named(probs.log(), "log p")                            # 2. log
    per_example = named((onehot * log_probs).sum(axis=1), "Σ_k t·log p")  # 4. sum (classes)
    mean = named(per_example.mean(), "mean over examples")             # ...and the examples
    ce_hand = named(-mean, "CE (by hand)")                             # 5. minus
    ce_library = F.cross_entropy(logits.detach(), answers)
    print("   per-example CE:", "  ".join(f"{-x:.4f}" for x in per_example.data))
    print(f"   CE by hand       = {ce_hand.item():.6f}")
    print(f"   F.cross_entropy  = {ce_library.item():.6f}")
    ce_hand.backward()
    expected_grad = (probs.data - onehot.data) / len(answers)
    grads_match = bool(np.allclose(logits.grad.data, expected_grad))
    print(f"   d CE / d logits equals (p − t) / N: {grads_match}")
    print("   The library skips softmax-then-log and uses log_softmax directly (see example 05),\n"
          "   but on ordinary numbers the answer is the same.\n")
    figures.append(save_svg(draw_graph(ce_hand, rankdir="TB"), out, "ce_tensor_graph.svg"))

    return {
        "value_ce": ce.data, "value_ce_reference": reference,
        "value_grads": grads, "value_p_minus_t": p_minus_t,
        "value_ce_is_minus_log_p": math.isclose(ce.data, -math.log(p[answer].data)),
        "tensor_ce_hand": ce_hand.item(), "tensor_ce_library": ce_library.item(),
        "tensor_grads_match": grads_match,
        "figures": [f for f in figures if f is not None],
    }


if __name__ == "__main__":
    main()
