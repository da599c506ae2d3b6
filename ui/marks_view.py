"""The moments marked during a visit (Ctrl+M, side notes), listed at their time for review."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QWidget

from scribe.domain import Mark
from scribe.transcript_io import timestamp
from ui.controller import Controller

AT_ROLE = Qt.ItemDataRole.UserRole + 1
NO_NOTE = "Marked moment"


def mark_text(mark: Mark) -> str:
    """``[mm:ss] ★ note`` (the transcript's time format)."""
    return f"[{timestamp(mark.at_s)}] ★ {mark.note or NO_NOTE}"


class MarksView(QListWidget):
    """A visit's marks, oldest first; ``seek(at_s)`` when one is activated (Enter, double-click).

    Hook-up in the review screen::

        self.marks = MarksView(controller)
        self.marks.load(encounter_id)
        self.marks.seek.connect(self.on_seek)   # highlight and play the transcript from at_s
    """

    seek = Signal(float)

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.encounter_id: str | None = None
        self.setAccessibleName("Marked moments")
        self.setToolTip("Moments marked during the visit; Enter or double-click goes there.")
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setWordWrap(True)
        self.itemActivated.connect(self.on_activated)

    def load(self, encounter_id: str | None) -> None:
        """Show ``encounter_id``'s marks (none for None)."""
        self.encounter_id = encounter_id
        self.clear()
        if encounter_id is None:
            return
        for mark in self.controller.store.marks(encounter_id):
            item = QListWidgetItem(mark_text(mark))
            item.setData(AT_ROLE, mark.at_s)
            item.setToolTip(f"Go to {timestamp(mark.at_s)} in the transcript")
            self.addItem(item)

    def on_activated(self, item: QListWidgetItem) -> None:
        self.seek.emit(float(item.data(AT_ROLE)))
