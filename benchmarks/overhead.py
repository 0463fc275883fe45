"""Per-op overhead: what one small operation costs, beside NumPy's own.

    python benchmarks/overhead.py [--repeats 25]

* `a + b` on two 64 x 128 float64 arrays: NumPy itself, a tiny_grad Tensor that
  needs no gradient, one that does (so the op records a graph node), and PyTorch
  (torch.from_numpy, the same memory), when it is installed.
* `a + b` on two scalar Values: tiny_grad, and micrograd (0.1.0) when installed.

Each figure is the median over `--repeats` rounds of the mean of many calls (timeit);
the rounds of all columns are interleaved. The result of every call is dropped at
once, so freeing it is included, as in real code.
"""

import _common

ARGS = _common.setup(__doc__.splitlines()[0])

import timeit  # noqa: E402

import numpy as np  # noqa: E402

import tiny_grad as tg  # noqa: E402

torch = _common.torch_module()
micrograd = _common.optional("micrograd")
if micrograd is not None:
    import micrograd.engine


def microseconds(stmt, namespace, number, repeats):
    """Median over `repeats` rounds of the mean time of `stmt`, in microseconds."""
    timer = timeit.Timer(stmt, globals=namespace)
    return [t / number * 1e6 for t in timer.repeat(repeat=repeats, number=number)]


def main():
    repeats = ARGS.repeats or 25
    rng = np.random.default_rng(0)
    a, b = rng.standard_normal((64, 128)), rng.standard_normal((64, 128))
    ns = {"a": a, "b": b,
          "ta": tg.Tensor(a), "tb": tg.Tensor(b),
          "ga": tg.Tensor(a, requires_grad=True), "gb": tg.Tensor(b, requires_grad=True),
          "va": tg.Value(1.5), "vb": tg.Value(-0.5)}
    columns = {
        "NumPy a + b (64x128 float64)": ("a + b", 20000),
        "Tensor a + b, no grad": ("ta + tb", 20000),
        "Tensor a + b, records a node": ("ga + gb", 20000),
        "Value + Value (tiny_grad)": ("va + vb", 100000),
    }
    if torch is not None:
        ns["pa"], ns["pb"] = torch.from_numpy(a), torch.from_numpy(b)
        ns["qa"] = torch.from_numpy(a.copy()).requires_grad_()
        ns["qb"] = torch.from_numpy(b.copy()).requires_grad_()
        columns["PyTorch a + b, no grad"] = ("pa + pb", 20000)
        columns["PyTorch a + b, records a node"] = ("qa + qb", 20000)
    if micrograd is not None:
        ns["ma"], ns["mb"] = micrograd.engine.Value(1.5), micrograd.engine.Value(-0.5)
        columns["Value + Value (micrograd)"] = ("ma + mb", 100000)

    samples = {name: [] for name in columns}
    for _ in range(repeats):  # interleaved rounds
        for name, (stmt, number) in columns.items():
            samples[name] += microseconds(stmt, ns, number, 1)
    med = {name: _common.median(xs) for name, xs in samples.items()}

    base = med["NumPy a + b (64x128 float64)"]
    rows = []
    for name in columns:
        extra = ""
        if name.startswith(("Tensor", "PyTorch")):
            extra = f"   (+{med[name] - base:.2f} us over NumPy)"
        rows.append((name, f"{med[name]:.2f} us{extra}"))
    _common.report("Per-op overhead", rows, [f"median of {repeats} interleaved rounds"],
                   data={"median_us": med})


if __name__ == "__main__":
    main()
