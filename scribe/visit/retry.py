"""Finishing a visit that failed or was left mid-processing: from its audio, else its transcript.

A visit is *stuck* when it is Transcribing or Drafting and no Scribe process is working on it: the
one that was died (kill -9, power cut) or could not even store its own failure (a full disk, a
database held busy). How "no process is working on it" is told: every process that opens the
workspace through :func:`fail_abandoned` (the command line, each command) or
:func:`mark_interrupted` (the app, at start) holds a shared ``flock`` on ``<data folder>/in-use.lock``
for as long as it lives; the kernel drops it when the process dies, however it dies. A process
that can take that lock exclusively is alone, so every visit still Transcribing or Drafting was
left by a process that is gone, and is failed with a reason the list shows (``scribe retry ID``,
or Process in the app, finishes it). While another Scribe is running (the app left open), nothing
is marked: its work is never taken from under it. A visit left Recording or Paused with no part
file for ``scribe recover`` (the Stop could not be stored) is failed the same way, saying whether
its audio was kept.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Encounter, Status
from scribe.errors import ScribeError
from scribe.visit.engines import Engines
from scribe.visit.pipeline import StepFn, process
from scribe.visit.recording import INTERRUPTED
from scribe.visit.workspace import Workspace

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no flock, nothing is marked by the CLI
    fcntl = None  # type: ignore[assignment]

__all__ = [
    "ACTIVE",
    "IN_USE_LOCK",
    "RECORDING_LOST",
    "RECORDING_STOPPED",
    "RETRYABLE",
    "STOPPED_PROCESSING",
    "fail_abandoned",
    "mark_interrupted",
    "retry",
]

log = logging.getLogger(__name__)

ACTIVE = (Status.TRANSCRIBING, Status.DRAFTING)
"""A visit in these states is being processed now, or was when Scribe stopped."""
RETRYABLE = (Status.FAILED, *ACTIVE)


STOPPED_PROCESSING = ("Processing stopped before this visit was finished; process it again "
                      "(scribe retry, or Process in the app).")
RECORDING_STOPPED = ("The recording stopped before the visit was saved; its audio is kept: "
                     "process it again (scribe retry, or Process in the app).")
RECORDING_LOST = ("The recording stopped before any audio was saved (the disk may have been "
                  "full); there is nothing to process: discard this visit.")
RECORDING_STATES = (Status.RECORDING, Status.PAUSED)
IN_USE_LOCK = "in-use.lock"

_held: dict[str, int] = {}  # data folder -> the lock file this process holds (shared), for life


def _alone(home: Path) -> bool:
    """Hold the workspace's shared in-use lock from now on; True when no other process holds it
    (checked by taking it exclusively first). False when it cannot be told (no flock, no file)."""
    if fcntl is None:
        return False
    key = str(Path(home).resolve())
    fd = _held.get(key)
    try:
        if fd is None:
            fd = os.open(Path(home) / IN_USE_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
            _held[key] = fd
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            alone = True
        except BlockingIOError:
            alone = False
        return alone
    except OSError:  # a read-only or full data folder: the lock cannot be made; do not guess
        return False


def _share(home: Path) -> None:
    fd = _held.get(str(Path(home).resolve()))
    if fcntl is not None and fd is not None:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH)  # back to shared (also after a failed upgrade)
        except OSError:
            pass


def fail_abandoned(ws: Workspace, reason: str = STOPPED_PROCESSING) -> list[str]:
    """Fail the visits no process is working on any more (see the module's doc), with ``reason``.

    Called whenever a workspace is opened; from then on this process counts as working on the
    workspace. A failure that cannot be stored now (the database busy, the disk full) is left for
    the next call. Returns the ids failed.
    """
    done: list[str] = []
    try:
        if not _alone(ws.home):
            return done
        parts = {p.name.split(".")[0] for p in ws.vault.interrupted()}  # recover's to finish
        for enc in ws.store.list():
            if enc.status in ACTIVE:
                ws.store.fail(enc.id, reason)
            elif enc.status in RECORDING_STATES and enc.id not in parts:
                # Stopped (a full disk, a database that refused the Stop) with no part file left:
                # never "Recording" forever.
                has_audio = bool(enc.audio_file) and ws.vault.path(enc.audio_file or "").is_file()
                ws.store.fail(enc.id, RECORDING_STOPPED if has_audio else RECORDING_LOST)
            else:
                continue
            done.append(enc.id)
    except ScribeError as e:  # stored at the next chance; the command goes on
        log.warning("stuck visits not marked now: %s", type(e).__name__)
    finally:
        _share(ws.home)
    if done:
        log.info("%d stuck visit(s) marked failed", len(done))
    return done


def mark_interrupted(ws: Workspace) -> list[str]:
    """At the app's start: visits left mid-processing become failed visits with a reason the
    list shows, so they can be retried; not while another Scribe process (a ``scribe note`` in a
    terminal) is working. Returns their ids."""
    return fail_abandoned(ws, INTERRUPTED)


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
        ws.store.fail(enc.id, INTERRUPTED)
        enc = ws.store.get(enc.id)
    process(ws, enc, engines, transcript=transcript, cancel=cancel, on_step=on_step)
    return ws.store.get(enc.id)
