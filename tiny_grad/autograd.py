"""The engine shared by both data types (`Value` and `Tensor`).

Every number or array that tiny_grad computes is a *node* of a graph. A node offers:

    parents        tuple of the nodes it was computed from; () for a leaf
    _vjp           "vector-Jacobian product": given the gradient of this node,
                   return one gradient per parent (None where none flows)
    _grad          its gradient, a node of the same type, or None
    requires_grad  whether gradients flow into it
    _seed_grad(g)  the gradient to start backward with (g, or "ones" when g is None)
    _mark          scratch space for the graph walk below

That is all this file knows about them: it never looks at floats or arrays.
Backward is three steps:

1. order the graph so that every node comes after its parents (iteratively, so a
   chain of a million nodes needs no deep recursion);
2. walk that order backwards, handing each node's gradient to its VJP and adding
   what comes out onto the parents (the chain rule, plus the sum over paths);
3. store the gradients (leaves add to what they had, as in PyTorch) and free the
   VJPs, unless `retain_graph=True`, so a second backward cannot double count.
"""

import contextlib

_grad_enabled = True


def is_grad_enabled():
    """True when operations record a graph (the default), False inside `no_grad()`."""
    return _grad_enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a `with` block (or a decorated function)."""

    def __init__(self, mode):
        self.mode = bool(mode)

    def __enter__(self):
        global _grad_enabled
        self.previous, _grad_enabled = _grad_enabled, self.mode

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.previous


class no_grad(set_grad_enabled):
    """`with tg.no_grad():` (or `@tg.no_grad()`) computes values without building a graph."""

    def __new__(cls, func=None):
        if callable(func):  # used bare, as `@no_grad`
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func=None):
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Record a graph again, even inside `no_grad()`."""

    def __init__(self):
        super().__init__(True)


def topological_order(roots):
    """All nodes reachable from `roots`, each one after all of its parents.

    A depth-first search with an explicit stack instead of recursion: an entry
    (node, True) means "its parents are done, emit it". Each node reached is
    stamped with a token that is new for every walk (`_mark`); on big graphs this
    is several times faster than keeping a set of visited nodes.
    """
    order, mark = [], object()
    stack = [(root, False) for root in reversed(roots)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            order.append(node)
            continue
        if node._mark is mark:
            continue
        node._mark = mark
        stack.append((node, True))
        for parent in reversed(node.parents):  # reversed: the first parent is visited first
            if parent._mark is not mark:
                stack.append((parent, False))
    return order


_FREED = (
    "Trying to backward through the graph a second time: the first backward freed "
    "what it needed. Pass retain_graph=True to the first backward() if you want to "
    "go through the same graph again, or run the forward computation again."
)


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _run(outputs, grad_outputs, retain_graph, create_graph, inputs=None):
    """The backward walk. Stores into `.grad`, or (with `inputs`) returns their gradients."""
    outputs = _as_tuple(outputs)
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    grad_outputs = _as_tuple(grad_outputs)
    if len(grad_outputs) != len(outputs):
        raise ValueError(
            f"got {len(grad_outputs)} grad_outputs for {len(outputs)} outputs; give one per output"
        )
    for out in outputs:
        if not out.requires_grad:
            raise RuntimeError(
                "this output does not require grad, so there is nothing to differentiate: "
                "build it from tensors created with requires_grad=True, outside no_grad()"
            )
    if retain_graph is None:
        retain_graph = create_graph

    order = topological_order(outputs)
    for node in order:  # check first, so a refused backward changes nothing
        if node.parents and node._vjp is None:
            raise RuntimeError(_FREED)

    wanted = None if inputs is None else {id(x): None for x in inputs}
    pending = {}  # id(node) -> gradient summed so far over the paths seen
    with set_grad_enabled(create_graph):
        for out, g in zip(outputs, grad_outputs):
            g = out._seed_grad(g)
            key = id(out)
            pending[key] = g if key not in pending else pending[key] + g
        for node in reversed(order):
            g = pending.pop(id(node), None)
            if g is None:
                continue
            if wanted is None:
                # A leaf adds to the gradient it already had; an inner node holds this pass's.
                node._grad = g if node.parents or node._grad is None else node._grad + g
            elif id(node) in wanted:
                wanted[id(node)] = g
            if not node.parents:
                continue
            for parent, pg in zip(node.parents, node._vjp(g)):
                if pg is None or not parent.requires_grad:
                    continue
                key = id(parent)
                pending[key] = pg if key not in pending else pending[key] + pg

    if not retain_graph:
        for node in order:
            if node.parents:
                node._vjp = None
    return wanted


def backward(outputs, grad_outputs=None, retain_graph=None, create_graph=False):
    """Add d(outputs)/d(node) to `.grad` of every node that `outputs` depends on."""
    _run(outputs, grad_outputs, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple (one per input), leaving every `.grad` untouched.

    With create_graph=True the returned gradients are graphs themselves, so they
    can be differentiated again (gradients of gradients).
    """
    inputs = _as_tuple(inputs)
    found = _run(outputs, grad_outputs, retain_graph, create_graph, inputs)
    result = tuple(found[id(x)] for x in inputs)
    if not allow_unused and any(g is None for g in result):
        i = next(i for i, g in enumerate(result) if g is None)
        raise RuntimeError(
            f"input {i} is not used to compute the outputs, so it has no gradient; "
            "pass allow_unused=True to get None for it instead"
        )
    return result
