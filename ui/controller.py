"""The app's controller: wires the workspace to the model lane and persists results on the main thread.

Widgets call the controller and listen to its signals; they hold no business rules. The workflow
itself is ``scribe.visit`` (the same functions the command line and the benches call); every store
call happens here, on the main thread; lane jobs only report back through queued signals.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QGuiApplication

from scribe.domain import (
    Addendum,
    AuditEvent,
    Encounter,
    Identity,
    NoteDraft,
    Segment,
    Signature,
    Status,
    Transcript,
)
from scribe.errors import NotFoundError, ScribeError
from scribe.note.signoff import DEFAULT_ATTESTATION
from scribe.store.settings import Setting
from scribe.store.store import NoteRecord, clean_identity
from scribe.visit.documents import suggest_codes_quietly
from scribe.visit.engines import Engines
from scribe.visit.export import export_clipboard, export_file, record_view
from scribe.visit.live import prepare_live
from scribe.visit.recording import (
    VisitRecording,
    mark_moment,
    pause_recording,
    resume_recording,
    start_recording,
    stop_recording,
)
from scribe.visit.retry import ACTIVE, RETRYABLE, mark_interrupted
from scribe.visit.server import clinic_server
from scribe.visit.server_admin import AuditRelay
from scribe.visit.workspace import Workspace
from ui.workers import Job, JobSignals, ModelLane

log = logging.getLogger("scribe.ui")

CANCELLED = "Cancelled by the user; press Process again to retry."


class Controller(QObject):
    """Owns the workspace, the model lane and the current recording."""

    visits_changed = Signal()  # the list of visits or a visit's status changed
    progress = Signal(str, str, float)  # encounter id, step, fraction 0..1
    draft_ready = Signal(str)  # encounter id whose draft was just stored
    message = Signal(str, str)  # one sentence, level "error" | "info"
    processing_changed = Signal()  # a job started or ended
    live_changed = Signal(str, str, str)  # encounter id, committed text, pending tail
    draft_text = Signal(str, str)  # encounter id, a streamed piece of an LLM draft
    server_changed = Signal()  # the clinic server was used, or a step fell back from it

    def __init__(
        self,
        ws: Workspace,
        *,
        model: str | None = None,
        engine: str | None = None,
        stream_factory: Callable[..., Any] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.ws = ws
        self.store = ws.store
        self._model = model
        self.engine = engine
        self.stream_factory = stream_factory
        self.lane = ModelLane()
        self.jobs: list[Job] = []
        self.recording: VisitRecording | None = None
        # The committed live segments of each recording, labelled with speakers when known.
        self.live_segments: dict[str, list[Segment]] = {}
        # Hook run before a signature is stored (re-enter the passphrase): returns False to
        # abort. None = no extra check.
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
        self.signals.audit_wanted.connect(lambda relay: relay.pump(), q)
        self.signals.server_notice.connect(self.on_server_notice, q)
        # The clinic server, when IT set one: None until a visit has used it, then whether the
        # last visit's steps all ran there (the status bar shows it).
        self.server_ok: bool | None = None
        self._fell_back: set[str] = set()
        # A copied signed note is cleared from the clipboard after a while, if it is still there.
        self.clipboard_timer = QTimer(self)
        self.clipboard_timer.setSingleShot(True)
        self.clipboard_timer.timeout.connect(self.clear_copied_note)
        self._copied_sha: str | None = None

    # --- settings -----------------------------------------------------------------------------
    def engines(self) -> Engines:
        """What the lane processes a visit with (the constructor's choices, else the settings)."""
        return self.ws.engines(model=self._model, engine=self.engine)

    @property
    def model(self) -> str:
        return self.engines().model

    def default_template(self) -> str:
        return self.ws.settings.default_template

    def language_choice(self) -> tuple[str, bool]:
        """The record panel's language for the next visit (``auto`` or a Whisper code) and
        whether a visit in another language is drafted in English (the settings)."""
        s = self.ws.settings
        return s.default_language, s.draft_in_english

    def set_language_choice(self, language: str, *, draft_in_english: bool) -> bool:
        """Remember the record panel's choice as the default: the visits recorded or imported
        from now on are transcribed (and drafted) with it; False, with one sentence, if it
        cannot be stored."""
        try:
            self.ws.settings.set(Setting.DEFAULT_LANGUAGE, language)
            self.ws.settings.set(Setting.DRAFT_IN_ENGLISH, int(draft_in_english))
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        return True

    # --- reading (cheap SQL on the main thread) -----------------------------------------------
    def visits(self, search: str = "") -> list[Encounter]:
        return self.store.list(search or None)

    def encounter(self, eid: str) -> Encounter:
        return self.store.get(eid)

    def transcript(self, eid: str) -> Transcript | None:
        return self.store.get_transcript(eid)

    def note(self, eid: str) -> NoteRecord | None:
        return self.store.get_note(eid)

    def view_visit(self, eid: str) -> bool:
        """Audit that the clinician opens this visit's transcript and note (the review screen calls
        it before showing them); False, with one sentence, when the event cannot be written."""
        try:
            record_view(self.ws, eid, "review")
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        return True

    def addenda(self, eid: str) -> list[Addendum]:
        return self.store.addenda(eid)

    def audio_path(self, eid: str) -> Path | None:
        enc = self.store.get(eid)
        return self.ws.vault.path(enc.audio_file) if enc.audio_file else None

    def job_for(self, eid: str) -> Job | None:
        mine = [j for j in self.jobs if j.encounter_id == eid]
        return next((j for j in mine if not j.cancel.cancelled), mine[0] if mine else None)

    @property
    def busy(self) -> bool:
        return bool(self.jobs)

    # --- actions: processing ------------------------------------------------------------------
    def import_file(self, path: str | Path, identity: Identity | None = None) -> None:
        """Decode, copy, transcribe and draft a file; the visit appears once the file decodes."""
        if identity is not None:
            try:
                clean_identity(identity)  # a mistyped date is said before any work
            except ScribeError as e:
                self.message.emit(e.message, "error")
                return
        self._submit(Job("import", self.engines(), source=Path(path), vault=self.ws.vault,
                         template=self.default_template(), identity=identity))
        self.message.emit(f"Importing {Path(path).name}…", "info")

    def process_again(self, eid: str) -> None:
        """Retry a failed (or stuck) visit: from its audio, else from its stored transcript."""
        try:
            enc = self.store.get(eid)
            if enc.status not in RETRYABLE:
                raise ScribeError("Only a failed visit can be processed again.")
            audio = self.audio_path(eid)
            if audio is not None and audio.is_file():
                self.store.set_status(eid, Status.TRANSCRIBING)
                job = Job("audio", self.engines(), eid, source=audio, template=enc.template)
            else:
                transcript = self.store.get_transcript(eid)
                if transcript is None:
                    raise ScribeError("This visit has no audio file left to process.")
                self.store.set_status(eid, Status.DRAFTING)
                job = Job("redraft", self.engines(), eid, transcript=transcript,
                          template=enc.template)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return
        self._submit(job)
        self.visits_changed.emit()

    def retranscribe(self, eid: str) -> None:
        """A full transcription pass from the stored audio, then a new draft (edits replaced)."""
        try:
            enc = self.store.get(eid)
            audio = self.audio_path(eid)
            if audio is None or not audio.is_file():
                raise ScribeError("This visit has no audio file left to process.")
            self.store.set_status(eid, Status.TRANSCRIBING)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return
        self._submit(Job("audio", self.engines(), eid, source=audio, template=enc.template))
        self.visits_changed.emit()

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
        self._submit(Job("redraft", self.engines(), eid, transcript=transcript,
                         template=template))
        self.visits_changed.emit()

    def cancel(self, eid: str | None = None) -> None:
        """Cancel one visit's job, or every job when ``eid`` is None."""
        for job in self.jobs:
            if eid is None or job.encounter_id == eid:
                job.cancel.cancel()

    def _submit(self, job: Job) -> None:
        if job.engines.server is not None:
            job.engines = self._on_server(job)
        self.jobs.append(job)
        self.lane.submit(job, self.signals)
        self.processing_changed.emit()

    def _on_server(self, job: Job) -> Engines:
        """The job's engines with its server requests audited on this (the store's) thread before
        they leave, and its fallbacks reported to the clinician."""
        store, signals = self.store, self.signals

        def record(kind: str, host: str) -> None:
            store.record_event(job.encounter_id or None, "server_request", f"{kind} to {host}")

        relay = AuditRelay(record, wake=lambda: signals.audit_wanted.emit(relay))
        return job.engines.with_(
            on_request=relay,
            on_notice=lambda text: signals.server_notice.emit(job.encounter_id, text))

    def server_host(self) -> str:
        """The clinic server's host(s) IT configured ("" when everything runs here)."""
        server = clinic_server(self.ws.settings)  # the settings only: no vocabulary file read
        return ", ".join(server.hosts) if server else ""

    @Slot(str, str)
    def on_server_notice(self, eid: str, text: str) -> None:
        self._fell_back.add(eid)
        self.server_ok = False
        self.message.emit(text, "info")
        self.server_changed.emit()

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
                identity=job.identity,
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
        def save() -> None:
            self.store.save_draft(eid, draft)
            suggest_codes_quietly(self.ws, eid, draft)  # the clinician decides

        if self._persist(eid, save):
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
        if job.engines.server is not None and not job.cancel.cancelled:
            self.server_ok = job.encounter_id not in self._fell_back
            self._fell_back.discard(job.encounter_id)
            self.server_changed.emit()
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
    @property
    def recorder(self):  # noqa: ANN201 - the Recorder the record panel polls, or None
        return self.recording.recorder if self.recording else None

    @property
    def recording_id(self) -> str | None:
        return self.recording.encounter_id if self.recording else None

    def prepare_recording(self) -> None:
        """A new visit is open: load the live model now, while the clinician asks for consent."""
        engines = self.engines()
        self.lane.call(lambda: prepare_live(engines))

    def start_recording(self, device: int | str | None = None, label: str = "",
                        identity: Identity | None = None) -> str | None:
        """Start recording a new visit (consent was given); None with a message on failure."""
        try:
            rec = start_recording(self.ws, device=device, label=label, identity=identity,
                                  template=self.default_template(),
                                  stream_factory=self.stream_factory)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return None
        self.recording = rec
        self.live_segments[rec.encounter_id] = []
        # The live transcript runs on the model lane while recording.
        self._submit(Job("live", self.engines(), rec.encounter_id, recording=rec,
                         template=rec.template))
        self.visits_changed.emit()
        return rec.encounter_id

    def pause_recording(self) -> None:
        if self.recording:
            self._guard(lambda: pause_recording(self.ws, self.recording))

    def resume_recording(self) -> None:
        if self.recording:
            self._guard(lambda: resume_recording(self.ws, self.recording))

    def stop_recording(self, process: bool = True) -> str | None:
        """Stop, keep every recorded second; the live job finishes the transcript and drafts."""
        rec, self.recording = self.recording, None
        if rec is None:
            return None
        eid = rec.encounter_id
        live = self.job_for(eid)
        live_alive = live is not None and live.kind == "live" and not live.cancel.cancelled
        try:
            recording = stop_recording(self.ws, rec, process=process)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            self.visits_changed.emit()
            return eid
        if rec.recorder.error is not None:
            self.message.emit(rec.recorder.error.message, "error")
        if process and not live_alive:  # the live job was cancelled: a full pass instead
            self._submit(Job("audio", self.engines(), eid, source=Path(recording.path),
                             template=rec.template))
        self.visits_changed.emit()
        return eid

    def mark_moment(self, note: str = "") -> bool:
        """Mark this moment of the recording, with an optional side note (audited); False, with
        one sentence, when nothing is recording or it cannot be stored."""
        if self.recording is None:
            self.message.emit("No visit is being recorded, so no moment was marked.", "error")
            return False
        try:
            mark_moment(self.ws, self.recording, note)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        return True

    def _guard(self, fn: Callable[[], None]) -> None:
        try:
            fn()
        except ScribeError as e:
            self.message.emit(e.message, "error")
        self.visits_changed.emit()

    # --- transcript fixes and the audit trail --------------------------------------------------
    def swap_speakers(self, eid: str) -> bool:
        """Clinician ↔ patient on the whole transcript (audited)."""
        from scribe.speakers import swap_labels

        return self._fix_transcript(eid, swap_labels, "speakers swapped")

    def set_speaker(self, eid: str, index: int, speaker: str) -> bool:
        """One segment's speaker, fixed by the clinician (audited)."""
        from scribe.speakers import set_segment_speaker

        return self._fix_transcript(eid, lambda t: set_segment_speaker(t, index, speaker),
                                    f"segment {index} speaker set to {speaker}")

    def set_voice(self, eid: str, index: int, speaker: str) -> bool:
        """Every turn of segment ``index``'s voice gets ``speaker`` (audited)."""
        from scribe.speakers import set_voice

        return self._fix_transcript(eid, lambda t: set_voice(t, index, speaker),
                                    f"every turn of segment {index}'s voice set to {speaker}")

    def staff_voices(self) -> list[tuple[str, str]]:
        """(speaker value, label) of every staff voice named so far."""
        from scribe.visit.enrolment import voice_profiles

        return [(p.speaker, p.label) for p in voice_profiles(self.ws)]

    def name_voice(self, eid: str, index: int, name: str, role: str,
                   done: Callable[[], None]) -> None:
        """Make a staff profile from segment ``index``'s voice: its voice print is read from the
        visit's audio off the UI thread, then stored (encrypted) and the visit relabelled."""
        from scribe.visit.enrolment import name_voice, voice_of_turn
        from ui.off_thread import run_off_thread

        path, transcript = self.audio_path(eid), self.store.get_transcript(eid)
        if path is None or transcript is None or not path.is_file():
            self.message.emit("This visit's audio is no longer stored, so its voices cannot be "
                              "named.", "error")
            return
        key, models = self.ws.key, self.ws.models_root

        def keep(sample: Any) -> None:
            try:
                name_voice(self.ws, eid, index, name, role, sample)
            except ScribeError as e:
                self.message.emit(e.message, "error")
            done()

        run_off_thread(lambda: voice_of_turn(path, key, transcript, index, models), keep,
                       lambda text: self.message.emit(text, "error"), self)

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
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        suggest_codes_quietly(self.ws, eid, note)  # an edited assessment is coded again
        return True

    def check_flag(self, eid: str, position: int) -> bool:
        """Mark a flagged sentence (its position in ``NoteDraft.sentences()``) checked, audited."""
        try:
            self.store.check_flag(eid, position)
            return True
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False

    def signer(self) -> tuple[str, str]:
        """(name, credentials) of the signed-in profile: who every signature here names."""
        p = self.ws.profile
        return (p.name, p.credentials) if p is not None else ("", "")

    def _signer(self, what: str) -> str | None:
        p = self.ws.profile
        if p is None or not p.signer:
            self.message.emit(f"No clinician profile is signed in, so {what}.", "error")
            return None
        return p.signer

    def _confirmed(self, what: str) -> bool:
        """The passphrase entered again (``sign_check``, the app's dialog) before a signature."""
        if self.sign_check is not None and not self.sign_check():
            self.message.emit(f"{what[0].upper()}{what[1:]}.", "info")
            return False
        return True

    def signature_for(self, what: str) -> str | None:
        """The signer, once the passphrase was entered again; None (with a message) if not."""
        signer = self._signer(what)
        if signer is None or not self._confirmed(what):
            return None
        return signer

    def sign(self, eid: str, acknowledged: list[int],
             attestation: str = DEFAULT_ATTESTATION) -> Signature | None:
        """Sign as the signed-in profile, after the passphrase is entered again."""
        signer = self._signer("the note was not signed")
        if signer is None or not self._confirmed("the note was not signed"):
            return None
        try:
            sig = self.store.sign(eid, signer, attestation, acknowledged)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return None
        self.visits_changed.emit()
        self.message.emit("Note signed.", "info")
        return sig

    def add_addendum(self, eid: str, text: str,
                     attestation: str = DEFAULT_ATTESTATION) -> Addendum | None:
        """An addendum signed as the signed-in profile, after the passphrase is entered again."""
        signer = self._signer("the addendum was not signed")
        if signer is None or not self._confirmed("the addendum was not signed"):
            return None
        try:
            return self.store.add_addendum(eid, text, signer, attestation)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return None

    def copy_export(self, eid: str) -> bool:
        """The signed note to the clipboard: audited first, cleared after the set time."""
        try:
            text = export_clipboard(self.ws, eid, QGuiApplication.clipboard().setText)
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        seconds = self.ws.settings.clipboard_clear_seconds
        self._copied_sha = hashlib.sha256(text.encode("utf-8")).hexdigest()  # not the text
        if seconds > 0:
            self.clipboard_timer.start(seconds * 1000)
            self.message.emit(f"The signed note is on the clipboard for {seconds} seconds.",
                              "info")
        else:
            self.clipboard_timer.stop()
            self.message.emit("The signed note is on the clipboard.", "info")
        return True

    def clear_copied_note(self) -> None:
        """Clear the clipboard if it still holds exactly the note copied; else leave it alone."""
        sha, self._copied_sha = self._copied_sha, None
        board = QGuiApplication.clipboard()
        if sha is not None and \
                hashlib.sha256(board.text().encode("utf-8")).hexdigest() == sha:
            board.clear()

    def save_export(self, eid: str, path: str | Path) -> bool:
        """The signed note to a file (audited before it is written; see scribe.visit.export)."""
        try:
            export_file(self.ws, eid, Path(path))
        except ScribeError as e:
            self.message.emit(e.message, "error")
            return False
        self.message.emit(f"Saved {Path(path).name}.", "info")
        return True

    # --- lifecycle ----------------------------------------------------------------------------
    def mark_interrupted(self) -> None:
        """At start-up: visits left mid-processing by a previous run can be processed again."""
        try:
            mark_interrupted(self.ws)
        except ScribeError as e:
            self.message.emit(e.message, "error")
        self.visits_changed.emit()

    def shutdown(self, wait_ms: int = 5000) -> None:
        """On close: keep a running recording, stop the lane, leave nothing half-written."""
        if self.recorder is not None:
            self.stop_recording(process=False)
        self.cancel()
        self.lane.wait(wait_ms)

