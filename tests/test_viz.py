"""Tests for tiny_grad.viz: what the drawing says, that it is deterministic, and saving it."""

import os
import pathlib
import shutil
import subprocess
import sys

import numpy as np
import pytest

from tiny_grad import Tensor, Value
from tiny_grad import viz
from tiny_grad.explain import explain
from tiny_grad.viz import GraphvizNotFoundError, draw_graph, save_graph

REPO = pathlib.Path(__file__).resolve().parents[1]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def example():
    """L = tanh(a*b + c) after backward, and the nodes it was computed from."""
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = Value(10.0, label="c")
    ab = a * b
    s = ab + c
    L = s.tanh()
    L.label = "L"
    L.backward()
    return L, [a, b, c, ab, s, L]


def require_dot():
    """Skip when Graphviz's `dot` is missing, except on CI, where it must be installed."""
    if shutil.which("dot") is None:
        message = "Graphviz's `dot` program is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + " (on CI it must be)")
        pytest.skip(message)


# ---- what the DOT source says -------------------------------------------------------------

def test_source_shows_labels_values_gradients_and_ops():
    L, nodes = example()
    source = draw_graph(L).source
    for node in nodes:
        if node.label:
            assert f'label="{node.label} | ' in source
        assert f"data {node.data:.4f}" in source
        assert f"grad {node.grad:.4f}" in source
    for op in ("*", "+", "tanh"):
        assert f'label="{op}"' in source or f"label={op} " in source


def test_edges_go_parent_to_op_to_node():
    L, _ = example()
    source = draw_graph(L).source
    # three ops; * and + have two inputs, tanh one; each op has one arrow out
    assert source.count("->") == (2 + 1) + (2 + 1) + (1 + 1)
    # topological order: a, b, a*b, c, a*b+c, L
    for edge in ("n0 -> n2_op", "n1 -> n2_op", "n2_op -> n2", "n2 -> n4_op", "n3 -> n4_op",
                 "n4_op -> n4", "n4 -> n5_op", "n5_op -> n5"):
        assert edge in source


def test_same_graph_gives_identical_source():
    L1, _ = example()
    L2, _ = example()
    assert draw_graph(L1).source == draw_graph(L1).source
    assert draw_graph(L1).source == draw_graph(L2).source


def test_repeated_parent_draws_two_edges():
    a = Value(3.0, label="a")
    y = a + a
    y.backward()
    source = draw_graph(y).source
    assert source.count("n0 -> n1_op") == 2
    assert f"grad {a.grad:.4f}" in source  # 2.0000: one 1 along each edge


def test_colours_tell_leaves_inner_nodes_and_output_apart():
    L, _ = example()
    source = draw_graph(L).source
    fill = {kind: colour for kind, (colour, _) in viz._KINDS.items()}
    assert source.count(f'fillcolor="{fill["parameter"]}"') == 3  # a, b, c
    assert source.count(f'fillcolor="{fill["inner"]}"') == 2
    assert source.count(f'fillcolor="{fill["output"]}"') == 1
    assert source.count(f'fillcolor="{fill["op"]}"') == 3


def test_max_nodes_guard():
    L, _ = example()
    with pytest.raises(ValueError, match=r"6 nodes.*max_nodes"):
        draw_graph(L, max_nodes=5)
    draw_graph(L, max_nodes=6)


def test_bad_rankdir_is_refused():
    L, _ = example()
    with pytest.raises(ValueError, match="rankdir"):
        draw_graph(L, rankdir="sideways")
    assert "rankdir=TB" in draw_graph(L, rankdir="TB").source


def test_tiny_and_huge_numbers_use_e_notation():
    x = Value(1e-9, label="x")
    y = x * 1e7
    assert "data 1.0000e-09" in draw_graph(y).source
    assert "data 0.0100" in draw_graph(y).source
    assert "data 1.23e+08" in draw_graph(Value(123456789.0), precision=2).source


def test_record_characters_in_labels_are_escaped():
    x = Value(1.0, label='w{1}|<in>"')
    source = draw_graph(x).source
    assert r'w\{1\}\|\<in\>\"' in source


def test_tensor_nodes_show_shape_dtype_and_values_or_summary():
    w = Tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True, label="w")
    x = Tensor(np.zeros(3, dtype=np.float32), label="x")
    big = Tensor(np.arange(10.0), requires_grad=True)
    (w.sum() * 0.5).backward()
    (-big * big / 2).sum().backward()
    assert viz.format_node(w) == [
        "w", "shape (2, 2) float64",
        "data [[1.0000, 2.0000], [3.0000, 4.0000]]",
        "grad [[0.5000, 0.5000], [0.5000, 0.5000]]",
    ]
    assert viz.format_node(x) == ["x", "shape (3,) float32", "data [0.0000, 0.0000, 0.0000]",
                                  "grad None"]
    assert viz.format_node(big, precision=2) == [
        "shape (10,) float64", "data mean 4.50, max abs 9.00", "grad mean -4.50, max abs 9.00",
    ]


