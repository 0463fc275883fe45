"""Losses and softmax, built from Tensor operations.

    import tiny_grad.functional as F

Nothing here has a derivative of its own: every function is a short composition
of Tensor ops (exp, log, sum, indexing…), so backward, drawing and gradients of
gradients come from `tensor.py` for free. (Three exceptions, each explained where it is
written and tested against the composite formula: `linear` and `log_softmax`, which every
classifier runs through, and `binary_cross_entropy`, whose clamps change its slope.)

Cross-entropy is the heart of it. It looks like a spell, but it has five plain pieces:

    CE(t, p) = − Σ_k t_k · log p_k

1. a probability distribution p   (softmax turns the model's raw scores into one),
2. the natural logarithm log      (log p is 0 for a sure answer, very negative for a surprise),
3. the training data t            (the answer: 1 for the right class, 0 for the others),
4. a sum Σ                        (over the classes; then a mean over the examples),
5. a minus sign                   (log p ≤ 0, so −log p is a gap ≥ 0 to make small).

With one-hot t the sum keeps a single term, −log p[right class], so the library
computes exactly that: `nll_loss(log_softmax(logits), target)`. Taking log_softmax
directly (x − logsumexp x) instead of log(softmax(x)) never computes e^1000 and
never takes log 0; the result is the same number wherever both are finite.

Semantics follow PyTorch's functions of the same names, edge cases included.
"""

import numpy as np

from .autograd import is_grad_enabled
from .tensor import (Tensor, _axes, _class_indices, _lift, _max_shift, _np, _rng, _scatter,
                     _unbroadcast)

_REDUCTIONS = ("mean", "sum", "none")
_BCE_EPS = float(np.float32(1e-12))  # PyTorch's clamp is the float32 number nearest 1e-12


def _as_tensor(x, dtype=None):
    """x unchanged if it is a Tensor, else a new Tensor (a NumPy array or a list as input data)."""
    return x if isinstance(x, Tensor) else Tensor(x, dtype=dtype)


# ---- layers ---------------------------------------------------------------------------------

def linear(x, weight, bias=None):
    """x @ weight.T + bias, as one op: what nn.Linear computes (as torch.nn.functional.linear).

    weight has shape (out, in), x (..., in), bias (out,). Every layer of a network runs
    through here, so it is one node instead of three (transpose, @, +), and its numbers are
    made with as few arrays as possible: the product, then the bias added into it in place.
    With g of shape (..., out), the chain rule through y = x Wᵀ + b gives

        d/dx = g @ W,    d/dW = gᵀ @ x  (summed over every row of the batch),    d/db = Σ g

    and `_linear_vjp` is exactly that, written in Tensor ops (so gradients of gradients
    work). gᵀ @ x comes out in the weight's own (row-major) memory order. A test checks that
    this op equals the composite `x @ weight.T + bias`: values, gradients and second ones.
    Every layer's backward runs here too, so, as in `log_softmax`, a plain backward pass
    (no create_graph) computes the same three lines on the numbers directly, without nodes.
    """
    weight = _as_tensor(weight)
    x = _lift(x, weight)
    if weight.ndim != 2 or x.ndim == 0 or x.shape[-1] != weight.shape[-1]:
        raise ValueError(f"linear: x of shape {x.shape} and weight of shape {weight.shape} do not "
                         "fit: weight must be (out_features, in_features), and x's last axis "
                         "must be in_features")
    data = _np(np.matmul, x.data, weight.data.T)
    if bias is None:
        return Tensor._apply("linear", data, (x, weight), _linear_vjp)
    bias = _lift(bias, weight)
    # `data` is the product's own fresh array, so the bias can go into it in place (unless the
    # bias is float64 and the product float32: then the sum is float64, as the composite's is)
    into = data if bias.data.dtype == data.dtype else None
    try:
        data = _np(np.add, data, bias.data, out=into)
    except ValueError:
        raise ValueError(f"linear: a bias of shape {bias.shape} does not fit the output "
                         f"of shape {data.shape} (it should be ({data.shape[-1]},))") from None
    return Tensor._apply("linear", data, (x, weight, bias), _linear_vjp)


