"""Sign-in: the first start creates the clinician profile; later starts ask for the passphrase.

``sign_in()`` returns an open :class:`scribe.visit.Workspace` (or None if the user
cancels); the app opens its window over it. ``confirm_passphrase()`` is what the controller's
``sign_check`` calls before a note or an addendum is signed: a signature means this person.
``change_passphrase()`` is "Change passphrase…": a new passphrase and a new data key.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scribe.errors import AuthError, ScribeError
from scribe.paths import data_dir
from scribe.security.profile import MIN_PASSPHRASE, Profile, check_new_passphrase
from scribe.visit.workspace import Workspace


def _password_field(placeholder: str = "") -> QLineEdit:
    field = QLineEdit()
    field.setEchoMode(QLineEdit.EchoMode.Password)
    field.setPlaceholderText(placeholder)
    return field


class ProfileDialog(QDialog):
    """First start: name, credentials and a passphrase (typed twice)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Welcome to Scribe")
        self.name = QLineEdit()
        self.name.setPlaceholderText("Dr. Ada Lovelace")
        self.credentials = QLineEdit()
        self.credentials.setPlaceholderText("MD")
        self.passphrase = _password_field(f"at least {MIN_PASSPHRASE} characters")
        self.repeat = _password_field()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        intro = QLabel(
            "Create your profile. Your passphrase protects every visit on this computer; "
            "it cannot be recovered if you forget it."
        )
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Name", self.name)
        form.addRow("Credentials", self.credentials)
        form.addRow("Passphrase", self.passphrase)
        form.addRow("Repeat passphrase", self.repeat)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Create profile")
        buttons.accepted.connect(self.on_accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def problem(self) -> str | None:
        """Why the form cannot be accepted yet, as one sentence; None when it can."""
        if not self.name.text().strip():
            return "Enter your name; it goes on every note you sign."
        try:
            check_new_passphrase(self.passphrase.text())
        except AuthError as e:
            return e.message
        if self.passphrase.text() != self.repeat.text():
            return "The two passphrases differ; type them again."
        return None

    def on_accept(self) -> None:
        msg = self.problem()
        if msg:
            self.error.setText(msg)
            self.error.show()
            return
        self.accept()


class PassphraseDialog(QDialog):
    """Asks for the passphrase: to sign in, or again before a signature."""

    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.passphrase = _password_field()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.hide()
        label = QLabel(prompt)
        label.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.passphrase)
        layout.addWidget(self.error)
        layout.addWidget(buttons)

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
        self.passphrase.clear()
        self.passphrase.setFocus()


def sign_in(home: Path | None = None, parent: QWidget | None = None) -> Workspace | None:
    """Create the profile on first start, else ask for the passphrase until it is right.

    Raises ScribeError (e.g. a damaged database) for the caller to show; None when cancelled.
    """
    home = home or data_dir()
    profile = Profile.load(home)
    if profile is None:
        dlg = ProfileDialog(parent)
        if dlg.exec() != QDialog.DialogCode.Accepted:
            return None
        _, key = Profile.create(home, dlg.name.text(), dlg.credentials.text(),
                                dlg.passphrase.text())
        session = Workspace.open(home, actor="app", key=key)
        session.record_unlock("profile created")
        return session
    ask = PassphraseDialog("Sign in to Scribe", f"Passphrase for {profile.signer}:", parent)
    while ask.exec() == QDialog.DialogCode.Accepted:
        try:
            session = Workspace.open(home, actor="app", passphrase=ask.passphrase.text(),
                                     record_sign_in=True)
        except AuthError as e:
            ask.show_error(e.message)
            continue  # other errors (a damaged database) go to the caller to show
        return session  # Workspace.open audited the sign-in and the failures before it
    return None


def confirm_passphrase(session: Workspace, parent: QWidget | None = None) -> bool:
    """Ask for the passphrase before signing; True only when it is this clinician's."""
    ask = PassphraseDialog(
        "Confirm your signature",
        f"Signing means you, {session.profile.signer}, attest to this note. Enter your passphrase.",
        parent,
    )
    while ask.exec() == QDialog.DialogCode.Accepted:
        try:  # the same waits after wrong passphrases as at sign-in
            session.confirm(ask.passphrase.text(), "nothing was signed")
        except AuthError as e:
            ask.show_error(e.message)
            continue
        return True
    return False


class ChangePassphraseDialog(QDialog):
    """Current passphrase, then the new one twice; the data is re-encrypted under a new key."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Change passphrase")
        self.current = _password_field()
        self.new = _password_field(f"at least {MIN_PASSPHRASE} characters")
        self.repeat = _password_field()
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.hide()
        intro = QLabel("Every visit and recording is re-encrypted under a new key; old copies of "
                       "your profile then open nothing with the old passphrase.")
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("Current passphrase", self.current)
        form.addRow("New passphrase", self.new)
        form.addRow("Repeat new passphrase", self.repeat)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        self.buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Change passphrase")
        self.buttons.accepted.connect(self.on_accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)

    def problem(self) -> str | None:
        """Why the form cannot be accepted yet, as one sentence; None when it can."""
        if not self.current.text():
            return "Enter your current passphrase."
        try:
            check_new_passphrase(self.new.text())
        except AuthError as e:
            return e.message
        if self.new.text() != self.repeat.text():
            return "The two new passphrases differ; type them again."
        return None

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()

    def on_accept(self) -> None:
        msg = self.problem()
        if msg:
            self.show_error(msg)
            return
        self.accept()


def change_passphrase(session: Workspace, parent: QWidget | None = None) -> bool:
    """"Change passphrase…": ask, then rotate the key; True when changed. Call it only while no
    recording or processing runs (the data key changes under them)."""
    dlg = ChangePassphraseDialog(parent)
    while dlg.exec() == QDialog.DialogCode.Accepted:
        try:
            session.change_passphrase(dlg.current.text(), dlg.new.text())
        except ScribeError as e:
            dlg.show_error(e.message)
            dlg.current.clear()
            continue
        return True
    return False
