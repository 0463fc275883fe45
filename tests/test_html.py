"""Tests for viz.to_html: the page that steps through backward.

The first tests read the file. The rest open it in a real browser, headless Chromium
driven by Selenium, click Step until the end, and check that the page shows the
engine's gradients in the engine's order, with no console error. They need Debian's
`chromium` and `chromium-driver` (`bash scripts/bootstrap.sh tests` installs them):
without them these tests skip, except under CI=true, where they fail.

Each browser test saves a screenshot to its tmp_path, and also to $TINY_GRAD_ARTIFACTS
when that is set. docs/figures/backward_stepper.png is the two-layer network's one:

    TINY_GRAD_ARTIFACTS=docs/figures python -m pytest -q tests/test_html.py -k network
"""

import json
import os
import re
import shutil

import numpy as np
import pytest

import tiny_grad as tg
from tiny_grad import Tensor, Value, nn, viz
from tiny_grad import functional as F
from tiny_grad.autograd import topological_order
from tiny_grad.explain import backward_steps
from networks import two_layer_network

ON_CI = os.environ.get("CI") == "true"


def require(condition, message):
    """Skip when something the test needs is missing, except on CI, where it must be there."""
    if not condition:
        if ON_CI:
            pytest.fail(message + " (on CI it must be: scripts/bootstrap.sh tests installs it)")
        pytest.skip(message)


@pytest.fixture
def dot():
    require(shutil.which("dot"), "Graphviz's `dot` program is not installed")


# ---- graphs ---------------------------------------------------------------------------------

def tanh_example():
    a, b, c = Value(2.0, label="a"), Value(-3.0, label="b"), Value(6.5, label="c")
    L = (a * b + c).tanh()
    L.label = "L"
    L.backward(retain_graph=True)
    return L


def deep_network(nodes=200):
    """An MLP's loss whose graph has between nodes - 20 and `nodes` nodes: layers are added
    while the graph still fits (how many nodes a layer adds is the engine's business)."""
    def build(depth):
        tg.manual_seed(0)
        layers = [nn.Linear(6, 6)]
        for _ in range(depth):
            layers += [nn.Tanh(), nn.Linear(6, 6)]
        model = nn.Sequential(*layers)
        x = Tensor.randn(8, 6, seed=1, label="x")
        return F.cross_entropy(model(x), [0, 1, 2, 3, 4, 5, 0, 1]), model

    depth = 0
    while len(topological_order([build(depth + 1)[0]])) <= nodes:
        depth += 1
    loss, model = build(depth)
    loss.backward(retain_graph=True)
    return loss, dict(model.named_parameters())


def page_data(path):
    """The data the page's script works from (what Python worked out)."""
    text = path.read_text(encoding="utf-8")
    return json.loads(re.search(r"const DATA = (\{.*?\});\n", text).group(1))


def backward_order(root):
    """(index in topological order, node) of every node backward visits, in its order."""
    order = topological_order([root])
    return [(i, n) for i, n in reversed(list(enumerate(order))) if n.grad is not None]


# ---- the file itself ----------------------------------------------------------------------

