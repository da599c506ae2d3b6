"""Who said what: clinician / patient (/ other) labels for every word and segment, offline, on CPU.

How: voice embeddings of 1.6 s windows every 0.25 s over voiced audio
(:mod:`scribe.speakers.embeddings`), clustered into two voices, or three with ``other``
(:mod:`scribe.speakers.voices`). Each word gets the voice whose centroid best matches the windows
around it (short phrases, which a window would blur into their neighbours, also get an embedding of
their own), smoothed along the word sequence by a Viterbi pass where a change of speaker costs less
at a pause than mid-phrase; centroids are then re-estimated from windows inside one speaker's words
and the words scored again. Segments are split wherever the speaker changes and re-indexed 0..n-1.

Which voice is the clinician: the one closest to the enrolled voice print
(:func:`scribe.speakers.embeddings.enrol`) when there is one, else the one that asks more questions
(:func:`scribe.speakers.voices.assign_roles`). The review view offers the fixes of
:mod:`scribe.speakers.fixes` to correct either with one click.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript, Word
from scribe.speakers.embeddings import features, short_phrase_embeddings, unit, voice_encoder
from scribe.speakers.voices import (
    assign_roles,
    fit_voices,
    refine_centroids,
    smooth_path,
    word_scores,
)

__all__ = ["label_transcript", "regroup"]

REFINE_ROUNDS = 1
SHORT_PHRASES = True
SHORT_WEIGHT = 0.7


def regroup(
    segments: tuple[Segment, ...], word_roles: list[list[str | None]]
) -> tuple[Segment, ...]:
    """``segments`` with the speaker of each word (or of a word-less segment) set from
    ``word_roles``, split where the speaker changes and re-indexed 0..n-1."""
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
    models_root: Path | None = None,
) -> Transcript:
    """Label every word and segment with a speaker, splitting segments where the speaker changes.

    Args:
        audio: the visit's audio, 16 kHz mono float32 (the clock of the transcript's timestamps).
        transcript: Whisper's transcript, ideally with word timestamps (segments without words are
            labelled as a whole).
        enrolment: the clinician's voice print from :func:`scribe.speakers.embeddings.enrol`, if
            one was recorded.
        cancel: checked between batches of windows.
        models_root: the model store the voice encoder is kept in (None: the Resemblyzer wheel's
            weights, in memory; see :func:`scribe.speakers.embeddings.voice_encoder`).

    The transcript comes back unchanged when there is no speech, or when without an enrolment the
    voices cannot be told apart.

    Raises:
        ModelUnavailableError: the voice encoder cannot be loaded.
        Cancelled: ``cancel`` was set.
    """
    if not transcript.segments:
        return transcript
    mel, embs, centres = features(audio, cancel=cancel, models_root=models_root)
    if len(embs) == 0:
        return transcript
    enrol_vec = None if enrolment is None else unit(np.asarray(enrolment, np.float32))
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
    short = short_phrase_embeddings(mel, units, voice_encoder(models_root)) if SHORT_PHRASES else {}

    def scores(cents: np.ndarray) -> np.ndarray:
        out = word_scores(embs, centres, cents, mids)
        for (i, j), emb in short.items():
            out[i:j] = SHORT_WEIGHT * (emb @ cents.T) + (1 - SHORT_WEIGHT) * out[i:j]
        return out

    path = smooth_path(scores(cents), gaps)
    for _ in range(REFINE_ROUNDS):
        refined = refine_centroids(embs, centres, units, path, cents)
        cents = np.concatenate([cents[:1], refined[1:]]) if fixed else refined
        path = smooth_path(scores(cents), gaps)
    labels = [int(x) for x in path]
    q_units = [(s, t) for (s, _, t) in units]
    roles = assign_roles(cents, enrol_vec, labels, q_units)
    per_seg: list[list[str | None]] = [[] for _ in transcript.segments]
    for lab, si in zip(labels, owner):
        per_seg[si].append(roles[lab])
    return replace(transcript, segments=regroup(transcript.segments, per_seg))
