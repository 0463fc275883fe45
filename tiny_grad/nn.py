"""Neural-network building blocks: Module, Linear, activations, Sequential, MLP.

A *module* is a function with parameters. `Linear` computes `x @ weight.T + bias`;
its weight and bias are the numbers that training nudges. Everything here is a thin
layer over Tensor: a module's `forward` is ordinary Tensor code, so backward,
gradients and drawings work exactly as they do for a hand-written formula.

How a module finds its parameters (the one piece of "magic", done in plain sight):
it looks through its own attributes, in the order they were set in `__init__`, and
keeps

* every Tensor that is a leaf with `requires_grad=True`      -> a parameter
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
from collections import OrderedDict

import numpy as np

from . import functional as F
from .functional import _as_tensor
from .tensor import Tensor, _np, _rng


def _is_parameter(value):
    """A trainable number: a leaf Tensor that wants a gradient. A tensor computed from
    others (an op's result, which has parents) is an activation, not a parameter."""
    return isinstance(value, Tensor) and value.requires_grad and not value.parents


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

    def zero_grad(self):
        """Forget every parameter's gradient (set `.grad` to None) before the next backward."""
        for p in self.parameters():
            p.grad = None

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
        self.weight = Tensor(rng.uniform(-bound, bound, (out_features, in_features)),
                             requires_grad=True, dtype=dtype, label="weight")
        self.bias = None
        if bias:
            self.bias = Tensor(rng.uniform(-bound, bound, (out_features,)),
                               requires_grad=True, dtype=dtype, label="bias")

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
