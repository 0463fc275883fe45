"""The command line, run the way a learner runs it: `python -m tiny_grad ...`."""

import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args, cwd):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "tiny_grad", *args],
        cwd=cwd, env=env, capture_output=True, text=True, timeout=120,
    )


@pytest.fixture
def graphviz_dot():
    """Skip when Graphviz's `dot` is missing -- except on CI, where it must be there."""
    if shutil.which("dot") is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Graphviz's `dot` is missing on CI: scripts/bootstrap.sh should install it")
        pytest.skip("Graphviz's `dot` program is not installed (run scripts/bootstrap.sh)")


@pytest.mark.parametrize("args", [["--help"], ["tour", "--help"], ["draw", "--help"],
                                  ["explain", "--help"], ["bench", "--help"]])
def test_help(args, tmp_path):
    result = run(*args, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "usage:" in result.stdout


def test_tour(graphviz_dot, tmp_path):
    out = tmp_path / "tour"
    result = run("tour", "--fast", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr

    svg = out / "L.svg"
    assert svg.is_file() and "<svg" in svg.read_text(encoding="utf-8")
    assert "L.svg" in result.stdout  # it says where the drawing went

    # L = tanh(a*b + c) with a = 2, b = -3, c = 6.5; worked out by hand:
    a, b, c = 2.0, -3.0, 6.5
    L = math.tanh(a * b + c)
    dL_ds = 1 - L ** 2
    for line in [
        f"L = tanh(a*b + c) = {L:.6g}",
        f"dL/dc = {dL_ds:.6g}",
        f"dL/da = {dL_ds * b:.6g}",
        f"dL/db = {dL_ds * a:.6g}",
    ]:
        assert line in result.stdout


def test_draw(graphviz_dot, tmp_path):
    result = run("draw", "-o", str(tmp_path / "g.svg"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "<svg" in (tmp_path / "g.svg").read_text(encoding="utf-8")


def test_draw_dot_source_needs_no_graphviz(tmp_path):
    result = run("draw", "-o", "g.gv", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "digraph" in (tmp_path / "g.gv").read_text(encoding="utf-8")


def test_draw_refuses_an_unknown_suffix_with_one_message(tmp_path):
    result = run("draw", "-o", "g.xyz", cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot tell which picture format" in result.stderr and "Traceback" not in result.stderr


def test_draw_with_a_dot_that_fails_says_so_without_a_traceback(tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "dot").write_text("#!/bin/sh\necho 'dot: broken' >&2\nexit 1\n")
    (fake / "dot").chmod(0o755)
    env_path = os.pathsep.join([str(fake), os.environ.get("PATH", "")])
    result = subprocess.run(
        [sys.executable, "-m", "tiny_grad", "draw", "-o", "g.svg"], cwd=tmp_path, capture_output=True,
        text=True, timeout=120,
        env={**os.environ, "PATH": env_path,
             "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))})
    assert result.returncode == 1
    assert "dot" in result.stderr and "Traceback" not in result.stderr


def test_bench_runs_the_repositorys_benchmarks_with_the_options_given(tmp_path, capfd):
    from tiny_grad import __main__ as cli
    assert cli.BENCHMARKS == ROOT / "benchmarks" / "run.py" and cli.BENCHMARKS.is_file()
    stand_in = tmp_path / "run.py"  # (the real run takes minutes: a stand-in shows what it gets)
    stand_in.write_text("import sys; print('ran with', sys.argv[1:])\n")
    assert cli.bench(["--quick", "--markdown"], run_py=stand_in) == 0
    assert "ran with ['--quick', '--markdown']" in capfd.readouterr().out
    assert cli.bench([], run_py=tmp_path / "missing.py") == 1
    assert "from a clone of the repository" in capfd.readouterr().err


def test_main_passes_bench_options_on_and_prints_help_without_a_command(monkeypatch, capsys):
    from tiny_grad import __main__ as cli
    seen = []
    monkeypatch.setattr(cli, "bench", lambda options: seen.append(options) or 0)
    assert cli.main(["bench", "--quick", "--markdown", "--json", "out.json"]) == 0
    assert seen == [["--quick", "--markdown", "--json", "out.json"]]
    assert cli.main([]) == 0 and "usage:" in capsys.readouterr().out


def test_draw_makes_the_folder_and_adds_svg_to_a_bare_name(graphviz_dot, tmp_path):
    assert run("draw", "-o", "new/folder/g.gv", cwd=tmp_path).returncode == 0
    assert "digraph" in (tmp_path / "new" / "folder" / "g.gv").read_text(encoding="utf-8")
    assert run("draw", "-o", "bare", cwd=tmp_path).returncode == 0
    assert (tmp_path / "bare.svg").is_file()


def test_paths_that_cannot_be_written_are_named_without_a_traceback(graphviz_dot, tmp_path):
    (tmp_path / "taken.svg").mkdir()  # a folder where the picture should go
    (tmp_path / "afile").write_text("")  # a file where the tour's folder should go
    for args, path in [(("draw", "-o", "taken.svg"), "taken.svg"),  # (the reason is the system's:
                       (("explain", "--html", "taken.svg"), "taken.svg"),  # "Is a directory")
                       (("tour", "--out", "afile", "--fast"), "afile")]:
        result = run(*args, cwd=tmp_path)
        assert result.returncode == 1, args
        assert "cannot write " in result.stderr and f"{path}: " in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
