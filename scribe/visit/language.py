"""A visit's language (issue 13): detected or chosen, transcribed as spoken, drafted in English.

A visit in another language with "draft in English" on is transcribed twice from its audio: as
spoken (Whisper's ``transcribe`` task, in that language), kept as ``Transcript.original``, and
translated (the ``translate`` task), kept as ``Transcript.segments``: the note is drafted and
checked from the English, and the review shows both. Speakers are labelled on the words as spoken
(their times are the audio's) and carried over to the English by time.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

import numpy as np

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript
from scribe.errors import ModelUnavailableError
from scribe.speakers.labels import regroup
from scribe.speech.transcriber import Transcriber, load_model
from scribe.visit.engines import Engines, language_name

__all__ = [
    "carry_labels",
    "detect_language",
    "draft_language_notice",
    "server_notice",
    "tell",
    "translate",
]

log = logging.getLogger(__name__)


def tell(engines: Engines, text: str | None) -> None:
    """Say ``text`` (one sentence) to whoever runs the visit, when there is something to say."""
    if text and engines.on_notice is not None:
        engines.on_notice(text)


def detect_language(audio: np.ndarray, engines: Engines) -> str:
    """The Whisper code of the language spoken in ``audio`` (its first 30 s of speech), as
    faster-whisper detects it when no language is given; ``en`` when nobody speaks."""
    opts = engines.transcribe_options()
    model = load_model(opts.model, opts.device, opts.models_root)
    try:
        code, _probability, _all = model.detect_language(audio, vad_filter=True)
    except ValueError:  # no speech at all: nothing to detect, and nothing will be transcribed
        return "en"
    except Exception:  # noqa: BLE001 - CTranslate2 fails with bare types
        raise ModelUnavailableError(
            f"The speech model '{opts.model}' failed while detecting the visit's language; "
            "choose the language on the record panel and process the visit again."
        ) from None
    log.info("visit language detected: %s", code)  # a language code, never patient text
    return str(code)


def translate(
    spoken: Transcript,
    audio: np.ndarray,
    engines: Engines,
    cancel: CancelToken = NEVER,
    progress: Callable[[float], None] | None = None,
) -> Transcript:
    """``spoken`` (the visit as spoken, labelled or not) with the English translation of
    ``audio`` as its segments and itself kept as ``original``."""
    opts = replace(engines.transcribe_options(), language=spoken.language, task="translate")
    english = Transcriber(opts).transcribe(audio, cancel, progress)
    return replace(spoken, segments=carry_labels(spoken.segments, english.segments),
                   original=spoken.segments)


def carry_labels(spoken: tuple[Segment, ...],
                 english: tuple[Segment, ...]) -> tuple[Segment, ...]:
    """``english`` with each word's speaker (and voice) taken from what was spoken at its time.

    A translated word has no audio of its own; its time (Whisper's estimate) falls inside the
    span of the speech it translates, so it takes the label of the spoken word there (or the
    nearest one). Segments are split where the speaker changes, as labelling does.
    """
    units = [unit for seg in spoken
             for unit in ([(w.start, w.end, w.speaker, seg.voice) for w in seg.words]
                          or [(seg.start, seg.end, seg.speaker, seg.voice)])]
    if not english or not any(u[2] for u in units):
        return english
    starts = np.array([u[0] for u in units])
    ends = np.array([u[1] for u in units])
    roles: list[list[str | None]] = []
    voices: list[list[int | None]] = []
    for seg in english:
        times = [(w.start + w.end) / 2 for w in seg.words] or [(seg.start + seg.end) / 2]
        picked = [_nearest(starts, ends, t) for t in times]
        roles.append([units[i][2] for i in picked])
        voices.append([units[i][3] for i in picked])
    return regroup(english, roles, voices)


def _nearest(starts: np.ndarray, ends: np.ndarray, t: float) -> int:
    """The unit whose span holds time ``t``, else the one closest to it."""
    i = int(np.searchsorted(starts, t, side="right")) - 1
    candidates = [j for j in (i, i + 1) if 0 <= j < len(starts)]
    return min(candidates, key=lambda j: 0.0 if starts[j] <= t <= ends[j]
               else min(abs(starts[j] - t), abs(ends[j] - t)))


def draft_language_notice(transcript: Transcript) -> str | None:
    """The sentence that says a note is drafted from speech in another language (untranslated)."""
    if transcript.language == "en" or transcript.original or not transcript.segments:
        return None
    return (f"Scribe drafts and checks notes in English only, so the note drafted from this "
            f"{language_name(transcript.language)} transcript may miss what was said; choose "
            "“Draft the note in English” to draft it from a translation.")


def server_notice(engines: Engines) -> str | None:
    """Why a visit in another language is not sent to the clinic's transcription server."""
    if engines.language == "en" or engines.server is None or engines.server.transcription is None:
        return None
    return ("The clinic server transcribes English visits only, so this visit is transcribed on "
            "this workstation.")

