"""Scribe's file transcription against calling faster-whisper directly, same model and settings.

    scribe bench transcribe AUDIO [--model base] [--runs 3]

Scribe: ``Transcriber(TranscribeOptions(model)).transcribe(AUDIO)`` (decode, VAD, word timestamps,
segments to domain objects). Raw: a ``faster_whisper.WhisperModel`` of its own on the same folder,
device, compute type and threads, ``transcribe(AUDIO, ...)`` with the same options, segments listed.
Runs are interleaved (the order alternates) and the medians compared; models load before timing.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

from bench._speech import peak_rss_mb, table


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench transcribe", description=__doc__.splitlines()[0])
    p.add_argument("audio")
    p.add_argument("--model", default="base")
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args(argv)

    from faster_whisper import WhisperModel

    from scribe.audio.files import duration_s, load_audio
    from scribe.paths import models_dir
    from scribe.speech.hardware import detect_device, readout
    from scribe.speech.transcriber import (
        TranscribeOptions,
        Transcriber,
        load_model,
        resolve_model_path,
    )

    opts = TranscribeOptions(model=args.model, models_root=models_dir())
    info = detect_device(opts.device)
    audio_s = duration_s(load_audio(args.audio))
    load_model(opts.model, opts.device, opts.models_root)
    raw_model = WhisperModel(
        str(resolve_model_path(opts.model, opts.models_root)),
        device=info.device,
        compute_type=info.compute_type,
        cpu_threads=info.cpu_threads,
    )

    def scribe_run() -> int:
        return len(Transcriber(opts).transcribe(args.audio).segments)

    def raw_run() -> int:
        segments, _ = raw_model.transcribe(
            args.audio,
            language=opts.language,
            beam_size=opts.beam_size,
            vad_filter=opts.vad_filter,
            word_timestamps=opts.word_timestamps,
            condition_on_previous_text=False,
        )
        return len([s for s in segments if s.text.strip()])

    times: dict[str, list[float]] = {"scribe": [], "raw": []}
    counts: dict[str, int] = {}
    for i in range(args.runs):
        order = [("scribe", scribe_run), ("raw", raw_run)]
        for name, fn in order if i % 2 == 0 else order[::-1]:
            t = time.perf_counter()
            counts[name] = fn()
            times[name].append(time.perf_counter() - t)
    scribe_s, raw_s = statistics.median(times["scribe"]), statistics.median(times["raw"])
    overhead = scribe_s / raw_s
    rows = [
        [
            name,
            " ".join(f"{t:.2f}" for t in times[name]),
            f"{statistics.median(times[name]):.2f}",
            counts[name],
        ]
        for name in ("scribe", "raw")
    ]
    print(f"{args.audio}: {audio_s:.1f} s, model {args.model}, {readout(info)}")
    print(table(["path", "runs (s)", "median (s)", "segments"], rows))
    print(f"overhead (scribe / raw) {overhead:.3f}  target <= 1.10")
    print(f"load average (1 min) at end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores")
    print(
        f"transcribe: audio_s={audio_s:.1f} scribe_s={scribe_s:.2f} raw_s={raw_s:.2f} "
        f"overhead={overhead:.3f} rtf={scribe_s / audio_s:.3f} peak_rss_mb={peak_rss_mb():.0f}"
    )
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
