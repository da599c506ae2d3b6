"""What the model lane needs to process a visit, resolved once from the workspace.

Workers never touch the store (STYLE.md, "Threads in the Qt app"), so the thread that owns the
workspace reads the settings, the voice print and the clinician's words into an :class:`Engines`
and hands that to the lane.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from models.catalog import get_entry
from scribe.errors import InputError
from scribe.remote import ClinicServer, RequestHook
from scribe.speakers import VoiceProfile
from scribe.speech.transcriber import TranscribeOptions

__all__ = ["AUTO", "LANGUAGES", "MULTILINGUAL_MODEL", "Engines", "language_code", "language_name"]

AUTO = "auto"
"""The language choice that lets Whisper detect the visit's language."""

LANGUAGES: dict[str, str] = {
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "de": "German",
    "it": "Italian",
    "pt": "Portuguese",
    "zh": "Chinese",
    "vi": "Vietnamese",
    "tl": "Tagalog",
    "ko": "Korean",
    "ja": "Japanese",
    "ar": "Arabic",
    "ru": "Russian",
    "uk": "Ukrainian",
    "pl": "Polish",
    "hi": "Hindi",
    "fa": "Persian",
    "ht": "Haitian Creole",
}
"""The languages offered for a visit, by Whisper code: a short list of the languages clinics
see most (Whisper's multilingual models know 99)."""

MULTILINGUAL_MODEL = "base"
"""The bundled model a visit in another language is transcribed with when the chosen one is
English-only (``tiny.en``)."""


def language_code(choice: str | None) -> str | None:
    """A visit's language from what was chosen (``auto``, a code, or a listed name): the Whisper
    code, or None to detect it; InputError names the choices for anything else."""
    value = (choice or AUTO).strip().lower()
    if value == AUTO:
        return None
    by_name = {name.lower(): code for code, name in LANGUAGES.items()}
    code = value if value in LANGUAGES else by_name.get(value)
    if code is None:
        raise InputError(f"Scribe does not offer the language '{choice}'; choose auto or one of "
                         f"{', '.join(LANGUAGES)}.")
    return code


def language_name(code: str | None) -> str:
    """How a language is named to the clinician (``es`` -> ``Spanish``; None -> ``Automatic``)."""
    if code is None:
        return "Automatic"
    return LANGUAGES.get(code, code)


def english_only(model: str) -> bool:
    """Whether the speech model ``model`` (a catalog id or a model folder) hears English only."""
    entry = get_entry(model)
    if entry is not None:
        return entry.english_only
    return Path(model).name.lower().endswith(".en")


@dataclass(frozen=True)
class Engines:
    model: str = "base"
    """Speech model: a catalog id (``base``, ``tiny.en``…) or a model folder."""
    device: str = "auto"
    engine: str = "offline"
    """Drafting engine: ``offline``, ``llm``, ``llm:ID`` or ``auto``."""
    models_root: Path | None = None
    templates_dir: Path | None = None
    hotwords: str | None = None
    """The clinician's own words, offered to the recogniser (a short list; see speech.vocabulary)."""
    enrolment: np.ndarray | None = field(default=None, compare=False, repr=False)
    """The clinician's voice print: makes the clinician's label certain."""
    label_speakers: bool = True
    voice_profiles: tuple[VoiceProfile, ...] = field(default=(), compare=False, repr=False)
    """The clinic's staff voices, named once (recognised at Stop and on import)."""
    key: bytes | None = field(default=None, compare=False, repr=False)
    """The data key, to read the visit's stored audio (a worker never opens the store)."""
    server: ClinicServer | None = None
    """The clinic's servers IT configured (None: everything runs on this workstation)."""
    on_request: RequestHook | None = field(default=None, compare=False, repr=False)
    """Audits a server request before it is sent (kind, host); without it nothing is sent."""
    on_notice: Callable[[str], None] | None = field(default=None, compare=False, repr=False)
    """Told in one sentence when a step falls back from the server to this workstation, or when
    the visit's language changes what is done (another model, a note drafted from a translation)."""
    language: str | None = "en"
    """The visit's language, a Whisper code (``en``, ``es``…); None: Whisper detects it."""
    translate: bool = False
    """Draft in English: a visit in another language is also translated (Whisper's translate
    task), and the note is drafted from the translation; the words as spoken are kept too."""

    @property
    def translates(self) -> bool:
        """Whether the speech is translated: asked for, and the language is not English."""
        return self.translate and self.language != "en"

    @property
    def speech_model(self) -> str:
        """The model that transcribes: the chosen one, unless it is English-only and the visit
        may be in another language (then the bundled multilingual model)."""
        if self.language != "en" and english_only(self.model):
            return MULTILINGUAL_MODEL
        return self.model

    def model_notice(self) -> str | None:
        """The sentence that says the chosen model was replaced for this visit's language."""
        if self.speech_model == self.model:
            return None
        said = (f"in {language_name(self.language)}" if self.language
                else "whose language is detected")
        return (f"The speech model '{Path(self.model).name}' hears English only, so this visit "
                f"{said} is transcribed with the multilingual '{MULTILINGUAL_MODEL}' model.")

    def transcribe_options(self) -> TranscribeOptions:
        """What the recogniser is given: task ``translate`` when :attr:`translates`."""
        return TranscribeOptions(model=self.speech_model, device=self.device,
                                 hotwords=self.hotwords, models_root=self.models_root,
                                 language=self.language,
                                 task="translate" if self.translates else "transcribe")

    def as_spoken(self) -> Engines:
        """These engines transcribing in the visit's own language (no translation)."""
        return replace(self, translate=False)

    def with_(self, **changes: object) -> Engines:
        return replace(self, **changes)  # type: ignore[arg-type]
