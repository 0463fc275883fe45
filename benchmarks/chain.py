"""How long does a long chain take? Forward, backward and freeing, timed apart.

    python benchmarks/chain.py              N = 1e3, 1e4, 1e5, 1e6
    python benchmarks/chain.py --max 1e5    stop at N = 1e5

Each step is y = y * 1.0000001 + 0.0, so a chain of N steps has 2N ops (and 2N
constant leaves). The autograd walk is iterative, so even a million steps need no
deep recursion; this measures what they cost. It also checks the answer:
dy/dx = 1.0000001 ** N.

Not a test: run it by hand when you change autograd.py or scalar.py.
"""

import argparse
import math
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout, too

from tiny_grad import Value  # noqa: E402

FACTOR = 1.0000001
SIZES = (10**3, 10**4, 10**5, 10**6)


def run_chain(n):
    """Return (forward s, backward s, free s, x.grad) for a chain of n steps."""
    x = Value(1.0, label="x")

    t0 = time.perf_counter()
    y = x
    for _ in range(n):
        y = y * FACTOR + 0.0
    t1 = time.perf_counter()
    y.backward()
    t2 = time.perf_counter()
    del y  # the last reference to the graph: every node goes now (no cycles to collect)
    t3 = time.perf_counter()

    return t1 - t0, t2 - t1, t3 - t2, x.grad


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--max", type=float, default=max(SIZES), metavar="N",
                        help="largest chain length to run, e.g. 1e5 (default: 1e6)")
    args = parser.parse_args(argv)
    sizes = [n for n in SIZES if n <= args.max]
    if not sizes:
        parser.error(f"--max {args.max:g} is below the smallest size, {SIZES[0]}")

    print(f"{'N':>9} {'forward s':>10} {'backward s':>11} {'free s':>8} {'x.grad':>12}  check")
    ok = True
    for n in sizes:
        fwd, bwd, free, g = run_chain(n)
        want = FACTOR ** n
        good = math.isclose(g, want, rel_tol=1e-8)
        ok &= good
        print(f"{n:>9,} {fwd:>10.3f} {bwd:>11.3f} {free:>8.3f} {g:>12.9f}  "
              f"{'ok' if good else f'WRONG, want {want:.9f}'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
