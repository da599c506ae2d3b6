"""``scribe-app``: start the desktop app."""

from __future__ import annotations

import gc
import sys

from PySide6.QtWidgets import QApplication, QMessageBox

from scribe.errors import ScribeError
from scribe.paths import data_dir
from scribe.visit.workspace import Workspace

STYLE = """
QWidget { font-size: 13px; }
QLabel#viewTitle { font-size: 19px; font-weight: 600; }
QLabel#subtitle, QLabel#paneTitle { color: #5f6b7a; }
QLabel#paneTitle { font-weight: 600; padding: 2px 0; }
QLabel#sectionTitle { font-weight: 700; color: #23395d; padding-top: 8px; letter-spacing: 1px; }
QLabel#elapsed { font-size: 22px; font-family: monospace; min-width: 70px; }
QLabel#recState { color: #c62828; font-weight: 600; min-width: 90px; }
QLabel#recState[paused="true"] { color: #ef6c00; }
QLabel#warning { background: #fff3cd; color: #7a5a00; padding: 6px; border-radius: 4px; }
QLabel#error { background: #fdecea; color: #8a1c1c; padding: 6px; border-radius: 4px; }
QLabel#signature { background: #e8f5e9; color: #1b5e20; padding: 8px; border-radius: 4px;
                   font-weight: 600; }
QLabel#addenda { background: #f5f5f5; padding: 8px; border-radius: 4px; }
QLabel#emptyHint { color: #8a94a3; font-size: 15px; }
QWidget#banner { background: #fdecea; border: 1px solid #f5c2c0; border-radius: 4px; }
QWidget#banner QLabel { color: #8a1c1c; }
QWidget#notePage { background: white; }
QPushButton { padding: 5px 12px; }
QPushButton#primary, QPushButton#recordButton { font-weight: 600; }
QPushButton#recordButton:enabled { color: #c62828; }
QProgressBar#levelMeter { border: 1px solid #c0c7d0; border-radius: 3px; background: #f1f3f5; }
QProgressBar#levelMeter::chunk { background: #43a047; }
QTextEdit { background: white; }
"""


def create_app(argv: list[str] | None = None) -> QApplication:
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    assert isinstance(app, QApplication)
    app.setApplicationName("Scribe")
    app.setOrganizationName("Scribe")
    app.setStyle("Fusion")
    app.setStyleSheet(STYLE)
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


def main(argv: list[str] | None = None) -> int:
    from scribe.logs import setup_logging
    from scribe.paths import private_umask

    private_umask()  # first: every file and folder Scribe makes is private (0600/0700)
    setup_logging()  # ids and step names only, never patient text
    app = create_app(argv)
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
    offer_recovery(window, session)
    gc.collect()
    gc.freeze()  # start-up objects leave the collector: no long GC pause on the UI thread later
    code = app.exec()
    session.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