def _linear_vjp(g, x, weight, bias=None):
    """Gradients of x @ weight.T + bias: g @ W, gᵀ @ x (rows of every batch axis together), Σ g."""
    if not is_grad_enabled():  # a plain backward pass: no graph of the gradients is wanted
        return _np(_linear_vjp_numbers, g.data, x, weight, bias)
    grad_x = _unbroadcast(g @ weight, x) if x.requires_grad else None
    grad_w = None
    if weight.requires_grad:
        rows_g = g.reshape(-1, g.shape[-1]) if g.ndim != 2 else g  # (rows, out)…
        rows_x = x.reshape(-1, x.shape[-1]) if x.ndim != 2 else x  # …and (rows, in)
        grad_w = _unbroadcast(rows_g.mT @ rows_x, weight)
    if bias is None:
        return grad_x, grad_w
    return grad_x, grad_w, _unbroadcast(g, bias)


def _linear_vjp_numbers(g, x, weight, bias):
    """`_linear_vjp`'s three lines on arrays (here g is the gradient's array): each gradient
    a constant in the dtype of its input, or None for an input that needs no gradient."""
    rows = g.reshape(-1, g.shape[-1])  # (rows, out): every batch axis together
    grad_x = x._constant(g @ weight.data) if x.requires_grad else None
    grad_w = None
    if weight.requires_grad:
        grad_w = weight._constant(rows.T @ x.data.reshape(-1, x.shape[-1]))
    if bias is None:
        return grad_x, grad_w
    grad_b = None
    if bias.requires_grad:  # (summed over the outputs too, for a bias of shape (1,) or ())
        grad_b = _unbroadcast(bias._constant(np.add.reduce(rows, 0)), bias)
    return grad_x, grad_w, grad_b


# ---- probabilities --------------------------------------------------------------------------

def logsumexp(x, axis=-1, keepdims=False, *, dim=None, keepdim=None):
    """log Σ e^x along `axis`, computed stably (see Tensor.logsumexp)."""
    x = _as_tensor(x)
    axis, keepdims = (axis if dim is None else dim), (keepdims if keepdim is None else keepdim)
    return x.logsumexp(axis, keepdims)


def softmax(x, dim=-1, *, axis=None):
    """e^x / Σ e^x along `dim` (PyTorch's name; NumPy's axis= is taken too): raw scores become
    probabilities (positive, summing to 1).

    Computed as e^(x − logsumexp x), which is the same fraction written so that no
    e^x is ever formed on its own: logits of 1000 do not overflow.
    """
    return log_softmax(x, dim if axis is None else axis).exp()


def log_softmax(x, dim=-1, *, axis=None):
    """log softmax(x) = x − logsumexp(x) along `dim` (or axis=): finite even where softmax(x)
    rounds to 0.

    Every classifier's loss goes through here, so this is one op with its own VJP,
    instead of the six small ops of `log_softmax_composite` below (a test checks
    that the two agree, value and gradient). With p = softmax(x) and the incoming
    gradient g, the chain rule through x_j − log Σ_k e^(x_k) gives

        d/dx_j Σ_i g_i·log p_i = g_j − p_j·Σ_i g_i

    and the VJP below is exactly that line, written in Tensor ops. p is e^(this op's
    output); unless the backward pass is to be differentiated again (create_graph=True),
    the VJP computes the same line on those numbers directly, as one new array, instead of
    computing softmax(x) anew and making nodes for p, Σg and p·Σg that no one will look at.
    """
    x = _as_tensor(x)
    axis = _axes(dim if axis is None else axis, x.ndim)  # as a tuple of axes, which NumPy takes too
    data = _np(_log_softmax_numbers, x.data, axis)

    def vjp(g, x):
        if is_grad_enabled():  # building a graph of the gradient: p must be a function of x
            p = softmax(x, axis)
            return (g - p * g.sum(axis, keepdims=True),)
        # the same line on the numbers, with p = e^`data` (the output's numbers, not a node)
        return (x._constant(_np(_log_softmax_vjp_numbers, g.data, data, axis)),)
    return Tensor._apply("log_softmax", data, (x,), vjp)


def _log_softmax_numbers(data, axis):
    """x − m − log Σ e^(x − m) on an array, with m the largest x (see `_max_shift`)."""
    shifted = data - _max_shift(data, axis)  # ≤ 0: e^shifted ≤ 1
    return shifted - np.log(np.exp(shifted).sum(axis=axis, keepdims=True))


