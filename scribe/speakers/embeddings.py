"""Voice embeddings: the encoder, 1.6 s window embeddings of voiced audio, phrase prints, enrolment.

Resemblyzer's voice encoder (:mod:`models.speaker_encoder`, run by onnxruntime) turns 1.6 s of mel
spectrogram (:mod:`scribe.speakers.mel`) into a unit-length 256-d voice print. Audio is raised to
-30 dBFS first, as the encoder's training data was, and only windows that hold enough voiced frames
are embedded. The encoder is loaded once per process through :func:`models.cache.cached`
(:func:`voice_encoder`), for batch and live labelling alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from models.cache import cached
from scribe.cancel import NEVER, CancelToken
from scribe.errors import ScribeError

if TYPE_CHECKING:
    from models.speaker_encoder import VoiceEncoder

__all__ = [
    "ENROLMENT_PARAGRAPH",
    "HOP_FRAMES",
    "PHRASE_GAP",
    "SAMPLE_RATE",
    "WINDOW_FRAMES",
    "embed_windows",
    "enrol",
    "features",
    "loudness_gain",
    "normalise",
    "phrases",
    "short_phrase_embeddings",
    "unit",
    "voice_encoder",
    "voiced_window_starts",
    "window_embeddings",
]

SAMPLE_RATE = 16000
WINDOW_FRAMES = 160  # 1.6 s: the encoder's training length
HOP_FRAMES = 25  # 0.25 s
MIN_ENROL_SECONDS = 8.0
PHRASE_GAP = 0.1  # a pause of this many seconds or more ends a phrase

ENROLMENT_PARAGRAPH = (
    "Please read this aloud at your usual speaking pace. Good morning, I am your doctor today. "
    "Before we start, tell me what brings you in and how long it has been going on. I will ask "
    "about your medications, any allergies, and your family history. Then I will listen to your "
    "heart and lungs, check your blood pressure, and look at your throat and ears. Afterwards we "
    "will talk about what I found, the tests I would like to order, and a plan for treatment. "
    "If anything is unclear, please stop me and ask."
)


def voice_encoder(models_root: Path | None = None, threads: int | None = None) -> VoiceEncoder:
    """The voice encoder, loaded once per (models folder, thread count) in the process.

    Args:
        models_root: the model store; the converted weights are kept in its
            ``resemblyzer-voice-encoder`` folder. None: the Resemblyzer wheel's weights, read into
            memory (nothing is written).
        threads: onnxruntime's intra-op threads (None: all cores).

    Raises:
        ModelUnavailableError: the Resemblyzer package (the weights) is missing or damaged.
    """
    root = None if models_root is None else Path(models_root)

    def load() -> VoiceEncoder:
        from models.speaker_encoder import MODEL_ID, VoiceEncoder

        return VoiceEncoder(folder=None if root is None else root / MODEL_ID, threads=threads)

    return cached("voice", (root, threads), load)


def unit(v: np.ndarray) -> np.ndarray:
    """``v`` scaled to unit length along its last axis."""
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def normalise(audio: np.ndarray) -> np.ndarray:
    """Float32 mono, raised (never lowered) to -30 dBFS as Resemblyzer's training data was."""
    wav = np.asarray(audio, np.float32).reshape(-1)
    gain = loudness_gain(wav)
    return wav * np.float32(gain) if gain > 1 else wav


def loudness_gain(wav: np.ndarray) -> float:
    """The amplitude gain :func:`normalise` applies (1 when the audio is loud enough or silent)."""
    rms = float(np.sqrt(np.mean(wav.astype(np.float64) ** 2))) if len(wav) else 0.0
    if rms <= 1e-8:
        return 1.0
    return max(1.0, 10 ** ((-30.0 - 20 * np.log10(rms)) / 20))


