"""Signing asks before an empty Assessment, and Undo back to the drafted text leaves no flag: the
real sign dialog and review view, offscreen."""

from __future__ import annotations

from PySide6.QtGui import QTextCursor
from PySide6.QtWidgets import QDialog, QLabel

from scribe.domain import NoteDraft, Section, Sentence, Status
from tests.ui.conftest import reviewed_visit


def _note(assessment: list[str]) -> NoteDraft:
    return NoteDraft([Section("Subjective", [Sentence("Reports cough for 4 days.", (1,))]),
                      Section("Assessment", [Sentence(x, (1,)) for x in assessment]),
                      Section("Plan", [Sentence("Rest and fluids.", (1,))])])


def _dialog(qtbot, note):
    from ui.app import create_app
    from ui.sign_dialog import SignDialog

    create_app([])
    dialog = SignDialog(note, "Ada Lovelace", "MD")
    qtbot.addWidget(dialog)
    return dialog


def _texts(dialog) -> list[str]:
    return [label.text() for label in dialog.findChildren(QLabel)]


def test_an_empty_assessment_must_be_ticked_before_sign(qtbot):
    dialog = _dialog(qtbot, _note([]))
    assert any("The Assessment section is empty." in t for t in _texts(dialog))
    assert not dialog.sign_button.isEnabled()
    ((_, box),) = dialog.flag_boxes
    box.setChecked(True)
    assert dialog.sign_button.isEnabled()
    assert dialog.signs_empty_assessment() and dialog.acknowledged() == []  # no sentence acked


def test_a_placeholder_is_empty_too_and_an_assessment_asks_nothing(qtbot):
    assert not _dialog(qtbot, _note(["Not discussed."])).sign_button.isEnabled()
    full = _dialog(qtbot, _note(["Acute bronchitis."]))
    assert full.flag_boxes == [] and full.sign_button.isEnabled()
    assert not any("empty" in t for t in _texts(full))


def test_signing_a_visit_with_an_empty_assessment_in_the_review_view(make_window, store):
    eid = reviewed_visit(store)  # its Assessment section is empty
    w = make_window()
    w.refresh()
    w.select(eid)
    seen = {}

    def sign(dialog):
        seen["before"] = dialog.sign_button.isEnabled()
        for _pos, box in dialog.flag_boxes:
            box.setChecked(True)
        seen["after"] = dialog.sign_button.isEnabled()
        return QDialog.DialogCode.Accepted if dialog.sign_button.isEnabled() else \
            QDialog.DialogCode.Rejected

    w.review.dialog_exec = sign
    w.review.sign_btn.click()
    assert seen == {"before": False, "after": True}
    assert store.get(eid).status == Status.SIGNED


def _marked(editor) -> list[str]:
    return sorted({s.cursor.block().text() for s in editor.extraSelections()})


def test_undo_back_to_the_drafted_dose_leaves_no_flag(qtbot, make_window, store):
    eid = reviewed_visit(store)
    w = make_window()
    w.refresh()
    w.select(eid)
    view = w.review
    ed = view.editor.editors[0]  # "Reports cough for 4 days." / "Takes lisinopril 10 mg daily."
    drafted = store.get_note(eid).draft.sections[0].sentences[1]
    cursor = QTextCursor(ed.document().findBlockByNumber(1))
    cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock, QTextCursor.MoveMode.KeepAnchor)
    cursor.insertText("Takes lisinopril 20 mg daily.")  # typed over the drafted line
    view.on_autosave()  # the pause in typing: save and re-check now
    qtbot.waitUntil(lambda: "Takes lisinopril 20 mg daily." in _marked(ed), timeout=3000)
    assert any("differs from the visit" in r for r in ed.reasons())

    ed.undo()  # QTextEdit's own Undo
    assert ed.toPlainText().splitlines()[1] == drafted.text
    view.on_autosave()

    def restored():
        stored = store.get_note(eid).current.sections[0].sentences[1]
        assert stored.evidence == drafted.evidence and stored.flags == ()
        assert not view.rechecker.busy

    qtbot.waitUntil(restored, timeout=3000)
    assert _marked(ed) == [] and ed.reasons() == []
