"""Fact checks: link every note sentence to transcript evidence, grade its support, flag contradictions.

``check_note(draft, transcript)`` returns a copy of the draft in which every sentence has evidence
(kept when the engine gave it, else aligned by weighted word overlap), a support level, and flags:

- ``medication``: a drug in the sentence that the visit never mentions (brand and generic names meet
  through the drug lexicon of ``drug-named-entity-recognition``), or a drug the patient is allergic to
  written outside an allergy statement;
- ``dose``: a drug's dose that differs from every dose said near that drug in the visit;
- ``allergy``: an allergy stated in the visit that the note never records. A note-level omission is
  shown as a flag on the first sentence of the section that should hold it (a section titled
  allergies, else subjective / history, else the first section), so the reviewer meets it where the
  fact belongs and signing needs an acknowledgement; when the note has no sentence at all, a flagged
  placeholder sentence is added;
- ``negation``: a finding the sentence affirms that the evidence negates, or the reverse;
- ``laterality``: left/right that disagrees with the side said for that body part;
- ``number``: a number found nowhere in the transcript (number words and digits are normalised);
- ``question``: a sentence built from a question in its evidence that states it without the
  answer ("Missed any doses." after "Missed any doses?" "No."); a sentence that folds the answer
  in ("Reports no missed doses.") is not flagged;
- ``uncertain``: a sentence that states a drug, a dose, an allergen or a side that Scribe did not
  hear clearly (a low-confidence word, or one the clinical-term pass was unsure of), with what
  was heard (``scribe.note.uncertainty``);
- ``unsupported``: a sentence no transcript segment supports.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import replace

from scribe.domain import Flag, NoteDraft, Section, Segment, Sentence, Support, Transcript
from scribe.nlp import (
    NO_ANSWER,
    YES_ANSWER,
    clinical_vocabulary,
    content_words,
    doses,
    expand_abbreviations,
    generic_drug_names,
    negated_terms,
    numbers,
    stem,
    tokens,
)
from scribe.note.uncertainty import UNCERTAIN, uncertain_flags

__all__ = ["CHECKED_KINDS", "check_note", "check_sentence_support"]

CHECKED_KINDS = frozenset(
    {"medication", "dose", "allergy", "negation", "laterality", "number", "question", UNCERTAIN,
     "unsupported"}
)
SUPPORTED_AT = 0.6
PARTLY_AT = 0.3
_SIDES = {"left": "left", "right": "right", "l": "left", "r": "right"}
_SIDE_WINDOW = 4
_CLAUSES = re.compile(r"[^.?!;]+[.?!;]*")
# Words in ICD-10-CM descriptions that are not findings: their negation is ordinary speech.
_NOT_FINDINGS = frozenset(stem(w) for w in """help helps need needs feel feeling work works find
    follow related relat risk sure seem look recall remember worry concern change time day week
    month year thing lot bit way tell say happen problem issue use used able stop start try tried
    other type site part level care""".split())
_NOT_SIDE_AFTER = frozenset({"now", "away", "there", "here", "after", "before", "then", "so"})
_NOT_SIDE_BEFORE = frozenset({"all", "that's", "thats", "you're", "is", "alright", "to"})
_ALLERGY = re.compile(r"\ballerg", re.I)
# A question when ASR left its mark out: an interrogative first word, or an auxiliary and a subject.
_ASKS = re.compile(
    r"^(?:what|when|where|why|how|which|who|whose|any\b|(?:do|does|did|are|is|was|were|have|has|"
    r"can|could|would|will|should)\s+(?:you|he|she|they|it|there|your|his|her|the patient|anyone|"
    r"anything)\b)", re.I)
# A proposal put as a question is the clinician's plan, not something asked of the patient.
_PROPOSES = re.compile(r"^(?:why don't we|why not|how about|what if we|shall we|can we|could we|"
                       r"let's)\b", re.I)
# "..., okay?" asks for a nod: the statement before it is what was said.
_TAG = re.compile(r"[,\s]+(?:okay|ok|right|all right|alright|yeah|sound good|sounds good|"
                  r"is that okay|is that all right|is that right|correct)\s*\?\s*$", re.I)
_NEGATED = re.compile(r"\b(?:no|not|denies|denied|deny|never|without|none|nothing|negative)\b|"
                      r"n't\b", re.I)
_QUOTE_AT = 80
_RESTATES = 0.5
_NO_ALLERGY = re.compile(r"\b(no|not|nkda|nka|denies|don't have any|none)\b[^.?!]{0,30}allerg|"
                         r"\bno known\b|\bnkda\b", re.I)


class _Index:
    """Per-transcript facts computed once: words, idf, numbers, drugs, sides, polarity."""

    def __init__(self, transcript: Transcript) -> None:
        self.segments = list(transcript.segments)
        self.by_index = {s.index: s for s in self.segments}
        self.words = [_terms(s.text) for s in self.segments]
        df = Counter(w for ws in self.words for w in ws)
        n = max(len(self.segments), 1)
        self.idf = {w: math.log(1 + n / c) for w, c in df.items()}
        self.numbers = {round(v, 2) for s in self.segments for v in numbers(s.text, loose=True)}
        self.drugs = [generic_drug_names(s.text) for s in self.segments]
        self.all_drugs = {d for ds in self.drugs for d in ds}
        self.negated = [_segment_negations(self.segments, i) for i in range(len(self.segments))]

    def position(self, seg_index: int) -> int | None:
        for i, s in enumerate(self.segments):
            if s.index == seg_index:
                return i
        return None


# How a note writes what was said: "daily" for "a day", "nightly" for "at night".
_AS_WRITTEN = {"daily": "day", "nightly": "night", "weekly": "week", "monthly": "month",
               "hourly": "hour", "yearly": "year"}


def _key(word: str) -> str:
    """A content word's stem for matching: "increase" and "increased" (stem "increas") meet."""
    word = _AS_WRITTEN.get(word, word)
    return word[:-1] if len(word) > 5 and word.endswith("e") else word


