"""The main window's menus: every main action, with its shortcut shown in the menu and in its
button's tooltip.

==========================  =====================  ==========================================
action                      keys                   menu
==========================  =====================  ==========================================
New visit                   Ctrl+N                 Visit
Import audio                Ctrl+O                 Visit
Search visits               Ctrl+F                 Visit
Record / Pause / Resume     Ctrl+R                 Visit (consent first: focuses the tick box)
Stop                        Ctrl+.                 Visit (keeps every second; then processing)
Mark this moment            Ctrl+M                 Visit (while recording)
Settings                    Ctrl+,                 Scribe
Quit                        Ctrl+Q                 Scribe (a recording is kept, as on close)
Zoom in / out / reset       Ctrl++ / Ctrl+- / Ctrl+0  View (remembered)
Theme                       –                      View ▸ Theme: System, Light, Dark
Keyboard shortcuts          F1                     Help
==========================  =====================  ==========================================

No shortcut is a plain key, so none takes a keystroke from a text field; while the screen is
locked the menu bar is hidden and no shortcut acts. The review screen's actions
(``ReviewView.menu_actions()``: next / previous flag, checked, play, changes, sign, addendum, copy,
save) follow in the Visit menu (``MainWindow.visit_menu``); their shortcuts act inside the review
screen.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QMenu, QMenuBar

from ui import theme
from ui.record_panel import MARK_KEYS, RECORD_KEYS, STOP_KEYS

THEME_LABELS = {theme.SYSTEM: "&System", theme.LIGHT_NAME: "&Light", theme.DARK_NAME: "&Dark"}
Keys = Iterable["str | QKeySequence.StandardKey"]


def make_action(parent: QObject, text: str, slot: Callable[[], object], keys: Keys = (),
                menu: QMenu | None = None) -> QAction:
    """An action with ``keys`` (a platform's standard key first, then ours; none twice or
    empty), added to ``menu``."""
    action = QAction(text, parent)
    seqs: dict[str, QKeySequence] = {}
    for k in keys:
        for seq in (QKeySequence.keyBindings(k) if isinstance(k, QKeySequence.StandardKey)
                    else [QKeySequence(k)]):
            if not seq.isEmpty():
                seqs.setdefault(seq.toString(), seq)
    action.setShortcuts(list(seqs.values()))
    action.triggered.connect(lambda _checked=False: slot())
    if menu is not None:
        menu.addAction(action)
    return action


def keys_text(action: QAction) -> str:
    """``action``'s first shortcut as the user reads it (e.g. ``Ctrl+N``), or ''."""
    seqs = action.shortcuts()
    return seqs[0].toString(QKeySequence.SequenceFormat.NativeText) if seqs else ""


def tip(text: str, action: QAction) -> str:
    """A tooltip that names the shortcut: ``Start a new visit (Ctrl+N)``."""
    keys = keys_text(action)
    return f"{text} ({keys})" if keys else text


def typed(seq: QKeySequence) -> bool:
    """A key combination typed on an ordinary keyboard (with a modifier, or a function key)."""
    combo = seq[0]
    return combo.keyboardModifiers() != Qt.KeyboardModifier.NoModifier or \
        Qt.Key.Key_F1.value <= combo.key().value <= Qt.Key.Key_F35.value


def shortcut_rows(bar: QMenuBar) -> list[tuple[str, str]]:
    """(action, keys) of every menu action with a shortcut, in menu order (a media keyboard's own
    Zoom or Help key works too, but is not listed)."""
    out = []
    for menu in bar.findChildren(QMenu):
        for action in menu.actions():
            keys = [s.toString(QKeySequence.SequenceFormat.NativeText)
                    for s in action.shortcuts() if typed(s)]
            if keys and not action.menu():
                out.append((action.text().replace("&", ""), ", ".join(keys)))
    return list(dict.fromkeys(out))


