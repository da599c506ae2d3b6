"""Clinical-term recognition on ACI-Bench speech: WER, term and drug recall, words written in silence.

    scribe bench terms [--model base] [--split train|valid|both] [--dialogues 3] [--seconds 90]
                       [--voices en-us/en-gb+f3,...] [--paths raw,file,live] [--clips N]

Each clip is one ACI-Bench dialogue (its first ``--seconds`` of speech) spoken by one espeak-ng
voice pairing (doctor/patient), with 2 s of silence and 2 s of low noise (-45 dBFS) in the middle.
``train`` dialogues are what the clinical-term pass may be fitted on; ``valid`` is held out.
Paths: ``raw`` is faster-whisper itself (beam 5, word timestamps, its other defaults: no VAD,
conditioned on previous text); ``file`` is Scribe's file transcription
(``scribe.speech.transcriber.Transcriber``); ``live`` is the app's live path
(``bench._visit.run_visit``: recorder, live transcript, Stop) fed at ``--live-speed`` x real time.
WER: jiwer after Whisper's English normalizer. Terms: the rule in ``bench/_terms.py``. Words in
silence: hypothesis words whose whole time span lies in a stretch of at least 1 s without speech.
Drugs not said: drug names the hypothesis writes more often than the script says them (a pass that
writes a wrong name is worse than one that misses it).
CPU: this process's CPU seconds (all threads) per minute of audio.
"""

from __future__ import annotations

import argparse
import time
import zlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from bench._speech import NORMALIZER, aci_dialogues, aci_file, data_dir, have_espeak, table, wer

PATHS = ("raw", "file", "live")
VOICE_PAIRS = "en-us/en-gb+f3,en-gb/en-us+f2,en-us+m3/en-029"
MIN_QUIET_S = 1.0


@dataclass
class Clip:
    id: str
    split: str
    audio: np.ndarray  # 16 kHz mono float32
    reference: str
    spans: list[tuple[float, float]]  # each turn's (start, end) in seconds

    @property
    def seconds(self) -> float:
        return len(self.audio) / 16000


@dataclass
class Heard:
    """One path's result on one clip."""

    text: str
    words: list[tuple[float, float]]
    cpu_s: float


@dataclass
class Score:
    wer: float
    terms: tuple[int, int]
    drugs: tuple[int, int]
    silence: int
    cpu_s: float
    missed: list[tuple[str, str]] = field(default_factory=list)
    script_terms: Counter[str] = field(default_factory=Counter)
    unsaid: int = 0  # drug names written that the script does not say


def quiet_stretches(spans: list[tuple[float, float]], duration: float,
                    min_s: float = MIN_QUIET_S) -> list[tuple[float, float]]:
    """The stretches of at least ``min_s`` seconds outside every spoken span."""
    out, at = [], 0.0
    for start, end in sorted(spans) + [(duration, duration)]:
        if start - at >= min_s:
            out.append((at, start))
        at = max(at, end)
    return out


def words_in_quiet(words: list[tuple[float, float]], quiet: list[tuple[float, float]]) -> int:
    """Words whose whole (start, end) lies inside one quiet stretch."""
    return sum(any(q0 <= s and e <= q1 for q0, q1 in quiet) for s, e in words)


def _pairs(text: str) -> list[tuple[str, str]]:
    pairs = []
    for item in filter(None, (p.strip() for p in text.split(","))):
        doctor, _, patient = item.partition("/")
        if not doctor or not patient:
            raise SystemExit(f"scribe bench terms: a voice pairing is doctor/patient, not '{item}'.")
        pairs.append((doctor, patient))
    return pairs


def _skip_reason(splits: list[str]) -> str | None:
    if not have_espeak():
        return "skipped: espeak-ng and sox are needed to synthesize speech (apt-get install)."
    for split in splits:
        if aci_file(split) is None:
            return f"skipped: ACI-Bench {split}.csv not found under {data_dir() / 'aci-bench'}."
    return None


def make_clips(splits: list[str], pairs: list[tuple[str, str]], *, dialogues: int,
               seconds: float, limit: int | None) -> list[Clip]:
    """Dialogue × voice pairing, ordered so that a ``limit`` still takes both splits and voices."""
    from bench._speech import speak_timed

    by_split = {s: aci_dialogues(s)[:dialogues] for s in splits}
    order = [(i, pair, s) for i in range(dialogues) for pair in pairs for s in splits
             if i < len(by_split[s])]
    clips = []
    for i, (doctor, patient), split in order[:limit]:
        eid, turns = by_split[split][i]
        cid = f"{eid} {doctor}/{patient}"
        audio, reference, spans = speak_timed(
            turns, voices={"doctor": doctor, "patient": patient}, max_s=seconds,
            seed=zlib.crc32(cid.encode()))
        clips.append(Clip(cid, split, audio, reference, spans))
    return clips


