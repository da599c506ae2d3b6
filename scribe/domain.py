"""Domain types: plain dataclasses shared by the core, the CLI and the UI.

Facts (segments, signatures, audit events) are frozen. Times are timezone-aware UTC. Ids are uuid4 hex.
"""

from __future__ import annotations

import enum
import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return uuid.uuid4().hex


class Status(str, enum.Enum):
    """Lifecycle of a visit (see ``scribe.lifecycle`` for the legal transitions)."""

    RECORDING = "recording"
    PAUSED = "paused"
    TRANSCRIBING = "transcribing"
    DRAFTING = "drafting"
    IN_REVIEW = "in_review"
    SIGNED = "signed"
    FAILED = "failed"
    DISCARDED = "discarded"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ").capitalize()


class Speaker(str, enum.Enum):
    CLINICIAN = "clinician"
    PATIENT = "patient"
    OTHER = "other"


class Support(str, enum.Enum):
    """How well the transcript supports a note sentence."""

    SUPPORTED = "supported"
    PARTLY = "partly"
    UNSUPPORTED = "unsupported"


LOW_CONFIDENCE = 0.5  # a word the recogniser gave less than this is marked for the reviewer


@dataclass(frozen=True)
class Word:
    start: float
    end: float
    word: str
    speaker: str | None = None
    probability: float | None = None  # the recogniser's confidence, 0..1 (None: not known)
    # The clinical-term pass (scribe.speech.terms): ``heard`` is what the first decode wrote where
    # the audio then confirmed a lexicon term ("cleaned my sin" -> this word "clindamycin");
    # ``alternative`` a term that sounds like this word but that the audio did not confirm.
    heard: str | None = None
    alternative: str | None = None

    @property
    def uncertain(self) -> bool:
        return self.probability is not None and self.probability < LOW_CONFIDENCE

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"start": self.start, "end": self.end, "word": self.word,
                             "speaker": self.speaker}
        if self.probability is not None:
            d["probability"] = round(self.probability, 3)
        if self.heard is not None:
            d["heard"] = self.heard
        if self.alternative is not None:
            d["alternative"] = self.alternative
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Word:
        p = d.get("probability")
        heard, alternative = d.get("heard"), d.get("alternative")
        return cls(float(d["start"]), float(d["end"]), str(d["word"]), d.get("speaker"),
                   float(p) if p is not None else None,
                   str(heard) if heard is not None else None,
                   str(alternative) if alternative is not None else None)


@dataclass(frozen=True)
class Segment:
    """One timestamped piece of the transcript. ``index`` is its position in the transcript."""

    index: int
    start: float
    end: float
    text: str
    speaker: str | None = None
    words: tuple[Word, ...] = ()
    voice: int | None = None  # the voice (cluster) the labeller heard; None: not known

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "index": self.index,
            "start": round(self.start, 3),
            "end": round(self.end, 3),
            "text": self.text,
            "speaker": self.speaker,
            "words": [w.to_dict() for w in self.words],
        }
        if self.voice is not None:
            d["voice"] = self.voice
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Segment:
        voice = d.get("voice")
        return cls(
            index=int(d["index"]),
            start=float(d["start"]),
            end=float(d["end"]),
            text=str(d["text"]),
            speaker=d.get("speaker"),
            words=tuple(Word.from_dict(w) for w in d.get("words", [])),
            voice=int(voice) if voice is not None else None,
        )


@dataclass(frozen=True)
class Transcript:
    segments: tuple[Segment, ...]
    language: str = "en"
    model: str = ""
    duration: float = 0.0
    # A visit spoken in another language and drafted in English (Whisper's translate task):
    # ``segments`` are the English the draft is made from, ``original`` the words as spoken.
    original: tuple[Segment, ...] = ()

    @property
    def text(self) -> str:
        return "\n".join(s.text for s in self.segments)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "language": self.language,
            "model": self.model,
            "duration": round(self.duration, 3),
            "segments": [s.to_dict() for s in self.segments],
        }
        if self.original:
            d["original"] = [s.to_dict() for s in self.original]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Transcript:
        return cls(
            segments=tuple(Segment.from_dict(s) for s in d.get("segments", [])),
            language=d.get("language", "en"),
            model=d.get("model", ""),
            duration=float(d.get("duration", 0.0)),
            original=tuple(Segment.from_dict(s) for s in d.get("original", [])),
        )


@dataclass(frozen=True)
class Flag:
    """A fact check that failed on a sentence (e.g. a dose that differs from the transcript)."""

    kind: str  # medication | dose | allergy | negation | laterality | number | question | uncertain | unsupported
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "message": self.message}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Flag:
        return cls(str(d["kind"]), str(d["message"]))


@dataclass
class Sentence:
    text: str
    evidence: tuple[int, ...] = ()
    support: Support = Support.SUPPORTED
    flags: tuple[Flag, ...] = ()
    checked: bool = False  # the clinician looked at its flags and marked it checked (audited)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "evidence": list(self.evidence),
            "support": self.support.value,
            "flags": [f.to_dict() for f in self.flags],
        }
        if self.checked:
            d["checked"] = True
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Sentence:
        return cls(
            text=str(d["text"]),
            evidence=tuple(int(i) for i in d.get("evidence", [])),
            support=Support(d.get("support", Support.SUPPORTED.value)),
            flags=tuple(Flag.from_dict(f) for f in d.get("flags", [])),
            checked=bool(d.get("checked", False)),
        )