def _terms(text: str) -> set[str]:
    """Content words plus abbreviation meanings and the generic names of drugs (brands meet)."""
    return {_key(w) for w in content_words(expand_abbreviations(text))} | generic_drug_names(text)


def _segment_negations(segments: list[Segment], i: int) -> set[str]:
    """Terms negated in segment i, including a question the next speaker answers "no"."""
    negated = negated_terms(segments[i].text)
    text = segments[i].text.strip()
    if text.endswith("?") and i + 1 < len(segments) and NO_ANSWER.match(segments[i + 1].text):
        negated |= content_words(text)
    return negated


def _align(sentence: str, idx: _Index, limit: int = 3) -> tuple[int, ...]:
    """Segments that best cover the sentence's words (idf-weighted), with their question/answer."""
    words = _terms(sentence)
    if not words or not idx.segments:
        return ()
    scores = [sum(idx.idf.get(w, 0.0) for w in words & ws) for ws in idx.words]
    best = max(scores)
    if best <= 0:
        return ()
    ranked = sorted(range(len(scores)), key=lambda i: -scores[i])
    chosen = [i for i in ranked[:limit] if scores[i] >= 0.5 * best]
    extra = []
    for i in chosen:
        seg = idx.segments[i]
        if seg.text.strip().endswith("?") and i + 1 < len(idx.segments):
            extra.append(i + 1)  # the answer carries the fact
        if len(content_words(seg.text)) <= 2 and i > 0:
            extra.append(i - 1)  # a short answer needs its question
    return tuple(sorted({idx.segments[i].index for i in chosen + extra}))


def check_sentence_support(sentence: str, evidence_text: str) -> Support:
    """Support by overlap of the sentence's content words (clinical terms count double)."""
    words = _terms(sentence)
    if not words:
        return Support.SUPPORTED
    vocab = clinical_vocabulary()
    ev = _terms(evidence_text)
    weight = {w: (2.0 if w in vocab or f"{w}e" in vocab else 1.0) for w in words}
    share = sum(weight[w] for w in words & ev) / sum(weight.values())
    if share >= SUPPORTED_AT:
        return Support.SUPPORTED
    return Support.PARTLY if share >= PARTLY_AT else Support.UNSUPPORTED


