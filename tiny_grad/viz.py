"""Drawing a computation graph with Graphviz.

    >>> a = Value(2.0, label="a"); b = Value(-3.0, label="b")
    >>> L = (a * b).tanh(); L.backward()
    >>> dot = draw_graph(L)             # a graphviz.Digraph (Jupyter shows it as a picture)
    >>> save_graph(dot, "graph.svg")    # or .png, .pdf

To watch backward happen, `to_html(L, "backward.html")` writes one web page (at the
end of this file) where buttons step through the backward pass node by node, with
the chain rule of each step beside the drawing (see explain.py).

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
import re
import shutil

import numpy as np

from . import autograd
from .tensor import quiet_numpy

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
    if x == 0:
        return f"{0.0:.{precision}f}"  # never "-0.0000": a learner would wonder what it means
    if 10.0 ** -precision <= abs(x) < 1e6:
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
    from .explain import _given_names
    names = _given_names(params)
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
        sizes.append(_grad_size(g))
    largest = _scale_top(sizes[:-1], sizes[-1])  # the root comes last in the order
    fills = []
    for s in sizes:
        level = _grad_level(s, largest)
        fills.append("white" if level is None else _GRAD_SCALE[level])
    cells = "".join(f'<td bgcolor="{colour}">{text}</td>'
                    for colour, text in zip(_GRAD_SCALE, _scale_ranges(largest)))
    legend = (f'<<table border="0" cellborder="1" cellspacing="4"><tr><td border="0">mean |grad|</td>'
              f'{cells}<td bgcolor="white">no gradient</td></tr></table>>')
    return fills, legend


def _grad_size(g):
    """How big a gradient is, for its colour: the mean |g|; None for none, or an empty one."""
    if g is None or np.size(g) == 0:
        return None
    with quiet_numpy():  # (an overflowing mean is inf, and gets no colour)
        return float(np.mean(np.abs(g)))


def _scale_top(sizes, output_size):
    """Where the colour scale ends: the largest finite mean |grad| but the output's own (the
    1 that backward starts with), which would otherwise leave every other box pale."""
    finite = [s for s in sizes if s is not None and np.isfinite(s)]
    return max(finite, default=output_size or 0.0)


def _scale_ranges(largest):
    """The mean |grad| each colour of _GRAD_SCALE stands for, as text: "0 to 0.2", ...
    The last range is open ("0.8 and more"), since the output's own gradient, left out of
    `largest` (see _scale_top), can be bigger and takes the last colour too."""
    steps = len(_GRAD_SCALE)
    ends = [_format_number(largest * k / steps, 2) for k in range(steps)]
    return [f"{ends[k]} to {ends[k + 1]}" for k in range(steps - 1)] + [f"{ends[-1]} and more"]


def _grad_level(size, largest):
    """Which colour of _GRAD_SCALE a mean |grad| of `size` gets (None: no colour)."""
    if size is None or not np.isfinite(size) or largest == 0:
        return None
    steps = len(_GRAD_SCALE)
    return min(int(size / largest * steps), steps - 1)


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
    if not hasattr(dot, "pipe"):
        raise TypeError(f"save_graph takes a drawing, not a {type(dot).__name__}: write "
                        "save_graph(draw_graph(L), path)")
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


# ---- a web page that steps through backward ----------------------------------------------

def to_html(root, path, params=None, rankdir="LR", max_nodes=500, precision=4, gradient=None,
            title=None):
    """Write one web page that walks through backward from `root`, node by node; return its path.

    The page is a single file that needs no network: the drawing (draw_graph's SVG, made
    by Graphviz) and a small script are inside it. Open it from disk in any current
    browser. Its buttons Step, Back, Play and Reset (or the arrow keys, space, Home) walk
    the backward pass in the engine's order: the node being visited and the edges into it
    (those its gradient goes back along) light up, its gradient appears in its box, the box is coloured by the size of that
    gradient, and the side panel shows that step's lines of `explain`. Hovering over a
    node (or tabbing to it) shows its value, gradient, op and, for a Tensor, its shape.

    The chain-rule lines need the graph's VJPs, as `explain` does: call
    `root.backward(retain_graph=True)` (or nothing: the page runs its own pass). After a
    plain `backward()` the page still steps through the stored gradients, and says why
    the chain-rule lines are missing.

    params, rankdir, max_nodes, precision: as for draw_graph.  gradient: as for explain.
    title: the page's heading (default "Backward from <root's name>").
    Without Graphviz's `dot` program, GraphvizNotFoundError (and the DOT source next to path).
    """
    import html
    import json

    from .explain import _names, _summary, backward_steps

    path = pathlib.Path(path)
    order = autograd.topological_order([root])  # the order draw_graph numbers n0, n1, ... by
    if len(order) > max_nodes:
        draw_graph(root, max_nodes=max_nodes)  # raises the ValueError that explains why
    names = _names(order, params)
    # Every box gets a title: its label, or else the name the page's lines use for it
    # ("a*b + c", "n7").
    titles = dict(params or {})
    named = {id(node) for node in titles.values()}
    titles.update({name: node for name, node in zip(names, order)
                   if not node.label and id(node) not in named})
    dot = draw_graph(root, rankdir=rankdir, max_nodes=max_nodes, precision=precision,
                     params=titles)
    dot.graph_attr.pop("label", None)  # the page has its own legend, with the gradient colours
    if shutil.which("dot") is None:
        raise _dot_missing(dot, path)
    try:
        svg = dot.pipe(format="svg").decode("utf-8")
    except _import_graphviz().ExecutableNotFound:
        raise _dot_missing(dot, path) from None
    svg = _bare_svg(svg)

    steps = backward_steps(root, gradient, params, stored=True)
    by_index = {step.index: step for step in steps}
    sizes = {i: _grad_size(_plain(step.grad)) for i, step in by_index.items()}
    largest = _scale_top([s for i, s in sizes.items() if i != len(order) - 1],
                         sizes.get(len(order) - 1))

    number = {id(node): i for i, node in enumerate(order)}
    nodes = []  # what the page knows about node n{i}, for the boxes and the hover box
    for i, node in enumerate(order):
        step = by_index.get(i)
        shape = getattr(node, "shape", None)
        nodes.append({
            "name": names[i],
            "op": node.op,
            "parents": [number[id(parent)] for parent in node.parents],
            # the inputs a gradient flows back to (not data that needs none)
            "flows": [number[id(parent)] for parent in node.parents if parent.requires_grad],
            "value": _summary(node.data),
            "shape": "" if shape is None else str(tuple(shape)),
            # None: backward never reaches it (data that needs no gradient)
            "gradient": step.gradient if step else None,
            "box": "grad " + _format_data(_plain(step.grad), precision) if step else None,
            "level": _grad_level(sizes[i], largest) if step else None,
        })
    scale = [{"colour": colour, "range": text}
             for colour, text in zip(_GRAD_SCALE, _scale_ranges(largest))]
    data = {
        "steps": [{"node": step.index, "lines": step.lines, "sources": step.sources}
                  for step in steps],
        "nodes": nodes,
        "scale": scale,
        "ends": (_format_number(0.0, 2), _format_number(largest, 2)),
    }
    heading = title or f"Backward from {names[-1]}"
    fill = {
        "__TITLE__": html.escape(heading),
        "__SVG__": svg,
        # JSON is JavaScript; with "<" escaped, no text in it can end the <script> early
        "__DATA__": json.dumps(data, ensure_ascii=False).replace("<", "\\u003c"),
    }
    page = re.sub(r"__(TITLE|SVG|DATA)__", lambda m: fill[m.group(0)], _PAGE)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return str(path)


def _bare_svg(svg):
    """Graphviz's SVG made ready to sit inside a page: no XML prolog, no comments."""
    svg = svg[svg.index("<svg"):]
    return re.sub(r"<!--.*?-->\n?", "", svg, flags=re.S)