def _log_softmax_vjp_numbers(g, log_p, axis):
    """g − p·Σg on arrays, with p = e^log_p: log_softmax's VJP when no graph of it is wanted."""
    return g - np.exp(log_p) * g.sum(axis=axis, keepdims=True)


def log_softmax_composite(x, axis=-1):
    """log_softmax built from Tensor ops, as the formula reads: x − logsumexp(x).
    The same numbers as `log_softmax`; its drawn graph shows the max-subtraction trick."""
    x = _as_tensor(x)
    return x - x.logsumexp(axis, keepdims=True)


def relu(x):
    """max(0, x), elementwise (x.relu())."""
    return _as_tensor(x).relu()


def tanh(x):
    """tanh x, elementwise (x.tanh())."""
    return _as_tensor(x).tanh()


def sigmoid(x):
    """σ(x) = 1/(1 + e^-x), elementwise (x.sigmoid())."""
    return _as_tensor(x).sigmoid()


def one_hot(tensor, num_classes=-1):
    """Class indices as rows of 0s with a 1 at each index, as int64 (torch.nn.functional.one_hot;
    tg.one_hot gives floats, ready for the five-pieces cross-entropy)."""
    from .tensor import one_hot as float_one_hot
    return float_one_hot(tensor, None if num_classes == -1 else num_classes).long()


def dropout(x, p=0.5, training=True):
    """Each element zeroed with probability p, the others scaled by 1/(1 - p), so the mean stays;
    x as it is when not training (model.eval()).   d/dx = the same mask, scaled"""
    x = _as_tensor(x)
    if not 0 <= p <= 1:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if not training or p == 0:
        return x
    if p == 1:
        return x * 0
    keep = _rng().random(x.shape) >= p
    return x * x._constant(keep / (1 - p))


def softplus(x):
    """log(1 + e^x), a smooth relu (see Tensor.softplus)."""
    x = _as_tensor(x)
    return x.softplus()


# ---- cross-entropy ----------------------------------------------------------------------------

def nll_loss(log_probs, target, reduction="mean", ignore_index=-100):
    """Negative log-likelihood: −log_probs[n, target[n]], the log-probability of each right answer.

    log_probs: (N, C) or (C,); target: N class indices (a list, an array or a Tensor), or one
    index for (C,). Examples whose target is `ignore_index` count for nothing, and "mean"
    divides by the number of examples that do count.
    """
    log_probs = _as_tensor(log_probs)
    return _nll(log_probs, target, reduction, ignore_index, "nll_loss")


def _nll(log_probs, target, reduction, ignore_index, op):
    _check_reduction(reduction)
    log_probs, target, unbatched = _batched(log_probs, target, op)
    picked, rows = _pick(log_probs, target, ignore_index, op)
    # the minus sign last: −mean(picked) is the same number as mean(−picked), negated once
    return -_reduce(_among_all(picked, rows, len(target), reduction), reduction, unbatched)


def cross_entropy(logits, target, reduction="mean", label_smoothing=0.0, ignore_index=-100):
    """Cross-entropy between softmax(logits) and the answers: CE = −Σ_k t_k · log p_k.

    logits: (N, C) raw scores (or (C,) for a single example). target is told apart by shape:
      * N class indices (ints in a list, an array or a Tensor): t is one-hot, so
        CE = −log softmax(logits)[n, target[n]] = nll_loss(log_softmax(logits), target);
      * probabilities of shape (N, C), each row summing to 1: CE = −Σ_k t_k · log_softmax_k.
    label_smoothing ε mixes the answer with the uniform distribution: t ← (1 − ε)·t + ε/C.
    d CE / d logits = (softmax(logits) − t) / N for "mean".
    """
    logits = _as_tensor(logits)
    _check_reduction(reduction)
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be in [0, 1], got {label_smoothing}")
    logp = log_softmax(logits, axis=-1)
    if _is_probabilities(logits, target):
        t = _as_tensor(target, logits.dtype)  # (a list or array takes the logits' dtype)
        num_classes = logits.shape[-1]
        if label_smoothing:
            t = t * (1 - label_smoothing) + label_smoothing / num_classes
        return _reduce(-(t * logp).sum(axis=-1), reduction)
    loss = _nll(logp, target, reduction, ignore_index, "cross_entropy")
    if not label_smoothing:
        return loss
    # The smoothing part: −Σ_k log p_k / C per example, with the same examples ignored.
    logp, target, unbatched = _batched(logp, target, "cross_entropy")
    rows = _counted(target, ignore_index)
    counted = logp if rows is None else logp[rows]
    smooth = -counted.sum(axis=-1) / logp.shape[-1]
    smooth = _reduce(_among_all(smooth, rows, len(target), reduction), reduction, unbatched)
    return loss * (1 - label_smoothing) + smooth * label_smoothing


