"""The window at 1024×700 (issue 18): nothing clipped on the record and review screens; the font
follows the system and zooms with Ctrl+Plus / Ctrl+Minus, remembered across restarts."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QEvent, QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QLabel,
    QLineEdit,
    QWidget,
)

from tests.ui.conftest import reviewed_visit
from ui import theme

SMALL = (1024, 700)


def clipped(window: QWidget) -> list[str]:
    """Every visible button, text field and label that is cut off: outside the window (or, in a
    scrolled area, wider than it), or narrower than it needs to show its text."""
    problems = []
    for kind in (QAbstractButton, QLineEdit, QLabel):
        for w in window.findChildren(kind):
            if not w.isVisible() or w.window() is not window:
                continue
            name = f"{type(w).__name__} {getattr(w, 'text', lambda: '')()[:40]!r}"
            rect = QRect(w.mapTo(window, QPoint(0, 0)), w.size())
            area = _scroll_area_of(w)
            if area is not None:  # scrolled up and down by design, never sideways
                view = QRect(area.viewport().mapTo(window, QPoint(0, 0)), area.viewport().size())
                if rect.left() < view.left() or rect.right() > view.right():
                    problems.append(f"{name} is wider than its scrolled pane: {rect} in {view}")
            elif not window.rect().contains(rect):
                problems.append(f"{name} lies outside the window: {rect}")
            need = w.minimumSizeHint().width()
            if w.width() < need:
                problems.append(f"{name} is {w.width()} px wide, needs {need}")
    return problems


def _scroll_area_of(w: QWidget) -> QAbstractScrollArea | None:
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, QAbstractScrollArea) and parent.viewport().isAncestorOf(w):
            return parent
        parent = parent.parentWidget()
    return None


def _at_small_size(qtbot, w) -> None:  # noqa: ANN001
    w.resize(*SMALL)
    qtbot.waitUntil(lambda: w.size().toTuple() == SMALL or w.minimumSizeHint().width() > SMALL[0],
                    timeout=2000)
    QApplication.processEvents()


@pytest.mark.parametrize(("screen", "zoom"), [
    ("record", 1.0), ("review", 1.0), ("record", 1.25)])
def test_nothing_is_clipped_at_1024x700(qtbot, restore_look, make_window, ws, store, screen, zoom):
    from ui.app import create_app
    from ui.preferences import Preferences

    Preferences(ws.home).zoom = zoom  # zoomed in, the record screen still fits
    create_app([])
    eid = reviewed_visit(store, flagged=True)
    w = make_window()
    w.refresh()
    w.select(eid)  # a visit looked at first, as in a day's work
    assert w.pages.currentWidget() is w.review
    if screen == "record":
        w.on_new_visit()
    _at_small_size(qtbot, w)
    assert w.size().toTuple() == SMALL, f"the window needs {w.minimumSizeHint().toTuple()}"
    assert clipped(w) == []


def test_zoom_scales_the_font_and_is_remembered(qtbot, restore_look, make_window, ws):
    from ui.app import create_app
    from ui.preferences import Preferences

    system = theme.system_point_size()
    Preferences(ws.home).zoom = 1.25  # as the last session left it, then a restart:
    create_app([])
    w = make_window()
    app = QApplication.instance()
    assert app.font().pointSizeF() == pytest.approx(system * 1.25)  # remembered at start-up
    assert not re.search(r"font-size:\s*\d+px", app.styleSheet())  # sizes follow the app font
    title = w.record.findChild(QLabel, "viewTitle")
    zoomed_title = title.font().pointSizeF()
    w.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is w, timeout=2000)

    ctrl = Qt.KeyboardModifier.ControlModifier
    QTest.keyClick(w, Qt.Key.Key_Minus, ctrl)
    assert app.font().pointSizeF() == pytest.approx(system * 1.1)
    QTest.keyClick(w, Qt.Key.Key_0, ctrl)
    assert app.font().pointSizeF() == pytest.approx(system)  # the desktop's own size
    assert w.new_btn.font().pointSizeF() == pytest.approx(system)  # every widget follows
    assert title.font().pointSizeF() < zoomed_title
    QTest.keyClick(w, Qt.Key.Key_Plus, ctrl)
    assert w.new_btn.font().pointSizeF() == pytest.approx(system * 1.1)
    assert Preferences(ws.home).zoom == pytest.approx(1.1)


@pytest.fixture
def restore_look():
    """Later tests get the default look back (the app object outlives each test); windows
    closed by earlier fixtures are deleted first, so they are not restyled for nothing."""
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    theme.apply(QApplication.instance(), theme.SYSTEM, 1.0)
