"""Speaker values: the three roles, and a named member of the clinic's staff.

``Segment.speaker`` is a string. It is ``"clinician"``, ``"patient"`` or ``"other"``
(:class:`scribe.domain.Speaker`), or, for a voice recognised from a staff profile
(:mod:`scribe.speakers.profiles`), ``"<role>:<label>"``: the role the note drafter should treat the
person as, then the name shown, e.g. ``"other:Nurse Kim"`` or ``"clinician:Resident Dr Lee"``. A
reader that compares with ``"clinician"`` / ``"patient"`` treats a named person as neither (as
``other``), which is the safe reading; :func:`role_of` gives the role where it matters.
"""

from __future__ import annotations

from scribe.domain import Speaker
from scribe.errors import ScribeError
from scribe.nlp.safe_text import clean_text

__all__ = ["MAX_NAME", "heading", "named", "role_of", "speaker_value"]

MAX_NAME = 60
_ROLES = {s.value for s in Speaker}


def named(role: Speaker | str, label: str) -> str:
    """The speaker value of a named person: ``named("other", "Nurse Kim") == "other:Nurse Kim"``.

    Raises:
        ScribeError: the name is empty or too long.
    """
    text = " ".join(clean_text(label).split())
    if not text:
        raise ScribeError("Give the voice a name, for example Nurse Kim.")
    if len(text) > MAX_NAME:
        raise ScribeError(f"A voice's name can be at most {MAX_NAME} characters.")
    return f"{Speaker(role).value}:{text}"


def role_of(speaker: str | None) -> str | None:
    """The role of a speaker value (``"other:Nurse Kim"`` → ``"other"``); None when unknown."""
    if not speaker:
        return None
    role = speaker.partition(":")[0]
    return role if role in _ROLES else Speaker.OTHER.value


def heading(speaker: str | None) -> str:
    """What a transcript line is headed with: ``CLINICIAN``, ``PATIENT``, ``NURSE KIM`` ("" unknown)."""
    if not speaker:
        return ""
    role, _, label = speaker.partition(":")
    return (label or role).upper()


def speaker_value(speaker: Speaker | str | None) -> str | None:
    """``speaker`` checked: a role, or a named person (:func:`named`) with a known role.

    Raises:
        ValueError: not a speaker value (as ``Speaker("nurse")`` does).
    """
    if speaker is None:
        return None
    if isinstance(speaker, Speaker):
        return speaker.value
    role, sep, label = speaker.partition(":")
    if not sep:
        return Speaker(role).value
    return named(role, label)
