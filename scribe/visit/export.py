"""Handing a signed note on: as text, to a file or the clipboard. An unsigned note never leaves."""

from __future__ import annotations

from pathlib import Path

from scribe.export.text import export_text, export_to_file
from scribe.visit.workspace import Workspace

__all__ = ["export_file", "note_text"]


def note_text(ws: Workspace, encounter_id: str) -> str:
    """The signed note with its signature block and addenda (raises for an unsigned note)."""
    return export_text(ws.store, encounter_id)


def export_file(ws: Workspace, encounter_id: str, path: Path) -> None:
    """Write the signed note to ``path`` (atomically) and audit the export."""
    export_to_file(ws.store, encounter_id, path)
