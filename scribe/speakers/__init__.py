"""Who said what: clinician / patient / other labels, at Stop and live, named staff voices, and the
clinician's fixes."""

from scribe.speakers.certainty import Labelling
from scribe.speakers.embeddings import ENROLMENT_PARAGRAPH, enrol
from scribe.speakers.fixes import (
    format_line,
    labelled_share,
    set_segment_speaker,
    set_voice,
    swap_labels,
    told_apart,
    voice_turns,
)
from scribe.speakers.labels import label_transcript
from scribe.speakers.live import LiveSpeakers, Turn, live_encoder, turns
from scribe.speakers.names import heading, named, role_of
from scribe.speakers.profiles import (
    StaffRole,
    VoiceProfile,
    make_profile,
    profiles_from_json,
    turn_voiceprint,
)

__all__ = [
    "ENROLMENT_PARAGRAPH",
    "Labelling",
    "LiveSpeakers",
    "StaffRole",
    "Turn",
    "VoiceProfile",
    "enrol",
    "format_line",
    "heading",
    "label_transcript",
    "labelled_share",
    "live_encoder",
    "make_profile",
    "named",
    "profiles_from_json",
    "role_of",
    "set_segment_speaker",
    "set_voice",
    "swap_labels",
    "told_apart",
    "turn_voiceprint",
    "turns",
    "voice_turns",
]
