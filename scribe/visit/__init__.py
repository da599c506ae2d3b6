"""The one owner of a visit's workflow: record, follow live, stop, process, import, recover, retry,
export. The command line, the app's workers and every bench call these same functions."""

from scribe.visit.engines import Engines
from scribe.visit.enrolment import enrol_from_audio, save_enrolment
from scribe.visit.export import export_file, note_text
from scribe.visit.live import LiveView, finish_live, follow_live, prepare_live
from scribe.visit.pipeline import (
    ImportedAudio,
    draft_transcript,
    note_from_file,
    prepare_import,
    process,
    transcribe_visit,
)
from scribe.visit.recording import (
    VisitRecording,
    pause_recording,
    resume_recording,
    start_recording,
    stop_recording,
)
from scribe.visit.recover import interrupted_count, recover_visits
from scribe.visit.retention import purge_expired_audio
from scribe.visit.retry import mark_interrupted, retry
from scribe.visit.workspace import Workspace, passphrase_from_env

__all__ = [
    "Engines",
    "ImportedAudio",
    "LiveView",
    "VisitRecording",
    "Workspace",
    "draft_transcript",
    "enrol_from_audio",
    "export_file",
    "finish_live",
    "follow_live",
    "prepare_live",
    "interrupted_count",
    "mark_interrupted",
    "note_from_file",
    "note_text",
    "passphrase_from_env",
    "pause_recording",
    "prepare_import",
    "process",
    "purge_expired_audio",
    "recover_visits",
    "resume_recording",
    "retry",
    "save_enrolment",
    "start_recording",
    "stop_recording",
    "transcribe_visit",
]
