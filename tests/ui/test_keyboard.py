"""The app by keyboard only (issue 18): shortcuts in menus and tooltips, a visit recorded, marked and
stopped by keys, Tab that never changes the selected visit, Quit that keeps a recording, Help.

No model runs here: the model lane is replaced by one that keeps its jobs (the live transcript and
what follows Stop are tested in test_live.py and test_app_flow.py).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

import scribe
from scribe.domain import Status
from scribe.visit.recording import INTERRUPTED
from tests.ui.conftest import DATA, WavStreamFactory, reviewed_visit

CTRL = Qt.KeyboardModifier.ControlModifier


class KeptLane:
    """A model lane that keeps what it is given and runs nothing (no model is loaded)."""

    def __init__(self) -> None:
        self.jobs: list = []

    def submit(self, job, _signals) -> None:  # noqa: ANN001
        self.jobs.append(job)

    def call(self, _fn) -> None:  # noqa: ANN001 - loading a model ahead: nothing is loaded here
        pass

    def wait(self, _msecs: int = -1) -> bool:
        return True


def press(window, key: Qt.Key, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # noqa: ANN001
    """One key, sent where the user's key would go: the focused widget (else the window)."""
    target = QApplication.focusWidget()
    QTest.keyClick(target if isinstance(target, QWidget) and window.isAncestorOf(target)
                   else window, key, modifier)


@pytest.fixture
def window(qtbot, make_window):
    factory = WavStreamFactory(DATA / "hello.wav")
    w = make_window(stream_factory=factory)
    w.factory = factory
    w.controller.lane = KeptLane()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)
    return w


def test_a_visit_is_recorded_marked_and_stopped_by_keyboard_only(qtbot, window, store):
    w = window
    press(w, Qt.Key.Key_N, CTRL)
    assert w.pages.currentWidget() is w.record
    assert QApplication.focusWidget() is w.record.label_edit  # type the visit's label first

    press(w, Qt.Key.Key_R, CTRL)  # no consent yet: nothing records, the tick box gets focus
    assert w.controller.recorder is None and store.list() == []
    assert QApplication.focusWidget() is w.record.consent
    press(w, Qt.Key.Key_Space)
    assert w.record.consent.isChecked()
    press(w, Qt.Key.Key_R, CTRL)
    eid = w.controller.recording_id
    assert eid and store.get(eid).status == Status.RECORDING
    assert w.record_action.text().replace("&", "") == "Pause"

    rec = w.controller.recorder
    qtbot.waitUntil(lambda: w.factory.streams[0].fed_all.is_set(), timeout=5000)
    before = rec.elapsed_s
    press(w, Qt.Key.Key_M, CTRL)
    after = rec.elapsed_s
    assert "Moment marked" in w.record.mark_feedback.text()

    # The side note has the focus while recording: typed text + Enter is kept at this moment.
    assert QApplication.focusWidget() is w.record.note_edit
    QTest.keyClicks(w.record.note_edit, "BP 150/90, recheck")
    press(w, Qt.Key.Key_Return)
    assert w.record.note_edit.text() == ""

    press(w, Qt.Key.Key_R, CTRL)  # pause, then resume
    assert store.get(eid).status == Status.PAUSED
    press(w, Qt.Key.Key_R, CTRL)
    assert store.get(eid).status == Status.RECORDING

    press(w, Qt.Key.Key_Period, CTRL)  # Stop
    assert w.controller.recorder is None
    enc = store.get(eid)
    assert enc.status == Status.TRANSCRIBING and (store.audio_dir / enc.audio_file).is_file()
    marks = store.marks(eid)
    assert [m.note for m in marks] == ["", "BP 150/90, recheck"]
    assert 3.5 < before <= marks[0].at_s <= after  # the clip is 4 s, played at once
    assert marks[0].at_s <= marks[1].at_s <= enc.duration_s
    press(w, Qt.Key.Key_M, CTRL)  # nothing records any more: no mark
    assert len(store.marks(eid)) == 2


