"""Voices Scribe knows, kept in the (encrypted) store's settings: the clinician's enrolled voice
print, and the profiles of the clinic's regular staff (:mod:`scribe.speakers.profiles`).

Making a print reads audio through the voice encoder (a worker's job); keeping it writes the store
(the main thread's). Each change is audited by the profile's id, never its name.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from scribe.audio.files import load_audio
from scribe.domain import Transcript
from scribe.errors import ScribeError
from scribe.speakers import (
    StaffRole,
    VoiceProfile,
    enrol,
    make_profile,
    set_segment_speaker,
    set_voice,
    turn_voiceprint,
    voice_turns,
)
from scribe.speakers.profiles import merged, profiles_from_json, profiles_to_json
from scribe.store.settings import Setting
from scribe.visit.workspace import Workspace

__all__ = [
    "add_to_profile",
    "enrol_from_audio",
    "name_voice",
    "remove_profile",
    "save_enrolment",
    "save_profile",
    "voice_of_turn",
    "voice_profiles",
]

MAX_PROFILES = 50


def save_enrolment(ws: Workspace, voiceprint: np.ndarray) -> None:
    ws.settings.set_voiceprint(voiceprint)
    ws.store.record_event(None, "voice_enrolled")


def enrol_from_audio(ws: Workspace, audio: np.ndarray) -> np.ndarray:
    """Make a voice print from a 20–30 s reading of ``ENROLMENT_PARAGRAPH`` and keep it."""
    voiceprint = enrol(audio, ws.models_root)
    save_enrolment(ws, voiceprint)
    return voiceprint


def voice_profiles(ws: Workspace) -> list[VoiceProfile]:
    """The staff voices named so far, oldest first."""
    return profiles_from_json(ws.settings.text(Setting.VOICE_PROFILES))


def _keep(ws: Workspace, profiles: list[VoiceProfile]) -> None:
    ws.settings.set(Setting.VOICE_PROFILES, profiles_to_json(profiles))


def save_profile(
    ws: Workspace, name: str, role: StaffRole | str, voiceprint: np.ndarray, *, windows: int = 0
) -> VoiceProfile:
    """Name a staff voice once (from a visit's turn or an enrolment reading) and keep it.

    A name already used for the same role adds this sample to that profile instead.

    Raises:
        ScribeError: the name is empty or too long, or there are too many profiles.
    """
    new = make_profile(name, role, voiceprint, windows=windows)
    profiles = voice_profiles(ws)
    same = next((p for p in profiles if p.label.lower() == new.label.lower()), None)
    if same is not None:
        return add_to_profile(ws, same.id, new.voiceprint, windows)
    if len(profiles) >= MAX_PROFILES:
        raise ScribeError(f"Scribe keeps at most {MAX_PROFILES} staff voices; remove one first.")
    _keep(ws, [*profiles, new])
    ws.store.record_event(None, "voice_profile_saved", new.id)
    return new


def add_to_profile(ws: Workspace, profile_id: str, voiceprint: np.ndarray,
                   windows: int) -> VoiceProfile:
    """Average another sample of the same voice into a profile (it is then known better)."""
    profiles = voice_profiles(ws)
    old = next((p for p in profiles if p.id == profile_id), None)
    if old is None:
        raise ScribeError("That staff voice was removed; name the voice again.")
    new = merged(old, voiceprint, windows)
    _keep(ws, [new if p.id == profile_id else p for p in profiles])
    ws.store.record_event(None, "voice_profile_updated", profile_id)
    return new


def remove_profile(ws: Workspace, profile_id: str) -> None:
    profiles = voice_profiles(ws)
    if not any(p.id == profile_id for p in profiles):
        return
    _keep(ws, [p for p in profiles if p.id != profile_id])
    ws.store.record_event(None, "voice_profile_removed", profile_id)


def voice_of_turn(audio_path: Path, key: bytes | None, transcript: Transcript, index: int,
                  models_root: Path | None = None) -> tuple[np.ndarray, int]:
    """The voice print of segment ``index``'s voice (from every turn Scribe heard in it) and how
    many windows made it. Worker-safe: reads the visit's audio file, never the store.

    Raises:
        ScribeError: the audio cannot be read, or the turn is too short to know a voice by.
        ModelUnavailableError: the voice encoder cannot be loaded.
    """
    audio = load_audio(audio_path, key)
    return turn_voiceprint(audio, transcript, voice_turns(transcript, index), models_root)


def name_voice(ws: Workspace, encounter_id: str, index: int, name: str, role: StaffRole | str,
               sample: tuple[np.ndarray, int]) -> VoiceProfile:
    """Name a voice from one of its turns (right-click, This voice is ▸ Someone new…).

    Keeps the staff profile made from ``sample`` (:func:`voice_of_turn`) and gives every turn of
    that voice in this visit the person's label (just the turn when Scribe kept no voice for it),
    audited in the visit's trail.

    Raises:
        ScribeError: the name is empty or too long, the visit has no transcript, or it is signed.
    """
    transcript = ws.store.get_transcript(encounter_id)
    if transcript is None:
        raise ScribeError("This visit has no transcript yet.")
    profile = save_profile(ws, name, role, sample[0], windows=sample[1])
    seg = next((s for s in transcript.segments if s.index == index), None)
    fix = set_voice if seg is not None and seg.voice is not None else set_segment_speaker
    ws.store.replace_transcript(encounter_id, fix(transcript, index, profile.speaker),
                                f"segment {index} voice named (staff voice {profile.id})")
    return profile
