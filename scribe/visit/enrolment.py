"""The clinician's enrolled voice print, kept in the (encrypted) store's settings."""

from __future__ import annotations

import numpy as np

from scribe.speakers import enrol
from scribe.visit.workspace import Workspace

__all__ = ["enrol_from_audio", "save_enrolment"]


def save_enrolment(ws: Workspace, voiceprint: np.ndarray) -> None:
    ws.settings.set_voiceprint(voiceprint)
    ws.store.record_event(None, "voice_enrolled")


def enrol_from_audio(ws: Workspace, audio: np.ndarray) -> np.ndarray:
    """Make a voice print from a 20–30 s reading of ``ENROLMENT_PARAGRAPH`` and keep it."""
    voiceprint = enrol(audio, ws.models_root)
    save_enrolment(ws, voiceprint)
    return voiceprint
