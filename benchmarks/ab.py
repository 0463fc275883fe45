"""A/B: this checkout's tiny_grad against an earlier commit's, in one process, W3 and W4.

    python benchmarks/ab.py REV [--repeats 40] [--threads 1]

REV's tiny_grad/ is unpacked (git archive) into a temporary folder as the package
`tiny_grad_base`; both are imported side by side (the package uses relative imports only),
and their epochs run alternately (A B B A ...), so a slow moment hits both alike. It prints
the median epoch of each and their ratio: how much a change costs on the hot path, the figure
an issue's "within 2% of before" asks for. The per-step losses must agree to 1e-9.
"""

import _common

ARGS = _common.setup(__doc__.splitlines()[0],
                     lambda p: p.add_argument("rev", help="the commit to compare with"))

import importlib  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tarfile  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

import _mlp  # noqa: E402


def base_package(rev):
    """REV's tiny_grad, imported as `tiny_grad_base`."""
    folder = Path(tempfile.mkdtemp(prefix="tiny_grad_ab_"))
    archive = subprocess.run(["git", "-C", str(_common.REPO), "archive", rev, "tiny_grad"],
                             check=True, capture_output=True).stdout
    (folder / "base.tar").write_bytes(archive)
    with tarfile.open(folder / "base.tar") as tar:
        tar.extractall(folder, filter="data")
    (folder / "tiny_grad").rename(folder / "tiny_grad_base")
    sys.path.insert(0, str(folder))
    return importlib.import_module("tiny_grad_base")


def epoch(tg, Xt, y, weights, batch):
    """One epoch of _mlp's model (nn.MLP, F.cross_entropy, optim.SGD) on package `tg`."""
    sizes = [weights[0][0].shape[1]] + [W.shape[0] for W, _ in weights]
    model = tg.nn.MLP(sizes[0], sizes[1:], dtype=weights[0][0].dtype)
    linears = [m for m in model.layers if isinstance(m, tg.nn.Linear)]
    for layer, (W, b) in zip(linears, weights):
        layer.weight.data[...] = W
        layer.bias.data[...] = b
    optimizer = tg.optim.SGD(model.parameters(), lr=0.1)

    def step(x, t):
        loss = tg.functional.cross_entropy(model(x), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()
    return [step(Xt[s], y[s]) for s in _mlp.batches(len(Xt), batch)]


def compare(name, packages, X, y, sizes, batch, repeats):
    weights = _mlp.initial_weights(sizes, X.dtype)
    data = {k: tg.Tensor(X) for k, tg in packages.items()}
    times = {k: [] for k in packages}
    losses = {}
    for r in range(repeats + 1):  # the first round warms up
        for k in (list(packages) if r % 2 else list(packages)[::-1]):
            start = time.perf_counter()
            losses[k] = epoch(packages[k], data[k], y, weights, batch)
            if r:
                times[k].append(time.perf_counter() - start)
    base, now = (_common.median(times[k]) for k in ("base", "this checkout"))
    same = np.allclose(losses["base"], losses["this checkout"], rtol=1e-9)
    print(f"{name}: base {_common.ms(base)}, this checkout {_common.ms(now)}, "
          f"ratio {now / base:.3f} (losses agree: {same})")


def main():
    import tiny_grad
    packages = {"base": base_package(ARGS.rev), "this checkout": tiny_grad}
    X, y = tiny_grad.data.load_digits(flatten=True)
    compare("W3 MLP 64-128-10, batch 64", packages, X, y.astype(np.int64), (64, 128, 10), 64,
            ARGS.repeats or 40)
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8192, 784), dtype=np.float32)
    y = np.argmax(X @ rng.standard_normal((784, 10)).astype(np.float32), axis=1).astype(np.int64)
    compare("W4 MLP 784-512-512-10, batch 512", packages, X, y, (784, 512, 512, 10), 512,
            max(4, (ARGS.repeats or 40) // 4))


if __name__ == "__main__":
    main()
