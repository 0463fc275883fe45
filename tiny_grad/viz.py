"""Drawing a computation graph with Graphviz.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> L = (a * b).tanh(); L.backward()
    >>> dot = draw_graph(L)             # a graphviz.Digraph (Jupyter shows it as a picture)
    >>> save_graph(dot, "graph.svg")    # or .png, .pdf

Every node of the graph becomes a box with its label (if it has one), its value
and its gradient:

    { a | data 2.0000 | grad -3.0000 }

Every node that an operation produced also gets a small oval with the name of
that operation ("+", "*", "tanh", "**2", ...), and arrows run

    input -> operation -> result

An input used twice (as in `a + a`) gets two arrows, because its gradient is
the sum of what flows back along both of them.

Fill colours (also shown in the legend under the drawing):

    light blue    leaves: inputs, parameters and constants (nothing points into them)
    light grey    intermediate results
    light orange  the output, the node you drew (usually the loss)
    pale yellow   operations

Numbers are shown with `precision` digits after the point; a number that would
round to zero, or is a million or more, is shown in e-notation (3.1000e-09) so
that a small but non-zero gradient does not look like 0. A node that holds an
array (a Tensor) also shows its shape and dtype, and its values when it has at
most six of them, otherwise their mean and largest absolute value.

The `graphviz` Python package is imported only when you draw, so importing
tiny_grad never needs it. Turning the drawing into a picture also needs
Graphviz's `dot` program; without it, `save_graph` saves the DOT source and
says how to install Graphviz.
"""

import numbers
import pathlib
import shutil

import numpy as np

from . import autograd

# kind of node -> (fill colour, name in the legend). The one place colours are chosen.
_KINDS = {
    "parameter": ("#cfe2ff", "leaf that gets a gradient (parameter, input)"),
    "data": ("#d3f9d8", "leaf with no gradient (data, constant)"),
    "inner": ("#eeeeee", "intermediate"),
    "output": ("#ffd8a8", "output"),
    "op": ("#fff3bf", "operation"),
}
# With color_by_grad=True: light to dark as |grad| grows, in five equal steps up to the largest.
_GRAD_SCALE = ("#fff5eb", "#fdd0a2", "#fd8d3c", "#e6550d", "#a63603")
_RANKDIRS = ("LR", "RL", "TB", "BT")
_SMALL_ARRAY = 6  # arrays with at most this many elements show all their values


class GraphvizNotFoundError(RuntimeError):
    """Graphviz's `dot` program is not installed, so a drawing could not be rendered."""


# ---- what a node's box says ---------------------------------------------------------------

def format_node(node, precision=4, label=None):
    """The rows of a node's box: its label (if any), shape and dtype (arrays only), data, grad.

    Works for any node that has `.data` and `.grad`: a Value (floats), or a
    Tensor (`.data` an ndarray, `.grad` a Tensor or None, plus `.shape` and `.dtype`).
    """
    label = label or getattr(node, "label", "")
    rows = [label] if label else []
    shape = getattr(node, "shape", None)
    if shape is not None:
        dtype = getattr(node, "dtype", getattr(node.data, "dtype", ""))
        rows.append(f"shape {tuple(shape)} {dtype}")
    rows.append("data " + _format_data(node.data, precision))
    rows.append("grad " + _format_data(_plain(node.grad), precision))
    return rows


def _plain(x):
    """The number or ndarray inside x: a Tensor's `.grad` is itself a Tensor."""
    if x is None or isinstance(x, (numbers.Number, np.generic, np.ndarray)):
        return x
    return x.data


def _format_data(x, precision):
    """A number, a small array's values, or a large array's mean and largest |value|."""
    if x is None:
        return "None"
    if np.ndim(x) == 0:
        return _format_number(float(x), precision)
    x = np.asarray(x)
    if x.size <= _SMALL_ARRAY:
        return _format_nested(x, precision)
    mean = _format_number(float(x.mean()), precision)
    largest = _format_number(float(np.abs(x).max()), precision)
    return f"mean {mean}, max abs {largest}"


