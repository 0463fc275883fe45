"""Every example in examples/ runs (in its --fast mode) and its claims hold.

Each example's main(argv) returns the numbers it talks about; these tests check them
against what the example says in words, and check that its figures were written.
"""

import importlib.util
import math
import os
import shutil
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import viz

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"

# The figures each example promises (also listed in examples/README.md; the docs use them).
FIGURES = {
    "01_gap_and_losses": ["gaps.png", "loss_curves.png", "loss_growth.png"],
    "02_dice_and_coins": ["one_die_average.png", "two_dice.png", "coins.png"],
    "03_natural_log": ["log_curve.png", "surprise.png"],
    "04_cross_entropy_by_hand": ["ce_values_graph.svg", "ce_tensor_graph.svg"],
    "05_softmax_and_logsumexp": ["naive_vs_stable.png", "naive_graph.svg",
                                 "logsumexp_graph.svg"],
    "06_learning_rate": ["learning_rates.png", "twenty_questions.png"],
    "07_learn_the_dice": ["learned_vs_exact.png", "training_loss.png"],
    "08_digits_classifier": ["digits_sample.png", "training_progress.png",
                             "confusion_matrix.png", "misclassified.png"],
    "09_seeing_gradients": ["value_graph.svg", "value_graph_by_grad.svg", "backward_order.svg",
                            "tensor_graph.svg", "tensor_graph_by_grad.svg"],
}


def _needs(program_found, what, hint):
    if not program_found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing on CI: scripts/bootstrap.sh should install it")
        pytest.skip(f"{what} is not installed ({hint})")


@pytest.fixture(scope="module", autouse=True)
def matplotlib_present():
    _needs(importlib.util.find_spec("matplotlib") is not None, "matplotlib",
           "pip install 'tiny_grad[examples]'")


@pytest.fixture
def graphviz_dot():
    _needs(shutil.which("dot") is not None, "Graphviz's `dot` program", "run scripts/bootstrap.sh")


def load_example(name):
    """examples/<name>.py as a module, loaded by its path (its name starts with a digit)."""
    sys.path.insert(0, str(EXAMPLES))            # for `from _common import ...`
    try:
        spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(EXAMPLES))
    return module


def run_example(name, out):
    """Run examples/<name>.py's main(["--fast", "--out", out]); check its figures exist."""
    result = load_example(name).main(["--fast", "--out", str(out)])
    for filename in FIGURES[name]:
        path = out / filename
        assert path.is_file() and path.stat().st_size > 0, f"{name} did not write {filename}"
        assert path in [Path(f) for f in result["figures"]]
    return result


def test_01_gap_and_losses(tmp_path):
    r = run_example("01_gap_and_losses", tmp_path)
    assert r["scalar_gap"] == pytest.approx(-4.5)
    gaps = r["vector_gaps"]
    assert r["mse"] == pytest.approx(np.mean(gaps ** 2))
    assert r["mae"] == pytest.approx(np.mean(np.abs(gaps)))
    # One large error: MSE reacts far more than MAE.
    assert r["mse_growth"] > 3 * r["mae_growth"] > 3
    # Probabilities: after a confident mistake, CE pulls hardest; MAE's pull does not change.
    before, after = r["prob_losses_before"], r["prob_losses_after"]
    pulls = {k: abs(v[1]) for k, v in after.items()}
    assert pulls["CE"] > 10 * pulls["MSE"] > 10 * 0.1
    assert after["MAE"][1] == pytest.approx(before["MAE"][1])
    assert after["CE"][1] == pytest.approx(-1 / (4 * 0.01))        # −1 / (N · p)
    assert after["CE"][0] > before["CE"][0]


def test_02_dice_and_coins(tmp_path):
    r = run_example("02_dice_and_coins", tmp_path)
    assert r["p4_fraction"] == Fraction(3, 36)
    assert r["p4_exact"] == pytest.approx(3 / 36)
    assert abs(r["p4_sampled"] - 3 / 36) < 0.01
    assert r["two_dice_largest_miss"] < 0.01
    exact = [(6 - abs(s - 7)) / 36 for s in range(2, 13)]
    np.testing.assert_allclose(r["two_dice_exact"], exact)
    assert abs(r["one_die_average"] - 3.5) < 0.05
    for n, coin in r["coins"].items():
        assert coin["patterns"] == 2 ** n
        np.testing.assert_allclose(coin["exact"], [math.comb(n, k) / 2 ** n for k in range(n + 1)])
        assert np.abs(coin["sampled"] - coin["exact"]).max() < 0.03
    assert r["coins"][20]["patterns"] == 1_048_576


def test_03_natural_log(tmp_path):
    r = run_example("03_natural_log", tmp_path)
    assert r["log_1_36"] == pytest.approx(math.log(1 / 36)) == pytest.approx(-3.5835, abs=1e-4)
    assert r["log_1"] == 0.0
    assert r["log0_value"] == -math.inf and r["log0_tensor"] == -math.inf
    assert np.all(np.isfinite(r["log_with_eps"]))
    assert r["log_eps"] == pytest.approx(math.log(1e-8))
    for p, slope in r["slopes"].items():
        assert slope == pytest.approx(1 / p)
    assert r["surprises"][36] == 0.0 and r["surprises"][1] == pytest.approx(math.log(36))


def test_04_cross_entropy_by_hand(tmp_path, graphviz_dot):
    r = run_example("04_cross_entropy_by_hand", tmp_path)
    assert r["value_ce"] == pytest.approx(r["value_ce_reference"], abs=1e-12)
    assert r["value_ce_is_minus_log_p"]
    np.testing.assert_allclose(r["value_grads"], r["value_p_minus_t"], atol=1e-12)
    assert r["tensor_ce_hand"] == pytest.approx(r["tensor_ce_library"], abs=1e-12)
    assert r["tensor_grads_match"]
    for name in ("ce_values_graph.svg", "ce_tensor_graph.svg"):
        assert "<svg" in (tmp_path / name).read_text(encoding="utf-8")


