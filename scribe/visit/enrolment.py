"""The clinician's enrolled voice print, kept in the (encrypted) store's settings."""

from __future__ import annotations

import json

import numpy as np

from scribe.store.store import Store

KEY = "clinician_voiceprint"


def load_enrolment(store: Store) -> np.ndarray | None:
    raw = store.setting(KEY)
    if not raw:
        return None
    return np.asarray(json.loads(raw), dtype=np.float32)


def save_enrolment(store: Store, voiceprint: np.ndarray) -> None:
    store.set_setting(KEY, json.dumps([round(float(x), 6) for x in voiceprint]))
    store.record_event(None, "voice_enrolled")


def enrol_from_audio(store: Store, audio: np.ndarray) -> np.ndarray:
    """Make a voice print from a 20–30 s reading of ``ENROLMENT_PARAGRAPH`` and keep it."""
    from scribe.speakers.labels import enrol

    voiceprint = enrol(audio)
    save_enrolment(store, voiceprint)
    return voiceprint
