"""``scribe-app``: start the desktop app."""

from __future__ import annotations

import gc
import os
import sys

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from scribe import syscheck
from scribe.errors import ScribeError
from scribe.paths import data_dir
from scribe.visit.workspace import Workspace

FUSION_SET = "scribeFusionStyle"


def create_app(argv: list[str] | None = None) -> QApplication:
    """The QApplication, with the theme and zoom the user chose (``ui.ini`` in the data folder)."""
    from ui import theme
    from ui.preferences import Preferences

    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Scribe")
    app.setOrganizationName("Scribe")
    if not app.property(FUSION_SET):  # set once: each setStyle repolishes every widget
        app.setStyle("Fusion")
        app.setProperty(FUSION_SET, True)
    prefs = Preferences()
    theme.apply(app, prefs.theme, prefs.zoom)
    return app


def build_window(ws: Workspace, **controller_options):  # noqa: ANN003, ANN201
    """The main window over ``ws``; options go to :class:`ui.controller.Controller`."""
    from ui.controller import Controller
    from ui.main_window import MainWindow

    controller = Controller(ws, **controller_options)
    controller.mark_interrupted()
    return MainWindow(controller)


def offer_recovery(window, ws: Workspace) -> list[dict]:  # noqa: ANN001
    """After a crash: offer to keep the recordings it interrupted (at most the last second lost)."""
    from scribe.visit.recover import interrupted_count, recover_visits

    n = interrupted_count(ws)
    if not n:
        return []
    answer = QMessageBox.question(
        window, "Recover recordings",
        f"{n} recording(s) were interrupted when Scribe or the computer stopped. Recover them as "
        "visits now? (Recovered visits can then be transcribed with Process again.)",
    )
    if answer != QMessageBox.StandardButton.Yes:
        return []
    recovered, problems = recover_visits(ws)
    window.refresh()
    for message in problems:
        window.on_message(message, "error")
    if recovered:
        window.on_message(f"Recovered {len(recovered)} visit(s).", "info")
    return recovered


SMOKE_TEST_ENV = "SCRIBE_SMOKE_TEST"
"""Set to 1 (packaging/smoke.sh does, on the frozen app): the app quits with 0 as soon as its first
window (sign-in, first-run profile or main window) is shown, a start-up self-test."""


def quit_when_first_window_shown(app: QApplication) -> None:
    """The start-up self-test: poll until a top-level window is visible, then leave every event
    loop (a first-run dialog's too), so ``main`` returns 0."""

    def poll() -> None:
        shown = [w for w in app.topLevelWidgets() if w.isVisible() and w.isWindow()]
        if not shown:
            QTimer.singleShot(10, poll)
            return
        print(f"scribe-app: smoke test: window '{shown[0].windowTitle()}' shown", file=sys.stderr)
        app.exit(0)

    QTimer.singleShot(0, poll)


def main(argv: list[str] | None = None) -> int:
    from scribe.logs import setup_logging
    from scribe.paths import private_umask

    private_umask()  # first: every file and folder Scribe makes is private (0600/0700)
    setup_logging()  # ids and step names only, never patient text
    try:  # a missing system library is one sentence naming its package, not a Qt abort
        warnings = syscheck.check_app(os.environ)
    except ScribeError as e:
        print(f"scribe-app: {e.message}", file=sys.stderr)
        return 1
    app = create_app(argv)
    if os.environ.get(SMOKE_TEST_ENV) == "1":
        quit_when_first_window_shown(app)
    # Sign-in, auto-lock and the passphrase before a signature (issue 5: ui/profile_dialog.py,
    # ui/lock_screen.py); the store is the encrypted one.
    from ui.lock_screen import AutoLock
    from ui.profile_dialog import confirm_passphrase, sign_in

    try:
        session = sign_in(data_dir())
    except ScribeError as e:
        QMessageBox.critical(None, "Scribe", e.message)
        return 1
    if session is None:
        return 0
    window = build_window(session)
    window.controller.sign_check = lambda: confirm_passphrase(session, window)
    window.auto_lock = AutoLock(window, session)
    window.show()
    for warning in warnings:  # e.g. no PortAudio: the app works, recording does not
        window.on_message(warning, "error")
    offer_recovery(window, session)
    window.offer_walkthrough()  # once, on the first start: consent, record, review, sign
    gc.collect()
    gc.freeze()  # start-up objects leave the collector: no long GC pause on the UI thread later
    code = app.exec()
    session.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
