"""W3: MLP 64-128-10 on the 8x8 digits, one epoch: tiny_grad beside NumPy by hand (and PyTorch).

    python benchmarks/w3_digits_mlp.py [--repeats 30] [--threads 1|default]

1,797 images x 64 pixels (float64, tiny_grad's own copy of the UCI digits), batches of 64,
Linear(64, 128) - relu - Linear(128, 10), softmax cross-entropy, SGD with lr 0.1. Every
step is small (a 64 x 64 by 64 x 128 product is the biggest), so this measures how much an
engine adds around NumPy's work: the figure to watch is tiny_grad's epoch over NumPy's.
The per-step losses of every column must match the NumPy column's to 1e-10.
"""

import _common

ARGS = _common.setup(__doc__.splitlines()[0])

import numpy as np  # noqa: E402

import _mlp  # noqa: E402
import tiny_grad as tg  # noqa: E402


def main():
    X, y = tg.data.load_digits(flatten=True)
    _mlp.run(_common, "W3 MLP 64-128-10, digits (1,797 x 64 float64), batch 64, one epoch",
             X, y.astype(np.int64), sizes=(64, 128, 10), batch=64, lr=0.1,
             repeats=ARGS.repeats or 30, loss_tolerance=1e-10,
             data_note="data: tiny_grad.data.load_digits(flatten=True); labels 0-9")


if __name__ == "__main__":
    main()