# The page to_html writes. __TITLE__, __SVG__ and __DATA__ are filled in; everything else,
# the style and the script included, is the same for every graph. No file is fetched.
_PAGE = r"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>__TITLE__ (tiny_grad)</title>
<link rel="icon" href="data:,">
<style>
  * { box-sizing: border-box; }
  html, body { height: 100%; margin: 0; }
  body { display: flex; flex-direction: column; font: 15px/1.45 system-ui, sans-serif;
         color: #212529; background: #f8f9fa; }
  header { padding: 10px 16px 8px; background: white; border-bottom: 1px solid #dee2e6; }
  h1 { font-size: 19px; margin: 0 0 6px; }
  .toolbar { display: flex; flex-wrap: wrap; gap: 8px; align-items: center; }
  button { font: inherit; padding: 5px 14px; border: 1px solid #adb5bd; border-radius: 6px;
           background: white; cursor: pointer; }
  button:hover:not(:disabled) { background: #e7f5ff; }
  button:focus-visible { outline: 3px solid #74c0fc; outline-offset: 1px; }
  button:disabled { color: #adb5bd; cursor: default; }
  #step { background: #1c7ed6; border-color: #1c7ed6; color: white; font-weight: 600; }
  #step:hover:not(:disabled) { background: #1971c2; }
  #step:disabled { background: #a5d8ff; border-color: #a5d8ff; }
  #counter { font-weight: 600; margin-left: 6px; min-width: 9em; }
  .keys { color: #6c757d; font-size: 13px; }
  kbd { border: 1px solid #ced4da; border-radius: 3px; padding: 0 4px; background: #f1f3f5;
        font: 12px ui-monospace, monospace; }
  main { flex: 1; display: flex; min-height: 0; }
  #graph { flex: 1; overflow: auto; padding: 12px; background: white; min-width: 0; }
  #graph svg { display: block; margin: auto; }
  aside { width: 420px; max-width: 45vw; overflow: auto; padding: 12px 16px;
          border-left: 1px solid #dee2e6; }
  h2 { font-size: 13px; text-transform: uppercase; letter-spacing: .05em; color: #495057;
       margin: 14px 0 6px; }
  h2:first-child { margin-top: 0; }
  #step-grad { font: 600 17px/1.4 ui-monospace, monospace; margin: 4px 0; color: #1864ab;
               overflow-wrap: anywhere; }
  #step-note { margin: 4px 0; color: #495057; }
  #step-lines, #step-sources, #history { font: 13px/1.5 ui-monospace, monospace;
                                         padding-left: 0; list-style: none; margin: 0; }
  #step-sources li { border-left: 3px solid #ced4da; padding: 1px 8px; margin: 2px 0;
                     color: #495057; overflow-wrap: anywhere; }
  .small { font-size: 13px; color: #6c757d; margin: 6px 0 2px; }
  #step-lines li { background: #e7f5ff; border-left: 3px solid #1c7ed6; padding: 3px 8px;
                   margin: 3px 0; overflow-wrap: anywhere; }
  #history { max-height: 30vh; overflow: auto; color: #495057; }
  #history li { padding: 1px 0; overflow-wrap: anywhere; }
  #history li:last-child { color: #1864ab; font-weight: 600; }
  .legend { list-style: none; padding: 0; margin: 8px 0 0; font-size: 13px; display: flex;
            flex-wrap: wrap; gap: 4px 22px; color: #343a40; }
  .legend li { display: flex; align-items: center; gap: 6px; }
  .swatch { width: 26px; height: 15px; border: 1px solid #495057; flex: none; }
  #legend-scale .swatch { width: 22px; margin: 0 -4px; }
  .swatch.pending { background: white; }
  .swatch.current { background: white; border: 3px solid #1c7ed6; }
  .swatch.data { background: #d3f9d8; }
  .swatch.op { background: #fff3bf; border-radius: 50%; }
  #tip { position: fixed; z-index: 10; pointer-events: none; max-width: 380px;
         background: #212529; color: white; padding: 7px 10px; border-radius: 6px;
         font-size: 13px; box-shadow: 0 2px 8px rgba(0,0,0,.3); }
  #tip b { font-size: 14px; }
  #tip .mono { font-family: ui-monospace, monospace; overflow-wrap: anywhere; }

  /* The drawing. Graphviz sets colours as attributes; these rules win over them. */
  #graph g.node { cursor: pointer; }
  #graph g.node:focus { outline: none; }
  #graph g.node:focus > polygon, #graph g.node:focus > ellipse { stroke: #e8590c; stroke-width: 3px; }
  #graph g.pending > polygon { fill: white; }
  #graph g.pending > text:last-of-type { fill: #868e96; }
  #graph g.level0 > polygon { fill: #fff5eb; }
  #graph g.level1 > polygon { fill: #fdd0a2; }
  #graph g.level2 > polygon { fill: #fd8d3c; }
  #graph g.level3 > polygon { fill: #e6550d; }
  #graph g.level4 > polygon { fill: #a63603; }
  #graph g.level3 > text, #graph g.level4 > text { fill: white; }
  #graph g.current > polygon, #graph g.current > ellipse { stroke: #1c7ed6; stroke-width: 4px; }
  #graph g.node.current > ellipse { fill: #a5d8ff; }
  #graph g.edge.current > path { stroke: #1c7ed6; stroke-width: 3px; }
  #graph g.edge.current > polygon { stroke: #1c7ed6; fill: #1c7ed6; }
</style>
</head>
<body>
<header>
  <h1>__TITLE__</h1>
  <div class="toolbar" role="toolbar" aria-label="Step through backward">
    <button id="back" type="button" title="one step back (left arrow)">&#9664; Back</button>
    <button id="step" type="button" title="one step of backward (right arrow)">Step &#9654;</button>
    <button id="play" type="button" aria-pressed="false" title="step by itself (space)">Play</button>
    <button id="reset" type="button" title="back to the start (Home)">Reset</button>
    <button id="zoom" type="button" title="show the whole drawing, or zoom in so its text is readable">Whole graph</button>
    <span id="counter" aria-live="polite"></span>
    <span class="keys"><kbd>&rarr;</kbd> step <kbd>&larr;</kbd> back <kbd>space</kbd> play
      <kbd>Home</kbd> reset &middot; hover over a box for its numbers</span>
  </div>
  <ul class="legend" id="legend" aria-label="legend">
    <li><span class="swatch pending"></span><span>not reached yet (<b>grad ?</b>)</span></li>
    <li><span class="swatch current"></span>backward is here, and the edges its gradient goes back along</li>
    <li id="legend-scale" title="the colour of a box once backward has reached it">mean |grad|</li>
    <li id="legend-data"><span class="swatch data"></span>needs no gradient (data)</li>
    <li><span class="swatch op"></span>operation</li>
  </ul>
</header>
<main>
  <div id="graph">
__SVG__
  </div>
  <aside>
    <h2>This step</h2>
    <div id="step-grad" data-node=""></div>
    <p id="step-from" class="small"></p>
    <ol id="step-sources"></ol>
    <p id="step-note"></p>
    <ol id="step-lines" aria-live="polite"></ol>
    <h2>Gradients so far, in backward's order</h2>
    <ol id="history"></ol>
  </aside>
</main>
<div id="tip" role="tooltip" hidden></div>
<script>
"use strict";
(function () {
  // What Python worked out: the steps of backward in the engine's order, and every node.
  const DATA = __DATA__;
  const steps = DATA.steps, nodes = DATA.nodes;
  const $ = (id) => document.getElementById(id);

  // Find the drawing's pieces. Graphviz names each box after its node, n3 (and n3_op for
  // the operation that made it), and each arrow after its two ends, "n0->n3_op".
  const graph = $("graph"), svg = graph.querySelector("svg");
  const box = {}, arrows = {};
  for (const g of svg.querySelectorAll("g.node, g.edge")) {
    const name = g.querySelector("title").textContent;
    g.dataset.node = name;
    if (g.classList.contains("node")) box[name] = g;
    else (arrows[name] = arrows[name] || []).push(g);
  }
  svg.querySelectorAll("title").forEach((t) => t.remove()); // the page shows its own hover box

  // Before backward, no gradient is known: every box that will get one says "grad ?".
  const gradText = [], stepOf = [];
  steps.forEach((step, k) => { stepOf[step.node] = k; });
  nodes.forEach((node, i) => {
    const g = box["n" + i];
    g.setAttribute("tabindex", "0");
    const texts = g.querySelectorAll("text");
    gradText[i] = texts[texts.length - 1];
    if (node.gradient !== null) { g.classList.add("pending"); gradText[i].textContent = "grad ?"; }
  });
  if (nodes.every((node) => node.gradient !== null)) $("legend-data").remove();
  const scale = $("legend-scale");   // mean |grad| 0 [light ... dark] largest
  scale.append(" " + DATA.ends[0]);
  for (const { colour, range } of DATA.scale) {
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.background = colour;
    swatch.title = "mean |grad| " + range;
    scale.append(swatch);
  }
  scale.append(DATA.ends[1]);

  // The pieces that light up at step k: its node, its operation, and the arrows into them.
  function lit(k) {
    const i = steps[k].node, pieces = [box["n" + i]];
    if (nodes[i].parents.length) {
      pieces.push(box["n" + i + "_op"], ...(arrows["n" + i + "_op->n" + i] || []));
      for (const p of new Set(nodes[i].flows)) pieces.push(...(arrows["n" + p + "->n" + i + "_op"] || []));
    }
    return pieces;
  }

  // done = how many steps have been taken. Moving changes only the boxes that change:
  // no drawing is laid out again, so a step is instant even on big graphs.
  let done = 0;
  function take(k, forward) {
    const i = steps[k].node, node = nodes[i], g = box["n" + i];
    g.classList.toggle("pending", !forward);
    if (node.level !== null) g.classList.toggle("level" + node.level, forward);
    gradText[i].textContent = forward ? node.box : "grad ?";
    if (forward) {
      const li = document.createElement("li");
      li.textContent = node.gradient;
      $("history").append(li);
    } else {
      $("history").lastElementChild.remove();
    }
  }

  function goTo(target) {
    target = Math.max(0, Math.min(steps.length, target));
    if (done > 0) lit(done - 1).forEach((el) => el.classList.remove("current"));
    while (done < target) take(done++, true);
    while (done > target) take(--done, false);
    if (done > 0) {
      lit(done - 1).forEach((el) => el.classList.add("current"));
      box["n" + steps[done - 1].node].scrollIntoView({ block: "center", inline: "center" });
    }
    $("history").scrollTop = $("history").scrollHeight;
    showStep();
  }

  function showStep() {
    const n = steps.length;
    $("counter").textContent = "Step " + done + " of " + n;
    $("back").disabled = $("reset").disabled = done === 0;
    $("step").disabled = done === n;
    $("step-lines").replaceChildren();
    $("step-sources").replaceChildren();
    $("step-from").textContent = "";
    if (done === 0) {
      $("step-grad").textContent = "";
      $("step-grad").dataset.node = "";
      $("step-note").textContent = "Backward starts at the output and visits every node once, " +
        "after all the nodes that use it. Press Step (or \u2192).";
      return;
    }
    const step = steps[done - 1], node = nodes[step.node];
    $("step-grad").textContent = node.gradient;
    $("step-grad").dataset.node = "n" + step.node;
    let note = node.parents.length
      ? "'" + node.op + "' hands this gradient back to its input" +
        (new Set(node.flows).size > 1 ? "s" : "") + ", times its local derivative:"  // (a*a: one)
      : node.name + " is a leaf: backward stops here.";
    if (done === 1) note = "The start: the output's gradient with respect to itself. " + note;
    if (done === n) note += " Backward is done: every gradient is in place.";
    $("step-note").textContent = note;
    if (step.sources.length) {
      $("step-from").textContent = "It got this gradient from " +
        (step.sources.length > 1 ? "these lines of earlier steps (added up):" : "this line of an earlier step:");
    }
    list($("step-sources"), step.sources);
    list($("step-lines"), step.lines);
  }

  function list(ol, texts) {
    for (const text of texts) {
      const li = document.createElement("li");
      li.textContent = text;
      ol.append(li);
    }
  }

  // Play steps by itself, one step every 0.7 s.
  let timer = null;
  function play(on) {
    if (on && done === steps.length) goTo(0);
    clearInterval(timer);
    timer = on ? setInterval(() => (done < steps.length ? goTo(done + 1) : play(false)), 700) : null;
    $("play").textContent = on ? "Pause" : "Play";
    $("play").setAttribute("aria-pressed", String(on));
  }

  $("step").onclick = () => { play(false); goTo(done + 1); };
  $("back").onclick = () => { play(false); goTo(done - 1); };
  $("reset").onclick = () => { play(false); goTo(0); };
  $("play").onclick = () => play(timer === null);
  document.addEventListener("keydown", (e) => {
    if (e.altKey || e.ctrlKey || e.metaKey) return;
    const keys = { ArrowRight: "step", ArrowLeft: "back", Home: "reset", r: "reset", p: "play", " ": "play" };
    if (!(e.key in keys) || (e.key === " " && e.target.closest("button"))) return;
    e.preventDefault();
    $(keys[e.key]).click();
  });

  // Zoom: "readable" (the default) shrinks the drawing to fit its pane, but never so far
  // that its text gets too small to read (then the pane scrolls, and follows each step);
  // "whole" shows all of it. Sizes change only here: on load, resize, or the button.
  let zoom = "readable";
  const view = svg.viewBox.baseVal, full = { w: view.width * 4 / 3, h: view.height * 4 / 3 };
  function scales() {
    const room = { w: graph.clientWidth - 24, h: graph.clientHeight - 24 };
    const whole = Math.min(room.w / full.w, room.h / full.h, 1.5);
    const readable = whole >= 0.8 ? whole : Math.max(0.8, Math.min(room.w / full.w, 1.2));
    return { whole, readable };
  }
  function size() {
    const s = scales();
    svg.style.width = full.w * s[zoom] + "px";
    svg.style.height = full.h * s[zoom] + "px";
    $("zoom").hidden = Math.abs(s.whole - s.readable) < 0.01;
    $("zoom").textContent = zoom === "whole" ? "Zoom in" : "Whole graph";
  }
  $("zoom").onclick = () => { zoom = zoom === "whole" ? "readable" : "whole"; size(); };
  window.addEventListener("resize", size);
  size();

  // Hover over a box (or tab to it): its name, op, shape, value and gradient.
  const tip = $("tip");
  function describe(name) {
    const op = name.endsWith("_op"), i = parseInt(name.slice(1), 10), node = nodes[i];
    const inputs = node.parents.map((p) => nodes[p].name).join(", ");
    const rows = [];
    if (op) {
      rows.push(["", "operation '" + node.op + "'"], ["makes", node.name], ["from", inputs]);
    } else {
      rows.push(["", node.name]);
      rows.push(["op", node.op ? "'" + node.op + "' of " + inputs : "none: a leaf (an input)"]);
      if (node.shape) rows.push(["shape", node.shape]);
      rows.push(["value", node.value]);
      let grad = "not reached yet: press Step";
      if (node.gradient === null) grad = "none: it needs no gradient";
      else if (stepOf[i] < done) grad = node.gradient;
      rows.push(["gradient", grad]);
    }
    tip.replaceChildren();
    for (const [key, value] of rows) {
      const div = document.createElement("div");
      if (key) { div.className = "mono"; div.textContent = key + ": " + value; }
      else { const b = document.createElement("b"); b.textContent = value; div.append(b); }
      tip.append(div);
    }
    tip.hidden = false;
  }
  function place(x, y) {
    const w = tip.offsetWidth, h = tip.offsetHeight;
    tip.style.left = Math.max(4, Math.min(x + 14, innerWidth - w - 4)) + "px";
    tip.style.top = Math.max(4, Math.min(y + 14, innerHeight - h - 4)) + "px";
  }
  const nameOf = (g) => g.dataset.node;
  let hovered = null;
  svg.addEventListener("mousemove", (e) => {
    const g = e.target.closest("g.node");
    if (g !== hovered) { hovered = g; if (g) describe(nameOf(g)); else tip.hidden = true; }
    if (g) place(e.clientX, e.clientY);
  });
  svg.addEventListener("mouseleave", () => { hovered = null; tip.hidden = true; });
  svg.addEventListener("focusin", (e) => {
    const g = e.target.closest("g.node");
    if (!g) return;
    describe(nameOf(g));
    const r = g.getBoundingClientRect();
    place(r.right, r.top);
  });
  svg.addEventListener("focusout", () => { tip.hidden = true; });
  // Clicking a box goes to the step where backward reaches it.
  svg.addEventListener("click", (e) => {
    const g = e.target.closest("g.node");
    if (!g) return;
    const i = parseInt(nameOf(g).slice(1), 10);
    if (stepOf[i] !== undefined) { play(false); goTo(stepOf[i] + 1); }
  });

  showStep();
})();
</script>
</body>
</html>
"""
