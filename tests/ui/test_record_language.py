"""The record panel's language (issue 13): chosen by keyboard, remembered, given to the visit."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from tests.ui.conftest import DATA, WavStreamFactory


class HeldLane:
    """A model lane that keeps the jobs it is given instead of running them (no model loads)."""

    def __init__(self) -> None:
        self.jobs = []

    def submit(self, job, _signals) -> None:  # noqa: ANN001
        self.jobs.append(job)

    def call(self, _fn) -> None:  # noqa: ANN001 - loading a model ahead: nothing is loaded here
        pass

    def wait(self, _msecs: int = -1) -> bool:
        return True


def _panel(qtbot, ws, model="base"):  # noqa: ANN001, ANN202
    from ui.controller import Controller
    from ui.record_panel import RecordPanel

    ctrl = Controller(ws, model=model, stream_factory=WavStreamFactory(DATA / "hello.wav"))
    ctrl.lane = HeldLane()
    panel = RecordPanel(ctrl, devices=lambda: [])
    qtbot.addWidget(panel)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def test_the_language_is_chosen_by_keyboard_and_reaches_the_visit(qtbot, ws):
    panel = _panel(qtbot, ws)
    assert panel.language_combo.currentText() == "English"
    assert not panel.translate_check.isEnabled()  # nothing to translate from English
    panel.activateWindow()
    panel.focus_start()  # the visit label, where a keyboard user starts
    qtbot.waitUntil(lambda: QApplication.focusWidget() is panel.label_edit, timeout=2000)
    # Alt+L, the "Language" label's mnemonic, as a user presses it from wherever the focus is.
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_L, Qt.KeyboardModifier.AltModifier)
    qtbot.waitUntil(lambda: panel.language_combo.hasFocus(), timeout=2000)
    QTest.keyClicks(panel.language_combo, "Spa")  # type-ahead, as in any list
    assert panel.language_combo.currentText() == "Spanish"
    assert panel.translate_check.isEnabled() and panel.translate_check.isChecked()
    QTest.keyClick(panel.language_combo, Qt.Key.Key_Tab)
    assert panel.translate_check.hasFocus()
    QTest.keyClick(panel.translate_check, Qt.Key.Key_Space)  # draft from the Spanish as spoken
    assert not panel.translate_check.isChecked()
    assert "English only" in panel.language_hint.text() and panel.language_hint.isVisible()

    engines = panel.controller.engines()
    assert (engines.language, engines.translate) == ("es", False)
    panel.consent.setChecked(True)
    panel.on_record()
    eid = panel.controller.recording_id
    assert eid is not None
    assert not panel.language_combo.isEnabled()  # the live pass started in Spanish
    live = panel.controller.lane.jobs[-1]
    assert live.kind == "live" and live.engines.language == "es"
    assert live.engines.transcribe_options().task == "transcribe"
    panel.controller.stop_recording(process=False)


def test_the_choice_is_remembered_for_the_next_visit(qtbot, ws):
    first = _panel(qtbot, ws)
    first.language_combo.setCurrentIndex(first.language_combo.findData("auto"))
    again = _panel(qtbot, ws)
    assert again.language_combo.currentText() == "Automatic"
    assert again.translate_check.isChecked() and again.translate_check.isEnabled()
    engines = again.controller.engines()
    assert engines.language is None and engines.translates
    # An import made now takes the same choice (the controller's engines for every new visit).
    again.controller.import_file(DATA / "hello.wav")
    job = again.controller.lane.jobs[-1]
    assert job.kind == "import" and job.engines.language is None


def test_the_fast_english_model_says_another_language_uses_base(qtbot, ws):
    panel = _panel(qtbot, ws, model="tiny.en")
    assert not panel.language_hint.isVisible()
    panel.language_combo.setCurrentIndex(panel.language_combo.findData("vi"))
    assert "tiny.en" in panel.language_hint.text() and "'base'" in panel.language_hint.text()
    assert panel.controller.engines().transcribe_options().model == "base"


def test_the_record_screen_still_fits_at_1024x700_with_the_language_note(qtbot, make_window):
    from tests.ui.test_layout import SMALL, clipped

    w = make_window()  # the fast model: the longest note (model and drafting) shows
    w.on_new_visit()
    panel = w.record
    panel.language_combo.setCurrentIndex(panel.language_combo.findData("es"))
    panel.translate_check.setChecked(False)
    assert panel.language_hint.isVisible()
    w.resize(*SMALL)
    qtbot.waitUntil(lambda: w.size().toTuple() == SMALL, timeout=2000)
    assert clipped(w) == []