def two_layer_loss():
    """A two-layer network's loss on a small batch, with parameter names."""
    x = Tensor.randn(4, 3, seed=0, label="x")
    w1 = Tensor.randn(3, 5, seed=1, requires_grad=True)
    b1 = Tensor.zeros(5, requires_grad=True)
    w2 = Tensor.randn(5, 2, seed=2, requires_grad=True)
    h = (x @ w1 + b1).relu()
    loss = ((h @ w2) ** 2).mean()
    loss.label = "loss"
    loss.backward()
    return loss, {"layer1.weight": w1, "layer1.bias": b1, "layer2.weight": w2}


def test_tensor_graph_shows_parameter_names_shapes_and_kinds():
    loss, params = two_layer_loss()
    source = draw_graph(loss, params=params).source
    for name, p in params.items():
        assert name in source
        assert f"shape {p.shape} float64" in source
    fill = {kind: colour for kind, (colour, _) in viz._KINDS.items()}
    assert source.count(f'fillcolor="{fill["parameter"]}"') == 3  # w1, b1, w2
    assert source.count(f'fillcolor="{fill["data"]}"') >= 1  # x, and the constant 2 of ** 2
    assert "leaf with no gradient" in source and "leaf that gets a gradient" in source
    for op in ("@", "relu", "**2", "mean"):
        assert f'label="{op}"' in source or f"label={op} " in source


def test_color_by_grad_shades_by_gradient_size_with_a_legend():
    a = Value(1.0, label="a")
    b = Value(1.0, label="b")
    L = a * 1.0 + b * 100.0  # dL/da = 1, dL/db = 100
    L.backward()
    source = draw_graph(L, color_by_grad=True).source
    assert "mean |grad|" in source
    darkest, lightest = viz._GRAD_SCALE[-1], viz._GRAD_SCALE[0]
    lines = source.splitlines()
    line_of = {label: next(l for l in lines if f"{label} |" in l) for label in ("a", "b")}
    assert f'fillcolor="{darkest}"' in line_of["b"]
    assert f'fillcolor="{lightest}"' in line_of["a"]
    assert ">0.00 to 20.00</td>" in source and ">80.00 and more</td>" in source  # (ends at b's)


def test_color_by_grad_legend_leaves_its_last_range_open_for_the_output():
    a = Value(0.5, label="a")
    L = a * 0.25  # the largest |grad| below L is the 0.25's, 0.5; L's own 1 takes the top colour too
    L.backward()
    source = draw_graph(L, color_by_grad=True).source
    assert ">0.40 and more</td>" in source and "0.40 to 0.50" not in source
    (line,) = [line for line in source.splitlines() if "grad 1.0000" in line]
    assert f'fillcolor="{viz._GRAD_SCALE[-1]}"' in line


# ---- saving -------------------------------------------------------------------------------

def test_render_svg_and_png(tmp_path):
    require_dot()
    L, _ = example()
    dot = draw_graph(L)
    svg = save_graph(dot, tmp_path / "graph.svg")
    png = save_graph(dot, tmp_path / "graph.png")
    assert pathlib.Path(svg) == tmp_path / "graph.svg"
    head = pathlib.Path(svg).read_bytes()[:200].lstrip()
    assert head.startswith(b"<?xml") or head.startswith(b"<svg")
    assert pathlib.Path(png).read_bytes().startswith(PNG_MAGIC)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["graph.png", "graph.svg"]  # nothing stray


def test_format_argument_and_dot_source(tmp_path):
    L, _ = example()
    dot = draw_graph(L)
    out = save_graph(dot, tmp_path / "graph.gv")  # DOT source: needs no Graphviz program
    assert pathlib.Path(out).read_text(encoding="utf-8") == dot.source
    with pytest.raises(ValueError, match="format"):
        save_graph(dot, tmp_path / "graph")  # no suffix, no format
    require_dot()
    out = save_graph(dot, tmp_path / "picture", format="png")
    assert pathlib.Path(out).read_bytes().startswith(PNG_MAGIC)


