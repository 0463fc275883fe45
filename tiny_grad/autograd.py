"""The engine shared by both data types (`Value` and `Tensor`).

Every number or array that tiny_grad computes is a *node* of a graph. A node offers:

    parents        tuple of the nodes it was computed from; () for a leaf
    _vjp           "vector-Jacobian product": called as _vjp(g, *parents) with the
                   gradient of this node and its parents, it returns one gradient
                   per parent (None where none flows)
    _grad          its gradient, a node of the same type, or None
    requires_grad  whether gradients flow into it
    _seed_grad(g)  the gradient to start backward with (g, or "ones" when g is None)
    _add_in_place(g)  add g's numbers into this node's own (only for sums backward made)
    _memory()      what its numbers live in (an id), or None if they cannot be changed in place
    _copy()        a new leaf with a copy of its numbers (asked only where _memory() is not None)
    _pending       scratch space for the walk: the gradient summed so far (else None)
    _mark          scratch space for the walk: marks (visited, "this sum is mine"); on a
                   leaf's stored gradient, `_OWN_SUM` (backward made it, the leaf alone holds it)
    _made          (a recorded result only) the in-place clock when it was made: see below

That is all this file knows about them: it never looks at floats or arrays.
Backward is three steps:

1. order the graph so that every node comes after its parents (iteratively, so a
   chain of a million nodes needs no deep recursion);
2. walk that order backwards, handing each node's gradient to its VJP and adding
   what comes out onto the parents (the chain rule, plus the sum over paths);
3. store the gradients (leaves add to what they had, as in PyTorch, in place where that
   is safe: see `_accumulate`; no two leaves get one array: see `_unshared`) and free the
   VJPs, unless `retain_graph=True`, so a second backward cannot double count.

Besides the walk, this file holds what both engines share around it: `make_node` (every
result of every operation is made there), `no_grad`/`enable_grad` (whether results
remember their parents), `grad()` (gradients returned instead of stored), and
`detect_anomaly` (the first NaN or inf raises, naming the op and the user's line).

Speed comes from doing little per node, never from hiding what happens: a node is a
few slots (`__slots__`); a VJP is handed the node's parents when it is called, so one
function per op can serve every node; graphs hold no reference cycles (nothing points
back at a result), so they are freed the moment they are dropped; and the walk keeps
its running sums on the nodes themselves instead of in dictionaries.
"""

import contextlib
import functools
import os
import traceback
import weakref

import numpy as np

_grad_enabled = True
_anomaly_enabled = False


def is_grad_enabled():
    """True when operations record a graph (the default), False inside `no_grad()`."""
    return _grad_enabled


class _GradMode(contextlib.ContextDecorator):
    """Graph recording switched to `mode` inside a `with` block (or a decorated function), and
    back to what it was after: what no_grad and enable_grad share."""

    def __init__(self, mode):
        self.mode = bool(mode)
        self.previous = []  # a stack: one object can be entered again before it exits (a
        # decorated function that calls itself enters its decorator once per call)

    def __enter__(self):
        global _grad_enabled
        self.previous.append(_grad_enabled)
        _grad_enabled = self.mode

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.previous.pop()


class no_grad(_GradMode):
    """`with tg.no_grad():` (or `@tg.no_grad()`) computes values without building a graph."""

    def __new__(cls, func=None):
        if callable(func):  # used bare, as `@no_grad`
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func=None):
        super().__init__(False)


class enable_grad(_GradMode):
    """Record a graph again, even inside `no_grad()`."""

    def __init__(self):
        super().__init__(True)


class set_grad_enabled:
    """Turn graph recording on (True) or off (False), as torch.set_grad_enabled does:

        tg.set_grad_enabled(False)          # at once, until switched again
        with tg.set_grad_enabled(False):    # inside the block, then back to what it was
        @tg.set_grad_enabled(False)         # inside each call of the function below
    """

    def __init__(self, mode):
        global _grad_enabled
        self.mode, self.before = bool(mode), _grad_enabled
        _grad_enabled = self.mode  # called on its own, this line is all it does

    def __enter__(self):
        global _grad_enabled
        _grad_enabled = self.mode  # (already switched when made; again for an object used twice)

    def __exit__(self, *exc):
        global _grad_enabled
        _grad_enabled = self.before

    def __call__(self, func):
        """Used as a decorator: undo the switch made at decoration, and switch for each call."""
        global _grad_enabled
        _grad_enabled = self.before
        mode = self.mode

        @functools.wraps(func)
        def switched(*args, **kwargs):
            with set_grad_enabled(mode):
                return func(*args, **kwargs)
        return switched


