"""The command line: `python -m tiny_grad ...` (or `tiny-grad ...` once installed).

    python -m tiny_grad tour              the whole story: figures and index.html (tour.py)
    python -m tiny_grad draw -o g.svg     draw one small graph to a file
    python -m tiny_grad explain           its chain rule, edge by edge (--html: step through it)
    python -m tiny_grad bench             the benchmarks of the repository's benchmarks/ folder

The drawing is of a tiny example, L = tanh(a*b + c), small enough to check by hand;
the tour walks through it too.
"""

import argparse
import subprocess
import sys
from pathlib import Path

from . import viz
from .scalar import Value

# The example's inputs. a*b + c = 0.5 sits where tanh is still curved, so the
# gradients are neither 0 nor 1 and are worth looking at.
A, B, C = 2.0, -3.0, 6.5


def build_example():
    """Build L = tanh(a*b + c), run backward, and return every node by name."""
    a = Value(A, label="a")
    b = Value(B, label="b")
    c = Value(C, label="c")
    ab = a * b          # kept in variables (not only inside L) so we can print
    s = ab + c          # their values and gradients below
    L = s.tanh()
    L.label = "L"
    L.backward()
    return {"a": a, "b": b, "c": c, "a*b": ab, "a*b + c": s, "L": L}


def _n(x):
    """A number the way a person writes it: 2, -3, 0.462117."""
    return f"{x:.6g}"


def _save(dot, path):
    """Render `dot` to `path`; the format comes from the suffix (no suffix: .svg)."""
    path = Path(path)
    if not path.suffix:
        path = path.with_suffix(".svg")
    fmt = path.suffix[1:].lower()
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt in ("gv", "dot"):  # the DOT source itself: plain text, no Graphviz program needed
        path.write_text(dot.source, encoding="utf-8")
        return path
    return Path(viz.save_graph(dot, path, format=fmt))


# What can stop a drawing: no `dot` program, no graphviz package, a file name whose
# suffix is no picture format, a `dot` that fails. Each is told in one message, not a traceback.
_CANNOT_DRAW = (viz.GraphvizNotFoundError, ImportError, ValueError, subprocess.CalledProcessError,
                OSError)  # (OSError: the path is a folder, or cannot be written)


def _fail(err):
    """Print why a command failed (an OSError as the path and its reason) and return 1."""
    if isinstance(err, OSError) and err.filename is not None:
        err = f"cannot write {err.filename}: {err.strerror}"
    print(f"\n{err}", file=sys.stderr)
    return 1


def _draw_or_explain(root, path):
    """Draw `root` to `path` and return 0, or print why not and return 1."""
    try:
        saved = _save(viz.draw_graph(root), path)
    except _CANNOT_DRAW as err:
        return _fail(err)
    print(f"The graph, with every value and gradient, is in {saved}")
    return 0


def tour(out, lang="en", fast=False):
    """The whole story, from a gap to a digit classifier: see tiny_grad/tour.py."""
    from . import tour as tour_module   # imported here: other commands never need it
    for stream in (sys.stdout, sys.stderr):   # a terminal that cannot show −, → or 日本語
        if hasattr(stream, "reconfigure"):    # gets '?' instead of a UnicodeEncodeError
            stream.reconfigure(errors="replace")
    try:
        tour_module.run_tour(out, lang=lang, fast=fast)
    except (tour_module.TourError, OSError) as err:
        return _fail(err)
    return 0


def draw(output):
    """Draw the example graph (after backward, so gradients show) to `output`."""
    return _draw_or_explain(build_example()["L"], output)


def explain_example(html=None):
    """Print the chain rule of the example, one line per edge; with `html`, also write the
    page that steps through backward (viz.to_html)."""
    from .explain import explain

    a, b, c = Value(A, label="a"), Value(B, label="b"), Value(C, label="c")
    L = (a * b + c).tanh()
    L.label = "L"
    L.backward(retain_graph=True)  # keep the VJPs: explain runs them once more
    explain(L, show=True)
    if html is None:
        return 0
    try:
        saved = viz.to_html(L, html)
    except _CANNOT_DRAW as err:
        return _fail(err)
    print(f"\nThe page that steps through backward is {saved}: open it in a browser.")
    return 0


