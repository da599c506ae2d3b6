"""Sign-in: the first start creates the clinician profile; later starts ask for the passphrase.

``sign_in()`` returns an open :class:`scribe.visit.Workspace` (or None if the user
cancels); the app opens its window over it. ``confirm_passphrase()`` is what the sign
dialog calls before a note is signed: a signature means this person.
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

from scribe.errors import AuthError
from scribe.paths import data_dir
from scribe.security.profile import Profile, check_new_passphrase
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
        self.passphrase = _password_field("at least 8 characters")
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
            session = Workspace.open(home, actor="app", passphrase=ask.passphrase.text())
        except AuthError as e:
            ask.show_error(e.message)
            continue  # other errors (a damaged database) go to the caller to show
        session.record_unlock("sign-in")
        return session
    return None


def confirm_passphrase(session: Workspace, parent: QWidget | None = None) -> bool:
    """Ask for the passphrase before signing; True only when it is this clinician's."""
    ask = PassphraseDialog(
        "Confirm your signature",
        f"Signing means you, {session.profile.signer}, attest to this note. Enter your passphrase.",
        parent,
    )
    while ask.exec() == QDialog.DialogCode.Accepted:
        if session.profile.check(ask.passphrase.text()):
            return True
        ask.show_error("The passphrase is wrong; the note was not signed.")
    return False
