"""``scribe-app``: the system check first, then Qt.

A library Qt's own modules need (libEGL, libfontconfig) missing would stop ``import ui.app`` with a
traceback before the app's ``main`` could say anything; checked here before Qt is imported, it is
one sentence naming the package (the frozen app does the same in packaging/entry_app.py)."""

from __future__ import annotations

import os
import sys

from scribe import syscheck


def main() -> int:
    try:
        syscheck.check_app(os.environ)
    except syscheck.MissingSystemPackageError as e:
        print(f"scribe-app: {e.message}", file=sys.stderr)
        return 1
    from ui.app import main as app_main

    return app_main()


if __name__ == "__main__":
    sys.exit(main())
