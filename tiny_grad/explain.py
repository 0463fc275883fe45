"""explain(): the chain rule of one backward pass, in words and numbers.

After `L.backward()` every node holds dL/d(node). This file shows how each of those
numbers came about. Backward visits the nodes from L back to the inputs; at each node
it hands the node's gradient on to every input, multiplied by the local derivative of
that one operation:

    dL/d(input) = dL/d(output) · d(output)/d(input)

`explain(L)` writes one such line per edge of the graph, in the order backward visits
them:

    >>> a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(6.5, label="c")
    >>> L = (a * b + c).tanh(); L.label = "L"
    >>> L.backward(retain_graph=True)
    >>> print(explain(L))
    Backward from L, one line per edge, in the order backward visits them:
    dL/dL = 1   (the start)
    dL/d(a*b + c) = dL/dL · dL/d(a*b + c) = 1 · 0.786448 = 0.786448
    dL/d(a*b) = dL/d(a*b + c) · d(a*b + c)/d(a*b) = 0.786448 · 1 = 0.786448
    dL/dc = dL/d(a*b + c) · d(a*b + c)/dc = 0.786448 · 1 = 0.786448
    dL/da = dL/d(a*b) · d(a*b)/da = 0.786448 · (-3) = -2.35934
    dL/db = dL/d(a*b) · d(a*b)/db = 0.786448 · 2 = 1.5729

An input used twice (`a * a`, or `a` feeding two different ops) gets one line per
use, written `+=`, and, when backward reaches it, a line adding the uses up: the
gradient is the sum over all paths.

Where the numbers come from
---------------------------
The engine does not store local derivatives. Each op stores a VJP instead, a function
g -> g · (local derivative) for each input (see scalar.py). explain runs the engine's
own backward once more (`tiny_grad.grad`, which changes no `.grad`) and listens in on
every VJP call: what goes in is dL/d(output), what comes out is exactly what backward
adds to each input. A VJP is linear in g, so for a Value, calling it with g = 1 gives
the local derivative itself.

That needs the VJPs, and `backward()` frees them when it is done (so that a second
backward cannot count everything twice). So either

* call `L.backward(retain_graph=True)` before `explain(L)`, or
* call `explain(L)` before any backward: it does not need one.

On a graph whose VJPs are gone, explain raises a RuntimeError that says so.

Tensors
-------
For a Tensor the local derivative is a whole Jacobian matrix, too big to print, and
gradients are arrays. So a Tensor line names the op and the shapes the gradient has
before and after it, and summarises the array: its values when it has at most four,
otherwise their mean and largest absolute value.

Names
-----
A node is called by its label (`x.label = "x"`, or the name given in `params`, as in
`draw_graph`); a label that defines its node, like "out = tanh(n)", lends it its first
word, out. A node without one is called by the expression that made it, such as
`a*b + c`, when that is short; otherwise `n7`, its number in `topological_order`,
which is also the name `draw_graph` gives its box in the DOT source.
"""

import re
from dataclasses import dataclass, field

import numpy as np

from . import autograd
from .scalar import Value

# How strongly an expression binds, to know where a name needs parentheses.
_ADD, _MUL, _UNARY, _POW, _ATOM = 1, 2, 3, 4, 5
_INFIX = {"+": (_ADD, " + "), "-": (_ADD, " - "), "*": (_MUL, "*"), "/": (_MUL, "/"),
          "@": (_MUL, " @ "), "**": (_POW, "**")}
_LONGEST_NAME = 16  # a longer expression is called n<i> instead
_SMALL_ARRAY = 4  # arrays with at most this many elements are printed in full

_NEEDS_VJPS = (
    "explain() needs the graph's VJPs (the functions that turn a node's gradient into its "
    "inputs' gradients), and backward() frees them when it is done. Call "
    "L.backward(retain_graph=True) instead of L.backward() before explain(L), or call "
    "explain(L) before backward: it runs its own pass."
)


