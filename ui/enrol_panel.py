"""Voice enrolment: the clinician reads a paragraph for 20–30 s; Scribe keeps a voice print.

The voice print is made on a worker thread (``scribe.speakers.enrol``) and stored on the main thread
(``scribe.visit.enrolment.save_enrolment``); the reading's audio file is deleted right after.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from scribe.audio.recorder import Recorder
from scribe.audio.vault import AudioVault
from scribe.errors import ScribeError
from scribe.visit.enrolment import save_enrolment
from scribe.visit.workspace import Workspace
from ui.off_thread import run_off_thread

MIN_S = 20.0
MAX_S = 30.0


class EnrolPanel(QWidget):
    def __init__(self, ws: Workspace, stream_factory: Callable[..., Any] | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from scribe.speakers import ENROLMENT_PARAGRAPH

        self.ws = ws
        self.stream_factory = stream_factory
        self.recorder: Recorder | None = None
        self._dir: Path | None = None
        intro = QLabel("Read this aloud at your usual pace, in the room where you see patients. "
                       "Scribe then tells your voice from your patients'.")
        intro.setWordWrap(True)
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
        for w in (intro, paragraph, self.start_btn, self.bar, self.done_btn, self.status):
            lay.addWidget(w)
        lay.addStretch(1)
        self._show_state()

    def _show_state(self) -> None:
        recording = self.recorder is not None
        self.start_btn.setEnabled(not recording)
        self.done_btn.setEnabled(recording and self.recorder.elapsed_s >= MIN_S)
        if not recording and not self.status.text():
            enrolled = self.ws.settings.voiceprint is not None
            self.status.setText("Voice enrolled." if enrolled else "Not enrolled yet.")

    def start(self) -> None:
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
        self.status.setText("Making your voice print…")
        self.start_btn.setEnabled(False)
        self.done_btn.setEnabled(False)

        def make() -> Any:
            from scribe.speakers import enrol

            return enrol(audio)

        run_off_thread(make, self.on_enrolled, self.on_failed, self)

    def on_enrolled(self, voiceprint: Any) -> None:
        try:
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
