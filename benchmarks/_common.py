"""What every benchmark script shares: thread pinning, timing, optional columns, output.

Import this module *before* NumPy: `pin_threads()` must set the BLAS/OpenMP thread
variables before NumPy (or PyTorch) loads its BLAS library, or they have no effect.
Each script does

    import _common                      # the benchmarks/ folder is on sys.path
    _common.setup()                     # reads --threads, pins them, finds tiny_grad
    import numpy as np                  # only now

How times are taken: every column of a workload runs in the same process, round-robin
(A B C A B C ...), so a slow moment on a busy machine hits all columns alike; the
figure reported is the median of the repeats, and a ratio is a ratio of two medians
measured in that same run.
"""

import argparse
import json
import os
import platform
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS",
                    "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS")

args = None  # the parsed command line, after setup()


def setup(description, extra=None):
    """Parse --threads/--repeats/--json (plus `extra(parser)`), pin threads, find tiny_grad.

    Returns the parsed arguments. Must run before NumPy is imported.
    """
    global args
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--threads", default="1",
                        help="BLAS/OpenMP threads for every column: a number, or 'default' "
                             "to leave the libraries' own choice (default: 1)")
    parser.add_argument("--repeats", type=int, default=None,
                        help="timed repeats per column (default: each script's own)")
    parser.add_argument("--json", action="store_true",
                        help="print one JSON object (for run.py) instead of a table")
    if extra:
        extra(parser)
    args = parser.parse_args()
    if args.threads != "default":
        wanted = str(int(args.threads))
        if "numpy" in sys.modules and os.environ.get("OPENBLAS_NUM_THREADS") != wanted:
            raise RuntimeError("benchmarks: _common.setup() must run before NumPy is imported")
        for name in THREAD_VARIABLES:
            os.environ[name] = wanted
    sys.path.insert(0, str(REPO))  # benchmark this checkout's tiny_grad
    return args


def optional(name):
    """The module `name` if it is installed, else None (PyTorch and micrograd are optional)."""
    try:
        return __import__(name)
    except ImportError:
        return None


def torch_module():
    """PyTorch, pinned to the same number of threads as everything else; None if absent."""
    torch = optional("torch")
    if torch is not None and args.threads != "default":
        torch.set_num_threads(int(args.threads))
    return torch


def timed(fn):
    """Seconds that fn() took, and what it returned."""
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def round_robin(columns, repeats, warmup=1):
    """Time each callable of `columns` (name -> fn) `repeats` times, interleaved.

    Returns name -> list of seconds. Warm-up runs (not timed) come first. Python's
    cycle collector stays on: it is part of what a user's program pays.
    """
    for _ in range(warmup):
        for fn in columns.values():
            fn()
    times = {name: [] for name in columns}
    for _ in range(repeats):
        for name, fn in columns.items():
            times[name].append(timed(fn)[0])
    return times


def median(xs):
    return statistics.median(xs)


def blas_info():
    """Which BLAS NumPy uses, its kernel and its threads (threadpoolctl, when installed)."""
    try:
        import threadpoolctl
    except ImportError:
        return "threadpoolctl not installed"
    parts = []
    for lib in threadpoolctl.threadpool_info():
        if lib.get("user_api") == "blas":
            parts.append(f"{lib.get('internal_api')} {lib.get('version')} "
                         f"{lib.get('architecture')}, {lib.get('num_threads')} threads")
    return "; ".join(parts) or "no BLAS found"


def machine():
    """A one-line description of this machine and the libraries measured."""
    import numpy as np
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            names = [line.split(":", 1)[1].strip() for line in f if line.startswith("model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"NumPy {np.__version__} ({blas_info()})")


def report(name, rows, notes=(), data=None):
    """Print a workload's result: a table (rows of (label, value text)) or, with --json,
    one JSON object {"name", "rows", "notes", "data"} for run.py to gather."""
    if args is not None and args.json:
        print(json.dumps({"name": name, "threads": args.threads, "rows": rows,
                          "notes": list(notes), "data": data or {}}))
        return
    print(f"{name}  (threads: {args.threads if args else '?'})")
    width = max(len(label) for label, _ in rows)
    for label, value in rows:
        print(f"  {label:<{width}}  {value}")
    for note in notes:
        print(f"  note: {note}")


def ms(seconds):
    return f"{seconds * 1e3:.2f} ms"


def ratio(a, b):
    return f"{a / b:.2f}x"

