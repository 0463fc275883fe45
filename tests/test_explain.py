"""Tests for tiny_grad.explain: one chain-rule line per edge, in backward's order, whose
numbers multiply out, and add up to the gradients the engine stored."""

import math
import re
from collections import defaultdict

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, Value, nn
from tiny_grad import functional as F
from tiny_grad.autograd import topological_order
from tiny_grad.explain import backward_steps, explain
from networks import two_layer_network

# dL/da = dL/d(a*b) · d(a*b)/da = 0.786448 · (-3) = -2.35934   (or += for a second path)
CHAIN = re.compile(
    r"^d(?P<root>\w+|\(.+?\))/d(?P<target>\w+|\(.+\)) (?P<eq>\+?=) "
    r"d(?P=root)/d(?P<source>\w+|\(.+\)) · d(?P=source)/d(?P=target) "
    r"= (?P<g>\S+) · (?P<local>\S+) = (?P<result>\S+)$"
)


def number(text):
    """A number as explain writes it: 0.5, (-3), -1.5, 1e-09."""
    return float(text.strip("()"))


def chain_lines(text):
    """The chain-rule lines of explain's text, parsed."""
    return [m.groupdict() for m in map(CHAIN.match, text.splitlines()) if m]


def name_of(d):
    """'a' from 'a', 'a*b + c' from '(a*b + c)': the name inside d(...)."""
    return d[1:-1] if d.startswith("(") else d


def tanh_example():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(6.5, label="c")
    L = (a * b + c).tanh()
    L.label = "L"
    L.backward(retain_graph=True)
    return L, a, b, c


def check_lines_add_up(text, root):
    """Every line's numbers multiply out, and the lines into each node sum to its .grad."""
    lines = chain_lines(text)
    sums = defaultdict(float)
    for line in lines:
        assert number(line["g"]) * number(line["local"]) == pytest.approx(number(line["result"]),
                                                                          rel=1e-5, abs=1e-9)
        sums[name_of(line["target"])] += number(line["result"])
    named = {node.label: node for node in topological_order([root]) if node.label}
    for name, total in sums.items():
        if name in named:
            assert total == pytest.approx(named[name].grad, rel=1e-5, abs=1e-9), name
    return lines


# ---- the example in the task: L = tanh(a*b + c) ---------------------------------------------

def test_one_line_per_edge_in_backward_order():
    L, a, b, c = tanh_example()
    text = explain(L)
    lines = chain_lines(text)
    order = topological_order([L])
    edges = [(node, parent) for node in reversed(order) for parent in node.parents]
    assert len(lines) == len(edges) == 5
    expected_pairs = [("L", "a*b + c"), ("a*b + c", "a*b"), ("a*b + c", "c"),
                      ("a*b", "a"), ("a*b", "b")]
    assert [(name_of(x["source"]), name_of(x["target"])) for x in lines] == expected_pairs
    # and nothing else is a chain-rule line: the other lines are the heading and the start
    others = [line for line in text.splitlines() if not CHAIN.match(line)]
    assert others == ["Backward from L, one line per edge, in the order backward visits them:",
                      "dL/dL = 1   (the start)"]


def test_numbers_multiply_out_to_the_gradients():
    L, a, b, c = tanh_example()
    text = explain(L)
    lines = check_lines_add_up(text, L)
    by_target = {name_of(x["target"]): number(x["result"]) for x in lines}
    for node in (a, b, c):
        assert by_target[node.label] == pytest.approx(node.grad, rel=1e-5)
    # worked out by hand: tanh'(0.5) = 1 - tanh(0.5)^2, then * b for a, * a for b
    slope = 1 - math.tanh(0.5) ** 2
    assert "dL/da = dL/d(a*b) · d(a*b)/da = 0.786448 · (-3) = -2.35934" in text
    assert a.grad == pytest.approx(slope * -3.0)


def test_exact_text_of_the_example():
    L, *_ = tanh_example()
    assert explain(L) == "\n".join([
        "Backward from L, one line per edge, in the order backward visits them:",
        "dL/dL = 1   (the start)",
        "dL/d(a*b + c) = dL/dL · dL/d(a*b + c) = 1 · 0.786448 = 0.786448",
        "dL/d(a*b) = dL/d(a*b + c) · d(a*b + c)/d(a*b) = 0.786448 · 1 = 0.786448",
        "dL/dc = dL/d(a*b + c) · d(a*b + c)/dc = 0.786448 · 1 = 0.786448",
        "dL/da = dL/d(a*b) · d(a*b)/da = 0.786448 · (-3) = -2.35934",
        "dL/db = dL/d(a*b) · d(a*b)/db = 0.786448 · 2 = 1.5729",
    ])


def test_show_prints_and_returns_the_same_text(capsys):
    L, *_ = tanh_example()
    text = explain(L, show=True)
    assert capsys.readouterr().out == text + "\n"
    assert explain(L) == text  # and nothing is printed without show=True
    assert capsys.readouterr().out == ""


