"""Following a recording live: the transcript the clinician watches, then the final one at Stop.

:func:`follow_live` is a Qt-free generator: it reads the frames the recorder has written since its
last read, feeds them to :class:`scribe.speech.live.LiveTranscriber`, labels who is speaking as it
goes (:class:`scribe.speakers.live.LiveSpeakers`), and yields a :class:`LiveView` whenever the
committed text or the pending tail changes. Once the recording's owner ends it
(:class:`~scribe.visit.recording.VisitRecording`), :func:`finish_live` does the work a clinician waits
for at Stop: only the uncommitted tail is transcribed, then speakers are labelled again over the
whole recording; no second full pass. The labels shown live are kept for every segment unless the
final pass is more certain of it (:mod:`scribe.speakers.certainty`): they never vanish at Stop
because the whole recording's voices were harder to tell apart. The generator
returns that final transcript. The app runs it on its model lane, ``scribe record`` on a thread,
and ``bench visit`` times it.

A visit in another language is followed live in that language (the clinician sees what is said
as it is said). Drafted in English, it costs more at Stop: the whole recording is translated then
(Whisper's translate task; the live transcript is kept as ``Transcript.original``), so Stop to
draft takes about as long as a full pass over the recording instead of a few seconds.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass

import numpy as np

from scribe.audio.files import load_audio
from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript
from scribe.errors import Cancelled, ScribeError
from scribe.speakers import Labelling, LiveSpeakers, VoiceProfile, label_transcript
from scribe.speech.hardware import cpu_threads
from scribe.speech.live import LiveTranscriber
from scribe.visit.engines import Engines
from scribe.visit.language import server_notice, tell, translate
from scribe.visit.pipeline import transcribe_visit
from scribe.visit.recording import VisitRecording
from scribe.visit.server import server_transcript

__all__ = ["POLL_S", "LiveView", "finish_live", "follow_live"]

log = logging.getLogger(__name__)

POLL_S = 0.25  # how often to look for new frames when none were there


@dataclass(frozen=True)
class LiveView:
    """What the record view shows: every committed segment so far (labelled when known; labels
    may change as voices are fitted) and the pending tail (may still change)."""

    segments: list[Segment]
    pending: str

    @property
    def committed_text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())


def prepare_live(engines: Engines) -> None:
    """Load the live model before Record (the app calls this when a new visit is opened).

    Loading it during the visit held the interpreter for about 90 ms (faster-whisper reads the
    tokenizer under the GIL), long enough to stall the window while the meter and the live text
    were moving. Best effort: a model that cannot load is reported by the visit itself."""
    from scribe.speech.transcriber import load_model

    opts = engines.as_spoken().transcribe_options()
    try:
        load_model(opts.model, opts.device, opts.models_root)  # the live steps' own instance
    except ScribeError as e:
        log.info("live model not loaded ahead: %s", type(e).__name__)


def _labeller(engines: Engines):  # noqa: ANN202
    """Live speaker labels, or None when they are off or the voice model cannot be loaded."""
    if not engines.label_speakers:
        return None
    try:
        return LiveSpeakers(engines.enrolment, engines.models_root)
    except (ScribeError, ImportError) as e:
        log.warning("live speaker labels are off: %s", type(e).__name__)
        return None


def follow_live(
    rec: VisitRecording,
    engines: Engines,
    cancel: CancelToken = NEVER,
    progress: Callable[[float], None] | None = None,
    *,
    live: LiveTranscriber | None = None,
    poll_s: float = POLL_S,
) -> Generator[LiveView, None, Transcript]:
    """Yield live views until the recording ends, then return the final labelled transcript.

    Raises :class:`Cancelled` when the recording ended without a file to finish from (the visit
    is not processed now). ``live``: a configured transcriber (benches try other settings).
    """
    recorder = rec.recorder
    if live is None:
        tell(engines, engines.model_notice())
        # Live steps transcribe as spoken; a translation is made once, at Stop.
        live = LiveTranscriber(engines.as_spoken().transcribe_options(),
                               background=_background(engines))
    labeller = _labeller(engines)
    shown: list[Segment] = []
    read = 0
    broken = False  # the live path failed: the whole recording is transcribed after Stop
    last_pending = ""
    try:
        while True:
            cancel.check()
            stopping = rec.stopped.is_set()
            end = recorder.frames_written
            if stopping or broken or end <= read:
                if stopping:
                    break
                rec.stopped.wait(poll_s)
                continue
            audio = recorder.read_audio(read, end)
            read += len(audio)
            try:
                update = live.feed(audio)
            except ScribeError as e:
                broken = True
                log.warning("live transcription stopped for visit %s: %s", rec.encounter_id,
                            type(e).__name__)
                continue
            if labeller is not None:
                try:
                    labeller.add_audio(audio)
                    if update.new_committed:
                        labeller.add_segments(update.new_committed)
                except Exception as e:  # noqa: BLE001 - labels are an aid: the transcript goes on
                    log.warning("live speaker labels stopped for visit %s: %s", rec.encounter_id,
                                type(e).__name__)
                    labeller = None
            if update.new_committed:
                shown = labeller.segments if labeller is not None else live.committed
            if update.new_committed or update.pending_text != last_pending:
                last_pending = update.pending_text
                yield LiveView(list(shown), update.pending_text)
        if rec.path is None:
            raise Cancelled()
        audio = load_audio(rec.path, engines.key)
        shown_labels = _shown(labeller)
        return finish_live(live, audio, read, engines, cancel, progress, broken=broken,
                           live_labels=shown_labels)
    finally:
        live.close()  # the full pass stops with the visit, whatever ended it


def _background(engines: Engines) -> bool:
    """Whether the full pass (scribe.speech.background, with the clinical-term pass) runs behind
    the live text: where the machine has room for it (a GPU, or four cores or more). On 2 cores it
    made Stop -> final 6.2 s against 4.5 s without it. The term pass alone (``"terms"``, on the
    live model, lexicons loaded ahead) took 20/23 terms against 17/23 on 4 train clips, but with it
    the suite's live visits on 2 cores slowed (555 -> 636 s) and one microphone visit got no audio
    to its live steps, so there the live path runs as before (docs/benchmarks.md)."""
    return engines.device == "cuda" or cpu_threads() >= 4  # no device probe on the live path


def _shown(labeller: LiveSpeakers | None) -> Labelling | None:
    """The labels the clinician saw, with how sure they were (None when there were none)."""
    if labeller is None:
        return None
    try:
        return labeller.labelling()
    except Exception as e:  # noqa: BLE001 - labels are an aid: the final pass labels alone
        log.warning("live speaker labels lost at Stop: %s", type(e).__name__)
        return None


def _profiles(engines: Engines) -> Sequence[VoiceProfile]:
    """The clinic's staff voices the engines carry (from the workspace's settings)."""
    return engines.voice_profiles


def finish_live(
    live: LiveTranscriber,
    audio: np.ndarray,
    read: int,
    engines: Engines,
    cancel: CancelToken = NEVER,
    progress: Callable[[float], None] | None = None,
    *,
    broken: bool = False,
    live_labels: Labelling | None = None,
) -> Transcript:
    """The work at Stop: the tail after the ``read`` samples the live pass saw, then labels.

    ``broken``: the live pass failed during the visit, so the whole recording is transcribed.
    ``live_labels``: the speaker labels shown while recording; each segment keeps them unless
    the final pass is more certain of it. A visit in another language drafted in English is
    then translated from the whole recording (the live transcript becomes ``original``).
    """
    report = progress or (lambda _f: None)
    report(0.1)
    cancel.check()
    if broken:
        return transcribe_visit(audio, engines, cancel, report)
    # With a clinic server, the whole recording gets its full-quality pass there; the live
    # transcript (the tail finished here) is what the visit keeps when the server fails.
    transcript = None
    if engines.language == "en":
        transcript = server_transcript(audio, engines, cancel)
    else:
        tell(engines, server_notice(engines))
    translating = transcript is None and engines.translate
    if transcript is None:
        transcript = live.finish(cancel, audio[read:])
        translating = translating and transcript.language != "en"
    report(0.3 if translating else 0.6)
    if engines.label_speakers and transcript.segments:
        transcript = label_transcript(audio, transcript, engines.enrolment, cancel,
                                      models_root=engines.models_root, live=live_labels,
                                      profiles=_profiles(engines))
    if translating and transcript.segments:
        transcript = translate(transcript, audio, engines, cancel,
                               lambda f: report(0.4 + 0.6 * f))
    report(1.0)
    return transcript
