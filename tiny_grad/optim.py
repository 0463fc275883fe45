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
import sys

import numpy as np

from . import autograd
from .tensor import Tensor, quiet_numpy


class Optimizer:
    """What every optimizer shares: parameter groups, their state, `zero_grad()` and `step()`.

    As in PyTorch, `param_groups` is a list of dicts, each holding "params" (a list of
    Tensors) and the settings for them ("lr", "momentum", ...); step() reads them every
    time, so `for g in opt.param_groups: g["lr"] = 0.01` changes the next step. `state`
    holds what a parameter's updates remember (momentum, Adam's averages), keyed by its place
    in the list of all parameters, and `state_dict()` / `load_state_dict()` save and restore it.
    """

    def __init__(self, params, defaults=None):
        """params: an iterable of Tensors (e.g. model.parameters()), or of dicts
        {"params": [...], "lr": ...} whose settings replace `defaults` for those parameters."""
        if isinstance(params, Tensor):
            raise TypeError("an optimizer takes an iterable of Tensors, such as "
                            "model.parameters() or [w, b], not a single Tensor (write [w])")
        if hasattr(params, "parameters") or isinstance(params, dict):
            raise TypeError(f"an optimizer takes an iterable of Tensors, not a "
                            f"{type(params).__name__}: write model.parameters() for a model, "
                            "list(d.values()) for a dict")
        self.defaults = dict(defaults or {})
        self.param_groups, self.params, self.state = [], [], {}
        groups = list(params)
        if not groups:
            raise ValueError("the optimizer got an empty parameter list: nothing to optimize "
                             "(a generator like model.parameters() can only be used once)")
        for group in groups if all(isinstance(g, dict) for g in groups) else [{"params": groups}]:
            self.add_param_group(group)

    def add_param_group(self, group):
        """Add a group {"params": [...], setting: value, ...}; missing settings are the defaults."""
        params = group["params"]
        params = [params] if isinstance(params, Tensor) else list(params)
        for i, p in enumerate(params, start=len(self.params)):
            if not isinstance(p, Tensor):
                raise TypeError(f"an optimizer can only optimize Tensors, but parameter {i} "
                                f"is {type(p).__name__}")
            if p.parents:  # (as PyTorch: backward fills .grad of leaves, not of results)
                raise ValueError(f"parameter {i} is the result of an operation ({p.op!r}), not a "
                                 "leaf: an optimizer moves tensors made with requires_grad=True, "
                                 "such as model.parameters()")
        if len({id(p) for p in self.params + params}) != len(self.params) + len(params):
            raise ValueError("a parameter appears twice in the list: it would be updated twice "
                             "per step")
        group = {**self.defaults, **group, "params": params}
        self._check_settings(group)
        self.param_groups.append(group)
        self.params.extend(params)

    def _check_settings(self, group):
        """Raise if a group's settings are not allowed (each optimizer checks its own)."""

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient: `.grad = None` (backward fills it anew), or with
        set_to_none=False its numbers set to 0 in place."""
        for p in self.params:
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    def step(self):
        """Update every parameter that has a gradient. Each optimizer writes its own rule."""
        raise NotImplementedError(f"{type(self).__name__} must define step()")

    def _gradients(self):
        """(group, [(i, p, p's gradient array), ...]) for each group, with every parameter p
        that has a gradient, all checked before any is used, so that a refused step changes
        no parameter and no state. (i is p's place in the list of all parameters.)"""
        found, i = [], 0
        for group in self.param_groups:
            mine = []
            for p in group["params"]:
                if p.grad is not None:  # (None: not part of this loss; its state is kept)
                    g = p.grad.data
                    if g.shape != p.data.shape:  # (`p.grad = ...` checks; `p.grad.data = ...` not)
                        raise ValueError(
                            f"parameter {i} ({p.label or 'unnamed'}) has shape {p.data.shape} but "
                            f"its gradient has shape {g.shape}: no parameter was updated. Assign "
                            "gradients with `p.grad = ...`, which checks")
                    mine.append((i, p, g))
                i += 1
            found.append((group, mine))
        return found

    def state_dict(self):
        """What a checkpoint needs to resume: {"state": {i: {...}}, "param_groups": [...]},
        PyTorch's layout (each group's "params" are the places of its parameters)."""
        groups, i = [], 0
        for group in self.param_groups:
            n = len(group["params"])
            groups.append({**group, "params": list(range(i, i + n))})
            i += n
        state = {i: {k: v.copy() if isinstance(v, np.ndarray) else v for k, v in s.items()}
                 for i, s in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict):
        """Take the settings and state of `state_dict` (from state_dict()) for these parameters."""
        groups = state_dict["param_groups"]
        if [len(g["params"]) for g in groups] != [len(g["params"]) for g in self.param_groups]:
            raise ValueError("load_state_dict: the saved groups hold different numbers of "
                             "parameters than this optimizer's")
        for group, saved in zip(self.param_groups, groups):
            group.update({k: v for k, v in saved.items() if k != "params"})
        self.state = {int(i): {k: np.array(v) if isinstance(v, np.ndarray) else v for k, v in s.items()}
                      for i, s in state_dict["state"].items()}

    def __repr__(self):
        """SGD(lr=0.1, momentum=0.9, ...): the optimizer and its settings."""
        settings = ", ".join(f"{k}={v}" for k, v in self._settings().items())
        return f"{type(self).__name__}({settings})"

    def _settings(self):
        """name -> value of the settings shown by repr (the first group's)."""
        return {k: v for k, v in self.param_groups[0].items() if k != "params"}

    # opt.lr (and the other settings) read the first group's and set every group's.
    def __getattr__(self, name):
        groups = self.__dict__.get("param_groups")
        if groups and name in groups[0] and name != "params":
            return groups[0][name]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def __setattr__(self, name, value):
        groups = self.__dict__.get("param_groups")
        if groups and name in groups[0] and name != "params":
            for group in groups:
                group[name] = value
        else:
            super().__setattr__(name, value)


def _moved(found):
    """Note that the parameters of `found` changed in place (a graph made before the step
    cannot use them: its backward raises)."""
    autograd.mark_changed(*[p for _, p, _ in found])


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

    def __init__(self, params, lr=1e-3, momentum=0.0, dampening=0.0, weight_decay=0.0,
                 nesterov=False):
        super().__init__(params, dict(lr=lr, momentum=momentum, dampening=dampening,
                                      weight_decay=weight_decay, nesterov=nesterov))

    def _check_settings(self, group):
        lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
        weight_decay, nesterov = group["weight_decay"], group["nesterov"]
        _numbers(lr=lr, momentum=momentum, dampening=dampening, weight_decay=weight_decay)
        _check(lr >= 0, f"the learning rate must be >= 0, got lr={lr}")
        _check(momentum >= 0, f"momentum must be >= 0, got momentum={momentum}")
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got weight_decay={weight_decay}")
        _check(not nesterov or (momentum > 0 and dampening == 0),
               f"nesterov=True needs momentum > 0 and dampening = 0, got momentum={momentum}, "
               f"dampening={dampening}")

    def step(self):
        """p = p − lr · g for every parameter with a gradient (g as in the class docstring)."""
        with quiet_numpy():  # (a step that overflows gives inf, without a warning)
            for group, found in self._gradients():
                lr, momentum, dampening = group["lr"], group["momentum"], group["dampening"]
                weight_decay, nesterov = group["weight_decay"], group["nesterov"]
                for i, p, g in found:
                    if weight_decay != 0:
                        g = g + weight_decay * p.data  # g = grad + wd·p
                    if momentum != 0:
                        state = self.state.setdefault(i, {})
                        buf = state.get("momentum_buffer")
                        if buf is None:
                            buf = state["momentum_buffer"] = g.copy()  # first step: buf = g
                        else:
                            buf *= momentum  # buf = momentum·buf + (1 − dampening)·g
                            buf += (1 - dampening) * g
                        g = g + momentum * buf if nesterov else buf
                    _subtract_scaled(p.data, lr, g)  # p = p − lr·g, in place
                _moved(found)


class Adam(Optimizer):
    """Adam: each parameter gets its own step size, from running averages of its gradient.

    For each parameter p with gradient grad, step number t (1, 2, 3, ... counted per
    parameter) is (PyTorch's torch.optim.Adam):

        g = grad + weight_decay · p              (L2 penalty added to the gradient)
        m = β1 · m + (1 − β1) · g                average gradient (starts at 0)
        v = β2 · v + (1 − β2) · g²               average squared gradient (starts at 0)
        m̂ = m / (1 − β1^t)                       undo the pull towards the zero start
        v̂ = v / (1 − β2^t)                       (amsgrad: the largest v so far, instead of v)
        p = p − lr · m̂ / (√v̂ + ε)

    m̂/√v̂ is about ±1 when the gradient keeps its sign, so every parameter moves about
    lr per step at first, however large or small its gradient is. (AdamW, below, shrinks p
    itself instead of adding weight_decay·p to g.)
    """

    decoupled = False  # AdamW: weight decay shrinks p directly, outside the averages

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0,
                 amsgrad=False):
        super().__init__(params, dict(lr=lr, betas=tuple(betas) if np.ndim(betas) == 1 else betas,
                                      eps=eps, weight_decay=weight_decay, amsgrad=amsgrad))

    def _check_settings(self, group):
        lr, betas, eps, weight_decay = group["lr"], group["betas"], group["eps"], group["weight_decay"]
        _numbers(lr=lr, eps=eps, weight_decay=weight_decay)
        _check(lr >= 0, f"the learning rate must be >= 0, got lr={lr}")
        _check(np.ndim(betas) == 1 and len(betas) == 2, f"betas must be a pair (β1, β2), got {betas}")
        for k, beta in enumerate(betas, start=1):
            _check(0 <= beta < 1, f"β{k} must be in [0, 1), got betas={tuple(betas)}")
        _check(eps >= 0, f"eps must be >= 0, got eps={eps}")
        _check(weight_decay >= 0, f"weight_decay must be >= 0, got weight_decay={weight_decay}")

    def step(self):
        """One Adam update for every parameter with a gradient (see the class docstring)."""
        with quiet_numpy():  # (eps = 0 with a zero gradient gives nan, silently)
            for group, found in self._gradients():
                lr, (beta1, beta2), eps = group["lr"], group["betas"], group["eps"]
                weight_decay, amsgrad = group["weight_decay"], group["amsgrad"]
                for i, p, g in found:
                    if weight_decay != 0 and self.decoupled:
                        p.data *= 1 - lr * weight_decay  # AdamW: p = p·(1 − lr·wd)
                    elif weight_decay != 0:
                        g = g + weight_decay * p.data  # g = grad + wd·p
                    state = self.state.get(i)
                    if state is None:
                        state = self.state[i] = {"step": 0, "exp_avg": np.zeros_like(p.data),
                                                 "exp_avg_sq": np.zeros_like(p.data)}
                        if amsgrad:
                            state["max_exp_avg_sq"] = np.zeros_like(p.data)
                    state["step"] += 1
                    t, m, v = state["step"], state["exp_avg"], state["exp_avg_sq"]
                    m *= beta1  # m = β1·m + (1 − β1)·g
                    m += (1 - beta1) * g
                    v *= beta2  # v = β2·v + (1 − β2)·g²
                    v += (1 - beta2) * g * g
                    if amsgrad:
                        v = np.maximum(state["max_exp_avg_sq"], v, out=state["max_exp_avg_sq"])
                    m_hat = m / (1 - beta1 ** t)
                    v_hat = v / (1 - beta2 ** t)
                    p.data -= lr * m_hat / (np.sqrt(v_hat) + eps)  # p = p − lr·m̂/(√v̂ + ε)
                _moved(found)


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's torch.optim.AdamW): each step first shrinks
    every parameter, p = p·(1 − lr·weight_decay), then takes Adam's step on the plain gradient."""

    decoupled = True

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=1e-2,
                 amsgrad=False):
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)


from . import lr_scheduler  # noqa: E402  (torch.optim.lr_scheduler: tiny_grad.optim.lr_scheduler)
sys.modules[__name__ + ".lr_scheduler"] = lr_scheduler