def test_explain_changes_no_grad_and_can_run_again():
    L, a, b, c = tanh_example()
    before = [n.grad for n in topological_order([L])]
    first = explain(L)
    assert explain(L) == first
    assert [n.grad for n in topological_order([L])] == before  # leaves did not accumulate
    L.backward()  # the graph still works for the backward it was kept for
    assert a.grad == pytest.approx(2 * before[0])


def test_before_any_backward_it_runs_its_own_pass():
    a, b = Value(3.0, label="a"), Value(4.0, label="b")
    L = a * b
    L.label = "L"
    text = explain(L)
    assert "dL/da = dL/dL · dL/da = 1 · 4 = 4" in text
    assert a.grad == 0.0 and L.grad == 0.0  # still no gradients stored


def test_after_a_plain_backward_it_says_what_to_do():
    a = Value(2.0, label="a")
    L = (a * a).tanh()
    L.backward()
    with pytest.raises(RuntimeError, match=r"retain_graph=True"):
        explain(L)


# ---- an input used twice: one line per use, and their sum --------------------------------------

def test_a_plus_a_gives_two_lines_and_their_sum():
    a = Value(3.0, label="a")
    y = a + a
    y.label = "y"
    y.backward(retain_graph=True)
    text = explain(y)
    lines = chain_lines(text)
    assert len(lines) == 2
    assert all(line["eq"] == "+=" and name_of(line["target"]) == "a" for line in lines)
    assert "dy/da = 1 + 1 = 2   (the sum over its 2 paths)" in text
    check_lines_add_up(text, y)


def test_lines_into_a_node_sum_to_its_gradient_on_a_bigger_graph():
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    h = (x * w).tanh()
    h.label = "h"
    L = (h * h + h * x - w / 3) ** 2 + (-x).exp()
    L.label = "L"
    L.backward(retain_graph=True)
    text = explain(L)
    lines = check_lines_add_up(text, L)
    assert len(lines) == sum(len(n.parents) for n in topological_order([L]))
    for node in (x, w, h):
        into = [number(x["result"]) for x in lines if name_of(x["target"]) == node.label]
        assert sum(into) == pytest.approx(node.grad, rel=1e-5)
    assert "(the sum over its 3 paths)" in text  # x: through x*w, h*x and -x


def test_lines_follow_backwards_visiting_order():
    """The order of the lines is the engine's: reversed topological order, inputs in order."""
    x, w = Value(0.5, label="x"), Value(-1.5, label="w")
    L = ((x * w).tanh() * x + w)
    L.backward(retain_graph=True)
    steps = backward_steps(L)
    order = topological_order([L])
    assert [s.node for s in steps] == list(reversed(order))
    assert [s.index for s in steps] == list(reversed(range(len(order))))
    for step in steps:
        assert step.grad.data == pytest.approx(step.node.grad)


def test_constants_and_unnamed_nodes_get_readable_names():
    a = Value(2.0, label="a")
    L = (a * 3 - 1) ** 2
    L.backward(retain_graph=True)
    text = explain(L)
    assert text.startswith("Backward from L,")  # an unnamed output is called L
    assert "dL/d(a*3 - 1) = dL/dL · dL/d(a*3 - 1) = 1 · 10 = 10" in text
    assert "dL/da = dL/d(a*3) · d(a*3)/da = 10 · 3 = 30" in text
    assert "dL/d(3) = dL/d(a*3) · d(a*3)/d(3) = 10 · 2 = 20" in text
    check_lines_add_up(text, L)


def test_long_expressions_become_node_numbers():
    a = Value(0.3, label="a")
    y = a
    for _ in range(6):
        y = (y * a).tanh()
    y.backward(retain_graph=True)
    text = explain(y)
    assert "nodes without a label, numbered as in topological_order" in text
    assert max(len(line) for line in text.splitlines()) < 200
    assert len(chain_lines(text)) == 6 * (2 + 1)  # each round: '*' (two inputs), 'tanh' (one)


def test_a_long_chain_needs_no_recursion():
    x = Value(0.1, label="x")
    y = x
    for _ in range(5000):
        y = y * 1.0
    y.backward(retain_graph=True)
    lines = chain_lines(explain(y))
    assert len(lines) == 2 * 5000


# ---- Tensor graphs: shapes and summaries, not whole arrays ---------------------------------

SUMMARY = re.compile(r"mean (\S+), max abs (\S+)$")


def test_tensor_lines_show_shapes_and_summaries():
    loss, params = two_layer_network()
    text = explain(loss, params=params)
    lines = [line for line in text.splitlines() if " · " in line]
    order = topological_order([loss])
    flowing = [(n, p) for n in reversed(order) for p in n.parents if p.requires_grad]
    assert len(lines) == len(flowing)  # one line per edge a gradient flows along
    assert "[[" not in text and "\n " not in text  # no arrays printed row by row
    assert max(len(line) for line in text.splitlines()) < 200
    assert "('linear': (5, 4) → (4, 3))" in text  # the op and the shapes it maps between
    # the last line about each parameter summarises exactly its gradient
    for name, p in params.items():
        last = [line for line in lines if line.startswith(f"dloss/d({name}) =")][-1]
        g = p.grad.data
        if g.size > 4:
            mean, largest = map(float, SUMMARY.search(last).groups())
            assert mean == pytest.approx(g.mean(), rel=1e-4, abs=1e-12)
            assert largest == pytest.approx(np.abs(g).max(), rel=1e-4)
        else:
            values = [float(v) for v in re.findall(r"-?[\d.]+(?:e-?\d+)?", last.split(" = ")[-1])]
            np.testing.assert_allclose(values, g.ravel(), rtol=1e-4, atol=1e-12)