def run_raw(audio, model: str) -> Heard:  # noqa: ANN001
    from scribe.paths import models_dir
    from scribe.speech.transcriber import load_model

    whisper = load_model(model, models_root=models_dir())
    t = time.process_time()
    segments, _info = whisper.transcribe(audio, beam_size=5, word_timestamps=True, language="en")
    segments = list(segments)
    cpu = time.process_time() - t
    return Heard(" ".join(s.text.strip() for s in segments),
                 [(w.start, w.end) for s in segments for w in (s.words or [])], cpu)


def _from_transcript(transcript, cpu: float) -> Heard:  # noqa: ANN001
    return Heard(transcript.text, [(w.start, w.end) for s in transcript.segments for w in s.words],
                 cpu)


def run_file(audio, model: str) -> Heard:  # noqa: ANN001
    from scribe.paths import models_dir
    from scribe.speech.transcriber import TranscribeOptions, Transcriber

    transcriber = Transcriber(TranscribeOptions(model=model, models_root=models_dir()))
    transcriber.model  # noqa: B018 - loaded (once per process) outside the timing
    t = time.process_time()
    transcript = transcriber.transcribe(audio)
    return _from_transcript(transcript, time.process_time() - t)


def run_live(audio, model: str, speed: float) -> Heard:  # noqa: ANN001
    from bench._visit import run_visit

    t = time.process_time()
    result = run_visit(audio, model=model, speed=speed, draft=False)
    return _from_transcript(result["transcript"], time.process_time() - t)


def score(clip: Clip, heard: Heard) -> Score:
    from bench._terms import find_terms, missed, recall, unsaid

    quiet = quiet_stretches(clip.spans, clip.seconds)
    return Score(wer(clip.reference, heard.text), recall(clip.reference, heard.text),
                 recall(clip.reference, heard.text, drugs=True),
                 words_in_quiet(heard.words, quiet), heard.cpu_s,
                 missed(clip.reference, heard.text),
                 Counter(t.text for t in find_terms(clip.reference)),
                 unsaid(clip.reference, heard.text))


def _ratio(n: tuple[int, int]) -> str:
    return f"{n[0]}/{n[1]} ({n[0] / n[1]:.0%})" if n[1] else "0/0"


def _pooled(scores: list[Score], attr: str) -> tuple[int, int]:
    return (sum(getattr(s, attr)[0] for s in scores), sum(getattr(s, attr)[1] for s in scores))


def _pct(n: tuple[int, int]) -> str:
    return f"{100 * n[0] / n[1]:.1f}%" if n[1] else "n/a"


def summary_rows(clips: list[Clip], scores: dict[str, list[Score]]) -> list[list[object]]:
    rows: list[list[object]] = []
    splits = sorted({c.split for c in clips})
    groups = [(s, [i for i, c in enumerate(clips) if c.split == s]) for s in splits]
    if len(splits) > 1:
        groups.append(("all", list(range(len(clips)))))
    minutes = {g: sum(clips[i].seconds for i in idx) / 60 for g, idx in groups}
    for path, per_clip in scores.items():
        for group, idx in groups:
            ss = [per_clip[i] for i in idx]
            wers = [s.wer for s in ss]
            rows.append([
                path, group, len(ss),
                f"{sum(wers) / len(wers):.3f} ({min(wers):.3f}-{max(wers):.3f})",
                _ratio(_pooled(ss, "terms")), _ratio(_pooled(ss, "drugs")),
                sum(s.unsaid for s in ss), sum(s.silence for s in ss),
                f"{sum(s.cpu_s for s in ss) / max(minutes[group], 1e-9):.1f}",
            ])
    return rows


def missed_rows(scores: list[Score], top: int = 20) -> list[list[object]]:
    """The most frequent (missed term, what was heard) pairs, with how often the term was missed
    in all and how often the scripts say it."""
    pairs: Counter[tuple[str, str]] = Counter(p for s in scores for p in s.missed)
    missed: Counter[str] = Counter(t for s in scores for t, _ in s.missed)
    said: Counter[str] = sum((s.script_terms for s in scores), Counter())
    return [[term, heard or "(nothing)", n, f"{missed[term]}/{said[term]}"]
            for (term, heard), n in pairs.most_common(top)]


