"""`python -m tiny_grad tour`: the story end to end, its figures, and its index.html."""

import html.parser
import importlib.util
import io
import os
import shutil
import sys
import types

import pytest

from tiny_grad import __main__ as cli
from tiny_grad import tour


def _needs(found, what, hint):
    if not found:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing on CI: scripts/bootstrap.sh should install it")
        pytest.skip(f"{what} is not installed ({hint})")


@pytest.fixture
def tour_tools():
    _needs(shutil.which("dot") is not None, "Graphviz's `dot` program", "run scripts/bootstrap.sh")
    _needs(importlib.util.find_spec("matplotlib") is not None, "matplotlib",
           "pip install 'tiny_grad[examples]'")


class _Links(html.parser.HTMLParser):
    """Collects <img src> and <a href> of a page, and its <html lang>."""

    def __init__(self):
        super().__init__()
        self.images, self.links, self.lang = [], [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        elif tag == "a":
            self.links.append(attrs["href"])
        elif tag == "html":
            self.lang = attrs.get("lang")


@pytest.mark.parametrize("lang", ["en", "ja"])
def test_tour_writes_every_figure_and_a_page_that_shows_them(tmp_path, tour_tools, lang,
                                                             monkeypatch):
    out = tmp_path / f"tour_{lang}"
    narrative = io.StringIO()
    users_common = types.ModuleType("_common")  # a learner's own module of that name
    monkeypatch.setitem(sys.modules, "_common", users_common)
    path_before = list(sys.path)
    index = tour.run_tour(out, lang=lang, fast=True, stream=narrative)
    assert sys.path == path_before and sys.modules["_common"] is users_common  # left as found
    assert index == out.resolve() / "index.html" and index.is_file()

    page = index.read_text(encoding="utf-8")
    parsed = _Links()
    parsed.feed(page)
    assert parsed.lang == lang
    # Every picture the page shows exists, every local link works, nothing is fetched
    # from the network.
    assert parsed.images
    for src in parsed.images + [h for h in parsed.links if not h.startswith("#")]:
        assert not src.startswith(("http:", "https:", "/")), src
        assert (out / src).is_file() and (out / src).stat().st_size > 0, src
    # Every figure written is on the page, in a subfolder per example (the tour's own L.svg
    # at the top).
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*")
                     if p.suffix in (".png", ".svg"))
    assert len(written) >= 27
    assert sorted(set(parsed.images)) == written
    assert all("/" in f for f in written if f != "L.svg")
    # The nine steps of the story, in order.
    assert page.count("<section") == 9
    text = narrative.getvalue()
    if lang == "ja":
        for word in ("ずれ", "学習率", "確率分布", "自然対数", "交差エントロピー誤差"):
            assert word in page and word in text
    else:
        for word in ("gap", "learning rate", "probability distribution", "natural log",
                     "cross-entropy"):
            assert word in page.lower() and word in text.lower()
    # The narrative quotes the examples' numbers.
    assert "3/36" in text and "L = tanh(a*b + c) = 0.462117" in text
    assert "index.html" in text


def test_tour_without_matplotlib_says_how_to_install_it(tmp_path, monkeypatch, capsys):
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(tour.importlib.util, "find_spec",
                        lambda name, *a: None if name == "matplotlib" else real_find_spec(name, *a))
    with pytest.raises(tour.TourError, match=r"pip install 'tiny_grad\[examples\]'"):
        tour.run_tour(tmp_path / "t")
    assert cli.main(["tour", "--out", str(tmp_path / "t")]) == 1
    assert "pip install 'tiny_grad[examples]'" in capsys.readouterr().err
    assert not (tmp_path / "t" / "index.html").exists()


def test_tour_without_the_examples_folder_says_where_they_are(tmp_path):
    with pytest.raises(tour.TourError, match="examples/"):
        tour.run_tour(tmp_path / "t", examples_dir=tmp_path / "nowhere")


def test_tour_refuses_an_unknown_language(tmp_path):
    with pytest.raises(ValueError, match="lang"):
        tour.run_tour(tmp_path / "t", lang="fr")


def test_tour_help_lists_its_options(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["tour", "--help"])
    assert exit_info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--out", "--lang", "--fast"):
        assert option in out


def test_the_examples_folder_must_be_complete_and_the_variable_comes_first(tmp_path, monkeypatch):
    whole = tmp_path / "whole"
    shutil.copytree(tour.find_examples(), whole)
    monkeypatch.setenv("TINY_GRAD_EXAMPLES", str(whole))
    assert tour.find_examples() == whole.resolve()  # before the repository's own examples/
    for missing in ["09_seeing_gradients.py", "_common.py"]:
        part = tmp_path / f"without_{missing}"
        shutil.copytree(whole, part)
        (part / missing).unlink()
        with pytest.raises(tour.TourError):
            tour.find_examples(part)
