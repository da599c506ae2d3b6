"""Settings, "Clinic & EHR" tab: the clinic's identity and how signed documents reach the EHR.

Set by the clinic's IT. The FHIR server is off unless a URL is entered; its token is kept in the
encrypted store like everything else."""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QWidget

from scribe.store.settings import EXPORT_FORMATS, Setting, Settings

FIELDS = (
    (Setting.CLINIC_NAME, "Clinic name", "e.g. Riverside Family Practice"),
    (Setting.CLINIC_IDENTIFIER, "Clinic identifier", "e.g. the clinic's NPI"),
    (Setting.CLINIC_IDENTIFIER_SYSTEM, "Identifier system", "http://hl7.org/fhir/sid/us-npi"),
    (Setting.MRN_SYSTEM, "MRN system", "the URI (or HL7 assigning authority) of your MRNs"),
    (Setting.EXPORT_FOLDER, "EHR drop folder", "a folder your interface engine watches"),
    (Setting.FHIR_ENDPOINT, "FHIR server", "off unless set: https://ehr.example/fhir"),
    (Setting.FHIR_TOKEN, "FHIR access token", ""),
    (Setting.FHIR_CA_FILE, "FHIR CA certificate", "a PEM file, for a private CA"),
)


def setting_edit(settings: Settings, key: Setting, label: str, hint: str,
                 secret: bool = False) -> QLineEdit:
    """A line edit holding one text setting (a secret one shows dots)."""
    edit = QLineEdit(settings.text(key))
    edit.setPlaceholderText(hint)
    edit.setAccessibleName(label)
    if secret:
        edit.setEchoMode(QLineEdit.EchoMode.Password)
    return edit


class ClinicSettings(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[Setting, QLineEdit] = {}
        form = QFormLayout(self)
        for key, label, hint in FIELDS:
            edit = self.edits[key] = setting_edit(settings, key, label, hint,
                                                  secret=key == Setting.FHIR_TOKEN)
            form.addRow(label, edit)
            if key == Setting.EXPORT_FOLDER:
                self.format = QComboBox()
                for fmt, text in (("fhir", "FHIR R4 DocumentReference (.json)"),
                                  ("hl7", "HL7 v2.5.1 MDM (.hl7)"), ("text", "Plain text (.txt)")):
                    self.format.addItem(text, fmt)
                self.format.setCurrentIndex(max(self.format.findData(settings.export_format), 0))
                self.format.setAccessibleName("Drop folder format")
                form.addRow("Drop folder format", self.format)
        note = QLabel("Only signed documents are sent, each audited. The FHIR server is used "
                      "only when set; anything but this computer needs https.")
        note.setWordWrap(True)
        note.setObjectName("subtitle")
        form.addRow("", note)

    def save(self, settings: Settings) -> None:
        for key, edit in self.edits.items():
            settings.set(key, edit.text().strip())
        fmt = self.format.currentData()
        settings.set(Setting.EXPORT_FORMAT, fmt if fmt in EXPORT_FORMATS else "fhir")
