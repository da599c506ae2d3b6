"""The voices in a visit: clustering window embeddings, scoring words, smoothing, naming roles.

Window embeddings (:mod:`scribe.speakers.embeddings`) are clustered into two voices by spherical
k-means (a third, ``other``, only when three clusters fit clearly better than two and the third
holds a real share of the talk). With two voices and an enrolment, the enrolled print itself serves
as the clinician's centroid (it matches the clinician's in-visit voice at cosine ~0.99), which
separates similar voices better than clustering. Each word is scored against the centroids from the
windows around it, and a Viterbi pass along the words (:func:`smooth_path`) makes a change of
speaker cost less at a pause than mid-phrase.

Which voice is the clinician (:func:`assign_roles`): the one closest to the enrolled voice print
when there is one. Without enrolment the fallback is the voice that asks more questions ("?" in its
words), and on a tie the one that speaks first. The patient is the other voice that talks most.
"""

from __future__ import annotations

import numpy as np

from scribe.domain import Speaker
from scribe.speakers.embeddings import WINDOW_FRAMES, unit

__all__ = [
    "MIN_WINDOWS_FOR_TWO",
    "assign_roles",
    "fit_voices",
    "refine_centroids",
    "smooth_path",
    "word_scores",
]

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
# Viterbi over words: score = SCORE_SCALE x cosine; a speaker change mid-phrase costs SWITCH_COST.
SCORE_SCALE = 20.0
SWITCH_COST = 1.5


def _kmeans(embs: np.ndarray, seeds: np.ndarray, iters: int = 20) -> tuple[np.ndarray, np.ndarray]:
    """Spherical k-means; returns (labels, unit centroids)."""
    cents = unit(seeds.copy())
    labels = np.zeros(len(embs), int)
    for _ in range(iters):
        new = np.argmax(embs @ cents.T, axis=1)
        for k in range(len(cents)):
            if np.any(new == k):
                cents[k] = unit(embs[new == k].mean(axis=0))
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
    one = unit(embs.mean(axis=0, keepdims=True))
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
    other = unit(embs[sims <= np.quantile(sims, 0.3)].mean(axis=0))
    for _ in range(20):
        mine = embs @ enrolment >= embs @ other
        if mine.all():
            break
        new = unit(embs[~mine].mean(axis=0))
        if np.allclose(new, other):
            break
        other = new
    return np.stack([enrolment, other])


def fit_voices(embs: np.ndarray, enrolment: np.ndarray | None) -> tuple[np.ndarray, bool] | None:
    """The voices' unit centroids, and whether the first is the enrolled print held fixed.

    ``enrolment`` is a unit voice print (or None). None when there is no enrolment and too little
    speech, or voices too alike, to tell who is who: a wrong label is worse than none (the drafter
    would file the clinician's questions as the patient's history), so the words stay unlabelled
    and the clinician can set them.
    """
    cents = _cluster(embs)
    if enrolment is None:
        if len(cents) == 1 or (len(cents) == 2 and float(cents[0] @ cents[1]) > UNSURE_COSINE):
            return None
        return cents, False
    if len(cents) == 2:
        return _cluster_enrolled(embs, enrolment), True
    return cents, False


def word_scores(
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


def refine_centroids(
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
            new[k] = unit(embs[idx].mean(axis=0))
    return new


def smooth_path(scores: np.ndarray, gaps: np.ndarray) -> np.ndarray:
    """Viterbi over words: the speaker of each word, where a change of speaker costs SWITCH_COST
    mid-phrase and less after a pause (``gaps``: seconds of silence before each word)."""
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


def assign_roles(
    cents: np.ndarray,
    enrolment: np.ndarray | None,
    labels: list[int],
    units: list[tuple[float, str]],
) -> dict[int, str]:
    """Map cluster ids to clinician / patient / other (see the module docstring for the rule).

    ``labels``: the cluster of each unit; ``units``: each unit's ``(start, text)``.
    """
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
