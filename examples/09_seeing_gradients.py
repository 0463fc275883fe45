"""09 · Seeing gradients: drawing graphs of both engines, and the order of backward.

Every number tiny_grad computes remembers where it came from, so the whole
computation can be drawn: boxes for values (with their data and gradient), ovals
for the operations between them. This example draws

  * one neuron with Values, plain and coloured by the size of each gradient;
  * a small network with Tensors, the same two ways;
  * the order in which backward visits the nodes: the output first, then every node
    only after all the nodes that use it, so its gradient is complete when passed on.

    python examples/09_seeing_gradients.py [--out DIR] [--fast]

Figures: value_graph.svg, value_graph_by_grad.svg, backward_order.svg, tensor_graph.svg,
         tensor_graph_by_grad.svg (and value_graph.html, tensor_graph.html: step through
         backward in a browser, when tiny_grad.viz has to_html)
"""

from pathlib import Path

import numpy as np

import tiny_grad as tg
from tiny_grad import Tensor, Value, draw_graph, nn
from tiny_grad import functional as F
from tiny_grad import viz

from _common import parse_args, save_svg

NAME = "09_seeing_gradients"


def neuron():
    """loss = (tanh(w1·x1 + w2·x2 + b) − y)²: one neuron and its squared gap, every node named."""
    x1, x2 = Value(2.0, label="x1"), Value(-1.0, label="x2")
    w1, w2 = Value(-0.5, label="w1"), Value(0.8, label="w2")
    b = Value(0.6, label="b")
    y = Value(1.0, label="y (answer)")
    x1w1 = x1 * w1
    x1w1.label = "x1·w1"
    x2w2 = x2 * w2
    x2w2.label = "x2·w2"
    s = x1w1 + x2w2
    s.label = "x1·w1 + x2·w2"
    n = s + b
    n.label = "n"
    out = n.tanh()
    out.label = "out = tanh(n)"
    gap = out - y
    gap.label = "gap"
    loss = gap ** 2
    loss.label = "loss = gap²"
    return loss, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "out": out, "gap": gap}