BENCHMARKS = Path(__file__).resolve().parent.parent / "benchmarks" / "run.py"


def bench(options, run_py=BENCHMARKS):
    """Run the repository's benchmarks (benchmarks/run.py, in a process of its own, as
    `python -m benchmarks` does) with `options` such as ["--quick"]; return its exit code."""
    if not Path(run_py).is_file():
        print(f"\nThe benchmarks are the scripts of the tiny_grad repository's benchmarks/ "
              f"folder, and this installation has none ({run_py} is missing). Run this command "
              "from a clone of the repository: git clone, then bash scripts/bootstrap.sh and "
              ".venv/bin/python -m tiny_grad bench.", file=sys.stderr)
        return 1
    return subprocess.run([sys.executable, str(run_py), *options]).returncode


def make_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tiny_grad",
        description="tiny_grad: an automatic differentiation engine written to be read.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "tour", help="the whole story in one go: figures and a page, index.html",
        description="Walk the story from the gap (ずれ) to a digit classifier: run the "
                    "examples in order, print a short narrative, and write every figure plus "
                    "index.html, which shows them with their explanations. Needs matplotlib: "
                    "pip install 'tiny_grad[examples]'.",
    )
    p.add_argument("--out", default="tiny_grad_tour", metavar="DIR",
                   help="folder for the figures and index.html (default: ./tiny_grad_tour/)")
    p.add_argument("--lang", choices=["en", "ja"], default="en",
                   help="language of the narrative and the page (default: en)")
    p.add_argument("--fast", action="store_true",
                   help="smaller sizes: the same story in fewer seconds")

    p = commands.add_parser(
        "draw", help="draw the example graph L = tanh(a*b + c) to a file",
        description="Draw the example graph, values and gradients included. The format comes "
                    "from the file name's suffix: .svg, .png, .pdf, ... (.gv or .dot writes "
                    "the DOT source and needs no Graphviz program).",
    )
    p.add_argument("-o", "--output", default="graph.svg", metavar="PATH",
                   help="where to save it (default: graph.svg)")

    p = commands.add_parser(
        "explain", help="the chain rule of L = tanh(a*b + c), one line per edge",
        description="Run backward on the example L = tanh(a*b + c) and print, for every edge "
                    "in the order backward visits them, dL/d(input) = dL/d(output) · "
                    "d(output)/d(input) with the numbers. With --html, also write a page "
                    "that steps through backward node by node.",
    )
    p.add_argument("--html", metavar="PATH",
                   help="also write the step-through page to PATH (e.g. backward.html)")

    p = commands.add_parser(
        "bench", help="time tiny_grad beside NumPy by hand (and PyTorch, micrograd)",
        description="Run every benchmark of the repository's benchmarks/ folder (the same as "
                    "python -m benchmarks there): micrograd's demo step, a chain of a million "
                    "ops, two MLPs and the cost of one small op, each beside NumPy written by "
                    "hand, and beside PyTorch and micrograd where they are installed. Prints "
                    "one table of medians and ratios from this run (about 6 minutes).",
    )
    p.add_argument("--quick", action="store_true",
                   help="fewer repeats, chains up to N = 10^5 (a few minutes)")
    p.add_argument("--markdown", action="store_true", help="print the table as Markdown")
    p.add_argument("--json", metavar="PATH", help="also save every raw result to PATH")
    return parser


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command == "tour":
        return tour(args.out, args.lang, args.fast)
    if args.command == "draw":
        return draw(args.output)
    if args.command == "explain":
        return explain_example(args.html)
    if args.command == "bench":
        options = []
        if args.quick:
            options.append("--quick")
        if args.markdown:
            options.append("--markdown")
        if args.json:
            options += ["--json", args.json]
        return bench(options)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
