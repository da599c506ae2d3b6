"""Logging to a file in the data directory. Log records carry ids and step names, never PHI."""

from __future__ import annotations

import logging
from logging.handlers import RotatingFileHandler

from scribe.paths import data_dir

_configured = False


def setup_logging(level: int = logging.INFO) -> None:
    global _configured
    if _configured:
        return
    _configured = True
    try:
        handler: logging.Handler = RotatingFileHandler(
            data_dir() / "scribe.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8"
        )
    except OSError:
        handler = logging.NullHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger("scribe")
    root.setLevel(level)
    root.addHandler(handler)
    root.propagate = False
