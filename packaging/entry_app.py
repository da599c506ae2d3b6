"""The frozen desktop app's entry point (packaging/scribe.spec builds it as `Scribe`).

The system check runs before Qt is imported, so a missing X11 library that Qt's own modules need
(not only its platform plugin) is one sentence naming the package, never a traceback.
"""

import os
import sys

from scribe import syscheck

try:
    syscheck.check_app(os.environ)
except syscheck.MissingSystemPackageError as e:
    print(f"scribe-app: {e.message}", file=sys.stderr)
    sys.exit(1)

from ui.app import main  # noqa: E402 - after the check, on purpose

sys.exit(main())
