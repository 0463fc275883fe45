"""Neural-network building blocks: Module, Linear, activations, Sequential, MLP.

A *module* is a function with parameters. `Linear` computes `x @ weight.T + bias`;
its weight and bias are the numbers that training nudges. Everything here is a thin
layer over Tensor: a module's `forward` is ordinary Tensor code, so backward,
gradients and drawings work exactly as they do for a hand-written formula.

How a module finds its parameters (the one piece of "magic", done in plain sight):
it looks through its own attributes, in the order they were set in `__init__`, and
keeps

* every `nn.Parameter` (frozen ones too, requires_grad=False) -> a parameter
* every other Tensor that is a leaf with `requires_grad=True` -> a parameter too (PyTorch
  would ignore it; tiny_grad counts it, so a plain `Tensor(..., requires_grad=True)` works)
* every Module                                               -> its parameters, recursively
* every list or tuple holding Modules or parameter Tensors   -> item by item

Names are dotted paths, laid out as in PyTorch, so a state dict reads the same:

    Linear(4, 3)                      weight, bias
    Sequential(Linear, ReLU, Linear)  0.weight, 0.bias, 2.weight, 2.bias
    MLP(2, [8, 1])                    layers.0.weight, layers.0.bias, layers.2.weight, layers.2.bias
    a list attribute `self.blocks`    blocks.0.weight, blocks.1.weight, ...

(ReLU at position 1 has no parameters, so no name starts with "1.".) A sub-module's
parameters come at the place of its attribute, and each parameter's `label` becomes its
name, so a drawn graph shows "layers.0.weight" on the node.
"""

import math
import sys
from collections import OrderedDict

import numpy as np

from . import autograd
from . import functional as F
from .functional import _as_tensor
from .tensor import Tensor, _check_can_require_grad, _np, _rng, _to_array

functional = F  # torch.nn.functional: `import tiny_grad.nn.functional as F` is this module too
sys.modules[__name__ + ".functional"] = F


