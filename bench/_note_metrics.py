"""What a clinician notices in a draft, measured the same way on drafts and reference notes.

- **Conversational sentences** (:func:`conversational`): a sentence reads as talk, not as a note,
  when it is a question (ends on "?", or opens "do you / is it / what …"), speaks to someone
  ("you", "your", "y'all"), proposes ("let's"), opens on a spoken opener ("well", "so", "okay",
  "alright", "um", "yeah", "oh", "hey", "anyway", "like" …), keeps a spoken filler ("you know",
  "i mean", "um", "gonna", "kinda"), or is a fragment that stops on a function word ("… the.",
  "… to.", "… and.", "… of.", "… a.", "… with.", "… so."; not "… for this.", "… with her.").
  Reference notes are split into sentences the same way.
- **Divisions**: ACI-Bench's evaluation (``evaluation/sectiontagger.py`` of wyim/aci-bench) splits a
  note into subjective / objective_exam / objective_results / assessment_and_plan by its section
  headers; each division runs from its first header to the first header of the next division, and
  a division a note lacks is the text ``#####EMPTY#####`` (so two notes that both lack it score 1).
- **Drugs**: names from the project's drug lexicon (:func:`scribe.nlp.drugs_mentioned`, read per
  line so a long note is searched whole), brand and generic made one (:func:`generic_drug_names`).
- **Allergy**: the transcript says "allerg…"; the draft documents it when a sentence says "allerg…"
  or "NKDA".
"""

from __future__ import annotations

import re
import statistics
from collections.abc import Iterable

DIVISIONS = ("subjective", "objective_exam", "objective_results", "assessment_and_plan")
EMPTY = "#####EMPTY#####"

_QUESTION_START = re.compile(
    r"^(?:(?:do|does|did|have|has|are|is|was|were|can|could|would|will|should)\s+(?:you|he|she|"
    r"they|we|i|it|there|that|this|anything|anyone)|(?:what|how|why|when|where|which|who)\s+"
    r"(?:do|does|did|is|are|was|were|have|has|can|could|would|will|should|about|else|long|much|"
    r"many|often)|any (?:other )?questions)\b",
    re.IGNORECASE,
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|you're|you've|you'll|you'd|yours|yourself|y'all)\b",
                            re.IGNORECASE)
_LETS = re.compile(r"\b(?:let's|lets|let us)\b", re.IGNORECASE)
_OPENER = re.compile(
    r"^(?:well|so|okay|ok|alright|all right|um+|uh+|uhm|hmm+|yeah|yep|yup|oh|hey|hi|hello|"
    r"anyway|like|mm-?hmm|uh-?huh)\b(?![-/])",
    re.IGNORECASE,
)
_FILLER = re.compile(r"\b(?:um+|uh+|you know|i mean|gonna|wanna|kinda|sorta|gotta)\b", re.I)
_FUNCTION_END = re.compile(
    r"\b(?:the|a|an|to|of|and|or|but|with|from|at|is|are|was|were|we|i|my|your|his|their|our|"
    r"these|be|by|if|because|about|into|like|than|so|it's|there's|he's|she's)\W*$",
    re.IGNORECASE,
)
_PLACEHOLDERS = {"(none)", "not discussed."}


def conversational(sentence: str) -> str | None:
    """Why one sentence reads as conversation ("question", "you", …), or None when it reads as a
    note. Leading bullets and list numbers are ignored."""
    s = re.sub(r"^[\s•*\-–]+|^\d+[.)]\s+", "", sentence.strip())
    if not s:
        return None
    if s.endswith("?") or _QUESTION_START.match(s):
        return "question"
    if _SECOND_PERSON.search(s):
        return "you"
    if _LETS.search(s):
        return "let's"
    if _OPENER.match(s):
        return "opener"
    if _FILLER.search(s):
        return "filler"
    if _FUNCTION_END.search(s.rstrip(".!")):
        return "fragment"
    return None


_SPLIT = re.compile(r"(?<=[.?!])\s+(?=[\"'(•A-Z0-9])")


def _is_header(line: str) -> bool:
    head = line.strip().rstrip(":").strip()
    return bool(re.search(r"[A-Z]", head)) and head.upper() == head and len(head.split()) <= 6


def text_sentences(note_text: str) -> list[str]:
    """The body sentences of a note's text: header lines and placeholders left out."""
    out: list[str] = []
    for line in note_text.splitlines():
        if not line.strip() or _is_header(line):
            continue
        out.extend(p for p in _SPLIT.split(line.strip()) if p.strip())
    return [s for s in out if s.strip().lower() not in _PLACEHOLDERS]


# ACI-Bench's section tagger: (division, header) — a header ending in ":" also matches alone on
# its line without the colon; one without ":" matches any line it starts.
_TAGGER = [
    ("subjective", ("cc :", "chief complaint :", "reason for visit :", "CHIEF COMPLAINT")),
    ("subjective", ("history :", "history of present illness :", "history of present illness",
                    "hpi :", "hpi", "hpi notes :", "interval history :", "interval hx :",
                    "subjective :", "HISTORY OF PRESENT ILLNESS")),
    ("subjective", ("ros :", "review of system :", "review of systems :")),
    ("subjective", ("SOCIAL HISTORY", "PAST HISTORY")),
    ("objective_exam", ("physical exam :", "physical examination :", "pe :", "physical findings :",
                        "examination :", "exam :", "PHYSICAL EXAMINATION", "PHYSICAL EXAM")),
    ("objective_exam", ("VITALS REVIEWED",)),
    ("objective_results", ("results :", "findings :", "RESULTS")),
    ("assessment_and_plan", ("assessment :", "a:")),
    ("assessment_and_plan", ("plan :", "plan of care :", "p:", "medical decision-making plan :",
                             "summary plan")),
    ("assessment_and_plan", ("ap :", "a / p :", "assessment and plan :", "assessment & plan :",
                             "disposition / plan :", "ASSESSMENT AND PLAN")),
]


