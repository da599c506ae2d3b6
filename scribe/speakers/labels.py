"""Who said what: clinician / patient (/ other) labels for every word and segment, offline, on CPU.

How: Resemblyzer voice embeddings (``models.speaker_encoder``, run by onnxruntime) of 1.6 s windows
every 0.25 s over voiced audio, clustered into two voices (a third, ``other``, only when three
clusters fit clearly better than two and the third holds a real share of the talk). Each word gets
the voice whose centroid best matches the windows around it (short phrases, which a window would
blur into their neighbours, also get an embedding of their own), smoothed along the word sequence by
a Viterbi pass where a change of speaker costs less at a pause than mid-phrase; centroids are then
re-estimated from windows inside one speaker's words and the words scored again. Segments are split
wherever the speaker changes and re-indexed 0..n-1.

Which voice is the clinician: the one closest to the enrolled voice print (:func:`enrol`) when there
is one. Without enrolment the fallback is the voice that asks more questions ("?" in its words), and
on a tie the one that speaks first. The patient is the other voice that talks most. With two voices
and an enrolment, the enrolled print itself serves as the clinician's centroid (it matches the
clinician's in-visit voice at cosine ~0.99), which separates similar voices better than clustering. The review view
offers :func:`swap_labels` and :func:`set_segment_speaker` to fix either with one click.
"""

from __future__ import annotations

from dataclasses import replace
from functools import lru_cache

import numpy as np

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Speaker, Transcript, Word
from scribe.errors import ScribeError
from scribe.speakers.fixes import format_line, set_segment_speaker, swap_labels

__all__ = [
    "ENROLMENT_PARAGRAPH",
    "enrol",
    "format_line",
    "label_transcript",
    "set_segment_speaker",
    "swap_labels",
]

SAMPLE_RATE = 16000
WINDOW_FRAMES = 160  # 1.6 s: the encoder's training length
HOP_FRAMES = 25  # 0.25 s
MIN_ENROL_SECONDS = 8.0
# A third voice counts only when three clusters fit the windows clearly better than two (mean
# cosine to the nearest centroid up by OTHER_MIN_GAIN; two-voice visits measured here gain <= 0.017,
# a clearly different third voice 0.028-0.044) and it holds at least OTHER_MIN_SHARE of the windows.
OTHER_MIN_GAIN = 0.025
# Without an enrolment nothing is labelled when there are fewer than MIN_WINDOWS_FOR_TWO windows
# (~5 s of speech) or the two voices' centroids are closer than UNSURE_COSINE. Measured on espeak
# speech: one voice split in two 0.909-0.943; the bench's "near" pair ~0.92 (74.7 % of words
# right); the "similar" pairs <= 0.87 (94-98 %).
MIN_WINDOWS_FOR_TWO = 20
UNSURE_COSINE = 0.90
OTHER_MIN_SHARE = 0.08
REFINE_ROUNDS = 1
# Viterbi over words: score = SCORE_SCALE x cosine; a speaker change mid-phrase costs SWITCH_COST.
SCORE_SCALE = 20.0
SWITCH_COST = 1.5
PHRASE_GAP = 0.1
SHORT_PHRASES = True
SHORT_WEIGHT = 0.7

ENROLMENT_PARAGRAPH = (
    "Please read this aloud at your usual speaking pace. Good morning, I am your doctor today. "
    "Before we start, tell me what brings you in and how long it has been going on. I will ask "
    "about your medications, any allergies, and your family history. Then I will listen to your "
    "heart and lungs, check your blood pressure, and look at your throat and ears. Afterwards we "
    "will talk about what I found, the tests I would like to order, and a plan for treatment. "
    "If anything is unclear, please stop me and ask."
)


@lru_cache(maxsize=1)
def _encoder():  # type: ignore[no-untyped-def]
    from models.speaker_encoder import VoiceEncoder

    return VoiceEncoder()


def _normalise(audio: np.ndarray) -> np.ndarray:
    """Float32 mono, raised (never lowered) to -30 dBFS as Resemblyzer's training data was."""
    wav = np.asarray(audio, np.float32).reshape(-1)
    gain = _gain(wav)
    return wav * np.float32(gain) if gain > 1 else wav


