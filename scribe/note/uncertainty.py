"""Uncertainty the clinician can see: a note sentence that states a drug, a dose, an allergen or a
side that Scribe did not hear clearly gets an ``uncertain`` flag with the reason in words.

A word of the sentence's evidence *matters* when it is a drug name (or sounds like one: the
clinical-term pass, ``scribe.speech.terms``, left a drug as its ``alternative``), a number or unit
of a dose, an allergen the patient named, or a side (left / right before a body part, bilateral).
It is *in doubt* when the recogniser gave it less than ``LOW_CONFIDENCE`` or the term pass left an
alternative; a word the term pass replaced (``heard``) and the audio confirmed is not. The sentence
is flagged when it states that term, matched as the other checks match it (brand and generic names
meet, "forty milligrams" is 40 mg, a side goes with its body part): one flag per term, none when
the same term is heard clearly elsewhere in the evidence (without an alternative), and none when
the sentence states the alternative instead (the clinician corrected it).

The messages quote the patient's words: like every flag they are shown in the app, never logged.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

from scribe.domain import Flag, Segment, Word
from scribe.nlp import NUMBER_WORDS, clinical_vocabulary, doses, generic_drug_names, stem, tokens

__all__ = ["UNCERTAIN", "uncertain_flags"]

UNCERTAIN = "uncertain"
"""The flag kind."""

_WHAT = {"drug": "the medication", "dose": "the dose", "allergy": "the allergy", "side": "the side"}
_PREFERRED = {"drug": 0, "allergy": 0, "dose": 1, "side": 1}
_EDGES = re.compile(r"^[^\w%]+|[^\w%]+$")
_CLAUSE_END = re.compile(r"[.?!,;:]$")
_SIDE_WINDOW = 4  # words after left / right searched for the body part
_BILATERAL = "bilateral"

Term = tuple[str, ...]  # (kind, what the sentence must state ...): one flag per term


@dataclass(frozen=True)
class _Doubt:
    kind: str  # drug | dose | allergy | side
    term: Term
    word: Word
    shown: str  # the word as the transcript writes it, without its punctuation
    said: tuple[Word, ...] = ()  # every word of the term as said (a dose: number and unit)

    @property
    def rank(self) -> tuple[int, float]:
        """Which doubt of one term is told: an alternative, then a correction, then the least sure."""
        w = self.word
        return (0 if w.alternative else 1 if w.heard else 2, w.probability or 0.0)


def _shown(word: Word) -> str:
    return _EDGES.sub("", word.word.strip())


@lru_cache(maxsize=4096)
def _drugs(text: str) -> frozenset[str]:
    return frozenset(generic_drug_names(text))


def _numeric(toks: list[str]) -> bool:
    return bool(toks) and all(t[0].isdigit() or t in NUMBER_WORDS or t == "point" for t in toks)


def _unit(toks: list[str]) -> bool:
    return bool(toks) and not _numeric(toks) and bool(doses("1 " + " ".join(toks)))


def _dose_at(toks: list[list[str]], i: int) -> tuple[tuple[float, str], range] | None:
    """The dose word ``i`` is part of (its number or its unit) and the words saying it, or None."""
    own = doses(" ".join(toks[i]))
    if own:
        return own[-1], range(i, i + 1)
    if _unit(toks[i]):
        first, last = i, i
    elif _numeric(toks[i]):
        first, last = i, i + 1
        while last < len(toks) and _numeric(toks[last]):
            last += 1
        if last >= len(toks) or not _unit(toks[last]):
            return None
    else:
        return None
    while first > 0 and _numeric(toks[first - 1]):
        first -= 1
    found = doses(" ".join(t for ts in toks[first: last + 1] for t in ts))
    return (found[-1], range(first, last + 1)) if found else None


def _side_at(words: Sequence[Word], toks: list[list[str]], i: int) -> Term | None:
    """("side", side, body part stems…) when word ``i`` is a side; left / right need a body part
    after them in the same clause ("left knee"), so "I left" and "right now" are not sides."""
    if len(toks[i]) != 1:
        return None
    side = toks[i][0]
    if side.startswith(_BILATERAL):
        return ("side", _BILATERAL)
    if side not in ("left", "right") or _CLAUSE_END.search(words[i].word.strip()):
        return None
    vocab = clinical_vocabulary()
    parts: set[str] = set()
    for j in range(i + 1, min(len(words), i + 1 + _SIDE_WINDOW)):
        parts |= {stem(t) for t in toks[j] if len(t) > 2 and stem(t) in vocab}
        if _CLAUSE_END.search(words[j].word.strip()):
            break
    return ("side", side, *sorted(parts)) if parts else None


def _allergen_at(word: Word, seg: Segment, allergens: Mapping[str, tuple[int, ...]]) -> str | None:
    bare = _shown(word).lower()
    for name, where in allergens.items():
        if seg.index in where and (name in _drugs(word.word) or bare.rstrip("s") == name):
            return name
    return None


def _doubt_at(seg: Segment, toks: list[list[str]], i: int,
              allergens: Mapping[str, tuple[int, ...]], sentence_allergy: bool) -> _Doubt | None:
    """What word ``i`` of ``seg`` stands for, when it matters (one kind a word: allergy, drug,
    dose, side)."""
    w = seg.words[i]
    shown = _shown(w)
    allergen = _allergen_at(w, seg, allergens)
    drugs = _drugs(w.word)
    if allergen is not None and (sentence_allergy or not drugs):
        return _Doubt("allergy", ("allergy", allergen), w, shown)
    if drugs:
        return _Doubt("drug", ("drug", *sorted(drugs)), w, shown)
    if w.alternative and _drugs(w.alternative):  # "creature", perhaps Crestor: the word itself
        return _Doubt("drug", ("word", shown.lower()), w, shown)
    dose = _dose_at(toks, i)
    if dose is not None:
        (amount, unit), span = dose
        return _Doubt("dose", ("dose", f"{amount:g}", unit), w, shown,
                      tuple(seg.words[j] for j in span))
    side = _side_at(seg.words, toks, i)
    return _Doubt("side", side, w, shown) if side is not None else None


def _states(sentence: str, term: Term) -> bool:
    """True when the sentence states ``term``, matched as the fact checks match their terms."""
    kind, *what = term
    toks = tokens(sentence)
    if kind == "drug":
        return bool(_drugs(sentence) & set(what))
    if kind == "word":
        return what[0] in {_EDGES.sub("", w).lower() for w in sentence.split()}
    if kind == "allergy":
        return what[0] in _drugs(sentence) or re.search(rf"\b{re.escape(what[0])}",
                                                         sentence.lower()) is not None
    if kind == "dose":
        return any(f"{a:g}" == what[0] and u == what[1] for a, u in doses(sentence))
    if kind == "side":
        side, *parts = what
        if side == _BILATERAL:
            return any(t.startswith(_BILATERAL) for t in toks)
        return side in toks and bool({stem(t) for t in toks} & set(parts))
    return False


def _message(d: _Doubt) -> str:
    w = d.word
    if w.alternative:
        return f"Heard “{w.heard or d.shown}”, unsure: {w.alternative}?"
    if w.heard:
        return f"“{d.shown}” was corrected by sound from “{w.heard}”; check it."
    return (f"Scribe was unsure it heard “{d.shown}” ({round(100 * (w.probability or 0))}%); "
            f"check {_WHAT[d.kind]}.")


def _in_doubt(w: Word) -> bool:
    return w.uncertain or bool(w.alternative)


def _clear(w: Word) -> bool:
    return w.probability is not None and not w.uncertain and not w.alternative


def uncertain_flags(sentence: str, evidence: Sequence[Segment],
                    allergens: Mapping[str, tuple[int, ...]]) -> list[Flag]:
    """The ``uncertain`` flags of a note sentence whose evidence is ``evidence``.

    Args:
        sentence: the note sentence's text.
        evidence: its transcript segments, in order, with their words.
        allergens: what the patient said they are allergic to → the segments that say so.
    """
    if not any(_in_doubt(w) for seg in evidence for w in seg.words):
        return []
    sentence_allergy = re.search(r"\ballerg", sentence, re.I) is not None
    doubts: dict[Term, _Doubt] = {}
    clear: set[Term] = set()
    for seg in evidence:
        toks = [tokens(w.word) for w in seg.words]
        for i, w in enumerate(seg.words):
            if not (_in_doubt(w) or _clear(w)):
                continue
            d = _doubt_at(seg, toks, i, allergens, sentence_allergy)
            if d is None:
                continue
            if _clear(w):
                if not all(_clear(x) for x in d.said):
                    continue  # "40" unsure, "milligrams" sure: the dose was not heard clearly
                clear.add(d.term)
                if d.kind == "drug":  # a drug heard clearly is its allergen heard clearly too
                    clear.update(("allergy", name) for name in d.term[1:])
            elif d.term not in doubts or d.rank < doubts[d.term].rank:
                doubts[d.term] = d
    flags = []
    for term, d in sorted(doubts.items(), key=lambda kv: _PREFERRED[kv[1].kind]):
        if (term in clear and not d.word.alternative) or not _states(sentence, term):
            continue
        flags.append(Flag(UNCERTAIN, _message(d)))
    return flags
