"""Voice profiles of the clinic's regular staff (a nurse, an interpreter, a resident), named once.

A profile is a name, a role and a voice print (a unit 256-d Resemblyzer embedding, as the
clinician's enrolment is), made from a turn of a visit (:func:`turn_voiceprint`) or from an
enrolment reading (:func:`scribe.speakers.embeddings.enrol`). The profiles are kept as JSON in the
encrypted store's settings (``Setting.VOICE_PROFILES``, read and written by
:mod:`scribe.visit.enrolment`); the labeller (:func:`scribe.speakers.labels.label_transcript`)
gives a turn whose voice matches a profile that person's speaker value (:mod:`scribe.speakers.names`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path

import numpy as np

from scribe.domain import Speaker, Transcript, new_id
from scribe.errors import ScribeError
from scribe.speakers.embeddings import unit, window_embeddings
from scribe.speakers.names import named

__all__ = [
    "MIN_PROFILE_WINDOWS",
    "PROFILE_MARGIN",
    "PROFILE_MATCH",
    "StaffRole",
    "VoiceProfile",
    "make_profile",
    "match_profile",
    "merged",
    "profiles_from_json",
    "profiles_to_json",
    "turn_voiceprint",
]

# A voice (or a turn) is a profile's person when its print matches the profile at cosine >=
# PROFILE_MATCH and it is closer to the profile than to every other voice of the visit by
# PROFILE_MARGIN. Measured with profiles made from one 3 s+ turn of the bench's espeak-ng visits
# (bench/speakers.py, 3 dialogues), against the second half of the same visit: a distinct pair's
# same voice 0.92-0.96 with a margin of 0.31-0.33 (its other voice: -0.28 or less); the "similar"
# and "near" pairs' voices come as close to the other voice's profile (0.86-0.96) as to their
# own, with margins of -0.08 to +0.09, so those are left as they are rather than misnamed.
PROFILE_MATCH = 0.90
PROFILE_MARGIN = 0.10
# A profile needs this many 1.6 s windows of one voice (0.5 s apart: ~3 s of speech).
MIN_PROFILE_WINDOWS = 4


class StaffRole(str, Enum):
    """Who a profile is; the value is what the profile stores."""

    NURSE = "nurse"
    INTERPRETER = "interpreter"
    RESIDENT = "resident"
    STAFF = "staff"

    @property
    def label(self) -> str:
        return self.value.capitalize()

    @property
    def speaker_role(self) -> Speaker:
        """How the note treats the person's words: a resident as the clinician, others as other."""
        return Speaker.CLINICIAN if self is StaffRole.RESIDENT else Speaker.OTHER


@dataclass(frozen=True)
class VoiceProfile:
    """A named staff voice. ``windows``: how many 1.6 s windows the print is the mean of."""

    id: str
    name: str
    role: StaffRole
    voiceprint: np.ndarray = field(compare=False, repr=False)
    windows: int = 0

    @property
    def label(self) -> str:
        """``Nurse Kim``: the role, then the name (the name alone when it already says the role)."""
        role = self.role.label
        if self.role is StaffRole.STAFF or self.name.lower().startswith(self.role.value):
            return self.name
        return f"{role} {self.name}"

    @property
    def speaker(self) -> str:
        """The speaker value of the person's turns, e.g. ``other:Nurse Kim``."""
        return named(self.role.speaker_role, self.label)


def make_profile(
    name: str, role: StaffRole | str, voiceprint: np.ndarray, *, windows: int = 0
) -> VoiceProfile:
    """A new profile; the name is checked (one sentence when it is empty or too long)."""
    role = StaffRole(role)
    clean = named(Speaker.OTHER, name).partition(":")[2]
    vec = unit(np.asarray(voiceprint, np.float32).reshape(-1))
    if vec.shape != (256,) or not np.isfinite(vec).all():
        raise ScribeError("That voice sample could not be used; record it again.")
    return VoiceProfile(new_id(), clean, role, vec, windows)


