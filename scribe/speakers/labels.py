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
(:func:`scribe.speakers.voices.assign_roles`). A voice that matches a staff profile
(:mod:`scribe.speakers.profiles`) is that person's. The review view offers the fixes of
:mod:`scribe.speakers.fixes` to correct either with one click.

At Stop the live labels are passed in: each segment keeps the labels of the pass more certain of
it (:mod:`scribe.speakers.certainty`), so what the clinician saw while recording does not vanish
when the whole-recording pass cannot tell the voices apart. Every segment carries the id of the
voice it was heard in (``Segment.voice``), so one fix can name every turn of that voice.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Segment, Transcript, Word
from scribe.speakers.certainty import Labelling, merge, unit_spans, unlabelled
from scribe.speakers.embeddings import features, short_phrase_embeddings, unit, voice_encoder
from scribe.speakers.profiles import VoiceProfile, match_profile
from scribe.speakers.voices import (
    assign_roles,
    fit_voices,
    refine_centroids,
    smooth_path,
    word_scores,
)

__all__ = ["label_transcript", "margins_of", "regroup"]

REFINE_ROUNDS = 1
SHORT_PHRASES = True
SHORT_WEIGHT = 0.7
# A turn is matched to a staff profile on its own when this many windows lie inside it (~2 s).
TURN_MIN_WINDOWS = 3


def regroup(
    segments: tuple[Segment, ...],
    word_roles: list[list[str | None]],
    word_voices: list[list[int | None]] | None = None,
) -> tuple[Segment, ...]:
    """``segments`` with the speaker (and voice) of each word (or of a word-less segment) set from
    ``word_roles`` (and ``word_voices``), split where either changes and re-indexed 0..n-1."""
    out: list[Segment] = []
    voices_of = word_voices or [[None] * len(r) for r in word_roles]
    for seg, roles, voices in zip(segments, word_roles, voices_of):
        if not seg.words:
            out.append(replace(seg, index=len(out), speaker=roles[0] if roles else None,
                               voice=voices[0] if voices else None))
            continue
        words = [replace(w, speaker=r) for w, r in zip(seg.words, roles)]
        runs: list[list[tuple[Word, int | None]]] = [[(words[0], voices[0])]]
        for w, v in zip(words[1:], voices[1:]):
            last_w, last_v = runs[-1][-1]
            if w.speaker == last_w.speaker and v == last_v:
                runs[-1].append((w, v))
            else:
                runs.append([(w, v)])
        for run in runs:
            ws = [w for w, _ in run]
            start = seg.start if run is runs[0] else ws[0].start
            end = seg.end if run is runs[-1] else ws[-1].end
            text = seg.text if len(runs) == 1 else "".join(w.word for w in ws).strip()
            out.append(Segment(len(out), start, end, text, speaker=ws[0].speaker,
                               words=tuple(ws), voice=run[0][1]))
    return tuple(out)


def margins_of(scores: np.ndarray, path: Sequence[int]) -> np.ndarray:
    """Each unit's margin: its score for the chosen voice minus the best other voice's."""
    if scores.shape[1] < 2:
        return np.zeros(len(path))
    rows = np.arange(len(path))
    chosen = scores[rows, np.asarray(path, int)]
    others = scores.copy()
    others[rows, np.asarray(path, int)] = -np.inf
    return chosen - others.max(axis=1)


def _final_pass(
    mel: np.ndarray,
    embs: np.ndarray,
    centres: np.ndarray,
    units: list[tuple[float, float, str]],
    enrol_vec: np.ndarray | None,
    models_root: Path | None,
) -> Labelling:
    """The whole recording's labels (nothing labelled when the voices cannot be told apart)."""
    spans = [(s, e) for s, e, _ in units]
    voices = fit_voices(embs, enrol_vec) if len(embs) else None
    if voices is None:
        return unlabelled(spans)
    cents, fixed = voices
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
    roles = assign_roles(cents, enrol_vec, labels, [(s, t) for (s, _, t) in units])
    margins = margins_of(scores(cents), labels)
    return Labelling(tuple(spans), tuple(labels), tuple(float(m) for m in margins), roles)


def _print_of(embs: np.ndarray, centres: np.ndarray, spans: list[tuple[float, float]]) -> tuple[
        np.ndarray, int]:
    """The mean of the windows that lie inside ``spans`` (their centre 0.4 s in from each end)."""
    inside = np.zeros(len(centres), bool)
    for a, b in spans:
        inside |= (centres >= a + 0.4) & (centres <= b - 0.4)
    n = int(inside.sum())
    return (unit(embs[inside].mean(axis=0)) if n else np.zeros(embs.shape[1])), n