class AnomalyError(RuntimeError):
    """A NaN or inf appeared while `detect_anomaly()` was watching."""


class detect_anomaly(contextlib.ContextDecorator):
    """`with tg.detect_anomaly():` — the first NaN or inf made in forward or backward raises
    at once, naming the op and the line of your code that created it. (Slow: debugging only.)"""

    def __init__(self):
        self.previous = []  # a stack, as in _GradMode

    def __enter__(self):
        global _anomaly_enabled
        self.previous.append(_anomaly_enabled)
        _anomaly_enabled = True

    def __exit__(self, *exc):
        global _anomaly_enabled
        _anomaly_enabled = self.previous.pop()


_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
_created_at = {}  # id(node) -> (a weak reference to it, the user's line that made it), in
# anomaly mode. (Keyed by id: a WeakKeyDictionary compares keys with ==, which for tensors
# is elementwise.) An entry goes when its node does.
_walking = False  # True while backward runs VJPs: their ops are checked as backward, not forward


def _users_line():
    """The innermost line on the call stack that lies outside tiny_grad: where the user called."""
    for frame in reversed(traceback.extract_stack()):
        if not frame.filename.startswith(_PACKAGE_DIR):
            return f"{frame.filename}, line {frame.lineno}: {frame.line}"
    return "an unknown place"


def _bad_numbers(data):
    """'NaN' or 'inf' if `data` (a float or an array) holds one, else None."""
    data = np.asarray(data)
    if np.isnan(data).any():
        return "NaN"
    if np.isinf(data).any():
        return "inf"
    return None


def check_forward(out):
    """Anomaly mode, forward: remember where `out` was made, and raise if it is not finite.

    Called by make_node for every result Value and Tensor make while detect_anomaly() is on.
    """
    if _walking:
        return
    where = _users_line()
    key = id(out)
    _created_at[key] = (weakref.ref(out, lambda _, key=key: _created_at.pop(key, None)), where)
    bad = _bad_numbers(out.data)
    if bad:
        raise AnomalyError(f"detect_anomaly: '{out.op or 'a leaf'}' produced {bad} in forward, "
                           f"created at {where}")


def _check_backward(node, parent_grads):
    """Anomaly mode, backward: raise if the VJP of `node` produced a NaN or an inf."""
    for i, (parent, pg) in enumerate(zip(node.parents, parent_grads)):
        bad = None if pg is None or not parent.requires_grad else _bad_numbers(pg.data)
        if bad:
            ref, where = _created_at.get(id(node), (None, "a line run outside detect_anomaly()"))
            if ref is not None and ref() is not node:
                where = "a line run outside detect_anomaly()"
            raise AnomalyError(
                f"detect_anomaly: the backward of '{node.op}' produced {bad} in the gradient "
                f"of its input {i}; that '{node.op}' was created at {where}"
            )


# ---- in-place changes: never a silently wrong gradient ---------------------------------
# A VJP reads its inputs' numbers when backward runs, not when the op ran. If a tensor is
# changed in place in between (`w -= lr * w.grad` under no_grad, `x.zero_()`), the VJP
# would read the new numbers and give a wrong gradient. So every in-place change ticks a
# clock and notes, for the memory it wrote into, when (`mark_changed`); every recorded
# result notes the clock when it was made (`_made`); and before backward runs, a result
# whose input's memory (or its own) changed after it was made stops it (`_check_unchanged`),
# as PyTorch's version counters do. Views share their base's memory, so a change through
# one is seen through all of them.
_clock = 0  # how many in-place changes there have been
_changed = {}  # memory id -> [clock at its latest change, a weak reference to the array]
_prune_at = 1024  # forget changes of arrays that are gone once there are this many


def mark_changed(*nodes):
    """Note that these nodes' numbers were just changed in place (by an in-place op, an
    optimizer's step, a load): one tick of the clock for all of them. Returns the new time."""
    global _clock, _prune_at
    _clock += 1
    for node in nodes:
        data = node.data
        base = data if data.base is None else data.base
        change = _changed.get(id(base))
        if change is not None and change[1]() is base:  # (an optimizer's every step: one store)
            change[0] = _clock
        else:
            _changed[id(base)] = [_clock, weakref.ref(base)]
    if len(_changed) > _prune_at:
        for key in [k for k, (_, ref) in _changed.items() if ref() is None]:
            del _changed[key]
        _prune_at = 2 * len(_changed) + 1024
    return _clock