class Parameter(Tensor):
    """A tensor that a module marks as one of its parameters (as torch.nn.Parameter):
    self.w = nn.Parameter(tg.randn(3, 4)). It requires grad unless asked not to, and stays a
    parameter when frozen (requires_grad=False): listed, saved and loaded all the same.
    Parameter(t) of a Tensor t shares t's numbers. What it computes are plain Tensors."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True):
        if data is None:
            data = np.zeros(0)
        self.data = data.data if isinstance(data, Tensor) else _to_array(data)
        if requires_grad:
            _check_can_require_grad(self.data)
        self.requires_grad = bool(requires_grad)
        self.label = data.label if isinstance(data, Tensor) else ""
        self.op, self.parents, self._vjp, self._grad, self._mark = "", (), None, None, None
        self._pending = None

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


def _is_parameter(value):
    """A parameter: an nn.Parameter, or a leaf Tensor that wants a gradient. A tensor computed
    from others (an op's result, which has parents) is an activation, not a parameter."""
    return isinstance(value, Tensor) and (type(value) is Parameter or value.requires_grad) \
        and not value.parents


class Module:
    """The base class of every layer and model.

    Subclass it, create parameters and sub-modules in `__init__`, and write `forward`:

    >>> class Affine(Module):
    ...     def __init__(self):
    ...         self.scale = Tensor([2.0], requires_grad=True)
    ...         self.shift = Tensor([0.5], requires_grad=True)
    ...     def forward(self, x):
    ...         return x * self.scale + self.shift
    >>> [name for name, p in Affine().named_parameters()]
    ['scale', 'shift']

    (Calling `super().__init__()` is allowed but not needed: Module keeps no state of
    its own; everything is found from the attributes.)
    """

    # ---- running it ---------------------------------------------------------------------

    def forward(self, *args, **kwargs):
        """What the module computes. Every subclass writes its own."""
        raise NotImplementedError(f"{type(self).__name__} must define forward()")

    def __call__(self, *args, **kwargs):
        """`model(x)` is `model.forward(x)`, as in PyTorch."""
        return self.forward(*args, **kwargs)

    # ---- finding parameters and sub-modules -------------------------------------------------

    def _members(self):
        """(name, parameter or module) for what this module holds directly, in attribute order.

        Items of a list or tuple attribute `blocks` are named "blocks.0", "blocks.1", ...
        Sequential overrides this to name its layers "0", "1", ...
        """
        for name, value in vars(self).items():
            if isinstance(value, Module) or _is_parameter(value):
                yield name, value
            elif isinstance(value, (list, tuple)):
                for i, item in enumerate(value):
                    if isinstance(item, Module) or _is_parameter(item):
                        yield f"{name}.{i}", item

    def named_children(self):
        """(name, module) for the modules directly inside this one."""
        for name, member in self._members():
            if isinstance(member, Module):
                yield name, member

    def named_parameters(self):
        """(dotted name, parameter) for every parameter, each once, in attribute order.

        A parameter (or module) used in two places is listed once, under the first name
        found. Each parameter's `label` is set to its name, so drawn graphs show
        "layers.0.weight".
        """
        seen = {id(self)}  # ids of the parameters and modules already visited

        def walk(module, prefix):
            """(name, parameter) inside `module`, each name starting with `prefix`."""
            for name, member in module._members():
                if id(member) in seen:
                    continue
                seen.add(id(member))
                if isinstance(member, Module):
                    yield from walk(member, f"{prefix}{name}.")
                else:
                    member.label = prefix + name
                    yield member.label, member

        yield from walk(self, "")

    def parameters(self):
        """Every parameter, each once (a generator, as in PyTorch: `list(model.parameters())`)."""
        for _, p in self.named_parameters():
            yield p

    def zero_grad(self, set_to_none=True):
        """Forget every parameter's gradient before the next backward: `.grad = None`, or with
        set_to_none=False, the gradient's numbers set to 0 in place."""
        for p in self.parameters():
            if set_to_none or p.grad is None:
                p.grad = None
            else:
                p.grad.zero_()

    # ---- training or evaluating ---------------------------------------------------------------

    training = True  # what train() and eval() switch; Dropout reads it

    def train(self, mode=True):
        """Set this module and every module inside it to training mode (or, mode=False, to
        evaluation mode); returns the module."""
        for module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self):
        """Evaluation mode: Dropout passes everything through. Same as train(False)."""
        return self.train(False)

    def requires_grad_(self, requires_grad=True):
        """Freeze (False) or unfreeze every parameter; returns the module."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def to(self, *args, dtype=None, **kwargs):
        """The module, its parameters in `dtype` if one is given (a device changes nothing:
        tiny_grad has only the CPU)."""
        for a in args:
            if not isinstance(a, str) and a is not None:
                dtype = a
        if dtype is not None:
            for p in self.parameters():
                p.data, p.grad = p.data.astype(dtype), None
        return self

    def float(self):
        """Every parameter as float32 (make the optimizer after this)."""
        return self.to(np.float32)

    def double(self):
        """Every parameter as float64."""
        return self.to(np.float64)

    def children(self):
        """The modules directly inside this one."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix=""):
        """(dotted name, module) for this module ("") and every module inside it, each once."""
        seen = set()

        def walk(module, name):
            if id(module) in seen:
                return
            seen.add(id(module))
            yield name, module
            for child_name, child in module.named_children():
                yield from walk(child, f"{name}.{child_name}" if name else child_name)
        yield from walk(self, prefix)

    def modules(self):
        """This module and every module inside it."""
        for _, module in self.named_modules():
            yield module

    def apply(self, fn):
        """fn(module) for every module inside (children first, as PyTorch), then this one."""
        for child in self.children():
            child.apply(fn)
        fn(self)
        return self

    # ---- saving and loading -----------------------------------------------------------------

    def state_dict(self):
        """An OrderedDict name -> NumPy array: a *copy* of every parameter's current values.

        Save it with `tg.save(model.state_dict(), "model.npz")`; later training does not
        change the copy.
        """
        return OrderedDict((name, p.data.copy()) for name, p in self.named_parameters())

    def load_state_dict(self, state_dict):
        """Copy values from `state_dict` (name -> array or Tensor) into the parameters.

        Every name must match (KeyError lists missing and unexpected names), every value
        must hold real numbers (TypeError) and every shape must match (ValueError names the
        key and both shapes). Everything is checked before anything is copied, so a failed
        load changes nothing.

        The values are copied *into* the existing arrays (`np.copyto(p.data, value)`), in the
        parameter's own dtype: an optimizer holding these parameters keeps working.
        """
        if not hasattr(state_dict, "items"):
            raise TypeError(f"load_state_dict takes a dict of name -> array, such as "
                            f"tg.load(path), not {type(state_dict).__name__}")
        params = OrderedDict(self.named_parameters())
        missing = [name for name in params if name not in state_dict]
        unexpected = [name for name in state_dict if name not in params]
        if missing or unexpected:
            problems = [f"missing keys {missing}"] if missing else []
            problems += [f"unexpected keys {unexpected}"] if unexpected else []
            raise KeyError(f"load_state_dict for {type(self).__name__}: {'; '.join(problems)}")
        values = {}
        for name, p in params.items():
            value = state_dict[name]
            value = value.data if isinstance(value, Tensor) else np.asarray(value)
            if value.dtype.kind not in "biuf":  # (complex would lose its imaginary part)
                raise TypeError(f"load_state_dict for {type(self).__name__}: {name!r} holds "
                                f"{value.dtype} data, not real numbers")
            if value.shape != p.shape:
                raise ValueError(f"load_state_dict for {type(self).__name__}: size mismatch for "
                                 f"{name!r}: the checkpoint has shape {value.shape}, the model "
                                 f"has shape {p.shape}")
            values[name] = value
        for name, p in params.items():  # (1e300 into float32 is inf, with no warning)
            _np(np.copyto, p.data, values[name], casting="unsafe")
            autograd.mark_changed(p)  # (a graph made before the load must not use them)

    # ---- printing ---------------------------------------------------------------------------

    def extra_repr(self):
        """The settings shown between the parentheses of repr, e.g. "in_features=4, ..."."""
        return ""

    def __repr__(self):
        """`Linear(in_features=4, out_features=3, bias=True)`, with sub-modules indented below."""
        extra = self.extra_repr()
        children = list(self.named_children())
        if not children:
            return f"{type(self).__name__}({extra})"
        lines = [extra] if extra else []
        lines += [f"({name}): {child!r}" for name, child in children]
        body = "\n".join("  " + line for text in lines for line in text.split("\n"))
        return f"{type(self).__name__}(\n{body}\n)"