def test_tab_never_changes_the_selected_visit_and_arrows_do(qtbot, window, store):
    first = reviewed_visit(store)
    second = reviewed_visit(store)
    w = window
    w.refresh()
    w.select(second)
    assert w.current_id() == second and w.pages.currentWidget() is w.review

    w.new_btn.setFocus()
    order = [QApplication.focusWidget()]
    for _ in range(4):
        press(w, Qt.Key.Key_Tab)
        order.append(QApplication.focusWidget())
        assert w.current_id() == second
    assert order[:4] == [w.new_btn, w.import_btn, w.search, w.table]
    assert w.review.isAncestorOf(order[4])  # then into the visit's view, same visit
    press(w, Qt.Key.Key_Tab, Qt.KeyboardModifier.ShiftModifier)
    assert QApplication.focusWidget() is w.table and w.current_id() == second

    rows = {w.model.index(r, 0).data(Qt.ItemDataRole.UserRole + 1): r for r in range(2)}
    press(w, Qt.Key.Key_Down if rows[first] > rows[second] else Qt.Key.Key_Up)
    assert w.current_id() == first  # the arrow keys choose visits


def test_every_main_action_has_a_shortcut_shown_in_menus_tooltips_and_help(window):
    from ui.help_dialog import HelpDialog

    w = window
    expected = {
        w.new_action: "Ctrl+N", w.import_action: "Ctrl+O", w.record_action: "Ctrl+R",
        w.stop_action: "Ctrl+.", w.mark_action: "Ctrl+M", w.search_action: "Ctrl+F",
        w.settings_action: "Ctrl+,", w.quit_action: "Ctrl+Q", w.help_action: "F1",
        w.zoom_in_action: "Ctrl++", w.zoom_out_action: "Ctrl+-", w.zoom_reset_action: "Ctrl+0",
    }
    for action, keys in expected.items():
        assert keys in [s.toString() for s in action.shortcuts()], action.text()
    menus = {m.title().replace("&", ""): [a.text().replace("&", "") for a in m.actions()]
             for m in w.menuBar().findChildren(type(w.visit_menu))
             if m.title()}
    assert {"Scribe", "Visit", "View", "Help"} <= set(menus)
    assert {"New visit", "Import audio…", "Record", "Stop recording", "Mark this moment"} <= \
        set(menus["Visit"])
    assert "Quit" in menus["Scribe"] and "About Scribe" in menus["Help"]
    assert set(w.review.menu_actions()) <= set(w.visit_menu.actions())  # sign, copy… too
    assert "(Ctrl+N)" in w.new_btn.toolTip() and "(Ctrl+O)" in w.import_btn.toolTip()
    assert "(Ctrl+R)" in w.record.record_btn.toolTip()
    assert "(Ctrl+.)" in w.record.stop_btn.toolTip()
    assert "(Ctrl+M)" in w.record.mark_btn.toolTip()
    for control in (w.new_btn, w.import_btn, w.search, w.table, w.record.record_btn,
                    w.record.stop_btn, w.record.mark_btn, w.record.note_edit, w.record.consent,
                    w.record.device_combo, w.record.live, w.record.meter):
        assert control.accessibleName(), control

    press(w, Qt.Key.Key_F1)  # Help lists the shortcuts and where the data lives
    helps = [d for d in w.findChildren(HelpDialog) if d.isVisible()]
    assert len(helps) == 1
    table = helps[0].shortcuts
    listed = {table.item(r, 0).text(): table.item(r, 1).text() for r in range(table.rowCount())}
    assert listed["Mark this moment"] == "Ctrl+M" and listed["Stop recording"] == "Ctrl+."
    helps[0].tabs.setCurrentIndex(HelpDialog.DATA)
    assert str(w.controller.ws.home) in helps[0].data.text()
    helps[0].reject()


def test_quit_by_keyboard_keeps_the_recording(qtbot, window, store):
    w = window
    press(w, Qt.Key.Key_N, CTRL)
    w.record.consent.setChecked(True)
    press(w, Qt.Key.Key_R, CTRL)
    eid = w.controller.recording_id
    qtbot.waitUntil(lambda: w.factory.streams[0].fed_all.is_set(), timeout=5000)
    press(w, Qt.Key.Key_Q, CTRL)
    assert not w.isVisible()
    enc = store.get(eid)
    assert enc.status == Status.FAILED and enc.failure == INTERRUPTED  # kept, to process later
    assert (store.audio_dir / enc.audio_file).is_file() and enc.duration_s > 3.5


