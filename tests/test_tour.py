"""`python -m tiny_grad tour`: the story end to end, its figures, and its index.html."""

import html.parser
import importlib.util
import io
import os
import re
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


# ---- the tour's plumbing, on stand-in examples that take no time -------------------------------

STAND_IN = '''
from pathlib import Path

import _common


def main(argv):
    out = Path(argv[argv.index("--out") + 1])
    out.mkdir(parents=True, exist_ok=True)
    print("ran with", argv)
    (out / "fig.png").write_bytes(b"png")
    (out / "page.html").write_text("<html></html>")
    return {"figures": [str(out / "fig.png")], "pages": [str(out / "page.html")]}
'''


def stand_in_examples(folder):
    """An examples folder whose every script draws fig.png and page.html and prints its argv."""
    folder.mkdir()
    (folder / "_common.py").write_text("LIVE = False\n")
    for name in tour.EXAMPLES:
        (folder / f"{name}.py").write_text(STAND_IN)
    return folder


def two_steps(lang):
    """A story of two steps that both run 01 and 02; only step 1 mentions a figure (01's)."""
    text = "ずれを小さくする、" * 30 if lang == "ja" else "close the gap " * 30
    both = ["01_gap_and_losses", "02_dice_and_coins"]
    return [(both, lambda r: {"text": text,
                              "figures": [("01_gap_and_losses", "fig.png", "the first figure")]}),
            (both, lambda r: {"text": text, "figures": []})]


@pytest.fixture
def stand_in_tour(tmp_path, monkeypatch):
    """run(lang, fast) -> (the narrative, index.html's text) of a two-step tour of stand-ins."""
    monkeypatch.setattr(tour, "check_matplotlib", lambda: None)
    monkeypatch.setattr(tour, "_steps", two_steps)
    examples = stand_in_examples(tmp_path / "examples")

    def run(lang="en", fast=False):
        narrative = io.StringIO()
        index = tour.run_tour(tmp_path / f"out_{lang}_{fast}", lang=lang, fast=fast,
                              examples_dir=examples, stream=narrative)
        return narrative.getvalue(), index.read_text(encoding="utf-8")
    return run


def columns(line):
    """Terminal columns of a line: full-width (East Asian) characters take two."""
    import unicodedata
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line)


def test_runner_passes_fast_on_to_each_example_and_keeps_what_it_printed(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "_common", None)  # the runner loads its own: undone after
    examples = stand_in_examples(tmp_path / "examples")
    for fast in (True, False):
        out = tmp_path / f"out_{fast}"
        said = []
        tour._Runner(examples, out, fast).run("03_natural_log", said.append)
        printed = (out / "03_natural_log" / "output.txt").read_text(encoding="utf-8")
        expected = ["--out", str(out / "03_natural_log")] + (["--fast"] if fast else [])
        assert printed == f"ran with {expected}\n"
        assert said[0].startswith("   · examples/03_natural_log.py  ")


def test_tour_fast_runs_every_example_with_fast_and_says_so(stand_in_tour, tmp_path):
    narrative, page = stand_in_tour(fast=True)
    for name in ("01_gap_and_losses", "02_dice_and_coins"):
        printed = (tmp_path / "out_en_True" / name / "output.txt").read_text(encoding="utf-8")
        assert printed.rstrip().endswith("'--fast']"), printed
    assert " (--fast)" in narrative.splitlines()[1]
    assert "(--fast: smaller sizes)" in page
    _, slow_page = stand_in_tour(fast=False)
    assert "--fast" not in slow_page


def test_tour_command_passes_out_lang_and_fast_on(tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(tour, "run_tour", lambda out, **options: seen.append((out, options)))
    assert cli.main(["tour", "--out", str(tmp_path / "t"), "--lang", "ja", "--fast"]) == 0
    assert cli.main(["tour"]) == 0
    assert seen == [(str(tmp_path / "t"), {"lang": "ja", "fast": True}),
                    ("tiny_grad_tour", {"lang": "en", "fast": False})]


def test_index_shows_every_figure_once_in_the_first_step_that_ran_its_example(stand_in_tour):
    _, page = stand_in_tour()
    parsed = _Links()
    parsed.feed(page)
    # 01's figure where step 1 mentions it; 02's, mentioned nowhere, added to step 1 too;
    # step 2 runs the same examples again and shows neither a second time
    assert parsed.images == ["01_gap_and_losses/fig.png", "02_dice_and_coins/fig.png"]
    step1, step2 = page.split('<section id="step2">')
    assert step1.count("<img") == 2 and step2.count("<img") == 0


def test_index_links_each_examples_pages_and_output(stand_in_tour):
    _, page = stand_in_tour()
    for name in ("01_gap_and_losses", "02_dice_and_coins"):
        assert (f'<a href="{name}/page.html">step through backward: page.html</a>' in page)
        assert f'<a href="{name}/output.txt">what examples/{name}.py printed</a>' in page


def test_ja_narrative_lines_fit_in_88_columns(stand_in_tour):
    narrative, _ = stand_in_tour(lang="ja")
    story = [line for line in narrative.splitlines() if "ずれを小さくする" in line]
    assert len(story) > 10  # a long paragraph, cut into lines
    assert all(columns(line) <= 3 + 88 for line in story)  # three spaces of indent, then text


def test_wrap_ja_fills_lines_up_to_88_columns_and_starts_none_with_punctuation():
    needs, coins = tour._steps("ja")[5]  # the coins paragraph: it quotes no example's numbers
    assert needs == []
    text = coins({})["text"]
    lines = tour._wrap(text, ja=True)
    assert all(columns(line) <= 88 for line in lines)
    assert max(columns(line) for line in lines) > 80  # filled, not cut short
    assert not any(line.startswith(("。", "、", " ")) for line in lines)
    assert "".join(lines).replace(" ", "") == text.replace(" ", "")  # nothing lost


def test_index_nav_links_reach_each_step_and_graph_drawings_scroll_in_a_box():
    sections = [{"title": t, "text": "words", "figures": [("L.svg", "graph"), ("a/b.png", "plot")]}
                for t in ("One", "Two")]
    page = tour._html_page("en", sections, {}, 3.0, False)
    parsed = _Links()
    parsed.feed(page)
    anchors = [href[1:] for href in parsed.links if href.startswith("#")]
    assert anchors == ["step1", "step2"]
    assert all(f'<section id="{a}">' in page for a in anchors)
    assert page.count('<div class="graph"><a href="L.svg">') == 2
    assert page.count('<div><a href="a/b.png">') == 2


def test_wrap_ja_never_cuts_a_number_from_its_counter():
    text = tour._steps("ja")[5][1]({})["text"]  # the coins paragraph: "n 枚", "4 枚", "184,756 通り"
    lines = tour._wrap(text, ja=True)
    cut = [(a[-8:], b[:8]) for a, b in zip(lines, lines[1:])
           if re.search(r"[0-9A-Za-z,]$", a) and re.match(r"[^\x00-\x7f]", b)]
    assert cut == []  # (three of its four line breaks fell there)
    assert all(columns(line) <= 88 for line in lines)
