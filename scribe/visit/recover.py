"""Recordings cut short by a crash become visits (at app start and by ``scribe recover``)."""

from __future__ import annotations

import logging
from pathlib import Path

from scribe.audio.partfile import read_sidecar
from scribe.domain import Status, new_id
from scribe.errors import NotFoundError, ScribeError
from scribe.visit.workspace import Workspace

__all__ = ["RECOVERED", "interrupted_count", "recover_visits"]

log = logging.getLogger(__name__)

RECOVERED = "The recording was interrupted and recovered; transcribe it to finish the visit."


def interrupted_count(ws: Workspace) -> int:
    """How many recordings a crash left unfinished in the vault."""
    return len(ws.vault.interrupted())


def recover_visits(ws: Workspace) -> tuple[list[dict], list[str]]:
    """Finish each interrupted recording and make (or complete) its visit.

    A visit created when recording started keeps its id and is marked failed with a reason the list
    shows (:func:`scribe.visit.retry.retry` goes on from there); a part file with no visit becomes
    a new one. Returns ``[{"id", "duration_s"}]`` and the messages of recordings that could not be
    recovered.
    """
    store = ws.store
    out: list[dict] = []
    problems: list[str] = []
    for part in ws.vault.interrupted():
        try:
            meta = read_sidecar(part)
            recording = ws.vault.finish_interrupted(part)
        except ScribeError as e:
            log.warning("interrupted recording %s not recovered: %s", part.name, type(e).__name__)
            problems.append(e.message)
            continue
        eid = meta.get("encounter_id") or new_id()
        try:
            enc = store.get(eid)
        except NotFoundError:
            enc = store.create_encounter("Recovered visit", Status.RECORDING, consent=False,
                                         template=ws.settings.default_template,
                                         source="recovered", encounter_id=eid)
        store.set_audio(enc.id, Path(recording.path).name, recording.duration_s)
        if enc.status in (Status.RECORDING, Status.PAUSED):
            store.fail(enc.id, RECOVERED)
        log.info("recovered visit %s: %.1f s", enc.id, recording.duration_s)
        out.append({"id": enc.id, "duration_s": round(recording.duration_s, 3)})
    return out, problems
