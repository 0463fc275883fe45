"""Where PyTorch is installed: SGD and Adam move parameters exactly as torch.optim does."""

import numpy as np
import pytest

from tiny_grad import Tensor, optim

torch = pytest.importorskip("torch")

SETTINGS = [
    (optim.SGD, torch.optim.SGD, dict(lr=0.1)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    (optim.SGD, torch.optim.SGD, dict(lr=0.1, momentum=0.9, nesterov=True, weight_decay=0.1)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.01)),
    (optim.Adam, torch.optim.Adam, dict(lr=0.1, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


@pytest.mark.parametrize("ours, theirs, kwargs", SETTINGS, ids=lambda x: str(x))
def test_five_steps_match_torch(ours, theirs, kwargs):
    rng = np.random.default_rng(0)
    start, target = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    w = Tensor(start, requires_grad=True)
    tw = torch.tensor(start, requires_grad=True)
    opt, topt = ours([w], **kwargs), theirs([tw], **kwargs)
    for _ in range(5):
        opt.zero_grad()
        topt.zero_grad()
        (((w - target) ** 2) * (w + 1.5)).sum().backward()
        (((tw - torch.tensor(target)) ** 2) * (tw + 1.5)).sum().backward()
        opt.step()
        topt.step()
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-12, atol=1e-14)
