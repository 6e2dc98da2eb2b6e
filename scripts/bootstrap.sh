# Sourced by scripts/test and scripts/demo: installs what they need, by itself,
# on a fresh Debian machine with Python >= 3.10 (and on any machine that has
# Graphviz and a Python with venv already).

TAPEGRAD_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
VENV="${TAPEGRAD_VENV:-$TAPEGRAD_ROOT/.venv}"

as_root() {
    if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else return 1; fi
}

apt_install() {
    command -v apt-get >/dev/null || return 1
    echo "bootstrap: installing Debian packages: $*" >&2
    as_root apt-get update -qq && DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq "$@" >/dev/null
}

# Graphviz's `dot` binary renders graphs to SVG/PNG.
ensure_dot() {
    command -v dot >/dev/null && return 0
    apt_install graphviz || echo "bootstrap: could not install Graphviz; install it (apt-get install graphviz, brew install graphviz or conda install graphviz) to render graphs" >&2
}

# Headless Chromium and its driver, for the test that plays the backprop player in a browser.
ensure_browser() {
    command -v chromium >/dev/null && command -v chromedriver >/dev/null && return 0
    apt_install chromium chromium-driver || echo "bootstrap: could not install Chromium; install chromium and chromium-driver to run the browser test (it is skipped without them)" >&2
}

# A virtual environment with tapegrad installed (editable) with the given extras.
ensure_venv() {
    local extras="$1"
    "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 10))' || {
        echo "bootstrap: tapegrad needs Python >= 3.10; $PYTHON is $("$PYTHON" --version 2>&1)" >&2
        return 1
    }
    if [ ! -x "$VENV/bin/python" ]; then
        "$PYTHON" -m venv "$VENV" 2>/dev/null || {
            rm -rf "$VENV"
            apt_install python3-venv && "$PYTHON" -m venv "$VENV"
        } || return 1
    fi
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e "$TAPEGRAD_ROOT${extras:+[$extras]}"
    export PATH="$VENV/bin:$PATH"
}
