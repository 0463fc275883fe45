"""Small graphs that several test files draw, explain and step through."""

import tiny_grad as tg
from tiny_grad import Tensor, nn
from tiny_grad import functional as F


def two_layer_network(backward=True):
    """A two-layer network's cross-entropy on five examples: (loss, named parameters).

    With backward=True the gradients are filled and the graph is kept (retain_graph=True),
    so it can still be explained or stepped through; with False, no backward has run.
    """
    tg.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))
    params = dict(model.named_parameters())
    x = Tensor.randn(5, 3, seed=1, label="x (5 examples)")
    loss = F.cross_entropy(model(x), [0, 1, 1, 0, 1])
    loss.label = "loss"
    if backward:
        loss.backward(retain_graph=True)
    return loss, params
