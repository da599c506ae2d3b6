"""Recording a visit: start (consent given), pause, resume, stop; the audio goes into the vault.

The visit row is created when the recording starts, with the template its note will be drafted
with, so processing it again later uses the same template.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from scribe.audio.recorder import Recorder, RecorderState
from scribe.domain import Identity, Mark, Recording, Status, new_id
from scribe.errors import ScribeError
from scribe.store.store import clean_identity
from scribe.visit.workspace import Workspace

__all__ = [
    "INTERRUPTED",
    "VisitRecording",
    "mark_moment",
    "pause_recording",
    "resume_recording",
    "start_recording",
    "stop_recording",
]

INTERRUPTED = "Scribe closed before this visit was processed; press Process again."


@dataclass
class VisitRecording:
    """A visit being recorded.

    Shared by the thread that owns the workspace (which starts and stops it) and the thread that
    follows it live (:func:`scribe.visit.live.follow_live`): the owner sets ``path`` (the finished
    recording, or None when the visit will not be processed now) and then ``stopped``; the
    follower reads ``path`` only after ``stopped`` is set.
    """

    encounter_id: str
    recorder: Recorder
    template: str
    stopped: threading.Event = field(default_factory=threading.Event)
    path: Path | None = None

    def end(self, path: Path | None) -> None:
        self.path = path
        self.stopped.set()


def start_recording(
    ws: Workspace,
    *,
    device: int | str | None = None,
    label: str = "",
    template: str | None = None,
    identity: Identity | None = None,
    stream_factory: Callable[..., Any] | None = None,
) -> VisitRecording:
    """Start recording a new visit whose patient agreed; raises before any visit exists."""
    eid = new_id()
    template = template or ws.settings.default_template
    if identity is not None:
        clean_identity(identity)  # a mistyped date of birth is said before the microphone opens
    rec = ws.vault.recorder(encounter_id=eid, device=device, stream_factory=stream_factory)
    rec.start()  # a clear AudioDeviceError here leaves nothing behind
    try:
        ws.store.create_encounter(
            label=label.strip() or datetime.now().strftime("Visit %Y-%m-%d %H:%M"),
            status=Status.RECORDING,
            audio_file=f"{eid}.wav",
            consent=True,
            template=template,
            source="recorded",
            encounter_id=eid,
            identity=identity,
        )
    except ScribeError:
        if rec.state is not RecorderState.IDLE:
            rec.stop()
        raise
    return VisitRecording(eid, rec, template)


def pause_recording(ws: Workspace, rec: VisitRecording) -> None:
    rec.recorder.pause()
    ws.store.set_status(rec.encounter_id, Status.PAUSED)


def resume_recording(ws: Workspace, rec: VisitRecording) -> None:
    rec.recorder.resume()
    ws.store.set_status(rec.encounter_id, Status.RECORDING)


def stop_recording(ws: Workspace, rec: VisitRecording, *, process: bool = True) -> Recording:
    """Stop and keep every recorded second; the visit moves on to transcribing.

    ``process=False`` (the app closing mid-visit) marks it failed with a reason the list shows,
    so it can be processed later. On error the visit is failed with the reason, then re-raised;
    either way the live follower is told the recording ended.
    """
    eid = rec.encounter_id
    try:
        recording = rec.recorder.stop()
        ws.store.set_audio(eid, Path(recording.path).name, recording.duration_s)
        ws.store.set_status(eid, Status.TRANSCRIBING)
        if not process:
            ws.store.fail(eid, INTERRUPTED)
    except ScribeError as e:
        rec.end(None)
        try:
            ws.store.fail(eid, e.message)
        except ScribeError:
            pass  # the database itself failed; recovery at the next start finishes the visit
        raise
    rec.end(Path(recording.path) if process else None)
    return recording


def mark_moment(ws: Workspace, rec: VisitRecording, note: str = "") -> Mark:
    """Mark this moment of the recording (one key in the app), with an optional side note; the
    review shows it at its time in the transcript."""
    return ws.store.add_mark(rec.encounter_id, rec.recorder.elapsed_s, note)