class Linear(Module):
    """y = x @ weight.T + bias: every output is a weighted sum of the inputs, plus a bias.

    weight has shape (out_features, in_features) and bias (out_features,), as in PyTorch.
    Both start uniform in [-1/√in_features, 1/√in_features] (PyTorch's default), drawn from
    tiny_grad's random generator, so `tg.manual_seed(0)` makes the start repeatable.
    """

    def __init__(self, in_features, out_features, bias=True, dtype=None):
        for name, n in (("in_features", in_features), ("out_features", out_features)):
            if not isinstance(n, (int, np.integer)) or isinstance(n, bool):
                raise TypeError(f"Linear's {name} is a whole number of features, not {n!r}")
        if in_features < 0 or out_features < 0:
            raise ValueError(f"Linear needs sizes >= 0, got in_features={in_features}, "
                             f"out_features={out_features}")
        self.in_features, self.out_features = in_features, out_features
        bound = 1 / math.sqrt(in_features) if in_features > 0 else 0.0
        rng = _rng()
        self.weight = Parameter(Tensor(rng.uniform(-bound, bound, (out_features, in_features)),
                                       dtype=dtype, label="weight"))
        self.bias = None
        if bias:
            self.bias = Parameter(Tensor(rng.uniform(-bound, bound, (out_features,)),
                                         dtype=dtype, label="bias"))

    def forward(self, x):
        """x: (..., in_features) -> (..., out_features), as F.linear(x, weight, bias): one
        op that equals x @ weight.T + bias. Arrays and lists become Tensors of the layer's dtype."""
        return F.linear(_as_tensor(x, self.weight.dtype), self.weight, self.bias)

    def extra_repr(self):
        """in_features=4, out_features=3, bias=True"""
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")


