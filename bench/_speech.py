"""Speech for the ASR benches: ACI-Bench dialogues spoken by espeak-ng, cached in bench/out/speech.

The dataset is read where it lies (``../shared/data/aci-bench`` beside the checkout, or
``SCRIBE_BENCH_DATA``); nothing from it is written into the repository. Also: the normalizer the
benches state, and WER.
"""

from __future__ import annotations

import csv
import hashlib
import os
import re
import shutil
import subprocess
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000
OUT = Path(__file__).parent / "out"
CACHE = OUT / "speech"
VOICES = {"doctor": "en-us", "patient": "en-gb+f3"}
NORMALIZER = "whisper-normalizer EnglishTextNormalizer (Whisper's English normalizer)"


def data_dir() -> Path:
    env = os.environ.get("SCRIBE_BENCH_DATA")
    if env:
        return Path(env)
    return Path(__file__).resolve().parents[2] / "shared" / "data"


def aci_file(split: str = "valid") -> Path | None:
    path = data_dir() / "aci-bench" / f"{split}.csv"
    return path if path.is_file() else None


def have_espeak() -> bool:
    return shutil.which("espeak-ng") is not None and shutil.which("sox") is not None


def missing_reason() -> str | None:
    """Why the speech benches cannot run here, or None."""
    if not have_espeak():
        return "skipped: espeak-ng and sox are needed to synthesize speech (apt-get install)."
    if aci_file() is None:
        return f"skipped: ACI-Bench not found under {data_dir() / 'aci-bench'}."
    return None


def detokenize(text: str) -> str:
    """ACI-Bench text is tokenized ("i do n't , okay ."); make it readable for the synthesizer."""
    text = re.sub(r"\s+n't\b", "n't", text)
    text = re.sub(r"\s+([,.?!;:])", r"\1", text)
    text = re.sub(r"\s+'(s|re|ve|ll|d|m)\b", r"'\1", text)
    return re.sub(r"\s+", " ", text).strip()


def aci_dialogues(split: str = "valid") -> list[tuple[str, list[tuple[str, str]]]]:
    """(encounter id, [(speaker, text)]) for each dialogue of the split."""
    path = aci_file(split)
    if path is None:
        return []
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            turns = []
            for line in row["dialogue"].splitlines():
                m = re.match(r"\s*\[(\w+)\]\s*(.*)", line)
                if m and m.group(2).strip():
                    turns.append((m.group(1).lower(), detokenize(m.group(2))))
            out.append((row["encounter_id"], turns))
    return out


def say(text: str, voice: str, speed: int = 160, cache: Path | None = None) -> np.ndarray:
    """One utterance at 16 kHz mono float32, cached by (voice, speed, text) hash in ``cache``."""
    cache = cache or CACHE
    key = hashlib.sha1(f"{voice}|{speed}|{text}".encode()).hexdigest()[:16]
    out = cache / f"{key}.wav"
    if not out.is_file():
        cache.mkdir(parents=True, exist_ok=True)
        raw = cache / f"{key}.raw.wav"
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", str(speed), "-w", str(raw), text],
            check=True,
            capture_output=True,
        )
        subprocess.run(
            ["sox", str(raw), "-r", str(SAMPLE_RATE), "-c", "1", "-b", "16", str(out)],
            check=True,
            capture_output=True,
        )
        raw.unlink()
    audio, _ = sf.read(out, dtype="float32")
    return audio


def speak(
    turns: list[tuple[str, str]],
    gap_s: float = 0.4,
    voices: dict[str, str] | None = None,
    max_s: float | None = None,
) -> tuple[np.ndarray, str]:
    """A dialogue as one recording (two voices, ``gap_s`` between turns) and its reference text."""
    voices = voices or VOICES
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    parts, words, total = [], [], 0
    for speaker, text in turns:
        clip = say(text, voices.get(speaker, VOICES["patient"]))
        if max_s is not None and (total + len(clip)) / SAMPLE_RATE > max_s:
            break
        parts += [clip, gap]
        words.append(text)
        total += len(clip) + len(gap)
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio, " ".join(words)


def long_visit(minutes: float) -> np.ndarray:
    """``minutes`` of speech made from consecutive ACI-Bench dialogues (train split first)."""
    want = int(minutes * 60 * SAMPLE_RATE)
    parts, total = [], 0
    for split in ("train", "valid"):
        for _eid, turns in aci_dialogues(split):
            audio, _ = speak(turns)
            parts.append(audio)
            total += len(audio)
            if total >= want:
                return np.concatenate(parts)[:want]
    return np.concatenate(parts)[:want] if parts else np.zeros(0, dtype=np.float32)


def write_wav(path: Path, audio: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, audio, SAMPLE_RATE, subtype="PCM_16")
    return path


def normalize(text: str) -> str:
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()(text)


def wer(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = normalize(reference), normalize(hypothesis)
    if not ref.strip():
        return 0.0 if not hyp.strip() else 1.0
    return float(jiwer.wer(ref, hyp))


def peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def table(headers: list[str], rows: list[list[object]]) -> str:
    """A plain fixed-width table (what the benches print and docs/benchmarks.md quotes)."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def speak_timed(
    turns: list[tuple[str, str]],
    *,
    voices: dict[str, str] | None = None,
    gap_s: float = 0.4,
    max_s: float | None = None,
    pause_s: tuple[float, float] = (2.0, 2.0),
    noise_dbfs: float = -45.0,
    seed: int = 0,
) -> tuple[np.ndarray, str, list[tuple[float, float]]]:
    """:func:`speak`, with each turn's (start, end) in seconds, and a pause in the middle.

    After the turn that ends past half the speech: ``pause_s[0]`` of silence, then ``pause_s[1]``
    of low white noise (``noise_dbfs`` RMS, seeded), so that words a recogniser writes into
    silence or noise can be counted. ``max_s`` limits the speech; the pause comes on top.
    """
    voices = voices or VOICES
    clips, texts, total = [], [], 0
    for speaker, text in turns:
        clip = say(text, voices.get(speaker, VOICES["patient"]))
        if max_s is not None and (total + len(clip)) / SAMPLE_RATE > max_s:
            break
        clips.append(clip)
        texts.append(text)
        total += len(clip) + int(gap_s * SAMPLE_RATE)
    gap = np.zeros(int(gap_s * SAMPLE_RATE), dtype=np.float32)
    silence = np.zeros(int(pause_s[0] * SAMPLE_RATE), dtype=np.float32)
    rms = 10 ** (noise_dbfs / 20)
    noise = (np.random.default_rng(seed).standard_normal(int(pause_s[1] * SAMPLE_RATE)) * rms)
    parts: list[np.ndarray] = []
    spans: list[tuple[float, float]] = []
    at, paused = 0, False
    for clip in clips:
        spans.append((at / SAMPLE_RATE, (at + len(clip)) / SAMPLE_RATE))
        parts += [clip, gap]
        at += len(clip) + len(gap)
        if not paused and at >= total / 2:
            parts += [silence, noise.astype(np.float32)]
            at += len(silence) + len(noise)
            paused = True
    audio = np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)
    return audio, " ".join(texts), spans
