"""The review view on a stored visit: evidence, flags, autosave, sign-off, addenda, export."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication, QTextCursor
from PySide6.QtWidgets import QDialog

from scribe.domain import Status
from scribe.export.text import export_text
from tests.ui.conftest import reviewed_visit

SIGNER = "Clinician"
"""The signed-in profile of the test workspace (SCRIBE_CLINICIAN is not set)."""


def _open(make_window, store, flagged=False):
    eid = reviewed_visit(store, flagged)
    w = make_window()
    w.refresh()
    w.select(eid)
    assert w.pages.currentWidget() is w.review
    return w, eid


def _click_line(qtbot, editor, line: int) -> None:
    cursor = QTextCursor(editor.document().findBlockByNumber(line))
    qtbot.mouseClick(editor.viewport(), Qt.MouseButton.LeftButton,
                     pos=editor.cursorRect(cursor).center())


def test_export_is_disabled_until_signed(make_window, store):
    w, _ = _open(make_window, store)
    assert not w.review.copy_btn.isEnabled()
    assert not w.review.save_btn.isEnabled()
    assert w.review.sign_btn.isVisible()
    assert not w.review.addendum_btn.isVisible()


def test_clicking_a_sentence_highlights_its_evidence(qtbot, make_window, store):
    w, _ = _open(make_window, store)
    subjective = w.review.editor.editors[0]
    _click_line(qtbot, subjective, 1)
    assert w.review.transcript.highlighted_segments == [2]
    _click_line(qtbot, subjective, 0)
    assert w.review.transcript.highlighted_segments == [1]
    _click_line(qtbot, w.review.editor.editors[1], 0)
    assert w.review.transcript.highlighted_segments == [3]


def test_transcript_shows_time_and_speaker(make_window, store):
    w, _ = _open(make_window, store)
    assert w.review.transcript.item(1).text() == "[00:02] PATIENT: I have had a cough for four days."


def _marked_lines(editor) -> list[str]:
    """The lines an editor marks (a line's background and its text are two selections)."""
    selections = editor.extraSelections()
    return sorted({s.cursor.block().text() for s in selections})


def test_flagged_and_unsupported_sentences_are_marked(make_window, store):
    w, _ = _open(make_window, store, flagged=True)
    eds = w.review.editor.editors
    assert _marked_lines(eds[0]) == ["Takes lisinopril 20 mg daily."]  # the flagged dose
    assert _marked_lines(eds[1]) == []
    assert _marked_lines(eds[3]) == ["Follow up in one week."]  # unsupported by the transcript


def test_edits_autosave_and_keep_evidence(qtbot, make_window, store):
    w, eid = _open(make_window, store)
    ed = w.review.editor.editors[0]
    ed.setPlainText("Reports cough for 5 days.\nTakes lisinopril 10 mg daily.\nSleeps badly.")

    def saved():
        subj = store.get_note(eid).current.sections[0].sentences
        assert [s.text for s in subj][0] == "Reports cough for 5 days."

    qtbot.waitUntil(saved, timeout=3000)
    subj = store.get_note(eid).current.sections[0].sentences
    assert [s.evidence for s in subj] == [(1,), (2,), ()]
    # the clinician's own sentence is not marked amber
    assert _marked_lines(ed) == []


def test_pending_edit_is_saved_when_the_window_closes(make_window, store):
    w, eid = _open(make_window, store)
    w.review.editor.editors[2].setPlainText("Acute bronchitis.")
    w.close()
    assert store.get_note(eid).current.sections[2].sentences[0].text == "Acute bronchitis."


def _accept_with(name, credentials, tick=True):
    seen = {}

    def run(dialog):
        seen["dialog"] = dialog
        dialog.signer.name.setText(name)
        dialog.signer.credentials.setText(credentials)
        seen["enabled_before_ticks"] = dialog.sign_button.isEnabled()
        if tick:
            for _, box in getattr(dialog, "flag_boxes", []):
                box.setChecked(True)
        if hasattr(dialog, "text"):
            dialog.text.setPlainText("Patient called back: rash resolved.")
        return QDialog.DialogCode.Accepted if dialog.sign_button.isEnabled() else \
            QDialog.DialogCode.Rejected

    return run, seen


def test_sign_with_flag_acknowledgement_then_addendum_and_copy(make_window, store):
    w, eid = _open(make_window, store, flagged=True)
    view = w.review
    view.dialog_exec, seen = _accept_with("Dana Smith", "MD")
    view.sign_btn.click()
    assert seen["enabled_before_ticks"] is False  # a flag must be acknowledged first
    assert store.get(eid).status == Status.SIGNED
    assert view.signature.text().startswith(f"Signed by {SIGNER} at ")  # not what was typed
    assert all(ed.isReadOnly() for ed in view.editor.editors)
    assert view.copy_btn.isEnabled() and view.save_btn.isEnabled()
    assert [e.action for e in store.audit_events(eid)].count("flag_acknowledged") == 1
    assert w.model.index(w.model.row_of(eid), 2).data() == "Signed"

    view.dialog_exec, seen = _accept_with("Dana Smith", "MD")
    view.addendum_btn.click()
    assert "rash resolved" in view.addenda.text()

    view.copy_btn.click()
    assert QGuiApplication.clipboard().text() == export_text(store, eid)
    assert "exported" in [e.action for e in store.audit_events(eid)]


def test_the_sign_dialog_shows_the_profile_read_only(make_window, store, ws):
    w, eid = _open(make_window, store)
    seen = {}

    def look(dialog):
        seen["name"] = dialog.signer.name.text()
        seen["read_only"] = dialog.signer.name.isReadOnly() and \
            dialog.signer.credentials.isReadOnly()
        return QDialog.DialogCode.Rejected

    w.review.dialog_exec = look
    w.review.sign_btn.click()
    assert seen == {"name": ws.profile.name, "read_only": True}
    assert store.get(eid).status == Status.IN_REVIEW


def _app_sign_check(w, ws, monkeypatch, typed):
    """The passphrase is asked again as the app wires it (ui/app.py); ``typed`` the answers."""
    from ui import profile_dialog

    asked = []

    def type_it(self):
        asked.append(self.error.text() if not self.error.isHidden() else "")
        answer = next(typed, None)
        if answer is None:
            return QDialog.DialogCode.Rejected
        self.passphrase.setText(answer)
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(profile_dialog.PassphraseDialog, "exec", type_it)
    w.controller.sign_check = lambda: profile_dialog.confirm_passphrase(ws, w)
    return asked


def test_the_app_addendum_needs_the_passphrase(make_window, store, ws, monkeypatch):
    w, eid = _open(make_window, store)
    view = w.review
    asked = _app_sign_check(w, ws, monkeypatch, iter(["test passphrase"]))
    view.dialog_exec, _ = _accept_with("Dana Smith", "MD")
    view.sign_btn.click()
    assert store.get(eid).status == Status.SIGNED and asked == [""]

    # Someone at the unlocked workstation tries to amend: a wrong passphrase, then Cancel.
    asked = _app_sign_check(w, ws, monkeypatch, iter(["someone else's guess"]))
    view.dialog_exec, _ = _accept_with("Dana Smith", "MD")
    view.addendum_btn.click()
    assert asked == ["", "The passphrase is wrong and nothing was signed; try again."]
    assert store.addenda(eid) == []
    assert "rash resolved" not in view.addenda.text()
    assert "rash resolved" not in export_text(store, eid)

    _app_sign_check(w, ws, monkeypatch, iter(["test passphrase"]))
    view.dialog_exec, _ = _accept_with("Dana Smith", "MD")
    view.addendum_btn.click()
    assert "rash resolved" in view.addenda.text()
    assert f"Signed by {SIGNER} at " in view.addenda.text()
    assert [a.signature.signer for a in store.addenda(eid)] == [SIGNER]


def test_save_as_txt_writes_the_export(make_window, store, tmp_path):
    w, eid = _open(make_window, store)
    w.review.dialog_exec, _ = _accept_with("Dana Smith", "MD")
    w.review.sign_btn.click()
    out = tmp_path / "note.txt"
    assert w.controller.save_export(eid, out)
    assert out.read_text(encoding="utf-8") == export_text(store, eid)


def test_search_filters_the_list(qtbot, make_window, store):
    w, eid = _open(make_window, store)
    other = store.create_encounter("Room 9", Status.FAILED)
    w.refresh()
    assert w.model.rowCount() == 2
    w.search.setText("lisinopril")
    qtbot.waitUntil(lambda: w.model.rowCount() == 1)
    assert w.model.index(0, 0).data(Qt.ItemDataRole.UserRole + 1) == eid
    assert other.id != eid
