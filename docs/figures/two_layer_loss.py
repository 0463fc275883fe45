"""Draw the loss graph of a small two-layer network into docs/figures/two_layer_loss.svg.

    python docs/figures/two_layer_loss.py [OUTPUT.svg]

Five examples with three features go through Linear(3, 4) -> ReLU -> Linear(4, 2), and
cross-entropy compares the two scores of each with its answer. Every box shows a
tensor's shape and a summary of its values and gradient; the parameters carry the
names `named_parameters()` gives them.
"""

import pathlib
import sys

import tiny_grad as tg
from tiny_grad import Tensor, draw_graph, nn, save_graph
from tiny_grad import functional as F


def build():
    """The network, one forward pass and one backward pass; returns (loss, named parameters)."""
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    x = Tensor.randn(5, 3, seed=1, label="x (5 examples)")
    loss = F.cross_entropy(model(x), [0, 1, 1, 0, 1])
    loss.label = "loss"
    loss.backward()
    return loss, dict(model.named_parameters())


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = pathlib.Path(argv[0]) if argv else pathlib.Path(__file__).with_suffix(".svg")
    loss, params = build()
    print("drew", save_graph(draw_graph(loss, params=params, rankdir="TB"), out))


if __name__ == "__main__":
    main()
