"""Turning recordings cut short by a crash into visits (used at app start and by `scribe recover`)."""

from __future__ import annotations

import logging
from pathlib import Path

from scribe.audio.partfile import finalize_interrupted, find_interrupted, read_sidecar
from scribe.domain import Status, new_id
from scribe.errors import NotFoundError, ScribeError
from scribe.store.store import Store

log = logging.getLogger(__name__)

RECOVERED = "The recording was interrupted and recovered; transcribe it to finish the visit."


def interrupted_count(store: Store) -> int:
    """How many recordings a crash left unfinished in the store's audio folder."""
    return len(find_interrupted(store.audio_dir)) if store.audio_dir else 0


def recover_visits(store: Store) -> tuple[list[dict], list[str]]:
    """Finish each interrupted recording and make (or complete) its visit.

    A visit created when recording started keeps its id and is marked failed with a reason the list
    shows (processing it again goes on from there); a part file with no visit becomes a new one.
    Returns ``[{"id", "duration_s"}]`` and the messages of recordings that could not be recovered.
    """
    if store.audio_dir is None:
        return [], []
    out: list[dict] = []
    problems: list[str] = []
    for part in find_interrupted(store.audio_dir):
        try:
            meta = read_sidecar(part)
            recording = finalize_interrupted(part)
        except ScribeError as e:
            log.warning("interrupted recording %s not recovered: %s", part.name, type(e).__name__)
            problems.append(e.message)
            continue
        eid = meta.get("encounter_id") or new_id()
        try:
            enc = store.get(eid)
        except NotFoundError:
            enc = store.create_encounter("Recovered visit", Status.RECORDING, consent=False,
                                         source="recovered", encounter_id=eid)
        store.set_audio(enc.id, Path(recording.path).name, recording.duration_s)
        if enc.status in (Status.RECORDING, Status.PAUSED):
            store.fail(enc.id, RECOVERED)
        log.info("recovered visit %s: %.1f s", enc.id, recording.duration_s)
        out.append({"id": enc.id, "duration_s": round(recording.duration_s, 3)})
    return out, problems
