"""The app's controller: wires the core to the model lane and persists results on the main thread.

Widgets call the controller and listen to its signals; they hold no business rules. Every store
call happens here, on the main thread; lane jobs only report back through queued signals.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtGui import QGuiApplication

from scribe.audio.recorder import Recorder
from scribe.domain import (
    Addendum,
    AuditEvent,
    Encounter,
    NoteDraft,
    Segment,
    Signature,
    Status,
    Transcript,
    new_id,
)
from scribe.errors import NotFoundError, ScribeError
from scribe.export.text import export_text, export_to_file
from scribe.note.signoff import DEFAULT_ATTESTATION
from scribe.store.store import NoteRecord, Store
from scribe.visit.enrolment import load_enrolment
from ui.live_worker import LiveSession
from ui.workers import Job, JobSignals, ModelLane

log = logging.getLogger("scribe.ui")

MODEL_ENV = "SCRIBE_ASR_MODEL"
"""Overrides the speech model the app uses (e.g. ``tiny.en`` for tests and screenshots)."""

CANCELLED = "Cancelled by the user; press Process again to retry."
INTERRUPTED = "Scribe closed before this visit was processed; press Process again."
ACTIVE = (Status.TRANSCRIBING, Status.DRAFTING)


class Controller(QObject):
    """Owns the store, the model lane and the current recording."""

    visits_changed = Signal()  # the list of visits or a visit's status changed
    progress = Signal(str, str, float)  # encounter id, step, fraction 0..1
    draft_ready = Signal(str)  # encounter id whose draft was just stored
    message = Signal(str, str)  # one sentence, level "error" | "info"
    processing_changed = Signal()  # a job started or ended
    live_changed = Signal(str, str, str)  # encounter id, committed text, pending tail
    draft_text = Signal(str, str)  # encounter id, a streamed piece of an LLM draft

    def __init__(
        self,
        store: Store,
        *,
        model: str | None = None,
        engine: str | None = None,
        audio_dir: Path | None = None,
        templates_dir: Path | None = None,
        stream_factory: Callable[..., Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.store = store
        self._model = model
        self._engine = engine
        self.audio_dir = audio_dir or store.audio_dir or Path(".")
        self.templates_dir = templates_dir
        self.stream_factory = stream_factory
        self.lane = ModelLane()
        self.jobs: list[Job] = []
        self.recorder: Recorder | None = None
        self.recording_id: str | None = None
        self.live_session: LiveSession | None = None
        # The committed live segments of each recording, labelled with speakers when known.
        self.live_segments: dict[str, list[Segment]] = {}
        # Hook run before a signature is stored (e.g. re-enter the passphrase, issue 5):
        # returns False to abort. None = no extra check.
        self.sign_check: Callable[[], bool] | None = None
        self.signals = JobSignals(self)
        q = Qt.ConnectionType.QueuedConnection
        self.signals.imported.connect(self.on_imported, q)
        self.signals.progress.connect(self.on_progress, q)
        self.signals.transcribed.connect(self.on_transcribed, q)
        self.signals.drafted.connect(self.on_drafted, q)
        self.signals.failed.connect(self.on_failed, q)
        self.signals.cancelled.connect(self.on_cancelled, q)
        self.signals.finished.connect(self.on_finished, q)
        self.signals.live.connect(self.on_live, q)
        self.signals.draft_text.connect(self.draft_text, q)

    # --- settings -----------------------------------------------------------------------------
    @property
    def model(self) -> str:
        return self._model or os.environ.get(MODEL_ENV) or self.store.setting("asr_model") or "base"

    @property
    def engine(self) -> str:
        """Drafting engine: the constructor's, else the ``draft_engine`` setting, else offline."""
        return self._engine or self.store.setting("draft_engine") or "offline"

    @engine.setter
    def engine(self, value: str | None) -> None:
        self._engine = value

    def default_template(self) -> str:
        return self.store.setting("default_template") or "soap"

    # --- reading (cheap SQL on the main thread) -----------------------------------------------
    def visits(self, search: str = "") -> list[Encounter]:
        return self.store.list(search or None)

    def encounter(self, eid: str) -> Encounter:
        return self.store.get(eid)

    def transcript(self, eid: str) -> Transcript | None:
        return self.store.get_transcript(eid)

    def note(self, eid: str) -> NoteRecord | None:
        return self.store.get_note(eid)

    def addenda(self, eid: str) -> list[Addendum]:
        return self.store.addenda(eid)

    def audio_path(self, eid: str) -> Path | None:
        enc = self.store.get(eid)
        return self.audio_dir / enc.audio_file if enc.audio_file else None

    def job_for(self, eid: str) -> Job | None:
        mine = [j for j in self.jobs if j.encounter_id == eid]
        return next((j for j in mine if not j.cancel.cancelled), mine[0] if mine else None)

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    # --- actions: processing ------------------------------------------------------------------
    def import_file(self, path: str | Path) -> None:
        """Decode, copy, transcribe and draft a file; the visit appears once the file decodes."""
        self._submit(Job("import", source=Path(path), audio_dir=self.audio_dir,
                         template=self.default_template()))
        self.message.emit(f"Importing {Path(path).name}…", "info")

    def process_again(self, eid: str) -> None:
        """Retry a failed visit from its audio."""
        try:
            enc = self.store.get(eid)
            audio = self.audio_path(eid)
            if audio is None or not audio.is_file():
                raise ScribeError("This visit has no audio file left to process.")
            self.store.set_status(eid, Status.TRANSCRIBING)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return
        self._submit(Job("audio", eid, source=audio, template=enc.template))
        self.visits_changed.emit()

    def retranscribe(self, eid: str) -> None:
        """A full transcription pass from the stored audio, then a new draft (edits replaced)."""
        self.process_again(eid)

    def redraft(self, eid: str, template: str) -> None:
        """Draft again from the stored transcript, with another template (edits are replaced)."""
        transcript = self.store.get_transcript(eid)
        try:
            if transcript is None:
                raise ScribeError("This visit has no transcript yet.")
            self.store.set_status(eid, Status.DRAFTING)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return
        self._submit(Job("redraft", eid, transcript=transcript, template=template))
        self.visits_changed.emit()

    def cancel(self, eid: str | None = None) -> None:
        """Cancel one visit's job, or every job when ``eid`` is None."""
        for job in self.jobs:
            if eid is None or job.encounter_id == eid:
                job.cancel.cancel()

    def _submit(self, job: Job) -> None:
        job.engine = self.engine
        job.templates_dir = self.templates_dir
        job.model = self.model
        job.enrolment = load_enrolment(self.store)
        self.jobs.append(job)
        self.lane.submit(job, self.signals)
        self.processing_changed.emit()

    # --- lane results (queued slots, main thread) ---------------------------------------------
    @Slot(object, object)
    def on_imported(self, job: Job, imported: Any) -> None:
        try:
            self.store.create_encounter(
                label=job.source.stem if job.source else "Imported visit",
                status=Status.TRANSCRIBING,
                audio_file=imported.path.name,
                duration_s=imported.duration_s,
                template=job.template,
                source="imported",
                encounter_id=imported.encounter_id,
            )
        except ScribeError as e:
            job.cancel.cancel()
            self.message.emit(e.message, "error")
            return
        self.visits_changed.emit()
        self.processing_changed.emit()

    @Slot(str, str, float)
    def on_progress(self, eid: str, step: str, fraction: float) -> None:
        self.progress.emit(eid, step, fraction)

    @Slot(str, object, str)
    def on_live(self, eid: str, segments: list[Segment], pending: str) -> None:
        """``segments``: every committed segment so far (labels may change as voices are fitted)."""
        self.live_segments[eid] = list(segments)
        committed = " ".join(s.text.strip() for s in segments if s.text.strip())
        self.live_changed.emit(eid, committed, pending)

    @Slot(str, object)
    def on_transcribed(self, eid: str, transcript: Transcript) -> None:
        self.live_segments.pop(eid, None)  # the stored transcript replaces the live one
        if self._persist(eid, lambda: self.store.save_transcript(eid, transcript)):
            self.visits_changed.emit()

    @Slot(str, object)
    def on_drafted(self, eid: str, draft: NoteDraft) -> None:
        if self._persist(eid, lambda: self.store.save_draft(eid, draft)):
            self.visits_changed.emit()
            self.draft_ready.emit(eid)

    @Slot(str, str)
    def on_failed(self, eid: str, text: str) -> None:
        self._fail(eid, text)
        self.message.emit(text, "error")

    @Slot(str)
    def on_cancelled(self, eid: str) -> None:
        self._fail(eid, CANCELLED)
        self.message.emit("Processing cancelled.", "info")

    @Slot(object)
    def on_finished(self, job: Job) -> None:
        self.jobs = [j for j in self.jobs if j is not job]
        if job.cancel.cancelled and job.encounter_id and self.job_for(job.encounter_id) is None:
            self._fail(job.encounter_id, CANCELLED)  # its late results were dropped
        self.processing_changed.emit()
        self.visits_changed.emit()

    def _persist(self, eid: str, fn: Callable[[], None]) -> bool:
        job = self.job_for(eid)
        if job is not None and job.cancel.cancelled:
            return False  # a cancelled job's late result is dropped; on_cancelled marks the visit
        try:
            fn()
            return True
        except ScribeError as e:
            if job is not None:
                job.cancel.cancel()
            self.message.emit(e.message, "error")
            return False

    def _fail(self, eid: str, reason: str) -> None:
        if not eid:
            return
        try:
            if self.store.get(eid).status in ACTIVE:
                self.store.fail(eid, reason)
        except NotFoundError:
            return  # the visit was never created (its import failed first)
        except ScribeError as e:
            self.message.emit(e.message, "error")
        self.visits_changed.emit()

    # --- recording ----------------------------------------------------------------------------
    def start_recording(self, device: int | str | None = None, label: str = "") -> str | None:
        """Start recording a new visit (consent was given); None with a message on failure."""
        eid = new_id()
        rec = Recorder(self.audio_dir, device=device, stream_factory=self.stream_factory,
                       encounter_id=eid)
        try:
            rec.start()
            self.store.create_encounter(
                label=label.strip() or datetime.now().strftime("Visit %H:%M"),
                status=Status.RECORDING, audio_file=f"{eid}.wav", consent=True,
                source="recorded", encounter_id=eid,
            )
        except ScribeError as e:
            if rec.state.value != "idle":
                rec.stop()
            self.message.emit(e.message, "error")
            return None
        self.recorder, self.recording_id = rec, eid
        # The live transcript runs on the model lane while recording (issue 3).
        self.live_session = LiveSession(rec)
        self.live_segments[eid] = []
        self._submit(Job("live", eid, live=self.live_session, template=self.default_template()))
        self.visits_changed.emit()
        return eid

    def pause_recording(self) -> None:
        if self.recorder and self.recording_id:
            self.recorder.pause()
            self._set_status(self.recording_id, Status.PAUSED)

    def resume_recording(self) -> None:
        if self.recorder and self.recording_id:
            self.recorder.resume()
            self._set_status(self.recording_id, Status.RECORDING)

    def stop_recording(self, process: bool = True) -> str | None:
        """Stop, keep every recorded second, then queue transcription and drafting."""
        rec, eid, session = self.recorder, self.recording_id, self.live_session
        if rec is None or eid is None:
            return None
        self.recorder = self.recording_id = self.live_session = None
        live = self.job_for(eid)
        try:
            recording = rec.stop()
            path = Path(recording.path)
            self.store.set_audio(eid, path.name, recording.duration_s)
            self.store.set_status(eid, Status.TRANSCRIBING)
            if not process:
                self.store.fail(eid, INTERRUPTED)
        except ScribeError as e:
            self._end_live(session, None)
            self._fail(eid, e.message)
            self.message.emit(e.message, "error")
            return eid
        if rec.error is not None:
            self.message.emit(rec.error.message, "error")
        live_alive = live is not None and live.kind == "live" and not live.cancel.cancelled
        self._end_live(session, path if process and live_alive else None)
        if process and not live_alive:  # the live job was cancelled: a full pass instead
            self._submit(Job("audio", eid, source=path, template=self.default_template()))
        self.visits_changed.emit()
        return eid

    def _end_live(self, session: LiveSession | None, path: Path | None) -> None:
        """Tell the live job the recording ended: finish from ``path``, or stop (None)."""
        if session is None:
            return
        session.path = path
        if path is None:
            for job in self.jobs:
                if job.live is session:
                    job.cancel.cancel()
        session.stopped.set()

    def _set_status(self, eid: str, status: Status) -> None:
        try:
            self.store.set_status(eid, status)
        except ScribeError as e:
            self.message.emit(e.message, "error")
        self.visits_changed.emit()

    # --- transcript fixes and the audit trail --------------------------------------------------
    def swap_speakers(self, eid: str) -> bool:
        """Clinician ↔ patient on the whole transcript (audited)."""
        from scribe.speakers.labels import swap_labels

        return self._fix_transcript(eid, swap_labels, "speakers swapped")

    def set_speaker(self, eid: str, index: int, speaker: str) -> bool:
        """One segment's speaker, fixed by the clinician (audited)."""
        from scribe.speakers.labels import set_segment_speaker

        return self._fix_transcript(eid, lambda t: set_segment_speaker(t, index, speaker),
                                    f"segment {index} speaker set to {speaker}")

    def _fix_transcript(self, eid: str, fix: Callable[[Transcript], Transcript],
                        why: str) -> bool:
        try:
            transcript = self.store.get_transcript(eid)
            if transcript is None:
                raise ScribeError("This visit has no transcript yet.")
            self.store.replace_transcript(eid, fix(transcript), why)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        return True

    def audit(self, eid: str) -> list[AuditEvent]:
        return self.store.audit_events(eid)

    # --- note ---------------------------------------------------------------------------------
    def save_note(self, eid: str, note: NoteDraft) -> bool:
        try:
            self.store.update_note(eid, note)
            return True
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False

    def signer(self) -> tuple[str, str]:
        return self.store.setting("signer_name", "") or "", self.store.setting(
            "signer_credentials", "") or ""

    def sign(self, eid: str, name: str, credentials: str, acknowledged: list[int],
             attestation: str = DEFAULT_ATTESTATION) -> Signature | None:
        signer = ", ".join(p.strip() for p in (name, credentials) if p.strip())
        if self.sign_check is not None and not self.sign_check():
            self.message.emit("The note was not signed.", "info")
            return None
        try:
            sig = self.store.sign(eid, signer, attestation, acknowledged)
            self.store.set_setting("signer_name", name.strip())
            self.store.set_setting("signer_credentials", credentials.strip())
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return None
        self.visits_changed.emit()
        self.message.emit("Note signed.", "info")
        return sig

    def add_addendum(self, eid: str, text: str, name: str, credentials: str,
                     attestation: str = DEFAULT_ATTESTATION) -> Addendum | None:
        signer = ", ".join(p.strip() for p in (name, credentials) if p.strip())
        try:
            return self.store.add_addendum(eid, text, signer, attestation)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return None

    def copy_export(self, eid: str) -> bool:
        try:
            text = export_text(self.store, eid)
            QGuiApplication.clipboard().setText(text)
            self.store.record_export(eid, "clipboard")
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        self.message.emit("The signed note is on the clipboard.", "info")
        return True

    def save_export(self, eid: str, path: str | Path) -> bool:
        try:
            export_to_file(self.store, eid, Path(path))
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        except OSError:
            self.message.emit(f"Could not write {Path(path).name}; choose another folder.",
                              "error")
            return False
        self.message.emit(f"Saved {Path(path).name}.", "info")
        return True

    # --- lifecycle ----------------------------------------------------------------------------
    def mark_interrupted(self) -> None:
        """At start-up: visits left mid-processing by a previous run can be processed again."""
        for enc in self.store.list():
            if enc.status in ACTIVE:
                self._fail(enc.id, INTERRUPTED)

    def shutdown(self, wait_ms: int = 5000) -> None:
        """On close: keep a running recording, stop the lane, leave nothing half-written."""
        if self.recorder is not None:
            self.stop_recording(process=False)
        self.cancel()
        self.lane.wait(wait_ms)

