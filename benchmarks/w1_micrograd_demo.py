"""W1: micrograd's demo step on scalar Values, tiny_grad beside micrograd.

    python benchmarks/w1_micrograd_demo.py [--repeats 3]

The step of micrograd's demo notebook: an MLP 2-16-16-1 built from scalar neurons
(each neuron is sum(w_i * x_i) + b, then relu), 100 two-moons points, SVM hinge loss
relu(1 - y·score) averaged, plus 1e-4 · Σ p² (L2), then backward and one full-batch SGD
step. Every number is its own graph node, so one step builds some 66,000 nodes: this is
a test of how cheaply an engine makes, walks and frees nodes.

tiny_grad's model below is written here on `tiny_grad.Value` (Neuron, Layer, MLP, as the
demo has them); the micrograd column imports the installed `micrograd` package (0.1.0,
`pip install micrograd==0.1.0`), and is skipped when it is absent. Both get the same
initial weights and the same data (plain Python floats), and both build the same graph:
the node counts are printed, and the first losses are checked to agree.

Times are seconds per step with Python's cycle collector on, as the demo runs. The
engines take turns in blocks of 3 consecutive steps (`--repeats` blocks each, default 3);
before each block the collector is run, untimed, so no engine pays for another's garbage,
while within a block each step pays for what the steps before it left behind, as in the
demo's training loop. (tiny_grad's graphs hold no reference cycles and are freed as soon
as a step ends; micrograd's closures make cycles that wait for the collector.)
"""

import _common

ARGS = _common.setup(__doc__.splitlines()[0])

import gc  # noqa: E402
import random  # noqa: E402

import tiny_grad  # noqa: E402
from tiny_grad import Value  # noqa: E402
from tiny_grad.autograd import topological_order  # noqa: E402

micrograd = _common.optional("micrograd")
if micrograd is not None:
    import micrograd.engine
    import micrograd.nn

SIZES = (2, 16, 16, 1)
POINTS = 100
ALPHA = 1e-4
STEPS_PER_BLOCK = 3


class Neuron:
    """One scalar neuron: relu(Σ w_i x_i + b), or without relu in the output layer."""

    def __init__(self, weights, nonlin=True):
        self.w = [Value(w) for w in weights]
        self.b = Value(0.0)
        self.nonlin = nonlin

    def __call__(self, x):
        act = sum((wi * xi for wi, xi in zip(self.w, x)), self.b)
        return act.relu() if self.nonlin else act

    def parameters(self):
        return self.w + [self.b]


class Layer:
    def __init__(self, weights, nonlin):
        self.neurons = [Neuron(w, nonlin) for w in weights]

    def __call__(self, x):
        out = [n(x) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def parameters(self):
        return [p for n in self.neurons for p in n.parameters()]


class MLP:
    def __init__(self, weights):
        last = len(weights) - 1
        self.layers = [Layer(w, nonlin=i != last) for i, w in enumerate(weights)]

    def __call__(self, x):
        for layer in self.layers:
            x = layer(x)
        return x

    def parameters(self):
        return [p for layer in self.layers for p in layer.parameters()]


def initial_weights(seed=1337):
    """weights[layer][neuron][input], uniform in [-1, 1] as micrograd draws them."""
    rng = random.Random(seed)
    return [[[rng.uniform(-1, 1) for _ in range(n_in)] for _ in range(n_out)]
            for n_in, n_out in zip(SIZES, SIZES[1:])]


def micrograd_model(weights):
    """micrograd's own MLP, with our initial weights copied in."""
    model = micrograd.nn.MLP(SIZES[0], list(SIZES[1:]))
    for layer, layer_w in zip(model.layers, weights):
        for neuron, w in zip(layer.neurons, layer_w):
            for p, value in zip(neuron.w, w):
                p.data = value
            neuron.b.data = 0.0
    return model


def moons():
    X, y = tiny_grad.data.make_moons(POINTS, noise=0.1, seed=0)
    return X.tolist(), (2 * y - 1).tolist()  # labels -1 / +1, as plain Python numbers


def make_step(value_cls, model, X, y):
    """The demo's training step, written once for either engine's Value class."""
    params = model.parameters()
    k = [0]

    def loss():
        inputs = [[value_cls(a), value_cls(b)] for a, b in X]
        scores = [model(x) for x in inputs]
        losses = [(1 + -yi * si).relu() for yi, si in zip(y, scores)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = ALPHA * sum(p * p for p in params)
        return data_loss + reg_loss

    def step():
        total = loss()
        for p in params:
            p.grad = 0
        total.backward()
        learning_rate = 1.0 - 0.9 * k[0] / 100
        for p in params:
            p.data -= learning_rate * p.grad
        k[0] += 1
        return total.data

    return loss, step


def count_nodes(root, parents_of):
    """Nodes in the graph of `root` (iteratively: micrograd's graphs are deep)."""
    seen, stack = {id(root)}, [root]
    while stack:
        for parent in parents_of(stack.pop()):
            if id(parent) not in seen:
                seen.add(id(parent))
                stack.append(parent)
    return len(seen)


def main():
    rounds = ARGS.repeats or 3
    X, y = moons()
    weights = initial_weights()
    columns, nodes, first_loss = {}, {}, {}

    loss, step = make_step(Value, MLP(weights), X, y)
    root = loss()
    nodes["tiny_grad"] = len(topological_order([root]))
    first_loss["tiny_grad"] = root.data
    del root
    columns["tiny_grad"] = step

    if micrograd is not None:
        loss, step = make_step(micrograd.engine.Value, micrograd_model(weights), X, y)
        root = loss()
        nodes["micrograd"] = count_nodes(root, lambda v: v._prev)
        first_loss["micrograd"] = root.data
        del root
        columns["micrograd"] = step

    assert gc.isenabled()
    times = {name: [] for name in columns}
    for fn in columns.values():  # one warm-up step each
        fn()
    for _ in range(rounds):
        for name, fn in columns.items():
            gc.collect()  # untimed: each engine's block of steps starts from a clean heap...
            for _ in range(STEPS_PER_BLOCK):  # ...and then runs as the demo's loop does
                times[name].append(_common.timed(fn)[0])
    med = {name: _common.median(ts) for name, ts in times.items()}
    rows = [("graph nodes per step (tiny_grad)", f"{nodes['tiny_grad']:,}"),
            ("tiny_grad s/step", f"{med['tiny_grad']:.3f}")]
    notes = [f"median of {rounds} x {STEPS_PER_BLOCK} steps per engine, cycle collector on"]
    if micrograd is not None:
        agree = abs(first_loss["tiny_grad"] - first_loss["micrograd"]) <= 1e-12
        if not agree:
            raise SystemExit(f"W1: the engines disagree on the first loss: {first_loss}")
        rows += [("graph nodes per step (micrograd)", f"{nodes['micrograd']:,}"),
                 ("micrograd s/step", f"{med['micrograd']:.3f}"),
                 ("micrograd / tiny_grad", _common.ratio(med["micrograd"], med["tiny_grad"]))]
        notes.append(f"first loss {first_loss['tiny_grad']:.12f} in both engines")
    else:
        notes.append("micrograd is not installed (pip install micrograd==0.1.0): no column")
    _common.report("W1 micrograd demo step (MLP 2-16-16-1 on Values, 100 points)", rows, notes,
                   data={"median_s": med, "nodes": nodes, "steps": rounds * STEPS_PER_BLOCK})


if __name__ == "__main__":
    main()
