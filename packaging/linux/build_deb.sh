#!/usr/bin/env bash
# `make deb`: the frozen folder (dist/Scribe, from `make package`) as a Debian package, built with
# dpkg-deb. It installs the folder under /opt/scribe, `scribe` and `scribe-app` in /usr/bin, the
# desktop entry and the icon. Reproducible: every time stamp is SOURCE_DATE_EPOCH (default: the last
# commit's time), owners are root (--root-owner-group), modes are normalised and dpkg-deb sorts the
# members, so the same folder gives the same .deb, byte for byte (checked: two builds, one sha256).
#
# Usage: packaging/linux/build_deb.sh [DIST_FOLDER] [OUT_FOLDER]   (defaults dist/Scribe, dist)
#        DEB_STAGE=FOLDER (default build/deb) is where the package tree is assembled.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
DIST=$(realpath -m "${1:-$ROOT/dist/Scribe}")
OUT=$(realpath -m "${2:-$ROOT/dist}")
STAGE_ROOT=$(realpath -m "${DEB_STAGE:-$ROOT/build/deb}")
cd "$ROOT"
[ -x "$DIST/Scribe" ] && [ -x "$DIST/scribe" ] || { echo "no frozen app in $DIST (make package)" >&2; exit 1; }

VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' scribe/__init__.py)
ARCH=$(dpkg --print-architecture)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || echo 0)}
STAGE=$STAGE_ROOT/scribe_${VERSION}_${ARCH}
DEB=$OUT/scribe_${VERSION}_${ARCH}.deb

rm -rf "$STAGE"
mkdir -p "$STAGE/DEBIAN" "$STAGE/opt" "$STAGE/usr/bin" "$STAGE/usr/share/applications" \
    "$STAGE/usr/share/icons/hicolor/scalable/apps" "$STAGE/usr/share/icons/hicolor/256x256/apps" \
    "$STAGE/usr/share/doc/scribe" "$OUT"
cp -a "$DIST" "$STAGE/opt/scribe"
ln -s /opt/scribe/scribe "$STAGE/usr/bin/scribe"
ln -s /opt/scribe/Scribe "$STAGE/usr/bin/scribe-app"
install -m 0644 packaging/linux/org.scribe.Scribe.desktop "$STAGE/usr/share/applications/"
install -m 0644 packaging/linux/org.scribe.Scribe.svg "$STAGE/usr/share/icons/hicolor/scalable/apps/"
install -m 0644 packaging/linux/org.scribe.Scribe.png "$STAGE/usr/share/icons/hicolor/256x256/apps/"
{
    echo "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
    echo "Upstream-Name: Scribe"
    echo
    echo "Files: *"
    echo "Copyright: Scribe contributors"
    echo "License: MIT"
    sed 's/^$/./; s/^/ /' LICENSE
} > "$STAGE/usr/share/doc/scribe/copyright"
printf 'scribe (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' "$VERSION" "$VERSION" \
    "Scribe contributors <scribe@localhost>" "$(date -u -R -d "@$SOURCE_DATE_EPOCH")" \
    | gzip -9n > "$STAGE/usr/share/doc/scribe/changelog.gz"
mkdir -p "$STAGE/usr/share/lintian/overrides"
install -m 0644 packaging/linux/lintian-overrides "$STAGE/usr/share/lintian/overrides/scribe"

# The frozen folder carries Python, Qt (with its xcb libraries) and PortAudio; what it takes from
# the system is the C library, ALSA (PortAudio's backend) and, to record, an audio server.
cat > "$STAGE/DEBIAN/control" <<EOF
Package: scribe
Version: $VERSION
Architecture: $ARCH
Maintainer: Scribe contributors <scribe@localhost>
Installed-Size: $(du -sk --apparent-size "$STAGE" | cut -f1)
Depends: libc6 (>= 2.28), libasound2 | libasound2t64
Recommends: pipewire-pulse | pulseaudio, libasound2-plugins | pipewire-alsa
Section: science
Priority: optional
Description: offline ambient clinical scribe
 Scribe records a clinician-patient visit with the patient's agreement,
 transcribes it on this computer, drafts the visit note with every sentence
 linked to what was said, and lets the clinician review and sign it.
 No network is used; everything on disk is encrypted.
EOF

# Normalise what the build machine's umask and clock left: modes, then times.
chmod -R u+rwX,go+rX,go-w "$STAGE"
find "$STAGE/opt" -type f -name '*.so*' -exec chmod 0644 {} +  # libraries are not programs
find "$STAGE" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +

# gzip: under a minute here for 430 MB, and every dpkg installs it. DEB_COMPRESSION=xz gives
# 350 MB in 7.5 minutes (2-core VM), one xz thread so that the output does not depend on the CPUs.
ARGS=(-Zgzip -z6)
if [ "${DEB_COMPRESSION:-gzip}" = xz ]; then
    ARGS=(-Zxz -z6)
    dpkg-deb --help | grep -q -- --threads-max && ARGS+=(--threads-max=1)
fi
dpkg-deb --root-owner-group "${ARGS[@]}" --build "$STAGE" "$DEB" >/dev/null
echo "$DEB ($(du -h "$DEB" | cut -f1)) sha256 $(sha256sum "$DEB" | cut -d' ' -f1)"