def _check_unchanged(node):
    """Raise if an input of `node` (or `node` itself) was changed in place after it was made."""
    made = node._made
    for i, x in enumerate((node,) + node.parents):
        change = _changed.get(x._memory())
        if change is not None and change[0] > made and change[1]() is not None:
            which = "its own result" if i == 0 else f"its input {i - 1}"
            raise RuntimeError(
                f"one of the tensors needed for backward was changed by an in-place operation: "
                f"{which} (shape {x.shape}) changed after '{node.op}' used it, so the gradient "
                f"would be wrong. Do the change after backward, or change a copy (x.clone()), "
                "or compute the graph again after the change")


def make_node(cls, op, data, parents, vjp):
    """A new node of type `cls` holding `data`, the result of `op` on `parents`.

    It remembers its parents and VJP only while a graph is being recorded (not inside
    no_grad) and some parent needs a gradient; otherwise it is a plain leaf. Value and
    Tensor make every result of every operation here, so it is kept lean: a node is a
    handful of slots, and making one costs well under a microsecond.
    """
    out = cls.__new__(cls)
    out.data = data
    out.label = ""
    out._grad = out._pending = out._mark = None
    for parent in parents if _grad_enabled else ():
        if parent.requires_grad:
            out.op, out.parents, out._vjp, out._made = op, parents, vjp, _clock
            break
    else:  # no parent needs a gradient (or no graph is being recorded): a leaf
        out.op, out.parents, out._vjp = "", (), None
    if _anomaly_enabled:
        check_forward(out)
    return out


def topological_order(roots):
    """All nodes reachable from `roots`, each one after all of its parents.

    A depth-first search with an explicit stack instead of recursion, so a chain of a
    million nodes is no problem. A node is taken off the stack twice: the first time it
    is marked "entered" and put back, with its parents on top of it; the second time, all
    its parents are in the order, so it is marked "done" and goes in too. The marks are
    tokens made new for every walk (kept in `_mark`): cheaper than a set of visited nodes.
    """
    order, entered, done = [], object(), object()
    stack = list(reversed(roots))  # reversed: the first root (and first parent) goes first
    for root in stack:
        if not hasattr(root, "_vjp"):  # (drawing and explaining start here too)
            raise TypeError(f"a graph starts at a Value or a Tensor, not at a "
                            f"{type(root).__name__} like {root!r:.40}")
    while stack:
        node = stack.pop()
        mark = node._mark
        if mark is done:  # reached before, through another path
            continue
        if mark is entered:  # its parents are all in the order now
            node._mark = done
            order.append(node)
        else:
            node._mark = entered
            stack.append(node)
            stack.extend(node.parents[::-1])
    return order


_FREED = (
    "Trying to backward through the graph a second time: the first backward freed "
    "what it needed. Pass retain_graph=True to the first backward() if you want to "
    "go through the same graph again, or run the forward computation again."
)

_UNUSED = ("input {} is not used to compute the outputs, so it has no gradient; pass "
           "allow_unused=True to get None for it instead")


def _as_tuple(x):
    """grad_outputs as a tuple: a list or tuple holds one per output, anything else is one."""
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _nodes(x, what):
    """One node, or any iterable of them (a list, `model.parameters()`), as a tuple."""
    if isinstance(x, np.ndarray):  # (iterating it would name its numbers' type)
        raise TypeError(f"{what} must be Values or Tensors, not a NumPy array: wrap it as "
                        "Tensor(array, requires_grad=True)")
    if hasattr(x, "_vjp") or not hasattr(x, "__iter__"):
        nodes = (x,)
    else:
        nodes = tuple(x)
    for node in nodes:
        if not hasattr(node, "_vjp"):
            raise TypeError(f"{what} must be Values or Tensors (one, or a list of them), "
                            f"not {type(node).__name__}")
    return nodes