def test_tensor_steps_match_the_stored_gradients():
    loss, params = two_layer_network()
    steps = backward_steps(loss, params=params)
    for step in steps:
        np.testing.assert_allclose(step.grad.data, step.node.grad.data)
    bias = [s for s in steps if s.node is params["2.bias"]][0]
    assert bias.gradient.startswith("dloss/d(2.bias) = (2,) [")


def test_tensor_needing_a_gradient_says_so():
    x = Tensor([1.0, 2.0], requires_grad=True, label="x")
    y = x * 3
    with pytest.raises(RuntimeError, match="gradient must be given"):
        explain(y)
    text = explain(y, gradient=[1.0, 1.0])
    assert "dL/dx = dL/dL · dL/dx   ('*': (2,) → (2,)) = [3, 3]" in text


def test_tg_explain_when_exported_is_this_function():
    # tiny_grad/__init__.py exports it with `from .explain import explain`; until then
    # tg.explain is the module of that name
    exported = getattr(tg, "explain")
    assert exported is explain or exported.explain is explain


# ---- the command line: python -m tiny_grad explain ----------------------------------------

def run_cli(*args, cwd):
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), env.get("PYTHONPATH")]))
    return subprocess.run([sys.executable, "-m", "tiny_grad", "explain", *args], cwd=cwd,
                          env=env, capture_output=True, text=True, timeout=120)


def test_cli_explain_prints_the_example(tmp_path):
    result = run_cli(cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    L, *_ = tanh_example()  # the same example: a = 2, b = -3, c = 6.5
    assert result.stdout == explain(L) + "\n"
    assert list(tmp_path.iterdir()) == []  # and writes nothing


def test_cli_explain_writes_the_page(tmp_path):
    import shutil

    if shutil.which("dot") is None:
        pytest.skip("Graphviz's `dot` program is not installed")
    page = tmp_path / "out" / "backward.html"
    result = run_cli("--html", str(page), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert page.is_file() and "<svg" in page.read_text(encoding="utf-8")
    assert str(page) in result.stdout


def test_cli_explain_help(tmp_path):
    result = run_cli("--help", cwd=tmp_path)
    assert result.returncode == 0 and "--html" in result.stdout


def test_unlabelled_nodes_are_named_by_their_expression_with_the_parentheses_it_needs():
    a, b, c = Value(2.0, label="a"), Value(3.0, label="b"), Value(5.0, label="c")
    L = (a - (b - c)) * 2.0 + (a ** b) ** 2.0
    L.label = "L"
    L.backward(retain_graph=True)
    text = explain(L)
    assert "dL/d(b - c) = dL/d(a - (b - c)) · d(a - (b - c))/d(b - c) = 2 · (-1) = -2" in text
    assert "dL/d(a**b) = dL/d((a**b)**2) · d((a**b)**2)/d(a**b) = 1 · 16 = 16" in text
    assert "dL/da = 192 + 2 = 194   (the sum over its 2 paths)" in text


# ---- the header line that lists the numbered nodes ------------------------------------------

def product_of_twos(k):
    """2 * 2 * ... (k + 1 unlabelled 2s): every 2 but the first is n<i> (its name is taken)."""
    xs = [Value(2.0) for _ in range(k + 1)]
    L = xs[0]
    for x in xs[1:]:
        L = L * x
    return L


def test_header_lists_three_numbered_nodes_without_dots():
    assert explain(product_of_twos(3)).splitlines()[1] == (
        "(n1, n3, n5: nodes without a label, numbered as in topological_order; "
        "give them a .label to name them)")


def test_header_lists_the_first_three_numbered_nodes_then_dots():
    assert explain(product_of_twos(5)).splitlines()[1] == (
        "(n1, n3, n5, ...: nodes without a label, numbered as in topological_order; "
        "give them a .label to name them)")


def test_header_names_a_numbered_data_node_that_only_appears_inside_other_names():
    c = Tensor([1.0, 2.0])  # data, no label: no line of its own, but inside `n0*w`
    w = Tensor([3.0, -1.0], requires_grad=True, label="w")
    text = explain((c * w).sum())
    assert "d(n0*w)" in text and text.splitlines()[1].startswith("(n0: nodes without a label")


def test_header_leaves_out_a_label_that_only_looks_like_a_number():
    x = Value(3.0, label="n7")  # a neuron a learner called n7: labelled, not numbered
    w = Value(2.0, label="w")
    L = (x * w).tanh()
    L.backward(retain_graph=True)
    assert "nodes without a label" not in explain(L)