@dataclass
class Step:
    """What backward does at one node: the node's gradient is complete, and it is passed on.

    node:  the Value or Tensor visited;  index: its place in topological_order
    (draw_graph calls its box f"n{index}");  name: what explain calls it;
    grad:  dL/d(node) from this pass (a Value or Tensor);  gradient: the same as one line
    of text, "dL/da = -2.35934" (a summary for a Tensor);  lines: this step's lines of
    explain (a line adding up several paths, then one chain-rule line per input);
    sources: the lines of earlier steps that brought this node its gradient.
    """

    node: object
    index: int
    name: str
    grad: object
    gradient: str = ""
    lines: list = field(default_factory=list)
    sources: list = field(default_factory=list)


def explain(root, gradient=None, params=None, show=False):
    """The chain rule of backward from `root`, one line per edge, in the order backward
    visits them; returns the text, and prints it too when `show=True`.

    root:     a Value or Tensor whose graph still has its VJPs: call
              `root.backward(retain_graph=True)` first, or call explain before backward.
    gradient: the gradient backward starts with, as for `root.backward(gradient)`
              (needed only for a Tensor with more than one element).
    params:   {name: node}, e.g. dict(model.named_parameters()), to name those nodes.

    It changes no `.grad`: the numbers come from a fresh pass of the engine.
    """
    steps = backward_steps(root, gradient, params)
    lines = [f"Backward from {steps[0].name}, one line per edge, in the order backward visits them:"]
    body = [line for step in steps for line in step.lines]
    # the nodes named by number (not a label that looks like one), that some step's name
    # mentions: data too, which has no line of its own (n0 in `n0*w`)
    order = autograd.topological_order([root])
    names, given = _names(order, params), _given_names(params)  # (as backward_steps named them)
    mentioned = " ".join(step.name for step in steps)
    numbered = [i for i, node in enumerate(order)
                if names[i] == f"n{i}" and not (node.label or id(node) in given)
                and re.search(rf"\bn{i}\b", mentioned)]
    if numbered:
        some = ", ".join(f"n{i}" for i in numbered[:3])
        lines.append(f"({some}{', ...' if len(numbered) > 3 else ''}: nodes without a label, "
                     "numbered as in topological_order; give them a .label to name them)")
    text = "\n".join(lines + body)
    if show:
        print(text)
    return text


def backward_steps(root, gradient=None, params=None, stored=False):
    """Backward from `root`, node by node: a list of Step, in the order backward visits them.

    This is what `explain` prints and what `viz.to_html` steps through. See `explain`
    for the arguments. With `stored=True`, a graph whose VJPs are gone still gives its
    steps, with the gradients its last backward stored but without chain-rule lines.
    """
    order = autograd.topological_order([root])
    names = _names(order, params)
    if stored and any(node.parents and node._vjp is None for node in order):
        return _stored_steps(order, names)
    heard = _listen_to_backward(root, order, gradient)
    grads = heard.pop("grads")

    # Every contribution an input received, in the order backward made them.
    received = {}  # id(input) -> [gradient, ...]
    for node in reversed(order):
        for parent, contribution, _ in heard.get(id(node), ()):
            received.setdefault(id(parent), []).append(contribution)

    place = {id(node): i for i, node in enumerate(order)}
    d_root = _d(names[-1])  # root is last in the order: everything else comes before it
    steps, sources = [], {}  # sources: id(node) -> the lines that brought it its gradient
    for node, grad in zip(reversed(order), reversed(grads)):
        if grad is None:  # nothing flows here (data that needs no gradient): backward skips it
            continue
        i = place[id(node)]
        step = Step(node, i, names[i], grad, sources=sources.get(id(node), []))
        step.gradient = f"{d_root}/{_d(step.name)} = {_gradient_text(grad)}"
        head, chain = _step_lines(step, d_root, names, received, heard, place, root)
        step.lines = head + chain
        for (parent, _, _), line in zip(heard.get(id(node), ()), chain):
            sources.setdefault(id(parent), []).append(line)
        steps.append(step)
    return steps


