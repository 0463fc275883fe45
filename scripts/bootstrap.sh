#!/usr/bin/env bash
# Set up tiny_grad on this machine: Graphviz, Python with venv, and ./.venv with
# tiny_grad installed (editable) plus its test tools.
#
#   bash scripts/bootstrap.sh          what the tour needs
#   bash scripts/bootstrap.sh tests    the same, plus what the tests need
#
# Safe to run again and again: every step checks first and does nothing when it is
# already done. Works on a fresh Debian/Ubuntu machine as root (or with sudo).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
VENV="$ROOT/.venv"
WANT_TESTS=0
case "${1:-}" in
    tests) WANT_TESTS=1 ;;
    "") ;;
    *) echo "usage: bash scripts/bootstrap.sh [tests]" >&2; exit 2 ;;
esac
EXTRAS="examples"
if [ "$WANT_TESTS" -eq 1 ]; then EXTRAS="examples,test"; fi
STAMP="$VENV/.tiny_grad-bootstrap"

say() { printf '[bootstrap] %s\n' "$*"; }
die() { printf '[bootstrap] error: %s\n' "$*" >&2; exit 1; }

# ---- system packages (apt) -------------------------------------------------------------

APT_UPDATED=0
apt_install() {
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        command -v sudo >/dev/null 2>&1 || die "need root (or sudo) to apt-get install $*"
        sudo=(sudo -E)
    fi
    command -v apt-get >/dev/null 2>&1 || die "apt-get not found: please install $* by hand"
    if [ "$APT_UPDATED" -eq 0 ]; then
        say "apt-get update"
        "${sudo[@]}" apt-get update -qq
        APT_UPDATED=1
    fi
    say "apt-get install $*"
    "${sudo[@]}" apt-get install -y -qq "$@" >/dev/null
}

if command -v dot >/dev/null 2>&1; then
    say "Graphviz: found $(command -v dot)"
else
    say "Graphviz: 'dot' is missing, installing it"
    apt_install graphviz
fi

# The tests open viz.to_html's page in headless Chromium, driven by chromedriver
# (tests/test_html.py). Debian packages them; Ubuntu's 'chromium' is a snap instead.
if [ "$WANT_TESTS" -eq 1 ]; then
    if command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; then
        say "Chromium: found $(command -v chromium) and $(command -v chromedriver)"
    else
        say "Chromium: chromium or chromedriver is missing, installing them (for the browser tests)"
        apt_install chromium chromium-driver
    fi
fi

# Python >= 3.10 that can make a venv. Debian splits venv/ensurepip into python3-venv.
python_ok() {
    command -v python3 >/dev/null 2>&1 && python3 -c 'import venv, ensurepip' >/dev/null 2>&1
}
if python_ok; then
    say "Python: found $(python3 --version 2>&1)"
else
    say "Python: python3 with venv is missing, installing it"
    apt_install python3 python3-venv python3-pip
    python_ok || die "python3 still cannot create a venv after installing python3-venv"
fi
python3 -c 'import sys; sys.exit(sys.version_info < (3, 10))' \
    || die "tiny_grad needs Python 3.10 or newer; python3 is $(python3 --version 2>&1)"

# ---- the project's virtual environment -------------------------------------------------

# A venv is usable when its python runs and has pip (a moved or half-made one does not).
if [ -d "$VENV" ] && ! "$VENV/bin/python" -m pip --version >/dev/null 2>&1; then
    say "venv: $VENV is broken, making it again"
    rm -rf "$VENV"
fi
if [ ! -d "$VENV" ]; then
    say "venv: creating $VENV"
    python3 -m venv "$VENV"
fi

# Reinstall only when pyproject.toml changed or the install does not import from here.
want="$(cat pyproject.toml scripts/bootstrap.sh | sha256sum | cut -d' ' -f1) $ROOT $EXTRAS"
installed_here() {
    "$VENV/bin/python" - "$ROOT" >/dev/null 2>&1 <<'PY'
import pathlib, sys
import matplotlib, tiny_grad
here = pathlib.Path(tiny_grad.__file__).resolve().parent.parent
sys.exit(here != pathlib.Path(sys.argv[1]).resolve())
PY
}
if [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$want" ] && installed_here; then
    say "tiny_grad: already installed in .venv (pyproject.toml unchanged)"
else
    say "tiny_grad: pip install -e '.[$EXTRAS]' into .venv"
    "$VENV/bin/python" -m pip install -q --disable-pip-version-check -e ".[$EXTRAS]"
    installed_here || die "tiny_grad was installed but does not import from $ROOT"
    printf '%s\n' "$want" > "$STAMP"
fi

# The PyTorch comparison tests (tests/*_torch.py) run when torch imports, and skip when it
# does not: PyTorch is no dependency. Where this machine keeps the CPU build of torch 2.13.0
# as a local file for pip (its find-links), it is installed for them (about 20 s); PyTorch
# is never downloaded here, since PyPI's default build of it is several GB.
TORCH="torch==2.13.0"
if [ "$WANT_TESTS" -eq 1 ]; then
    if "$VENV/bin/python" -c 'import torch' >/dev/null 2>&1; then
        say "PyTorch: found in .venv (the comparison tests will run)"
    elif "$VENV/bin/python" -m pip install -q --disable-pip-version-check --dry-run --no-index \
            --no-deps "$TORCH" >/dev/null 2>&1; then
        say "PyTorch: installing $TORCH from this machine's own copy (for the comparison tests)"
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "$TORCH" 2>/dev/null \
            || say "PyTorch: could not be installed; the comparison tests will be skipped"
    else
        say "PyTorch: no local copy of $TORCH here; the comparison tests will be skipped"
    fi
fi

say "ready: $("$VENV/bin/python" --version 2>&1) in .venv, try: .venv/bin/python -m tiny_grad tour"
