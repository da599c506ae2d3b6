"""The review screen by keyboard only: next flag, play its evidence, mark it checked, sign, copy; a
corrected dose leaves the flags and shows in the changes since the draft; the Tab order; the
shortcuts named in the tooltips; screen-reader names."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QDialog

from scribe.domain import Status
from scribe.export.text import export_text
from tests.ui.conftest import reviewed_visit

REASON = "The transcript says 10 mg, the note says 20 mg."


@pytest.fixture
def review(qtbot, app_ws):
    """The review view on a flagged visit, shown and active, as the clinician opens it."""
    from ui.app import create_app
    from ui.controller import Controller
    from ui.review_view import ReviewView

    create_app([])
    ctrl = Controller(app_ws, model="tiny.en")
    view = ReviewView(ctrl)
    qtbot.addWidget(view)
    view.resize(1400, 900)
    eid = reviewed_visit(app_ws.store, flagged=True)
    view.load(eid)
    view.show()
    view.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is view)
    view.template_combo.setFocus()
    qtbot.waitUntil(lambda: QApplication.focusWidget() is view.template_combo)
    yield view, eid
    ctrl.clipboard_timer.stop()
    QGuiApplication.clipboard().clear()


def _key(qtbot, key, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed wherever the focus is now, as a user would."""
    qtbot.keyClick(QApplication.focusWidget(), key, modifier)


def _cursor_line(view) -> str:
    ed = QApplication.focusWidget()
    assert ed in view.editor.editors, "the focus is in the note"
    return ed.textCursor().block().text()


def store_flags(ws, eid) -> list[str]:
    """The kinds of flag the stored note has on the dose sentence."""
    return [f.kind for f in ws.store.get_note(eid).current.sentences()[1].flags]


def _actions(store, eid) -> list[str]:
    return [e.action for e in store.audit_events(eid)]