class ReLU(Module):
    """max(0, x), elementwise."""

    def forward(self, x):
        """x.relu()"""
        return _as_tensor(x).relu()


class Tanh(Module):
    """tanh x, elementwise: squashes into (-1, 1)."""

    def forward(self, x):
        """x.tanh()"""
        return _as_tensor(x).tanh()


class Sigmoid(Module):
    """σ(x) = 1/(1 + e^-x), elementwise: squashes into (0, 1)."""

    def forward(self, x):
        """x.sigmoid()"""
        return _as_tensor(x).sigmoid()


class Sequential(Module):
    """Modules applied one after another: Sequential(a, b, c)(x) is c(b(a(x))).

    Its layers are named "0", "1", "2", ... (so parameters are "0.weight", ...), and it
    behaves like a list of them: `model[0]`, `model[1:]`, `len(model)`, `for m in model`.
    """

    def __init__(self, *modules):
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(f"Sequential takes Modules; item {i} is {type(m).__name__}")
        self._layers = list(modules)

    def _members(self):
        """The layers, named by position: ("0", first), ("1", second), ..."""
        for i, m in enumerate(self._layers):
            yield str(i), m

    def forward(self, x):
        """Pass x through every layer in turn."""
        for layer in self._layers:
            x = layer(x)
        return x

    def __getitem__(self, index):
        """One layer (`model[0]`), or a new Sequential sharing the layers (`model[1:]`)."""
        if isinstance(index, slice):
            return Sequential(*self._layers[index])
        return self._layers[index]

    def __len__(self):
        """The number of layers."""
        return len(self._layers)

    def __iter__(self):
        """The layers, in order."""
        return iter(self._layers)


class MLP(Module):
    """A multi-layer perceptron: Linear layers in_features -> sizes[0] -> ... -> sizes[-1],
    with `activation` between two Linear layers but not after the last one (the output
    stays raw: logits for cross_entropy, or a number for mse_loss).

    MLP(2, [16, 16, 1]) is Sequential(Linear(2, 16), ReLU(), Linear(16, 16), ReLU(),
    Linear(16, 1)), kept in `self.layers`; its parameters are "layers.0.weight", ...
    `activation` is a Module class (nn.ReLU, nn.Tanh, nn.Sigmoid), or None for none.
    """

    def __init__(self, in_features, sizes, activation=ReLU, dtype=None):
        if not hasattr(sizes, "__iter__"):
            raise TypeError(f"MLP takes a list of layer sizes after in_features, e.g. "
                            f"MLP({in_features}, [16, {sizes}]) or MLP({in_features}, [{sizes}]), "
                            f"not the single number {sizes!r}")
        sizes = list(sizes)
        if not sizes:
            raise ValueError("MLP needs at least one layer size, e.g. MLP(2, [16, 1])")
        if isinstance(activation, Module):
            raise TypeError(f"MLP wants the activation's class, e.g. activation=nn.ReLU, "
                            f"not an instance ({activation!r}); it makes one per gap")
        layers = []
        for i, (n_in, n_out) in enumerate(zip([in_features] + sizes, sizes)):
            if i > 0 and activation is not None:
                layers.append(activation())
            layers.append(Linear(n_in, n_out, dtype=dtype))
        self.layers = Sequential(*layers)

    def forward(self, x):
        """Pass x through the layers."""
        return self.layers(x)


# ---- more layers, as PyTorch has them ----------------------------------------------------------

class Identity(Module):
    """x as it is (a placeholder layer)."""

    def __init__(self, *args, **kwargs):
        pass

    def forward(self, x):
        """x"""
        return x


class Flatten(Module):
    """Axes start_dim to end_dim merged into one: images (N, 8, 8) become rows (N, 64)."""

    def __init__(self, start_dim=1, end_dim=-1):
        self.start_dim, self.end_dim = start_dim, end_dim

    def forward(self, x):
        """x.flatten(start_dim, end_dim)"""
        return _as_tensor(x).flatten(self.start_dim, self.end_dim)


class Softmax(Module):
    """softmax along dim: raw scores become probabilities."""

    def __init__(self, dim=None):
        self.dim = -1 if dim is None else dim

    def forward(self, x):
        """F.softmax(x, dim)"""
        return F.softmax(x, self.dim)


