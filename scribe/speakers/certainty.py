"""How sure a labelling pass is, and the labels kept at Stop: live or final, turn by turn.

Each pass (the live one while recording, the final one over the whole recording at Stop) gives
every unit of the transcript (a word, or a word-less segment whole) a voice and a *margin*: the
cosine similarity of the unit's windows to its voice's centroid minus that to the next voice.
A pass that could not tell the voices apart labels nothing (voice -1, margin 0).

At Stop (:func:`merge`) each segment keeps the labels of the pass that is more certain about it
(the larger mean margin; live on a tie), so the labels the clinician saw while recording survive
unless the final pass is surer, and never vanish because the final pass is unsure. The two passes
name their voices on their own, so the less certain pass's voices are first mapped onto the
other's (by the words both labelled): the whole visit keeps one naming and one set of voice ids.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from scribe.domain import Transcript

__all__ = ["Labelling", "merge", "unit_spans", "unlabelled"]


@dataclass(frozen=True)
class Labelling:
    """One pass's labels over a transcript's units, in order.

    ``spans``: each unit's (start, end) in seconds; ``voices``: its voice (-1: not labelled);
    ``margins``: how sure (0 where not labelled); ``roles``: voice -> speaker value.
    """

    spans: tuple[tuple[float, float], ...]
    voices: tuple[int, ...]
    margins: tuple[float, ...]
    roles: Mapping[int, str]

    @property
    def labelled(self) -> bool:
        return any(v >= 0 and v in self.roles for v in self.voices)

    @property
    def certainty(self) -> float:
        """Mean margin over the labelled units (0 when nothing is labelled)."""
        m = [m for v, m in zip(self.voices, self.margins) if v >= 0]
        return float(np.mean(m)) if m else 0.0

    def speakers(self) -> list[str | None]:
        return [self.roles.get(v) if v >= 0 else None for v in self.voices]


def unit_spans(transcript: Transcript) -> tuple[list[tuple[float, float]], list[int]]:
    """The units the labellers score (words, else whole segments) and each one's segment."""
    spans: list[tuple[float, float]] = []
    owner: list[int] = []
    for si, seg in enumerate(transcript.segments):
        for w in seg.words or ():
            spans.append((w.start, w.end))
            owner.append(si)
        if not seg.words:
            spans.append((seg.start, seg.end))
            owner.append(si)
    return spans, owner


def unlabelled(spans: Sequence[tuple[float, float]]) -> Labelling:
    n = len(spans)
    return Labelling(tuple(spans), (-1,) * n, (0.0,) * n, {})


def _aligned(live: Labelling, spans: Sequence[tuple[float, float]]) -> Labelling:
    """``live`` on the units ``spans`` (matched by time; units live never saw are unlabelled).

    The final transcript at Stop is the live one's committed words plus the tail, so the words
    match exactly; a unit is matched to the live unit whose midpoint lies within 50 ms otherwise.
    """
    if live.spans == tuple(spans):
        return live
    mids = np.array([(a + b) / 2 for a, b in live.spans]) if live.spans else np.zeros(0)
    order = np.argsort(mids, kind="stable")
    sorted_mids = mids[order]
    voices, margins = [], []
    for a, b in spans:
        m = (a + b) / 2
        j = int(np.searchsorted(sorted_mids, m))
        best = None
        for k in (j - 1, j):
            if 0 <= k < len(order) and abs(sorted_mids[k] - m) <= 0.05:
                if best is None or abs(sorted_mids[k] - m) < abs(sorted_mids[best] - m):
                    best = k
        if best is None:
            voices.append(-1)
            margins.append(0.0)
        else:
            i = int(order[best])
            voices.append(live.voices[i])
            margins.append(live.margins[i])
    return Labelling(tuple(spans), tuple(voices), tuple(margins), live.roles)


def _renamed(other: Labelling, lead: Labelling) -> Labelling:
    """``other``'s voices mapped onto ``lead``'s: each to the lead voice it shares most units with
    (a voice that shares none keeps a fresh id, named as ``other`` named it)."""
    both = [(o, v) for o, v in zip(other.voices, lead.voices) if o >= 0 and v >= 0]
    mapping: dict[int, int] = {}
    for o in sorted({o for o in other.voices if o >= 0}):
        counts: dict[int, int] = {}
        for oo, v in both:
            if oo == o:
                counts[v] = counts.get(v, 0) + 1
        if counts:
            mapping[o] = max(counts, key=lambda v: (counts[v], -v))
    roles = dict(lead.roles)
    fresh = max([*lead.roles, *lead.voices, -1]) + 1
    for o in sorted({o for o in other.voices if o >= 0} - set(mapping)):
        mapping[o] = fresh
        if o in other.roles:
            roles[fresh] = other.roles[o]
        fresh += 1
    voices = tuple(mapping[o] if o >= 0 else -1 for o in other.voices)
    return Labelling(other.spans, voices, other.margins, roles)


def merge(final: Labelling, live: Labelling | None, owner: Sequence[int]) -> Labelling:
    """The labels kept at Stop: per segment (``owner``: each unit's segment), the more certain
    pass's, in the naming of the pass that is more certain over the whole visit."""
    if live is None:
        return final
    live = _aligned(live, final.spans)
    if not live.labelled:
        return final
    if not final.labelled:
        return live
    # One naming and one set of voice ids: those of the pass that is surer over the whole visit.
    if final.certainty > live.certainty:
        fin, liv = final, _renamed(live, final)
        roles = liv.roles
    else:
        fin, liv = _renamed(final, live), live
        roles = fin.roles
    voices, margins = list(fin.voices), list(fin.margins)
    segs: dict[int, list[int]] = {}
    for i, si in enumerate(owner):
        segs.setdefault(si, []).append(i)
    for idx in segs.values():
        # A segment keeps what was seen live unless the final pass is surer of it: first the
        # share of its units labelled, then the mean margin.
        chosen, rest = (fin, liv) if _score(fin, idx) > _score(liv, idx) else (liv, fin)
        for i in idx:
            pick = chosen if chosen.voices[i] >= 0 else rest
            voices[i], margins[i] = pick.voices[i], pick.margins[i]
    return Labelling(final.spans, tuple(voices), tuple(margins), roles)


def _score(lab: Labelling, idx: list[int]) -> tuple[float, float]:
    """(share of the units ``idx`` labelled, their mean margin)."""
    done = [i for i in idx if lab.voices[i] >= 0]
    mean = float(np.mean([lab.margins[i] for i in done])) if done else 0.0
    return len(done) / len(idx), mean