def test_next_flag_play_check_sign_copy_by_keyboard(qtbot, review, app_ws, tmp_path,
                                                    monkeypatch):
    view, eid = review
    store = app_ws.store
    assert view.flags.title.text() == "⚠ 2 flags to resolve"

    _key(qtbot, Qt.Key.Key_F8)  # from the template box: the first flag
    assert _cursor_line(view) == "Takes lisinopril 20 mg daily."
    assert REASON in view.flags.list.currentItem().text()
    assert view.transcript.highlighted_segments == [2]  # its evidence

    audio = tmp_path / "visit.audio"
    audio.write_bytes(b"sealed")
    monkeypatch.setattr(view.controller, "audio_path", lambda _eid: audio)
    played = []
    monkeypatch.setattr(view.player, "play",
                        lambda path, start, key: played.append((path, start)))
    _key(qtbot, Qt.Key.Key_P, Qt.KeyboardModifier.AltModifier)  # Play evidence
    assert played == [(audio, 5.0)]  # "I take lisinopril ten milligrams daily." starts at 0:05

    _key(qtbot, Qt.Key.Key_K, Qt.KeyboardModifier.ControlModifier)  # Checked
    assert "flag_checked" in _actions(store, eid)
    assert store.get_note(eid).current.sentences()[1].checked
    assert view.flags.list.item(0).text().startswith("✓ Checked")
    assert view.flags.title.text() == "⚠ 1 flag to resolve"

    _key(qtbot, Qt.Key.Key_F8)  # the next one left: the unsupported plan
    assert _cursor_line(view) == "Follow up in one week."
    _key(qtbot, Qt.Key.Key_F8, Qt.KeyboardModifier.ShiftModifier)  # the only one left, again
    assert _cursor_line(view) == "Follow up in one week."

    seen = {}

    def sign(dialog):
        from ui.sign_dialog import EMPTY_ASSESSMENT

        # This visit's Assessment is empty: the dialog asks, and the clinician says so.
        seen["asked"] = [box.text() for pos, box in dialog.flag_boxes if pos == EMPTY_ASSESSMENT]
        seen["ready_before"] = dialog.sign_button.isEnabled()
        for pos, box in dialog.flag_boxes:
            if pos == EMPTY_ASSESSMENT:
                box.setChecked(True)
        seen["boxes"] = [(box.text(), box.isChecked()) for pos, box in dialog.flag_boxes
                         if pos >= 0]
        seen["ready"] = dialog.sign_button.isEnabled()
        return QDialog.DialogCode.Accepted

    view.dialog_exec = sign
    _key(qtbot, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier |
         Qt.KeyboardModifier.ShiftModifier)
    # The checked flag is still listed, already ticked: only the empty Assessment was asked.
    assert seen.pop("asked") and seen.pop("ready_before") is False
    assert seen == {"boxes": [(f"“Takes lisinopril 20 mg daily.” — {REASON} (checked in review)",
                               True)], "ready": True}
    assert store.get(eid).status == Status.SIGNED
    assert _actions(store, eid).count("flag_acknowledged") == 1

    view.transcript.setFocus()  # anywhere in the view
    _key(qtbot, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier |
         Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == export_text(store, eid)
    assert "exported" in _actions(store, eid)


def test_correcting_the_dose_clears_its_flag_and_shows_in_changes(qtbot, review, app_ws):
    view, eid = review
    view.autosave.setInterval(20)  # the same debounce, without the wait
    _key(qtbot, Qt.Key.Key_F8)
    ed = QApplication.focusWidget()
    for _ in range(len("Takes lisinopril ")):
        qtbot.keyClick(ed, Qt.Key.Key_Right)
    for _ in range(2):
        qtbot.keyClick(ed, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(ed, "10")
    assert _cursor_line(view) == "Takes lisinopril 10 mg daily."

    def cleared() -> bool:
        return all("lisinopril" not in a.text for a in view.flags.items)

    qtbot.waitUntil(cleared, timeout=10_000)  # re-checked off the UI thread
    assert view.flags.title.text() == "⚠ 1 flag to resolve"
    assert "line 2" not in view.editor.reason_labels[0].text()
    assert not view.editor.reason_labels[0].isVisible()
    assert store_flags(app_ws, eid) == []  # saved as re-checked

    _key(qtbot, Qt.Key.Key_D, Qt.KeyboardModifier.ControlModifier |
         Qt.KeyboardModifier.ShiftModifier)
    assert view.tabs.currentWidget() is view.changes
    shown = view.changes.text.toPlainText()
    assert "changed, was" in shown and "Takes lisinopril 20 mg daily." in shown
    assert "Takes lisinopril 10 mg daily." in shown
    assert view.changes.summary.text() == "1 changed, 0 added, 0 removed since the draft."


def test_tab_order_shortcut_names_and_screen_reader_names(qtbot, review):
    view, _ = review
    seen = [QApplication.focusWidget()]
    for _ in range(14):
        _key(qtbot, Qt.Key.Key_Tab)
        seen.append(QApplication.focusWidget())
    eds = view.editor.editors
    order = [view.template_combo, view.sign_btn, view.flags.list, eds[0], eds[1], eds[2], eds[3],
             view.transcript]
    assert all(w in seen for w in order), [type(w).__name__ for w in seen]
    assert [seen.index(w) for w in order] == sorted(seen.index(w) for w in order)

    # Each action names its shortcut; the controls have names a screen reader reads.
    shown = {a.text(): a.toolTip() for a in view.menu_actions()}
    assert shown["Next flag"].endswith("(F8)") and shown["Checked"].endswith("(Ctrl+K)")
    assert shown["Sign…"].endswith("(Ctrl+Shift+S)")
    assert shown["Copy signed note"].endswith("(Ctrl+Shift+C)")
    assert view.sign_btn.toolTip() == shown["Sign…"]
    for w in (view.template_combo, view.sign_btn, view.copy_btn, view.flags.list,
              view.transcript, *view.editor.editors):
        assert w.accessibleName(), type(w).__name__
