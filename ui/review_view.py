"""Review a visit: transcript beside the editable draft; sign, add addenda, export.

Edits autosave (debounced, and on leaving the visit) through the controller; once signed the note is
read-only and shows who signed it and when.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import Status
from scribe.drafting import available_templates
from scribe.errors import ScribeError
from ui.addendum_dialog import AddendumDialog
from ui.controller import Controller
from ui.handoff_panel import HandoffPanel
from ui.identity_form import IdentityDialog
from ui.note_editor import NoteEditor
from ui.player import Player
from ui.sign_dialog import SignDialog
from ui.transcript_view import TranscriptView

AUTOSAVE_MS = 700


def _exec(dialog: QDialog) -> int:
    return dialog.exec()


class ReviewView(QWidget):
    """``changed`` after anything that alters the visit's status (signing)."""

    changed = Signal()

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        self.encounter_id: str | None = None
        self.signed = False
        self.dialog_exec: Callable[[QDialog], int] = _exec  # tests drive dialogs through this
        self.player = Player(self)
        self.player.failed.connect(lambda text: controller.message.emit(text, "error"))

        self.title = QLabel()
        self.title.setObjectName("viewTitle")
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.template_combo = QComboBox()
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.template_combo.setMinimumContentsLength(12)
        self.template_combo.setToolTip("Note template; changing it drafts the note again.")
        self.template_combo.activated.connect(self.on_template_chosen)
        self.sign_btn = QPushButton("Sign…")
        self.sign_btn.setObjectName("primary")
        self.addendum_btn = QPushButton("Add addendum…")
        self.copy_btn = QPushButton("Copy to clipboard")
        self.save_btn = QPushButton("Save as .txt")
        self.swap_btn = QPushButton("Swap clinician/patient")
        self.swap_btn.setToolTip("Every clinician line becomes patient and the other way round.")
        self.swap_btn.clicked.connect(self.on_swap)
        self.retranscribe_btn = QPushButton("Re-transcribe")
        self.retranscribe_btn.setToolTip("Transcribe the whole recording again, then draft again.")
        self.retranscribe_btn.clicked.connect(self.on_retranscribe)
        self.patient_btn = QPushButton("Patient details…")
        self.patient_btn.setToolTip("The patient's name, date of birth, MRN and the visit type "
                                    "(on every export; locked once signed)")
        self.patient_btn.clicked.connect(self.on_patient)
        self.sign_btn.clicked.connect(self.on_sign)
        self.addendum_btn.clicked.connect(self.on_addendum)
        self.copy_btn.clicked.connect(self.on_copy)
        self.save_btn.clicked.connect(self.on_save)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(QLabel("Template"))
        head.addWidget(self.template_combo)
        for b in (self.sign_btn, self.addendum_btn, self.copy_btn, self.save_btn):
            head.addWidget(b)

        self.transcript = TranscriptView()
        self.transcript.play_requested.connect(self.on_play)
        self.transcript.speaker_chosen.connect(self.on_speaker)
        self.audit = QTableWidget(0, 4)
        self.audit.setHorizontalHeaderLabels(["Time", "Action", "By", "Detail"])
        self.audit.verticalHeader().hide()
        self.audit.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.audit.horizontalHeader().setStretchLastSection(True)
        self.editor = NoteEditor()
        self.editor.edited.connect(self.on_edited)
        self.editor.sentence_selected.connect(self.transcript.highlight)
        self.signature = QLabel()
        self.signature.setObjectName("signature")
        self.signature.setWordWrap(True)
        self.addenda = QLabel()
        self.addenda.setObjectName("addenda")
        self.addenda.setWordWrap(True)
        self.addenda.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        note_page = QWidget()
        note_page.setObjectName("notePage")
        nlay = QVBoxLayout(note_page)
        nlay.addWidget(self.editor)
        nlay.addWidget(self.signature)
        nlay.addWidget(self.addenda)
        nlay.addStretch(1)
        self.note_scroll = QScrollArea()
        self.note_scroll.setWidgetResizable(True)
        self.note_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.note_scroll.setWidget(note_page)

        tools = QHBoxLayout()
        tools.addWidget(self.patient_btn)
        tools.addWidget(self.swap_btn)
        tools.addWidget(self.retranscribe_btn)
        tools.addStretch(1)
        left = _titled("Transcript — double-click a line to listen, right-click to fix the speaker",
                       self.transcript, tools)
        self.tabs = QTabWidget()
        self.tabs.addTab(_titled("One sentence per line; amber lines need a look",
                                 self.note_scroll), "Note")
        self.handoff = HandoffPanel(controller)
        self.handoff.evidence_selected.connect(self.transcript.highlight)
        handoff_scroll = QScrollArea()
        handoff_scroll.setWidgetResizable(True)
        handoff_scroll.setFrameShape(QFrame.Shape.NoFrame)
        handoff_scroll.setWidget(self.handoff)
        self.tabs.addTab(handoff_scroll, "Codes && documents")
        self.tabs.addTab(self.audit, "Audit trail")
        self.tabs.currentChanged.connect(lambda _i: self.load_audit())
        right = self.tabs
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)

        lay = QVBoxLayout(self)
        lay.addLayout(head)
        lay.addWidget(self.splitter, 1)

        self.autosave = QTimer(self)
        self.autosave.setSingleShot(True)
        self.autosave.setInterval(AUTOSAVE_MS)
        self.autosave.timeout.connect(self.flush)
        self._dirty = False

    # --- loading ------------------------------------------------------------------------------
    def load(self, encounter_id: str) -> None:
        if self.encounter_id != encounter_id:
            self.flush()
            self.player.stop()
            if not self.controller.view_visit(encounter_id):  # audited before it is shown
                return
        self.encounter_id = encounter_id
        c = self.controller
        enc = c.encounter(encounter_id)
        record = c.note(encounter_id)
        self.signed = enc.status == Status.SIGNED
        self.title.setText(enc.label)
        who = enc.identity.summary() or "no patient details"
        kind = f" · {enc.identity.visit_type}" if enc.identity.visit_type else ""
        self.subtitle.setText(f"{enc.encounter_at.astimezone().strftime('%a %b %d %Y, %H:%M')}"
                              f" · {enc.status.label} · {who}{kind}")
        self.transcript.set_transcript(c.transcript(encounter_id))
        if record is not None:
            self.editor.set_note(record.current, record.draft, read_only=self.signed)
        self._load_templates(record.current.template if record else enc.template)
        if record is not None and record.signature is not None:
            sig = record.signature
            when = sig.signed_at.astimezone().strftime("%Y-%m-%d %H:%M")
            self.signature.setText(f"Signed by {sig.signer} at {when}")
            self.signature.show()
        else:
            self.signature.hide()
        adds = c.addenda(encounter_id)
        self.addenda.setVisible(bool(adds))
        self.addenda.setText("\n\n".join(
            f"ADDENDUM\n{a.text}\nSigned by {a.signature.signer} at "
            f"{a.signature.signed_at.astimezone().strftime('%Y-%m-%d %H:%M')}" for a in adds))
        self.sign_btn.setVisible(not self.signed)
        self.addendum_btn.setVisible(self.signed)
        self.copy_btn.setEnabled(self.signed)
        self.save_btn.setEnabled(self.signed)
        self.template_combo.setEnabled(not self.signed)
        has_audio = bool(enc.audio_file)
        self.swap_btn.setEnabled(not self.signed)
        self.retranscribe_btn.setEnabled(not self.signed and has_audio)
        self.transcript.editable = not self.signed
        self.patient_btn.setEnabled(not self.signed)
        self.handoff.load(encounter_id, self.signed)
        self.load_audit()

    def load_audit(self) -> None:
        """The visit's audit trail, oldest first (cheap SQL; refreshed when the tab opens)."""
        if not self.encounter_id:
            return
        events = self.controller.audit(self.encounter_id)
        self.audit.setRowCount(len(events))
        for row, e in enumerate(events):
            values = (e.at.astimezone().strftime("%Y-%m-%d %H:%M:%S"), e.action, e.actor,
                      e.detail)
            for col, value in enumerate(values):
                self.audit.setItem(row, col, QTableWidgetItem(value))
        self.audit.resizeColumnsToContents()
        self.audit.horizontalHeader().setStretchLastSection(True)

    # --- transcript fixes -----------------------------------------------------------------
    def on_swap(self) -> None:
        if self.encounter_id and not self.signed and \
                self.controller.swap_speakers(self.encounter_id):
            self._reload_transcript()

    def on_speaker(self, index: int, speaker: str) -> None:
        if self.encounter_id and not self.signed and \
                self.controller.set_speaker(self.encounter_id, index, speaker):
            self._reload_transcript()

    def _reload_transcript(self) -> None:
        assert self.encounter_id is not None
        bar = self.transcript.verticalScrollBar().value()
        self.transcript.set_transcript(self.controller.transcript(self.encounter_id))
        self.transcript.verticalScrollBar().setValue(bar)
        self.load_audit()

    def on_retranscribe(self) -> None:
        if not self.encounter_id or self.signed:
            return
        self.flush()
        answer = self.confirm("Transcribe again?",
                              "Transcribing again drafts a new note and replaces your edits "
                              "and speaker fixes. Continue?")
        if answer:
            self.controller.retranscribe(self.encounter_id)
            self.changed.emit()

    def on_patient(self) -> None:
        if not self.encounter_id or self.signed:
            return
        enc = self.controller.encounter(self.encounter_id)
        dialog = IdentityDialog("Patient details", enc.identity, parent=self)
        if self.dialog_exec(dialog) != QDialog.DialogCode.Accepted:
            return
        try:
            self.controller.store.set_identity(self.encounter_id, dialog.identity(enc.identity))
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        self.load(self.encounter_id)
        self.changed.emit()

    def confirm(self, title: str, text: str) -> bool:
        return QMessageBox.question(self, title, text) == QMessageBox.StandardButton.Yes

    def _load_templates(self, current: str) -> None:
        self.template_combo.clear()
        for tid, t in sorted(available_templates(self.controller.ws.templates_dir).items()):
            self.template_combo.addItem(t.name, tid)
        self.template_combo.setCurrentIndex(max(self.template_combo.findData(current), 0))

    # --- editing ------------------------------------------------------------------------------
    def on_edited(self) -> None:
        self._dirty = True
        self.autosave.start()

    def flush(self) -> None:
        """Write pending edits now (autosave timer, leaving the visit, closing, signing)."""
        self.autosave.stop()
        if self._dirty and self.encounter_id and self.editor.note is not None and not self.signed:
            self.controller.save_note(self.encounter_id, self.editor.note)
        self._dirty = False

    def on_template_chosen(self, _row: int) -> None:
        tid = self.template_combo.currentData()
        record = self.controller.note(self.encounter_id) if self.encounter_id else None
        if not tid or record is None or tid == record.current.template:
            return
        self.flush()
        record = self.controller.note(self.encounter_id)
        if record is not None and record.current.text != record.draft.text:
            answer = QMessageBox.question(
                self, "Draft again?",
                "Drafting with another template replaces your edits to this note. Continue?")
            if answer != QMessageBox.StandardButton.Yes:
                self._load_templates(record.current.template)
                return
        self.controller.redraft(self.encounter_id, tid)
        self.changed.emit()

    # --- sign, addendum, export ---------------------------------------------------------------
    def on_sign(self) -> None:
        if not self.encounter_id or self.editor.note is None:
            return
        self.flush()
        name, credentials = self.controller.signer()
        dialog = SignDialog(self.editor.note, name, credentials, parent=self)
        if self.dialog_exec(dialog) != QDialog.DialogCode.Accepted:
            return
        # The signer is the signed-in profile (shown read-only); the passphrase is asked again.
        if self.controller.sign(self.encounter_id, dialog.acknowledged(), dialog.attestation):
            self.load(self.encounter_id)
            self.changed.emit()

    def on_addendum(self) -> None:
        if not self.encounter_id:
            return
        name, credentials = self.controller.signer()
        dialog = AddendumDialog(name, credentials, parent=self)
        if self.dialog_exec(dialog) != QDialog.DialogCode.Accepted:
            return
        if self.controller.add_addendum(self.encounter_id, dialog.addendum_text(),
                                        dialog.attestation):
            self.load(self.encounter_id)

    def on_copy(self) -> None:
        if self.encounter_id:
            self.controller.copy_export(self.encounter_id)

    def on_save(self) -> None:
        if not self.encounter_id:
            return
        enc = self.controller.encounter(self.encounter_id)
        default = str(Path.home() / f"{enc.created_at.strftime('%Y-%m-%d')} {enc.label}.txt")
        path, _ = QFileDialog.getSaveFileName(self, "Save signed note", default,
                                              "Text files (*.txt)")
        if path:
            self.controller.save_export(self.encounter_id, path)

    def on_play(self, start_s: float) -> None:
        if not self.encounter_id:
            return
        try:
            path = self.controller.audio_path(self.encounter_id)
        except ScribeError as e:
            self.controller.message.emit(e.message, "error")
            return
        if path is None or not path.is_file():
            self.controller.message.emit("This visit's audio is no longer stored.", "error")
            return
        self.player.play(path, start_s, self.controller.ws.key)


def _titled(text: str, widget: QWidget, tools: QHBoxLayout | None = None) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.setContentsMargins(0, 0, 0, 0)
    label = QLabel(text)
    label.setObjectName("paneTitle")
    label.setWordWrap(True)
    lay.addWidget(label)
    if tools is not None:
        lay.addLayout(tools)
    lay.addWidget(widget, 1)
    return box
