"""Fixing and showing speaker labels: one-click swap, per-segment fix, ``[mm:ss] SPEAKER: text``.

Re-exported by :mod:`scribe.speakers`. The caller (the review view, via the store) records each
fix in the audit trail.
"""

from __future__ import annotations

from dataclasses import replace

from scribe.domain import Speaker, Transcript
from scribe.errors import ScribeError
from scribe.transcript_io import format_segment


def _swap(speaker: str | None) -> str | None:
    return {
        Speaker.CLINICIAN.value: Speaker.PATIENT.value,
        Speaker.PATIENT.value: Speaker.CLINICIAN.value,
    }.get(speaker or "", speaker)


def swap_labels(transcript: Transcript) -> Transcript:
    """Clinician ↔ patient on every segment and word (``other`` and unlabelled stay as they are)."""
    segs = tuple(
        replace(
            s,
            speaker=_swap(s.speaker),
            words=tuple(replace(w, speaker=_swap(w.speaker)) for w in s.words),
        )
        for s in transcript.segments
    )
    return replace(transcript, segments=segs)


def set_segment_speaker(
    transcript: Transcript, index: int, speaker: Speaker | str | None
) -> Transcript:
    """Set the speaker of one segment (and its words), e.g. a fix made in the review view."""
    value = Speaker(speaker).value if speaker is not None else None
    if not any(s.index == index for s in transcript.segments):
        raise ScribeError(f"There is no segment {index} in this transcript.")
    segs = tuple(
        replace(s, speaker=value, words=tuple(replace(w, speaker=value) for w in s.words))
        if s.index == index
        else s
        for s in transcript.segments
    )
    return replace(transcript, segments=segs)


format_line = format_segment
"""``[mm:ss] CLINICIAN: text`` (``[mm:ss] text`` when the speaker is unknown); one formatter."""