@dataclass
class Section:
    title: str
    sentences: list[Sentence] = field(default_factory=list)

    @property
    def text(self) -> str:
        return " ".join(s.text for s in self.sentences)

    def to_dict(self) -> dict[str, Any]:
        return {"title": self.title, "sentences": [s.to_dict() for s in self.sentences]}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Section:
        return cls(str(d["title"]), [Sentence.from_dict(s) for s in d.get("sentences", [])])


@dataclass
class NoteDraft:
    """A note as sections of sentences; each sentence keeps the transcript segments behind it."""

    sections: list[Section]
    template: str = "soap"
    engine: str = "offline"

    @property
    def text(self) -> str:
        """Plain text: upper-case section headers, one sentence per line (ACI-Bench style)."""
        blocks = []
        for sec in self.sections:
            body = "\n".join(s.text for s in sec.sentences) or "Not discussed."
            blocks.append(f"{sec.title.upper()}\n{body}")
        return "\n\n".join(blocks)

    def sentences(self) -> list[Sentence]:
        return [s for sec in self.sections for s in sec.sentences]

    def to_dict(self) -> dict[str, Any]:
        return {
            "template": self.template,
            "engine": self.engine,
            "text": self.text,
            "sections": [s.to_dict() for s in self.sections],
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NoteDraft:
        return cls(
            sections=[Section.from_dict(s) for s in d.get("sections", [])],
            template=d.get("template", "soap"),
            engine=d.get("engine", "offline"),
        )


def sha256_text(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Signature:
    signer: str  # "Name, Credentials"
    signed_at: datetime
    sha256: str  # of the exact signed text
    attestation: str

    def block(self) -> str:
        when = self.signed_at.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return (
            f"Electronically signed by {self.signer} at {when}\n"
            f"{self.attestation}\n"
            f"SHA-256: {self.sha256}"
        )


@dataclass(frozen=True)
class Addendum:
    id: str
    text: str
    signature: Signature


@dataclass
class Recording:
    """The audio of a visit as stored beside the database."""

    path: str
    duration_s: float
    samplerate: int = 16000
    channels: int = 1


@dataclass(frozen=True)
class Identity:
    """Who and what the visit was: optional, asked for at the start, encrypted with the rest.

    Locked with the note once it is signed (the export header carries it)."""

    patient_name: str = ""
    birth_date: str = ""  # YYYY-MM-DD, or ""
    mrn: str = ""  # medical record number (the clinic's identifier system is a setting)
    visit_type: str = ""  # "office visit", "telehealth", "new patient", ...
    encounter_at: datetime | None = None  # when the visit took place (default: when it was made)

    @property
    def empty(self) -> bool:
        return not (self.patient_name or self.birth_date or self.mrn or self.visit_type
                    or self.encounter_at)

    def summary(self) -> str:
        """One line for the visit list: "Jane Doe · MRN 12345 · DOB 1970-01-02"."""
        parts = [self.patient_name] if self.patient_name else []
        if self.mrn:
            parts.append(f"MRN {self.mrn}")
        if self.birth_date:
            parts.append(f"DOB {self.birth_date}")
        return " · ".join(parts)


class CodeState(str, enum.Enum):
    SUGGESTED = "suggested"  # not yet decided by the clinician
    ACCEPTED = "accepted"  # travels with the signed note
    REMOVED = "removed"


@dataclass(frozen=True)
class DiagnosisCode:
    """An ICD-10-CM code suggested from an assessed problem, with the evidence behind it."""

    code: str
    description: str  # the code's official description
    problem: str  # the problem's words in the note
    sentence: int  # position of the problem's sentence in NoteDraft.sentences()
    evidence: tuple[int, ...] = ()  # transcript segment indices
    state: CodeState = CodeState.SUGGESTED

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "description": self.description, "problem": self.problem,
                "sentence": self.sentence, "evidence": list(self.evidence),
                "state": self.state.value}


@dataclass
class Encounter:
    id: str
    created_at: datetime
    label: str
    status: Status
    duration_s: float = 0.0
    audio_file: str | None = None
    failure: str | None = None
    template: str = "soap"
    consent: bool = False
    audio_id: str | None = None  # the id of the audio file bound to this visit (its header's)
    identity: Identity = field(default_factory=Identity)

    @property
    def encounter_at(self) -> datetime:
        return self.identity.encounter_at or self.created_at


@dataclass
class Document:
    """A document written from a signed visit (after-visit summary, referral letter): drafted,
    reviewed and signed like the note, then frozen."""

    id: str
    encounter_id: str
    kind: str  # "summary" | "referral"
    language: str
    draft: NoteDraft
    current: NoteDraft
    created_at: datetime
    signature: Signature | None = None
    signed_text: str | None = None

    @property
    def signed(self) -> bool:
        return self.signature is not None


@dataclass(frozen=True)
class Mark:
    """A moment the clinician marked during the visit (one key), with an optional side note."""

    id: str
    encounter_id: str
    at_s: float  # seconds into the recording
    note: str = ""
    created_at: datetime | None = None


@dataclass(frozen=True)
class AuditEvent:
    seq: int
    encounter_id: str | None
    action: str
    actor: str
    at: datetime
    detail: str = ""
