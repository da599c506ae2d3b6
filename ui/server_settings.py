"""Settings, "Clinic server" tab: the clinic's OpenAI-compatible servers, set by IT.

Off unless a URL is entered. What is typed is checked by the core before anything is saved
(https for anything but this computer, a readable CA file, a sane timeout) and the change is
audited by name, never by value (``scribe.visit.server_admin.configure_server``)."""

from __future__ import annotations

from PySide6.QtWidgets import QFormLayout, QLabel, QLineEdit, QWidget

from scribe.store.settings import Setting, Settings
from ui.clinic_settings import setting_edit

FIELDS = (
    (Setting.SERVER_TRANSCRIPTION_URL, "Transcription server",
     "off unless set: https://scribe-gpu.clinic.lan:8443"),
    (Setting.SERVER_TRANSCRIPTION_MODEL, "Transcription model", "whisper-1"),
    (Setting.SERVER_CHAT_URL, "Drafting (chat) server", "off unless set: https://…"),
    (Setting.SERVER_CHAT_MODEL, "Drafting model", "empty: the first model the server offers"),
    (Setting.SERVER_API_KEY, "API key", ""),
    (Setting.SERVER_CA_FILE, "CA certificate", "a PEM file, for the clinic's own CA"),
    (Setting.SERVER_TIMEOUT_S, "Timeout (seconds)", "60"),
)


class ServerSettings(QWidget):
    def __init__(self, settings: Settings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.edits: dict[Setting, QLineEdit] = {}
        form = QFormLayout(self)
        for key, label, hint in FIELDS:
            edit = self.edits[key] = setting_edit(settings, key, label, hint,
                                                  secret=key == Setting.SERVER_API_KEY)
            form.addRow(label, edit)
        note = QLabel("The live transcript always stays on this computer. When a server is set, "
                      "each visit's full transcription and its draft are made there; if it is "
                      "down or slow, this computer does them and says so. Every request is "
                      "audited; anything but this computer needs https.")
        note.setWordWrap(True)
        note.setObjectName("subtitle")
        form.addRow("", note)
        self.error = QLabel()
        self.error.setObjectName("error")
        self.error.setWordWrap(True)
        self.error.setAccessibleName("Clinic server error")
        self.error.hide()  # shown only with a reason
        form.addRow("", self.error)

    def changes(self) -> dict[Setting, str]:
        return {key: edit.text().strip() for key, edit in self.edits.items()}

    def show_error(self, text: str) -> None:
        self.error.setText(text)
        self.error.setVisible(bool(text))
