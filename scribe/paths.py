"""Where Scribe keeps its data: ``SCRIBE_HOME`` or the platform's user data directory."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs


def data_dir() -> Path:
    env = os.environ.get("SCRIBE_HOME")
    root = Path(env).expanduser() if env else Path(platformdirs.user_data_dir("Scribe", "Scribe"))
    root.mkdir(parents=True, exist_ok=True)
    return root


def models_dir() -> Path:
    """The model store; ``SCRIBE_MODELS`` may point several data directories at one store."""
    env = os.environ.get("SCRIBE_MODELS")
    return Path(env).expanduser() if env else data_dir() / "models"


def audio_dir() -> Path:
    d = data_dir() / "audio"
    d.mkdir(parents=True, exist_ok=True)
    return d


def templates_dir() -> Path:
    return data_dir() / "templates"


def db_path() -> Path:
    return data_dir() / "scribe.db"
