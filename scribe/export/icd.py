"""ICD-10-CM suggestions from a note's assessed problems, each with the words and evidence behind it.

The matcher is built from ICD-10-CM itself: every code's official description and its inclusion
terms (``simple-icd-10-cm``, read once by ``python -m scribe.export.icd`` into the committed
``icd10cm.json.gz``, since importing the package takes seconds), plus the clinician's wording in
``icd_synonyms.txt`` (lay terms and abbreviations, fitted on ACI-Bench *train* notes). A problem is
coded only where every required word of a code's description stands close together in an
assessment sentence; the most specific such code wins, then its unspecified billable child.
Negated, ruled-out, historical and resolved problems get no code. Suggestions are for the
clinician to accept or remove; nothing here decides a code.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from scribe.domain import NoteDraft
from scribe.nlp import negated_terms, read_word_list, stem

__all__ = [
    "INDEX_FILE",
    "SYNONYMS_FILE",
    "CodeSuggestion",
    "ProblemCode",
    "assessment_sentences",
    "build_index",
    "chapter_of",
    "chapter_title",
    "code_problems",
    "index_source",
    "load_index",
    "suggest_codes",
]

INDEX_FILE = Path(__file__).with_name("icd10cm.json.gz")
SYNONYMS_FILE = Path(__file__).with_name("icd_synonyms.txt")
EXTERNAL_CAUSES = "20"  # chapter V00-Y99: how an injury happened, never a problem in its own right

# Section titles that hold the clinician's assessed problems (the offline drafter's problem-
# oriented "Assessment and plan", SOAP's "Assessment", a clinic's "Impression" or "Problem list").
ASSESSED_TITLE = re.compile(r"assessment|impression|problem|diagnos", re.IGNORECASE)

_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)?")


@lru_cache(maxsize=65536)
def norm(word: str) -> str:
    """One word as the matcher compares it: a light stem that also meets diabetic/diabetes,
    anemia/anemic, migraine/migraines."""
    w = stem(word.lower())
    for suffix in ("ic", "ia", "e"):
        if len(w) > len(suffix) + 3 and w.endswith(suffix):
            return w[: -len(suffix)]
    return w


# Supplementary words in ICD-10-CM's own notation, and what a plain statement leaves unsaid:
# "(primary)", "[HIV]", NOS/NEC, "Pneumonia, unspecified organism", "site not specified".
_OPTIONAL_TEXT = re.compile(
    r"\([^)]*\)|\[[^\]]*\]|\bnot elsewhere classified\b|\bNEC\b|\bNOS\b|"
    r",\s*unspecified [a-z]+$|\b(?:site )?not specified\b",
    re.IGNORECASE,
)
# Words a description may carry that the clinician need not say: the ICD-10-CM default when a
# problem is written plainly (primary osteoarthritis, essential hypertension, one side).
_OPTIONAL = frozenset("unspecified primary essential unilateral mellitus nonrheumatic site".split())
# An inclusion term made only of acronyms ("PRES", "AML M3") would match everyday words ("press"):
# those are dropped, and acronyms are matched through icd_synonyms.txt instead.
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,4}\b")
# Function words; "other" and "specified" are kept on purpose: an "Other ..." code needs them said.
_FUNCTION = frozenset(
    "a an the of and or in on to with by for due as at from its his her their than this that "
    "is are was be".split()
)
# One word too general to name a problem by itself (R52 "Pain, unspecified" for "... for pain"),
# or an everyday word that ICD-10-CM files as a condition; the last line was fitted on ACI-Bench
# train, where these words named no assessed problem ("stress test", "cut down on caffeine",
# "genetic counseling", "wound care", "national cancer network").
_TOO_GENERAL = frozenset(
    norm(w)
    for w in (
        "pain disease disorder infection injury syndrome condition problem complication lesion "
        "abnormal symptom mass failure strain history status "
        "stress caffeine counseling counseled wound cancer allergy allergies"
    ).split()
)
# Codes everyday talk reaches that name no problem of the visit (train: "allergic reaction in your
# lungs" explaining a diagnosis, "this fall" the season).
_NOT_A_PROBLEM = frozenset({"T78.40", "R29.6"})
_GAP = 3  # words that may stand between the required words of one problem ("pain in her knee")
# Words a default child adds to its parent without saying more ("Migraine, unspecified, not
# intractable"); the thing after "unspecified" is not said either ("unspecified ligament").
_DEFAULT_EXTRA = frozenset(
    norm(w) for w in "unspecified uncomplicated nos not intractable site part".split()
)
_UNSPECIFIED_THING = re.compile(r"\bunspecified ([a-z]+)")
# A problem in these contexts is not a current diagnosis: no code.
_NOT_CURRENT = re.compile(
    r"\b(?:rule[ds]? out|r/o|no evidence of|no signs? of|negative for|unlikely|resolved|"
    r"no longer|free of|history of|h/o|status post|s/p|prior|previous|in the past|"
    r"family history|screen(?:ing)? for|vaccin\w*|immuniz\w*|if|unless|in case|looks? for|"
    r"(?:don't|do not) think (?:he|she|they|you|it) (?:has|have|is))\b",
    re.IGNORECASE,
)
_CLAUSE = re.compile(r"[.;:!?]\s|,\s*(?:but|however|although|though)\b|\bbut\b")


@dataclass(frozen=True)
class CodeSuggestion:
    """A suggested ICD-10-CM code and what in the note names it."""

    code: str  # "E11.9"
    description: str  # the official ICD-10-CM description
    problem: str  # the problem's words as written in the note
    sentence: int  # the sentence's position in ``note.sentences()``
    evidence: tuple[int, ...]  # transcript segments behind that sentence

    @property
    def chapter(self) -> str:
        """The ICD-10-CM chapter number ("9" is I00-I99)."""
        return chapter_of(self.code)

    @property
    def billable(self) -> bool:
        """Whether the code is a leaf (valid for a claim) rather than a category."""
        index = _index()
        return self.code in index.codes and index.is_leaf(self.code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "description": self.description,
            "problem": self.problem,
            "sentence": self.sentence,
            "evidence": list(self.evidence),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> CodeSuggestion:
        return cls(
            code=str(d["code"]),
            description=str(d["description"]),
            problem=str(d["problem"]),
            sentence=int(d["sentence"]),
            evidence=tuple(int(i) for i in d.get("evidence", [])),
        )


@dataclass(frozen=True)
class ProblemCode:
    """A code found in one text: the code, its description and the words (``start:end``) naming it."""

    code: str
    description: str
    problem: str
    start: int
    end: int


@dataclass(frozen=True)
class _Term:
    code: str
    required: tuple[str, ...]  # the rarest first
    size: int  # words in the term, optional ones included (fewer = closer to what was said)


class _Index:
    """ICD-10-CM codes, and their terms filed under each term's rarest required word.

    Read from JSON as it is stored: the loader does no per-term work, so the first suggestion of
    a session waits for the file only.
    """

    def __init__(self, data: dict[str, Any]) -> None:
        self.source: str = data["source"]
        self.chapter_titles: dict[str, str] = data["chapters"]
        self.codes: dict[str, list[Any]] = data["codes"]  # code: [leaf, chapter, parent, text]
        self.by_word: dict[str, list[list[Any]]] = data["terms"]  # word: [[code, size, *words]]

    def description(self, code: str) -> str:
        return str(self.codes[code][3])

    def chapter(self, code: str) -> str:
        return str(self.codes[code][1])

    def is_leaf(self, code: str) -> bool:
        return bool(self.codes[code][0])

    @property
    def children(self) -> dict[str, list[str]]:
        if not hasattr(self, "_children"):
            kids: dict[str, list[str]] = {}
            for code, row in self.codes.items():
                if row[2]:
                    kids.setdefault(row[2], []).append(code)
            self._children = kids
        return self._children

    def billable(self, code: str, said: frozenset[str] = frozenset()) -> str:
        """The code, or its child while one stands for the same words: the child the note's
        words name (``said``: S93.40 → S93.401 "right ankle"), else the unspecified one (E11 →
        E11.9 "without complications"), else "Other ..." (G89.2 → G89.29 "Other chronic pain")."""
        while not self.is_leaf(code):
            child = self._default_child(code, said)
            if child is None:
                return code
            code = child
        return code

    def _default_child(self, code: str, said: frozenset[str]) -> str | None:
        parent = _words(self.description(code))
        ranked: list[tuple[int, str]] = []
        for child in self.children.get(code, []):
            before = self.description(child).lower().partition(" without ")[0]
            extra = _words(before) - parent - _DEFAULT_EXTRA
            unsaid = {norm(w) for w in _UNSPECIFIED_THING.findall(before)}
            if not extra:
                ranked.append((1, child))  # "..., unspecified" / "... without complications"
            elif extra <= said:
                ranked.append((0, child))  # the note says what the child adds ("right ankle")
            elif not extra - unsaid:
                ranked.append((2, child))  # "Sprain of unspecified ligament of ankle"
            elif extra == {"other"}:
                ranked.append((3, child))  # "Other chronic pain": no unspecified child exists
        return min(ranked)[1] if ranked else None


def _words(text: str) -> set[str]:
    words = _TOKEN.findall(_OPTIONAL_TEXT.sub(" ", text).lower())
    return {norm(w) for w in words if w not in _FUNCTION}


def _term(code: str, text: str, *, leaf: bool, official: bool = True) -> _Term | None:
    """A matchable term: the words the note must say for ``text`` (the description, or an
    inclusion term when not ``official``). A category's "Other ..." need not be said: its
    default child is chosen after the match."""
    if not official and not _ACRONYM.sub(" ", _OPTIONAL_TEXT.sub(" ", text)).strip(" ,-;/"):
        return None
    words = _TOKEN.findall(_OPTIONAL_TEXT.sub(" ", text).lower())
    optional = _OPTIONAL if leaf else _OPTIONAL | {"other"}
    required = frozenset(norm(w) for w in words if w not in _FUNCTION and w not in optional)
    if (
        not required
        or all(w[0].isdigit() for w in required)
        or (len(required) == 1 and next(iter(required)) in _TOO_GENERAL)
    ):
        return None
    return _Term(code, tuple(sorted(required)), len(_TOKEN.findall(text.lower())))


def load_index() -> None:
    """Read the code index now (0.3 s, once per process), off a thread that must stay quick."""
    _index()


@lru_cache(maxsize=1)
def _index() -> _Index:
    with gzip.open(INDEX_FILE, "rt", encoding="utf-8") as f:
        return _Index(json.load(f))


@lru_cache(maxsize=1)
def _synonyms() -> list[tuple[re.Pattern[str], str]]:
    """The clinician's words → ICD-10-CM words, one ``pattern<TAB>replacement`` a line."""
    out = []
    for line in read_word_list(SYNONYMS_FILE):
        pattern, _, replacement = line.partition("\t")
        out.append(
            (
                re.compile(rf"\b(?:{pattern.strip()})\b", re.IGNORECASE),
                replacement.split("#")[0].strip(),
            )
        )
    return out


