"""Auto-lock: after N idle minutes the window's content is hidden until the passphrase is entered.

A recording in progress keeps recording: locking only covers the window (the recorder, its writer
thread and the data key in memory are untouched). Install with::

    lock = AutoLock(window, session)   # minutes from the LOCK_MINUTES setting (default 10)

Each unlock is an audit event ("unlocked").
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import utcnow
from scribe.errors import ScribeError
from scribe.visit.workspace import Workspace

_ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class LockScreen(QWidget):
    """Covers the whole window; only a passphrase field shows. ``unlocked`` when it is right."""

    unlocked = Signal()

    def __init__(self, session: Workspace, parent: QWidget) -> None:
        super().__init__(parent)
        self.session = session
        self.setObjectName("lockScreen")
        self.setAutoFillBackground(True)
        title = QLabel(f"Scribe is locked — {session.profile.signer}")
        title.setObjectName("viewTitle")
        hint = QLabel("Any recording in progress goes on. Enter your passphrase to continue.")
        self.passphrase = QLineEdit()
        self.passphrase.setEchoMode(QLineEdit.EchoMode.Password)
        self.passphrase.returnPressed.connect(self.on_unlock)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.hide()
        self.button = QPushButton("Unlock")
        self.button.setObjectName("primary")
        self.button.clicked.connect(self.on_unlock)
        box = QVBoxLayout(self)
        box.addStretch(1)
        for w in (title, hint, self.passphrase, self.error, self.button):
            box.addWidget(w, 0, Qt.AlignmentFlag.AlignHCenter)
        box.addStretch(2)
        self.passphrase.setMinimumWidth(280)

    def on_unlock(self) -> None:
        """Unlock when the passphrase is right; wrong ones count towards the waits and lockout
        (shared with sign-in and signing) and are audited at the next unlock."""
        typed = self.passphrase.text()
        self.passphrase.clear()
        try:
            self.session.unlock_screen(typed)
        except ScribeError as e:
            self.error.setText(e.message)
            self.error.show()
            return
        self.error.hide()
        self.unlocked.emit()


class AutoLock(QObject):
    """Watches user input anywhere in the app and locks ``window`` after ``minutes`` idle."""

    locked_changed = Signal(bool)

    def __init__(self, window: QWidget, session: Workspace, minutes: float | None = None,
                 app: QApplication | None = None) -> None:
        super().__init__(window)
        self.window = window
        self.screen = LockScreen(session, window)
        self.screen.hide()
        self.screen.unlocked.connect(self.unlock)
        self._hidden: list[QWidget] = []
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.lock)
        self.set_minutes(session.settings.lock_minutes if minutes is None else minutes)
        self.last_activity = utcnow()
        (app or QApplication.instance()).installEventFilter(self)
        window.installEventFilter(self)

    @property
    def locked(self) -> bool:
        return self.screen.isVisible() or bool(self._hidden)

    def set_minutes(self, minutes: float) -> None:
        """0 turns auto-lock off."""
        self.minutes = minutes
        self.timer.stop()
        if minutes > 0:
            self.timer.start(int(minutes * 60_000))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt API
        if watched is self.window and event.type() == QEvent.Type.Resize and self.locked:
            self.screen.setGeometry(self.window.rect())
        elif event.type() in _ACTIVITY and not self.locked and self.minutes > 0:
            self.timer.start()  # restart the idle countdown
        return False

    def lock(self) -> None:
        if self.locked:
            return
        self.timer.stop()
        # Hide every child but the lock screen, so nothing of a visit shows (also not to
        # accessibility tools); the widgets and the recorder behind them keep running.
        self._hidden = [w for w in self.window.findChildren(QWidget, options=Qt.FindChildOption
                        .FindDirectChildrenOnly) if w is not self.screen and w.isVisible()]
        for w in self._hidden:
            w.hide()
        self.screen.setGeometry(self.window.rect())
        self.screen.show()
        self.screen.raise_()
        self.screen.passphrase.setFocus()
        self.locked_changed.emit(True)

    def unlock(self) -> None:
        self.screen.hide()
        for w in self._hidden:
            w.show()
        self._hidden = []
        if self.minutes > 0:
            self.timer.start()
        self.locked_changed.emit(False)