def _evidence_text(evidence: tuple[int, ...], idx: _Index) -> str:
    return "\n".join(idx.by_index[i].text for i in evidence if i in idx.by_index)


def _number_flags(text: str, idx: _Index) -> list[Flag]:
    missing = []
    for v in numbers(text):
        if round(v, 2) not in idx.numbers and v not in missing:
            missing.append(v)
    return [Flag("number", f"The number {_fmt(v)} does not appear in the transcript.")
            for v in missing]


def _fmt(v: float) -> str:
    return str(int(v)) if v == int(v) else f"{v:g}"


def _drug_flags(text: str, evidence: tuple[int, ...], idx: _Index,
                allergens: set[str]) -> list[Flag]:
    flags: list[Flag] = []
    note_drugs = generic_drug_names(text)
    for drug in sorted(note_drugs):
        if drug not in idx.all_drugs:
            flags.append(Flag("medication", f"{drug.capitalize()} is not mentioned in the visit."))
            continue
        if drug in allergens and not _ALLERGY.search(text):
            flags.append(Flag("allergy", f"The patient reported an allergy to {drug}; check "
                                         "this sentence."))
        note_doses = set(doses(text))
        if not note_doses or len(note_drugs) > 1:
            continue
        said = set()
        for pos, ds in enumerate(idx.drugs):
            if drug in ds:
                near = " ".join(s.text for s in idx.segments[pos: pos + 3])
                said |= set(doses(near))
        for amount, unit in sorted(note_doses):
            if said and (amount, unit) not in said:
                told = ", ".join(f"{_fmt(a)} {u}" for a, u in sorted(said))
                flags.append(Flag("dose", f"The dose {_fmt(amount)} {unit} of {drug} differs "
                                          f"from the visit ({told})."))
    return flags


def _negation_flags(text: str, evidence: tuple[int, ...], idx: _Index) -> list[Flag]:
    """A finding whose polarity in the closest evidence clause differs from the sentence's."""
    vocab = clinical_vocabulary()
    words = content_words(text)
    terms = {w for w in words if w in vocab and w not in _NOT_FINDINGS}
    if not terms:
        return []
    note_neg = negated_terms(text)
    clauses: list[tuple[set[str], set[str]]] = []  # (words, negated words) of each evidence clause
    for p in (p for p in (idx.position(e) for e in evidence) if p is not None):
        answer = idx.segments[p + 1].text if p + 1 < len(idx.segments) else ""
        for clause in _CLAUSES.findall(idx.segments[p].text):
            cw = content_words(clause)
            if clause.rstrip().endswith("?"):  # a question asserts only through its answer
                if NO_ANSWER.match(answer):
                    clauses.append((cw, cw))
                elif YES_ANSWER.match(answer):
                    clauses.append((cw, set()))
                continue
            clauses.append((cw, negated_terms(clause)))
    for term in sorted(terms):
        having = [(len(cw & words), term in neg) for cw, neg in clauses if term in cw]
        if not having:
            continue
        best = max(n for n, _neg in having)
        states = {neg for n, neg in having if n == best}
        if len(states) != 1:
            continue  # said both ways in equally close clauses: nothing to contradict
        said_negated = states.pop()
        if said_negated != (term in note_neg):
            how = "denied" if said_negated else "reported"
            return [Flag("negation", f"'{term}' was {how} in the visit; the sentence says the "
                                     "opposite.")]
    return []


def _question_clauses(text: str) -> list[str]:
    """The clauses of a segment that ask something (a nod-asking tag and proposals excluded)."""
    out = []
    for clause in _CLAUSES.findall(text):
        c = clause.strip()
        if not c or _TAG.search(c) or _PROPOSES.match(c):
            continue
        if c.endswith("?") or (not c.endswith((".", "!", ";")) and _ASKS.match(c)):
            out.append(c)
    return out