def _stored_steps(order, names):
    """The steps of a graph whose VJPs are gone: the gradients stored by its last backward."""
    d_root = _d(names[-1])
    steps = []
    for i in reversed(range(len(order))):
        grad = order[i]._grad
        if grad is not None:
            gradient = f"{d_root}/{_d(names[i])} = {_gradient_text(grad)}"
            note = "(stored by backward; call backward(retain_graph=True) to see the chain rule)"
            steps.append(Step(order[i], i, names[i], grad, gradient, [f"{gradient}   {note}"]))
    return steps


def _listen_to_backward(root, order, gradient):
    """Run the engine's backward from `root` once more and write down every VJP call.

    Returns {id(node): [(input, what backward added to it, local derivative or None)]}
    for every node whose VJP ran, plus "grads": dL/d(node) for every node of `order`
    (None where no gradient flows).
    """
    for node in order:
        if node.parents and node._vjp is None:
            raise RuntimeError(_NEEDS_VJPS)
    heard = {}

    def listening(node, vjp):
        def vjp_that_reports(g, *inputs):
            input_grads = vjp(g, *inputs)
            # A VJP is linear in g, so with g = 1 it gives the local derivative itself.
            # (For a Tensor that would be a whole Jacobian: there we keep only the result.)
            ones = vjp(Value(1.0), *inputs) if isinstance(node, Value) else [None] * len(input_grads)
            heard[id(node)] = [
                (parent, pg, None if local is None else float(local.data))
                for parent, pg, local in zip(node.parents, input_grads, ones)
                if pg is not None and parent.requires_grad  # as backward: only where it flows
            ]
            return input_grads
        return vjp_that_reports

    originals = [(node, node._vjp) for node in order if node.parents]
    try:
        for node, vjp in originals:
            node._vjp = listening(node, vjp)
        grad_outputs = None if gradient is None else (gradient,)
        heard["grads"] = autograd.grad(root, order, grad_outputs, retain_graph=True,
                                       allow_unused=True)
    finally:
        for node, vjp in originals:
            node._vjp = vjp
    return heard


def _step_lines(step, d_root, names, received, heard, place, root):
    """The lines of one step: (its own gradient when it is the start or a sum of paths,
    one chain-rule line per input it passes the gradient on to)."""
    node, g = step.node, step.grad
    d_node = _d(step.name)
    lhs = f"{d_root}/{d_node}"
    head, chain = [], []
    parts = received.get(id(node), [])
    if node is root:
        head.append(f"{lhs} = {_gradient_text(g)}   (the start)")
    elif len(parts) > 1:  # used more than once: the gradient is the sum over its paths
        if isinstance(node, Value):
            total = " + ".join(_factor(p.data) for p in parts)
            head.append(f"{lhs} = {total} = {_num(g.data)}   (the sum over its {len(parts)} paths)")
        else:
            head.append(f"{lhs} = the sum of its {len(parts)} paths = {_summary(g.data)}")
    for parent, contribution, local in heard.get(id(node), ()):
        d_parent = _d(names[place[id(parent)]])
        eq = "+=" if len(received[id(parent)]) > 1 else "="
        rule = f"{d_root}/{d_parent} {eq} {d_root}/{d_node} · {d_node}/{d_parent}"
        if local is not None:  # a Value: the numbers themselves
            chain.append(f"{rule} = {_num(g.data)} · {_factor(local)} = {_num(contribution.data)}")
        else:  # a Tensor: the op, the shapes, and a summary of the array
            chain.append(f"{rule}   ('{node.op}': {_shape(g.shape)} → {_shape(contribution.shape)})"
                         f" = {_summary(contribution.data, with_shape=False)}")
    return head, chain


def _gradient_text(g):
    """A gradient as text: the number for a Value, a summary for a Tensor."""
    return _num(g.data) if isinstance(g, Value) else _summary(g.data)


# ---- names --------------------------------------------------------------------------------

def _given_names(params):
    """{id(node): name} from `params`, a dict {name: node} such as dict(model.named_parameters())."""
    if params is None:
        return {}
    if not hasattr(params, "items"):
        raise TypeError(f"params is a dict {{name: node}}, such as dict(model.named_parameters()), "
                        f"not a {type(params).__name__}")
    return {id(node): name for name, node in params.items()}


