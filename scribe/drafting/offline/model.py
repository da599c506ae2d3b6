"""The fitted sentence→section model of the offline drafter (multinomial logistic regression).

Features are words, word pairs, the speaker, the position in the visit and the words of the turn
before. Weights are fitted by ``scripts/fit_offline.py`` on ACI-Bench train (+ MTS-Dialog train) and
shipped as a small gzipped JSON in ``fitted/``. With no artifact the drafter falls back to word
cues.
"""

from __future__ import annotations

import gzip
import json
import math
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Protocol

FITTED = Path(__file__).parent / "fitted" / "section_model.json.gz"
_WORD = re.compile(r"[a-z0-9']+|\?")


class UnitLike(Protocol):
    raw: str
    speaker: str | None
    position: float
    context: str


def features(raw: str, speaker: str | None, position: float, context: str = "") -> list[str]:
    """Sparse binary features of one candidate sentence."""
    words = _WORD.findall(raw.lower())
    feats = {f"w:{w}" for w in words}
    feats.update(f"b:{a}_{b}" for a, b in zip(words, words[1:], strict=False))
    feats.add(f"spk:{speaker}")
    feats.add(f"pos:{min(int(position * 10), 9)}")
    feats.add(f"len:{min(len(words) // 5, 6)}")
    feats.update(f"c:{w}" for w in _WORD.findall(context.lower()))
    if speaker == "qa":
        feats.add("qa:" + (words[0] if words else ""))
    return sorted(feats)


class SectionModel:
    """Scores a sentence: its best note section and the probability it belongs in the note."""

    def __init__(
        self,
        labels: Sequence[str],
        weights: dict[str, list[float]],
        bias: list[float],
        threshold: float = 0.5,
    ) -> None:
        self.labels = list(labels)
        self.weights = weights
        self.bias = bias
        self.threshold = threshold
        self._drop = self.labels.index("drop")

    def probs(self, feats: Iterable[str]) -> list[float]:
        z = list(self.bias)
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                z = [a + b for a, b in zip(z, w, strict=True)]
        m = max(z)
        e = [math.exp(v - m) for v in z]
        s = sum(e)
        return [v / s for v in e]

    def predict(self, units: Sequence[Any]) -> list[tuple[str, float]]:
        """(label, keep score) per unit; label is "drop" when the keep score is under threshold."""
        out = []
        for u in units:
            p = self.probs(features(u.raw, u.speaker, u.position, getattr(u, "context", "")))
            keep = 1.0 - p[self._drop]
            best = max((i for i in range(len(p)) if i != self._drop), key=lambda i: p[i])
            label = self.labels[best] if keep >= self.threshold else "drop"
            out.append((label, keep))
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "labels": self.labels,
            "bias": [round(b, 3) for b in self.bias],
            "threshold": self.threshold,
            "weights": {k: [round(x, 3) for x in v] for k, v in self.weights.items()},
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SectionModel:
        return cls(d["labels"], d["weights"], d["bias"], float(d.get("threshold", 0.5)))

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        with gzip.open(path, "wt", encoding="utf-8") as f:
            json.dump(self.to_dict(), f, separators=(",", ":"))


_CACHE: dict[Path, SectionModel | None] = {}


def load_model(path: Path = FITTED) -> SectionModel | None:
    """The bundled fitted model, or None when it is absent or unreadable (cue rules are used)."""
    if path not in _CACHE:
        try:
            with gzip.open(path, "rt", encoding="utf-8") as f:
                _CACHE[path] = SectionModel.from_dict(json.load(f))
        except (OSError, ValueError, KeyError):
            _CACHE[path] = None
    return _CACHE[path]