def backward_order(root):
    """The nodes in the order backward visits them: the reverse of a topological order.

    A topological order lists every node after its parents (the nodes it was computed
    from). We find one with a depth-first walk that keeps its own stack, so even a chain
    of a million nodes needs no deep recursion, the same walk autograd.py does. Backward
    goes through it from the end: a node is handled only when every node that used it
    has passed its share of the gradient back, so its gradient is complete.
    """
    order, seen = [], set()
    stack = [(root, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)          # all its parents are already in the list
            continue
        if id(node) in seen:
            continue
        seen.add(id(node))
        stack.append((node, True))      # come back to it after its parents
        for parent in reversed(node.parents):   # reversed: the first parent is walked first
            if id(parent) not in seen:
                stack.append((parent, False))
    return order[::-1]


def is_reverse_topological(order):
    """True if every node comes before all of its parents."""
    position = {id(node): i for i, node in enumerate(order)}
    return all(position[id(parent)] > position[id(node)]
               for node in order for parent in node.parents)


def main(argv=None):
    args = parse_args(NAME, argv, __doc__)
    out = args.out
    figures, pages = [], []

    # ---- one neuron, with Values ----------------------------------------------------------
    loss, v = neuron()
    loss.backward()
    print(f"One neuron: out = tanh(w1·x1 + w2·x2 + b) = {v['out'].data:.4f}, the answer is 1, "
          f"loss = (out − 1)² = {loss.data:.4f}")
    # The chain rule by hand for w1, to check backward:
    #   dloss/dw1 = 2·gap · (1 − out²) · x1
    by_hand = 2 * v["gap"].data * (1 - v["out"].data ** 2) * v["x1"].data
    print(f"   backward says dloss/dw1 = {v['w1'].grad:.4f}; the chain rule by hand, "
          f"2·gap·(1 − out²)·x1 = {by_hand:.4f}")
    print("   Each box in the drawing holds a value and its gradient: how much the loss would")
    print("   change per unit nudge of that value.")
    figures.append(save_svg(draw_graph(loss), out, "value_graph.svg"))
    figures.append(save_svg(draw_graph(loss, color_by_grad=True), out, "value_graph_by_grad.svg"))
    print("   Coloured by |gradient|: the darker a box, the more the loss cares about it.\n")

    # ---- the order of backward ---------------------------------------------------------------
    order = backward_order(loss)
    valid = is_reverse_topological(order)
    print("The order backward visits the nodes (each after every node that uses it):")
    for step, node in enumerate(order, start=1):
        print(f"   {step:2d}. {node.label:<16} grad {node.grad:+.4f}")
    print(f"   Every node comes before the nodes it was made from: {valid}")
    # Draw it: a fresh copy of the same graph, each box labelled with its step.
    loss2, _ = neuron()
    loss2.backward()
    for step, node in enumerate(backward_order(loss2), start=1):
        node.label = f"step {step}: {node.label}"
    figures.append(save_svg(draw_graph(loss2), out, "backward_order.svg"))
    print()

    # ---- a small network, with Tensors ------------------------------------------------------
    tg.manual_seed(0)
    model = nn.MLP(3, [4, 2])                      # Linear(3, 4) -> ReLU -> Linear(4, 2)
    x = Tensor.randn(5, 3, seed=1, label="x (5 examples)")
    answers = [0, 1, 1, 0, 1]
    ce = F.cross_entropy(model(x), answers)
    ce.label = "cross-entropy"
    ce.backward()
    params = dict(model.named_parameters())
    print(f"A small network with Tensors: five examples, cross-entropy {ce.item():.4f}.")
    for name, p in params.items():
        print(f"   {name:<16} shape {str(p.shape):<7}  mean |grad| {np.abs(p.grad.data).mean():.4f}")
    print("   A Tensor box shows its shape, and a summary of its values when there are many.")
    figures.append(save_svg(draw_graph(ce, params=params, rankdir="TB"), out, "tensor_graph.svg"))
    figures.append(save_svg(draw_graph(ce, params=params, rankdir="TB", color_by_grad=True),
                            out, "tensor_graph_by_grad.svg"))
    tensor_order = backward_order(ce)
    tensor_valid = is_reverse_topological(tensor_order)
    print(f"   Backward visits its {len(tensor_order)} nodes in a valid order too: {tensor_valid}\n")

    # ---- stepping through backward in a browser ----------------------------------------------
    # >>> INTERACTIVE PAGES: tiny_grad.viz.to_html(root, path) writes one self-contained page
    # that steps through backward node by node, with the chain rule of each step in words.
    # We hand it graphs that have not been backward-ed yet: the page runs its own pass.
    if hasattr(viz, "to_html"):
        fresh_neuron, _ = neuron()
        tg.manual_seed(0)
        fresh_model = nn.MLP(3, [4, 2])
        fresh_ce = F.cross_entropy(fresh_model(Tensor.randn(5, 3, seed=1, label="x (5 examples)")),
                                   answers)
        fresh_ce.label = "cross-entropy"
        for root, extra, filename in (
                (fresh_neuron, {}, "value_graph.html"),
                (fresh_ce, {"params": dict(fresh_model.named_parameters()), "rankdir": "TB"},
                 "tensor_graph.html")):
            try:
                path = Path(viz.to_html(root, Path(out) / filename, **extra))
            except viz.GraphvizNotFoundError as err:
                print(f"  [no page] {err}")
                continue
            pages.append(path)
            print(f"  [page]   {path}")
        print("   Open the pages in a browser and press Step to watch backward, one node at a time.")
    else:
        print("   (This tiny_grad has no viz.to_html, so no interactive pages are written.)")

    return {
        "value_loss": loss.data, "w1_grad": v["w1"].grad, "w1_grad_by_hand": by_hand,
        "order_labels": [node.label for node in order],
        "order_edges": [(node.label, parent.label) for node in order for parent in node.parents],
        "order_is_reverse_topological": valid,
        "tensor_order_is_reverse_topological": tensor_valid,
        "tensor_nodes": len(tensor_order),
        "figures": [f for f in figures if f is not None],
        "pages": pages,
    }


if __name__ == "__main__":
    main()
