"""Light and dark themes (issue 18): WCAG AA contrast for every text and mark colour of both, a dark
theme that really makes the note page dark, chosen in View ▸ Theme and remembered."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import QEvent
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication, QWidget

from tests.ui.conftest import reviewed_visit
from ui import theme

THEMES = [theme.LIGHT, theme.DARK]


@pytest.mark.parametrize(("fg", "bg", "ratio"), [
    ("#000000", "#ffffff", 21.0), ("#ffffff", "#ffffff", 1.0), ("#777777", "#ffffff", 4.48),
    ("#ffe7a8", "#ffffff", 1.22),  # the old amber flag on white (issue 18)
])
def test_contrast_is_the_wcag_ratio(fg, bg, ratio):
    assert theme.contrast(fg, bg) == pytest.approx(ratio, abs=0.01)
    assert theme.contrast(bg, fg) == pytest.approx(ratio, abs=0.01)


@pytest.mark.parametrize("colours", THEMES, ids=lambda c: c.name)
def test_every_text_and_mark_colour_meets_wcag_aa(colours):
    weak = [
        f"{fg} on {bg}: {theme.contrast(getattr(colours, fg), getattr(colours, bg)):.2f}"
        for pairs, least in ((theme.TEXT_PAIRS, theme.TEXT_MIN), (theme.MARK_PAIRS, theme.MARK_MIN))
        for fg, bg in pairs
        if theme.contrast(getattr(colours, fg), getattr(colours, bg)) < least
    ]
    assert weak == []
    # The pairs name every colour role that is drawn on something (none escapes the check).
    paired = {role for pair in theme.TEXT_PAIRS + theme.MARK_PAIRS for role in pair}
    assert set(theme.roles()) - paired == set(theme.UNCHECKED)


@pytest.mark.parametrize("colours", THEMES, ids=lambda c: c.name)
def test_the_stylesheet_uses_only_the_theme_table_and_no_fixed_font_size(colours):
    sheet = theme.stylesheet(colours, 10.0)
    table = {getattr(colours, r).lower() for r in theme.roles()}
    assert set(re.findall(r"#[0-9a-fA-F]{6}\b", sheet)) - table == set()
    assert not re.search(r"\bwhite\b|\bblack\b", sheet)
    assert not re.search(r"font-size:\s*\d+px", sheet)
    assert theme.palette(colours).color(QPalette.ColorRole.Base) == QColor(colours.base)


def _lightness(widget: QWidget) -> float:
    """The mean lightness (0 black … 1 white) of what the widget shows on screen."""
    image = widget.grab().toImage()
    points = [(x, y) for x in range(2, image.width() - 2, max(1, image.width() // 20))
              for y in range(2, image.height() - 2, max(1, image.height() // 20))]
    return sum(image.pixelColor(x, y).lightnessF() for x, y in points) / len(points)


def test_the_dark_theme_makes_the_note_page_dark_and_is_remembered(qtbot, restore_look,
                                                                   make_window, ws, store):
    from ui.preferences import Preferences

    eid = reviewed_visit(store, flagged=True)
    w = make_window()
    w.refresh()
    w.select(eid)
    page = w.review.findChild(QWidget, "notePage")
    editor = w.review.editor.editors[1]  # Objective: no flag band over it
    assert _lightness(page) > 0.8  # light by default here (the offscreen desktop is light)

    w.theme_actions[theme.DARK_NAME].trigger()  # View ▸ Theme ▸ Dark
    assert w.theme_actions[theme.DARK_NAME].isChecked()
    assert _lightness(page) < 0.25 and _lightness(editor) < 0.3  # no white boxes left
    pal = editor.palette()
    assert theme.contrast(pal.color(QPalette.ColorRole.Text),
                          pal.color(QPalette.ColorRole.Base)) >= theme.TEXT_MIN
    assert theme.current() is theme.DARK
    assert Preferences(ws.home).theme == theme.DARK_NAME


def test_the_chosen_theme_comes_back_at_start_up(restore_look, ws):
    from ui.app import create_app
    from ui.preferences import Preferences

    Preferences(ws.home).theme = theme.DARK_NAME
    app = create_app([])
    assert theme.current() is theme.DARK
    assert app.palette().color(QPalette.ColorRole.Base) == QColor(theme.DARK.base)


@pytest.fixture
def restore_look():
    yield
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    theme.apply(QApplication.instance(), theme.SYSTEM, 1.0)