def test_05_softmax_and_logsumexp(tmp_path, graphviz_dot):
    r = run_example("05_softmax_and_logsumexp", tmp_path)
    # The naive path really breaks at logits of 1000 ...
    assert r["naive_has_nan"] and r["naive_tensor_has_nan"]
    assert np.isnan(r["naive_values"]).all()
    assert r["naive_low_is_minus_inf"]
    assert 700 < r["naive_breaks_at_scale"] < 720        # e^709.78 is the largest float
    # ... and the log-sum-exp path does not.
    assert r["stable_finite"]
    np.testing.assert_allclose(r["stable_values"], r["library_values"], atol=1e-12)
    expected = np.array([0.0, -1.0, -2.0]) - np.log(1 + np.exp(-1) + np.exp(-2))
    np.testing.assert_allclose(r["stable_values"], expected, atol=1e-12)
    p = np.exp(expected)
    np.testing.assert_allclose(r["stable_grads"], p - [1, 0, 0], atol=1e-12)
    assert abs(r["m_grad"]) < 1e-12
    assert r["stable_low"][1] == pytest.approx(-1000.0)
    assert r["small_scores_agree"]


def test_06_learning_rate(tmp_path):
    r = run_example("06_learning_rate", tmp_path)
    final, losses = r["final_loss"], r["losses"]
    # About right beats too small, and too large is the worst: it diverges.
    assert final["about right"] < final["too small"] < final["too large"]
    assert final["too large"] > 100 * losses["too large"][0]
    assert np.all(np.diff(losses["about right"]) <= 1e-12)            # never goes up
    # Twenty questions: lr = 1 answers the last exactly and the others worse.
    assert r["full_correction_last_gap"] < 1e-9
    assert r["full_correction_other_mean_gap"] > 2 * r["small_step_mean_gap"]
    assert r["full_correction_loss"] > 2 * r["small_step_loss"]
    assert r["small_step_gaps"][-1] > 0.01                           # no favourite question


def test_07_learn_the_dice(tmp_path):
    r = run_example("07_learn_the_dice", tmp_path)
    exact = np.arange(1, 7).tolist() + np.arange(5, 0, -1).tolist()
    exact = np.array(exact) / 36
    np.testing.assert_allclose(r["exact"], exact)
    assert r["learned"].sum() == pytest.approx(1.0)
    np.testing.assert_allclose(r["learned"], exact, atol=0.01)
    assert r["max_error"] < 0.01
    # The loss ends near the entropy of two dice, well below its start (log 11).
    assert abs(r["final_loss"] - r["entropy"]) < 0.01
    assert r["losses"][0] == pytest.approx(math.log(11))


def test_08_digits_classifier(tmp_path):
    r = run_example("08_digits_classifier", tmp_path)
    assert r["test_accuracy"] >= 0.97
    assert r["hand_ce"] == pytest.approx(r["library_ce"], abs=1e-12)
    history = r["history"]
    assert len(history["loss"]) == r["epochs"]
    assert history["loss"][-1] < history["loss"][0] / 5
    confusion = r["confusion"]
    assert confusion.sum() == 360
    assert np.trace(confusion) / confusion.sum() == pytest.approx(r["test_accuracy"])
    assert r["n_wrong"] == 360 - np.trace(confusion)


def test_09_seeing_gradients(tmp_path, graphviz_dot):
    r = run_example("09_seeing_gradients", tmp_path)
    assert r["w1_grad"] == pytest.approx(r["w1_grad_by_hand"])
    # The backward order is a valid reverse topological order: every node comes before the
    # nodes it was computed from, each node appears once, and the output comes first.
    order = r["order_labels"]
    assert len(order) == len(set(order)) == 13
    assert order[0] == "loss = gap²"
    position = {label: i for i, label in enumerate(order)}
    assert r["order_edges"]
    for child, parent in r["order_edges"]:
        assert position[child] < position[parent], (child, parent)
    assert r["order_is_reverse_topological"] and r["tensor_order_is_reverse_topological"]
    # It is the order the engine itself walks, when the engine says what that is.
    topological_order = getattr(getattr(tg, "autograd", None), "topological_order", None)
    if topological_order is not None:
        loss, _ = load_example("09_seeing_gradients").neuron()
        assert [n.label for n in reversed(topological_order([loss]))] == order
    svg = (tmp_path / "backward_order.svg").read_text(encoding="utf-8")
    assert "step 1: loss" in svg and "step 13:" in svg
    if hasattr(viz, "to_html"):
        assert len(r["pages"]) == 2
        for page in r["pages"]:
            assert Path(page).stat().st_size > 0


def test_an_example_runs_as_a_script_with_the_default_out(tmp_path):
    """`python examples/NN_name.py` from anywhere: _common is found, ./out/NN_name/ is made."""
    result = subprocess.run([sys.executable, str(EXAMPLES / "03_natural_log.py"), "--fast"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert result.returncode == 0, result.stderr
    assert "log(1/36) = -3.5835" in result.stdout
    for filename in FIGURES["03_natural_log"]:
        assert (tmp_path / "out" / "03_natural_log" / filename).stat().st_size > 0


def test_the_examples_readme_lists_every_figure():
    readme = (EXAMPLES / "README.md").read_text(encoding="utf-8")
    for name, files in FIGURES.items():
        assert f"{name}.py" in readme
        for filename in files:
            assert filename in readme, (name, filename)
