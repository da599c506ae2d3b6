#!/bin/sh
# Installs Scribe from this offline bundle (made by `make bundle`), with no network.
# First every file is checked against SHA256SUMS (a damaged, changed or added file stops it before
# anything is installed), then a virtual environment is made and filled with
# `pip install --no-index --find-links wheels`.
#
# Usage: ./install.sh [--check] [VENV_FOLDER]
#   --check       only verify the bundle (e.g. after copying it from a USB stick)
#   VENV_FOLDER   where to install (default: /opt/scribe-venv as root, else ~/.local/opt/scribe)
set -eu
cd "$(dirname "$0")"

say() { echo "install.sh: $*" >&2; }

if ! command -v sha256sum >/dev/null 2>&1; then
    say "sha256sum is needed to check the bundle (coreutils); nothing was installed."
    exit 1
fi
if ! sha256sum --check --strict --quiet SHA256SUMS >&2; then
    say "a file of this bundle is damaged or was changed (listed above); nothing was installed."
    exit 1
fi
listed=$(sed 's/^[0-9a-f]*  //' SHA256SUMS | LC_ALL=C sort)
present=$(find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort)
if [ "$listed" != "$present" ]; then
    say "this bundle holds files SHA256SUMS does not list; nothing was installed."
    exit 1
fi
if [ "${1:-}" = "--check" ]; then
    say "every file matches SHA256SUMS."
    exit 0
fi

PY=${PYTHON:-python3}
want=$(sed -n 's/^python //p' BUILT_FOR)
have=$("$PY" -c 'import sys; print(f"{sys.version_info[0]}.{sys.version_info[1]}")' 2>/dev/null) || have=none
if [ "$want" != "$have" ]; then
    say "this bundle was built for Python $want but $PY is $have; install Python $want (or set PYTHON) and run it again."
    exit 1
fi
version=$(sed -n 's/^scribe //p' BUILT_FOR)
if [ "$(id -u)" = 0 ]; then default=/opt/scribe-venv; else default="$HOME/.local/opt/scribe"; fi
VENV=${1:-$default}

"$PY" -m venv "$VENV"
"$VENV/bin/python" -m pip install --quiet --no-index --find-links wheels "scribe==$version"
"$VENV/bin/python" -m pip install --quiet --no-index --find-links wheels --no-deps resemblyzer==0.1.4
say "installed Scribe $version in $VENV: the app is $VENV/bin/scribe-app, the command line $VENV/bin/scribe."
