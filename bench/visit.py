"""The app's own path, timed as the clinician waits: record → live transcript → Stop → draft.

    python -m bench visit AUDIO [--model base] [--no-speakers]
    python -m bench visit aci [--dialogue N] [--seconds 120] [--split valid]

AUDIO (or an ACI-Bench dialogue spoken by espeak-ng) plays at real time through a file-playing
microphone into the app's recorder (encrypted part file in a temporary workspace); the workflow's
live follower (``scribe.visit.follow_live``, live speaker labels on, as in the app) runs on a
thread; Stop is pressed when the file has played; the Stop work (tail, labels over the whole
recording) and the draft are the app's functions. ``batch`` is a full pass of the same audio with
the same model in the same run. ``lag``: for each committed word, the audio time when the live view
showed it minus the word's end. WER: jiwer after Whisper's English normalizer.
"""

from __future__ import annotations

import argparse
import os

import numpy as np

from bench._speech import (
    NORMALIZER,
    aci_dialogues,
    missing_reason,
    speak,
    table,
)
from bench._visit import run_visit, summary


def load_input(args) -> tuple[np.ndarray, str | None, str]:
    """(audio, script text or None, a name for the table)."""
    if args.audio != "aci":
        from scribe.audio.files import load_audio

        return load_audio(args.audio), None, os.path.basename(args.audio)
    eid, turns = aci_dialogues(args.split)[args.dialogue]
    audio, script = speak(turns, max_s=args.seconds)
    return audio, script, f"{eid} ({args.split}, {args.seconds:g} s)"


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench visit", description=__doc__.splitlines()[0])
    p.add_argument("audio", help="an audio file, or 'aci' for a spoken ACI-Bench dialogue")
    p.add_argument("--model", default="base")
    p.add_argument("--no-speakers", action="store_true", help="live labels off (on in the app)")
    p.add_argument("--speed", type=float, default=1.0, help="feed N× real time (not for reports)")
    p.add_argument("--seconds", type=float, default=120.0, help="with 'aci': length")
    p.add_argument("--dialogue", type=int, default=0, help="with 'aci': which dialogue")
    p.add_argument("--split", default="valid", choices=["train", "valid"])
    args = p.parse_args(argv)
    if args.audio == "aci" and missing_reason():
        print(missing_reason())
        return 0
    audio, script, name = load_input(args)
    r = run_visit(audio, model=args.model, speakers=not args.no_speakers, speed=args.speed)
    rows, f = summary(r, audio, model=args.model, speed=args.speed,
                      speakers=not args.no_speakers, script=script)
    print(table(["measure", "value", "target"], [["visit", name, ""], *rows]))
    print(f"normalizer: {NORMALIZER}; jiwer WER")
    if args.speed != 1:
        print(f"note: fed at {args.speed:g}x real time; lag and Stop figures are not real-time.")
    print(
        f"visit: audio_s={f['audio_s']:.1f} stop_to_transcript_s={f['stop_to_transcript_s']:.2f} "
        f"stop_to_draft_s={f['stop_to_draft_s']:.2f} lag_p95_s={f['lag_p95_s']:.2f} "
        f"wer_final_vs_batch={f['wer_final_vs_batch']:.3f} peak_rss_mb={f['peak_rss_mb']:.0f}"
    )
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
