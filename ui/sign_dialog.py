"""Sign-off: who signs (the signed-in profile, read-only), the attestation, one acknowledgement per
flag (ticked already for a flag the clinician marked checked in review, still listed), and, when the
Assessment is empty, a warning the clinician must tick to sign anyway. The passphrase is asked again
after Sign (the controller's ``sign_check``)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import NoteDraft
from scribe.note.signoff import DEFAULT_ATTESTATION, empty_assessment

EMPTY_ASSESSMENT = -1
"""The place in ``SignDialog.flag_boxes`` of the box that signs with an empty Assessment (the
others are sentence positions)."""


def flagged_sentences(note: NoteDraft) -> list[tuple[int, str, str]]:
    """(position in ``note.sentences()``, sentence, flag messages) for each flagged sentence."""
    return [
        (i, s.text, " ".join(f.message for f in s.flags))
        for i, s in enumerate(note.sentences())
        if s.flags
    ]


class SignerFields(QWidget):
    """The signed-in profile's name and credentials, read-only: a signature means this person.

    Shared by the sign and addendum dialogs; what is typed here is never what a signature names
    (the controller signs as ``ws.profile``)."""

    def __init__(self, name: str, credentials: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit(name)
        self.credentials = QLineEdit(credentials)
        for field in (self.name, self.credentials):
            field.setReadOnly(True)
            field.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            field.setToolTip("You sign as the signed-in profile.")
        form = QFormLayout(self)
        form.setContentsMargins(0, 0, 0, 0)
        self.name.setAccessibleName("Signer's name")
        self.credentials.setAccessibleName("Signer's credentials")
        form.addRow("Name", self.name)
        form.addRow("Credentials", self.credentials)


class SignDialog(QDialog):
    def __init__(self, note: NoteDraft, name: str = "", credentials: str = "",
                 attestation: str = DEFAULT_ATTESTATION, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Sign note")
        self.setMinimumWidth(480)
        self.attestation = attestation
        self.signer = SignerFields(name, credentials)
        text = QLabel(attestation)
        text.setWordWrap(True)
        text.setObjectName("attestation")

        lay = QVBoxLayout(self)
        lay.addWidget(self.signer)
        lay.addWidget(text)
        self.flag_boxes: list[tuple[int, QCheckBox]] = []
        flagged = flagged_sentences(note)
        checked = {i for i, s in enumerate(note.sentences()) if s.flags and s.checked}
        if flagged:
            group = QGroupBox(f"Flagged sentences ({len(flagged)}) — acknowledge each one")
            group.setAccessibleName("Flagged sentences to acknowledge")
            glay = QVBoxLayout(group)
            if checked:
                hint = QLabel("Those you marked checked in review are ticked already.")
                hint.setWordWrap(True)
                glay.addWidget(hint)
            for pos, sentence, why in flagged:
                done = " (checked in review)" if pos in checked else ""
                box = QCheckBox(f"“{sentence}” — {why}{done}")
                box.setToolTip(why)
                box.setChecked(pos in checked)  # each check was audited when it was made
                box.toggled.connect(self._update)
                glay.addWidget(box)
                self.flag_boxes.append((pos, box))
            lay.addWidget(group)

        self.empty_assessment = empty_assessment(note)
        if self.empty_assessment is not None:
            warning = QLabel(f"⚠ {self.empty_assessment} Sign anyway only if this visit assessed "
                             "no problem.")
            warning.setObjectName("flagReason")  # flag_fg on flag_bg, from the theme
            warning.setTextFormat(Qt.TextFormat.PlainText)
            warning.setWordWrap(True)
            box = QCheckBox("Sign with the Assessment empty")
            box.setAccessibleName(self.empty_assessment)
            box.setToolTip(self.empty_assessment)
            box.toggled.connect(self._update)
            warning.setBuddy(box)
            lay.addWidget(warning)
            lay.addWidget(box)
            self.flag_boxes.append((EMPTY_ASSESSMENT, box))

        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.sign_button = self.buttons.addButton("Sign", QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        lay.addWidget(self.buttons)
        self.signer.name.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        ok = bool(self.signer.name.text().strip()) and all(b.isChecked() for _, b in
                                                           self.flag_boxes)
        self.sign_button.setEnabled(ok)

    def acknowledged(self) -> list[int]:
        """Positions of the flagged sentences acknowledged (what the store's sign takes)."""
        return [pos for pos, box in self.flag_boxes if box.isChecked() and pos >= 0]

    def signs_empty_assessment(self) -> bool:
        """True when the Assessment is empty and the clinician ticked to sign anyway."""
        return any(pos == EMPTY_ASSESSMENT and box.isChecked() for pos, box in self.flag_boxes)

    def name(self) -> str:
        return self.signer.name.text().strip()

    def credentials(self) -> str:
        return self.signer.credentials.text().strip()
