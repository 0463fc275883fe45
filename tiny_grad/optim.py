"""Optimizers: how parameters move once backward has filled their gradients.

The training loop is always the same four lines:

    optimizer.zero_grad()        # forget the previous step's gradients
    loss = loss_fn(model(x), y)  # forward: how far off are we?
    loss.backward()              # backward: which way is "more wrong", for every parameter
    optimizer.step()             # move every parameter a little the other way

`step()` works on the NumPy arrays directly (`p.data`), in place: an update is not part
of any graph, and float32 parameters stay float32. The update rules are PyTorch's
(torch.optim.SGD and torch.optim.Adam), step for step, including their first steps.
A parameter whose `.grad` is None (it took no part in the loss) is skipped, and its
optimizer state (momentum, Adam's averages) stays as it was. `p.grad.data` is used as it
is: it has p's shape and dtype, because backward makes it so, and assigning `p.grad = ...`
by hand checks the shape and converts the dtype.
"""

import numbers

import numpy as np

from .tensor import Tensor, quiet_numpy


class Optimizer:
    """What every optimizer shares: the list of parameters, `zero_grad()` and `step()`."""

    def __init__(self, params):
        """Keep `params` (any iterable of Tensors, e.g. model.parameters()) as a list."""
        if isinstance(params, Tensor):
            raise TypeError("an optimizer takes an iterable of Tensors, such as "
                            "model.parameters() or [w, b], not a single Tensor (write [w])")
        if hasattr(params, "parameters") or isinstance(params, dict):
            raise TypeError(f"an optimizer takes an iterable of Tensors, not a "
                            f"{type(params).__name__}: write model.parameters() for a model, "
                            "list(d.values()) for a dict")
        self.params = list(params)
        if not self.params:
            raise ValueError("the optimizer got an empty parameter list: nothing to optimize "
                             "(a generator like model.parameters() can only be used once)")
        for i, p in enumerate(self.params):
            if not isinstance(p, Tensor):
                raise TypeError(f"an optimizer can only optimize Tensors, but parameter {i} "
                                f"is {type(p).__name__}")
            if p.parents:  # (as PyTorch: backward fills .grad of leaves, not of results)
                raise ValueError(f"parameter {i} is the result of an operation ({p.op!r}), not a "
                                 "leaf: an optimizer moves tensors made with requires_grad=True, "
                                 "such as model.parameters()")
        if len({id(p) for p in self.params}) != len(self.params):
            raise ValueError("a parameter appears twice in the list: it would be updated twice "
                             "per step")

    def zero_grad(self):
        """Forget every parameter's gradient (`.grad = None`); backward will fill it anew."""
        for p in self.params:
            p.grad = None

    def step(self):
        """Update every parameter that has a gradient. Each optimizer writes its own rule."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _gradients(self):
        """(i, p, p's gradient array) for every parameter p that has a gradient, each checked
        before any is used, so that a refused step changes no parameter and no state."""
        found = []
        for i, p in enumerate(self.params):
            if p.grad is None:
                continue  # not part of this loss: no update, its state is kept as it is
            g = p.grad.data
            if g.shape != p.data.shape:  # (`p.grad = ...` checks this; `p.grad.data = ...` not)
                raise ValueError(f"parameter {i} ({p.label or 'unnamed'}) has shape {p.data.shape}"
                                 f" but its gradient has shape {g.shape}: no parameter was "
                                 "updated. Assign gradients with `p.grad = ...`, which checks")
            found.append((i, p, g))
        return found

    def __repr__(self):
        """SGD(lr=0.1, momentum=0.9, ...): the optimizer and its settings."""
        settings = ", ".join(f"{k}={v}" for k, v in self._settings().items())
        return f"{type(self).__name__}({settings})"

    def _settings(self):
        """name -> value of the settings shown by repr."""
        return {}


_BLOCK = 1 << 16  # the most numbers that _subtract_scaled multiplies at once


def _subtract_scaled(p, lr, g):
    """p -= lr·g, in place. A big parameter goes a block of rows at a time, so the temporary
    lr·g is never bigger than a block: the very same numbers, without a parameter-sized copy."""
    if p.ndim == 0 or p.size <= _BLOCK:
        p -= lr * g
        return
    rows = max(1, _BLOCK * len(p) // p.size)  # rows per block
    for start in range(0, len(p), rows):
        p[start:start + rows] -= lr * g[start:start + rows]


def _check(condition, message):
    """Raise ValueError(message) unless condition holds (a NaN setting fails every check)."""
    if not condition:
        raise ValueError(message)


def _numbers(**settings):
    """Raise TypeError unless every setting is a real number (lr=None, lr=Tensor(...), ...)."""
    for name, value in settings.items():
        if not isinstance(value, numbers.Real) or isinstance(value, bool):
            raise TypeError(f"{name} is a number, not {value!r:.40}")


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov momentum and weight decay.

    For each parameter p with gradient grad, one step is (PyTorch's torch.optim.SGD):

        g = grad + weight_decay · p                        (L2 penalty ½·wd·p², if wd > 0)
        if momentum > 0:
            buf = g                                        on the first step
            buf = momentum · buf + (1 − dampening) · g     on later steps
            g = g + momentum · buf   if nesterov   else   buf
        p = p − lr · g

    With momentum the step remembers where it was heading: on a long slope it speeds up
    (up to 1/(1 − momentum) times), and sideways zig-zags partly cancel.
    """

    def __init__(self, params, lr, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        _numbers(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        _check(lr >= 0, f"the learning rate must be >= 0, got lr={lr}")
        _check(momentum >= 0, f"momentum must be >= 0, got momentum={momentum}")
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got weight_decay={weight_decay}")
        _check(not nesterov or (momentum > 0 and dampening == 0),
               f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={momentum}, "
               f"dampening={dampening}")
        super().__init__(params)
        self.lr, self.momentum, self.dampening = lr, momentum, dampening
        self.weight_decay, self.nesterov = weight_decay, nesterov
        self.momentum_buffers = [None] * len(self.params)  # buf for each parameter

    def step(self):
        """p = p − lr · g for every parameter with a gradient (g as in the class docstring)."""
        with quiet_numpy():  # (a step that overflows gives inf, without a warning)
            for i, p, g in self._gradients():
                if self.weight_decay != 0:
                    g = g + self.weight_decay * p.data  # g = grad + wd·p
                if self.momentum != 0:
                    buf = self.momentum_buffers[i]
                    if buf is None:
                        buf = self.momentum_buffers[i] = g.copy()  # first step: buf = g
                    else:
                        buf *= self.momentum  # buf = momentum·buf + (1 − dampening)·g
                        buf += (1 - self.dampening) * g
                    g = g + self.momentum * buf if self.nesterov else buf
                _subtract_scaled(p.data, self.lr, g)  # p = p − lr·g, in place

    def _settings(self):
        """SGD's settings, for repr."""
        return {"lr": self.lr, "momentum": self.momentum, "dampening": self.dampening,
                "weight_decay": self.weight_decay, "nesterov": self.nesterov}


class Adam(Optimizer):
    """Adam: each parameter gets its own step size, from running averages of its gradient.

    For each parameter p with gradient grad, step number t (1, 2, 3, ... counted per
    parameter) is (PyTorch's torch.optim.Adam):

        g = grad + weight_decay · p              (L2 penalty added to the gradient)
        m = β1 · m + (1 − β1) · g                average gradient (starts at 0)
        v = β2 · v + (1 − β2) · g²               average squared gradient (starts at 0)
        m̂ = m / (1 − β1^t)                       undo the pull towards the zero start
        v̂ = v / (1 − β2^t)
        p = p − lr · m̂ / (√v̂ + ε)

    m̂/√v̂ is about ±1 when the gradient keeps its sign, so every parameter moves about
    lr per step at first, however large or small its gradient is.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        _numbers(lr=lr, eps=eps, weight_decay=weight_decay)
        _check(lr >= 0, f"the learning rate must be >= 0, got lr={lr}")
        _check(np.ndim(betas) == 1 and len(betas) == 2, f"betas must be a pair (β1, β2), got {betas}")
        for k, beta in enumerate(betas, start=1):
            _check(0 <= beta < 1, f"β{k} must be in [0, 1), got betas={tuple(betas)}")
        _check(eps >= 0, f"eps must be >= 0, got eps={eps}")
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got weight_decay={weight_decay}")
        super().__init__(params)
        self.lr, self.betas, self.eps, self.weight_decay = lr, tuple(betas), eps, weight_decay
        n = len(self.params)
        self.steps = [0] * n  # t for each parameter
        self.m = [None] * n   # average gradient, made (zeros) on a parameter's first step
        self.v = [None] * n   # average squared gradient

    def step(self):
        """One Adam update for every parameter with a gradient (see the class docstring)."""
        beta1, beta2 = self.betas
        with quiet_numpy():  # (eps = 0 with a zero gradient gives nan, silently)
            for i, p, g in self._gradients():
                if self.weight_decay != 0:
                    g = g + self.weight_decay * p.data  # g = grad + wd·p
                if self.m[i] is None:
                    self.m[i], self.v[i] = np.zeros_like(p.data), np.zeros_like(p.data)
                self.steps[i] += 1
                t, m, v = self.steps[i], self.m[i], self.v[i]
                m *= beta1  # m = β1·m + (1 − β1)·g
                m += (1 - beta1) * g
                v *= beta2  # v = β2·v + (1 − β2)·g²
                v += (1 - beta2) * g * g
                m_hat = m / (1 - beta1 ** t)
                v_hat = v / (1 - beta2 ** t)
                p.data -= self.lr * m_hat / (np.sqrt(v_hat) + self.eps)  # p = p − lr·m̂/(√v̂ + ε)

    def _settings(self):
        """Adam's settings, for repr."""
        return {"lr": self.lr, "betas": self.betas, "eps": self.eps,
                "weight_decay": self.weight_decay}
