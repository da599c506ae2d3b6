"""Voice enrolment: the clinician reads a paragraph for 20–30 s; Scribe keeps a voice print.

The voice print is made on a worker thread (``scribe.speakers.enrol``) and stored on the main thread
(``scribe.visit.enrolment.save_enrolment``); the reading's audio file is deleted right after. With
``staff=True`` the reader is a member of the clinic's staff (a nurse, an interpreter, a resident),
named here, and the print becomes their voice profile (``save_profile``). ``EnrolDialog`` opens the
panel over another view (the transcript's "Enrol my voice…").
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scribe.audio.recorder import Recorder
from scribe.audio.vault import AudioVault
from scribe.errors import ScribeError
from scribe.speakers import StaffRole
from scribe.visit.enrolment import save_enrolment, save_profile
from scribe.visit.workspace import Workspace
from ui.off_thread import run_off_thread

MIN_S = 20.0
MAX_S = 30.0


class EnrolPanel(QWidget):
    """Record a reading and keep its voice print: the clinician's, or (``staff``) a named staff
    member's profile."""

    def __init__(self, ws: Workspace, stream_factory: Callable[..., Any] | None = None,
                 parent: QWidget | None = None, *, staff: bool = False) -> None:
        super().__init__(parent)
        from scribe.speakers import ENROLMENT_PARAGRAPH

        self.ws = ws
        self.staff = staff
        self.stream_factory = stream_factory
        self.recorder: Recorder | None = None
        self._dir: Path | None = None
        self._seconds = 0.0
        if staff:
            intro = QLabel("A member of staff who is often in your visits (a nurse, an "
                           "interpreter, a resident) reads this aloud; Scribe then names their "
                           "turns in later visits.")
        else:
            intro = QLabel("Read this aloud at your usual pace, in the room where you see "
                           "patients. Scribe then tells your voice from your patients'.")
        intro.setWordWrap(True)
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Kim")
        self.name.setAccessibleName("Staff member's name")
        self.role = QComboBox()
        self.role.setAccessibleName("Staff member's role")
        for r in StaffRole:
            self.role.addItem(r.label, r.value)
        who = QWidget()
        form = QFormLayout(who)
        form.setContentsMargins(0, 0, 0, 0)
        form.addRow("&Name", self.name)
        form.addRow("&Role", self.role)
        who.setVisible(staff)
        paragraph = QLabel(ENROLMENT_PARAGRAPH)
        paragraph.setWordWrap(True)
        paragraph.setObjectName("enrolText")
        self.start_btn = QPushButton("Start reading")
        self.done_btn = QPushButton("Done")
        self.start_btn.clicked.connect(self.start)
        self.done_btn.clicked.connect(self.finish)
        self.bar = QProgressBar()
        self.bar.setRange(0, int(MAX_S))
        self.bar.setFormat("%v s")
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.timer = QTimer(self)
        self.timer.setInterval(100)
        self.timer.timeout.connect(self.on_poll)
        lay = QVBoxLayout(self)
        for w in (intro, who, paragraph, self.start_btn, self.bar, self.done_btn, self.status):
            lay.addWidget(w)
        lay.addStretch(1)
        self._show_state()

    def _show_state(self) -> None:
        recording = self.recorder is not None
        self.start_btn.setEnabled(not recording)
        self.done_btn.setEnabled(recording and self.recorder.elapsed_s >= MIN_S)
        if not recording and not self.status.text() and not self.staff:
            enrolled = self.ws.settings.voiceprint is not None
            self.status.setText("Voice enrolled." if enrolled else "Not enrolled yet.")

    def start(self) -> None:
        if self.staff and not self.name.text().strip():
            self.status.setText("Type the staff member's name first.")
            return
        self._dir = Path(tempfile.mkdtemp(prefix=".enrol-", dir=self.ws.vault.folder))
        # Sealed with the clinician's key like every recording, and deleted once read.
        rec = AudioVault(self._dir, self.ws.key).recorder(stream_factory=self.stream_factory,
                                                          name="enrolment")
        try:
            rec.start()
        except ScribeError as e:
            self._cleanup()
            self.status.setText(e.message)
            return
        self.recorder = rec
        self.status.setText(f"Recording… keep reading ({int(MIN_S)}–{int(MAX_S)} s).")
        self.timer.start()
        self._show_state()

    def on_poll(self) -> None:
        rec = self.recorder
        if rec is None:
            self.timer.stop()
            return
        self.bar.setValue(int(min(rec.elapsed_s, MAX_S)))
        if rec.elapsed_s >= MAX_S or rec.error is not None:
            self.finish()
        else:
            self._show_state()

    def finish(self) -> None:
        """Stop reading and make the voice print on a worker thread."""
        rec, self.recorder = self.recorder, None
        self.timer.stop()
        if rec is None:
            return
        try:
            rec.stop()
            audio = rec.read_audio()
        except ScribeError as e:
            self._cleanup()
            self.status.setText(e.message)
            self._show_state()
            return
        self._cleanup()
        self._seconds = len(audio) / 16000
        self.status.setText("Making the voice print…" if self.staff else
                            "Making your voice print…")
        self.start_btn.setEnabled(False)
        self.done_btn.setEnabled(False)

        def make() -> Any:
            from scribe.speakers import enrol

            return enrol(audio)

        run_off_thread(make, self.on_enrolled, self.on_failed, self)

    def on_enrolled(self, voiceprint: Any) -> None:
        try:
            if self.staff:
                # enrol() embeds 1.6 s windows 0.5 s apart: the print is the mean of this many.
                windows = max(1, int((self._seconds - 1.6) / 0.5))
                profile = save_profile(self.ws, self.name.text(), self.role.currentData(),
                                       voiceprint, windows=windows)
                self.status.setText(f"Scribe will know {profile.label}'s voice in later visits.")
            else:
                save_enrolment(self.ws, voiceprint)
                self.status.setText("Voice enrolled.")
        except ScribeError as e:
            self.status.setText(e.message)
        self._show_state()

    def on_failed(self, text: str) -> None:
        self.status.setText(text)
        self._show_state()

    def cancel(self) -> None:
        """Closing Settings mid-reading: stop and keep nothing."""
        rec, self.recorder = self.recorder, None
        self.timer.stop()
        if rec is not None:
            try:
                rec.stop()
            except ScribeError:
                pass
        self._cleanup()

    def _cleanup(self) -> None:
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None


class EnrolDialog(QDialog):
    """The enrolment panel in a dialog of its own, opened where it is offered (the transcript's
    "Enrol my voice…"); closing it mid-reading keeps nothing."""

    def __init__(self, ws: Workspace, stream_factory: Callable[..., Any] | None = None,
                 parent: QWidget | None = None, *, staff: bool = False) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add a staff voice" if staff else "Enrol my voice")
        self.panel = EnrolPanel(ws, stream_factory, self, staff=staff)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.panel)
        lay.addWidget(buttons)
        self.finished.connect(lambda _r: self.panel.cancel())