def _tokens(text: str) -> list[tuple[str, int, int]]:
    """Normalised words with the character span each stands for; a lay term becomes its ICD
    words, each spanning the whole lay phrase."""
    low = text.lower().replace("’", "'")
    spans: list[tuple[int, int, str]] = []
    for rx, replacement in _synonyms():
        for m in rx.finditer(low):
            if not any(s < m.end() and m.start() < e for s, e, _ in spans):
                spans.append((m.start(), m.end(), replacement))
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN.finditer(low):
        if any(s <= m.start() < e for s, e, _ in spans):
            continue
        out.append((norm(m.group()), m.start(), m.end()))
    for s, e, replacement in spans:
        out.extend((norm(w), s, e) for w in _TOKEN.findall(replacement.lower()))
    return sorted(out, key=lambda t: (t[1], t[2]))


def _window(required: list[str], where: dict[str, list[int]]) -> tuple[int, ...] | None:
    """Token positions (one per required word) packed close enough to be one problem."""
    best: tuple[int, ...] | None = None
    for a in where[required[0]]:
        picked = tuple(sorted(min(where[w], key=lambda p: abs(p - a)) for w in required))
        if picked[-1] - picked[0] + 1 <= len(picked) + _GAP and (
            best is None or picked[-1] - picked[0] < best[-1] - best[0]
        ):
            best = picked
    return best