def _gain(wav: np.ndarray) -> float:
    """The amplitude gain :func:`_normalise` applies (1 when the audio is loud enough or silent)."""
    rms = float(np.sqrt(np.mean(wav.astype(np.float64) ** 2))) if len(wav) else 0.0
    if rms <= 1e-8:
        return 1.0
    return max(1.0, 10 ** ((-30.0 - 20 * np.log10(rms)) / 20))


def _window_embeddings(
    audio: np.ndarray, hop: int = HOP_FRAMES, cancel: CancelToken = NEVER
) -> tuple[np.ndarray, np.ndarray]:
    """Embeddings of voiced 1.6 s windows and their centre times (s)."""
    return _features(audio, hop, cancel)[1:]


def _features(
    audio: np.ndarray, hop: int = HOP_FRAMES, cancel: CancelToken = NEVER
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The mel spectrogram, embeddings of its voiced 1.6 s windows, and their centre times (s)."""
    from scribe.speakers.mel import mel_spectrogram

    mel = mel_spectrogram(_normalise(audio))
    starts = np.arange(0, max(len(mel), WINDOW_FRAMES) - WINDOW_FRAMES + 1, hop)
    starts = voiced_window_starts(mel, starts)
    if len(starts) and len(mel) < WINDOW_FRAMES:
        mel = np.pad(mel, ((0, WINDOW_FRAMES - len(mel)), (0, 0)))
    embs = embed_windows(mel, starts, cancel)
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
    cancel: CancelToken = NEVER,
    encoder=None,  # noqa: ANN001
    batch_size: int = 64,
) -> np.ndarray:
    """Unit voice embeddings (n, 256) of the 1.6 s mel windows beginning at ``starts``.

    ``batch_size`` windows go to the encoder at a time; onnxruntime keeps the memory of the
    largest batch it has seen, so a long-lived caller keeps it small.
    """
    if len(starts) == 0:
        return np.zeros((0, 256), np.float32)
    enc = encoder or _encoder()
    embs = []
    for i in range(0, len(starts), batch_size):
        cancel.check()
        batch = np.stack([mel[s : s + WINDOW_FRAMES] for s in starts[i : i + batch_size]])
        embs.append(enc.embed_mels(batch))
    return np.concatenate(embs)


def _phrases(units: list[tuple[float, float, str]]) -> list[tuple[int, int]]:
    """[i, j) runs of units with no pause of PHRASE_GAP s or more inside."""
    runs, first = [], 0
    for i in range(1, len(units) + 1):
        if i == len(units) or units[i][0] - units[i - 1][1] >= PHRASE_GAP:
            runs.append((first, i))
            first = i
    return runs


def _short_phrase_embeddings(
    mel: np.ndarray, units: list[tuple[float, float, str]]
) -> dict[tuple[int, int], np.ndarray]:
    """A voice print of each phrase shorter than a window, its frames tiled to 1.6 s.

    A sliding window blurs a short turn ("okay", "mm-hmm") into the long turns around it; tiling the
    phrase's own frames gives the encoder a full-length input from that one voice.
    """
    chunks, keys = [], []
    for i, j in _phrases(units):
        a = max(0, int(units[i][0] * 100) - 5)
        b = min(len(mel), int(np.ceil(units[j - 1][1] * 100)) + 5)
        if b - a < 20 or b - a >= WINDOW_FRAMES:
            continue
        reps = -(-WINDOW_FRAMES // (b - a))
        chunks.append(np.tile(mel[a:b], (reps, 1))[:WINDOW_FRAMES])
        keys.append((i, j))
    if not chunks:
        return {}
    enc = _encoder()
    embs = np.concatenate(
        [enc.embed_mels(np.stack(chunks[k : k + 64])) for k in range(0, len(chunks), 64)]
    )
    return dict(zip(keys, embs))


def enrol(audio: np.ndarray) -> np.ndarray:
    """A unit-length voice print (256 floats) from a 20-30 s sample of one voice at 16 kHz."""
    embs, _ = _window_embeddings(audio, hop=50)
    if len(embs) < (MIN_ENROL_SECONDS - 1.6) / 0.5:
        raise ScribeError(
            "The voice sample has too little speech; record it again reading the whole paragraph."
        )
    v = embs.mean(axis=0)
    return (v / np.linalg.norm(v)).astype(np.float32)


def _unit(v: np.ndarray) -> np.ndarray:
    return v / np.maximum(np.linalg.norm(v, axis=-1, keepdims=True), 1e-9)


def _kmeans(embs: np.ndarray, seeds: np.ndarray, iters: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means; returns (labels, unit centroids)."""
    cents = _unit(seeds.copy())
    labels = np.zeros(len(embs), int)
    for _ in range(iters):
        new = np.argmax(embs @ cents.T, axis=1)
        for k in range(len(cents)):
            if np.any(new == k):
                cents[k] = _unit(embs[new == k].mean(axis=0))
        if np.array_equal(new, labels):
            break
        labels = new
    return labels, cents


def _best_kmeans(embs: np.ndarray, k: int, restarts: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means from several farthest-point starts; the tightest result wins."""
    rng = np.random.default_rng(0)
    best: tuple[float, np.ndarray, np.ndarray] | None = None
    for r in range(restarts):
        seeds = [
            embs[int(np.argmin(embs @ embs.mean(0)))] if r == 0 else embs[rng.integers(len(embs))]
        ]
        for _ in range(k - 1):
            seeds.append(embs[int(np.argmin(np.max(embs @ np.stack(seeds).T, axis=1)))])
        labels, cents = _kmeans(embs, np.stack(seeds))
        score = float(np.sum(np.max(embs @ cents.T, axis=1)))
        if best is None or score > best[0]:
            best = (score, labels, cents)
    assert best is not None
    return best[1], best[2]


def _cluster(embs: np.ndarray) -> np.ndarray:
    """Unit centroids of the voices: two, or three when a third voice is clearly present."""
    one = _unit(embs.mean(axis=0, keepdims=True))
    if len(embs) < MIN_WINDOWS_FOR_TWO:
        return one  # a few seconds of speech: too little to tell two voices apart
    _, c2 = _best_kmeans(embs, 2)
    if len(embs) >= 20:
        labels3, c3 = _best_kmeans(embs, 3)
        shares = np.bincount(labels3, minlength=3) / len(embs)
        gain = np.mean(np.max(embs @ c3.T, axis=1)) - np.mean(np.max(embs @ c2.T, axis=1))
        if gain >= OTHER_MIN_GAIN and shares.min() >= OTHER_MIN_SHARE:
            return c3
    return c2


def _cluster_enrolled(embs: np.ndarray, enrolment: np.ndarray) -> np.ndarray:
    """Two centroids: the enrolled voice held fixed, the other voice fitted to the remaining windows.

    The enrolled print matches the clinician's in-visit voice far better (cosine ~0.99) than any
    single window does, so holding it fixed separates even similar voices better than free
    clustering does.
    """
    sims = embs @ enrolment
    other = _unit(embs[sims <= np.quantile(sims, 0.3)].mean(axis=0))
    for _ in range(20):
        mine = embs @ enrolment >= embs @ other
        if mine.all():
            break
        new = _unit(embs[~mine].mean(axis=0))
        if np.allclose(new, other):
            break
        other = new
    return np.stack([enrolment, other])


def fit_voices(
    embs: np.ndarray, enrolment: np.ndarray | None
) -> tuple[np.ndarray, bool] | None:
    """The voices' unit centroids, and whether the first is the enrolled print held fixed.

    None when there is no enrolment and too little speech, or voices too alike, to tell who is
    who: a wrong label is worse than none (the drafter would file the clinician's questions as the
    patient's history), so the words stay unlabelled and the clinician can set them.
    """
    cents = _cluster(embs)
    if enrolment is None:
        if len(cents) == 1 or (len(cents) == 2 and float(cents[0] @ cents[1]) > UNSURE_COSINE):
            return None
        return cents, False
    if len(cents) == 2:
        return _cluster_enrolled(embs, enrolment), True
    return cents, False


def _word_scores(
    embs: np.ndarray, centres: np.ndarray, cents: np.ndarray, times: np.ndarray
) -> np.ndarray:
    """(n_times, k) similarity of each time point to each speaker, from nearby windows.

    Windows within half a window of the point weigh (1 - distance / half)^2, so the ones centred on
    the word weigh most; a point with none so near takes its nearest window(s). ``centres`` is sorted.
    """
    sims = embs @ cents.T  # (n_windows, k)
    times = np.asarray(times, float)
    out = np.zeros((len(times), len(cents)))
    if len(centres) == 0 or len(times) == 0:
        return out
    half = WINDOW_FRAMES / 200.0
    lo = np.searchsorted(centres, times - half, side="right")
    hi = np.searchsorted(centres, times + half, side="left")
    width = int((hi - lo).max(initial=0))
    if width:
        idx = lo[:, None] + np.arange(width)[None, :]
        inside = idx < hi[:, None]
        idx = np.minimum(idx, len(centres) - 1)
        w = np.clip(1.0 - np.abs(centres[idx] - times[:, None]) / half, 0.0, None) ** 2
        w = np.where(inside, w, 0.0)
        total = w.sum(axis=1)
        near = total > 0
        out[near] = np.einsum("nw,nwk->nk", w[near], sims[idx[near]]) / total[near, None]
    else:
        near = np.zeros(len(times), bool)
    for i in np.flatnonzero(~near):  # no window within reach: the nearest one(s)
        d = np.abs(centres - times[i])
        out[i] = sims[d == d.min()].mean(axis=0)
    return out


def _refine(
    embs: np.ndarray,
    centres: np.ndarray,
    units: list[tuple[float, float, str]],
    path: np.ndarray,
    cents: np.ndarray,
) -> np.ndarray:
    """Centroids again from windows whose words all belong to one speaker (no turn boundary)."""
    starts = np.array([u[0] for u in units])
    ends = np.array([u[1] for u in units])
    half = WINDOW_FRAMES / 200.0
    new = cents.copy()
    pure: list[list[int]] = [[] for _ in range(len(cents))]
    for i, c in enumerate(centres):
        inside = (ends > c - half) & (starts < c + half)
        labs = set(path[inside].tolist())
        if len(labs) == 1:
            pure[labs.pop()].append(i)
    for k, idx in enumerate(pure):
        if len(idx) >= 3:
            new[k] = _unit(embs[idx].mean(axis=0))
    return new


def _smooth(scores: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Viterbi over words: a change of speaker costs 1.5 mid-phrase, less after a pause."""
    n, k = scores.shape
    scale = SCORE_SCALE
    switch = SWITCH_COST * np.clip(1.0 - gaps / 0.5, 0.2, 1.0)
    cost = scale * scores[0]
    back = np.zeros((n, k), int)
    for i in range(1, n):
        stay = cost
        best_prev = int(np.argmax(cost))
        move = cost[best_prev] - switch[i]
        back[i] = np.where(stay >= move, np.arange(k), best_prev)
        cost = np.maximum(stay, move) + scale * scores[i]
    path = np.zeros(n, int)
    path[-1] = int(np.argmax(cost))
    for i in range(n - 1, 0, -1):
        path[i - 1] = back[i, path[i]]
    return path


def _roles(
    cents: np.ndarray,
    enrolment: np.ndarray | None,
    labels: list[int],
    units: list[tuple[float, str]],
) -> dict[int, str]:
    """Map cluster ids to clinician / patient / other (see the module docstring for the rule)."""
    k = len(cents)
    if enrolment is not None:
        clin = int(np.argmax(cents @ enrolment))
    else:
        questions = np.zeros(k)
        first = np.full(k, np.inf)
        for lab, (start, text) in zip(labels, units):
            first[lab] = min(first[lab], start)
            questions[lab] += text.count("?")
        order = sorted(range(k), key=lambda c: (-questions[c], first[c]))
        clin = order[0]
    rest = [c for c in range(k) if c != clin]
    # The patient is the remaining voice that talks most; a third voice is "other".
    talk = [sum(1 for lab in labels if lab == c) for c in rest]
    rest = [c for _, c in sorted(zip(talk, rest), key=lambda p: -p[0])]
    roles = {clin: Speaker.CLINICIAN.value}
    if rest:
        roles[rest[0]] = Speaker.PATIENT.value
    for c in rest[1:]:
        roles[c] = Speaker.OTHER.value
    return roles


def _regroup(segments: tuple[Segment, ...], word_roles: list[list[str]]) -> tuple[Segment, ...]:
    out: list[Segment] = []
    for seg, roles in zip(segments, word_roles):
        if not seg.words:
            out.append(replace(seg, index=len(out), speaker=roles[0] if roles else None))
            continue
        words = [replace(w, speaker=r) for w, r in zip(seg.words, roles)]
        runs: list[list[Word]] = [[words[0]]]
        for w in words[1:]:
            if w.speaker == runs[-1][-1].speaker:
                runs[-1].append(w)
            else:
                runs.append([w])
        for run in runs:
            start = seg.start if run is runs[0] else run[0].start
            end = seg.end if run is runs[-1] else run[-1].end
            text = seg.text if len(runs) == 1 else "".join(w.word for w in run).strip()
            out.append(
                Segment(len(out), start, end, text, speaker=run[0].speaker, words=tuple(run))
            )
    return tuple(out)


def label_transcript(
    audio: np.ndarray,
    transcript: Transcript,
    enrolment: np.ndarray | None = None,
    cancel: CancelToken = NEVER,
) -> Transcript:
    """Label every word and segment with a speaker, splitting segments where the speaker changes.

    Args:
        audio: the visit's audio, 16 kHz mono float32 (the clock of the transcript's timestamps).
        transcript: Whisper's transcript, ideally with word timestamps (segments without words are
            labelled as a whole).
        enrolment: the clinician's voice print from :func:`enrol`, if one was recorded.
    """
    if not transcript.segments:
        return transcript
    mel, embs, centres = _features(audio, cancel=cancel)
    if len(embs) == 0:
        return transcript
    enrol_vec = None if enrolment is None else _unit(np.asarray(enrolment, np.float32))
    voices = fit_voices(embs, enrol_vec)
    if voices is None:
        return transcript
    cents, fixed = voices
    # Units to label: words where there are any, else whole segments.
    units: list[tuple[float, float, str]] = []
    owner: list[int] = []
    for si, seg in enumerate(transcript.segments):
        if seg.words:
            for w in seg.words:
                units.append((w.start, w.end, w.word))
                owner.append(si)
        else:
            units.append((seg.start, seg.end, seg.text))
            owner.append(si)
    mids = np.array([(s + e) / 2 for s, e, _ in units])
    gaps = np.array([0.0] + [max(0.0, units[i][0] - units[i - 1][1]) for i in range(1, len(units))])
    short = _short_phrase_embeddings(mel, units) if SHORT_PHRASES else {}

    def scores(cents: np.ndarray) -> np.ndarray:
        out = _word_scores(embs, centres, cents, mids)
        for (i, j), emb in short.items():
            out[i:j] = SHORT_WEIGHT * (emb @ cents.T) + (1 - SHORT_WEIGHT) * out[i:j]
        return out

    path = _smooth(scores(cents), gaps)
    for _ in range(REFINE_ROUNDS):
        refined = _refine(embs, centres, units, path, cents)
        cents = np.concatenate([cents[:1], refined[1:]]) if fixed else refined
        path = _smooth(scores(cents), gaps)
    labels = [int(x) for x in path]
    q_units = [(s, t) for (s, _, t) in units]
    roles = _roles(cents, enrol_vec, labels, q_units)
    per_seg: list[list[str]] = [[] for _ in transcript.segments]
    for lab, si in zip(labels, owner):
        per_seg[si].append(roles[lab])
    return replace(transcript, segments=_regroup(transcript.segments, per_seg))
