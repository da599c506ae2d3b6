"""The frozen command line's entry point (packaging/scribe.spec builds it as `scribe`)."""

import sys

from scribe.cli import main

sys.exit(main())
