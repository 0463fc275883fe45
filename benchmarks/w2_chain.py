"""W2: a chain y = y * 1.0001 + 0.0, N times, then backward (N = 10^3 ... 10^6).

    python benchmarks/w2_chain.py [--max 1e6] [--repeats 3]

A graph that is one long line: 2N operations (and 2N constant leaves, one per number
lifted into the graph). It measures what an engine pays per node to build, walk and free
a graph, and that nothing in it recurses: tiny_grad's walk is iterative, so a million
steps are fine. dy/dx = 1.0001^N is checked for every column.

Columns: tiny_grad's Value; tiny_grad's Tensor holding one float64 number; PyTorch with
a 0-d float64 tensor (when installed); micrograd 0.1.0 (when installed), whose recursive
topological sort hits Python's recursion limit once the chain is a few hundred steps
long. Times are seconds for forward + backward, median of the repeats (fewer repeats for
the longest chains), cycle collector on; freeing the graph afterwards is shown apart.
"""

import _common


def _arguments(parser):
    parser.add_argument("--max", type=float, default=1e6, metavar="N",
                        help="the longest chain to run (default 1e6)")


ARGS = _common.setup(__doc__.splitlines()[0], _arguments)

import gc  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

from tiny_grad import Tensor, Value  # noqa: E402

torch = _common.torch_module()
micrograd = _common.optional("micrograd")
if micrograd is not None:
    import micrograd.engine

FACTOR = 1.0001
SIZES = (10**3, 10**4, 10**5, 10**6)


def chain(make_x, read_grad):
    """A function n -> (forward s, backward s, free s, dy/dx) for one engine."""
    def run(n):
        x = make_x()
        start = time.perf_counter()
        y = x
        for _ in range(n):
            y = y * FACTOR + 0.0
        built = time.perf_counter()
        y.backward()
        walked = time.perf_counter()
        del y  # the last reference to the graph
        freed = time.perf_counter()
        return built - start, walked - built, freed - walked, read_grad(x)
    return run


def engines():
    columns = {
        "tiny_grad Value": chain(lambda: Value(1.0), lambda x: x.grad),
        "tiny_grad Tensor (0-d)": chain(lambda: Tensor(1.0, requires_grad=True),
                                        lambda x: x.grad.item()),
    }
    if torch is not None:
        columns["PyTorch (0-d float64)"] = chain(
            lambda: torch.tensor(1.0, dtype=torch.float64, requires_grad=True),
            lambda x: x.grad.item())
    if micrograd is not None:
        columns["micrograd Value"] = chain(lambda: micrograd.engine.Value(1.0), lambda x: x.grad)
    return columns


def repeats_for(n):
    if ARGS.repeats:
        return ARGS.repeats
    return {10**3: 15, 10**4: 7, 10**5: 3}.get(n, 3)


def main():
    columns = engines()
    sizes = [n for n in SIZES if n <= ARGS.max]
    rows, data = [], {}
    for n in sizes:
        want = FACTOR ** n
        samples = {name: [] for name in columns}
        failed = {}
        for _ in range(repeats_for(n)):
            for name, run in columns.items():
                if name in failed:
                    continue
                gc.collect()  # untimed: every run starts from a clean heap
                try:
                    forward, backward, free, g = run(n)
                except RecursionError:
                    failed[name] = "RecursionError (its topological sort recurses)"
                    continue
                if not math.isclose(g, want, rel_tol=1e-9):
                    raise SystemExit(f"W2: {name} got dy/dx = {g!r} for N = {n}, want {want!r}")
                samples[name].append((forward + backward, forward, backward, free))
        data[n] = {}
        for name in columns:
            if name in failed:
                rows.append((f"N = {n:>9,}  {name}", failed[name]))
                data[n][name] = None
                continue
            total, forward, backward, free = (_common.median(col) for col in zip(*samples[name]))
            data[n][name] = {"total_s": total, "forward_s": forward, "backward_s": backward,
                             "free_s": free}
            rows.append((f"N = {n:>9,}  {name}",
                         f"{total:8.3f} s  (forward {forward:.3f}, backward {backward:.3f}; "
                         f"freeing {free:.3f})"))
        if "PyTorch (0-d float64)" in data[n] and data[n]["PyTorch (0-d float64)"]:
            theirs = data[n]["PyTorch (0-d float64)"]["total_s"]
            ours = data[n]["tiny_grad Value"]["total_s"]
            rows.append((f"N = {n:>9,}  PyTorch / tiny_grad Value", _common.ratio(theirs, ours)))
    _common.report("W2 chain y = y * 1.0001 + 0.0, then backward", rows,
                   ["forward + backward seconds, median of the repeats; cycle collector on",
                    "dy/dx checked against 1.0001^N for every run"],
                   data={str(k): v for k, v in data.items()})


if __name__ == "__main__":
    main()