def test_page_is_one_self_contained_file(dot, tmp_path):
    path = tmp_path / "L.html"
    assert viz.to_html(tanh_example(), path) == str(path)
    text = path.read_text(encoding="utf-8")
    assert text.startswith("<!DOCTYPE html>")
    assert text.count("<svg") == 1 and text.count("<script>") == 1
    assert "<script src" not in text and "<link rel=\"stylesheet\"" not in text
    # no address anywhere but the SVG's XML namespaces: nothing can be fetched
    addresses = set(re.findall(r"https?://[^\s\"'<>)]+", text))
    assert addresses <= {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert "@import" not in text and "url(" not in text


def test_page_data_follows_the_engine(dot, tmp_path):
    L = tanh_example()
    path = tmp_path / "L.html"
    viz.to_html(L, path)
    data = page_data(path)
    expected = backward_order(L)
    assert [s["node"] for s in data["steps"]] == [i for i, _ in expected]
    for (i, node), step in zip(expected, data["steps"]):
        shown = data["nodes"][i]["gradient"]
        assert float(shown.split(" = ")[-1]) == pytest.approx(node.grad, rel=1e-5)
    assert data["steps"][0]["lines"] == ["dL/dL = 1   (the start)",
                                         "dL/d(a*b + c) = dL/dL · dL/d(a*b + c) = 1 · 0.786448 = 0.786448"]


@pytest.mark.parametrize("kind", ["value", "tensor"])
def test_page_of_200_nodes_is_under_1_mb(dot, tmp_path, kind):
    if kind == "value":
        xs = [Value(i / 10, label=f"x{i}") for i in range(50)]
        root = xs[0]
        for x in xs[1:]:
            root = (root * x).tanh() + x
        root.backward(retain_graph=True)
        params = None
    else:
        root, params = deep_network(200)
    n = len(topological_order([root]))
    assert 180 <= n <= 200, n
    path = tmp_path / "big.html"
    viz.to_html(root, path, params=params)
    assert path.stat().st_size < 1_000_000


def test_a_graph_before_backward_gets_its_gradients_from_the_page_s_own_pass(dot, tmp_path):
    loss, params = two_layer_network()
    fresh, fresh_params = two_layer_network(backward=False)
    path = tmp_path / "fresh.html"
    viz.to_html(fresh, path, params=fresh_params)
    assert all(p.grad is None for p in fresh_params.values())  # .grad left alone
    data = page_data(path)
    expected = backward_order(loss)  # the same network after a real backward
    assert [s["node"] for s in data["steps"]] == [i for i, _ in expected]
    shown = [data["nodes"][i]["gradient"] for i, _ in expected]
    assert shown == [step.gradient for step in backward_steps(loss, params=params)]


def test_after_a_plain_backward_the_page_shows_the_stored_gradients(dot, tmp_path):
    a = Value(2.0, label="a")
    L = (a * a).tanh()
    L.backward()  # frees the VJPs: no chain-rule lines, but the gradients are there
    path = tmp_path / "L.html"
    viz.to_html(L, path)
    data = page_data(path)
    assert len(data["steps"]) == 3
    assert "retain_graph=True" in data["steps"][0]["lines"][0]


def test_too_big_a_graph_is_refused(tmp_path):
    x = Value(1.0)
    for _ in range(20):
        x = x * 2
    with pytest.raises(ValueError, match="max_nodes"):
        viz.to_html(x, tmp_path / "x.html", max_nodes=10)


def test_without_dot_it_says_how_to_install_graphviz(tmp_path, monkeypatch):
    monkeypatch.setattr(viz.shutil, "which", lambda name: None)
    path = tmp_path / "L.html"
    with pytest.raises(viz.GraphvizNotFoundError, match="apt-get install graphviz"):
        viz.to_html(tanh_example(), path)
    assert (tmp_path / "L.dot").is_file() and not path.exists()


# ---- in a real browser --------------------------------------------------------------------

CHROME_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
    # without these Chromium phones home at start, and a closed network refuses it
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--no-first-run", "--window-size=1440,1000",
]


