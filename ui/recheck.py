"""Re-check the sentences a clinician edited, off the UI thread.

The fact checks (``scribe.note.checks.check_note``) run over the whole note and transcript (a few
hundred ms for a long visit, a second the first time while the drug lexicon loads), so they run on a
worker and the review view polls for the result, like the rest of the app's background work.
``scribe.note.editing.merge_checks`` then decides, on the main thread, what an edit changes (the
rules live in the core, with the rest of editing).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor

from PySide6.QtCore import QObject, QTimer, Signal

from scribe.domain import NoteDraft, Transcript
from scribe.note.checks import check_note

log = logging.getLogger("scribe.ui")

POLL_MS = 20
_pool: ThreadPoolExecutor | None = None


def _lane() -> ThreadPoolExecutor:
    """One worker for every review view: checks run one at a time and never touch SQLite."""
    global _pool
    if _pool is None:
        _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="scribe-recheck")
    return _pool


class Rechecker(QObject):
    """``checked(encounter_id, note, checked_note)`` on the main thread after ``start``; the
    receiver merges it with :func:`merge_checks` if the note is still that text (``checked_note``
    is None when the check failed: the edits are still to be saved)."""

    checked = Signal(str, object, object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: tuple[str, NoteDraft, Future[NoteDraft]] | None = None
        self._next: tuple[str, NoteDraft, Transcript] | None = None
        self._timer = QTimer(self)  # dies with the view: a late result then goes nowhere
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def busy(self) -> bool:
        return self._running is not None or self._next is not None

    def start(self, encounter_id: str, note: NoteDraft, transcript: Transcript) -> None:
        """Check ``note`` on the worker; a request while one runs waits (only the latest)."""
        if self._running is not None:
            self._next = (encounter_id, note, transcript)
            return
        self._running = (encounter_id, note, _lane().submit(check_note, note, transcript))
        self._timer.start()

    def cancel(self) -> None:
        """Forget what is under way (another visit opened, or the note was signed)."""
        self._running = self._next = None
        self._timer.stop()

    def _poll(self) -> None:
        if self._running is None:
            self._timer.stop()
            return
        eid, note, future = self._running
        if not future.done():
            return
        self._running = None
        self._timer.stop()
        error = future.exception()
        if error is not None:  # the sentences stay as they were; the log gets no text
            log.warning("re-check of visit %s failed: %s", eid, type(error).__name__)
        self.checked.emit(eid, note, None if error is not None else future.result())
        if self._next is not None:
            waiting, self._next = self._next, None
            self.start(*waiting)
