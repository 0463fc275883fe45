"""W4: MLP 784-512-512-10 on 8,192 x 784 float32, one epoch: tiny_grad beside NumPy by hand.

    python benchmarks/w4_wide_mlp.py [--repeats 7] [--threads 1|default]

MNIST-sized inputs (made up, seeded: standard normal pixels, labels from a fixed random
linear "teacher", so there is something to learn), batches of 512, Linear(784, 512) - relu -
Linear(512, 512) - relu - Linear(512, 10), softmax cross-entropy, SGD with lr 0.1, all in
float32. Here the matrix products dominate, so what counts is that nothing is copied or
widened to float64 on the way, and that gradients come out in the weights' memory order.
Peak memory of an epoch is measured too (tracemalloc). The per-step losses of tiny_grad
must match the NumPy column's to 1e-10 (they do the same NumPy operations on the same
float32 numbers); PyTorch's, which adds up in its own order, are shown, not checked.
"""

import _common

ARGS = _common.setup(__doc__.splitlines()[0])

import numpy as np  # noqa: E402

import _mlp  # noqa: E402


def make_data(n=8192, features=784, classes=10, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, features), dtype=np.float32)
    teacher = rng.standard_normal((features, classes), dtype=np.float32)
    y = np.argmax(X @ teacher, axis=1).astype(np.int64)
    return X, y


def main():
    X, y = make_data()
    _mlp.run(_common, "W4 MLP 784-512-512-10, 8,192 x 784 float32, batch 512, one epoch",
             X, y, sizes=(784, 512, 512, 10), batch=512, lr=0.1,
             repeats=ARGS.repeats or 7, loss_tolerance=1e-10,
             data_note="data: seeded standard normal inputs, labels from a random linear teacher")


if __name__ == "__main__":
    main()
