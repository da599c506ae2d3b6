"""The model lane: transcription and drafting run one job at a time off the UI thread.

Threading rule (see STYLE.md "Threads in the Qt app"): a job calls the core's synchronous,
cancellable functions in ``scribe.visit`` and reports back only through queued signals. It never
touches SQLite; the controller (main thread) persists every result.
"""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from scribe.audio.files import load_audio
from scribe.audio.vault import AudioVault
from scribe.cancel import CancelToken
from scribe.domain import Identity, Transcript
from scribe.errors import Cancelled, ScribeError
from scribe.export.icd import load_index
from scribe.visit.engines import Engines
from scribe.visit.live import follow_live
from scribe.visit.pipeline import draft_transcript, prepare_import, transcribe_visit
from scribe.visit.recording import VisitRecording

log = logging.getLogger("scribe.ui")

UNEXPECTED = "Something went wrong while processing this visit; the audio was kept, try again."


@dataclass
class Job:
    """One unit of model-lane work.

    ``kind`` is ``import`` (``source`` is the user's file, copied into ``vault``), ``audio``
    (``source`` is a stored recording of ``encounter_id``), ``live`` (follows ``recording`` while
    it is made, then finishes after Stop) or ``redraft`` (``transcript`` is given).
    """

    kind: str
    engines: Engines
    encounter_id: str = ""
    source: Path | None = None
    vault: AudioVault | None = None
    transcript: Transcript | None = None
    template: str = "soap"
    recording: VisitRecording | None = None
    identity: Identity | None = None  # import: the patient's details typed with the file
    cancel: CancelToken = field(default_factory=CancelToken)


class JobSignals(QObject):
    """Lives on the main thread; a job emits these from the lane thread (queued delivery)."""

    imported = Signal(object, object)  # Job, ImportedAudio: the controller creates the visit
    progress = Signal(str, str, float)  # encounter id, step ("transcribing"/"drafting"), 0..1
    transcribed = Signal(str, object)  # encounter id, Transcript
    drafted = Signal(str, object)  # encounter id, NoteDraft
    failed = Signal(str, str)  # encounter id ("" when no visit exists yet), one-sentence message
    cancelled = Signal(str)  # encounter id ("" when no visit exists yet)
    live = Signal(str, object, str)  # encounter id, every committed Segment so far, pending text
    draft_text = Signal(str, str)  # encounter id, a piece of text the LLM drafter streamed
    audit_wanted = Signal(object)  # an AuditRelay with a server request to record (main thread)
    server_notice = Signal(str, str)  # encounter id, a step fell back from the clinic server
    finished = Signal(object)  # the Job; always the last signal of a job


def _transcript_of(job: Job, signals: JobSignals) -> Transcript:
    """The job's transcript: given, followed live, or transcribed from its audio."""
    eid = job.encounter_id
    transcribing = lambda f: signals.progress.emit(eid, "transcribing", f)  # noqa: E731
    if job.transcript is not None:
        return job.transcript
    if job.kind == "live":
        assert job.recording is not None
        live = follow_live(job.recording, job.engines, job.cancel, transcribing)
        while True:
            try:
                view = next(live)
            except StopIteration as done:
                return done.value
            signals.live.emit(eid, view.segments, view.pending)
    if job.kind == "import":
        assert job.source is not None and job.vault is not None
        imported = prepare_import(job.vault, job.source)
        eid = job.encounter_id = imported.encounter_id
        audio = imported.audio
        signals.imported.emit(job, imported)
    else:
        assert job.source is not None
        audio = load_audio(job.source, job.engines.key)
    job.cancel.check()
    signals.progress.emit(eid, "transcribing", 0.0)
    return transcribe_visit(audio, job.engines, job.cancel,
                            lambda f: signals.progress.emit(eid, "transcribing", f))


def run_job(job: Job, signals: JobSignals) -> None:
    """The body of a job; runs on the lane thread."""
    try:
        job.cancel.check()
        transcript = _transcript_of(job, signals)
        eid = job.encounter_id
        if job.transcript is None:
            signals.transcribed.emit(eid, transcript)
        signals.progress.emit(eid, "drafting", 0.0)
        stream = _streams_tokens(job.engines)
        draft = draft_transcript(
            transcript, job.template, job.engines, job.cancel,
            lambda f, text: _drafting(signals, eid, f, text if stream else ""),
        )
        load_index()  # so suggesting codes from the stored draft costs the UI thread ~2 ms
        signals.progress.emit(eid, "drafting", 1.0)
        signals.drafted.emit(eid, draft)
    except Cancelled:
        signals.cancelled.emit(job.encounter_id)
    except ScribeError as e:
        signals.failed.emit(job.encounter_id, e.message)
    except Exception:  # a bug must not kill the lane; the log gets the id only
        log.exception("processing failed for visit %s", job.encounter_id or "(import)")
        signals.failed.emit(job.encounter_id, UNEXPECTED)
    finally:
        signals.finished.emit(job)


def _streams_tokens(engines: Engines) -> bool:
    """Whether the drafter's progress text is the LLM's tokens (the offline one sends steps)."""
    if engines.engine == "auto":
        from scribe.drafting import llm_installed

        return llm_installed(engines.models_root)
    return engines.engine.startswith("llm")


def _drafting(signals: JobSignals, eid: str, fraction: float, text: str) -> None:
    signals.progress.emit(eid, "drafting", fraction)
    if text:
        signals.draft_text.emit(eid, text)


class _Task(QRunnable):
    def __init__(self, job: Job, signals: JobSignals) -> None:
        super().__init__()
        self.job = job
        self.signals = signals
        self.setAutoDelete(True)

    def run(self) -> None:
        _lower_priority()
        run_job(self.job, self.signals)


class _Call(QRunnable):
    """Work on the lane that belongs to no visit (a model loaded ahead)."""

    def __init__(self, fn: Callable[[], None]) -> None:
        super().__init__()
        self.fn = fn
        self.setAutoDelete(True)

    def run(self) -> None:
        _lower_priority()
        try:
            self.fn()
        except Exception:  # an aid only: the visit loads what it needs itself
            log.exception("loading ahead on the model lane failed")


LANE_NICENESS = 10


def _lower_priority() -> None:
    """Let the UI thread win the CPU over model work (Linux: per-thread nice, inherited by the
    threads the speech engine starts from here). Elsewhere a no-op."""
    if not hasattr(os, "setpriority") or not sys.platform.startswith("linux"):
        return
    try:
        tid = threading.get_native_id()
        if os.getpriority(os.PRIO_PROCESS, tid) < LANE_NICENESS:
            os.setpriority(os.PRIO_PROCESS, tid, LANE_NICENESS)
    except OSError:
        pass


class ModelLane:
    """A thread pool of one: jobs run in order, never two models at once."""

    def __init__(self) -> None:
        self.pool = QThreadPool()
        self.pool.setMaxThreadCount(1)
        self.pool.setExpiryTimeout(-1)  # keep the lane thread (and its loaded model) warm

    def submit(self, job: Job, signals: JobSignals) -> None:
        self.pool.start(_Task(job, signals))

    def call(self, fn: Callable[[], None]) -> None:
        """Run ``fn`` on the lane, in turn with the jobs (never beside a model at work)."""
        self.pool.start(_Call(fn))

    def wait(self, msecs: int = -1) -> bool:
        return self.pool.waitForDone(msecs)