def last_line(scores: dict[str, list[Score]]) -> str:
    def mean_wer(path: str) -> str:
        ws = [s.wer for s in scores[path]]
        return f"{sum(ws) / len(ws):.3f}"

    parts = []
    if "file" in scores:
        parts += [f"wer={mean_wer('file')}",
                  f"term_recall={_pct(_pooled(scores['file'], 'terms'))}",
                  f"drug_recall={_pct(_pooled(scores['file'], 'drugs'))}",
                  f"drugs_not_said={sum(s.unsaid for s in scores['file'])}"]
    if "raw" in scores:
        parts += [f"raw_wer={mean_wer('raw')}",
                  f"raw_term_recall={_pct(_pooled(scores['raw'], 'terms'))}",
                  f"raw_drugs_not_said={sum(s.unsaid for s in scores['raw'])}"]
    if "live" in scores:
        parts.append(f"live_term_recall={_pct(_pooled(scores['live'], 'terms'))}")
    return "terms: " + " ".join(parts)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="scribe bench terms", description=__doc__.splitlines()[0])
    p.add_argument("--model", default="base")
    p.add_argument("--split", default="both", choices=["train", "valid", "both"])
    p.add_argument("--dialogues", type=int, default=3, help="dialogues per split")
    p.add_argument("--seconds", type=float, default=90.0, help="speech per dialogue")
    p.add_argument("--voices", default=VOICE_PAIRS, help="doctor/patient espeak-ng voice pairs")
    p.add_argument("--paths", default=",".join(PATHS), help="of raw,file,live")
    p.add_argument("--clips", type=int, default=None, help="at most this many clips in all")
    p.add_argument("--live-speed", type=float, default=1.0, help="live feed, x real time")
    args = p.parse_args(argv)
    paths = [x.strip() for x in args.paths.split(",") if x.strip()]
    if not paths or any(x not in PATHS for x in paths):
        p.error(f"--paths takes some of {','.join(PATHS)}")
    splits = ["train", "valid"] if args.split == "both" else [args.split]
    pairs = _pairs(args.voices)
    reason = _skip_reason(splits)
    if reason:
        print(reason)
        return 0

    from bench._terms import index

    index()  # built once (seconds) outside every timing, then cached in bench/out/terms
    clips = make_clips(splits, pairs, dialogues=args.dialogues, seconds=args.seconds,
                       limit=args.clips)
    runs = {"raw": lambda a: run_raw(a, args.model), "file": lambda a: run_file(a, args.model),
            "live": lambda a: run_live(a, args.model, args.live_speed)}
    scores: dict[str, list[Score]] = {path: [] for path in paths}
    rows: list[list[object]] = []
    for clip in clips:
        for path in paths:
            s = score(clip, runs[path](clip.audio))
            scores[path].append(s)
            rows.append([clip.id, clip.split, f"{clip.seconds:.0f}", path, f"{s.wer:.3f}",
                         _ratio(s.terms), _ratio(s.drugs), s.unsaid, s.silence])
    audio_min = sum(c.seconds for c in clips) / 60
    print(f"{len(clips)} clips ({', '.join(f'{sum(c.split == s for c in clips)} {s}' for s in splits)}"
          f"; train: what the term pass may be fitted on, valid: held out), {audio_min:.1f} min of "
          f"espeak-ng speech, model {args.model}")
    print(table(["clip", "split", "s", "path", "WER", "term recall", "drug recall",
                 "drugs not said", "words in silence"], rows))
    print()
    print(table(["path", "split", "clips", "mean WER (min-max)", "term recall", "drug recall",
                 "drugs not said", "words in silence", "CPU s / audio min"],
                summary_rows(clips, scores)))
    if "file" in scores:
        print()
        print("missed by the file path (top 20): the reference term, and what was heard in its place")
        print(table(["term", "heard instead", "times", "term missed / said"],
                    missed_rows(scores["file"])))
    print(f"normalizer: {NORMALIZER}; WER per clip (jiwer), recall pooled over clips; terms: "
          "bench/_terms.py; silence: stretches >= 1 s without speech")
    if "live" in scores and args.live_speed != 1:
        print(f"note: live fed at {args.live_speed:g}x real time.")
    print(last_line(scores))
    return 0


if __name__ == "__main__":
    import sys

    raise SystemExit(main(sys.argv[1:]))
