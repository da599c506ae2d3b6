"""The clinical-term pass: words heard wrong are proposed by sound and confirmed by the audio.

Whisper hears "clindamycin" as "cleaned my sin" and "Crestor" as "creature", yet given the right
few terms as hotwords it hears them (issue 13). A long list offered everywhere made it skip speech,
so this pass offers terms per span and lets the audio decide:

1. **Spans.** In each decoded segment, runs of one to three words with a word that looks mis-heard:
   Whisper was unsure of it (probability < 0.6), or it is no English word (not in CMUdict and not a
   lexicon term: "chrester", "formin"), or it sounds just like a term and Whisper was not sure of
   it (< 0.95: "reflex" for "reflux").
2. **Candidates by sound.** The span's letters, numbers spelled out ("last 6" → "last six"), get a
   Metaphone key (Lawrence Philips, 1990; jellyfish's implementation) with vowels after the first
   letter dropped; lexicon terms whose key is within a small edit distance are proposed: the
   clinician's own words first, then the committed clinical terms, then the drug lexicon (brand and
   generic names) and the clinical words of training visits. A two-sound key ("gut", KT) proposes
   only terms with the same key ("gout"); before a dose ("Product 20 milligrams") drug names may be
   one edit further off ("Prozac").
3. **The audio decides.** The segment's audio is encoded once, and Whisper scores each reading of
   the segment (the words as heard, and the heard words with one span replaced by a candidate) by
   teacher forcing (CTranslate2's ``align``: the probability of every token given the audio), all
   with the same prompt holding the segment's candidates, as hotwords would. A candidate is kept
   only when its reading scores higher than the words as heard by ``MARGIN`` nats **and** the audio
   gives the term's own words a probability of ``TERM_P`` or more in that reading. The prompt
   raises every candidate: on ACI-Bench train speech readings won by margin alone wrote
   "Antidepressants" for "and the person", "leukemia" for "like tea", "vasectomy" for
   "discectomy" and "Crestor" for "the car's door" (term probability 0.03-0.32; 9 wrong, 1 right
   on 36 clips), while terms really said scored 0.85-0.93. Only the span changes, so no word is
   lost and nothing is written into silence (the span was speech already).

A candidate that scored close but lost is kept on the heard word as ``Word.alternative`` when the
word was uncertain, so the review can ask ("heard 'creature' — Crestor?"); a replaced word keeps
what was heard in ``Word.heard``.

This is a rescoring of the first decode, not a second free decode with hotwords: a biased free
decode was measured to drop words (issue 13); a rescoring cannot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from scribe.audio.files import SAMPLE_RATE
from scribe.domain import Segment, Word
from scribe.nlp import (
    NUMBER_WORDS,
    STOPWORDS,
    clinical_terms,
    doses,
    drug_names,
    english_words,
    generic_names,
    read_word_list,
)

__all__ = [
    "MARGIN",
    "TERM_P",
    "Span",
    "TermPass",
    "candidates",
    "phonetic_key",
    "spans",
]

MARGIN = 0.0
"""Nats a drug name's reading must win by over the words as heard (their log-likelihood)."""
WORD_MARGIN = 2.0
"""... and another clinical word's. Fitted on ACI-Bench train speech (36 clips) with ``TERM_P``:
margins alone let wrong words through at gains of 2-15 ("so the area" -> "smear", "and the
person" -> "Antidepressants"); with the term's own probability required, 0.0 and 2.0 kept 3
replacements, all right ("ibuprofenol" -> "ibuprofen", "pillets" -> "Pilates", "disease in us" ->
"dizziness"), and no wrong one (3.0 and 7.0 kept 1)."""
TERM_P = 0.5
"""The probability a kept term's own words need in its reading (see the module docstring); at
0.3 two wrong ones came back ("car's door" -> "Crestor" at 0.42)."""
SPELLING = 0.72  # Jaro-Winkler similarity of the letters a candidate needs ("cleanedmysin" 0.86)
SURE = 0.95  # a word Whisper gave this much is not rewritten
UNSURE = 0.6  # a word Whisper gave less than this may be mis-heard
CLOSE = 4.0  # a losing candidate this close (nats), with TERM_P, is the word's alternative
MAX_SPAN = 4  # words in a span
PER_SPAN = 3  # candidates scored per span
PER_SEGMENT = 5  # candidate readings scored per PER_WORDS words of a segment
PER_WORDS = 10
CONTEXT = 3  # words either side of a span in the audio it is judged on; after it, scored too
GROUP_S = 1.0  # spans this close are judged on one stretch of audio
PAD_S = 0.25  # audio kept either side of a segment
ENCODER_PAD_S = 1.0  # silence the encoder sees after the audio (not Whisper's full 30 s)

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
         "fifteen sixteen seventeen eighteen nineteen").split()
_TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty",
         9: "ninety"}
_VOWELS = str.maketrans("", "", "AEIOUY")


def _spelled(token: str) -> str:
    """A word as letters: digits spelled ("6" → "six", "40" → "forty"), the rest lower case."""
    if token.isdigit() and len(token) <= 2:
        n = int(token)
        if n < 20:
            return _ONES[n]
        return _TENS[n // 10] + (_ONES[n % 10] if n % 10 else "")
    return re.sub(r"[^a-z]", "", token.lower())


def phonetic_key(text: str) -> str:
    """How ``text`` sounds, roughly: the Metaphone of its letters run together, vowels dropped
    after the first sound ("cleaned my sin" and "clindamycin" both give KLNTMSN)."""
    import jellyfish

    letters = "".join(_spelled(t) for t in re.findall(r"[A-Za-z]+|\d+", text))
    if not letters:
        return ""
    key = jellyfish.metaphone(letters).upper()
    return key[:1] + key[1:].translate(_VOWELS)


def _allowed(n: int) -> int:
    """Edit distance allowed between keys of ``n`` sounds."""
    return 1 if n <= 5 else 2 if n <= 8 else 3


@dataclass(frozen=True)
class _Entry:
    term: str  # as written in a note
    key: str
    rank: int  # 0: the clinician's words, 1: clinical terms, 2: the drug lexicon
    drug: bool = False  # a drug name (it may sound further off before a dose)


TERMS_FILE = Path(__file__).with_name("heard_terms.txt")
"""The terms the pass offers: fitted on training visits only (``python -m bench._fit_terms``)."""


@lru_cache(maxsize=1)
def _lexicon_index() -> tuple[_Entry, ...]:
    drugs = drug_names()
    entries = [_Entry(t, phonetic_key(t), 1, t.lower() in drugs) for t in clinical_terms()]
    entries += [_Entry(_display(t), phonetic_key(t), 2, t.lower() in drugs)
                for t in read_word_list(TERMS_FILE)]
    return tuple(e for e in entries if len(e.key) >= 2)


def _display(name: str) -> str:
    """A term as a note writes it: brand drug names capitalised, the rest as listed."""
    low = name.lower()
    return name.capitalize() if low in drug_names() and _is_brand(low) else name


def _is_brand(name: str) -> bool:
    return name.lower() not in generic_names()


@lru_cache(maxsize=1)
def _english() -> frozenset[str]:
    """Words of English (CMUdict) that are not drug names."""
    return english_words() - drug_names()


def candidates(heard: str, user_words: Sequence[str] = (), limit: int = PER_SPAN, *,
               dose: bool = False) -> list[str]:
    """Lexicon terms that sound like ``heard``, closest first (the clinician's words before the
    clinical list before the drug lexicon at equal distance); never ``heard`` itself.

    A key of two sounds ("gut", KT) proposes only terms with the same key ("gout"). ``dose``: the
    words stand just before a dose ("Product 20 milligrams"), where a drug name is expected, so
    drug names may sound one edit further off ("Prozac", PRSK for PRTKT)."""
    import jellyfish

    key = phonetic_key(heard)
    if len(key) < 2:
        return []
    said = re.sub(r"[^a-z]", "", heard.lower())
    user = tuple(_Entry(w, phonetic_key(w), 0) for w in user_words if w.strip())
    scored = []
    for e in (*user, *_lexicon_index()):
        extra = 1 if dose and e.drug else 0
        if abs(len(e.key) - len(key)) > _allowed(len(key)) + extra:
            continue
        d = jellyfish.levenshtein_distance(key, e.key)
        if min(len(key), len(e.key)) < 3 and d:
            continue
        if (d > _allowed(max(len(key), len(e.key))) + extra
                or re.sub(r"[^a-z]", "", e.term.lower()) == said):
            continue
        similar = jellyfish.jaro_winkler_similarity(said, e.term.lower())
        if similar < SPELLING:
            continue
        scored.append((d - extra, e.rank, -similar, e.term))
    scored.sort()
    out: list[str] = []
    for *_, term in scored:
        if term.lower() not in (t.lower() for t in out):
            out.append(term)
        if len(out) == limit:
            break
    return out


@dataclass(frozen=True)
class Span:
    """Words ``start``..``end`` (exclusive) of a segment that may be a term heard wrong."""

    start: int
    end: int
    heard: str
    dose: bool = False  # a dose follows ("... 20 milligrams"): a drug name's place


def _bare(word: str) -> str:
    return re.sub(r"[^a-z0-9']", "", word.lower())


@lru_cache(maxsize=1)
def _term_keys() -> frozenset[str]:
    """The sounds of the terms the pass offers (their phonetic keys)."""
    return frozenset(e.key for e in _lexicon_index())


@lru_cache(maxsize=1)
def _listed_terms() -> frozenset[str]:
    """The clinical list, the heard-terms list and every drug name, lower-case."""
    listed = {t.lower() for t in (*clinical_terms(), *read_word_list(TERMS_FILE))}
    return frozenset(listed | drug_names())


def _is_term(word: str) -> bool:
    """A word that is already a clinical term: a listed term or drug, or a long ICD-10-CM word
    ("hypothyroidism"; short ones such as "lives" are everyday words too)."""
    from scribe.nlp import clinical_vocabulary, stem

    b = _bare(word)
    return b in _listed_terms() or (len(b) >= 9 and stem(b) in clinical_vocabulary())


def _is_quantity(word: str) -> bool:
    """A dose or a measure ("640mg", "5.5"): never rewritten into a name."""
    b = word.strip().lower()
    return bool(re.search(r"\d", b)) and not b.strip(".,;:?!").isdigit()


def _sure(word: Word) -> bool:
    """A word Whisper was sure of, other than a short function word ("in", "my"): no span takes
    it ("takes Eurosmide" is not "torsemide")."""
    b = _bare(word.word)
    return (word.probability is not None and word.probability >= SURE
            and not (b in STOPWORDS and len(b) <= 3))


def _odd(word: Word) -> bool:
    b = _bare(word.word)
    if not b or _is_term(word.word):
        return False
    if word.probability is not None and word.probability < UNSURE:
        return True
    # An English word Whisper was not sure of that sounds just like a term ("reflex", "gut").
    return (word.probability is not None and word.probability < SURE
            and phonetic_key(b) in _term_keys()) or _not_english(b)


def _not_english(b: str) -> bool:
    english = _english()
    return bool(english) and b.isalpha() and b not in english


def spans(words: Sequence[Word]) -> list[Span]:
    """Runs of 1-3 words holding a word that looks mis-heard, not all stopwords, no term in them."""
    out: list[Span] = []
    for i in range(len(words)):
        for n in range(1, MAX_SPAN + 1):
            run = words[i : i + n]
            if len(run) < n or any(_is_term(w.word) or _is_quantity(w.word) or _sure(w)
                                   for w in run):
                break
            if not any(_odd(w) for w in run):
                continue
            if _bare(run[-1].word) in STOPWORDS or any(
                    w.word.rstrip()[-1:] in ",.;:?!" for w in run[:-1]):
                continue  # "and Noffron" may be a drug, "Noffron and" is not; nor across a comma
            out.append(Span(i, i + n, "".join(w.word for w in run).strip(),
                            _before_dose(words, i + n)))
    return out


def _before_dose(words: Sequence[Word], at: int) -> bool:
    """Words ``at``.. begin with a dose: a number and its unit ("20 milligrams", "ten mg")."""
    if at >= len(words):
        return False
    first = _bare(words[at].word)
    if not (first[:1].isdigit() or first in NUMBER_WORDS):
        return False
    return bool(doses(" ".join(w.word for w in words[at : at + 3])))


def _replaced(words: Sequence[Word], span: Span, term: str) -> list[Word]:
    """``words`` with the span's words replaced by ``term`` (its time spread over the span)."""
    run = words[span.start : span.end]
    first, last = run[0], run[-1]
    parts = term.split()
    lead = first.word[: len(first.word) - len(first.word.lstrip())] or " "
    trail = re.search(r"[.,;:?!]*$", last.word.strip()).group(0)
    if first.word.strip()[:1].isupper() and not parts[0][:1].isupper():
        parts[0] = parts[0][:1].upper() + parts[0][1:]
    step = (last.end - first.start) / len(parts)
    new = [
        Word(first.start + k * step, first.start + (k + 1) * step,
             lead + p + (trail if k == len(parts) - 1 else ""), first.speaker,
             heard=span.heard)
        for k, p in enumerate(parts)
    ]
    return [*words[: span.start], *new, *words[span.end :]]


class TermPass:
    """Runs the clinical-term pass over decoded segments with a loaded faster-whisper model.

    ``user_words``: the clinician's own words (proposed first). The model is the one that decoded
    the segments (its weights are shared, nothing is loaded).
    """

    def __init__(self, model, user_words: Iterable[str] = ()) -> None:
        self.model = model
        self.user_words = tuple(w.strip() for w in user_words if w.strip())
        self._tokenizer = None  # made when a reading is first scored
        self.replaced = 0  # readings kept, for benches
        self.scored = 0  # readings scored
        self.decisions: list[tuple[str, str, float, float]] = []  # (heard, best, term p, gain)

    def segment(self, segment: Segment, audio: np.ndarray, offset: float = 0.0) -> Segment:
        """``segment`` with mis-heard terms replaced where the audio confirms them.

        ``audio``: 16 kHz samples holding the segment; ``offset``: the recording time of
        ``audio[0]`` (segment times are recording times).
        """
        words = list(segment.words)
        proposals: list[tuple[Span, str]] = []
        for span in spans(words):
            for term in candidates(span.heard, self.user_words, dose=span.dose):
                proposals.append((span, term))
        if not proposals:
            return segment
        proposals = _best_spread(proposals, PER_SEGMENT * -(-len(words) // PER_WORDS))
        best: dict[Span, tuple[float, str, list[float]]] = {}
        heard_score: dict[Span, float] = {}
        for group in _groups(words, proposals):
            self._judge(words, group, audio, offset, best, heard_score)
        gain = {span: total - heard_score[span] for span, (total, _, _) in best.items()}
        self.decisions += [(span.heard, best[span][1], _term_p(span, best[span][1], best[span][2]),
                            gain[span]) for span in best]
        kept: list[tuple[Span, str, list[float]]] = []
        for span in sorted(best, key=lambda sp: -gain[sp]):  # best gain first, never overlapping
            term, probs = best[span][1], best[span][2]
            if gain[span] > _margin(term) and _term_p(span, term, probs) >= TERM_P and all(
                    span.end <= k.start or span.start >= k.end for k, _, _ in kept):
                kept.append((span, best[span][1], best[span][2]))
        for span, (_total, term, probs) in best.items():  # a close loser: ask the reviewer
            if gain[span] > -CLOSE and _term_p(span, term, probs) >= TERM_P and all(
                    span.end <= k.start or span.start >= k.end for k, _, _ in kept):
                words = _with_alternative(words, span, term)
        for span, term, probs in sorted(kept, key=lambda k: -k[0].start):  # right to left
            words = _replaced(words, span, term)
            for k in range(span.start, span.start + len(term.split())):
                p = probs[k] if k < len(probs) else None  # the reading's own word probability
                words[k] = replace(words[k], probability=p)
        self.replaced += len(kept)
        if not kept:
            return replace(segment, words=tuple(words))
        return replace(segment, text="".join(w.word for w in words).strip(), words=tuple(words))

    def _judge(self, words: list[Word], group: list[tuple[Span, str]], audio: np.ndarray,
               offset: float, best: dict, heard_score: dict) -> None:
        """Score one group of nearby proposals on the audio around them (one encoder pass)."""
        first = max(0, min(s.start for s, _ in group) - CONTEXT)
        last = min(len(words), max(s.end for s, _ in group) + CONTEXT)
        lo = max(0, int((words[first].start - PAD_S - offset) * SAMPLE_RATE))
        hi = min(len(audio), int((words[last - 1].end + PAD_S - offset) * SAMPLE_RATE))
        if hi - lo < SAMPLE_RATE // 5:
            return
        prompt = ", ".join(dict.fromkeys(t for _, t in group))
        by_span = list(dict.fromkeys(s for s, _ in group))
        # A span is judged on its words and the few after it; the words before it are the same in
        # every reading, and so is their likelihood.
        readings = [(words[first : s.end + CONTEXT], s.start - first) for s in by_span]
        for span, term in group:
            cut = span.start + len(term.split()) + CONTEXT
            readings.append((_replaced(words, span, term)[first:cut], span.start - first))
        scores = self._score(audio[lo:hi], prompt, readings)
        self.scored += len(readings)
        for k, span in enumerate(by_span):
            heard_score[span] = scores[k][0]
        for (span, term), (total, probs) in zip(group, scores[len(by_span):]):
            if span not in best or total > best[span][0]:
                best[span] = (total, term, [0.0] * first + probs)

    def _tokens(self):  # noqa: ANN202
        if self._tokenizer is None:
            from faster_whisper.tokenizer import Tokenizer

            self._tokenizer = Tokenizer(self.model.hf_tokenizer, self.model.model.is_multilingual,
                                        task="transcribe", language="en")
        return self._tokenizer

    def _score(self, audio: np.ndarray, prompt: str,
               readings: list[tuple[list[Word], int]]) -> list[tuple[float, list[float]]]:
        """Each reading's log-likelihood given the audio from its word ``k`` on (``(words, k)``),
        and the probabilities of its words."""
        import ctranslate2

        model, tk = self.model, self._tokens()
        features = model.feature_extractor(audio)
        frames = features.shape[-1]
        keep = frames + int(ENCODER_PAD_S * 100)
        keep = -(-keep // 200) * 200  # a few input shapes (see speech.live's short context)
        padded = np.zeros((features.shape[0], keep), dtype=np.float32)
        padded[:, :frames] = features[:, :keep]
        encoded = model.encode(padded)
        start = [tk.sot_prev, *tk.encode(" " + prompt), *tk.sot_sequence, tk.no_timestamps]
        tokens, bounds, froms = [], [], []
        for reading, first in readings:
            toks: list[int] = []
            marks = []
            for k, w in enumerate(reading):
                if k == first:
                    froms.append(len(toks))
                piece = tk.encode(" " + w.word.strip())
                marks.append((len(toks), len(toks) + len(piece)))
                toks += piece
            tokens.append(toks)
            bounds.append(marks)
        if model.model.device == "cpu":
            batch = ctranslate2.StorageView.from_array(
                np.repeat(np.asarray(encoded), len(tokens), axis=0))
            results = model.model.align(batch, start, tokens, frames)
        else:
            results = [model.model.align(encoded, start, [t], frames)[0] for t in tokens]
        out = []
        for result, marks, first in zip(results, bounds, froms):
            probs = np.maximum(np.asarray(result.text_token_probs, dtype=np.float64), 1e-12)
            word_probs = [float(np.exp(np.mean(np.log(probs[a:b])))) if b > a else 0.0
                          for a, b in marks]
            out.append((float(np.log(probs[first:]).sum()), word_probs))
        return out


def _term_p(span: Span, term: str, probs: list[float]) -> float:
    """The probability the audio gives the term's least likely word in its reading."""
    at = range(span.start, span.start + len(term.split()))
    return min((probs[k] for k in at if k < len(probs)), default=0.0)


def _margin(term: str) -> float:
    low = term.lower()
    return MARGIN if low in drug_names() or " " in low else WORD_MARGIN


def _groups(words: list[Word],
            proposals: list[tuple[Span, str]]) -> list[list[tuple[Span, str]]]:
    """Proposals whose spans lie within ``GROUP_S`` of each other, scored on one stretch of audio."""
    groups: list[list[tuple[Span, str]]] = []
    for p in sorted(proposals, key=lambda p: p[0].start):
        span = p[0]
        if groups:
            prev_end = max(s.end for s, _ in groups[-1])
            if words[span.start].start - words[prev_end - 1].end < GROUP_S:
                groups[-1].append(p)
                continue
        groups.append([p])
    return groups


def _best_spread(proposals: list[tuple[Span, str]], limit: int) -> list[tuple[Span, str]]:
    """At most ``limit`` proposals, taking each span's best candidate before any second one."""
    by_rank: dict[int, list[tuple[Span, str]]] = {}
    seen: dict[Span, int] = {}
    for span, term in proposals:
        k = seen.get(span, 0)
        seen[span] = k + 1
        by_rank.setdefault(k, []).append((span, term))
    out = [p for k in sorted(by_rank) for p in by_rank[k]]
    return out[:limit]


def _with_alternative(words: list[Word], span: Span, term: str) -> list[Word]:
    """The span's least certain word carries ``term`` as what it may have been."""
    run = range(span.start, span.end)
    at = min(run, key=lambda k: words[k].probability if words[k].probability is not None else 1)
    w = words[at]
    if w.alternative is None and w.uncertain:
        words = list(words)
        words[at] = replace(w, alternative=term)
    return words
