#!/usr/bin/env bash
# A signed and notarised Scribe for macOS: dist/Scribe-<version>.dmg holding Scribe.app.
# UNTESTED in this repository's CI (Linux). Needs a Mac with Xcode's command-line tools, a
# "Developer ID Application" certificate in the keychain and an app-specific password:
#   SIGN_IDENTITY="Developer ID Application: Clinic Name (TEAMID)"
#   APPLE_ID=it@clinic.example  APPLE_TEAM_ID=TEAMID  APPLE_APP_PASSWORD=xxxx-xxxx-xxxx-xxxx
# .github/workflows/installers.yml runs it on macos-latest (unsigned when the secrets are absent).
set -euo pipefail
cd "$(dirname "$0")/../.."
VERSION=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' scribe/__init__.py)
APP=dist/Scribe.app
DMG=dist/Scribe-$VERSION.dmg
ENTITLEMENTS=packaging/macos/entitlements.plist

[ -d "$APP" ] || pyinstaller packaging/scribe.spec --noconfirm

if [ -z "${SIGN_IDENTITY:-}" ]; then
    echo "SIGN_IDENTITY is not set: building an UNSIGNED dmg (Gatekeeper will refuse it)." >&2
    hdiutil create -volname Scribe -srcfolder "$APP" -ov -format UDZO "$DMG"
    exit 0
fi

sign() {
    codesign --force --timestamp --options runtime --entitlements "$ENTITLEMENTS" \
        --sign "$SIGN_IDENTITY" "$@"
}
# Inside out: every library and program in the bundle, then the bundle itself (no --deep: each
# Mach-O file is signed once, with the hardened runtime).
find "$APP/Contents" -type f \( -name '*.dylib' -o -name '*.so' -o -perm -u+x \) -print0 \
    | while IFS= read -r -d '' f; do
        if file "$f" | grep -q 'Mach-O'; then sign "$f"; fi
    done
sign "$APP"
codesign --verify --strict --deep --verbose=2 "$APP"

notarise() {
    xcrun notarytool submit "$1" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
}
# The app first (so that it is stapled inside the dmg and opens offline), then the dmg.
ditto -c -k --keepParent "$APP" dist/Scribe-notarise.zip
notarise dist/Scribe-notarise.zip
xcrun stapler staple "$APP"
rm dist/Scribe-notarise.zip
hdiutil create -volname Scribe -srcfolder "$APP" -ov -format UDZO "$DMG"
codesign --force --timestamp --sign "$SIGN_IDENTITY" "$DMG"
notarise "$DMG"
xcrun stapler staple "$DMG"
spctl --assess --type open --context context:primary-signature --verbose "$DMG"
echo "$DMG: signed, notarised and stapled"
