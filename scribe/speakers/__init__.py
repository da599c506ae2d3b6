"""Who said what: clinician / patient / other labels, at Stop and live, and the clinician's fixes."""

from scribe.speakers.embeddings import ENROLMENT_PARAGRAPH, enrol
from scribe.speakers.fixes import format_line, set_segment_speaker, swap_labels
from scribe.speakers.labels import label_transcript
from scribe.speakers.live import LiveSpeakers, Turn, live_encoder, turns

__all__ = [
    "ENROLMENT_PARAGRAPH",
    "LiveSpeakers",
    "Turn",
    "enrol",
    "format_line",
    "label_transcript",
    "live_encoder",
    "set_segment_speaker",
    "swap_labels",
    "turns",
]
