"""One visit from audio to a stored draft: the steps the CLI runs in sequence and the UI on workers.

Bad input is rejected before a visit exists, so a failed import leaves nothing half-made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from scribe.audio.files import duration_s, load_audio
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Encounter, NoteDraft, Status, Transcript, new_id
from scribe.drafting import get_drafter, load_template
from scribe.errors import Cancelled, DiskFullError, ScribeError
from scribe.security.crypto import store_copy
from scribe.speech.transcriber import TranscribeOptions, Transcriber
from scribe.store.store import Store

StepFn = Callable[[str, float], None]
"""Progress of a visit: (step name "transcribing"/"drafting", fraction 0..1)."""


@dataclass
class ImportedAudio:
    encounter_id: str
    path: Path
    audio: np.ndarray

    @property
    def duration_s(self) -> float:
        return duration_s(self.audio)


def prepare_import(src: str | Path, audio_dir: Path) -> ImportedAudio:
    """Decode ``src`` (raising a clear error for bad input) and copy it into the store."""
    src = Path(src)
    audio = load_audio(src)
    eid = new_id()
    dest = audio_dir / f"{eid}{src.suffix.lower()}"
    try:
        store_copy(src, dest)  # encrypted when a clinician is signed in (scribe.security.crypto)
    except OSError as e:
        dest.unlink(missing_ok=True)
        if e.errno == 28:
            raise DiskFullError("The disk is full; free some space and import again.") from None
        raise ScribeError(f"Could not copy {src.name} into Scribe's storage.") from None
    return ImportedAudio(eid, dest, audio)


def visit_options(model: str = "base", device: str = "auto") -> TranscribeOptions:
    """Transcription options for a visit: the clinician's own words bias recognition (hotwords).

    Only the user's list goes in up front; drug names and terms are added by the live transcriber
    as they are heard (issue 3: the visit's own terms help, a long generic list hurts).
    """
    from scribe.speech.vocabulary import hotwords_for, load_user_words

    hotwords = hotwords_for(None, load_user_words()) or None
    return TranscribeOptions(model=model, device=device, hotwords=hotwords)


def transcribe_visit(
    audio: np.ndarray,
    transcriber: Transcriber,
    enrolment: np.ndarray | None = None,
    label_speakers: bool = True,
    cancel: CancelToken = NEVER,
    progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe, then label who said what (clinician / patient / other) word by word."""
    transcript = transcriber.transcribe(audio, cancel, progress)
    if label_speakers and transcript.segments:
        from scribe.speakers.labels import label_transcript

        transcript = label_transcript(audio, transcript, enrolment, cancel)
    return transcript


def draft_transcript(
    transcript: Transcript,
    template_id: str = "soap",
    engine: str = "offline",
    templates_dir: Path | None = None,
    cancel: CancelToken = NEVER,
    progress: Callable[[float, str], None] | None = None,
) -> NoteDraft:
    """Draft with the engine, then fact-check every sentence against the transcript (any engine).

    The check links evidence, sets each sentence's support and flags contradictions (dose,
    allergy, negation, laterality, numbers) that the clinician must acknowledge before signing.
    """
    from scribe.note.checks import check_note

    template = load_template(template_id, templates_dir)
    draft = get_drafter(engine).draft(transcript, template, cancel, progress)
    cancel.check()
    return check_note(draft, transcript)


def process(
    store: Store,
    encounter: Encounter,
    audio: np.ndarray,
    transcriber: Transcriber,
    engine: str = "offline",
    templates_dir: Path | None = None,
    cancel: CancelToken = NEVER,
    on_step: StepFn | None = None,
    enrolment: np.ndarray | None = None,
    label_speakers: bool = True,
) -> Transcript:
    """Transcribe then draft a stored visit; on error the visit is marked failed with the reason."""
    step = on_step or (lambda _name, _f: None)
    try:
        if encounter.status != Status.TRANSCRIBING:
            store.set_status(encounter.id, Status.TRANSCRIBING)
        transcript = transcribe_visit(
            audio, transcriber, enrolment, label_speakers, cancel,
            lambda f: step("transcribing", f),
        )
        store.save_transcript(encounter.id, transcript)
        draft = draft_transcript(
            transcript, encounter.template, engine, templates_dir, cancel,
            lambda f, _t: step("drafting", f),
        )
        store.save_draft(encounter.id, draft)
        return transcript
    except Cancelled:
        store.fail(encounter.id, "Cancelled by the user; open the visit to try again.")
        raise
    except ScribeError as e:
        store.fail(encounter.id, e.message)
        raise


def note_from_file(
    store: Store,
    src: str | Path,
    transcriber: Transcriber,
    template_id: str = "soap",
    engine: str = "offline",
    label: str | None = None,
    templates_dir: Path | None = None,
    cancel: CancelToken = NEVER,
    on_step: StepFn | None = None,
) -> Encounter:
    """Import, transcribe, draft and store a visit from an audio file."""
    if store.audio_dir is None:
        raise ScribeError("This store keeps no audio files.")
    load_template(template_id, templates_dir)  # fail on a bad template before any work
    imported = prepare_import(src, store.audio_dir)
    try:
        enc = store.create_encounter(
            label=label or Path(src).stem,
            status=Status.TRANSCRIBING,
            audio_file=imported.path.name,
            duration_s=imported.duration_s,
            template=template_id,
            source="imported",
            encounter_id=imported.encounter_id,
        )
    except ScribeError:  # e.g. the database is locked: leave no orphan audio behind
        imported.path.unlink(missing_ok=True)
        raise
    from scribe.visit.enrolment import load_enrolment

    process(store, enc, imported.audio, transcriber, engine, templates_dir, cancel, on_step,
            enrolment=load_enrolment(store))
    return store.get(enc.id)
