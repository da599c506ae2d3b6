"""How the app looks and what it has shown once: ``ui.ini`` in the data folder (QSettings).

Theme, zoom and whether the first-run walkthrough was seen; never patient data, so it is read before
sign-in (the sign-in screen is themed too) and is not encrypted.
"""

from __future__ import annotations

import enum
from pathlib import Path

from PySide6.QtCore import QSettings

from scribe.paths import data_dir
from ui.theme import SYSTEM, THEMES, clamp_zoom

FILE_NAME = "ui.ini"


class Pref(str, enum.Enum):
    """The keys in ``ui.ini``."""

    THEME = "view/theme"
    ZOOM = "view/zoom"
    WALKTHROUGH_SEEN = "help/walkthrough_seen"


class Preferences:
    """The app's look and first-run state, kept in ``folder/ui.ini`` (default: the data folder)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = (folder or data_dir()) / FILE_NAME
        self._q = QSettings(str(self.path), QSettings.Format.IniFormat)

    def _set(self, key: Pref, value: object) -> None:
        self._q.setValue(key.value, value)
        self._q.sync()  # written now: the app may be killed rather than closed

    @property
    def theme(self) -> str:
        value = str(self._q.value(Pref.THEME.value, SYSTEM))
        return value if value in THEMES else SYSTEM

    @theme.setter
    def theme(self, value: str) -> None:
        self._set(Pref.THEME, value if value in THEMES else SYSTEM)

    @property
    def zoom(self) -> float:
        try:
            return clamp_zoom(float(self._q.value(Pref.ZOOM.value, 1.0)))
        except (TypeError, ValueError):
            return 1.0

    @zoom.setter
    def zoom(self, value: float) -> None:
        self._set(Pref.ZOOM, clamp_zoom(value))

    @property
    def walkthrough_seen(self) -> bool:
        return str(self._q.value(Pref.WALKTHROUGH_SEEN.value, "false")).lower() == "true"

    @walkthrough_seen.setter
    def walkthrough_seen(self, value: bool) -> None:
        self._set(Pref.WALKTHROUGH_SEEN, "true" if value else "false")