def _run(outputs, grad_outputs, retain_graph, create_graph, inputs=None, allow_unused=False):
    """The backward walk. Stores into `.grad`, or (with `inputs`) returns their gradients."""
    global _grad_enabled, _walking
    outputs = _nodes(outputs, "outputs")
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

    if _walking:
        raise RuntimeError("backward() or grad() was called from inside a VJP, while another "
                           "backward pass is running; tiny_grad runs one backward pass at a time")
    order = topological_order(outputs)
    for node in order:  # check first, so a refused backward changes nothing
        if node.parents:
            if node._vjp is None:
                raise RuntimeError(_FREED)
            if node._made != _clock:  # (something was changed in place since it was made)
                _check_unchanged(node)
    if inputs is not None:
        _check_inputs(inputs, order, allow_unused)

    # The VJPs run as ordinary operations: they record a graph only with create_graph=True.
    saved = _grad_enabled, _walking
    _grad_enabled, _walking = create_graph, True
    try:
        held = set()  # the memory of the gradients given and stored so far (see _unshared)
        for out, g in zip(outputs, grad_outputs):
            g = out._seed_grad(g)
            g._mark = None  # a caller's gradient may be some leaf's own sum (see _accumulate)
            held.add(g._memory())  # and the caller may still hold it
            out._pending = g if out._pending is None else out._pending + g
        _walk(order, create_graph)
        result = None if inputs is None else tuple(getattr(x, "_pending", None) for x in inputs)
        # Only now, with the whole walk done, are gradients stored (not by grad(), which
        # returns them), the walk's sums let go, and, unless retain_graph, the VJPs too.
        for node in order:
            g = node._pending
            if g is not None:
                node._pending = None
                if inputs is None:
                    if node.parents:  # an inner node holds this pass's gradient
                        node._grad = g
                    elif node._grad is None:  # a leaf's first: its own (a graph is kept as is)
                        node._grad = g if create_graph else _unshared(g, held)
                    else:  # a leaf adds to the gradient it already had
                        node._grad = _accumulate(node._grad, g, create_graph)
            if not retain_graph:
                node._vjp = None
    except BaseException:
        for node in order:
            node._pending = None
        raise
    finally:
        _grad_enabled, _walking = saved
    return result


def _check_inputs(inputs, order, allow_unused):
    """grad(): refuse, before anything runs or is freed, an input that cannot get a gradient
    (unless allow_unused=True, which gives None for it)."""
    if allow_unused:
        return
    in_graph = {id(node) for node in order}
    for i, x in enumerate(inputs):
        if not x.requires_grad:
            raise RuntimeError(f"input {i} does not require grad, so it has no gradient: make it "
                               "with requires_grad=True (data and no_grad() results have none), "
                               "or pass allow_unused=True to get None for it")
        if id(x) not in in_graph:
            raise RuntimeError(_UNUSED.format(i))


def _unshared(g, held):
    """A leaf's first gradient g, or a copy of it if its numbers live where a gradient given
    or stored before lives (`held`, the memory of those).

    A gradient passes through an op unchanged where it can: `a + b` hands one and the same
    g to a and to b, a reshape hands on a view of it. Stored as it is, one array would be
    two leaves' `.grad`, and `a.grad.data *= 0.5` would halve b's gradient too. So the
    second leaf gets a copy, made only then. (With create_graph=True gradients are graphs,
    and are stored as they are.)
    """
    memory = g._memory()
    if memory is not None and memory in held:
        g = g._copy()
        memory = g._memory()
    held.add(memory)
    return g


_OWN_SUM = object()  # the mark of a leaf's gradient that `_accumulate` made: the leaf's alone


def _accumulate(old, g, create_graph):
    """A leaf's gradient `old` plus this pass's `g`, for a leaf that already had one.

    The gradient a leaf got from its first pass may be shared (`a + b` hands the very same
    g to a and to b), so it is never changed: the second pass makes a new sum, `old + g`,
    which only this leaf holds, and marks it. Every later pass adds into that sum in place,
    as PyTorch does: no new array per pass. (So `saved = w.grad` changes with later passes;
    keep `w.grad.data.copy()` to remember one.) With create_graph=True the sum stays a node
    of the new graph; a gradient set by hand (`w.grad = ...`) carries no mark.
    """
    if old._mark is _OWN_SUM and not create_graph:
        old._add_in_place(g)
        return old
    total = old + g
    if not create_graph:
        total._mark = _OWN_SUM
    return total