def _format_nested(x, precision):
    """[[1.0000, 2.0000], [3.0000, 4.0000]]: the values of an array, row by row."""
    if x.ndim == 0:
        return _format_number(float(x), precision)
    return "[" + ", ".join(_format_nested(row, precision) for row in x) + "]"


def _format_number(x, precision):
    """x with `precision` digits after the point; e-notation if it would show as 0 or is huge."""
    if x == 0 or 10.0 ** -precision <= abs(x) < 1e6:
        return f"{x:.{precision}f}"
    return f"{x:.{precision}e}"  # also prints nan and inf as "nan" and "inf"


def _escape(text):
    """Text safe inside a Graphviz label: a backslash before the characters records use."""
    text = str(text).replace("\\", "\\\\")
    for ch in '{}|<>"':
        text = text.replace(ch, "\\" + ch)
    return text


# ---- drawing ------------------------------------------------------------------------------

def draw_graph(root, rankdir="LR", max_nodes=500, precision=4, params=None, color_by_grad=False):
    """Draw the graph that computed `root` (a Value or Tensor) as a `graphviz.Digraph`.

    rankdir:       "LR" draws inputs on the left and the output on the right;
                   "TB" top to bottom ("RL" and "BT" also work).
    max_nodes:     refuse (ValueError) to draw a graph with more nodes than this.
    precision:     digits after the decimal point.
    params:        {name: node}, e.g. dict(model.named_parameters()): these names are shown
                   instead of the nodes' own labels.
    color_by_grad: fill each value's box by the size of its gradient (mean |grad| for
                   arrays), from light (small) to dark (the largest in the graph).

    Nodes are named by their place in the topological order ("n0", "n0_op", ...),
    so the same graph always gives the same DOT source (`draw_graph(L).source`).
    """
    if rankdir not in _RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(_RANKDIRS)}, not {rankdir!r}")
    graphviz = _import_graphviz()
    order = autograd.topological_order([root])
    if len(order) > max_nodes:
        raise ValueError(
            f"this graph has {len(order)} nodes, more than max_nodes={max_nodes}; a drawing "
            "that big is hard to read and slow to lay out. Draw a smaller graph (one example, "
            "a smaller model) or pass a larger max_nodes."
        )
    names = {id(node): name for name, node in (params or {}).items()}
    kinds = [_kind(node, root) for node in order]
    if color_by_grad:
        fills, legend = _grad_fills(order)
    else:
        fills = [_KINDS[kind][0] for kind in kinds]
        legend = _legend(set(kinds) | ({"op"} if len(order) > 1 else set()))

    font = {"fontname": "Helvetica", "fontsize": "11"}
    dot = graphviz.Digraph(
        "computation_graph",
        graph_attr={"rankdir": rankdir, "label": legend, "labelloc": "b", **font},
        node_attr={"shape": "record", "style": "filled", **font},
        edge_attr={"arrowsize": "0.7"},
    )
    number = {id(node): i for i, node in enumerate(order)}  # only to look up names, never shown
    for i, node in enumerate(order):
        name = f"n{i}"
        rows = format_node(node, precision, label=names.get(id(node)))
        box = " | ".join(_escape(row) for row in rows)
        if rankdir in ("TB", "BT"):  # a record's rows run across the ranks: stack them
            box = "{ " + box + " }"
        style = "filled,bold" if kinds[i] == "output" else "filled"
        dot.node(name, graphviz.nohtml(box), fillcolor=fills[i], style=style)
        if node.parents:
            op = f"{name}_op"
            dot.node(op, graphviz.nohtml(_escape(node.op)), shape="ellipse",
                     fillcolor=_KINDS["op"][0], height="0.3", margin="0.04,0.02")
            for parent in node.parents:  # a parent used twice gets two arrows
                dot.edge(f"n{number[id(parent)]}", op)
            dot.edge(op, name)
    return dot