# ---- regression losses ------------------------------------------------------------------------

def mse_loss(input, target, reduction="mean"):
    """Mean squared error: the mean of (input − target)². Squares punish big gaps hardest."""
    input = _as_tensor(input)
    _check_reduction(reduction)
    target = _same_shape(input, target, "mse_loss")
    return _reduce((input - target) ** 2, reduction)


def l1_loss(input, target, reduction="mean"):
    """Mean absolute error (MAE): the mean of |input − target|. Every unit of gap counts the same."""
    input = _as_tensor(input)
    _check_reduction(reduction)
    target = _same_shape(input, target, "l1_loss")
    return _reduce((input - target).abs(), reduction)


# ---- binary cross-entropy -----------------------------------------------------------------------

def binary_cross_entropy(probs, target, reduction="mean"):
    """−[t·log p + (1 − t)·log(1 − p)] for probabilities p in [0, 1].

    As in PyTorch, each log is clamped at −100, so p = 0 or 1 gives a finite loss,
    and the gradient d/dp = (p − t) / (p·(1 − p)) has its denominator clamped at 1e-12.
    Those clamps change the slope where the composite formula would give 0 or inf,
    so this one function is a single op with its own VJP; a test checks that it equals
    the composite formula wherever that is finite. Its slope in t is the slope of these
    clamped logs, log(1 − p) − log p, so it is ±100 at p = 0 or 1 (PyTorch gives ±inf there).
    """
    probs = _as_tensor(probs)
    _check_reduction(reduction)
    target = _same_shape(probs, target, "binary_cross_entropy")
    outside = ~((probs.data >= 0) & (probs.data <= 1))  # (NaN too, as PyTorch refuses them)
    if outside.any():
        raise ValueError(f"binary_cross_entropy: probabilities must be in [0, 1], got "
                         f"{probs.data[outside][0]:g}; for raw scores (logits) use "
                         "binary_cross_entropy_with_logits")
    p, t = probs, target
    data = -(t.data * _clamped_log(p.data) + (1 - t.data) * _clamped_log(1 - p.data))

    def vjp(g, p, t):
        # (_unbroadcast gives each gradient its input's dtype: a float64 target must not make
        # a float32 p's gradient float64)
        grad_p = _unbroadcast(g * (p - t) / (p * (1 - p)).clip(_BCE_EPS, None), p)
        if not t.requires_grad:
            return grad_p, None
        grad_t = g * ((1 - p).log().clip(-100.0, None) - p.log().clip(-100.0, None))
        return grad_p, _unbroadcast(grad_t, t)

    dtype = np.result_type(p.data, t.data)  # (the wider of the two, as every loss here)
    losses = Tensor._apply("binary_cross_entropy", data.astype(dtype, copy=False), (p, t), vjp)
    return _reduce(losses, reduction)


def binary_cross_entropy_with_logits(logits, target, reduction="mean", pos_weight=None):
    """Binary cross-entropy of sigmoid(logits), without computing the sigmoid:

        −[w·t·log σ(x) + (1 − t)·log(1 − σ(x))] = w·t·softplus(−x) + (1 − t)·softplus(x)

    since log σ(x) = −softplus(−x) and log(1 − σ(x)) = −softplus(x); softplus never
    overflows, so logits of ±1000 are fine. d/dx = σ(x) − t when w = 1.
    """
    logits = _as_tensor(logits)
    _check_reduction(reduction)
    t = _same_shape(logits, target, "binary_cross_entropy_with_logits")
    positive = t * (-logits).softplus()
    if pos_weight is not None:
        positive = positive * _as_tensor(pos_weight, logits.dtype)
    return _reduce(positive + (1 - t) * logits.softplus(), reduction)


# ---- helpers ------------------------------------------------------------------------------------

