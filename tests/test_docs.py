"""Every ```python block in README.md and docs/**/*.md must run.

Each block is its own test, run in a fresh namespace from a temporary folder (so a
block cannot write into the repository). The test id names the file and the line
where the block starts, and tracebacks point at the real line in the Markdown file.

A snippet that is not meant to run belongs in a ```pycon or ```text block.
"""

import os
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# An opening fence: optional indent, ``` or ~~~ (three or more), then "python".
_OPEN = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*python\b.*$")


def _markdown_files():
    files = [ROOT / "README.md"]
    files += sorted((ROOT / "docs").rglob("*.md"))
    return [f for f in files if f.is_file()]


def python_blocks(path):
    """Yield (line number of the first code line, code) for each ```python block in path."""
    lines = path.read_text(encoding="utf-8").splitlines()
    i = 0
    while i < len(lines):
        m = _OPEN.match(lines[i])
        i += 1
        if not m:
            continue
        indent, fence = m.group("indent"), m.group("fence")
        close = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$")
        start, body = i + 1, []  # 1-based number of the first code line
        while i < len(lines) and not close.match(lines[i]):
            line = lines[i]
            body.append(line[len(indent):] if line.startswith(indent) else line.lstrip())
            i += 1
        i += 1  # past the closing fence (or the end of the file)
        yield start, "\n".join(body) + "\n"


def _collect():
    return [
        pytest.param(path, start, code, id=f"{path.relative_to(ROOT).as_posix()}:{start}")
        for path in _markdown_files()
        for start, code in python_blocks(path)
    ]


BLOCKS = _collect()


def test_blocks_were_found():
    """Guard: if the collector broke, every block test would vanish and pass silently."""
    assert BLOCKS, "no ```python blocks found in README.md or docs/"
    assert any(p.values[0].name == "README.md" for p in BLOCKS), "README.md has no ```python block"


@pytest.mark.parametrize("path, start, code", BLOCKS)
def test_block_runs(path, start, code, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    # Leading newlines make line numbers in a traceback match the Markdown file.
    compiled = compile("\n" * (start - 1) + code, str(path), "exec")
    namespace = {"__name__": "__main__", "__file__": str(path)}
    from tiny_grad import viz

    try:
        exec(compiled, namespace)
    except viz.GraphvizNotFoundError:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip("Graphviz's `dot` program is not installed (run scripts/bootstrap.sh)")


def test_readme_starts_with_the_two_commands_and_ci_runs_the_second():
    """README's first code block: line 1 sets up and tours, line 2 sets up and tests.

    .ci/run must run exactly line 2, so "what the README says" and "what CI checks" agree.
    """
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    m = re.search(r"^(`{3,})[^\n]*\n(.*?)^\1[ \t]*$", text, re.S | re.M)
    assert m, "README.md has no fenced code block"
    lines = m.group(2).splitlines()
    assert len(lines) == 2 and all(line.strip() for line in lines), lines
    assert lines[0].endswith("-m tiny_grad tour")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert lines[1] in ci
