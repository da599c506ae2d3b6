#!/usr/bin/env bash
# Smoke-runs the FROZEN app (dist/Scribe, from `make package`) the way an installed copy runs:
# no network (a private network namespace, `unshare -n`), no Python on PATH (an empty folder),
# nothing inherited from this shell (`env -i`: no PYTHONPATH, PYTHONHOME, VIRTUAL_ENV) and a fresh
# data folder. It checks the CLI (`--version`, `transcribe` and `note` on the committed clip) and
# the app started offscreen until its first window (first-run profile, then sign-in), and, where
# xvfb-run exists, once more on a virtual X display through Qt's xcb plugin. It prints the folder's
# size and the start-up times. .ci/run runs it after `make package`; under CI=true a missing
# `unshare` is a failure, elsewhere the checks run with the network.
#
# Usage: packaging/smoke.sh [DIST_FOLDER]   (default dist/Scribe)
set -euo pipefail
cd "$(dirname "$0")/.."
DIST=$(realpath "${1:-dist/Scribe}")
CLIP=$(realpath tests/data/visit_short.wav)
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' scribe/__init__.py)

fail() { echo "smoke: FAIL: $*" >&2; exit 1; }
[ -x "$DIST/scribe" ] && [ -x "$DIST/Scribe" ] || fail "no frozen app in $DIST (run make package)"

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK/bin" "$WORK/home"  # bin: PATH is this empty folder, so no python can be found

NET=(unshare -n)
[ "$(id -u)" = 0 ] || NET=(unshare -r -n)  # an unprivileged user namespace, where allowed
if ! "${NET[@]}" true 2>/dev/null; then
    [ "${CI:-}" = "true" ] && fail "unshare is unavailable, so the no-network run cannot be made"
    echo "smoke: warning: unshare is unavailable here; running WITH the network" >&2
    NET=()
fi

# The environment of an installed copy started from a fresh account.
ENV=(env -i PATH="$WORK/bin" HOME="$WORK/home" LANG=C.UTF-8 SCRIBE_HOME="$WORK/data"
     SCRIBE_PASSPHRASE="smoke test passphrase 1" SCRIBE_CLINICIAN="Smoke Test, MD")
frozen() { "${NET[@]}" "${ENV[@]}" "$@"; }
# Seconds (3 decimals) a command took; its stdout+stderr go to $WORK/out.
timed() {
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >"$WORK/out" 2>&1 || { local rc=$?; cat "$WORK/out" >&2; fail "exit $rc from: ${*: -3}"; }
    t1=$(date +%s.%N)
    awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
expect() { grep -q -i -- "$1" "$WORK/out" || { cat "$WORK/out" >&2; fail "$2"; }; }

frozen /bin/sh -c 'command -v python3 || command -v python' >/dev/null 2>&1 \
    && fail "a Python is reachable on the smoke PATH"
find "$DIST" -iname '*torch*' -print -quit | grep -q . && fail "the frozen folder carries torch"

t_version=$(timed frozen "$DIST/scribe" --version)
expect "^scribe $VERSION\$" "scribe --version did not print scribe $VERSION"

t_transcribe=$(timed frozen "$DIST/scribe" transcribe "$CLIP")
for word in cough penicillin "blood pressure" temperature fluids; do
    expect "$word" "the transcript lacks '$word'"
done
expect '^\[00:0[0-9]\]' "the transcript has no [mm:ss] lines"

t_note=$(timed frozen "$DIST/scribe" note "$CLIP")
expect "PLAN" "scribe note printed no PLAN section"
timed frozen "$DIST/scribe" list >/dev/null
expect "In review" "the note's visit is not listed as In review"
VISIT=$(awk 'NR == 1 { print $1 }' "$WORK/out")
# Signed and exported as HL7 v2.5.1: hl7apy loads its message definitions by name at this point
# only, which a frozen app can miss while every earlier command works.
timed frozen "$DIST/scribe" patient "$VISIT" --patient "Smoke Test" --mrn SMOKE-1 \
    --dob 1970-01-01 >/dev/null
timed frozen "$DIST/scribe" sign "$VISIT" --acknowledge-flags >/dev/null
expect "Signed by" "scribe sign did not sign the visit"
timed frozen "$DIST/scribe" export "$VISIT" --format hl7 >/dev/null
expect '^MSH|^~\\&|SCRIBE' "the HL7 export has no MSH segment"

# The app, offscreen: a fresh data folder shows the first-run profile window, then the sign-in.
APP=(/usr/bin/env QT_QPA_PLATFORM=offscreen SCRIBE_SMOKE_TEST=1)
t_app_first=$(timed frozen "${APP[@]}" SCRIBE_HOME="$WORK/fresh" "$DIST/Scribe")
expect "window 'Welcome to Scribe' shown" "the app did not show its first-run window"
t_app=$(timed frozen "${APP[@]}" "$DIST/Scribe")
expect "window 'Sign in to Scribe' shown" "the app did not show its sign-in window"

t_xcb="skipped (no xvfb-run)"
if command -v xvfb-run >/dev/null; then  # the real platform plugin, on a virtual X display
    t0=$(date +%s.%N)
    xvfb-run -a sh -c "$(printf '%q ' "${NET[@]}" "${ENV[@]}") DISPLAY=\$DISPLAY \
        XAUTHORITY=\$XAUTHORITY QT_QPA_PLATFORM=xcb SCRIBE_SMOKE_TEST=1 '$DIST/Scribe'" \
        >"$WORK/out" 2>&1 || { cat "$WORK/out" >&2; fail "the app did not start on X11 (xcb)"; }
    expect "window 'Sign in to Scribe' shown" "the app showed no window on X11 (xcb)"
    t_xcb="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.2f", b - a }') s"
fi

echo "smoke: OK: frozen Scribe $VERSION in $DIST"
echo "  folder size:                      $(du -sh "$DIST" | cut -f1)"
echo "  scribe --version:                 $t_version s"
echo "  scribe transcribe (first use):    $t_transcribe s   (visit_short.wav, 38 s of speech)"
echo "  scribe note:                      $t_note s"
echo "  app to first-run window:          $t_app_first s   (offscreen)"
echo "  app to sign-in window:            $t_app s   (offscreen)"
echo "  app to sign-in window on X11:     $t_xcb   (xvfb-run, QT_QPA_PLATFORM=xcb)"
echo "  network: ${NET[*]:-none (not isolated)}; PATH: an empty folder; env -i"