def _kind(node, root):
    """output, inner, parameter (a leaf that gets a gradient) or data (a leaf that does not)."""
    if node is root:
        return "output"
    if node.parents:
        return "inner"
    return "parameter" if node.requires_grad else "data"


def _grad_fills(order):
    """color_by_grad: one fill per node, from _GRAD_SCALE by |grad| as a fraction of the
    largest in the graph (white: no gradient), and the legend that says so."""
    sizes = []
    for node in order:
        g = _plain(node.grad)
        sizes.append(None if g is None else float(np.mean(np.abs(g))))
    largest = max((s for s in sizes if s is not None and np.isfinite(s)), default=0.0)
    steps = len(_GRAD_SCALE)
    fills = []
    for s in sizes:
        if s is None or not np.isfinite(s) or largest == 0:
            fills.append("white")
        else:
            fills.append(_GRAD_SCALE[min(int(s / largest * steps), steps - 1)])
    cells = "".join(
        f'<td bgcolor="{colour}">{_format_number(largest * k / steps, 2)} to '
        f'{_format_number(largest * (k + 1) / steps, 2)}</td>'
        for k, colour in enumerate(_GRAD_SCALE)
    )
    legend = (f'<<table border="0" cellborder="1" cellspacing="4"><tr><td border="0">mean |grad|</td>'
              f'{cells}<td bgcolor="white">no gradient</td></tr></table>>')
    return fills, legend


def _legend(kinds):
    """The colour key under the drawing (the kinds present), as a Graphviz HTML-like label."""
    cells = "".join(f'<td bgcolor="{colour}">{text}</td>'
                    for kind, (colour, text) in _KINDS.items() if kind in kinds)
    return f'<<table border="0" cellborder="1" cellspacing="6"><tr>{cells}</tr></table>>'


def _import_graphviz():
    """The `graphviz` package, imported only when drawing, with a clear message if missing."""
    try:
        import graphviz
    except ImportError:
        raise ImportError(
            "drawing graphs needs the graphviz Python package: pip install graphviz"
        ) from None
    return graphviz


# ---- saving -------------------------------------------------------------------------------

def save_graph(dot, path, format=None):
    """Render a drawing to a file with Graphviz's `dot` program; return the file's path.

    The format comes from the end of `path` (.svg, .png, .pdf, ...) unless given.
    A .dot or .gv path gets the DOT source itself, which needs no Graphviz program.
    Without `dot`, the DOT source is saved next to `path` (same name, .dot) and
    GraphvizNotFoundError says where it is and how to install Graphviz.
    """
    path = pathlib.Path(path)
    format = (format or path.suffix.lstrip(".")).lower()
    graphviz = _import_graphviz()
    if format not in graphviz.FORMATS:
        raise ValueError(
            f"cannot tell which picture format to write for {str(path)!r} (got {format!r}): "
            "end the path with .svg, .png or .pdf, or pass format='svg'"
        )
    if format in ("dot", "gv"):
        path.write_text(dot.source, encoding="utf-8")
        return str(path)
    if shutil.which("dot") is None:
        raise _dot_missing(dot, path) from None
    try:
        picture = dot.pipe(format=format)  # bytes in memory: no temporary files left behind
    except graphviz.ExecutableNotFound:
        raise _dot_missing(dot, path) from None
    path.write_bytes(picture)
    return str(path)


def _dot_missing(dot, path):
    """Save the DOT source next to `path` and return the error that says so."""
    source_path = path.with_suffix(".dot")
    source_path.write_text(dot.source, encoding="utf-8")
    return GraphvizNotFoundError(
        f"could not draw {path}: Graphviz's `dot` program was not found (the graphviz Python "
        "package alone is not enough, it runs `dot`).\n"
        f"The drawing's DOT source was saved to {source_path}.\n"
        "Install Graphviz, then try again:\n"
        "    apt-get install graphviz                (Debian/Ubuntu)\n"
        "    brew install graphviz                   (macOS)\n"
        "    conda install -c conda-forge graphviz   (conda)"
    )