def _walk(order, create_graph):
    """The chain rule: leave dL/d(node) in `node._pending` for every node a gradient reaches.

    Nodes are visited children first (`order` reversed), so when a node's turn comes,
    every path into it has already added its part, and its gradient is complete.

    Adding up the paths: the first gradient to arrive is kept as it is, because it may
    be shared (`a + b` hands the very same g to a and to b). The second makes a new sum,
    `total + pg`, which no one else holds, so the third and later ones are added into it
    in place: no new node, no new array. (With create_graph=True every sum stays a node
    of the new graph instead.)
    """
    mine = object()  # the mark of a node whose running sum was made here
    for node in reversed(order):
        g, parents = node._pending, node.parents
        if g is None or not parents:
            continue  # no gradient reaches this node, or it is a leaf
        parent_grads = node._vjp(g, *parents)
        if _anomaly_enabled:
            _check_backward(node, parent_grads)
        for parent, pg in zip(parents, parent_grads):
            if pg is None or not parent.requires_grad:
                continue
            total = parent._pending
            if total is None:
                parent._pending = pg
            elif parent._mark is mine:
                total._add_in_place(pg)
            else:
                parent._pending = total + pg
                if not create_graph:
                    parent._mark = mine


class Function:
    """An op of your own, with the forward and backward you write, as torch.autograd.Function:

        class Cube(tg.autograd.Function):
            @staticmethod
            def forward(ctx, x):            # runs with no graph recorded
                ctx.save_for_backward(x)
                return x ** 3
            @staticmethod
            def backward(ctx, g):           # g = dL/d(output); return dL/d(each input)
                (x,) = ctx.saved_tensors
                return g * 3 * x ** 2

        y = Cube.apply(x)                   # one node, "Cube", in the graph

    backward returns one gradient per argument of forward (None for one that is not a node).
    It works for Values and Tensors alike: the result is a node of the type forward returns.
    """

    @staticmethod
    def forward(ctx, *args):
        raise NotImplementedError("a Function subclass writes forward(ctx, ...)")

    @staticmethod
    def backward(ctx, *grads):
        raise NotImplementedError("a Function subclass writes backward(ctx, grad)")

    @classmethod
    def apply(cls, *args):
        """forward(ctx, *args) as one node of the graph, whose VJP is backward."""
        ctx = _Context()
        ctx.needs_input_grad = tuple(bool(getattr(a, "requires_grad", False)) for a in args)
        with no_grad():
            out = cls.forward(ctx, *args)
        if not hasattr(out, "_vjp"):
            raise TypeError(f"{cls.__name__}.forward must return a Value or a Tensor, not "
                            f"{type(out).__name__}")
        places = [i for i, a in enumerate(args) if hasattr(a, "_vjp")]  # which args are nodes

        def vjp(g, *parents):
            grads = cls.backward(ctx, g)
            grads = grads if isinstance(grads, tuple) else (grads,)
            if len(grads) != len(args):
                raise RuntimeError(f"{cls.__name__}.backward returned {len(grads)} gradients for "
                                   f"{len(args)} inputs of forward: return one per input (None "
                                   "for one that needs none)")
            return tuple(grads[i] for i in places)
        return type(out)._apply(cls.__name__, out.data, tuple(args[i] for i in places), vjp)


class _Context:
    """What forward leaves for backward (ctx): save_for_backward(...) and saved_tensors."""

    def save_for_backward(self, *tensors):
        self.saved_tensors = tensors


def backward(outputs, grad_outputs=None, retain_graph=None, create_graph=False):
    """Add d(outputs)/d(node) to `.grad` of every node that `outputs` depends on."""
    _run(outputs, grad_outputs, retain_graph, create_graph)


def grad(outputs, inputs, grad_outputs=None, retain_graph=None, create_graph=False,
         allow_unused=False):
    """Return d(outputs)/d(inputs) as a tuple (one per input), leaving every `.grad` untouched.

    With create_graph=True the returned gradients are graphs themselves, so they
    can be differentiated again (gradients of gradients).
    """
    inputs = _nodes(inputs, "inputs")
    result = _run(outputs, grad_outputs, retain_graph, create_graph, inputs, allow_unused)
    missing = [i for i, g in enumerate(result) if g is None]
    if missing and not allow_unused:  # (in the graph, but no gradient reached it)
        raise RuntimeError(_UNUSED.format(missing[0]))
    return result
