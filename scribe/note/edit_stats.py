"""What the clinician changed: a word-level diff between the engine's draft and the signed note.

The edit distance (word-level Levenshtein, normalised by the longer text) is the product's own
quality signal: the less a clinician has to change, the better the draft.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from scribe.domain import Encounter, Status
from scribe.store.store import Store

__all__ = ["EditOp", "EditStats", "edit_distance", "note_edits", "visit_stats", "word_diff", "words"]

_WORD = re.compile(r"\S+")


def words(text: str) -> list[str]:
    return _WORD.findall(text)


@dataclass(frozen=True)
class EditOp:
    """One change: ``tag`` is replace | delete | insert; the draft's words and the signed words."""

    tag: str
    before: str
    after: str

    def to_dict(self) -> dict[str, str]:
        return {"tag": self.tag, "before": self.before, "after": self.after}


def word_diff(draft: str, final: str) -> list[EditOp]:
    """The changes from ``draft`` to ``final``, word by word (difflib, no junk heuristic)."""
    a, b = words(draft), words(final)
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    return [EditOp(tag, " ".join(a[i1:i2]), " ".join(b[j1:j2]))
            for tag, i1, i2, j1, j2 in sm.get_opcodes() if tag != "equal"]


def edit_distance(a: list[str], b: list[str]) -> int:
    """Word-level Levenshtein distance (insertions, deletions, substitutions of whole words)."""
    if len(a) < len(b):
        a, b = b, a
    prev = list(range(len(b) + 1))
    for i, wa in enumerate(a, 1):
        cur = [i]
        for j, wb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (wa != wb)))
        prev = cur
    return prev[-1]


@dataclass(frozen=True)
class EditStats:
    id: str
    status: str
    draft_words: int
    final_words: int
    distance: int
    share_changed: float  # distance / words of the longer text, 0..1
    engine: str = ""

    def to_dict(self) -> dict[str, object]:
        return {"id": self.id, "status": self.status, "engine": self.engine,
                "draft_words": self.draft_words, "final_words": self.final_words,
                "edit_distance": self.distance, "share_changed": round(self.share_changed, 4)}


def note_edits(draft: str, final: str) -> tuple[int, float]:
    """(word edit distance, share changed) between two texts."""
    a, b = words(draft), words(final)
    dist = edit_distance(a, b)
    return dist, (dist / max(len(a), len(b)) if (a or b) else 0.0)


def visit_stats(store: Store, encounter: Encounter) -> EditStats | None:
    """Edit statistics of one visit: the draft against the signed note (or the current edits)."""
    note = store.get_note(encounter.id)
    if note is None:
        return None
    draft = note.draft.text
    final = note.signed_text if note.signed_text is not None else note.current.text
    dist, share = note_edits(draft, final)
    status = encounter.status.value if isinstance(encounter.status, Status) else str(
        encounter.status)
    return EditStats(encounter.id, status, len(words(draft)), len(words(final)), dist, share,
                     note.draft.engine)
