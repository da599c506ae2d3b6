"""Review a visit: transcript beside the editable draft; sign, add addenda, export.

Built to be worked by keyboard: the flags panel above the note lists every sentence that needs a
look; F8 / Shift+F8 go to the next / previous one, Ctrl+K marks it checked (audited), Alt+P plays
its evidence, Ctrl+Shift+D shows the changes since the draft, Ctrl+Shift+S signs and Ctrl+Shift+C
copies the signed note. The shortcuts work from anywhere in the view and are in each button's
tooltip; ``menu_actions()`` hands them to a menu.

Edits autosave (debounced, and on leaving the visit) through the controller; an edited sentence is
then re-checked off the UI thread (``ui.recheck``), so a corrected dose leaves the flags. Once
signed the note is read-only and shows who signed it and when.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
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

from scribe.domain import NoteDraft, Status, Transcript
from scribe.drafting import available_templates
from scribe.errors import ScribeError
from scribe.note.editing import edited, merge_checks, recheck, texts
from ui.addendum_dialog import AddendumDialog
from ui.changes_view import ChangesView
from ui.controller import Controller
from ui.handoff_panel import HandoffPanel
from ui.identity_form import IdentityDialog
from ui.marks_view import MarksView
from ui.note_tab import NoteTab
from ui.player import Player
from ui.recheck import Rechecker
from ui.sign_dialog import SignDialog
from ui.transcript_view import TranscriptView

AUTOSAVE_MS = 700


def _exec(dialog: QDialog) -> int:
    return dialog.exec()


def _shortcut_text(seq: QKeySequence) -> str:
    return seq.toString(QKeySequence.SequenceFormat.NativeText)


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
        self._transcript: Transcript | None = None

        # --- actions: one per thing a clinician does here, each with its shortcut ----------------
        self.sign_action = self._action("Sign…", "Ctrl+Shift+S", "Sign the note", self.on_sign)
        self.addendum_action = self._action("Add addendum…", None,
                                            "Add a signed addendum to the signed note",
                                            self.on_addendum)
        self.copy_action = self._action("Copy signed note", "Ctrl+Shift+C",
                                        "Copy the signed note to the clipboard", self.on_copy)
        self.save_action = self._action("Save as .txt…", None, "Save the signed note as a text "
                                        "file", self.on_save)
        self.next_flag_action = self._action("Next flag", "F8", "Go to the next sentence that "
                                             "needs a look", self.on_next_flag)
        self.prev_flag_action = self._action("Previous flag", "Shift+F8", "Go to the previous "
                                             "sentence that needs a look", self.on_previous_flag)
        self.check_action = self._action("Checked", "Ctrl+K", "Mark this flagged sentence "
                                         "checked (audited; ticked at signing)", self.on_check_flag)
        self.play_action = self._action("Play evidence", "Alt+P", "Play the audio this sentence "
                                        "comes from", self.on_play_evidence)
        self.changes_action = self._action("Changes since draft", "Ctrl+Shift+D", "Show what "
                                           "changed since the engine's draft",
                                           self.on_show_changes)

        self.title = QLabel()
        self.title.setObjectName("viewTitle")
        self.title.setWordWrap(True)
        self.subtitle = QLabel()
        self.subtitle.setObjectName("subtitle")
        self.subtitle.setWordWrap(True)  # a long patient line wraps instead of widening the view
        self.template_combo = QComboBox()
        self.template_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.template_combo.setMinimumContentsLength(12)
        self.template_combo.setToolTip("Note template; changing it drafts the note again.")
        self.template_combo.setAccessibleName("Note template")
        self.template_combo.activated.connect(self.on_template_chosen)
        template_label = QLabel("Template")
        template_label.setBuddy(self.template_combo)
        self.sign_btn = _button(self.sign_action, "Sign…")
        self.sign_btn.setObjectName("primary")
        self.addendum_btn = _button(self.addendum_action, "Add addendum…")
        self.copy_btn = _button(self.copy_action, "Copy to clipboard")
        self.save_btn = _button(self.save_action, "Save as .txt")
        self.swap_btn = QPushButton("Swap speakers")
        self.swap_btn.setToolTip("Every clinician line becomes patient and the other way round.")
        self.swap_btn.setAccessibleName("Swap clinician and patient")
        self.swap_btn.clicked.connect(self.on_swap)
        self.retranscribe_btn = QPushButton("Re-transcribe")
        self.retranscribe_btn.setToolTip("Transcribe the whole recording again, then draft again.")
        self.retranscribe_btn.setAccessibleName("Transcribe the recording again")
        self.retranscribe_btn.clicked.connect(self.on_retranscribe)
        self.patient_btn = QPushButton("Patient details…")
        self.patient_btn.setToolTip("The patient's name, date of birth, MRN and the visit type "
                                    "(on every export; locked once signed)")
        self.patient_btn.setAccessibleName("Patient details")
        self.patient_btn.clicked.connect(self.on_patient)

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(template_label)
        head.addWidget(self.template_combo)
        for b in (self.sign_btn, self.addendum_btn, self.copy_btn, self.save_btn):
            head.addWidget(b)

        self.transcript = TranscriptView()
        self.transcript.setAccessibleName("Transcript")
        self.transcript.play_requested.connect(self.on_play)
        self.transcript.speaker_chosen.connect(self.on_speaker)
        self.transcript.voice_chosen.connect(self.on_voice)
        self.transcript.voice_named.connect(self.on_voice_named)
        self.transcript.enrol_requested.connect(self.on_enrol)
        self.audit = QTableWidget(0, 4)
        self.audit.setAccessibleName("Audit trail")
        self.audit.setHorizontalHeaderLabels(["Time", "Action", "By", "Detail"])
        self.audit.verticalHeader().hide()
        self.audit.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.audit.horizontalHeader().setStretchLastSection(True)
        self.note_tab = NoteTab([self.prev_flag_action, self.next_flag_action,
                                 self.check_action, self.play_action])
        self.note_tab.moved.connect(self._update_actions)
        self.editor, self.flags = self.note_tab.editor, self.note_tab.flags
        self.signature, self.addenda = self.note_tab.signature, self.note_tab.addenda
        self.note_scroll = self.note_tab.scroll
        self.editor.edited.connect(self.on_edited)
        self.editor.sentence_selected.connect(self.transcript.highlight)

        tools = QHBoxLayout()
        tools.addWidget(self.patient_btn)
        tools.addWidget(self.swap_btn)
        tools.addWidget(self.retranscribe_btn)
        tools.addStretch(1)
        left = _titled("Transcript — double-click a line to listen, right-click to fix the speaker",
                       self.transcript, tools)
        # Moments marked during the visit (Ctrl+M, side notes), under the transcript, at their time.
        self.marks = MarksView(controller)
        self.marks.setMaximumHeight(90)
        self.marks.seek.connect(self.on_seek)
        left.layout().addWidget(self.marks)
        self.tabs = QTabWidget()
        self.tabs.setAccessibleName("Note, codes, changes and audit trail")
        self.tabs.tabBar().setAccessibleName("Review tabs")
        self.tabs.addTab(self.note_tab, "Note")
        self.handoff = HandoffPanel(controller)
        self.handoff.evidence_selected.connect(self.transcript.highlight)
        handoff_scroll = QScrollArea()
        handoff_scroll.setWidgetResizable(True)
        handoff_scroll.setFrameShape(QFrame.Shape.NoFrame)
        handoff_scroll.setWidget(self.handoff)
        self.tabs.addTab(handoff_scroll, "Codes && docs")
        self.changes = ChangesView()
        self.changes_tab = self.tabs.addTab(self.changes, "Changes")
        self.tabs.addTab(self.audit, "Audit trail")
        self.tabs.currentChanged.connect(self.on_tab)
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
        self.autosave.timeout.connect(self.on_autosave)
        self._dirty = False
        self._unchecked = False  # edits whose sentences are not re-checked yet
        self.rechecker = Rechecker(self)
        self.rechecker.checked.connect(self.on_rechecked)
        self._update_actions()

    def _action(self, text: str, shortcut: str | None, tip: str,
                slot: Callable[[], None]) -> QAction:
        """A QAction on this view: its shortcut works wherever the focus is inside the view."""
        action = QAction(text, self)
        action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        if shortcut:
            action.setShortcut(QKeySequence(shortcut))
            tip = f"{tip} ({_shortcut_text(action.shortcut())})"
        action.setToolTip(tip)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _checked=False: slot())
        self.addAction(action)
        return action

    def menu_actions(self) -> list[QAction]:
        """The view's actions for a menu (the Visit menu), in the order a visit is reviewed."""
        return [self.next_flag_action, self.prev_flag_action, self.check_action,
                self.play_action, self.changes_action, self.sign_action, self.addendum_action,
                self.copy_action, self.save_action]

    # --- loading ------------------------------------------------------------------------------
    def load(self, encounter_id: str) -> None:
        if self.encounter_id != encounter_id:
            self.flush()
            self.player.stop()
            if not self.controller.view_visit(encounter_id):  # audited before it is shown
                return
        c = self.controller
        enc = c.encounter(encounter_id)
        record = c.note(encounter_id)
        self.signed = enc.status == Status.SIGNED
        if self.encounter_id != encounter_id:
            self.rechecker.cancel()
            self._unchecked = False
            self.note_tab.reset(signed=self.signed)
        self.note_tab.signed = self.signed
        self.encounter_id = encounter_id
        self.title.setText(enc.label)
        who = enc.identity.summary() or "no patient details"
        kind = f" · {enc.identity.visit_type}" if enc.identity.visit_type else ""
        self.subtitle.setText(f"{enc.encounter_at.astimezone().strftime('%a %b %d %Y, %H:%M')}"
                              f" · {enc.status.label} · {who}{kind}")
        self._transcript = c.transcript(encounter_id)
        self.transcript.set_profiles(c.staff_voices())
        self.transcript.set_transcript(self._transcript)
        if record is not None:
            self.editor.set_note(record.current, record.draft, read_only=self.signed)
        else:
            self.editor.set_note(NoteDraft([]), NoteDraft([]), read_only=True)
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
        self.template_combo.setEnabled(not self.signed)
        has_audio = bool(enc.audio_file)
        self.swap_btn.setEnabled(not self.signed)
        self.retranscribe_btn.setEnabled(not self.signed and has_audio)
        self.transcript.editable = not self.signed
        self.patient_btn.setEnabled(not self.signed)
        self.handoff.load(encounter_id, self.signed)
        self.marks.load(encounter_id)
        self.marks.setVisible(self.marks.count() > 0)
        self.load_audit()
        self._update_actions()
        self._tab_order()
        if self.tabs.currentIndex() == self.changes_tab:
            self.load_changes()
        if record is not None and not self.signed and edited(record.current, record.draft):
            self._unchecked = True  # edits saved before a re-check ran: check them now
            self._start_recheck()

    def _tab_order(self) -> None:
        """Template → sign → … → flags panel → note → transcript (the editors are new each
        load, so the chain is set again)."""
        chain: list[QWidget] = [self.template_combo, self.sign_btn, self.addendum_btn,
                                self.copy_btn, self.save_btn, self.patient_btn, self.swap_btn,
                                self.retranscribe_btn, self.tabs.tabBar(), self.flags.list,
                                *self.flags.buttons, *self.editor.editors, self.transcript]
        for a, b in zip(chain, chain[1:]):
            QWidget.setTabOrder(a, b)

    def _update_actions(self) -> None:
        """Enable what applies to this visit and this sentence."""
        has_note = self.encounter_id is not None and self.editor.note is not None
        self.sign_action.setEnabled(has_note and not self.signed)
        self.addendum_action.setEnabled(has_note and self.signed)
        self.copy_action.setEnabled(self.signed)
        self.save_action.setEnabled(self.signed)
        self.changes_action.setEnabled(has_note)
        self.next_flag_action.setEnabled(bool(self.flags.items))
        self.prev_flag_action.setEnabled(bool(self.flags.items))
        here = self.note_tab.attention_here()
        self.check_action.setEnabled(here is not None and here.flagged and not here.checked
                                     and not self.signed)
        sentence = self.note_tab.sentence_here()
        self.play_action.setEnabled(sentence is not None and bool(sentence.evidence))

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

    def on_voice(self, index: int, speaker: str) -> None:
        """Every turn of that turn's voice gets ``speaker`` (one click, audited)."""
        if self.encounter_id and not self.signed and \
                self.controller.set_voice(self.encounter_id, index, speaker):
            self._reload_transcript()

    def on_voice_named(self, index: int, name: str, role: str) -> None:
        if self.encounter_id and not self.signed:
            self.controller.name_voice(self.encounter_id, index, name, role,
                                       self._reload_transcript)

    def on_enrol(self) -> None:
        from ui.enrol_panel import EnrolDialog

        self.dialog_exec(EnrolDialog(self.controller.ws, parent=self))

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
        self._unchecked = True
        self.autosave.start()

    def on_autosave(self) -> None:
        """A pause in typing: save, and re-check the edited sentences (``on_rechecked`` saves
        again if that changed their flags)."""
        self.flush()
        if self._unchecked:
            self._start_recheck()

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

    def _start_recheck(self) -> bool:
        if not self.encounter_id or self.signed or self.editor.note is None or \
                self._transcript is None:
            return False
        self._unchecked = False
        self.rechecker.start(self.encounter_id, self.editor.note, self._transcript)
        return True

    def on_rechecked(self, eid: str, note: NoteDraft, checked: NoteDraft | None) -> None:
        """The worker's verdict on ``note``: taken if the note still reads so, then saved."""
        current, draft = self.editor.note, self.editor.draft
        if eid != self.encounter_id or self.signed or current is None or draft is None:
            return
        if checked is None or texts(current) != texts(note):
            return  # failed (logged), or typed on meanwhile: the next pause checks again
        merged = merge_checks(current, checked, draft)
        if merged != current:
            self.editor.apply(merged)
            self._dirty = True
            if not self.autosave.isActive():
                self.flush()

    def _recheck_now(self) -> None:
        """Before signing: the verdict on the note as it is now, without waiting."""
        current, draft = self.editor.note, self.editor.draft
        if not (self._unchecked or self.rechecker.busy) or current is None or draft is None or \
                self._transcript is None or self.signed:
            return
        self.rechecker.cancel()
        self._unchecked = False
        merged = recheck(current, draft, self._transcript)
        if merged != current:
            self.editor.apply(merged)
            self._dirty = True

    # --- flags ----------------------------------------------------------------------------------
    def on_next_flag(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.note_tab.step(forward=True)

    def on_previous_flag(self) -> None:
        self.tabs.setCurrentIndex(0)
        self.note_tab.step(forward=False)

    def on_check_flag(self) -> None:
        """The clinician looked at this flagged sentence: mark it checked (audited)."""
        here = self.note_tab.attention_here()
        if not self.encounter_id or self.signed or here is None or not here.flagged:
            return
        self.flush()
        if self.controller.check_flag(self.encounter_id, here.position):
            record = self.controller.note(self.encounter_id)
            if record is not None:
                self.editor.apply(record.current)
            self.load_audit()

    def on_play_evidence(self) -> None:
        """Play the visit's audio from where this sentence's first evidence begins."""
        sentence = self.note_tab.sentence_here()
        if sentence is None or not sentence.evidence or self._transcript is None:
            return
        starts = {seg.index: seg.start for seg in self._transcript.segments}
        first = next((starts[i] for i in sentence.evidence if i in starts), None)
        if first is not None:
            self.on_play(first)

    # --- changes since draft --------------------------------------------------------------------
    def on_tab(self, index: int) -> None:
        self.load_audit()
        if index == self.changes_tab:
            self.load_changes()

    def on_show_changes(self) -> None:
        self.tabs.setCurrentIndex(self.changes_tab)
        self.changes.text.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def load_changes(self) -> None:
        if self.editor.note is not None and self.editor.draft is not None:
            self.changes.show_changes(self.editor.draft, self.editor.note, signed=self.signed)

    # --- sign, addendum, export ---------------------------------------------------------------
    def on_sign(self) -> None:
        if not self.encounter_id or self.editor.note is None or self.signed:
            return
        self._recheck_now()
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
        if self.encounter_id and self.signed:
            self.controller.copy_export(self.encounter_id)

    def on_save(self) -> None:
        if not self.encounter_id or not self.signed:
            return
        enc = self.controller.encounter(self.encounter_id)
        default = str(Path.home() / f"{enc.created_at.strftime('%Y-%m-%d')} {enc.label}.txt")
        path, _ = QFileDialog.getSaveFileName(self, "Save signed note", default,
                                              "Text files (*.txt)")
        if path:
            self.controller.save_export(self.encounter_id, path)

    def on_seek(self, at_s: float) -> None:
        """A marked moment: highlight the transcript segment that was being said then."""
        transcript = self.controller.transcript(self.encounter_id) if self.encounter_id else None
        if transcript is None or not transcript.segments:
            return
        near = min(transcript.segments, key=lambda s: 0 if s.start <= at_s <= s.end
                   else min(abs(s.start - at_s), abs(s.end - at_s)))
        self.transcript.highlight((near.index,))

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


def _button(action: QAction, text: str) -> QPushButton:
    """A push button that triggers ``action`` and follows its enabled state and tooltip."""
    button = QPushButton(text)
    button.setAccessibleName(action.text().rstrip("…"))

    def follow() -> None:
        button.setEnabled(action.isEnabled())
        button.setToolTip(action.toolTip())

    action.changed.connect(follow)
    button.clicked.connect(lambda _checked=False: action.trigger())
    follow()
    return button


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