def build_menus(w: Any) -> None:
    """Scribe, Visit, View and Help on the menu bar of ``w`` (the ``ui.main_window.MainWindow``,
    which declares the attributes); each action is kept on ``w`` (``w.new_action``…,
    ``w.visit_menu``) and named in its button's tooltip."""
    bar = w.menuBar()
    scribe_menu = bar.addMenu("&Scribe")
    w.settings_action = make_action(w, "&Settings…", w.on_settings,
                                    (QKeySequence.StandardKey.Preferences, "Ctrl+,"), scribe_menu)
    w.templates_action = make_action(w, "Note &templates…", w.on_templates, menu=scribe_menu)
    w.passphrase_action = make_action(w, "Change &passphrase…", w.on_change_passphrase,
                                      menu=scribe_menu)
    scribe_menu.addSeparator()
    w.quit_action = make_action(w, "&Quit", w.close, ("Ctrl+Q",), scribe_menu)
    w.quit_action.setMenuRole(QAction.MenuRole.QuitRole)

    w.visit_menu = visit = bar.addMenu("&Visit")
    w.new_action = make_action(w, "&New visit", w.on_new_visit, ("Ctrl+N",), visit)
    w.import_action = make_action(w, "&Import audio…", w.on_import, ("Ctrl+O",), visit)
    w.search_action = make_action(w, "Searc&h visits", w.on_search, ("Ctrl+F",), visit)
    visit.addSeparator()
    w.record_action = make_action(w, "&Record", w.on_record_key, RECORD_KEYS, visit)
    w.stop_action = make_action(w, "S&top recording", w.on_stop_key, STOP_KEYS, visit)
    w.mark_action = make_action(w, "&Mark this moment", w.on_mark_key, MARK_KEYS, visit)
    visit.addSeparator()
    visit.addActions(w.review.menu_actions())  # next flag, checked, sign, copy… (in review)

    view = bar.addMenu("Vie&w")
    w.zoom_in_action = make_action(w, "Zoom &in", lambda: w.set_zoom(theme.next_zoom(
        w.prefs.zoom, 1)), (QKeySequence.StandardKey.ZoomIn, "Ctrl+="), view)
    w.zoom_out_action = make_action(w, "Zoom &out", lambda: w.set_zoom(theme.next_zoom(
        w.prefs.zoom, -1)), (QKeySequence.StandardKey.ZoomOut,), view)
    w.zoom_reset_action = make_action(w, "&Actual size", lambda: w.set_zoom(1.0), ("Ctrl+0",),
                                      view)
    view.addSeparator()
    theme_menu = view.addMenu("&Theme")
    group = QActionGroup(w)
    w.theme_actions = {}
    for name, label in THEME_LABELS.items():
        action = make_action(w, label, lambda name=name: w.set_theme(name), menu=theme_menu)
        action.setCheckable(True)
        action.setChecked(name == w.prefs.theme)
        group.addAction(action)
        w.theme_actions[name] = action

    help_menu = bar.addMenu("&Help")
    w.help_action = make_action(w, "&Keyboard shortcuts", w.on_help,
                                (QKeySequence.StandardKey.HelpContents, "F1"), help_menu)
    w.walkthrough_action = make_action(w, "&First-run walkthrough", w.show_walkthrough,
                                       menu=help_menu)
    w.data_action = make_action(w, "&Where your data lives", w.on_where_data, menu=help_menu)
    help_menu.addSeparator()
    w.about_action = make_action(w, "&About Scribe", w.on_about, menu=help_menu)
    w.about_action.setMenuRole(QAction.MenuRole.AboutRole)

    w.new_btn.setToolTip(tip("Start a new visit", w.new_action))
    w.import_btn.setToolTip(tip("Import a recording (wav, mp3, m4a, flac)", w.import_action))
    w.search.setToolTip(tip("Search visits, transcripts and notes", w.search_action))
    w.record.set_shortcut_tips(keys_text(w.record_action), keys_text(w.stop_action),
                               keys_text(w.mark_action))
