"""Moments marked during a visit (issue 18): listed at their time for review, Enter goes there; a
mark needs a recording."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from scribe.domain import Status
from tests.ui.conftest import reviewed_visit
from ui.controller import Controller
from ui.marks_view import MarksView


def test_marks_show_at_their_time_and_enter_seeks_there(qtbot, ws, store):
    eid = reviewed_visit(store)
    other = reviewed_visit(store)
    store.add_mark(eid, 65.4, "Ask about the rash again")
    store.add_mark(eid, 7.2)
    store.add_mark(other, 3.0, "not this visit")
    view = MarksView(Controller(ws))
    qtbot.addWidget(view)
    view.load(eid)
    assert [view.item(r).text() for r in range(view.count())] == [
        "[00:07] ★ Marked moment", "[01:05] ★ Ask about the rash again"]

    view.show()
    view.setFocus()
    view.setCurrentRow(1)
    with qtbot.waitSignal(view.seek, timeout=1000) as seek:
        QTest.keyClick(view, Qt.Key.Key_Return)
    assert seek.args == [65.4]
    view.load(None)
    assert view.count() == 0


def test_a_mark_needs_a_recording(ws, store, qtbot):
    eid = reviewed_visit(store)
    ctrl = Controller(ws)
    with qtbot.waitSignal(ctrl.message, timeout=1000) as said:
        assert not ctrl.mark_moment("a note")
    text, level = said.args
    assert level == "error" and text.endswith(".") and "\n" not in text
    assert store.marks(eid) == [] and store.get(eid).status == Status.IN_REVIEW


def test_the_review_screen_shows_a_visits_marks_and_goes_to_the_moment(qtbot, ws, store):
    from ui.review_view import ReviewView

    eid = reviewed_visit(store)  # segments 0-2 s, 2-5 s, 5-8 s, 8-10 s
    plain = reviewed_visit(store)
    store.add_mark(eid, 6.0, "dose question")
    view = ReviewView(Controller(ws))
    qtbot.addWidget(view)
    view.show()
    view.load(plain)
    assert view.marks.isHidden()  # no marks, no empty box
    view.load(eid)
    assert view.marks.isVisible() and view.marks.item(0).text() == "[00:06] ★ dose question"
    view.marks.itemActivated.emit(view.marks.item(0))
    assert view.transcript.highlighted_segments == [2]