@pytest.fixture
def browser(tmp_path):
    """Headless Chromium, with the console logged, in a fresh profile."""
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    driver_path = shutil.which("chromedriver")
    require(chromium and driver_path, "Chromium and chromedriver are not installed "
            "(apt-get install chromium chromium-driver)")
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        require(False, "the selenium package is not installed (pip install selenium)")
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for flag in CHROME_FLAGS + [f"--user-data-dir={tmp_path / 'chromium-profile'}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(driver_path), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def save_screenshot(driver, tmp_path, name):
    """Save what the browser shows as a test artifact (also to $TINY_GRAD_ARTIFACTS)."""
    paths = [tmp_path / name]
    if os.environ.get("TINY_GRAD_ARTIFACTS"):
        folder = os.path.abspath(os.environ["TINY_GRAD_ARTIFACTS"])
        os.makedirs(folder, exist_ok=True)
        paths.append(os.path.join(folder, name))
    for path in paths:
        assert driver.save_screenshot(str(path)), path
    return paths[0]


def console_errors(driver):
    return [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]


def by_id(driver, id_):
    from selenium.webdriver.common.by import By
    return driver.find_element(By.ID, id_)


def open_page(driver, path):
    driver.get(path.resolve().as_uri())
    assert driver.execute_script("return document.readyState") == "complete"


def step_to_the_end(driver, after_step=None):
    """Click Step until it is disabled; return what the panel showed at each step:
    [(node shown, its gradient's line, the counter)]. after_step(k) runs after step k."""
    shown = []
    step = by_id(driver, "step")
    while step.is_enabled():
        step.click()
        grad = by_id(driver, "step-grad")
        shown.append((grad.get_attribute("data-node"), grad.text, by_id(driver, "counter").text))
        if after_step:
            after_step(len(shown))
        assert len(shown) < 10_000
    return shown


def box_texts(driver):
    """Each node's last text in the drawing (its grad row), by node number."""
    return driver.execute_script("""
        const result = {};
        document.querySelectorAll("#graph g.node").forEach((g) => {
          const t = g.querySelectorAll("text");
          result[g.dataset.node] = t[t.length - 1].textContent;
        });
        return result;""")


def test_browser_steps_through_the_tanh_example(dot, browser, tmp_path):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    L = tanh_example()
    path = tmp_path / "L.html"
    viz.to_html(L, path)
    open_page(browser, path)
    expected = backward_order(L)
    n = len(expected)
    assert by_id(browser, "counter").text == f"Step 0 of {n}"
    # before backward, no gradient is shown: every box says "grad ?"
    assert sorted(box_texts(browser).values()).count("grad ?") == n

    shown = step_to_the_end(browser)
    assert [node for node, _, _ in shown] == [f"n{i}" for i, _ in expected]
    for (i, node), (_, text, counter) in zip(expected, shown):
        name, value = text.split(" = ")
        assert float(value) == pytest.approx(node.grad, rel=1e-5)
    assert shown[-1][2] == f"Step {n} of {n}"
    assert "grad ?" not in box_texts(browser).values()
    assert "grad -2.3593" in box_texts(browser).values()  # a's box, as draw_graph writes it
    history = browser.find_elements(By.CSS_SELECTOR, "#history li")
    assert [li.text for li in history] == [text for _, text, _ in shown]

    # the keyboard: left arrow goes back (the gradient hides again), right arrow steps
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.ARROW_LEFT)
    assert by_id(browser, "counter").text == f"Step {n - 1} of {n}"
    assert sorted(box_texts(browser).values()).count("grad ?") == 1
    body.send_keys(Keys.ARROW_RIGHT)
    assert by_id(browser, "counter").text == f"Step {n} of {n}"
    body.send_keys(Keys.HOME)
    assert by_id(browser, "counter").text == f"Step 0 of {n}"

    # hovering over a's box shows its value, gradient (once reached) and op
    a_box = browser.find_element(By.CSS_SELECTOR, '#graph g.node[data-node="n0"]')  # n0 is a
    by_id(browser, "reset").click()
    browser.execute_script("document.getElementById('step').blur()")
    for _ in range(n):
        by_id(browser, "step").click()
    ActionChains(browser).move_to_element(a_box).perform()
    tip = by_id(browser, "tip")
    assert tip.is_displayed()
    assert "value: 2" in tip.text and "gradient: dL/da = -2.35934" in tip.text
    assert "op: none: a leaf" in tip.text

    save_screenshot(browser, tmp_path, "backward_stepper_tanh.png")
    assert console_errors(browser) == []
    browser.execute_script("console.error('probe')")  # the check above can see errors
    assert any("probe" in e["message"] for e in console_errors(browser))


