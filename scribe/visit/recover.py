"""Recordings cut short by a crash become visits (at app start and by ``scribe recover``)."""

from __future__ import annotations

import logging
from pathlib import Path

from scribe.audio.files import duration_s
from scribe.audio.partfile import read_sidecar
from scribe.domain import Status, new_id
from scribe.errors import NotFoundError, ScribeError
from scribe.visit.workspace import Workspace

__all__ = ["RECOVERED", "interrupted_count", "recover_visits", "salvage_visit"]

log = logging.getLogger(__name__)

RECOVERED = "The recording was interrupted and recovered; transcribe it to finish the visit."
DAMAGED_AT = ("The interrupted recording of visit {id} was damaged after {kept:.1f} s: the first "
              "{kept:.1f} s were kept and the rest could not be read.")
RECOVERED_DAMAGED = ("The recording was interrupted and damaged after {kept:.1f} s: that much was "
                     "recovered and the rest could not be read; transcribe it to finish the visit.")
SALVAGED = ("The audio file of visit {id} was damaged after {kept:.1f} s: the first {kept:.1f} s "
            "were kept and the damaged rest was removed.")
NOTHING_TO_SALVAGE = "The audio file of visit {id} is intact; nothing was cut."


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
            recovery = ws.vault.recover_interrupted(part)
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
        recording = recovery.recording
        store.set_audio(enc.id, Path(recording.path).name, recording.duration_s)
        if enc.status in (Status.RECORDING, Status.PAUSED):
            store.fail(enc.id, RECOVERED_DAMAGED.format(kept=recording.duration_s)
                       if recovery.damaged else RECOVERED)
        if recovery.damaged:  # what was kept is a visit; the user is told what was not
            log.warning("recovered visit %s cut at a damaged chunk", enc.id)
            problems.append(DAMAGED_AT.format(id=enc.id, kept=recording.duration_s))
        log.info("recovered visit %s: %.1f s", enc.id, recording.duration_s)
        out.append({"id": enc.id, "duration_s": round(recording.duration_s, 3)})
    return out, problems


def salvage_visit(ws: Workspace, encounter_id: str) -> str:
    """Keep the intact start of a visit's stored audio that fails to load; returns the sentence.

    Only when the user asks (``scribe recover --salvage ID``): a finished file with a damaged chunk
    is refused by every load, and salvaging cuts the damaged rest off for good. The visit keeps its
    audio file (same name, same id) with the new duration.
    """
    enc = ws.store.get(encounter_id)
    if not enc.audio_file or not ws.vault.path(enc.audio_file).is_file():
        raise ScribeError(f"Visit {enc.id} has no audio file left to salvage.")
    if not ws.vault.salvage(enc.audio_file):
        return NOTHING_TO_SALVAGE.format(id=enc.id)
    kept = duration_s(ws.vault.load(enc.audio_file))
    ws.store.set_audio(enc.id, enc.audio_file, kept)
    log.warning("salvaged visit %s: cut at a damaged chunk", enc.id)
    return SALVAGED.format(id=enc.id, kept=kept)
