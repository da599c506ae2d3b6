"""The transcript beside the note: timestamped segments, speakers, evidence highlighting."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QAbstractItemView, QListWidget, QListWidgetItem, QMenu, QWidget

from scribe.domain import Transcript
from scribe.transcript_io import format_segment

EVIDENCE_BG = QColor("#d7ecff")
SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1
SPEAKER_COLOURS = {"clinician": "#1a4f8b", "patient": "#7a3e00", "other": "#555555"}


class TranscriptView(QListWidget):
    """One row per segment; ``play_requested(start_s)`` on double-click."""

    play_requested = Signal(float)
    speaker_chosen = Signal(int, str)  # segment index, "clinician" | "patient" | "other"

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        self.setSpacing(3)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setToolTip("Double-click a line to hear the audio from there.")
        self.itemDoubleClicked.connect(self.on_double_clicked)
        self._highlighted: list[int] = []
        self.editable = True  # speaker fixes allowed (not once the note is signed)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self.on_menu)

    def speaker_menu(self, item: QListWidgetItem) -> QMenu:
        """The context menu of a line: Speaker ▸ Clinician / Patient / Other."""
        menu = QMenu(self)
        sub = menu.addMenu("Speaker")
        sub.setEnabled(self.editable)
        index = item.data(SEGMENT_ROLE)[0]
        for value in ("clinician", "patient", "other"):
            sub.addAction(value.capitalize()).setData(value)
        # QMenu.triggered(QAction): no bool 'checked' argument goes through a Python lambda.
        sub.triggered.connect(lambda act: self.speaker_chosen.emit(index, act.data()))
        return menu

    def on_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is not None:
            self.speaker_menu(item).exec(self.viewport().mapToGlobal(pos))

    def set_transcript(self, transcript: Transcript | None) -> None:
        self.clear()
        self._highlighted = []
        if transcript is None:
            return
        for seg in transcript.segments:
            item = QListWidgetItem(format_segment(seg))
            item.setData(SEGMENT_ROLE, (seg.index, seg.start))
            if seg.speaker:
                item.setForeground(QBrush(QColor(SPEAKER_COLOURS.get(seg.speaker, "#333333"))))
            self.addItem(item)

    def row_of_segment(self, index: int) -> int:
        for row in range(self.count()):
            if self.item(row).data(SEGMENT_ROLE)[0] == index:
                return row
        return -1

    def highlight(self, indexes: tuple[int, ...] | list[int]) -> None:
        """Mark the segments that support the selected note sentence and scroll to the first."""
        for row in self._highlighted:
            if 0 <= row < self.count():
                self.item(row).setBackground(QBrush())
        rows = [r for r in (self.row_of_segment(i) for i in indexes) if r >= 0]
        for row in rows:
            self.item(row).setBackground(QBrush(EVIDENCE_BG))
        self._highlighted = rows
        if rows:
            self.scrollToItem(self.item(rows[0]), QAbstractItemView.ScrollHint.PositionAtCenter)

    @property
    def highlighted_segments(self) -> list[int]:
        return [self.item(r).data(SEGMENT_ROLE)[0] for r in self._highlighted]

    def on_double_clicked(self, item: QListWidgetItem) -> None:
        self.play_requested.emit(float(item.data(SEGMENT_ROLE)[1]))
