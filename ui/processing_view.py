"""A visit being transcribed and drafted (progress bars, Cancel), or one that failed (reason, retry)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import Status
from ui.controller import Controller


class ProcessingView(QWidget):
    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.encounter_id: str | None = None
        self.title = QLabel()
        self.title.setObjectName("viewTitle")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.transcribe_bar = QProgressBar()
        self.draft_bar = QProgressBar()
        self.title.setWordWrap(True)
        self.status.setAccessibleName("Processing status")
        for bar, name in ((self.transcribe_bar, "Transcription"), (self.draft_bar, "Draft note")):
            bar.setRange(0, 100)
            bar.setAccessibleName(f"{name} progress")
        self.cancel_btn = QPushButton("Cancel")
        self.cancel_btn.setAccessibleName("Cancel processing this visit")
        self.cancel_btn.clicked.connect(self.on_cancel)
        self.retry_btn = QPushButton("Process again")
        self.retry_btn.setAccessibleName("Process this visit again")
        self.retry_btn.clicked.connect(self.on_retry)
        self.stream_title = QLabel("Draft so far (language model)")
        self.stream_title.setObjectName("paneTitle")
        self.stream = QPlainTextEdit()
        self.stream.setReadOnly(True)
        self.stream.setTabChangesFocus(True)
        self.stream.setAccessibleName("Draft so far")
        controller.draft_text.connect(self.on_draft_text)
        buttons = QHBoxLayout()
        buttons.addWidget(self.cancel_btn)
        buttons.addWidget(self.retry_btn)
        buttons.addStretch(1)
        lay = QVBoxLayout(self)
        lay.addWidget(self.title)
        lay.addWidget(self.status)
        for text, bar in (("Transcription", self.transcribe_bar), ("Draft note", self.draft_bar)):
            label = QLabel(text)
            label.setBuddy(bar)
            lay.addWidget(label)
            lay.addWidget(bar)
        lay.addLayout(buttons)
        lay.addWidget(self.stream_title)
        lay.addWidget(self.stream, 3)
        lay.addStretch(1)
        self._show_stream(False)
        controller.progress.connect(self.on_progress)

    def load(self, encounter_id: str) -> None:
        if encounter_id != self.encounter_id:
            self.transcribe_bar.setValue(0)
            self.draft_bar.setValue(0)
            self.stream.clear()
            self._show_stream(False)
        self.encounter_id = encounter_id
        enc = self.controller.encounter(encounter_id)
        self.title.setText(enc.label)
        failed = enc.status == Status.FAILED
        if failed:
            self.status.setText(enc.failure or "Processing failed.")
            self.status.setObjectName("error")
        else:
            queued = self.controller.job_for(encounter_id) is not None
            self.status.setText(f"{enc.status.label}…" if queued else
                                f"{enc.status.label}: waiting for the model.")
            self.status.setObjectName("")
        self.status.style().unpolish(self.status)
        self.status.style().polish(self.status)
        if enc.status == Status.DRAFTING:
            self.transcribe_bar.setValue(100)
        self.cancel_btn.setVisible(not failed)
        self.retry_btn.setVisible(failed)

    def on_progress(self, eid: str, step: str, fraction: float) -> None:
        if eid != self.encounter_id:
            return
        bar = self.transcribe_bar if step == "transcribing" else self.draft_bar
        if step == "drafting":
            self.transcribe_bar.setValue(100)
        bar.setValue(int(fraction * 100))

    def on_draft_text(self, eid: str, text: str) -> None:
        """Tokens the LLM drafter streams, as they come."""
        if eid != self.encounter_id:
            return
        self._show_stream(True)
        cursor = self.stream.textCursor()
        cursor.movePosition(cursor.MoveOperation.End)
        cursor.insertText(text)
        self.stream.setTextCursor(cursor)
        self.stream.ensureCursorVisible()

    def _show_stream(self, on: bool) -> None:
        self.stream_title.setVisible(on)
        self.stream.setVisible(on)

    def on_cancel(self) -> None:
        if self.encounter_id:
            self.controller.cancel(self.encounter_id)
            self.cancel_btn.setEnabled(False)

    def on_retry(self) -> None:
        if self.encounter_id:
            self.cancel_btn.setEnabled(True)
            self.controller.process_again(self.encounter_id)
