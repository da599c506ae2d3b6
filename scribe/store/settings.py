"""The clinician's settings: every key named once, each read through a typed getter.

Values live in the encrypted store's ``settings`` table as text. A value that does not parse (a
hand-edited database, an older version) reads as the default, never as an error.
"""

from __future__ import annotations

import json
from enum import Enum
from typing import Protocol

import numpy as np

__all__ = ["EXPORT_FORMATS", "Setting", "Settings"]


class Setting(str, Enum):
    """Every setting key Scribe stores (the value is the key in the database)."""

    ASR_MODEL = "asr_model"
    DRAFT_ENGINE = "draft_engine"
    DEFAULT_TEMPLATE = "default_template"
    LOCK_MINUTES = "lock_minutes"
    AUDIO_RETENTION_DAYS = "audio_retention_days"
    CLINICIAN_VOICEPRINT = "clinician_voiceprint"
    CLIPBOARD_CLEAR_SECONDS = "clipboard_clear_seconds"
    # The language visits are spoken in (a Whisper code, or "auto" to detect it), and whether a
    # visit in another language is drafted from an English translation; chosen on the record
    # panel (issue 13).
    DEFAULT_LANGUAGE = "default_language"
    DRAFT_IN_ENGLISH = "draft_in_english"
    # The clinic (custodian of the record; the identifier system of its MRNs).
    CLINIC_NAME = "clinic_name"
    CLINIC_IDENTIFIER = "clinic_identifier"
    CLINIC_IDENTIFIER_SYSTEM = "clinic_identifier_system"
    MRN_SYSTEM = "mrn_system"
    # Delivery to the EHR, set by the clinic's IT: a drop folder an interface engine watches,
    # and (off unless set) a FHIR server to POST signed documents to.
    EXPORT_FOLDER = "export_folder"
    EXPORT_FORMAT = "export_format"
    FHIR_ENDPOINT = "fhir_endpoint"
    FHIR_TOKEN = "fhir_token"
    FHIR_CA_FILE = "fhir_ca_file"
    # The clinic's regular staff voices, named once (JSON; scribe.speakers.profiles).
    VOICE_PROFILES = "voice_profiles"
    # A clinic server (issue 17), set by IT, off unless a URL is entered: an OpenAI-compatible
    # transcription endpoint and/or chat endpoint on the clinic's network; one key and one CA file
    # for both (the key is kept in the encrypted store like everything else).
    SERVER_TRANSCRIPTION_URL = "server_transcription_url"
    SERVER_TRANSCRIPTION_MODEL = "server_transcription_model"
    SERVER_CHAT_URL = "server_chat_url"
    SERVER_CHAT_MODEL = "server_chat_model"
    SERVER_API_KEY = "server_api_key"
    SERVER_CA_FILE = "server_ca_file"
    SERVER_TIMEOUT_S = "server_timeout_s"


DEFAULTS: dict[Setting, str] = {
    Setting.VOICE_PROFILES: "",
    Setting.ASR_MODEL: "base",
    Setting.DRAFT_ENGINE: "offline",
    Setting.DEFAULT_TEMPLATE: "soap",
    Setting.LOCK_MINUTES: "10",
    Setting.AUDIO_RETENTION_DAYS: "30",
    Setting.CLINICIAN_VOICEPRINT: "",
    Setting.CLIPBOARD_CLEAR_SECONDS: "60",
    Setting.DEFAULT_LANGUAGE: "en",
    Setting.DRAFT_IN_ENGLISH: "1",
    Setting.CLINIC_NAME: "",
    Setting.CLINIC_IDENTIFIER: "",
    Setting.CLINIC_IDENTIFIER_SYSTEM: "",
    Setting.MRN_SYSTEM: "",
    Setting.EXPORT_FOLDER: "",
    Setting.EXPORT_FORMAT: "fhir",
    Setting.FHIR_ENDPOINT: "",
    Setting.FHIR_TOKEN: "",
    Setting.FHIR_CA_FILE: "",
    Setting.SERVER_TRANSCRIPTION_URL: "",
    Setting.SERVER_TRANSCRIPTION_MODEL: "whisper-1",
    Setting.SERVER_CHAT_URL: "",
    Setting.SERVER_CHAT_MODEL: "",  # "": the server's first model (GET /v1/models)
    Setting.SERVER_API_KEY: "",
    Setting.SERVER_CA_FILE: "",
    Setting.SERVER_TIMEOUT_S: "60",
}

EXPORT_FORMATS = ("fhir", "hl7", "text")


class SettingsTable(Protocol):
    """Where settings are kept (``Store``)."""

    def setting(self, key: Setting) -> str | None: ...

    def set_setting(self, key: Setting, value: str) -> None: ...


class Settings:
    """Typed access to the settings of one store."""

    def __init__(self, store: SettingsTable) -> None:
        self._store = store

    def text(self, key: Setting) -> str:
        return self._store.setting(key) or DEFAULTS[key]

    def number(self, key: Setting) -> int:
        """A count (minutes, days): a whole number >= 0, else the default."""
        try:
            return max(0, int(self.text(key)))
        except ValueError:
            return int(DEFAULTS[key])

    def set(self, key: Setting, value: str | int) -> None:
        self._store.set_setting(key, str(value))

    # --- the typed getters ------------------------------------------------------------------
    @property
    def asr_model(self) -> str:
        return self.text(Setting.ASR_MODEL)

    @property
    def draft_engine(self) -> str:
        return self.text(Setting.DRAFT_ENGINE)

    @property
    def default_template(self) -> str:
        return self.text(Setting.DEFAULT_TEMPLATE)

    @property
    def lock_minutes(self) -> int:
        """Minutes without input before the app locks (0 = never)."""
        return self.number(Setting.LOCK_MINUTES)

    @property
    def retention_days(self) -> int:
        """Days after signing before a visit's audio is deleted (0 = keep forever)."""
        return self.number(Setting.AUDIO_RETENTION_DAYS)

    @property
    def clipboard_clear_seconds(self) -> int:
        """Seconds after which the app clears a signed note it copied, if still there (0 = never)."""
        return self.number(Setting.CLIPBOARD_CLEAR_SECONDS)

    @property
    def default_language(self) -> str:
        """The language of the next visit: a Whisper code (``en``, ``es``…) or ``auto``."""
        return self.text(Setting.DEFAULT_LANGUAGE).strip().lower() or "en"

    @property
    def draft_in_english(self) -> bool:
        """Whether a visit in another language is drafted from Whisper's English translation."""
        return self.text(Setting.DRAFT_IN_ENGLISH).strip() not in ("0", "false", "no")

    @property
    def export_format(self) -> str:
        """What the drop folder receives: fhir, hl7 or text (anything else reads as fhir)."""
        value = self.text(Setting.EXPORT_FORMAT)
        return value if value in EXPORT_FORMATS else DEFAULTS[Setting.EXPORT_FORMAT]

    @property
    def voiceprint(self) -> np.ndarray | None:
        """The clinician's enrolled voice print, or None before enrolment (or if unreadable)."""
        raw = self.text(Setting.CLINICIAN_VOICEPRINT)
        if not raw:
            return None
        try:
            return np.asarray(json.loads(raw), dtype=np.float32)
        except (ValueError, TypeError):
            return None

    def set_voiceprint(self, voiceprint: np.ndarray) -> None:
        self.set(Setting.CLINICIAN_VOICEPRINT,
                 json.dumps([round(float(x), 6) for x in voiceprint]))
