"""scribe transcribe AUDIO [--json]"""

from __future__ import annotations

from scribe.audio.files import load_audio
from scribe.cli.common import add_model_args, engines_from, print_json
from scribe.transcript_io import format_segment
from scribe.visit.pipeline import transcribe_visit


def register(sub) -> None:
    p = sub.add_parser("transcribe", help="print the transcript of an audio file")
    p.add_argument("audio")
    p.add_argument("--json", action="store_true", help="segments with words as JSON")
    p.add_argument("--no-speakers", action="store_true", help="skip clinician/patient labels")
    add_model_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    # Speakers by the fallback rule (no store is opened, so no enrolment and no passphrase).
    audio = load_audio(args.audio)
    transcript = transcribe_visit(audio, engines_from(args))
    if args.json:
        print_json({"segments": [
            {k: v for k, v in s.to_dict().items() if k != "index"} for s in transcript.segments
        ]})
    else:
        for seg in transcript.segments:
            print(format_segment(seg))
    return 0