def _is_question(text: str) -> bool:
    """A segment whose last clause asks: what follows it is the answer."""
    clauses = [c.strip() for c in _CLAUSES.findall(text) if c.strip()]
    return bool(clauses) and bool(_question_clauses(clauses[-1]))


def _quote(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= _QUOTE_AT else text[: _QUOTE_AT - 1].rstrip() + "…"


def _asks(sentence: str) -> bool:
    """A note sentence still worded as the question ("Any fever.", "Missed any doses?")."""
    s = sentence.strip()
    return (s.endswith("?") or bool(_ASKS.match(s))
            or (re.search(r"\bany\b", s, re.I) is not None and not _NEGATED.search(s)))


def _folds(sentence: str, words: set[str], question: str, answer: str) -> bool:
    """True when the sentence gives the answer to ``question`` rather than restating it."""
    negated = bool(_NEGATED.search(sentence))
    if _asks(sentence):
        return False
    if NO_ANSWER.match(answer):
        return negated
    said = content_words(answer) - content_words(question)
    if YES_ANSWER.match(answer) or not said - {"okay", "sound", "good", "fine", "sure"}:
        return not negated
    return bool(words & _terms(answer))


def _question_flags(text: str, evidence: tuple[int, ...], idx: _Index) -> list[Flag]:
    """A sentence whose words come from a question in its evidence, without that question's answer.

    The sentence is taken from the question when it holds more than half the question's words and
    either is still worded as a question or shares fewer words with every statement in the
    evidence; the answer is the next turn after the question."""
    words = _terms(text)
    if not words:
        return []
    best_q: tuple[int, str, int] | None = None  # (shared words, question clause, position)
    best_statement = 0
    for p in sorted(p for p in (idx.position(e) for e in evidence) if p is not None):
        seg_text = idx.segments[p].text
        asked = _question_clauses(seg_text)
        for clause in _CLAUSES.findall(seg_text):
            clause_words = _terms(clause)
            shared = len(words & clause_words)
            if clause.strip() in asked:
                # restating the question takes most of its words; naming its topic does not
                # ("High blood pressure." after "…your high blood pressure, do you know when…?")
                restates = shared > _RESTATES * len(clause_words)
                if shared and restates and (best_q is None or shared > best_q[0]):
                    best_q = (shared, clause.strip(), p)
            else:
                best_statement = max(best_statement, shared)
    if best_q is None or (best_statement >= best_q[0] and not _asks(text)):
        return []
    _shared, question, p = best_q
    nxt = idx.segments[p + 1].text if p + 1 < len(idx.segments) else ""
    if not nxt.strip() or _is_question(nxt):
        return [Flag("question", f"This was asked, not answered: '{_quote(question)}'")]
    if _folds(text, words, question, nxt):
        return []
    return [Flag("question", f"This was asked, and the sentence leaves out the answer: "
                             f"'{_quote(question)}' '{_quote(nxt)}'")]


def _sides(text: str) -> list[tuple[str, set[str]]]:
    """(side, stems of the words right after it) for each left/right in the text."""
    out = []
    for clause in re.split(r"[.?!,;:]", text):
        toks = tokens(clause)
        for i, t in enumerate(toks):
            if t not in ("left", "right") or i + 1 >= len(toks) or toks[i + 1] in _NOT_SIDE_AFTER:
                continue
            if i > 0 and toks[i - 1] in _NOT_SIDE_BEFORE:
                continue
            after = {stem(w) for w in toks[i + 1: i + 1 + _SIDE_WINDOW] if len(w) > 2}
            out.append((_SIDES[t], after))
    return out


def _laterality_flags(text: str, idx: _Index) -> list[Flag]:
    vocab = clinical_vocabulary()
    flags = []
    for side, after in _sides(text):
        parts = {w for w in after if w in vocab}
        if not parts:
            continue
        said = set()
        for seg in idx.segments:
            for s_side, s_after in _sides(seg.text):
                if parts & s_after:
                    said.add(s_side)
        if said and side not in said:
            part = sorted(parts)[0]
            flags.append(Flag("laterality", f"The visit gives the {part} side as "
                                            f"{'/'.join(sorted(said))}, not {side}."))
    return flags


def _allergens(idx: _Index) -> dict[str, tuple[int, ...]]:
    """Drugs (or substances) the patient said they are allergic to, with the segments saying so."""
    found: dict[str, tuple[int, ...]] = {}
    for p, seg in enumerate(idx.segments):
        if not _ALLERGY.search(seg.text):
            continue
        window = idx.segments[p: p + 2]
        for q, s in enumerate(window):
            if q == 1 and not seg.text.strip().endswith("?"):
                break
            if _NO_ALLERGY.search(s.text) or (q == 1 and NO_ANSWER.match(s.text)):
                continue
            names = generic_drug_names(s.text)
            m = re.search(r"allergic to (?:the |a |an )?([a-z]+)", s.text.lower())
            if m and m.group(1) not in ("it", "that", "this", "anything", "any", "them"):
                names.add(m.group(1).rstrip("s"))
            for name in names:
                found.setdefault(name, tuple(sorted({seg.index, s.index})))
    return found


def _allergy_target(sections: list[Section]) -> Section | None:
    for pattern in ("allerg", "subjective|history|hpi|chief", ""):
        for sec in sections:
            if sec.sentences and re.search(pattern, sec.title, re.I):
                return sec
    return None


def check_note(draft: NoteDraft, transcript: Transcript) -> NoteDraft:
    """Return a checked copy of ``draft``: evidence, support and flags on every sentence."""
    idx = _Index(transcript)
    allergens = _allergens(idx)
    sections: list[Section] = []
    for sec in draft.sections:
        sentences = []
        for s in sec.sentences:
            evidence = tuple(s.evidence) or _align(s.text, idx)
            support = check_sentence_support(s.text, _evidence_text(evidence, idx))
            flags = [f for f in s.flags if f.kind not in CHECKED_KINDS]
            flags += _drug_flags(s.text, evidence, idx, set(allergens))
            flags += _negation_flags(s.text, evidence, idx)
            flags += _laterality_flags(s.text, idx)
            flags += _number_flags(s.text, idx)
            flags += _question_flags(s.text, evidence, idx)
            flags += uncertain_flags(s.text, [idx.by_index[i] for i in evidence
                                              if i in idx.by_index], allergens)
            if not evidence or support == Support.UNSUPPORTED:
                flags.append(Flag("unsupported", "No part of the transcript supports this "
                                                 "sentence."))
            elif flags and support == Support.SUPPORTED:
                support = Support.PARTLY
            sentences.append(replace(s, evidence=evidence, support=support, flags=tuple(flags)))
        sections.append(Section(sec.title, sentences))
    _flag_missing_allergies(sections, allergens)
    return NoteDraft(sections=sections, template=draft.template, engine=draft.engine)


def _flag_missing_allergies(sections: list[Section], allergens: dict[str, tuple[int, ...]]) -> None:
    note_text = "\n".join(s.text for sec in sections for s in sec.sentences
                          if _ALLERGY.search(s.text)).lower()
    note_drugs = generic_drug_names(note_text)
    missing = [a for a in sorted(allergens) if a not in note_drugs and a not in note_text]
    if not missing:
        return
    flags = tuple(Flag("allergy", f"An allergy to {a} was mentioned in the visit but is not in "
                                  "the note.") for a in missing)
    target = _allergy_target(sections)
    if target is None:
        evidence = tuple(sorted({i for a in missing for i in allergens[a]}))
        first = sections[0] if sections else None
        placeholder = Sentence("Allergies: see flag.", evidence, Support.PARTLY, flags)
        if first is None:
            sections.append(Section("Allergies", [placeholder]))
        else:
            first.sentences.append(placeholder)
        return
    s = target.sentences[0]
    target.sentences[0] = replace(s, flags=s.flags + flags)
