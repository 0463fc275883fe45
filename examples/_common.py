"""What every example shares: its command line, saving figures, and a progress line.

The examples import this module as `_common`. It lives next to them, and Python puts a
script's own folder on the import path, so `python examples/07_learn_the_dice.py` finds
it from anywhere. Nothing here is about autodiff: it only keeps the plumbing out of the
tutorials, so that each of them reads as a story from top to bottom.

    args = parse_args("07_learn_the_dice", argv, __doc__)   # --out DIR, --fast
    plt = pyplot()                                           # matplotlib, drawing to files
    save_figure(fig, args.out, "learned_vs_exact.png")       # PNG at 100 dpi, then closed
    save_svg(draw_graph(loss), args.out, "graph.svg")        # a Graphviz drawing
    progress("training", step, total, loss=0.42)             # a live line for the tour
"""

import argparse
import sys
import time
from pathlib import Path

INSTALL_HINT = "pip install 'tiny_grad[examples]'"

# The tour (`python -m tiny_grad tour`) sets this to True: it hides what the examples print
# and shows a live progress line on stderr instead. Run on their own, the examples print
# their story and leave progress lines to the story itself.
LIVE = False


def parse_args(name, argv=None, doc=None):
    """Read `--out DIR` (default ./out/<name>/) and `--fast`; make sure DIR exists."""
    first_line = (doc or "").strip().splitlines()[0] if doc else name
    parser = argparse.ArgumentParser(prog=f"{name}.py", description=first_line)
    parser.add_argument("--out", type=Path, default=Path("out") / name, metavar="DIR",
                        help=f"folder for the figures (default: ./out/{name}/)")
    parser.add_argument("--fast", action="store_true",
                        help="smaller sizes, for the tests: same story, less waiting")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    return args


def pyplot():
    """matplotlib.pyplot, drawing into files only (the "Agg" backend: no window opens)."""
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("The examples draw their plots with matplotlib, which is not "
                         f"installed.\nInstall it with:  {INSTALL_HINT}") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    return plt


def save_figure(fig, out, filename, dpi=100):
    """Save a matplotlib figure as `out/filename`, close it, and return the path."""
    import matplotlib.pyplot as plt
    path = Path(out) / filename
    fig.savefig(path, dpi=dpi, bbox_inches="tight")
    plt.close(fig)
    print(f"  [figure] {path}")
    return path


def save_svg(dot, out, filename):
    """Render a Graphviz drawing to `out/filename` and return the path.

    Without Graphviz's `dot` program, say so (tiny_grad saves the DOT source instead)
    and return None: the rest of the example still runs.
    """
    from tiny_grad import save_graph
    from tiny_grad.viz import GraphvizNotFoundError
    try:
        path = Path(save_graph(dot, Path(out) / filename))
    except GraphvizNotFoundError as err:
        print(f"  [no drawing] {err}")
        return None
    print(f"  [graph]  {path}")
    return path


_last_update = 0.0


def progress(label, done, total, **numbers):
    """Show `label [#####.....] done/total key=value ...` on one updating stderr line.

    Only while the tour runs (LIVE is True); otherwise it does nothing. The line is
    redrawn at most 20 times a second and ends when done == total. When stderr is not
    a terminal (a log file, a test), only the finished line is written.
    """
    global _last_update
    if not LIVE:
        return
    finished = done >= total
    now = time.monotonic()
    if not finished and (not sys.stderr.isatty() or now - _last_update < 0.05):
        return
    _last_update = now
    width = 24
    filled = round(width * done / total) if total else width
    bar = "#" * filled + "." * (width - filled)
    extra = "  ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}"
                      for k, v in numbers.items())
    line = f"    {label:<24} [{bar}] {done}/{total}  {extra}"
    sys.stderr.write("\r" + line.ljust(96) if sys.stderr.isatty() else line)
    if finished:
        sys.stderr.write("\n")
    sys.stderr.flush()


def table(rows, header=None):
    """A few rows as aligned text columns (for printing small results)."""
    rows = [list(map(str, r)) for r in ([header] if header else []) + list(rows)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  " + "  ".join(c.rjust(w) for c, w in zip(r, widths)) for r in rows)
