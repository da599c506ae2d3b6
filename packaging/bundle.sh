#!/usr/bin/env bash
# `make bundle`: an offline install bundle for clinics without internet. Gathers every wheel the app
# needs (Scribe's own, its dependencies, the bundled models' packages, Resemblyzer for its voice-
# encoder weights) into dist/scribe-offline-<version>/ with a SHA256SUMS list and install.sh, which
# checks the sums and installs with `pip install --no-index --find-links`. The wheels are for this
# platform and this Python (recorded in BUILT_FOR): build the bundle on the same OS, CPU and Python
# minor version as the air-gapped machines. Needs the network (PyPI) once, here.
#
# Usage: packaging/bundle.sh [PYTHON]   (default python3)
#        packaging/bundle.sh --write-sums FOLDER   (only (re)write FOLDER/SHA256SUMS)
set -euo pipefail

# SHA256SUMS: every file of the bundle but itself, in a fixed order, as `sha256sum -c` reads it.
write_sums() {
    (cd "$1" && find . -type f ! -name SHA256SUMS | sed 's|^\./||' | LC_ALL=C sort \
        | xargs -d '\n' sha256sum > SHA256SUMS)
}
if [ "${1:-}" = "--write-sums" ]; then
    write_sums "$2"
    exit 0
fi

cd "$(dirname "$0")/.."
PY=${1:-${PY:-python3}}
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' scribe/__init__.py)
OUT=dist/scribe-offline-$VERSION

rm -rf "$OUT"
mkdir -p "$OUT/wheels"
# Scribe's wheel and a wheel of every runtime dependency (sdists are built into wheels here).
"$PY" -m pip wheel --quiet --wheel-dir "$OUT/wheels" .
# The voice-encoder weights ship inside Resemblyzer's wheel; its own dependencies (torch) are not
# needed, so install.sh installs it with --no-deps, as `make run` does.
"$PY" -m pip wheel --quiet --no-deps --wheel-dir "$OUT/wheels" resemblyzer==0.1.4
"$PY" - > "$OUT/BUILT_FOR" <<'PYEOF'
import platform, sys
print(f"python {sys.version_info[0]}.{sys.version_info[1]}")
print(f"platform {sys.platform} {platform.machine()}")
PYEOF
echo "scribe $VERSION" >> "$OUT/BUILT_FOR"
install -m 0755 packaging/offline/install.sh "$OUT/install.sh"
write_sums "$OUT"
echo "$OUT: $(ls "$OUT/wheels" | wc -l) wheels, $(du -sh "$OUT" | cut -f1)"