def test_browser_steps_through_a_two_layer_network(dot, browser, tmp_path):
    loss, params = two_layer_network()
    path = tmp_path / "two_layer.html"
    viz.to_html(loss, path, params=params, rankdir="TB")
    open_page(browser, path)
    # opened from disk, it loaded nothing: no script, style, font or picture from anywhere
    assert browser.execute_script("return performance.getEntriesByType('resource').length") == 0

    expected = backward_order(loss)
    shots = []
    # the picture: the second layer's 'linear' handing its gradient back to its inputs,
    # with boxes not reached yet above it and coloured ones below
    matmul = next(k for k, (_, node) in enumerate(expected, 1) if node.op == "linear")

    def screenshot_midway(k):
        if k == matmul:
            shots.append(save_screenshot(browser, tmp_path, "backward_stepper.png"))

    shown = step_to_the_end(browser, screenshot_midway)
    assert shots, "the screenshot was not taken"
    assert [node for node, _, _ in shown] == [f"n{i}" for i, _ in expected]  # every node, in order

    # the panel's last gradient for each parameter is param.grad, in summary form
    for name, p in params.items():
        lines = [text for _, text, _ in shown if text.startswith(f"dloss/d({name}) = ")]
        assert lines, name
        summary = lines[-1].split(" = ", 1)[1]
        g = p.grad.data
        assert summary.startswith(str(g.shape) + " ")
        if g.size > 4:
            mean, largest = map(float, re.search(r"mean (\S+), max abs (\S+)$", summary).groups())
            assert mean == pytest.approx(g.mean(), rel=1e-4, abs=1e-12)
            assert largest == pytest.approx(np.abs(g).max(), rel=1e-4)
        else:
            values = re.findall(r"-?\d+(?:\.\d+)?(?:e-?\d+)?", summary[len(str(g.shape)):])
            np.testing.assert_allclose([float(v) for v in values], g.ravel(), rtol=1e-4, atol=1e-12)
    assert console_errors(browser) == []


def test_browser_step_note_counts_an_input_used_twice_once(dot, browser, tmp_path):
    a, b = Value(2.0, label="a"), Value(3.0, label="b")
    notes = []
    for L in (a * a, a * b):
        L.label = "L"
        L.backward(retain_graph=True)
        path = tmp_path / "page.html"
        viz.to_html(L, path)
        open_page(browser, path)
        by_id(browser, "step").click()
        notes.append(by_id(browser, "step-note").text)
    assert "'*' hands this gradient back to its input, times" in notes[0]  # a * a: a alone
    assert "'*' hands this gradient back to its inputs, times" in notes[1]


def test_browser_stepping_on_200_nodes_never_lays_the_drawing_out_again(dot, browser, tmp_path):
    # "Instant" stepping, asserted as what makes it so rather than timed: one layout, made by
    # Graphviz once; a step only changes classes, so the same <svg> keeps every box in place.
    loss, params = deep_network(200)
    path = tmp_path / "deep.html"
    viz.to_html(loss, path, params=params)
    open_page(browser, path)
    n = len(page_data(path)["steps"])
    assert n > 150
    boxes = """window.scrollTo(0, 0); document.getElementById("graph").scrollTo(0, 0);
               return [...document.querySelectorAll("#graph svg g.node")].map((g) => {
                   const r = g.getBoundingClientRect(); return [g.id, r.x, r.y, r.width, r.height]; });"""
    before = browser.execute_script(boxes)
    browser.execute_script('document.querySelector("#graph svg").laidOutOnce = true;')
    browser.execute_script("""
        const step = document.getElementById("step"), back = document.getElementById("back");
        let clicks = 0;
        while (!step.disabled) { step.click(); clicks++; }
        window.stepClicks = clicks;""")
    assert browser.execute_script("return window.stepClicks") == n
    assert by_id(browser, "counter").text == f"Step {n} of {n}"
    assert browser.execute_script('return document.querySelector("#graph svg").laidOutOnce') is True
    browser.execute_script("""const back = document.getElementById("back");
        while (!back.disabled) back.click();""")
    assert by_id(browser, "counter").text == f"Step 0 of {n}"
    assert browser.execute_script(boxes) == before
    assert console_errors(browser) == []


def test_a_label_cannot_end_the_pages_script(dot, tmp_path):
    a = Value(2.0, label="</script><b>bold</b>")
    L = (a * a).tanh()
    L.label = "L"
    L.backward(retain_graph=True)
    path = tmp_path / "page.html"
    viz.to_html(L, path)
    text = path.read_text(encoding="utf-8")
    assert "</script><b>" not in text
    assert "<b>bold" not in text.split("<script")[1]  # not inside the script, where the data is
    assert page_data(path)["nodes"]


