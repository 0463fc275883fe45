"""One epoch of MLP training, written three times: NumPy by hand, tiny_grad, PyTorch.

W3 and W4 (w3_digits_mlp.py, w4_wide_mlp.py) run these on their own data and sizes.
All three columns do exactly the same computation: the same initial weights (PyTorch's
default uniform(-1/√fan_in, 1/√fan_in), drawn once with NumPy), Linear layers with relu
between them, softmax cross-entropy averaged over the batch, plain SGD (p ← p − lr·grad),
the batches in the same order. Each epoch function returns its per-step losses, so the
scripts can check that the columns agree.

The NumPy column is what someone would write by hand: forward, then the backward pass
derived on paper (d loss / d logits = (softmax − one_hot) / n, then the chain rule back
through every layer), then the SGD step: the same three phases as a framework's loop.

Memory: `peak_memory(fn)` runs fn under tracemalloc, which sees every NumPy array (NumPy
reports its allocations to it), so it measures the NumPy and tiny_grad columns alike;
PyTorch's own allocator is invisible to it, so PyTorch gets no memory figure.
"""

import gc
import tracemalloc

import numpy as np


def initial_weights(sizes, dtype, seed=0):
    """[(W, b), ...] with W of shape (out, in), uniform in ±1/√in, as PyTorch initializes."""
    rng = np.random.default_rng(seed)
    weights = []
    for n_in, n_out in zip(sizes, sizes[1:]):
        bound = 1 / np.sqrt(n_in)
        W = rng.uniform(-bound, bound, (n_out, n_in)).astype(dtype)
        b = rng.uniform(-bound, bound, n_out).astype(dtype)
        weights.append((W, b))
    return weights


def batches(n, batch):
    return [slice(start, start + batch) for start in range(0, n, batch)]


# ---- NumPy, by hand -------------------------------------------------------------------------

def numpy_epoch(X, y, weights, batch, lr):
    """One epoch of the MLP in plain NumPy. Returns the loss of every step."""
    params = [(W.copy(), b.copy()) for W, b in weights]
    last = len(params) - 1

    def step(x, t):
        n = len(x)
        inputs, before_relu = [], []  # what backward needs: each layer's input and pre-activation
        h = x
        for i, (W, b) in enumerate(params):
            inputs.append(h)
            z = h @ W.T + b
            if i < last:
                before_relu.append(z)
                h = np.maximum(z, 0)
            else:
                h = z
        rows = np.arange(n)
        shifted = h - h.max(axis=1, keepdims=True)  # log_softmax, with the max subtracted
        log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_p[rows, t].mean()

        dz = np.exp(log_p)  # d loss / d logits = (softmax - one_hot) / n
        dz[rows, t] -= 1
        dz /= n
        grads = []
        for i in range(last, -1, -1):  # backward: the chain rule, layer by layer
            W, b = params[i]
            grads.append((dz.T @ inputs[i], dz.sum(axis=0)))
            if i > 0:
                dz = dz @ W  # through the layer ...
                dz *= before_relu[i - 1] > 0  # ... and through the relu before it
        for (W, b), (dW, db) in zip(reversed(params), grads):  # then the SGD step
            W -= lr * dW
            b -= lr * db
        return float(loss)

    return [step(X[s], y[s]) for s in batches(len(X), batch)]


# ---- tiny_grad ----------------------------------------------------------------------------

