"""One visit from audio to a stored, checked draft: the steps every caller runs.

The command line runs them in sequence (:func:`process`, :func:`note_from_file`); the app runs the
worker-safe steps (:func:`transcribe_visit`, :func:`draft_transcript`) on its model lane and stores
their results on the main thread. Bad input is rejected before a visit exists, so a failed import
leaves nothing half-made.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from scribe.audio.files import duration_s
from scribe.audio.vault import AudioVault
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Encounter, Identity, NoteDraft, Status, Transcript, new_id
from scribe.drafting import get_drafter, load_template
from scribe.errors import Cancelled, DiskFullError, ScribeError
from scribe.note.checks import check_note
from scribe.speakers import label_transcript
from scribe.speech.transcriber import Transcriber
from scribe.visit.documents import suggest_codes_quietly
from scribe.visit.engines import Engines
from scribe.visit.language import (
    detect_language,
    draft_language_notice,
    server_notice,
    tell,
    translate,
)
from scribe.visit.server import (
    SERVER_ENGINE,
    audited,
    drafting_fell_back,
    server_drafter,
    server_transcript,
)
from scribe.visit.server_admin import server_audit
from scribe.visit.workspace import Workspace

__all__ = [
    "CANCELLED",
    "ImportedAudio",
    "StepFn",
    "draft_transcript",
    "note_from_file",
    "prepare_import",
    "process",
    "transcribe_visit",
]

StepFn = Callable[[str, float], None]
"""Progress of a visit: (step name "transcribing"/"drafting", fraction 0..1)."""

CANCELLED = "Cancelled by the user; open the visit to try again."


@dataclass
class ImportedAudio:
    encounter_id: str
    path: Path
    audio: np.ndarray

    @property
    def duration_s(self) -> float:
        return duration_s(self.audio)


def prepare_import(vault: AudioVault, src: str | Path) -> ImportedAudio:
    """Decode ``src`` (raising a clear error for bad input) and copy it into the vault.

    A file that is already a Scribe audio file (``<data folder>/audio/<id>.wav``) is decrypted with
    the vault's key and imported as its plaintext, sealed once; one the key does not open is
    refused with one sentence.
    """
    src = Path(src)
    audio = vault.load_import(src)
    eid = new_id()
    try:
        dest = vault.store_copy(src, f"{eid}{src.suffix.lower()}")
    except OSError as e:
        if e.errno == 28:
            raise DiskFullError("The disk is full; free some space and import again.") from None
        raise ScribeError(f"Could not copy {src.name} into Scribe's storage.") from None
    return ImportedAudio(eid, dest, audio)


def transcribe_visit(
    audio: np.ndarray,
    engines: Engines,
    cancel: CancelToken = NEVER,
    progress: Callable[[float], None] | None = None,
) -> Transcript:
    """Transcribe (on the clinic server when one is configured, else here; a server that fails
    falls back to here), then label who said what (clinician / patient / other) word by word.

    The visit is transcribed in its language (``engines.language``; detected when None, and kept
    as ``Transcript.language``). With ``engines.translate`` a visit in another language is also
    translated (:mod:`scribe.visit.language`): the English is what the note is drafted from, the
    words as spoken are kept as ``Transcript.original``.
    """
    report = progress or (lambda _f: None)
    transcript = None
    if engines.language == "en":
        transcript = server_transcript(audio, engines, cancel)
    else:
        tell(engines, server_notice(engines))
    translating = False
    if transcript is None:
        tell(engines, engines.model_notice())
        engines = engines.with_(language=engines.language or detect_language(audio, engines))
        translating = engines.translates
        share = 0.5 if translating else 1.0
        transcript = Transcriber(engines.as_spoken().transcribe_options()).transcribe(
            audio, cancel, lambda f: report(f * share))
        transcript = replace(transcript, language=engines.language or "en")
    if engines.label_speakers and transcript.segments:
        transcript = label_transcript(audio, transcript, engines.enrolment, cancel,
                                      models_root=engines.models_root,
                                      profiles=engines.voice_profiles)
    if translating and transcript.segments:
        transcript = translate(transcript, audio, engines, cancel, lambda f: report(0.5 + f / 2))
    if not transcript.duration:
        transcript = replace(transcript, duration=duration_s(audio))
    return transcript


def draft_transcript(
    transcript: Transcript,
    template_id: str,
    engines: Engines,
    cancel: CancelToken = NEVER,
    progress: Callable[[float, str], None] | None = None,
) -> NoteDraft:
    """Draft with the engine, then fact-check every sentence against the transcript, once.

    The check links evidence, sets each sentence's support and flags contradictions (dose,
    allergy, negation, laterality, numbers) that the clinician must acknowledge before signing.
    The engine then reviews the checked draft (the LLM engine drops sentences that invent a
    number or a drug; the offline engine only writes what was said).

    Engine ``server`` drafts on the clinic's chat server; when that fails (down, slow, refused)
    the offline engine drafts the note instead and the clinician is told. A transcript in another
    language, untranslated, is drafted too, and the clinician is told that drafting is English.
    """
    template = load_template(template_id, engines.templates_dir)
    tell(engines, draft_language_notice(transcript))
    if engines.engine == SERVER_ENGINE:
        drafter = server_drafter(engines)
        if drafter is not None:
            try:
                draft = drafter.draft(transcript, template, cancel, progress)
                cancel.check()
                return drafter.review(check_note(draft, transcript))
            except Cancelled:
                raise
            except ScribeError as e:  # RemoteError, or the audit could not be written
                drafting_fell_back(engines, e)
        engines = engines.with_(engine="offline")
    drafter = get_drafter(engines.engine, engines.models_root)
    draft = drafter.draft(transcript, template, cancel, progress)
    cancel.check()
    return drafter.review(check_note(draft, transcript))


def process(
    ws: Workspace,
    encounter: Encounter,
    engines: Engines,
    *,
    audio: np.ndarray | None = None,
    transcript: Transcript | None = None,
    cancel: CancelToken = NEVER,
    on_step: StepFn | None = None,
) -> Transcript:
    """Transcribe (unless ``transcript`` is given), then draft a stored visit, storing each.

    A ``transcript`` given for a visit still transcribing (a recording's live transcript) is
    stored; for any other visit it is what the new draft is made from.

    Without ``audio`` the visit's stored recording is read from the vault. On error the visit is
    marked failed with the reason, so it never stays stuck in Transcribing or Drafting.
    """
    step = on_step or (lambda _name, _f: None)
    store = ws.store
    engines = audited(engines, server_audit(ws, encounter.id))
    try:
        if transcript is None:
            if encounter.status != Status.TRANSCRIBING:
                store.set_status(encounter.id, Status.TRANSCRIBING)
            if audio is None:
                if not encounter.audio_file:
                    raise ScribeError("This visit has no audio file left to process.")
                audio = ws.vault.load(encounter.audio_file, encounter.audio_id)
            transcript = transcribe_visit(audio, engines, cancel,
                                          lambda f: step("transcribing", f))
            store.save_transcript(encounter.id, transcript)
        elif encounter.status == Status.TRANSCRIBING:  # a recording's live transcript, at Stop
            store.save_transcript(encounter.id, transcript)
        elif encounter.status != Status.DRAFTING:  # drafting again from the stored transcript
            store.set_status(encounter.id, Status.DRAFTING)
        draft = draft_transcript(transcript, encounter.template, engines, cancel,
                                 lambda f, _t: step("drafting", f))
        store.save_draft(encounter.id, draft)
        suggest_codes_quietly(ws, encounter.id, draft)  # the clinician decides each code
        return transcript
    except Cancelled:
        store.fail(encounter.id, CANCELLED)
        raise
    except ScribeError as e:
        store.fail(encounter.id, e.message)
        raise


def note_from_file(
    ws: Workspace,
    src: str | Path,
    engines: Engines,
    *,
    template: str | None = None,
    label: str | None = None,
    identity: Identity | None = None,
    cancel: CancelToken = NEVER,
    on_step: StepFn | None = None,
) -> Encounter:
    """Import, transcribe, draft and store a visit from an audio file."""
    template = template or ws.settings.default_template
    load_template(template, engines.templates_dir)  # fail on a bad template before any work
    imported = prepare_import(ws.vault, src)
    try:
        enc = ws.store.create_encounter(
            label=label or Path(src).stem,
            status=Status.TRANSCRIBING,
            audio_file=imported.path.name,
            duration_s=imported.duration_s,
            template=template,
            source="imported",
            encounter_id=imported.encounter_id,
            identity=identity,
        )
    except ScribeError:  # e.g. the database is locked: leave no orphan audio behind
        imported.path.unlink(missing_ok=True)
        raise
    process(ws, enc, engines, audio=imported.audio, cancel=cancel, on_step=on_step)
    return ws.store.get(enc.id)
