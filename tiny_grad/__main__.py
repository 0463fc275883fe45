"""The command line: `python -m tiny_grad ...` (or `tiny-grad ...` once installed).

    python -m tiny_grad tour              a short walk through one graph, saved as SVG
    python -m tiny_grad draw -o g.svg     just draw that graph to a file

Both use the same tiny example, L = tanh(a*b + c), small enough to check by hand.
"""

import argparse
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


def _draw_or_explain(root, path):
    """Draw `root` to `path` and return 0, or print why not and return 1."""
    try:
        saved = _save(viz.draw_graph(root), path)
    except viz.GraphvizNotFoundError as err:
        print(f"\n{err}", file=sys.stderr)
        return 1
    print(f"The graph, with every value and gradient, is in {saved}")
    return 0


def tour(out):
    """A short walk through one graph: forward, backward, picture."""
    v = build_example()
    a, b, c, ab, s, L = v["a"], v["b"], v["c"], v["a*b"], v["a*b + c"], v["L"]
    slope = 1 - L.data ** 2  # tanh'(s) = 1 - tanh(s)^2

    print("tiny_grad tour: one small graph, forwards and backwards\n")
    print("Forward: every value is computed from the ones before it.")
    print(f"  a = {_n(a.data)}")
    print(f"  b = {_n(b.data)}")
    print(f"  c = {_n(c.data)}")
    print(f"  a*b = {_n(ab.data)}")
    print(f"  a*b + c = {_n(s.data)}")
    print(f"  L = tanh(a*b + c) = {_n(L.data)}")
    print()
    print("Backward: dL/dx says how fast L moves when x is nudged a little.")
    rows = [
        ("dL/dL", L.grad, "the start: L moves exactly as fast as itself"),
        ("dL/d(a*b + c)", s.grad, f"tanh's slope there: 1 - L^2 = {_n(slope)}"),
        ("dL/dc", c.grad, "'+' passes the gradient on unchanged"),
        ("dL/d(a*b)", ab.grad, "the same, to the other side of '+'"),
        ("dL/da", a.grad, f"'*' multiplies by the other factor, b = {_n(b.data)}"),
        ("dL/db", b.grad, f"'*' multiplies by the other factor, a = {_n(a.data)}"),
    ]
    for name, g, why in rows:
        print(f"  {name + ' = ' + _n(g):<26}  {why}")
    print()
    print("So nudging a up by 0.001 moves L by about "
          f"{_n(a.grad * 0.001)}: the gradient is that ratio.")
    return _draw_or_explain(L, Path(out) / "L.svg")


def draw(output):
    """Draw the example graph (after backward, so gradients show) to `output`."""
    return _draw_or_explain(build_example()["L"], output)


def make_parser():
    parser = argparse.ArgumentParser(
        prog="python -m tiny_grad",
        description="tiny_grad: an automatic differentiation engine written to be read.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = commands.add_parser(
        "tour", help="walk through one small graph: values, gradients, and a picture",
        description="Build L = tanh(a*b + c), run backward, explain every gradient in words, "
                    "and save a drawing of the graph as SVG.",
    )
    p.add_argument("--out", default="tiny_grad_tour", metavar="DIR",
                   help="folder for the drawing (default: ./tiny_grad_tour/)")

    p = commands.add_parser(
        "draw", help="draw the example graph L = tanh(a*b + c) to a file",
        description="Draw the example graph, values and gradients included. The format comes "
                    "from the file name's suffix: .svg, .png, .pdf, ... (.gv or .dot writes "
                    "the DOT source and needs no Graphviz program).",
    )
    p.add_argument("-o", "--output", default="graph.svg", metavar="PATH",
                   help="where to save it (default: graph.svg)")
    return parser


def main(argv=None):
    """Run the command line with `argv` (default: sys.argv[1:]); return the exit code."""
    parser = make_parser()
    args = parser.parse_args(argv)
    if args.command == "tour":
        return tour(args.out)
    if args.command == "draw":
        return draw(args.output)
    parser.print_help()
    return 0


if __name__ == "__main__":
    sys.exit(main())