def _clause(text: str, start: int, end: int) -> tuple[int, int]:
    """The bounds of the clause around ``start:end`` (a sentence, or its part before a "but")."""
    bounds = [0, *(m.end() for m in _CLAUSE.finditer(text)), len(text)]
    return (
        max(b for b in bounds if b <= start),
        min((b for b in bounds if b >= end), default=len(text)),
    )


def _not_current(clause: str, problem: str) -> bool:
    """Whether the problem is negated, ruled out, past or resolved in its clause."""
    if _NOT_CURRENT.search(clause):
        return True
    return bool({stem(t) for t in _TOKEN.findall(problem.lower())} & negated_terms(clause))


def code_problems(text: str) -> list[ProblemCode]:
    """The ICD-10-CM codes that the problems written in ``text`` name, in the text's order.

    Each problem is the closest-packed run of words that says every required word of a code's
    term; the term with the most such words wins (then a billable code, then the shorter term),
    and each word serves one problem.
    """
    index = _index()
    toks = _tokens(text)
    where: dict[str, list[int]] = {}
    for i, (w, _, _) in enumerate(toks):
        where.setdefault(w, []).append(i)
    found: list[tuple[tuple[int, bool, int, str], str, tuple[int, ...]]] = []
    for w in where:
        for code, size, *required in index.by_word.get(w, ()):
            if all(r in where for r in required):
                picked = _window(required, where)
                if picked is not None:
                    rank = (-len(required), not index.is_leaf(code), size, code)
                    found.append((rank, code, picked))
    used: set[int] = set()
    out: list[ProblemCode] = []
    for _, term_code, picked in sorted(found, key=lambda f: f[0]):
        if used & set(picked):
            continue
        used.update(picked)
        start, end = toks[picked[0]][1], toks[picked[-1]][2]
        lo, hi = _clause(text, start, end)
        if _not_current(text[lo:hi], text[start:end]):
            continue
        said = frozenset(w for w, s, e in toks if lo <= s and e <= hi)
        code = index.billable(term_code, said)
        if code in _NOT_A_PROBLEM:
            continue
        out.append(ProblemCode(code, index.description(code), text[start:end], start, end))
    return sorted(out, key=lambda p: p.start)