# ---- what the page says: its title, colours, scale, and the data behind the hover box ------

def svg_texts(path):
    """Every line of text in the page's drawing."""
    return re.findall(r"<text[^>]*>([^<]*)</text>", path.read_text(encoding="utf-8"))


def test_page_title_is_backward_from_the_output_unless_one_is_given(dot, tmp_path):
    viz.to_html(tanh_example(), tmp_path / "L.html")
    text = (tmp_path / "L.html").read_text(encoding="utf-8")
    assert "<h1>Backward from L</h1>" in text and "<title>Backward from L (tiny_grad)</title>" in text
    viz.to_html(tanh_example(), tmp_path / "t.html", title="a < b & c")  # escaped as HTML
    assert "<h1>a &lt; b &amp; c</h1>" in (tmp_path / "t.html").read_text(encoding="utf-8")


def test_page_colours_each_box_by_its_fifth_of_the_largest_gradient(dot, tmp_path):
    viz.to_html(tanh_example(), tmp_path / "L.html")
    levels = {node["name"]: node["level"] for node in page_data(tmp_path / "L.html")["nodes"]}
    # |grad| / 2.35934 (a's, the largest) in fifths: a 1 -> 4, b 0.67 -> 3, 0.33 -> 1, L 0.42 -> 2
    assert levels == {"a": 4, "b": 3, "a*b": 1, "c": 1, "a*b + c": 1, "L": 2}


def test_page_scale_ends_at_the_largest_gradient_but_the_outputs_and_its_last_range_is_open(
        dot, tmp_path):
    a = Value(0.5, label="a")
    L = a * 0.25  # dL/da = 0.25, dL/d(0.25) = 0.5; the output's own 1 is left out of the scale
    L.backward(retain_graph=True)
    viz.to_html(L, tmp_path / "L.html")
    data = page_data(tmp_path / "L.html")
    assert data["ends"] == ["0.00", "0.50"]
    assert [s["range"] for s in data["scale"]] == ["0.00 to 0.10", "0.10 to 0.20", "0.20 to 0.30",
                                                   "0.30 to 0.40", "0.40 and more"]
    assert [s["colour"] for s in data["scale"]] == list(viz._GRAD_SCALE)


def test_page_data_nodes_have_no_gradient_and_no_arrow_back(dot, tmp_path):
    x = Tensor([1.0, 2.0], label="x")  # data: needs no gradient
    w = Tensor([3.0, -1.0], requires_grad=True, label="w")
    L = (x * w).sum()
    L.backward(retain_graph=True)
    viz.to_html(L, tmp_path / "L.html")
    data = page_data(tmp_path / "L.html")
    x_node, w_node, xw = data["nodes"][:3]
    assert (x_node["gradient"], x_node["box"], x_node["level"]) == (None, None, None)
    assert xw["parents"] == [0, 1] and xw["flows"] == [1]  # the gradient goes back to w only
    assert (w_node["shape"], w_node["value"], w_node["box"]) == ("(2,)", "(2,) [3, -1]",
                                                               "grad [1.0000, 2.0000]")
    assert [s["node"] for s in data["steps"]] == [3, 2, 1]  # backward never visits x


def test_page_calls_an_unlabelled_node_by_its_expression_in_the_drawing_and_the_hover_box(
        dot, tmp_path):
    path = tmp_path / "L.html"
    viz.to_html(tanh_example(), path)
    assert [node["name"] for node in page_data(path)["nodes"]] == ["a", "b", "a*b", "c",
                                                                   "a*b + c", "L"]
    assert "a*b + c" in svg_texts(path) and "a*b" in svg_texts(path)  # the boxes' first rows


def test_page_drawing_has_no_colour_key_of_its_own(dot, tmp_path):
    # the page has its own legend (with the gradient colours); draw_graph's would contradict it
    path = tmp_path / "L.html"
    viz.to_html(tanh_example(), path)
    text = path.read_text(encoding="utf-8")
    assert "intermediate" not in text and "leaf that gets a gradient" not in text
