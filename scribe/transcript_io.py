"""Reading text transcripts (one turn per line, optionally ``[doctor]``/``[patient]`` tagged)."""

from __future__ import annotations

import re
from pathlib import Path

from scribe.domain import Segment, Speaker, Transcript
from scribe.errors import ScribeError

_TAG = re.compile(r"^\s*\[(?P<tag>[a-z_ ]+)\]\s*(?P<text>.*)$", re.IGNORECASE)
_SPEAKERS = {
    "doctor": Speaker.CLINICIAN.value,
    "clinician": Speaker.CLINICIAN.value,
    "patient": Speaker.PATIENT.value,
    "patient_guest": Speaker.OTHER.value,
    "guest": Speaker.OTHER.value,
    "other": Speaker.OTHER.value,
}


def parse_text_transcript(text: str) -> Transcript:
    """One segment per non-empty line; the index is the line's position among non-empty lines.

    Times are not known for a text transcript; each line gets a nominal one-second slot.
    """
    segments: list[Segment] = []
    for raw in text.replace("__lf1__", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        speaker = None
        m = _TAG.match(line)
        if m:
            speaker = _SPEAKERS.get(m.group("tag").strip().lower(), Speaker.OTHER.value)
            line = m.group("text").strip()
            if not line:
                continue
        i = len(segments)
        segments.append(Segment(index=i, start=float(i), end=float(i + 1), text=line, speaker=speaker))
    return Transcript(segments=tuple(segments), model="text", duration=float(len(segments)))


def read_text_transcript(path: str | Path) -> Transcript:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScribeError(f"Transcript file not found: {p.name}.") from None
    except (OSError, UnicodeDecodeError):
        raise ScribeError(f"Could not read {p.name} as UTF-8 text.") from None
    transcript = parse_text_transcript(text)
    if not transcript.segments:
        raise ScribeError(f"{p.name} has no transcript lines.")
    return transcript


def timestamp(seconds: float) -> str:
    s = int(max(seconds, 0))
    return f"{s // 60:02d}:{s % 60:02d}"


def format_segment(segment: Segment) -> str:
    """``[mm:ss] text``, or ``[mm:ss] CLINICIAN: text`` when the speaker is known."""
    who = ""
    if segment.speaker:  # "other:Nurse Kim" (a named staff voice) reads as NURSE KIM
        role, _, name = segment.speaker.partition(":")
        who = f"{(name or role).upper()}: "
    return f"[{timestamp(segment.start)}] {who}{segment.text}"
