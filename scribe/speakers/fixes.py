"""Fixing and showing speaker labels: one-click swap, a turn's fix, every turn of a voice, and
whether the labels can be relied on.

Re-exported by :mod:`scribe.speakers`. The caller (the review view, via the store) records each
fix in the audit trail.
"""

from __future__ import annotations

from dataclasses import replace

from scribe.domain import Segment, Speaker, Transcript
from scribe.errors import ScribeError
from scribe.speakers.names import speaker_value
from scribe.transcript_io import format_segment

__all__ = [
    "TOLD_APART_SHARE",
    "format_line",
    "labelled_share",
    "set_segment_speaker",
    "set_voice",
    "swap_labels",
    "told_apart",
    "voice_turns",
]

# Below this share of the words labelled, the view says the voices could not be told apart.
TOLD_APART_SHARE = 0.5


def _swap(speaker: str | None) -> str | None:
    return {
        Speaker.CLINICIAN.value: Speaker.PATIENT.value,
        Speaker.PATIENT.value: Speaker.CLINICIAN.value,
    }.get(speaker or "", speaker)


def swap_labels(transcript: Transcript) -> Transcript:
    """Clinician ↔ patient on every segment and word (``other``, named staff and unlabelled stay)."""
    segs = tuple(
        replace(
            s,
            speaker=_swap(s.speaker),
            words=tuple(replace(w, speaker=_swap(w.speaker)) for w in s.words),
        )
        for s in transcript.segments
    )
    return replace(transcript, segments=segs)


def _with_speaker(seg: Segment, value: str | None) -> Segment:
    return replace(seg, speaker=value, words=tuple(replace(w, speaker=value) for w in seg.words))


def set_segment_speaker(
    transcript: Transcript, index: int, speaker: Speaker | str | None
) -> Transcript:
    """Set the speaker of one segment (and its words), e.g. a fix made in the review view.

    ``speaker``: a role, or a named person (``"other:Nurse Kim"``, :mod:`scribe.speakers.names`).
    """
    value = speaker_value(speaker)
    if not any(s.index == index for s in transcript.segments):
        raise ScribeError(f"There is no segment {index} in this transcript.")
    segs = tuple(_with_speaker(s, value) if s.index == index else s for s in transcript.segments)
    return replace(transcript, segments=segs)


def voice_turns(transcript: Transcript, index: int) -> list[int]:
    """The segments heard in the same voice as segment ``index`` (itself included; only itself
    when the labeller kept no voice for it)."""
    seg = next((s for s in transcript.segments if s.index == index), None)
    if seg is None:
        raise ScribeError(f"There is no segment {index} in this transcript.")
    if seg.voice is None:
        return [index]
    return [s.index for s in transcript.segments if s.voice == seg.voice]


def set_voice(transcript: Transcript, index: int, speaker: Speaker | str | None) -> Transcript:
    """Set the speaker of segment ``index`` and of every other segment heard in its voice.

    Raises:
        ScribeError: there is no such segment, or Scribe kept no voice for it (fix it on its own).
    """
    value = speaker_value(speaker)
    turns = set(voice_turns(transcript, index))
    if next(s for s in transcript.segments if s.index == index).voice is None:
        raise ScribeError("Scribe could not tell this turn's voice; fix the turn on its own.")
    segs = tuple(_with_speaker(s, value) if s.index in turns else s for s in transcript.segments)
    return replace(transcript, segments=segs)


def labelled_share(transcript: Transcript) -> float:
    """The share of the transcript's words (a word-less segment counts its text's words) that
    carry a speaker; 1.0 for an empty transcript (nothing to tell apart)."""
    total = labelled = 0
    for s in transcript.segments:
        if s.words:
            total += len(s.words)
            labelled += sum(1 for w in s.words if (w.speaker or s.speaker))
        else:
            n = max(1, len(s.text.split()))
            total += n
            labelled += n if s.speaker else 0
    return labelled / total if total else 1.0


def told_apart(transcript: Transcript) -> bool:
    """Whether Scribe labelled enough of the visit to be relied on (else the view says so)."""
    return labelled_share(transcript) >= TOLD_APART_SHARE


def format_line(segment: Segment) -> str:
    """``[mm:ss] CLINICIAN: text``, ``[mm:ss] NURSE KIM: text`` for a named voice, ``[mm:ss] text``
    when the speaker is unknown (:func:`scribe.transcript_io.format_segment`, with names)."""
    return format_segment(segment)