def _compile(headers: Iterable[str]) -> re.Pattern[str]:
    def esc(h: str) -> str:
        return re.escape(h).replace(r"\ ", r"\s*")

    headers = list(headers)
    alone = [esc(h[:-1]) for h in headers if h.endswith(":")]
    pattern = r"\s*(?:" + "|".join(esc(h) for h in headers) + r").*"
    if alone:
        pattern = rf"(?:{pattern}|\s*(?:{'|'.join(alone)})\s*$)"
    return re.compile(pattern, re.IGNORECASE)


_TAGGER_RX = [(division, _compile(headers)) for division, headers in _TAGGER]
_IMPRESSION = re.compile(r"\s*IMPRESSION")  # upper case only, as ACI-Bench has it


def _division_of(line: str) -> str | None:
    for division, rx in _TAGGER_RX:
        if rx.match(line):
            return division
    return "assessment_and_plan" if _IMPRESSION.match(line) else None


def divisions(note_text: str) -> dict[str, str]:
    """A note's text per ACI-Bench division (``EMPTY`` for one it lacks)."""
    lines = note_text.split("\n")
    starts: list[tuple[int, str]] = []  # (line number, division) of each tagged header
    for i, line in enumerate(lines):
        division = _division_of(line)
        if division is not None:
            starts.append((i, division))
    if not starts or starts[0][0] != 0:
        starts.insert(0, (0, "subjective"))  # text before any header counts as subjective
    first: dict[str, int] = {}
    for i, division in starts:
        first.setdefault(division, i)
    order = sorted(first.items(), key=lambda kv: kv[1])
    out = dict.fromkeys(DIVISIONS, EMPTY)
    for k, (division, start) in enumerate(order):
        end = order[k + 1][1] if k + 1 < len(order) else len(lines)
        out[division] = "\n".join(lines[start:end])
    return out


def drugs_in(text: str) -> set[str]:
    """Generic names of the lexicon's drugs a text names (brand names mapped to their generic)."""
    from scribe.nlp import drugs_mentioned, generic_drug_names

    found: set[str] = set()
    for line in text.splitlines():
        for name in drugs_mentioned(line):
            found |= generic_drug_names(name) or {name}
    return found


_ALLERGY = re.compile(r"\ballerg|\bnkda\b", re.IGNORECASE)


def mentions_allergy(text: str) -> bool:
    return bool(_ALLERGY.search(text))


def p95(values: list[float]) -> float:
    """The 95th percentile (interpolated, as numpy's default)."""
    if len(values) < 2:
        return values[0] if values else 0.0
    return statistics.quantiles(values, n=20, method="inclusive")[18]


_LABEL_DIVISION = {"cc": "subjective", "hpi": "subjective", "ros": "subjective",
                   "exam": "objective_exam", "results": "objective_results",
                   "assessment": "assessment_and_plan", "plan": "assessment_and_plan"}


def draft_divisions(sections: Iterable[tuple[str, tuple[str, ...], list[str]]]) -> dict[str, str]:
    """A draft's text per division, from its template sections (title, engine labels, sentences):
    by the title as ACI-Bench's tagger reads it, else by the first label the section collects.
    A section with no sentences is left out, as a note without that section."""
    parts: dict[str, list[str]] = {}
    for title, labels, sentences in sections:
        if not sentences:
            continue
        division = _division_of(title.upper()) or next(
            (_LABEL_DIVISION[x] for x in labels if x in _LABEL_DIVISION), "subjective"
        )
        parts.setdefault(division, []).append("\n".join([title.upper(), *sentences]))
    return {d: "\n\n".join(parts[d]) if d in parts else EMPTY for d in DIVISIONS}


def title_kind(title: str) -> tuple[bool, bool]:
    """(is an Assessment, is a Plan) for a section title; "Assessment and plan" is both."""
    low = title.lower()
    a = bool(re.search(r"assessment|impression|\ba\s*[&/]\s*p\b", low))
    p = bool(re.search(r"\bplan\b|\ba\s*[&/]\s*p\b", low))
    return a, p


def empty_assessment_plan(sections: Iterable[tuple[str, list]]) -> tuple[bool, bool]:
    """(Assessment empty, Plan empty) of a draft's (title, sentences); a combined "Assessment and
    plan" counts for both. A template with no such section counts as empty."""
    filled_a = filled_p = False
    for title, sentences in sections:
        a, p = title_kind(title)
        filled_a |= a and bool(sentences)
        filled_p |= p and bool(sentences)
    return (not filled_a, not filled_p)


def separate_assessment_plan(titles: Iterable[str]) -> bool:
    """Whether a template has an Assessment section apart from its Plan."""
    return any(title_kind(t) == (True, False) for t in titles)
