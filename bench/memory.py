"""Peak memory of live transcription over 1, 5 and 15 minute visits: it must stay flat.

    scribe bench memory [--model tiny.en] [--minutes 1 5 15] [--block 5]

Visits are ACI-Bench dialogues spoken by espeak-ng back to back (written once to bench/out/memory).
Each length runs in a fresh subprocess that plays the WAV through the app's live loop
(``scribe.visit.follow_live``: the live transcriber, the live speaker labels, then the Stop work
with labels over the whole recording) in blocks; the child reports its peak RSS (``ru_maxrss``). Feeding is as fast as the machine goes (``--block`` seconds a
feed, the catch-up path), so the model matters little here: tiny.en keeps the run short.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

from bench._speech import OUT, long_visit, missing_reason, peak_rss_mb, table, write_wav


def _rss_now_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


class _PlayedBack:
    """The recorder as ``follow_live`` sees it, over a finished WAV: each read makes the next
    ``block`` of frames appear (the catch-up path: as fast as the machine goes); the recording
    ends once everything was read."""

    def __init__(self, audio, block: int, rec_end) -> None:  # noqa: ANN001
        self.audio, self.block, self.rec_end = audio, block, rec_end
        self.read_to = 0

    @property
    def frames_written(self) -> int:
        return min(len(self.audio), self.read_to + self.block)

    def read_audio(self, start: int, end: int):  # noqa: ANN201
        self.read_to = end
        if end >= len(self.audio):
            self.rec_end()
        return self.audio[start:end]


def _child(path: Path, model: str, block_s: float, speakers: bool = True) -> int:
    from scribe import paths
    from scribe.audio.files import load_audio
    from scribe.speakers import live_encoder
    from scribe.speech.live import LiveTranscriber
    from scribe.speech.transcriber import load_model
    from scribe.visit.engines import Engines
    from scribe.visit.live import follow_live
    from scribe.visit.recording import VisitRecording

    engines = Engines(model=model, models_root=paths.models_dir(), label_speakers=speakers)
    load_model(model, "auto", engines.models_root)
    if speakers:
        live_encoder(engines.models_root)
    rss_loaded = peak_rss_mb()
    audio = load_audio(path)
    live = LiveTranscriber(engines.transcribe_options())
    rec = VisitRecording("memory-bench", None, "soap")  # type: ignore[arg-type]
    rec.recorder = _PlayedBack(audio, int(block_s * 16000), lambda: rec.end(path))
    t = time.perf_counter()
    max_window = 0.0
    gen = follow_live(rec, engines, live=live, poll_s=0.01)
    while True:  # the app's live loop, labels and Stop work (scribe.visit.follow_live)
        try:
            next(gen)
        except StopIteration as done:
            transcript = done.value
            break
        max_window = max(max_window, live.buffer_s)
    print(
        json.dumps(
            {
                "rss_loaded_mb": rss_loaded,
                "peak_rss_mb": peak_rss_mb(),
                "seconds": time.perf_counter() - t,
                "segments": len(transcript.segments),
                "max_window_s": max_window,
            }
        )
    )
    return 0


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench memory", description=__doc__.splitlines()[0])
    p.add_argument("--model", default="tiny.en")
    p.add_argument("--minutes", type=float, nargs="+", default=[1, 5, 15])
    p.add_argument("--block", type=float, default=5.0, help="seconds of audio per feed")
    p.add_argument("--no-speakers", action="store_true", help="without the live speaker labels")
    p.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        return _child(args.child, args.model, args.block, not args.no_speakers)
    reason = missing_reason()
    if reason:
        print(reason)
        return 0

    rows, peaks = [], {}
    for minutes in args.minutes:
        path = OUT / "memory" / f"visit_{minutes:g}min.wav"
        if not path.is_file():
            write_wav(path, long_visit(minutes))
        cmd = [
            sys.executable,
            "-m",
            "bench.memory",
            "--child",
            str(path),
            "--model",
            args.model,
            "--block",
            str(args.block),
        ] + (["--no-speakers"] if args.no_speakers else [])
        done = subprocess.run(
            cmd, capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1]
        )
        if done.returncode != 0:
            print(done.stderr[-2000:])
            return 1
        r = json.loads(done.stdout.strip().splitlines()[-1])
        peaks[minutes] = r["peak_rss_mb"]
        rows.append(
            [
                f"{minutes:g}",
                f"{r['rss_loaded_mb']:.0f}",
                f"{r['peak_rss_mb']:.0f}",
                f"{r['max_window_s']:.1f}",
                r["segments"],
                f"{r['seconds']:.0f}",
            ]
        )
    print(
        f"live transcriber{'' if args.no_speakers else ' + live speaker labels'}, model "
        f"{args.model}, {args.block:g} s feeds, fresh process each"
    )
    print(
        table(
            [
                "minutes",
                "RSS after load (MB)",
                "peak RSS (MB)",
                "max window (s)",
                "segments",
                "time (s)",
            ],
            rows,
        )
    )
    first, last = min(peaks), max(peaks)
    growth = (peaks[last] - peaks[first]) / peaks[first]
    print(
        f"memory: model={args.model} "
        + " ".join(f"peak_rss_mb_{m:g}min={v:.0f}" for m, v in peaks.items())
        + f" growth_{first:g}_to_{last:g}min={growth:.1%}  target < 10%"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