def _check_reduction(reduction):
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {', '.join(map(repr, _REDUCTIONS))}, "
                         f"not {reduction!r}")


def _reduce(losses, reduction, unbatched=False):
    """Apply "mean" | "sum" | "none" (for a single unbatched example, "none" gives one number)."""
    if reduction == "none":
        return losses.reshape(()) if unbatched else losses
    if reduction == "sum":
        return losses.sum()
    return losses.mean()


def _same_shape(input, target, op):
    """target as a Tensor of input's shape; a different shape is a ValueError naming both.
    A list or an array is data, and takes input's dtype (float32 stays float32); a Tensor of
    another dtype is used as it is, and the loss is in the wider dtype, as in PyTorch.

    (Broadcasting (N, 1) against (N,) would quietly compare every pair: a classic bug.)"""
    target = _as_tensor(target, input.dtype)
    if target.shape != input.shape:
        raise ValueError(f"{op}: input has shape {input.shape} but target has shape {target.shape}; "
                         "they must match")
    return target


def _is_probabilities(logits, target):
    """True when target holds a probability row per example (same shape as logits)."""
    shape = target.shape if isinstance(target, Tensor) else np.shape(target)
    return logits.ndim >= 1 and tuple(shape) == logits.shape


def _batched(log_probs, target, op):
    """(C,) with one index is a batch of one. Returns (log_probs, int targets, unbatched)."""
    target = target.data if isinstance(target, Tensor) else np.asarray(target)
    shape = target.shape
    if len(shape) == log_probs.ndim:  # a target with the input's axes: probabilities
        wanted = log_probs.shape[:-1]  # (one class index per example: no class axis)
        if op != "cross_entropy":
            raise ValueError(f"{op} takes class indices of shape {wanted}, not a target of shape "
                             f"{shape}; for probabilities as targets, use cross_entropy")
        raise ValueError(f"{op}: target of shape {shape} does not fit input of shape "
                         f"{log_probs.shape}: give class indices of shape {wanted}, or "
                         "probabilities of the input's shape")
    indices = _class_indices(target, op)
    if log_probs.ndim == 1 and indices.ndim == 0:
        return log_probs.reshape(1, -1), indices.reshape(1), True
    if log_probs.ndim != 2 or indices.shape != log_probs.shape[:1]:
        raise ValueError(f"{op}: expected input of shape (N, C) and N class indices, got input "
                         f"{log_probs.shape} and target {indices.shape}")
    return log_probs, indices, False


def _counted(target, ignore_index):
    """The examples that count: None when all do, else the positions of those whose target
    is not `ignore_index` (as PyTorch, an ignored example adds nothing, and "mean" divides
    by the number of examples that count; with none counting, the mean is 0/0 = nan)."""
    counts = target != ignore_index
    return None if counts.all() else np.flatnonzero(counts)


def _pick(log_probs, target, ignore_index, op):
    """log_probs[n, target[n]] for every example n that counts (the "training data" piece),
    after checking that those targets are classes; and `_counted`'s positions of them."""
    n, num_classes = log_probs.shape
    classes = not target.size or (0 <= target.min() and target.max() < num_classes)
    rows = None
    if not classes or 0 <= ignore_index < num_classes:  # some targets may be ignore_index
        rows = _counted(target, ignore_index)
        if rows is not None:
            target = target[rows]
    if not classes:  # every target left, once the ignored are out, must be a class
        bad = target[(target < 0) | (target >= num_classes)]
        if bad.size:
            raise IndexError(f"{op}: class index {int(bad[0])} is out of range for "
                             f"{num_classes} classes (valid: 0 to {num_classes - 1})")
    return log_probs[np.arange(n) if rows is None else rows, target], rows


def _among_all(losses, rows, n, reduction):
    """For reduction "none", the losses of the examples that count put back among all n
    examples, with 0 for the ignored ones. (Picking only the examples that count, instead of
    multiplying the ignored ones by 0, keeps their −inf or nan out: 0·(−inf) is nan.)"""
    if rows is None or reduction != "none":
        return losses
    return _scatter(losses, rows, (n,))


def _clamped_log(x):
    """log x for an array, held at −100 from below (PyTorch's clamp for BCE)."""
    return np.maximum(_np(np.log, x), -100.0)