def assessment_sentences(note: NoteDraft) -> list[int]:
    """Positions (in ``note.sentences()``) of the sentences in the note's assessment sections."""
    out, pos = [], 0
    for section in note.sections:
        if ASSESSED_TITLE.search(section.title):
            out.extend(range(pos, pos + len(section.sentences)))
        pos += len(section.sentences)
    return out


def suggest_codes(note: NoteDraft) -> list[CodeSuggestion]:
    """ICD-10-CM codes for the problems the note's assessment names, one per code, in note order.

    Only the assessment / assessment-and-plan / impression / problem sections are read: a code
    always comes from a problem the clinician assessed, never from history or a plan step alone.
    A category is dropped when one of its own codes is also suggested.
    """
    index = _index()
    sentences = note.sentences()
    out: list[CodeSuggestion] = []
    for pos in assessment_sentences(note):
        sentence = sentences[pos]
        if sentence.text.rstrip().endswith("?"):
            continue  # a question names no assessed problem ("Is that related to lyme disease?")
        for p in code_problems(sentence.text):
            if p.code not in {s.code for s in out}:
                out.append(
                    CodeSuggestion(p.code, p.description, p.problem, pos, tuple(sentence.evidence))
                )
    codes = {s.code for s in out}
    return [s for s in out if not any(c != s.code and _is_under(c, s.code, index) for c in codes)]


def _is_under(code: str, ancestor: str, index: _Index) -> bool:
    return code.startswith(ancestor) and code in index.codes


def index_source() -> str:
    """What the committed index was built from ("simple-icd-10-cm 1.5.0")."""
    return _index().source


def chapter_of(code: str) -> str:
    """The ICD-10-CM chapter number of a code ("I10" → "9"); "" for a code not in the index."""
    row = _index().codes.get(code)
    return str(row[1]) if row else ""


def chapter_title(chapter: str) -> str:
    """The official title of an ICD-10-CM chapter ("9" → "Diseases of the circulatory system …")."""
    return _index().chapter_titles.get(chapter, "")


def build_index() -> dict[str, Any]:
    """The index from ``simple-icd-10-cm`` (slow: imports the package's 100,000 codes).

    ``codes`` holds categories and subcategories (a code with a 7th character stays at its
    subcategory, since a note's words seldom say the encounter); ``terms`` each code's
    description and inclusion terms as :func:`norm` words, filed under the rarest. Rebuild after
    changing :func:`norm` or the word lists above.
    """
    import importlib.metadata

    import simple_icd_10_cm as icd

    chapters: dict[str, str] = {}
    codes: dict[str, list[Any]] = {}
    terms: list[_Term] = []
    for code in icd.get_all_codes(True):
        if icd.is_chapter(code):
            chapters[code] = icd.get_description(code)
            continue
        if icd.is_block(code) or icd.is_extended_subcategory(code):
            continue
        ancestors = icd.get_ancestors(code)
        if ancestors[-1] == EXTERNAL_CAUSES:
            continue
        parent = next((a for a in ancestors if icd.is_category_or_subcategory(a)), "")
        description = icd.get_description(code)
        codes[code] = [int(icd.is_leaf(code)), ancestors[-1], parent, description]
        extra = [*icd.get_inclusion_term(code), *icd.get_includes(code)]
        for text, official in [(description, True), *((t, False) for t in extra)]:
            term = _term(code, text, leaf=icd.is_leaf(code), official=official)
            if term is not None and term not in terms[-8:]:
                terms.append(term)
    counts: dict[str, int] = {}
    for t in terms:
        for w in t.required:
            counts[w] = counts.get(w, 0) + 1
    by_word: dict[str, list[list[Any]]] = {}
    for t in terms:
        words = sorted(t.required, key=lambda w: (counts[w], w))
        by_word.setdefault(words[0], []).append([t.code, t.size, *words])
    version = importlib.metadata.version("simple-icd-10-cm")
    return {
        "source": f"simple-icd-10-cm {version}",
        "chapters": chapters,
        "codes": codes,
        "terms": by_word,
    }


if __name__ == "__main__":
    built = build_index()
    text = json.dumps(built, ensure_ascii=False, separators=(",", ":"))
    with INDEX_FILE.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as f:
        f.write(text.encode("utf-8"))  # mtime 0: the same package gives the same bytes
    print(f"Wrote {len(built['codes'])} ICD-10-CM codes to {INDEX_FILE.name}.")
