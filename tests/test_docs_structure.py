"""The tutorial's shape: both languages have every chapter, and nothing points nowhere.

* every chapter exists in docs/en/ and docs/ja/, under the same file name, and nothing else does;
* every link and image in docs/**/*.md points at a file that exists;
* the English and Japanese versions of a chapter show the same figures;
* every chapter has at least one ```python block (tests/test_docs.py runs them);
* docs/README.md links every chapter of both languages, in order.

Running the blocks is tests/test_docs.py's job; this file only reads the Markdown.
"""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
LANGUAGES = ("en", "ja")
CHAPTERS = (
    "01_the_gap.md",
    "02_small_steps.md",
    "03_measuring_the_gap.md",
    "04_five_pieces.md",
    "05_probability_distributions.md",
    "06_coins.md",
    "07_natural_log.md",
    "08_cross_entropy.md",
    "09_learning.md",
    "10_reading_the_source.md",
    "11_from_tiny_grad_to_pytorch.md",
)

# A fenced code block (``` or ~~~, three or more, optionally indented), up to its closing fence.
_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})[^\n]*\n.*?(?:^[ \t]*(?P=fence)[`~]*[ \t]*$|\Z)",
                    re.S | re.M)
_INLINE_CODE = re.compile(r"(`+)(?:(?!\1).)+?\1", re.S)
# ![alt](target "title") and [text](target "title"); the target may be wrapped in <...>.
_LINK = re.compile(r"(?P<image>!?)\[(?:[^\]\\]|\\.)*\]\(\s*<?(?P<target>[^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
_HTML_SRC = re.compile(r"<img\b[^>]*\bsrc=[\"'](?P<target>[^\"']+)[\"']", re.I)
_PYTHON_BLOCK = re.compile(r"^[ \t]*(?:`{3,}|~{3,})[ \t]*python\b", re.M)
_EXTERNAL = re.compile(r"^(?:[a-z][a-z0-9+.-]*:|//)", re.I)  # http:, https:, mailto:, //host


def _prose(text):
    """The Markdown without code: a bracket in a code block is not a link."""
    return _INLINE_CODE.sub("", _FENCE.sub("", text))


def _targets(path):
    """(is_image, target) for every local link and image in `path`, anchors stripped."""
    text = _prose(path.read_text(encoding="utf-8"))
    found = [(bool(m.group("image")), m.group("target")) for m in _LINK.finditer(text)]
    found += [(True, m.group("target")) for m in _HTML_SRC.finditer(text)]
    result = []
    for is_image, target in found:
        if _EXTERNAL.match(target) or target.startswith("#"):
            continue
        target = unquote(target.split("#", 1)[0].split("?", 1)[0])
        if target:
            result.append((is_image, target))
    return result


def _figures(path):
    """The files a chapter shows (images, and links into docs/figures/), resolved."""
    figures = set()
    for is_image, target in _targets(path):
        resolved = (path.parent / target).resolve()
        if is_image or DOCS / "figures" in resolved.parents:
            figures.add(resolved)
    return figures


def _markdown_files():
    return sorted(DOCS.rglob("*.md"))


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_chapter_exists(language):
    folder = DOCS / language
    missing = [name for name in CHAPTERS if not (folder / name).is_file()]
    assert not missing, f"docs/{language}/ is missing {missing}"


def test_both_languages_have_the_same_files():
    en = sorted(p.name for p in (DOCS / "en").glob("*.md"))
    ja = sorted(p.name for p in (DOCS / "ja").glob("*.md"))
    assert en == ja, f"only in en: {sorted(set(en) - set(ja))}; only in ja: {sorted(set(ja) - set(en))}"
    assert en == sorted(CHAPTERS), f"chapters not listed in CHAPTERS: {sorted(set(en) - set(CHAPTERS))}"


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.relative_to(ROOT).as_posix())
def test_links_and_images_point_at_files_that_exist(path):
    broken = [target for _, target in _targets(path) if not (path.parent / target).exists()]
    assert not broken, f"{path.relative_to(ROOT)} links to missing files: {broken}"


@pytest.mark.parametrize("name", CHAPTERS)
def test_both_languages_show_the_same_figures(name):
    en, ja = DOCS / "en" / name, DOCS / "ja" / name
    if not (en.is_file() and ja.is_file()):
        pytest.fail(f"{name} is missing in one language")
    en_figures, ja_figures = _figures(en), _figures(ja)

    def show(paths):
        return sorted(p.relative_to(ROOT).as_posix() for p in paths)

    assert en_figures == ja_figures, (
        f"{name}: only in en: {show(en_figures - ja_figures)}; "
        f"only in ja: {show(ja_figures - en_figures)}"
    )


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("name", CHAPTERS)
def test_every_chapter_has_a_python_block(language, name):
    path = DOCS / language / name
    if not path.is_file():
        pytest.fail(f"docs/{language}/{name} does not exist")
    assert _PYTHON_BLOCK.search(path.read_text(encoding="utf-8")), (
        f"docs/{language}/{name} has no ```python block: every chapter shows code that runs"
    )


def test_the_index_links_every_chapter_in_order():
    index = DOCS / "README.md"
    linked = [target for _, target in _targets(index)]
    for language in LANGUAGES:
        wanted = [f"{language}/{name}" for name in CHAPTERS]
        found = [t for t in linked if t in wanted]
        assert found == wanted, f"docs/README.md should link the {language} chapters in order: {found}"


def test_the_index_tells_writers_that_python_blocks_run():
    text = (DOCS / "README.md").read_text(encoding="utf-8")
    assert "tests/test_docs.py" in text and "`python`" in text


# ---- the helpers themselves -----------------------------------------------------------------

def test_targets_skip_code_external_links_and_anchors(tmp_path):
    page = tmp_path / "page.md"
    page.write_text(
        "See [a](a.md#part), ![b](../figures/b.png \"B\"), [web](https://example.org), "
        "[here](#top), `[not](code.md)` and <img src=\"c.svg\" alt=\"c\">.\n\n"
        "```python\nx = y[0](1)\nprint([z](w.md))\n```\n",
        encoding="utf-8",
    )
    assert _targets(page) == [(False, "a.md"), (True, "../figures/b.png"), (True, "c.svg")]