def test_the_walkthrough_is_shown_once_and_about_shows_versions_and_models(qtbot, window,
                                                                         make_window):
    from ui.first_run import STEPS, WalkthroughDialog
    from ui.help_dialog import AboutDialog

    w = window
    assert w.offer_walkthrough()
    dialog = w.walkthrough
    assert dialog.isVisible() and "Consent" in dialog.pages.currentWidget().accessibleName()
    for _ in STEPS:  # Enter is Next, then Start on the last step
        QTest.keyClick(dialog.next_btn, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=2000)
    assert not w.offer_walkthrough()  # remembered: not offered again
    assert not make_window().offer_walkthrough()  # nor after a restart (same data folder)

    w.walkthrough_action.trigger()  # Help reopens it; Esc skips it
    again = next(d for d in w.findChildren(WalkthroughDialog) if d.isVisible())
    QTest.keyClick(again, Qt.Key.Key_Escape)
    assert not again.isVisible()

    w.about_action.trigger()
    about = next(d for d in w.findChildren(AboutDialog) if d.isVisible())
    text = about.text()
    assert f"Scribe: {scribe.__version__}" in text
    for part in ("Python:", "Qt:", "faster-whisper:", "ctranslate2:"):
        assert part in text
    assert "Whisper tiny.en (English, CTranslate2)" in text and "· in use" in text
    # The drafting LLM line: none yet, or (once another test installed the SmolLM2 fixture in
    # the shared model store) the installed one with the engine in use.
    assert "Language model" in text or "drafting engine: offline" in text
    about.reject()


def test_record_stop_next_flag_resolve_sign_copy_all_by_keyboard(qtbot, window, store):
    """The whole visit by keys. The lane runs no model here: what it would hand back at Stop (the
    transcript and a draft with a flagged dose) is delivered through the controller's own slots,
    so everything from the keys to the clipboard is the app's real path."""
    from PySide6.QtGui import QGuiApplication
    from PySide6.QtWidgets import QDialog

    from scribe.domain import Flag, NoteDraft, Section, Segment, Sentence, Transcript
    from scribe.export.text import export_text

    w = window
    press(w, Qt.Key.Key_N, CTRL)
    press(w, Qt.Key.Key_R, CTRL)  # focus goes to the consent box
    press(w, Qt.Key.Key_Space)
    press(w, Qt.Key.Key_R, CTRL)
    eid = w.controller.recording_id
    qtbot.waitUntil(lambda: w.factory.streams[0].fed_all.is_set(), timeout=5000)
    press(w, Qt.Key.Key_Period, CTRL)
    assert store.get(eid).status == Status.TRANSCRIBING

    said = Transcript((Segment(0, 0.0, 2.0, "I take lisinopril ten milligrams daily.",
                               "patient"),))
    dose = Flag("dose", "The transcript says 10 mg, the note says 20 mg.")
    draft = NoteDraft([Section("Subjective", [
        Sentence("Takes lisinopril 20 mg daily.", (0,), flags=(dose,))])])
    w.controller.on_transcribed(eid, said)
    w.controller.on_drafted(eid, draft)
    qtbot.waitUntil(lambda: w.pages.currentWidget() is w.review, timeout=2000)
    view = w.review

    press(w, Qt.Key.Key_F8)  # the flagged sentence, its reason in the panel
    assert dose.message in view.flags.list.currentItem().text()
    press(w, Qt.Key.Key_K, CTRL)  # resolved: checked (audited)
    assert store.get_note(eid).current.sentences()[0].checked
    view.dialog_exec = lambda dialog: (QDialog.DialogCode.Accepted
                                       if dialog.sign_button.isEnabled() else 0)
    press(w, Qt.Key.Key_S, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert store.get(eid).status == Status.SIGNED
    press(w, Qt.Key.Key_C, CTRL | Qt.KeyboardModifier.ShiftModifier)
    assert QGuiApplication.clipboard().text() == export_text(store, eid)
    w.controller.clipboard_timer.stop()
    QGuiApplication.clipboard().clear()