def merged(profile: VoiceProfile, voiceprint: np.ndarray, windows: int) -> VoiceProfile:
    """``profile`` with another sample of the same voice averaged in (weighted by windows)."""
    total = max(1, profile.windows) + max(1, windows)
    vec = unit(profile.voiceprint * max(1, profile.windows) + unit(voiceprint) * max(1, windows))
    return VoiceProfile(profile.id, profile.name, profile.role, vec.astype(np.float32), total)


def profiles_to_json(profiles: Sequence[VoiceProfile]) -> str:
    return json.dumps([
        {"id": p.id, "name": p.name, "role": p.role.value, "windows": p.windows,
         "voiceprint": [round(float(x), 6) for x in p.voiceprint]}
        for p in profiles
    ])


def profiles_from_json(text: str) -> list[VoiceProfile]:
    """The stored profiles; an unreadable entry (hand-edited, another version) is skipped."""
    try:
        raw = json.loads(text) if text else []
    except ValueError:
        return []
    out: list[VoiceProfile] = []
    for d in raw if isinstance(raw, list) else []:
        try:
            vec = np.asarray(d["voiceprint"], np.float32)
            if vec.shape != (256,):
                continue
            out.append(VoiceProfile(str(d["id"]), str(d["name"]), StaffRole(d["role"]),
                                    unit(vec), int(d.get("windows", 0))))
        except (KeyError, TypeError, ValueError):
            continue
    return out


def turn_voiceprint(
    audio: np.ndarray,
    transcript: Transcript,
    indexes: Sequence[int],
    models_root: Path | None = None,
) -> tuple[np.ndarray, int]:
    """The voice print of segments ``indexes`` (one voice's turns) and how many windows made it.

    Each turn's audio is embedded on its own (1.6 s windows, 0.5 s apart), so no window hears the
    voice before or after it.

    Raises:
        ScribeError: there is no such segment, or too little speech in them.
        ModelUnavailableError: the voice encoder cannot be loaded.
    """
    by_index = {s.index: s for s in transcript.segments}
    if any(i not in by_index for i in indexes):
        raise ScribeError("That turn is not in this transcript any more; reopen the visit.")
    embs = []
    for i in indexes:
        seg = by_index[i]
        start = seg.words[0].start if seg.words else seg.start
        end = seg.words[-1].end if seg.words else seg.end
        part = audio[max(0, int(start * 16000)) : max(0, int(end * 16000))]
        if len(part) >= 16000:
            e, _ = window_embeddings(part, hop=50, models_root=models_root)
            embs.append(e)
    allv = np.concatenate(embs) if embs else np.zeros((0, 256), np.float32)
    if len(allv) < MIN_PROFILE_WINDOWS:
        raise ScribeError(
            "That turn is too short to know a voice by; choose a longer one (3 seconds or more)."
        )
    return unit(allv.mean(axis=0)).astype(np.float32), len(allv)


def match_profile(
    voiceprint: np.ndarray,
    profiles: Sequence[VoiceProfile],
    enrolment: np.ndarray | None = None,
    rivals: Sequence[np.ndarray] = (),
) -> VoiceProfile | None:
    """The profile whose person ``voiceprint`` is, or None when no profile is clearly it.

    It must match at PROFILE_MATCH or more, be no closer to the clinician's enrolled print, and
    be closer to the profile than to each of ``rivals`` (the prints of the visit's other voices)
    by PROFILE_MARGIN: a voice like two known ones is neither.
    """
    if not profiles:
        return None
    sims = np.array([float(voiceprint @ p.voiceprint) for p in profiles])
    best = int(np.argmax(sims))
    others = [float(voiceprint @ r) for r in rivals]
    if enrolment is not None:
        others.append(float(voiceprint @ enrolment))
    if sims[best] < PROFILE_MATCH or (others and sims[best] - max(others) < PROFILE_MARGIN):
        return None
    return profiles[best]