def window_embeddings(
    audio: np.ndarray,
    hop: int = HOP_FRAMES,
    cancel: CancelToken = NEVER,
    models_root: Path | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of voiced 1.6 s windows and their centre times (s)."""
    return features(audio, hop, cancel, models_root)[1:]


def features(
    audio: np.ndarray,
    hop: int = HOP_FRAMES,
    cancel: CancelToken = NEVER,
    models_root: Path | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mel spectrogram, embeddings of its voiced 1.6 s windows, and their centre times (s).

    The encoder (:func:`voice_encoder` of ``models_root``) is loaded only when there are windows.
    """
    from scribe.speakers.mel import mel_spectrogram

    mel = mel_spectrogram(normalise(audio))
    starts = np.arange(0, max(len(mel), WINDOW_FRAMES) - WINDOW_FRAMES + 1, hop)
    starts = voiced_window_starts(mel, starts)
    if len(starts) == 0:
        return mel, np.zeros((0, 256), np.float32), np.zeros(0)
    if len(mel) < WINDOW_FRAMES:
        mel = np.pad(mel, ((0, WINDOW_FRAMES - len(mel)), (0, 0)))
    embs = embed_windows(mel, starts, voice_encoder(models_root), cancel)
    return mel, embs, (starts + WINDOW_FRAMES / 2) / 100.0


def voiced_window_starts(mel: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """The window ``starts`` (mel frames) whose 1.6 s hold at least 40 % voiced frames.

    A frame is voiced when it is 20 dB over the quietest tenth of ``mel`` and within 60 dB of its
    loudest frame.
    """
    if len(mel) == 0 or len(starts) == 0:
        return np.zeros(0, int)
    energy = np.log10(mel.sum(axis=1) + 1e-10)
    floor = np.percentile(energy, 10)
    voiced = energy > max(floor + 2.0, energy.max() - 6.0)
    voiced = np.pad(voiced, (0, max(0, int(starts.max()) + WINDOW_FRAMES - len(voiced))))
    cum = np.concatenate([[0], np.cumsum(voiced)])
    share = (cum[starts + WINDOW_FRAMES] - cum[starts]) / WINDOW_FRAMES
    return starts[share >= 0.4]


def embed_windows(
    mel: np.ndarray,
    starts: np.ndarray,
    encoder: VoiceEncoder,
    cancel: CancelToken = NEVER,
    batch_size: int = 64,
) -> np.ndarray:
    """Unit voice embeddings (n, 256) of the 1.6 s mel windows beginning at ``starts``.

    ``batch_size`` windows go to the encoder at a time; onnxruntime keeps the memory of the
    largest batch it has seen, so a long-lived caller keeps it small.
    """
    if len(starts) == 0:
        return np.zeros((0, 256), np.float32)
    embs = []
    for i in range(0, len(starts), batch_size):
        cancel.check()
        batch = np.stack([mel[s : s + WINDOW_FRAMES] for s in starts[i : i + batch_size]])
        embs.append(encoder.embed_mels(batch))
    return np.concatenate(embs)


def phrases(units: list[tuple[float, float, str]]) -> list[tuple[int, int]]:
    """[i, j) runs of ``(start, end, text)`` units with no pause of PHRASE_GAP s or more inside."""
    runs, first = [], 0
    for i in range(1, len(units) + 1):
        if i == len(units) or units[i][0] - units[i - 1][1] >= PHRASE_GAP:
            runs.append((first, i))
            first = i
    return runs


def short_phrase_embeddings(
    mel: np.ndarray, units: list[tuple[float, float, str]], encoder: VoiceEncoder
) -> dict[tuple[int, int], np.ndarray]:
    """A voice print of each phrase shorter than a window, its frames tiled to 1.6 s.

    A sliding window blurs a short turn ("okay", "mm-hmm") into the long turns around it; tiling the
    phrase's own frames gives the encoder a full-length input from that one voice. Keys are the
    phrases' ``[i, j)`` unit ranges (:func:`phrases`).
    """
    chunks, keys = [], []
    for i, j in phrases(units):
        a = max(0, int(units[i][0] * 100) - 5)
        b = min(len(mel), int(np.ceil(units[j - 1][1] * 100)) + 5)
        if b - a < 20 or b - a >= WINDOW_FRAMES:
            continue
        reps = -(-WINDOW_FRAMES // (b - a))
        chunks.append(np.tile(mel[a:b], (reps, 1))[:WINDOW_FRAMES])
        keys.append((i, j))
    if not chunks:
        return {}
    embs = np.concatenate(
        [encoder.embed_mels(np.stack(chunks[k : k + 64])) for k in range(0, len(chunks), 64)]
    )
    return dict(zip(keys, embs))


def enrol(audio: np.ndarray, models_root: Path | None = None) -> np.ndarray:
    """A unit-length voice print (256 floats) from a 20-30 s sample of one voice at 16 kHz.

    Raises:
        ScribeError: the sample holds too little speech.
        ModelUnavailableError: the voice encoder cannot be loaded (see :func:`voice_encoder`).
    """
    embs, _ = window_embeddings(audio, hop=50, models_root=models_root)
    if len(embs) < (MIN_ENROL_SECONDS - 1.6) / 0.5:
        raise ScribeError(
            "The voice sample has too little speech; record it again reading the whole paragraph."
        )
    v = embs.mean(axis=0)
    return (v / np.linalg.norm(v)).astype(np.float32)
