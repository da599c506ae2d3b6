"""The app's disclosures: a copy is audited before the note reaches the clipboard and is cleared
after the configured time (unless the clinician has copied something else since); opening a visit
in the review screen and saving it to a file are audited, naming the clinician."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QGuiApplication

from scribe.export.text import export_text
from scribe.store.secure import DB_FILE, connect
from scribe.store.settings import Setting
from scribe.visit.workspace import Workspace
from tests.ui.conftest import reviewed_visit

CLINICIAN = "Ada Lovelace"
ACTOR = f"app:{CLINICIAN}"


@pytest.fixture
def controller(qtbot, app_ws):
    from ui.app import create_app
    from ui.controller import Controller

    create_app([])
    ctrl = Controller(app_ws, model="tiny.en")
    messages: list[tuple[str, str]] = []
    ctrl.message.connect(lambda text, level: messages.append((text, level)))
    ctrl.messages = messages  # type: ignore[attr-defined]
    yield ctrl
    ctrl.clipboard_timer.stop()
    QGuiApplication.clipboard().clear()


def signed_visit(ws: Workspace) -> str:
    eid = reviewed_visit(ws.store)
    ws.store.sign(eid, "Dr Ada Lovelace, MD", "I attest.")
    return eid


def audit_rows(ws: Workspace, eid: str) -> list[tuple[str, str, str]]:
    """(action, actor, detail) of the visit's events, read off the encrypted file."""
    assert ws.key is not None
    conn = connect(ws.home / DB_FILE, ws.key)
    try:
        return [tuple(r) for r in conn.execute(
            "SELECT action, actor, detail FROM audit WHERE encounter_id = ? ORDER BY seq", [eid])]
    finally:
        conn.close()


def test_copy_is_audited_before_the_note_reaches_the_clipboard_then_cleared(
        qtbot, controller, app_ws):
    eid = signed_visit(app_ws)
    app_ws.settings.set(Setting.CLIPBOARD_CLEAR_SECONDS, 1)
    board = QGuiApplication.clipboard()
    board.setText("before")
    seen_when_it_arrived: list[list[tuple[str, str, str]]] = []

    def arrived() -> None:
        if board.text() != "before" and board.text():
            seen_when_it_arrived.append(audit_rows(app_ws, eid))

    board.dataChanged.connect(arrived)
    try:
        assert controller.copy_export(eid)
    finally:
        board.dataChanged.disconnect(arrived)
    # The moment the note was on the clipboard, its export was already on disk.
    assert seen_when_it_arrived and ("exported", ACTOR, "clipboard") in seen_when_it_arrived[0]
    assert board.text() == export_text(app_ws.store, eid)
    assert controller.messages[-1] == (
        "The signed note is on the clipboard for 1 seconds.", "info")
    qtbot.waitUntil(lambda: board.text() == "", timeout=4000)


def test_a_clipboard_the_user_changed_since_is_left_alone(qtbot, controller, app_ws):
    eid = signed_visit(app_ws)
    app_ws.settings.set(Setting.CLIPBOARD_CLEAR_SECONDS, 1)
    assert controller.copy_export(eid)
    board = QGuiApplication.clipboard()
    board.setText("the user's own text")
    qtbot.wait(1600)
    assert not controller.clipboard_timer.isActive()
    assert board.text() == "the user's own text"


def test_zero_seconds_never_clears(qtbot, controller, app_ws):
    eid = signed_visit(app_ws)
    app_ws.settings.set(Setting.CLIPBOARD_CLEAR_SECONDS, 0)
    assert controller.copy_export(eid)
    assert not controller.clipboard_timer.isActive()
    assert QGuiApplication.clipboard().text() == export_text(app_ws.store, eid)


def test_copy_with_the_database_busy_leaves_the_clipboard_alone(qtbot, controller, app_ws):
    eid = signed_visit(app_ws)
    board = QGuiApplication.clipboard()
    board.setText("before")
    assert app_ws.key is not None
    holder = connect(app_ws.home / DB_FILE, app_ws.key)  # another program writing
    holder.execute("BEGIN IMMEDIATE")
    try:
        assert not controller.copy_export(eid)
    finally:
        holder.rollback()
        holder.close()
    assert board.text() == "before"
    text, level = controller.messages[-1]
    assert level == "error" and "in use by another program" in text
    assert ("exported", ACTOR, "clipboard") not in audit_rows(app_ws, eid)


def test_opening_a_visit_in_review_is_audited_and_shown_in_its_trail(qtbot, controller, app_ws):
    from ui.review_view import ReviewView

    eid = signed_visit(app_ws)
    view = ReviewView(controller)
    qtbot.addWidget(view)
    view.load(eid)
    view.load(eid)  # a refresh of the same visit is not a second opening
    assert [r for r in audit_rows(app_ws, eid) if r[0] == "viewed"] == [
        ("viewed", ACTOR, "review")]
    trail = [(view.audit.item(row, 1).text(), view.audit.item(row, 2).text())
             for row in range(view.audit.rowCount())]
    assert ("viewed", ACTOR) in trail and ("signed", ACTOR) in trail


def test_save_is_audited_and_a_missing_folder_is_one_sentence(qtbot, controller, app_ws,
                                                              tmp_path):
    eid = signed_visit(app_ws)
    assert not controller.save_export(eid, tmp_path / "gone" / "note.txt")
    text, level = controller.messages[-1]
    assert level == "error" and text == \
        "The folder to export into does not exist; nothing was written."
    assert ("exported", ACTOR, "file") not in audit_rows(app_ws, eid)
    out = tmp_path / "note.txt"
    assert controller.save_export(eid, out)
    assert out.read_text(encoding="utf-8") == export_text(app_ws.store, eid)
    assert ("exported", ACTOR, "file") in audit_rows(app_ws, eid)


def test_the_privacy_tab_sets_the_clipboard_time(qtbot, app_ws):
    from ui.app import create_app
    from ui.settings_dialog import SettingsDialog

    create_app([])
    dialog = SettingsDialog(app_ws)
    qtbot.addWidget(dialog)
    assert dialog.clipboard_seconds.value() == 60
    dialog.clipboard_seconds.setValue(15)
    dialog.accept()
    assert app_ws.settings.clipboard_clear_seconds == 15
