"""An addendum to a signed note: its own text and attestation, signed (like the note) as the
signed-in profile, shown read-only; the passphrase is asked again after "Sign addendum"."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from scribe.note.signoff import DEFAULT_ATTESTATION
from ui.sign_dialog import SignerFields


class AddendumDialog(QDialog):
    def __init__(self, name: str = "", credentials: str = "",
                 attestation: str = DEFAULT_ATTESTATION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Add addendum")
        self.setMinimumSize(480, 320)
        self.attestation = attestation
        self.text = QPlainTextEdit()
        self.text.setPlaceholderText("What to add to the signed note")
        self.text.setAccessibleName("Addendum text")
        self.text.setTabChangesFocus(True)  # Tab goes on to the buttons, as in every field
        self.signer = SignerFields(name, credentials)
        note = QLabel(attestation)
        note.setWordWrap(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton("Sign addendum",
                                                  QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.text, 1)
        lay.addWidget(self.signer)
        lay.addWidget(note)
        lay.addWidget(self.buttons)
        self.text.textChanged.connect(self._update)
        self.signer.name.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.sign_button.setEnabled(bool(self.text.toPlainText().strip())
                                    and bool(self.signer.name.text().strip()))

    def addendum_text(self) -> str:
        return self.text.toPlainText().strip()

    def name(self) -> str:
        return self.signer.name.text().strip()

    def credentials(self) -> str:
        return self.signer.credentials.text().strip()
