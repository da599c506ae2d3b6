"""Two-voice visits synthesized with espeak-ng, with the true speaker of every moment known.

Used by ``bench/speakers.py`` and ``tests/test_speakers.py``. Audio goes to a caller-given folder
(``/tmp`` or ``bench/out/``), never into the repository.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench._speech import have_espeak  # noqa: F401  (re-exported for the tests)
from bench._speech import say as _say

SAMPLE_RATE = 16000


@dataclass(frozen=True)
class Turn:
    speaker: str  # clinician | patient | other
    text: str


@dataclass(frozen=True)
class Visit:
    audio: np.ndarray  # 16 kHz mono float32
    spans: tuple[tuple[float, float, str], ...]  # (start, end, speaker) of each turn

    @property
    def duration(self) -> float:
        return len(self.audio) / SAMPLE_RATE

    def speaker_at(self, t: float) -> str | None:
        """The true speaker at time ``t`` (the nearest turn when ``t`` falls in a gap)."""
        best, dist = None, float("inf")
        for start, end, who in self.spans:
            if start <= t <= end:
                return who
            d = min(abs(t - start), abs(t - end))
            if d < dist:
                best, dist = who, d
        return best


def say(text: str, voice: str, cache: Path, speed: int = 160) -> np.ndarray:
    """One utterance at 16 kHz, cached in ``cache`` (the shared bench synthesizer)."""
    return _say(text, voice, speed, cache)


def _trim(audio: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(audio) > threshold)
    return audio[loud[0] : loud[-1] + 1] if len(loud) else audio


def build_visit(
    turns: list[Turn], voices: dict[str, str], cache: Path, gap_s: float = 0.35, speed: int = 160
) -> Visit:
    """Concatenate the turns (each in its speaker's voice) with ``gap_s`` of silence between."""
    parts: list[np.ndarray] = []
    spans: list[tuple[float, float, str]] = []
    t = 0
    gap = np.zeros(int(gap_s * SAMPLE_RATE), np.float32)
    for i, turn in enumerate(turns):
        if i:
            parts.append(gap)
            t += len(gap)
        clip = _trim(say(turn.text, voices[turn.speaker], cache, speed))
        parts.append(clip)
        spans.append((t / SAMPLE_RATE, (t + len(clip)) / SAMPLE_RATE, turn.speaker))
        t += len(clip)
    audio = np.concatenate(parts).astype(np.float32) if parts else np.zeros(0, np.float32)
    return Visit(audio, tuple(spans))


def replay_live(
    audio: np.ndarray,
    transcript,  # noqa: ANN001  (scribe.domain.Transcript with word timings)
    enrolment: np.ndarray | None = None,
    lag_s: float = 2.5,
    step_s: float = 1.0,
):  # noqa: ANN201
    """Label ``transcript`` as the live path would while the visit records.

    Audio arrives ``step_s`` at a time; each word is committed ``lag_s`` after it ends (the live
    transcriber's lag, docs/benchmarks.md) and handed to :class:`scribe.speakers.live.LiveSpeakers`
    with the words committed in the same step. Returns ``(shown, final)``: the speaker each word
    carried when it first appeared on screen, and the live labels at Stop (a Transcript), both in
    word order.
    """
    from scribe.speakers import LiveSpeakers
    from scribe.speech.live import group_words

    live = LiveSpeakers(enrolment)
    words = [w for s in transcript.segments for w in s.words]
    shown: list[str | None] = []
    fed = done = n_segments = 0
    t = 0.0
    while fed < len(audio) or done < len(words):
        t += step_s
        end = min(len(audio), int(t * SAMPLE_RATE))
        live.add_audio(audio[fed:end])
        fed = end
        batch = []
        while done < len(words) and (words[done].end + lag_s <= t or fed >= len(audio)):
            batch.append(words[done])
            done += 1
        if batch:
            segments = group_words(batch, n_segments)
            n_segments += len(segments)
            live.add_segments(segments)
            labelled = [w for s in live.segments for w in s.words]
            shown += [w.speaker for w in labelled[len(shown) :]]
    return shown, live.transcript()
