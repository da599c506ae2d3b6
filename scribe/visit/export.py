"""Handing a signed note on, and reading a visit: every disclosure is audited before it happens.

This is the one place a signed note leaves Scribe (a file, standard output, the app's clipboard,
any later format): the text is made (an unsigned note raises), the ``exported`` event is written,
and only then do the bytes leave. When the event cannot be written (the database is busy, the disk
is full) nothing leaves and the user gets one sentence. Reads of a visit's patient text (``scribe
show``, a search, the app's review screen) are audited the same way, with the signed-in clinician
as the actor. Events name the visit and the kind of target only: never a path, search words or
patient text.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from scribe.errors import ScribeError
from scribe.export.text import PrivateFile, export_text
from scribe.visit.workspace import Workspace

__all__ = [
    "commit_export",
    "disclose",
    "export_clipboard",
    "export_file",
    "export_stream",
    "note_text",
    "record_search",
    "record_view",
]


def note_text(ws: Workspace, encounter_id: str) -> str:
    """The signed note with its signature block and addenda (raises for an unsigned note).

    Not audited: for showing inside Scribe only. Anything that hands the text on goes through
    :func:`disclose` (or :func:`export_file`), which audits first.
    """
    return export_text(ws.store, encounter_id)


def disclose(ws: Workspace, encounter_id: str, target: str,
             deliver: Callable[[str], None]) -> str:
    """Audit that the signed note goes to ``target`` (a kind: "stdout", "clipboard"), then
    ``deliver`` it; returns the text. A failed audit raises before ``deliver`` is called."""
    text = _audited_text(ws, encounter_id, target)
    deliver(text)
    return text


def _audited_text(ws: Workspace, encounter_id: str, target: str) -> str:
    note_text(ws, encounter_id)  # an unsigned note raises before anything is recorded
    ws.store.record_export(encounter_id, target)
    # Made after the event, so the copy's audit chain line covers its own export.
    return note_text(ws, encounter_id)


def export_stream(ws: Workspace, encounter_id: str, stream: TextIO) -> None:
    """The signed note to standard output (audited first)."""

    def write(text: str) -> None:
        stream.write(text)
        stream.flush()

    disclose(ws, encounter_id, "stdout", write)


def export_clipboard(ws: Workspace, encounter_id: str, put: Callable[[str], None]) -> str:
    """The signed note to the clipboard through ``put`` (the app's, Qt-free here); audited first."""
    return disclose(ws, encounter_id, "clipboard", put)


def export_file(ws: Workspace, encounter_id: str, path: Path) -> None:
    """Write the signed note to ``path``: checked target, audit event, then an atomic write.

    A folder, a missing folder, an unwritable one or a file planted at the temporary name raise
    one sentence before the event; a write that fails after the event is recorded as
    ``export_failed`` and leaves the target as it was.
    """
    note_text(ws, encounter_id)  # an unsigned note raises before the target is touched
    with PrivateFile(Path(path)) as out:  # nothing written yet; removed unless committed
        ws.store.record_export(encounter_id, "file")
        commit_export(ws, encounter_id, out, note_text(ws, encounter_id))  # its chain line
        # covers this export


def commit_export(ws: Workspace, encounter_id: str, out: PrivateFile, text: str,
                  target: str = "file") -> None:
    """Write an export whose event is recorded; a failed write is recorded as ``export_failed``
    (the target left as it was) and its one sentence raised."""
    try:
        out.commit(text)
    except ScribeError:
        try:
            ws.store.record_event(encounter_id, "export_failed", target)
        except ScribeError:
            pass  # the sentence the user sees is the write's
        raise


def record_view(ws: Workspace, encounter_id: str, where: str) -> None:
    """Audit that the clinician opened a visit's transcript and note (``where``: "show",
    "show --json", "review"). Call before showing it: a failure raises and nothing is shown."""
    ws.store.record_event(encounter_id, "viewed", where)


def record_search(ws: Workspace, matches: int, where: str = "list") -> None:
    """Audit that a search of transcripts and notes happened and how many visits matched; the
    search words themselves are patient text and are never recorded."""
    ws.store.record_event(None, "searched", f"{where}: {matches} matched")
