"""Logging to a file in the data directory. Log records carry ids and step names, never PHI.

The log (and each file it rotates to) is created 0600, private to the user (POSIX modes).
"""

from __future__ import annotations

import logging
import os
from logging.handlers import RotatingFileHandler
from typing import TextIO

from scribe.paths import POSIX, PRIVATE_FILE, data_dir

_configured = False


class PrivateRotatingFileHandler(RotatingFileHandler):
    """A rotating log whose files are opened 0600 (an older, wider log is tightened)."""

    def _open(self) -> TextIO:
        flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        fd = os.open(self.baseFilename, flags, PRIVATE_FILE)
        if POSIX:  # Windows has no POSIX modes
            try:
                os.fchmod(fd, PRIVATE_FILE)
            except OSError:
                pass
        return open(fd, "a", encoding=self.encoding, errors=self.errors)  # noqa: SIM115


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    try:
        handler: logging.Handler = PrivateRotatingFileHandler(
            data_dir() / "scribe.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("scribe")
    root.setLevel(level)
    root.addHandler(handler)
    root.propagate = False
