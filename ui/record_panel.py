"""New visit: microphone, language, consent, Record / Pause / Resume / Stop, elapsed time and a
level meter; while recording, "Mark moment" (Ctrl+M) and a side-note field keep moments with the
visit. The language chosen here (issue 13) is remembered and used for the visits recorded or
imported after it.

The recorder's audio callback never talks to Qt; this panel polls its level, elapsed time and
state with a 50 ms timer (a signal per audio block would flood the event loop).
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from scribe.audio.devices import InputDevice, list_input_devices
from scribe.audio.recorder import RecorderState
from scribe.domain import Segment
from scribe.errors import ScribeError
from scribe.speakers.live import turns
from scribe.visit.engines import AUTO, LANGUAGES, language_code, language_name
from ui import theme
from ui.controller import Controller
from ui.encounter_model import duration_text
from ui.identity_form import IdentityForm

SILENCE_WARNING_S = 10.0
POLL_MS = 50
RECORD_KEYS = ("Ctrl+R",)
"""Record, then Pause / Resume (the main window's Visit menu holds the actions)."""
STOP_KEYS = ("Ctrl+.",)
"""Stop: a different key from Record, so a pause can never end the visit by a slip."""
MARK_KEYS = ("Ctrl+M",)
SIDE_NOTE_HINT = "Side note (kept with the visit, not in the note)"


class RecordPanel(QWidget):
    """The record view. ``stopped(encounter_id)`` fires once the recording is handed on."""

    stopped = Signal(str)

    def __init__(
        self,
        controller: Controller,
        devices: Callable[[], list[InputDevice]] = list_input_devices,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.controller = controller
        self._devices = devices
        self.timer = QTimer(self)
        self.timer.setInterval(POLL_MS)
        self.timer.timeout.connect(self.on_poll)

        title = QLabel("New visit")
        title.setObjectName("viewTitle")
        self.label_edit = QLineEdit()
        self.label_edit.setPlaceholderText("e.g. room 3, follow-up (optional)")
        self.label_edit.setAccessibleName("Visit label")
        self.device_combo = QComboBox()
        self.device_combo.setMinimumContentsLength(24)
        self.device_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.device_combo.setAccessibleName("Microphone")
        self.consent = QCheckBox("Patient agreed to recording")
        self.consent.setToolTip("Ask the patient before recording; Record stays off until checked.")
        self.consent.setAccessibleName("Patient agreed to recording")
        self.consent.toggled.connect(self._update_buttons)

        # The visit's language: detected, or chosen; another language can be drafted in English.
        self.language_combo = QComboBox()
        self.language_combo.setAccessibleName("Visit language")
        self.language_combo.setToolTip("The language the visit is spoken in; Automatic lets the "
                                       "speech model tell. Kept for the next visits.")
        self.language_combo.addItem(language_name(None), AUTO)
        for code, name in LANGUAGES.items():
            self.language_combo.addItem(name, code)
        self.translate_check = QCheckBox("Draft the note in &English")
        self.translate_check.setAccessibleName("Draft the note in English")
        self.translate_check.setToolTip(
            "A visit in another language is transcribed as spoken and translated into English; "
            "the note is drafted from the English, and both transcripts are kept.")
        self.language_hint = QLabel()
        self.language_hint.setObjectName("subtitle")
        self.language_hint.setWordWrap(True)
        self.language_hint.setAccessibleName("About the visit's language")
        self.language_hint.hide()
        language_label = QLabel("&Language")
        language_label.setBuddy(self.language_combo)
        language_row = QHBoxLayout()
        language_row.addWidget(self.language_combo)
        language_row.addWidget(self.translate_check)
        language_row.addStretch(1)
        self.load_language()
        self.language_combo.currentIndexChanged.connect(self.on_language)
        self.translate_check.toggled.connect(self.on_language)

        self.identity = IdentityForm(self)
        form = QFormLayout()
        form.addRow("Visit label", self.label_edit)
        self.identity.add_rows(form)
        form.addRow("Microphone", self.device_combo)
        form.addRow(language_label, language_row)
        form.addRow("", self.language_hint)
        form.addRow("", self.consent)

        self.record_btn = QPushButton("● Record")
        self.record_btn.setObjectName("recordButton")
        self.record_btn.setAccessibleName("Record")
        self.pause_btn = QPushButton("Pause")
        self.pause_btn.setAccessibleName("Pause")
        self.stop_btn = QPushButton("■ Stop")
        self.stop_btn.setAccessibleName("Stop recording")
        self.record_btn.clicked.connect(self.on_record)
        self.pause_btn.clicked.connect(self.on_pause)
        self.stop_btn.clicked.connect(self.on_stop)
        self.mark_btn = QPushButton("★ Mark moment")
        self.mark_btn.setAccessibleName("Mark this moment")
        self.mark_btn.clicked.connect(lambda: self.on_mark())
        buttons = QHBoxLayout()
        for b in (self.record_btn, self.pause_btn, self.stop_btn, self.mark_btn):
            b.setMinimumHeight(36)
            buttons.addWidget(b)
        buttons.addStretch(1)

        # A moment and a side note are kept with the visit (shown in review at their time), not
        # written into the note.
        self.note_edit = QLineEdit()
        self.note_edit.setPlaceholderText(SIDE_NOTE_HINT)
        self.note_edit.setAccessibleName("Side note")
        self.note_edit.setToolTip("Type a note and press Enter: it is kept at this moment of the "
                                  "recording, with the visit, not in the note.")
        self.note_edit.returnPressed.connect(self.on_side_note)
        self.mark_feedback = QLabel()
        self.mark_feedback.setObjectName("markFeedback")
        self.mark_feedback.setAccessibleName("Marked moments")
        notes_row = QHBoxLayout()
        notes_row.addWidget(self.note_edit, 1)
        notes_row.addWidget(self.mark_feedback)

        self.elapsed = QLabel("0:00")
        self.elapsed.setObjectName("elapsed")
        self.elapsed.setAccessibleName("Recorded time")
        self.meter = QProgressBar()
        self.meter.setRange(0, 100)
        self.meter.setTextVisible(False)
        self.meter.setFixedHeight(14)
        self.meter.setObjectName("levelMeter")
        self.meter.setAccessibleName("Microphone level")
        self.state_label = QLabel()
        self.state_label.setObjectName("recState")
        self.state_label.setAccessibleName("Recording state")
        meter_row = QHBoxLayout()
        meter_row.addWidget(self.state_label)
        meter_row.addWidget(self.elapsed)
        meter_row.addWidget(self.meter, 1)

        self.silence = QLabel("No sound for 10 s — check the microphone.")
        self.silence.setObjectName("warning")
        self.silence.hide()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        # The live transcript (issue 3): committed text, then a lighter pending tail.
        self.live_title = QLabel(
            "Live transcript — grey italic words may still change; speakers are checked again "
            "at Stop"
        )
        self.live_title.setObjectName("paneTitle")
        self.live_title.setWordWrap(True)
        self.live = QTextEdit()
        self.live.setReadOnly(True)
        self.live.setTabChangesFocus(True)
        self.live.setAccessibleName("Live transcript")
        self.live.setPlaceholderText("The transcript appears here as you speak.")
        self.committed_text = ""
        self.pending_text = ""
        self._marks = 0
        controller.live_changed.connect(self.on_live)

        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addLayout(form)
        lay.addSpacing(8)
        lay.addLayout(buttons)
        lay.addLayout(meter_row)
        lay.addLayout(notes_row)
        lay.addWidget(self.silence)
        lay.addWidget(self.error)
        lay.addWidget(self.live_title)
        lay.addWidget(self.live, 1)
        self._fit_labels()
        self.reset()

    # --- state --------------------------------------------------------------------------------
    def reset(self) -> None:
        """Ready for a new visit (unless one is recording)."""
        if self.controller.recorder is None:
            self.label_edit.clear()
            self.identity.clear()
            self.consent.setChecked(False)
            self.elapsed.setText("0:00")
            self.meter.setValue(0)
            self.note_edit.clear()
            self.mark_feedback.clear()
            self.silence.hide()
            self.error.hide()
            self.show_live("", "")
            self.load_devices()
            self.load_language()
        self._update_buttons()

    def load_devices(self) -> None:
        self.device_combo.clear()
        try:
            devices = self._devices()
        except ScribeError as e:
            devices = []
            self.show_error(e.message)
        default_row = 0
        for d in devices:
            self.device_combo.addItem(d.name + (" (default)" if d.is_default else ""), d.index)
            if d.is_default:
                default_row = self.device_combo.count() - 1
        if not devices:
            self.device_combo.addItem("System default", None)
        self.device_combo.setCurrentIndex(default_row)

    def load_language(self) -> None:
        """Show the remembered language choice (a value no longer offered shows as English)."""
        language, draft_in_english = self.controller.language_choice()
        row = self.language_combo.findData(language)
        widgets = (self.language_combo, self.translate_check)
        for w in widgets:
            w.blockSignals(True)
        self.language_combo.setCurrentIndex(row if row >= 0 else
                                            self.language_combo.findData("en"))
        self.translate_check.setChecked(draft_in_english)
        for w in widgets:
            w.blockSignals(False)
        self._show_language()

    def language(self) -> tuple[str | None, bool]:
        """The chosen language (a Whisper code, None for Automatic) and whether the note is
        drafted in English."""
        code = language_code(self.language_combo.currentData())
        return code, self.translate_check.isChecked() and code != "en"

    def on_language(self) -> None:
        """Remember the choice (it applies to this visit and the next ones) and say what it means."""
        self.controller.set_language_choice(self.language_combo.currentData(),
                                            draft_in_english=self.translate_check.isChecked())
        self._show_language()

    def _show_language(self) -> None:
        code, translate = self.language()
        self.translate_check.setEnabled(code != "en" and self.controller.recorder is None)
        notes = []
        if code != "en":
            model_notice = self.controller.engines().model_notice()
            if model_notice:
                notes.append(model_notice)
            if not translate:
                source = (f"the {language_name(code)} transcript" if code
                          else "a visit in another language")
                notes.append(f"Scribe drafts and checks notes in English only, so a note drafted "
                             f"from {source} may miss what was said.")
        self.language_hint.setText(" ".join(notes))
        self.language_hint.setVisible(bool(notes))

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def show_live(
        self, committed: str, pending: str = "", segments: list[Segment] | None = None
    ) -> None:
        """Committed text in the normal colour, then the pending tail (may still change) in grey.

        With ``segments`` (the committed text's segments), each speaker's turn is its own
        paragraph headed by the speaker (issue 6); turns not yet labelled have no heading.
        """
        self.committed_text, self.pending_text = committed, pending
        if not committed and not pending:
            self.live.clear()
            return
        paras = [(t.speaker, t.text) for t in turns(segments)] if segments else [(None, committed)]
        parts = [
            (f"<b>{html.escape(who.upper())}:</b> " if who else "") + html.escape(text)
            for who, text in paras
        ] or [""]
        if pending:  # grey and italic: not told by colour alone
            parts[-1] += (f' <i style="color:{theme.current().pending}">'
                          f'{html.escape(pending)}</i>')
        self.live.setHtml("".join(f"<p>{p}</p>" for p in parts))
        bar = self.live.verticalScrollBar()
        bar.setValue(bar.maximum())

    def on_live(self, eid: str, committed: str, pending: str) -> None:
        if eid == self.controller.recording_id:
            self.show_live(committed, pending, self.controller.live_segments.get(eid))

    def _update_buttons(self) -> None:
        rec = self.controller.recorder
        recording = rec is not None
        self.record_btn.setEnabled(not recording and self.consent.isChecked())
        self.consent.setEnabled(not recording)
        self.device_combo.setEnabled(not recording)
        self.language_combo.setEnabled(not recording)  # the live pass started with it
        self.translate_check.setEnabled(not recording and self.language()[0] != "en")
        self.label_edit.setEnabled(not recording)
        self.pause_btn.setEnabled(recording)
        self.stop_btn.setEnabled(recording)
        self.mark_btn.setEnabled(recording)
        self.note_edit.setEnabled(recording)
        paused = rec is not None and rec.state is RecorderState.PAUSED
        self.pause_btn.setText("Resume" if paused else "Pause")
        self.pause_btn.setAccessibleName(self.pause_btn.text())
        self.state_label.setText("Paused" if paused else "● Recording" if recording else "")
        self.state_label.setProperty("paused", paused)
        self.state_label.style().unpolish(self.state_label)
        self.state_label.style().polish(self.state_label)

    def set_shortcut_tips(self, record: str, stop: str, mark: str) -> None:
        """Name the window's shortcuts in the buttons' tooltips."""
        for button, text, keys in (
            (self.record_btn, "Start recording (once the patient agreed)", record),
            (self.pause_btn, "Pause or resume the recording", record),
            (self.stop_btn, "Stop: every second is kept, then transcribed and drafted", stop),
            (self.mark_btn, "Mark this moment of the recording; it shows in review", mark),
        ):
            button.setToolTip(f"{text} ({keys})" if keys else text)

    def focus_start(self) -> None:
        """Focus where a keyboard user starts: the label field, or the side note while recording."""
        (self.note_edit if self.controller.recorder is not None else self.label_edit).setFocus(
            Qt.FocusReason.OtherFocusReason)

    def _fit_labels(self) -> None:
        """Room for the longest clock and state text, so the meter does not jump as they change
        (measured in the current font: it follows the zoom)."""
        for label, longest in ((self.elapsed, "00:00:00"), (self.state_label, "● Recording")):
            label.ensurePolished()
            label.setMinimumWidth(label.fontMetrics().horizontalAdvance(longest) + 8)

    def restyle(self) -> None:
        """Fit the labels to the new font and draw the live transcript in the theme's colours."""
        self._fit_labels()
        if self.committed_text or self.pending_text:
            rid = self.controller.recording_id
            self.show_live(self.committed_text, self.pending_text,
                           self.controller.live_segments.get(rid) if rid else None)

    # --- slots --------------------------------------------------------------------------------
    def on_record_key(self) -> None:
        """The Record key: record once the patient agreed (else focus the tick box and say so),
        pause or resume while recording."""
        if self.controller.recorder is not None:
            self.on_pause()
        elif not self.consent.isChecked():
            self.consent.setFocus(Qt.FocusReason.ShortcutFocusReason)
            self.controller.message.emit("Ask the patient first: tick “Patient agreed to "
                                         "recording” (Space), then record.", "info")
        else:
            self.on_record()

    def on_mark(self, note: str = "") -> bool:
        """Mark this moment of the recording (with ``note``); the label says how many so far."""
        rec = self.controller.recorder
        if rec is None:
            return False
        at = rec.elapsed_s
        if not self.controller.mark_moment(note):
            return False
        self._marks += 1
        what = "Side note kept" if note else "Moment marked"
        self.mark_feedback.setText(f"★ {what} at {duration_text(at)} · {self._marks} this visit")
        return True

    def on_side_note(self) -> None:
        text = self.note_edit.text().strip()
        if text and self.on_mark(text):
            self.note_edit.clear()

    def on_record(self) -> None:
        if not self.consent.isChecked():
            return
        self.error.hide()
        self.show_live("", "")
        eid = self.controller.start_recording(self.device_combo.currentData(),
                                              self.label_edit.text(), self.identity.identity())
        if eid is None:
            self.show_error("The recording did not start; see the message above.")
            return
        self._marks = 0
        self.mark_feedback.clear()
        self.timer.start()
        QTimer.singleShot(0, self.on_poll)  # the meter moves at once, not a poll interval later
        self._update_buttons()
        self.note_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def on_pause(self) -> None:
        rec = self.controller.recorder
        if rec is None:
            return
        if rec.state is RecorderState.PAUSED:
            self.controller.resume_recording()
        else:
            self.controller.pause_recording()
        self._update_buttons()

    def on_stop(self) -> None:
        self.timer.stop()
        rec = self.controller.recorder
        error = rec.error if rec is not None else None
        eid = self.controller.stop_recording()
        self.meter.setValue(0)
        self.silence.hide()
        self._update_buttons()
        if error is not None:
            self.show_error(error.message)
        if eid:
            self.stopped.emit(eid)

    def on_poll(self) -> None:
        rec = self.controller.recorder
        if rec is None:
            self.timer.stop()
            return
        self.meter.setValue(int(rec.take_peak() * 100))
        self.elapsed.setText(duration_text(rec.elapsed_s))
        self.silence.setVisible(rec.state is RecorderState.RECORDING
                                and rec.seconds_since_sound >= SILENCE_WARNING_S)
        if rec.state is RecorderState.ENDED:  # the microphone went away or the disk filled
            self.on_stop()