def _names(order, params=None):
    """What explain calls each node of `order` (see "Names" at the top of this file)."""
    given = _given_names(params)
    names, strength = [], {}  # strength: how strongly each name binds (see _ADD ... _ATOM)
    taken = set()
    for i, node in enumerate(order):
        name, binds = given.get(id(node)) or node.label, _ATOM
        defined = re.fullmatch(r"\s*([A-Za-z_][\w.]*)\s*=.*", name)
        if defined:  # a label that says what it is, "out = tanh(n)": its name is "out"
            name = defined.group(1)
        if not name:
            name, binds = _expression(node, strength)
            if name is None or len(name) > _LONGEST_NAME or name in taken:
                name, binds = f"n{i}", _ATOM  # (taken: a*b computed twice is two nodes)
        names.append(name)
        taken.add(name)
        strength[id(node)] = (name, binds)
    root = order[-1]
    if not (given.get(id(root)) or root.label) and "L" not in names:
        names[-1] = "L"  # the output without a name of its own: L, as in "loss"
    return names


def _expression(node, strength):
    """(the expression that made `node`, how strongly it binds), or (None, _ATOM).
    strength: {id(node): (name, how strongly it binds)} for the nodes named so far."""
    if not node.parents:  # a leaf with no name: a constant shows its number
        data = np.asarray(node.data)
        if data.size != 1:
            return None, _ATOM
        number = _num(float(data.ravel()[0]))
        return number, (_UNARY if number.startswith("-") else _ATOM)
    args = [strength[id(p)] for p in node.parents]
    op = node.op
    if op in _INFIX and len(args) == 2:
        binds, symbol = _INFIX[op]
        (left, lb), (right, rb) = args
        if op == "**":  # (a*b)**c, (-2)**c, a**(b*c); a**b**c would read as a**(b**c)
            wrap_left, wrap_right = lb <= binds or left.startswith("-"), rb < binds
        else:  # (a + b)*c, a - (b - c), a*(-3)
            wrap_left, wrap_right = lb < binds, rb <= binds or right.startswith("-")
        left = f"({left})" if wrap_left else left
        right = f"({right})" if wrap_right else right
        return f"{left}{symbol}{right}", binds
    if op.startswith("**") and len(args) == 1:  # x**2: the exponent is part of the op's name
        (base, bb), = args
        if bb < _ATOM:
            base = f"({base})"
        return f"{base}{op}", _POW
    if op == "neg" and len(args) == 1:
        (x, xb), = args
        return (f"-({x})" if xb < _ATOM else f"-{x}"), _UNARY
    if op == "index" and len(args) == 1:
        (x, xb), = args
        return (f"({x})[…]" if xb < _ATOM else f"{x}[…]"), _ATOM
    return f"{op}({', '.join(name for name, _ in args)})", _ATOM


def _d(name):
    """'da' for a plain name, 'd(a*b + c)' for an expression: the d of d/dx."""
    return f"d{name}" if re.fullmatch(r"[A-Za-z_][\w.]*", name) else f"d({name})"


# ---- numbers ------------------------------------------------------------------------------

def _num(x):
    """A number the way a person writes it: 1, -3, 0.786448, 1.5e-09."""
    return f"{x:.6g}"


def _factor(x):
    """A number ready to be multiplied: a negative one goes in parentheses, (-3)."""
    text = _num(x)
    return f"({text})" if text.startswith("-") else text


def _shape(shape):
    return "scalar" if shape == () else str(tuple(shape))


def _summary(data, with_shape=True):
    """An array in a few words: its values if it has at most four, else their mean and
    largest absolute value (as draw_graph shows them)."""
    data = np.asarray(data)
    if data.ndim == 0:
        return _num(float(data))
    if data.size == 0:
        values = "no elements"
    elif data.size <= _SMALL_ARRAY:
        values = _nested(data)
    else:
        with np.errstate(all="ignore"):
            values = (f"mean {_num(float(data.mean()))}, "
                      f"max abs {_num(float(np.abs(data).max()))}")
    return f"{_shape(data.shape)} {values}" if with_shape else values


def _nested(data):
    if data.ndim == 0:
        return _num(float(data))
    return "[" + ", ".join(_nested(row) for row in data) + "]"