def check_missing_dot_error(excinfo, target):
    """The error names the saved .dot file and how to install Graphviz; the file is there."""
    source_path = target.with_suffix(".dot")
    message = str(excinfo.value)
    assert "apt-get install graphviz" in message
    assert "brew install graphviz" in message
    assert "conda install -c conda-forge graphviz" in message
    assert str(source_path) in message
    assert excinfo.value.__cause__ is None and excinfo.value.__suppress_context__
    assert "digraph" in source_path.read_text(encoding="utf-8")
    assert not target.exists()
    assert [p.name for p in source_path.parent.iterdir()] == [source_path.name]


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """PATH is an empty folder, so Graphviz's `dot` cannot be found; returns an empty output folder."""
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    return out_dir


def test_missing_dot_saves_source_and_says_how_to_install(no_dot):
    target = no_dot / "graph.svg"
    L, _ = example()
    with pytest.raises(GraphvizNotFoundError) as excinfo:
        save_graph(draw_graph(L), target)
    check_missing_dot_error(excinfo, target)
    assert isinstance(excinfo.value, RuntimeError)


def test_dot_vanishing_after_the_check_gives_the_same_error(no_dot, monkeypatch):
    # shutil.which says yes, but running `dot` fails: graphviz raises ExecutableNotFound.
    monkeypatch.setattr(viz.shutil, "which", lambda name: "/usr/bin/" + name)
    target = no_dot / "graph.png"
    L, _ = example()
    with pytest.raises(GraphvizNotFoundError) as excinfo:
        save_graph(draw_graph(L), target)
    check_missing_dot_error(excinfo, target)


def test_importing_tiny_grad_does_not_import_graphviz():
    code = "import sys, tiny_grad; assert 'graphviz' not in sys.modules, 'graphviz was imported'"
    pythonpath = os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")])
    env = dict(os.environ, PYTHONPATH=pythonpath)
    result = subprocess.run([sys.executable, "-c", code], cwd=REPO, env=env,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_the_committed_two_layer_figure_can_be_drawn_again(tmp_path):
    require_dot()
    script = pathlib.Path(__file__).parent.parent / "docs" / "figures" / "two_layer_loss.py"
    done = subprocess.run([sys.executable, str(script), str(tmp_path / "loss.svg")],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    svg = (tmp_path / "loss.svg").read_text(encoding="utf-8")
    committed = script.with_suffix(".svg").read_text(encoding="utf-8")
    for text in ("0.weight", "0.bias", "2.weight", "2.bias", "loss", "shape (5, 3) float64"):
        assert text in svg and text in committed


def test_negative_zero_is_drawn_as_zero():
    x = Value(-0.0, label="z")
    assert "data 0.0000" in draw_graph(x).source and "-0.0000" not in draw_graph(x).source


@pytest.mark.parametrize("not_a_node", [3.0, [1, 2], None])
def test_drawing_or_explaining_something_that_is_not_a_node_is_a_clear_typeerror(not_a_node):
    for show in (draw_graph, explain):
        with pytest.raises(TypeError, match="a graph starts at a Value or a Tensor, not at a"):
            show(not_a_node)


def test_the_drawing_escapes_labels_marks_the_output_and_has_a_legend():
    a = Value(1.0, label="a\\b {x}")  # a backslash and braces, which DOT records treat specially
    L = a * 2.0
    L.label = "L"
    L.backward()
    source = draw_graph(L).source
    assert "a\\\\b \\{x\\}" in source
    assert 'style="filled,bold"' in source  # the output's box
    assert "operation" in source  # the legend names the op nodes


def test_drawing_calls_that_mix_up_their_arguments_say_what_they_take(tmp_path):
    a = Value(2.0, label="a")
    L = a * a
    L.backward(retain_graph=True)
    with pytest.raises(TypeError, match=r"save_graph\(draw_graph\(L\), path\)"):
        viz.save_graph(L, tmp_path / "g.svg")  # the root, not its drawing
    assert not (tmp_path / "g.svg").exists()
    from tiny_grad.explain import explain
    for call in (lambda: draw_graph(L, params=[a]), lambda: explain(L, params=[a]),
                 lambda: viz.to_html(L, tmp_path / "p.html", params=[a])):
        with pytest.raises(TypeError, match=r"params is a dict \{name: node\}.*not a list"):
            call()


def test_an_empty_tensor_in_a_coloured_drawing_gets_no_colour_and_no_warning(tmp_path):
    import warnings
    x = Tensor(np.ones((0, 3)), requires_grad=True)  # no elements: a mean |grad| of nothing
    w = Tensor(np.ones(3), requires_grad=True, label="w")
    y = (x * w).sum() + (w * w).sum()
    y.backward(retain_graph=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ("Mean of empty slice")
        source = draw_graph(y, color_by_grad=True).source
        viz.to_html(y, tmp_path / "page.html")
    lines = [line for line in source.splitlines() if "shape (0, 3)" in line]  # x and x * w
    assert len(lines) == 2 and all("fillcolor=white" in line for line in lines)