class LogSoftmax(Module):
    """log softmax along dim (for NLLLoss)."""

    def __init__(self, dim=None):
        self.dim = -1 if dim is None else dim

    def forward(self, x):
        """F.log_softmax(x, dim)"""
        return F.log_softmax(x, self.dim)


class LeakyReLU(Module):
    """x where x > 0, negative_slope·x elsewhere.   d/dx = 1 or negative_slope"""

    def __init__(self, negative_slope=0.01):
        self.negative_slope = negative_slope

    def forward(self, x):
        """relu(x) - negative_slope·relu(-x)"""
        x = _as_tensor(x)
        return x.relu() - (-x).relu() * self.negative_slope


class Dropout(Module):
    """In training, each element zeroed with probability p and the rest scaled by 1/(1 - p);
    in eval mode (model.eval()), nothing changes."""

    def __init__(self, p=0.5):
        self.p = p

    def forward(self, x):
        """F.dropout(x, p, self.training)"""
        return F.dropout(x, self.p, self.training)


class ModuleList(Module):
    """A list of modules whose parameters count: self.blocks = nn.ModuleList([...])."""

    def __init__(self, modules=()):
        self._layers = list(modules)

    def _members(self):
        """The modules, named by position."""
        for i, m in enumerate(self._layers):
            yield str(i), m

    def append(self, module):
        """Add a module at the end."""
        self._layers.append(module)
        return self

    def __getitem__(self, index):
        return self._layers[index]

    def __len__(self):
        return len(self._layers)

    def __iter__(self):
        return iter(self._layers)


# ---- losses as modules: each one calls its function in tiny_grad.functional ------------------

def _no_weights(name, weight):
    if weight is not None:
        raise NotImplementedError(f"{name}(weight=...): class weights are not in tiny_grad yet; "
                                  "weight each example's loss by hand, e.g. "
                                  "(F.cross_entropy(x, y, reduction='none') * w[y]).sum() / w[y].sum()")


class CrossEntropyLoss(Module):
    """F.cross_entropy(logits, target): softmax, then −log of the right class's probability."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean", label_smoothing=0.0):
        _no_weights("CrossEntropyLoss", weight)
        self.ignore_index, self.reduction, self.label_smoothing = ignore_index, reduction, label_smoothing

    def forward(self, input, target):
        return F.cross_entropy(input, target, self.reduction, self.label_smoothing, self.ignore_index)


class NLLLoss(Module):
    """F.nll_loss(log_probs, target): −log_probs of each right class."""

    def __init__(self, weight=None, ignore_index=-100, reduction="mean"):
        _no_weights("NLLLoss", weight)
        self.ignore_index, self.reduction = ignore_index, reduction

    def forward(self, input, target):
        return F.nll_loss(input, target, self.reduction, self.ignore_index)


class MSELoss(Module):
    """F.mse_loss: the mean of the squared gaps."""

    def __init__(self, reduction="mean"):
        self.reduction = reduction

    def forward(self, input, target):
        return F.mse_loss(input, target, self.reduction)


class L1Loss(MSELoss):
    """F.l1_loss: the mean of the absolute gaps (MAE)."""

    def forward(self, input, target):
        return F.l1_loss(input, target, self.reduction)


class BCELoss(MSELoss):
    """F.binary_cross_entropy, for probabilities in [0, 1]."""

    def __init__(self, weight=None, reduction="mean"):
        _no_weights("BCELoss", weight)
        self.reduction = reduction

    def forward(self, input, target):
        return F.binary_cross_entropy(input, target, self.reduction)


class BCEWithLogitsLoss(Module):
    """F.binary_cross_entropy_with_logits, for raw scores (the sigmoid inside, stably)."""

    def __init__(self, weight=None, reduction="mean", pos_weight=None):
        _no_weights("BCEWithLogitsLoss", weight)
        self.reduction, self.pos_weight = reduction, pos_weight

    def forward(self, input, target):
        return F.binary_cross_entropy_with_logits(input, target, self.reduction, self.pos_weight)
