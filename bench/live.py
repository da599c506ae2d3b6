"""Live transcription as if spoken: lag of committed text, Stop → final transcript, WER vs batch.

    python -m bench live AUDIO [--model base] [--speed 1] [--step-beam N] [--no-prompt] ...
    python -m bench live aci [--seconds 120]    # an ACI-Bench valid dialogue spoken by espeak-ng

The visit goes through the app's workflow (:func:`bench._visit.run_visit`: the app's recorder fed
by a file-playing microphone at real time, ``scribe.visit.follow_live`` with live speaker labels,
Stop at the end of the audio, the app's Stop work) with the live transcriber's settings open to
change, for trying them; ``bench visit`` is the same run with the app's settings and the draft.
``batch`` is a plain full transcription of the same audio with the same model in the same run.
``lag`` is, for each committed word, the audio time when it was shown minus the word's end. WER
uses jiwer after Whisper's English normalizer (whisper-normalizer). ``--speed N`` feeds N× faster
for a quick look; only speed 1 gives real-time figures.
"""

from __future__ import annotations

import argparse

import numpy as np

from bench._speech import (
    NORMALIZER,
    aci_dialogues,
    missing_reason,
    speak,
    table,
)
from bench._visit import run_visit, summary


def _audio(args) -> tuple[np.ndarray, str | None]:
    if args.audio != "aci":
        from scribe.audio.files import load_audio

        return load_audio(args.audio), None
    _eid, turns = aci_dialogues("valid")[args.dialogue]
    return speak(turns, max_s=args.seconds)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench live", description=__doc__.splitlines()[0])
    p.add_argument("audio", help="an audio file, or 'aci' for a spoken ACI-Bench dialogue")
    p.add_argument("--model", default="base")
    p.add_argument("--speed", type=float, default=1.0, help="feed N× real time (not for reports)")
    p.add_argument("--min-chunk", type=float, default=0.5, help="new audio per step (s)")
    p.add_argument("--max-buffer", type=float, default=15.0)
    p.add_argument("--trim", type=float, default=None, help="trim window past this (s)")
    p.add_argument("--step-beam", type=int, default=1, help="beam size of live steps")
    p.add_argument("--fallback", action="store_true", help="temperature fallback in live steps")
    p.add_argument("--no-prompt", action="store_true", help="no committed-text prompt")
    p.add_argument(
        "--encoder-pad",
        type=float,
        default=7.0,
        help="live steps encode the window plus this much padding (s); 30 = Whisper's full 30 s",
    )
    p.add_argument(
        "--no-speakers", action="store_true", help="without live speaker labels (on in the app)"
    )
    p.add_argument("--seconds", type=float, default=120.0, help="with 'aci': length")
    p.add_argument("--dialogue", type=int, default=0, help="with 'aci': which valid dialogue")
    args = p.parse_args(argv)

    from scribe.speech.live import FULL_CONTEXT_FIRST_S as FIRST
    from scribe.speech.live import LiveTranscriber

    if args.audio == "aci" and missing_reason():
        print(missing_reason())
        return 0
    audio, reference = _audio(args)
    encoder_pad = None if args.encoder_pad >= 30 else args.encoder_pad  # None: the full 30 s

    def live_factory(opts):  # noqa: ANN001, ANN202 - the app's transcriber, settings open
        return LiveTranscriber(
            opts,
            args.min_chunk,
            args.max_buffer,
            trim_s=args.trim,
            step_beam_size=args.step_beam,
            prompt_context=not args.no_prompt,
            step_fallback=args.fallback,
            encoder_pad_s=encoder_pad,
        )

    r = run_visit(audio, model=args.model, speakers=not args.no_speakers, speed=args.speed,
                  draft=False, live_factory=live_factory)
    rows, f = summary(r, audio, model=args.model, speed=args.speed,
                      speakers=not args.no_speakers, script=reference)
    encoder = "30 s" if encoder_pad is None else f"window + {encoder_pad:g} s (30 s first {FIRST:g} s)"
    rows[3:3] = [
        ["step: new audio / encoder input", f"{args.min_chunk:g} s / {encoder}", ""],
        ["window at Stop (s)", f"{r['window_at_stop_s']:.1f}", f"<= {args.max_buffer:g}"],
    ]
    print(table(["measure", "value", "target"], rows))
    print(f"normalizer: {NORMALIZER}; jiwer WER")
    if args.speed != 1:
        print(f"note: fed at {args.speed:g}x real time; lag and Stop figures are not real-time.")
    print(
        f"live: audio_s={f['audio_s']:.1f} stop_to_transcript_s={f['stop_to_transcript_s']:.2f} "
        f"batch_s={f['batch_s']:.2f} lag_p50_s={f['lag_p50_s']:.2f} lag_p95_s={f['lag_p95_s']:.2f} "
        f"wer_live_vs_batch={f['wer_final_vs_batch']:.3f} peak_rss_mb={f['peak_rss_mb']:.0f}"
    )
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