def _recognise(
    kept: Labelling,
    owner: list[int],
    embs: np.ndarray,
    centres: np.ndarray,
    profiles: Sequence[VoiceProfile],
    enrol_vec: np.ndarray | None,
) -> Labelling:
    """Voices and turns that match a staff profile become that person's (one voice id each)."""
    voices = list(kept.voices)
    roles = dict(kept.roles)
    fresh = max([*roles, *voices, -1]) + 1
    ids: dict[str, int] = {}
    spans = kept.spans
    # A whole voice whose print matches a profile, and no other voice of the visit as well.
    prints = {v: _print_of(embs, centres, _runs(spans, voices, owner, v))[0]
              for v in sorted({v for v in voices if v >= 0})}
    for v, vec in prints.items():
        rivals = [pv for u, pv in prints.items() if u != v]
        prof = match_profile(vec, profiles, enrol_vec, rivals) if rivals else None
        if prof is not None and prof.id not in ids:
            ids[prof.id] = v
            roles[v] = prof.speaker
    # A turn of its own that matches (a nurse's few words inside the patient's voice): it must be
    # closer to the profile than to every voice of this visit. Not done when the voices could not
    # be told apart: a voice like a known one would be named without anything to weigh it against.
    matched = set(ids.values())
    rivals = [pv for v, pv in prints.items() if v not in matched]
    for idx in _turns(voices, owner) if rivals else []:
        if voices[idx[0]] in matched:
            continue
        vec, n = _print_of(embs, centres, [(spans[idx[0]][0], spans[idx[-1]][1])])
        prof = match_profile(vec, profiles, enrol_vec, rivals) if n >= TURN_MIN_WINDOWS else None
        if prof is None:
            continue
        if prof.id not in ids:
            ids[prof.id], fresh = fresh, fresh + 1
            roles[ids[prof.id]] = prof.speaker
        for i in idx:
            voices[i] = ids[prof.id]
    return Labelling(spans, tuple(voices), kept.margins, roles)


def _turns(voices: list[int], owner: list[int]) -> list[list[int]]:
    """Runs of units of one voice within one segment."""
    out: list[list[int]] = []
    for i, (v, si) in enumerate(zip(voices, owner)):
        if out and voices[out[-1][-1]] == v and owner[out[-1][-1]] == si:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def _runs(spans: Sequence[tuple[float, float]], voices: list[int], owner: list[int],
          voice: int) -> list[tuple[float, float]]:
    return [(spans[t[0]][0], spans[t[-1]][1]) for t in _turns(voices, owner) if voices[t[0]] == voice]


def label_transcript(
    audio: np.ndarray,
    transcript: Transcript,
    enrolment: np.ndarray | None = None,
    cancel: CancelToken = NEVER,
    models_root: Path | None = None,
    *,
    live: Labelling | None = None,
    profiles: Sequence[VoiceProfile] = (),
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
        live: the labels shown while recording (:meth:`scribe.speakers.live.LiveSpeakers.labelling`),
            at Stop: each segment keeps them unless this pass is more certain of it.
        profiles: the clinic's staff voices; a voice or turn that matches one is that person's.

    The transcript comes back unchanged when there is no speech, or when without an enrolment the
    voices cannot be told apart (and no live labels or profile say otherwise).

    Raises:
        ModelUnavailableError: the voice encoder cannot be loaded.
        Cancelled: ``cancel`` was set.
    """
    if not transcript.segments:
        return transcript
    mel, embs, centres = features(audio, cancel=cancel, models_root=models_root)
    enrol_vec = None if enrolment is None else unit(np.asarray(enrolment, np.float32))
    # Units to label: words where there are any, else whole segments.
    units: list[tuple[float, float, str]] = []
    for seg in transcript.segments:
        units += [(w.start, w.end, w.word) for w in seg.words] or [(seg.start, seg.end, seg.text)]
    spans, owner = unit_spans(transcript)
    assert len(spans) == len(units)
    kept = merge(_final_pass(mel, embs, centres, units, enrol_vec, models_root), live, owner)
    if profiles and len(embs):
        kept = _recognise(kept, owner, embs, centres, profiles, enrol_vec)
    if not kept.labelled:
        return transcript
    per_seg: list[list[str | None]] = [[] for _ in transcript.segments]
    per_voice: list[list[int | None]] = [[] for _ in transcript.segments]
    for v, si in zip(kept.voices, owner):
        known = v >= 0 and v in kept.roles
        per_seg[si].append(kept.roles[v] if known else None)
        per_voice[si].append(v if known else None)
    return replace(transcript, segments=regroup(transcript.segments, per_seg, per_voice))