def tiny_grad_epoch(Xt, y, weights, batch, lr):
    """One epoch with tiny_grad's nn.MLP, F.cross_entropy and optim.SGD.

    Xt is the whole data set as one Tensor, made once; each batch is a slice of it (a view,
    as torch.from_numpy(X)[a:b] is), so no batch is copied."""
    from tiny_grad import functional as F, nn, optim

    sizes = [weights[0][0].shape[1]] + [W.shape[0] for W, _ in weights]
    model = nn.MLP(sizes[0], sizes[1:], dtype=weights[0][0].dtype)
    linears = [m for m in model.layers if isinstance(m, nn.Linear)]
    for layer, (W, b) in zip(linears, weights):
        layer.weight.data[...] = W
        layer.bias.data[...] = b
    optimizer = optim.SGD(model.parameters(), lr=lr)

    def step(x, t):
        loss = F.cross_entropy(model(x), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return [step(Xt[s], y[s]) for s in batches(len(Xt), batch)]


# ---- PyTorch ------------------------------------------------------------------------------

def torch_epoch(torch, Xp, yp, weights, batch, lr):
    """One epoch with torch.nn Linear/ReLU, F.cross_entropy and torch.optim.SGD.
    Xp = torch.from_numpy(X): the same memory as the NumPy column's data."""
    layers = []
    for i, (W, b) in enumerate(weights):
        if i:
            layers.append(torch.nn.ReLU())
        linear = torch.nn.Linear(W.shape[1], W.shape[0], dtype=Xp.dtype)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
    model = torch.nn.Sequential(*layers)
    optimizer = torch.optim.SGD(model.parameters(), lr=lr)

    def step(x, t):
        loss = torch.nn.functional.cross_entropy(model(x), t)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        return loss.item()

    return [step(Xp[s], yp[s]) for s in batches(len(Xp), batch)]


# ---- measuring ----------------------------------------------------------------------------

def peak_memory(fn):
    """Bytes of the highest point of memory use while fn() runs, above what was in use
    before it started (so data made beforehand does not count, and what fn makes does)."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - before


def max_difference(losses, reference):
    return float(np.max(np.abs(np.asarray(losses) - np.asarray(reference))))


def run(common, title, X, y, sizes, batch, lr, repeats, loss_tolerance, data_note):
    """Time one epoch in every column (round-robin, medians), check the losses, measure
    peak memory, and report. Returns the data dict that is reported."""
    import tiny_grad as tg

    weights = initial_weights(sizes, X.dtype)
    Xt = tg.Tensor(X)  # tiny_grad's copy of the data, made once
    columns = {
        "NumPy by hand": lambda: numpy_epoch(X, y, weights, batch, lr),
        "tiny_grad": lambda: tiny_grad_epoch(Xt, y, weights, batch, lr),
    }
    torch = common.torch_module()
    if torch is not None:
        Xp, yp = torch.from_numpy(X), torch.from_numpy(y)
        columns["PyTorch"] = lambda: torch_epoch(torch, Xp, yp, weights, batch, lr)

    reference = columns["NumPy by hand"]()
    differences = {name: max_difference(fn(), reference) for name, fn in columns.items()}
    if differences["tiny_grad"] > loss_tolerance:
        raise SystemExit(f"{title}: tiny_grad's losses differ from the NumPy column's by "
                         f"{differences['tiny_grad']:.3g}, more than {loss_tolerance:g}")

    times = common.round_robin(columns, repeats)
    med = {name: common.median(ts) for name, ts in times.items()}
    base = med["NumPy by hand"]
    memory = {name: peak_memory(columns[name]) for name in ("NumPy by hand", "tiny_grad")}

    rows = []
    for name in columns:
        rows.append((f"{name} epoch", f"{common.ms(med[name])}  ({common.ratio(med[name], base)} "
                                      f"of NumPy; loss max diff {differences[name]:.1e})"))
    rows.append(("peak memory of an epoch, NumPy by hand", f"{memory['NumPy by hand'] / 1e6:.2f} MB"))
    rows.append(("peak memory of an epoch, tiny_grad",
                 f"{memory['tiny_grad'] / 1e6:.2f} MB  "
                 f"({common.ratio(memory['tiny_grad'], memory['NumPy by hand'])} of NumPy)"))
    data_bytes = X.nbytes + y.nbytes
    rows.append(("... the same with the data set counted",
                 f"NumPy {(memory['NumPy by hand'] + data_bytes) / 1e6:.1f} MB, "
                 f"tiny_grad {(memory['tiny_grad'] + data_bytes) / 1e6:.1f} MB  "
                 f"({(memory['tiny_grad'] + data_bytes) / (memory['NumPy by hand'] + data_bytes):.2f}x)"))
    notes = [data_note,
             f"median of {repeats} epochs per column, interleaved; tiny_grad's losses checked "
             f"step by step against NumPy's (tolerance {loss_tolerance:g})",
             "peak memory: tracemalloc over one epoch, above the data and weights made before it; "
             "PyTorch's allocator is not visible to tracemalloc"]
    data = {"median_s": med, "ratio_to_numpy": {k: v / base for k, v in med.items()},
            "loss_max_diff": differences, "peak_bytes": memory, "data_bytes": data_bytes,
            "repeats": repeats}
    common.report(title, rows, notes, data)
    return data
