"""Finishing a visit that failed or was left mid-processing: from its audio, else its transcript."""

from __future__ import annotations

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Encounter, Status
from scribe.errors import ScribeError
from scribe.visit.engines import Engines
from scribe.visit.pipeline import StepFn, process
from scribe.visit.workspace import Workspace

__all__ = ["ACTIVE", "RETRYABLE", "INTERRUPTED_PROCESSING", "mark_interrupted", "retry"]

ACTIVE = (Status.TRANSCRIBING, Status.DRAFTING)
"""A visit in these states is being processed now, or was when Scribe stopped."""
RETRYABLE = (Status.FAILED, *ACTIVE)
INTERRUPTED_PROCESSING = "Scribe closed before this visit was processed; press Process again."


def mark_interrupted(ws: Workspace) -> list[str]:
    """At start-up (nothing is processing yet): visits left mid-processing become failed visits
    with a reason the list shows, so they can be retried. Returns their ids."""
    stuck = [e.id for e in ws.store.list() if e.status in ACTIVE]
    for eid in stuck:
        ws.store.fail(eid, INTERRUPTED_PROCESSING)
    return stuck


def retry(
    ws: Workspace,
    encounter_id: str,
    engines: Engines,
    *,
    cancel: CancelToken = NEVER,
    on_step: StepFn | None = None,
) -> Encounter:
    """Process a failed or stuck visit again: a full pass over its audio when it has any, else a
    new draft from its stored transcript. Raises with one sentence when neither is left."""
    enc = ws.store.get(encounter_id)
    if enc.status not in RETRYABLE:
        raise ScribeError(f"This visit is {enc.status.label.lower()}; only a failed or stuck "
                          "visit can be processed again.")
    has_audio = bool(enc.audio_file) and ws.vault.path(enc.audio_file or "").is_file()
    transcript = None if has_audio else ws.store.get_transcript(enc.id)
    if not has_audio and transcript is None:
        raise ScribeError("This visit has no audio or transcript left to process.")
    if enc.status in ACTIVE:  # left mid-step by a process that died: start over from failed
        ws.store.fail(enc.id, INTERRUPTED_PROCESSING)
        enc = ws.store.get(enc.id)
    process(ws, enc, engines, transcript=transcript, cancel=cancel, on_step=on_step)
    return ws.store.get(enc.id)
