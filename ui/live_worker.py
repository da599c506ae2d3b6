"""The live transcript of a recording, on the model lane (issue 3).

While the visit records, the lane job reads the frames the recorder has written since its last read
and feeds them to :class:`scribe.speech.live.LiveTranscriber`; committed segments and the pending tail go
back by a queued signal, labelled with who is speaking (:class:`scribe.speakers.live.LiveSpeakers`,
issue 6). At Stop only the uncommitted tail is transcribed, then speakers are labelled again over the
whole recording (the final labels may refine the live ones); no second full pass.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from scribe.audio.files import load_audio
from scribe.audio.recorder import Recorder
from scribe.domain import Transcript
from scribe.errors import Cancelled, ScribeError

if TYPE_CHECKING:
    from ui.workers import Job, JobSignals

log = logging.getLogger("scribe.ui")

POLL_S = 0.25  # how often the lane looks for new frames when none were there


@dataclass
class LiveSession:
    """Shared by the controller (main thread) and the live job (lane thread).

    The controller sets ``path`` (the finished WAV, or None to drop the visit's processing) and
    then ``stopped``; the job reads them only after ``stopped`` is set.
    """

    recorder: Recorder
    stopped: threading.Event = field(default_factory=threading.Event)
    path: Path | None = None


def _new_transcriber(model: str):  # noqa: ANN202
    from scribe.speech.live import LiveTranscriber
    from scribe.visit.pipeline import visit_options

    # Only the clinician's own words bias recognition (visit_options): adding drugs and terms as
    # they are heard doubled WER on ACI-Bench speech in bench/wer.py (docs/benchmarks.md).
    return LiveTranscriber(visit_options(model))


def _new_labeller(enrolment):  # noqa: ANN001, ANN202
    """Live speaker labels, or None when the voice model cannot be loaded (labels come at Stop)."""
    from scribe.speakers.live import LiveSpeakers, live_encoder

    try:
        live_encoder()
    except (ScribeError, ImportError) as e:
        log.warning("live speaker labels are off: %s", type(e).__name__)
        return None
    return LiveSpeakers(enrolment)


def run_live(job: Job, signals: JobSignals) -> Transcript:
    """Feed the growing recording until Stop, then finish; returns the labelled transcript."""
    session: LiveSession = job.live
    eid, rec = job.encounter_id, session.recorder
    live = _new_transcriber(job.model)
    labeller = _new_labeller(job.enrolment)
    shown: list = []  # every committed segment, as the record view shows it (labelled when known)
    read = 0
    broken = False  # the live path failed: the whole recording is transcribed after Stop
    last_pending = ""
    while True:
        job.cancel.check()
        stopping = session.stopped.is_set()
        end = rec.frames_written
        if stopping or broken or end <= read:
            if stopping:
                break
            session.stopped.wait(POLL_S)
            continue
        audio = rec.read_audio(read, end)
        read += len(audio)
        try:
            update = live.feed(audio)
        except ScribeError as e:
            broken = True
            log.warning("live transcription stopped for visit %s: %s", eid, type(e).__name__)
            continue
        if labeller is not None:
            try:
                labeller.add_audio(audio)
                if update.new_committed:
                    labeller.add_segments(update.new_committed)
            except Exception as e:  # noqa: BLE001 - labels are an aid: the transcript goes on
                log.warning("live speaker labels stopped for visit %s: %s", eid, type(e).__name__)
                labeller = None
        if update.new_committed:
            shown = labeller.segments if labeller is not None else live.committed
        if update.new_committed or update.pending_text != last_pending:
            last_pending = update.pending_text
            signals.live.emit(eid, shown, update.pending_text)
    if session.path is None:
        raise Cancelled()
    signals.progress.emit(eid, "transcribing", 0.1)
    audio = load_audio(session.path)
    job.cancel.check()
    if broken:
        from scribe.speech.transcriber import Transcriber
        from scribe.visit.pipeline import transcribe_visit, visit_options

        return transcribe_visit(audio, Transcriber(visit_options(job.model)), job.enrolment,
                                True, job.cancel,
                                lambda f: signals.progress.emit(eid, "transcribing", f))
    transcript = live.finish(job.cancel, audio[read:])
    signals.progress.emit(eid, "transcribing", 0.6)
    if transcript.segments:
        from scribe.speakers.labels import label_transcript

        transcript = label_transcript(audio, transcript, job.enrolment, job.cancel)
    signals.progress.emit(eid, "transcribing", 1.0)
    return transcript

