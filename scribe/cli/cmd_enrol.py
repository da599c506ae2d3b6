"""scribe enrol AUDIO: keep the clinician's voice print (a 20–30 s reading) for speaker labels."""

from __future__ import annotations

from scribe.audio.files import duration_s, load_audio
from scribe.cli.common import open_workspace
from scribe.errors import ScribeError
from scribe.visit.enrolment import enrol_from_audio


def register(sub) -> None:
    p = sub.add_parser("enrol", help="enrol the clinician's voice from a 20-30 s recording")
    p.add_argument("audio", help="a recording of the clinician reading the enrolment paragraph")
    p.set_defaults(func=run)


def run(args) -> int:
    audio = load_audio(args.audio)
    if duration_s(audio) < 8:
        raise ScribeError("The enrolment sample is too short; read the paragraph for 20-30 s.")
    enrol_from_audio(open_workspace(), audio)
    print("Voice enrolled: the clinician is now recognised by voice in new visits.")
    return 0
