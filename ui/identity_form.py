"""The patient's identity and the visit's type: on the record panel, at import, in review.

Optional but asked for (every export carries it); the core checks it (a date of birth that is not
a date is one sentence, shown by the caller)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import Identity

VISIT_TYPES = ("", "Office visit", "New patient", "Follow-up", "Telehealth", "Urgent visit",
               "Annual exam")


class IdentityForm(QWidget):
    """Name, date of birth, MRN and visit type as form rows (added to the caller's form)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.name = QLineEdit()
        self.name.setPlaceholderText("Patient's name (optional)")
        self.name.setAccessibleName("Patient name")
        self.dob = QLineEdit()
        self.dob.setPlaceholderText("YYYY-MM-DD")
        self.dob.setAccessibleName("Date of birth")
        self.dob.setMaxLength(10)
        self.mrn = QLineEdit()
        self.mrn.setPlaceholderText("Medical record number")
        self.mrn.setAccessibleName("MRN")
        self.visit_type = QComboBox()
        self.visit_type.setEditable(True)
        self.visit_type.addItems(VISIT_TYPES)
        self.visit_type.setAccessibleName("Visit type")

    def add_rows(self, form: QFormLayout) -> None:
        form.addRow("Patient", self.name)
        form.addRow("Date of birth", self.dob)
        form.addRow("MRN", self.mrn)
        form.addRow("Visit type", self.visit_type)

    def identity(self, base: Identity | None = None) -> Identity:
        base = base or Identity()
        return Identity(self.name.text().strip(), self.dob.text().strip(), self.mrn.text().strip(),
                        self.visit_type.currentText().strip(), base.encounter_at)

    def set_identity(self, ident: Identity) -> None:
        self.name.setText(ident.patient_name)
        self.dob.setText(ident.birth_date)
        self.mrn.setText(ident.mrn)
        self.visit_type.setCurrentText(ident.visit_type)

    def clear(self) -> None:
        self.set_identity(Identity())


class IdentityDialog(QDialog):
    """Ask for the patient's details (importing a file, or correcting them before signing)."""

    def __init__(self, title: str, ident: Identity | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.form = IdentityForm(self)
        if ident is not None:
            self.form.set_identity(ident)
        rows = QFormLayout()
        self.form.add_rows(rows)
        hint = QLabel("Optional; every export of the signed note carries these details.")
        hint.setObjectName("subtitle")
        hint.setWordWrap(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(hint)
        lay.addLayout(rows)
        lay.addWidget(buttons)

    def identity(self, base: Identity | None = None) -> Identity:
        return self.form.identity(base)
