"""Driving one visit through the app's own workflow (``scribe.visit``), timed as a clinician waits.

A temporary encrypted workspace, the app's recorder writing the vault's part file, fed by a
:class:`bench._feed.FileMicrophone` at ``speed`` × real time; ``follow_live`` runs on a thread as
on the app's model lane; Stop is pressed when the microphone has played the whole file; then the
same Stop work and drafting the app does (:func:`scribe.visit.live.finish_live`,
:func:`scribe.visit.pipeline.process`).
"""

from __future__ import annotations

import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from bench._feed import FileMicrophone

BENCH_PASSPHRASE = "bench passphrase, not a secret"


def open_workspace(home: Path):  # noqa: ANN201
    from scribe.visit.workspace import Workspace

    return Workspace.open(home, actor="bench", passphrase=BENCH_PASSPHRASE)


def run_visit(
    audio: np.ndarray,
    *,
    model: str = "base",
    speakers: bool = True,
    speed: float = 1.0,
    draft: bool = True,
    live_factory: Any = None,
    home: Path | None = None,
) -> dict[str, Any]:
    """Record ``audio`` as a visit, press Stop at its end, finish and (optionally) draft it.

    ``live_factory(options) -> LiveTranscriber`` overrides the live transcriber's settings
    (``bench live`` tries others); None is the app's. Returns the final transcript, the live
    views' lags, and the seconds from Stop to the stored transcript and to the stored draft.
    """
    from scribe.visit.live import follow_live
    from scribe.visit.pipeline import process
    from scribe.visit.recording import start_recording, stop_recording

    tmp = None
    if home is None:
        tmp = tempfile.TemporaryDirectory(prefix="scribe-bench-")
        home = Path(tmp.name)
    ws = open_workspace(home)
    try:
        engines = ws.engines(model=model, label_speakers=speakers)
        _warm(engines)
        mic = FileMicrophone(audio, speed=speed)
        rec = start_recording(ws, label="bench visit", stream_factory=mic)
        live = live_factory(engines.transcribe_options()) if live_factory else None
        lags: list[float] = []
        views = [0]
        out: dict[str, Any] = {}
        seen = [0]

        def follow() -> None:
            gen = follow_live(rec, engines, live=live)
            try:
                while True:
                    view = next(gen)
                    views[0] += 1
                    now = mic.stream.audio_time() if mic.stream else 0.0
                    words = [w for s in view.segments for w in s.words]
                    lags.extend(now - w.end for w in words[seen[0]:])
                    seen[0] = max(seen[0], len(words))
            except StopIteration as done:
                out["transcript"] = done.value
                out["finished_at"] = time.perf_counter()
            except BaseException as e:  # noqa: BLE001 - re-raised on the bench's thread
                out["error"] = e

        follower = threading.Thread(target=follow, name="bench-lane")
        follower.start()
        while mic.stream is None or not mic.stream.fed_all.wait(0.05):
            if "error" in out:
                break
        t_stop = time.perf_counter()  # the clinician presses Stop
        window_at_stop = live.buffer_s if live is not None else float("nan")
        stop_recording(ws, rec)
        follower.join()
        if "error" in out:
            raise out["error"]
        transcript = out["transcript"]
        stop_to_transcript = out["finished_at"] - t_stop
        stop_to_draft = float("nan")
        if draft:
            process(ws, ws.store.get(rec.encounter_id), engines, transcript=transcript)
            stop_to_draft = time.perf_counter() - t_stop
        return {
            "transcript": transcript,
            "lags": lags,
            "views": views[0],
            "stop_to_transcript_s": stop_to_transcript,
            "stop_to_draft_s": stop_to_draft,
            "window_at_stop_s": window_at_stop,
            "engines": engines,
            "encounter_id": rec.encounter_id,
        }
    finally:
        ws.close()
        if tmp is not None:
            tmp.cleanup()


def _warm(engines) -> None:  # noqa: ANN001
    """Load the models once, outside every timing (the app keeps them loaded on its lane)."""
    from scribe.speakers import live_encoder
    from scribe.speech.transcriber import Transcriber

    Transcriber(engines.transcribe_options()).model  # noqa: B018 - loads and caches
    if engines.label_speakers:
        live_encoder(engines.models_root)


def batch_transcript(audio: np.ndarray, engines) -> tuple[Any, float]:  # noqa: ANN001
    """A plain full pass of the same audio with the same engines (speaker labels off)."""
    from scribe.visit.pipeline import transcribe_visit

    t = time.perf_counter()
    batch = transcribe_visit(audio, engines.with_(label_speakers=False))
    return batch, time.perf_counter() - t


def summary(r: dict[str, Any], audio: np.ndarray, *, model: str, speed: float, speakers: bool,
            script: str | None = None) -> tuple[list[list[object]], dict[str, float]]:
    """The table rows every visit bench prints, and the figures of its last line.

    Runs the batch pass the final transcript is compared with (same audio, model, run).
    """
    import os

    from bench._speech import peak_rss_mb, wer

    batch, batch_s = batch_transcript(audio, r["engines"])
    final = r["transcript"].text
    lags = np.array(r["lags"] or [float("nan")])
    fig = {
        "audio_s": len(audio) / 16000,
        "stop_to_transcript_s": r["stop_to_transcript_s"],
        "stop_to_draft_s": r["stop_to_draft_s"],
        "lag_p50_s": float(np.percentile(lags, 50)),
        "lag_p95_s": float(np.percentile(lags, 95)),
        "batch_s": batch_s,
        "wer_final_vs_batch": wer(batch.text, final),
        "peak_rss_mb": peak_rss_mb(),
    }
    rows: list[list[object]] = [
        ["audio (s)", f"{fig['audio_s']:.1f}", ""],
        ["model / feed speed", f"{model} / {speed:g}x", "real time = 1x"],
        ["live speaker labels", "on" if speakers else "off", "on in the app"],
        ["live views shown", r["views"], ""],
        ["committed lag p50 (s)", f"{fig['lag_p50_s']:.2f}", ""],
        ["committed lag p95 (s)", f"{fig['lag_p95_s']:.2f}", "<= 3.5"],
        ["Stop -> final transcript (s)", f"{fig['stop_to_transcript_s']:.2f}", "<= 2"],
        ["batch transcription (s)", f"{batch_s:.2f}", ""],
        ["WER final vs batch", f"{fig['wer_final_vs_batch']:.3f}", "<= 0.15"],
        ["peak RSS (MB)", f"{fig['peak_rss_mb']:.0f}", ""],
        ["load average (1 min) at end", f"{os.getloadavg()[0]:.1f}", f"cores: {os.cpu_count()}"],
    ]
    if r["stop_to_draft_s"] == r["stop_to_draft_s"]:  # not NaN: the visit was drafted
        rows.insert(7, ["Stop -> stored draft (s)", f"{fig['stop_to_draft_s']:.2f}", ""])
    if script is not None:
        rows.append(["WER final / batch vs script",
                     f"{wer(script, final):.3f} / {wer(script, batch.text):.3f}", ""])
    return rows, fig
