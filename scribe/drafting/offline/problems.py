"""The visit's problems, as the clinician names them, and the Assessment and Plan laid out by them.

A problem is a condition the clinician introduces ("for your first problem, your congestive heart
failure", "regarding your depression", "from a diabetes standpoint", "my impression is a lumbar
strain", "I'm going to diagnose you with COPD") in the words said, so the heading is as supported
as any other sentence. Each assessment or plan sentence goes under the problem it names, else under
the problem last introduced before it; follow-up and general lines stay apart. A visit with no
problem named this way takes the first condition its assessment (else plan) lines name, else its
chief complaint, else the condition named most often, so a visit that discussed a problem never
has an empty Assessment.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from scribe.domain import Sentence, Support, Transcript
from scribe.drafting.offline.prose import trim_tail
from scribe.drafting.offline.rules import CUES, STRONG
from scribe.drafting.offline.text import is_question, sentence_case, tidy
from scribe.nlp import STOPWORDS, plain_content_words, strip_fillers

_PHRASE = r"([a-z0-9][a-z0-9' /-]{2,60}?)"
_POSS = r"(?:your|his|her|their|the|this|that|these|those)"
_END = r"(?=\s*[,.;?!]|\s+(?:i|we|you|he|she|it|let's|so|and|which|that|is|are|was|were|but|"
_END += r"because|where|um|uh|today|here|now|your|from|or|right now)\b|\s*$)"
_ORDINAL = r"(?:first|second|third|fourth|fifth|next|last|final|other|primary|main|new)"
# (kind, pattern): "nth" and "diagnosis" name a problem outright; "topic" needs a plan line too.
_CUES: list[tuple[str, re.Pattern[str]]] = [
    ("nth", re.compile(
        rf"\b(?:for|with|on|to|is|and) {_POSS} {_ORDINAL} (?:problem|issue|concern|diagnosis)s?"
        rf"(?: here)?(?:,| is| of| with| being)?[\s,]+(?:(?:{_POSS}|of|with|is|for|um|uh)[\s,]+)*"
        rf"{_PHRASE}"
        rf"{_END}")),
    ("topic", re.compile(
        rf"\b(?:regarding|in regards? to|with regards? to|in terms of|as far as|as for|moving on "
        rf"to|now for|so for|and for|then for|and then for)\s+{_POSS}\s+{_PHRASE}"
        r"(?=\s*,|\s+(?:i|we|let's|it|it's|you|you're)\b)")),
    ("topic", re.compile(rf"\bfrom an? {_PHRASE} (?:standpoint|perspective)\b")),
    ("diagnosis", re.compile(
        rf"\b(?:(?:my|the|your|his|her) (?:impression|assessment|diagnosis) (?:is|would be)"
        rf"(?: that)?(?: (?:you|he|she)"
        rf" (?:have|has|had|probably have|probably has|likely have|likely has))?|i think (?:you|he"
        rf"|she) (?:have|has|had|probably have|probably has|likely have|likely has)|diagnos(?:e|"
        rf"ed|ing)(?: (?:you|him|her))? with|(?:this|it) is (?:most )?(?:likely|probably|"
        rf"consistent with)|consistent with)\s+(?:(?:an?|some|a little|mild|{_POSS})\s+)?"
        rf"{_PHRASE}{_END}")),
]
# A problem phrase names a condition (or a procedure the patient is followed for).
_CONDITION = re.compile(
    r"(?:itis|osis|emia|pathy|algia|ism|oma|ectomy|plasty|uria|rrhea)\b|\b(?:disease|syndrome|"
    r"disorder|infection|sprain|strain|fracture|tear|injury|contusion|failure|hypertension|"
    r"diabetes|asthma|copd|reflux|gerd|migraines?|headaches?|gout|depression|anxiety|pain|"
    r"stones?|nodules?|cyst|lesion|ulcer|hernia|cancer|mass|murmur|fibrillation|insufficiency|"
    r"stenosis|regurgitation|obesity|apnea|eczema|psoriasis|acne|rash|abscess|concussion|"
    r"dislocation|cholesterol|allerg(?:y|ies)|insomnia|transplant|replacement|repair|surgery|"
    r"blood pressure|sugar|afib|a-fib|chf|ckd|dependence|use disorder|smoking|weight|"
    r"hypothyroid\w*|hyperthyroid\w*|swelling|numbness|bleeding|palpitations|dizziness|"
    r"cough|fatigue|constipation|diarrhea|nausea|vomiting|wheezing|shortness of breath|"
    r"incontinence|dysfunction|deficiency|neuropathy|sclerosis|polyps?|lump|bump|hep c|rigidus|"
    r"spurs?|tumou?r|aneurysm|opacit\w+|effusion|thrombosis|embolism|infarct\w*|seizures?|"
    r"hyperglycemia|hypoglycemia|lupus|hiv|covid|flu|influenza|pneumonia|strep|uti)\b",
    re.IGNORECASE,
)
_NOT_PROBLEM = re.compile(
    r"\b(?:you|your|i|we|me|my|it|is|are|was|were|have|has|had|do|does|did|been|be|think|know|any|"
    r"there|questions?|exam|results?|medications?|plan|thing|things|okay|gonna|going)\b",
    re.IGNORECASE,
)
_LEAD = re.compile(rf"^(?:(?:{_POSS}|of|with|is|for|an?|some|um|uh|kind of|sort of)\s+)+")
# Lay words and the clinical term for the same problem: one heading, in the clinical term.
SAME_PROBLEM = {
    "high blood pressure": "hypertension",
    "blood pressure": "hypertension",
    "sugar": "diabetes",
    "sugars": "diabetes",
    "heart failure": "congestive heart failure",
    "chf": "congestive heart failure",
    "afib": "atrial fibrillation",
    "a-fib": "atrial fibrillation",
    "acid reflux": "reflux",
    "gerd": "reflux",
    "thyroid": "hypothyroidism",
    "cholesterol": "hyperlipidemia",
    "high cholesterol": "hyperlipidemia",
}
_FOLLOW_UP = re.compile(
    r"\b(?:follow[- ]?up|come back|see (?:you|him|her|them) (?:back|again|in)|return (?:in|to)|"
    r"next (?:visit|appointment)|any questions)\b",
    re.IGNORECASE,
)
_GENERIC = frozenset(
    {"pain", "problem", "issue", "chronic", "acute", "mild", "severe", "new", "newly",
     "diagnosed", "history", "left", "right", "little", "bit", "blood", "level", "levels"}
)


class UnitLike(Protocol):
    text: str
    evidence: tuple[int, ...]
    position: float
    label: str


@dataclass
class Problem:
    """A condition the clinician named, where, and the note sentences that belong to it."""

    name: str
    evidence: tuple[int, ...]
    position: float
    mentions: list[float] = field(default_factory=list)  # where it is named (0–1 of the visit)
    strong_mentions: list[float] = field(default_factory=list)  # named outright, not in passing
    units: list[UnitLike] = field(default_factory=list)

    @property
    def strong(self) -> bool:
        """Named outright ("for your first problem", "my impression is") at least once."""
        return bool(self.strong_mentions)

    @property
    def heading(self) -> str:
        return sentence_case(self.name)

    @property
    def words(self) -> set[str]:
        return {w.rstrip("s") for w in plain_content_words(self.name)}


def _phrase(raw: str) -> str | None:
    """A cue's captured words as a problem name, or None when they do not name a condition."""
    phrase = _LEAD.sub("", strip_fillers(raw).strip(" ,.-"))
    phrase = trim_tail(re.sub(r"\s+", " ", phrase).strip(" ,.-"))
    if not phrase or len(phrase.split()) > 8 or _NOT_PROBLEM.search(phrase):
        return None
    return phrase if _CONDITION.search(phrase) else None


def _key(name: str) -> str:
    """The clinical term a problem's name stands for ("high blood pressure" → hypertension)."""
    low = name.lower()
    for lay, term in SAME_PROBLEM.items():
        if re.search(rf"\b{re.escape(lay)}\b", low):
            return term
    return low


def _same(a: str, b: str) -> bool:
    a, b = _key(a), _key(b)
    wa = {w.rstrip("s") for w in plain_content_words(a)} - _GENERIC
    wb = {w.rstrip("s") for w in plain_content_words(b)} - _GENERIC
    if not wa or not wb:
        return a == b
    return bool(wa & wb) and (wa <= wb or wb <= wa)


def find_problems(transcript: Transcript) -> list[Problem]:
    """Problems the clinician names, in the order first named; one per distinct problem (named
    in the clinical term when the clinician said it too)."""
    segs = transcript.segments
    n = max(len(segs), 1)
    found: list[Problem] = []
    for k, seg in enumerate(segs):
        # Only the clinician asks "regarding your …"; the outright cues ("for your first
        # problem", "my impression is") are the clinician's even where the labels are swapped.
        by_patient = (seg.speaker or "").partition(":")[0] == "patient"
        text = tidy(seg.text).lower()
        for kind, rx in _CUES:
            if by_patient and kind == "topic":
                continue
            for m in rx.finditer(text):
                name = _phrase(m.group(1))
                if name is None:
                    continue
                pos = (k + m.start() / max(len(text), 1)) / n
                same = next((p for p in found if _same(p.name, name)), None)
                strong = [pos] if kind != "topic" else []
                if same is None:
                    found.append(Problem(name, (seg.index,), pos, mentions=[pos],
                                         strong_mentions=strong))
                    continue
                same.mentions.append(pos)
                same.strong_mentions += strong
                if _key(name) == name.lower() and _key(same.name) != same.name.lower():
                    same.name = name  # the clinician said the clinical term: head with it
                    same.evidence = (seg.index,)
    return found


def lay_out(
    units: Sequence[UnitLike], problems: list[Problem]
) -> tuple[list[UnitLike], list[Problem], list[UnitLike]]:
    """(lines before the problems, problems with their lines, follow-up lines after them).

    A line goes to the problem whose distinctive words it shares, else to the problem last
    named before it; lines before any problem is named, and follow-up, stay general. A problem
    only touched on in passing ("regarding your asthma" with no plan line) is left out.
    """
    lead: list[UnitLike] = []
    tail: list[UnitLike] = []
    for p in problems:
        p.units = []
    # Where the clinician turns to the assessment: a problem asked about earlier ("in terms of
    # your blood pressure, how are you doing?") is not yet the heading of what follows.
    strong = [m for p in problems for m in p.strong_mentions]
    start = min(strong) if strong else min((m for p in problems for m in p.mentions), default=0)
    for u in sorted(units, key=lambda u: u.position):
        if _FOLLOW_UP.search(u.text):
            tail.append(u)
            continue
        words = {w.rstrip("s") for w in plain_content_words(u.text)}
        named = [p for p in problems if (p.words - _GENERIC) & words]
        before = [p for p in problems if any(start <= m <= u.position for m in p.mentions)]
        if named:
            owner = max(named, key=lambda p: len((p.words - _GENERIC) & words))
        elif before:
            owner = max(before, key=lambda p: max(m for m in p.mentions if m <= u.position))
        else:
            lead.append(u)
            continue
        owner.units.append(u)
    kept = [p for p in problems if p.units or p.strong]
    kept.sort(key=lambda p: min((u.position for u in p.units), default=p.mentions[0]))
    for p in kept:
        for u in p.units:
            u.text = _without_cue(u.text, p)
        p.units = [u for u in p.units if u.text]
    return lead, kept, tail


_CUE_LEAD = re.compile(
    r"^(?:my (?:assessment|impression|plan) )?(?:for|regarding|in regards? to|with regards? to|"
    r"in terms of|as far as|as for|from an?|now for|so for|and for|then for|moving on to)\b",
    re.IGNORECASE,
)
_STANDPOINT = re.compile(r"^(?:\S+\s+){1,7}?(?:standpoint|perspective)\b,?\s*", re.IGNORECASE)
_CUE_WORDS = frozenset({"first", "second", "third", "fourth", "fifth", "next", "last", "final",
                        "other", "problem", "issue", "standpoint", "perspective", "assessment",
                        "regard", "regards", "term", "terms", "new", "far"})


def _without_cue(text: str, problem: Problem) -> str:
    """ "For his first problem, his back pain, I think …" → "I think …" under the heading;
    "" when the line only names the problem ("From a depression standpoint.")."""
    body = text.rstrip(".")
    if not _CUE_LEAD.match(body):
        return text
    mine = problem.words - _GENERIC

    def names_it(part: str) -> bool:
        return bool(mine & {w.rstrip("s") for w in plain_content_words(part)})

    rest = None
    m = _STANDPOINT.match(body)
    if m and names_it(m.group(0)):
        rest = body[m.end():]
    else:
        parts = body.split(",")
        cut = max((i for i in range(min(3, len(parts))) if names_it(parts[i])), default=None)
        if cut is not None:
            rest = ",".join(parts[cut + 1 :])
    if rest is None:
        return text
    rest = rest.strip(" ,")
    if not rest:
        left = {w.rstrip("s") for w in plain_content_words(body)} - _CUE_WORDS - _GENERIC
        return "" if left <= mine else text
    return sentence_case(rest) if len(rest.split()) >= 3 else text


def _is_plan(u: UnitLike) -> bool:
    """A plan line: labelled so, or, once the problem's cue is off it ("for your first problem,
    your hypertension, I want to increase …"), worded as one and not as an impression."""
    if u.label == "plan":
        return True
    text = u.text.lower()
    return bool(CUES["plan"].search(text)) and not STRONG["assessment"].search(text)


def _sentence(u: UnitLike) -> Sentence:
    return Sentence(u.text, evidence=tuple(sorted(set(u.evidence))), support=Support.SUPPORTED)


def _heading(p: Problem) -> Sentence:
    return Sentence(p.heading, evidence=p.evidence, support=Support.SUPPORTED)


def assessment_and_plan(
    units: Sequence[UnitLike], problems: list[Problem], *, combined: bool
) -> tuple[list[Sentence], list[Sentence]]:
    """(Assessment sentences, Plan sentences), problem-oriented: each problem's heading line, then
    its lines. ``combined``: one "Assessment and plan" section, everything in the first list."""
    lead, kept, tail = lay_out(units, problems)
    if combined:
        out = [_sentence(u) for u in lead]
        for p in kept:
            out += [_heading(p)] + [_sentence(u) for u in p.units]
        return out + [_sentence(u) for u in tail], []
    assessment = [_sentence(u) for u in lead if not _is_plan(u)]
    plan = [_sentence(u) for u in lead if _is_plan(u)]
    for p in kept:
        assessment += [_heading(p)] + [_sentence(u) for u in p.units if not _is_plan(u)]
        todo = [_sentence(u) for u in p.units if _is_plan(u)]
        if todo:
            plan += [_heading(p)] + todo
    return assessment, plan + [_sentence(u) for u in tail]


_NEGATED_BEFORE = re.compile(r"\b(?:no|not|without|denies|negative for|rule out|ruled out|"
                             r"don't have|doesn't have|never had)\s+"
                             r"(?:\S+\s+){0,2}$", re.IGNORECASE)


def condition_in(text: str) -> str | None:
    """The condition a sentence names, with up to three words before it ("you have an acute
    lumbar strain" → "acute lumbar strain"), or None; a negated one ("no fracture") is not."""
    low = text.lower().rstrip(".")
    for m in _CONDITION.finditer(low):
        start = m.start()
        while start > 0 and not low[start - 1].isspace():
            start -= 1  # a suffix ("…itis") stands for its whole word ("bronchitis")
        if _NEGATED_BEFORE.search(low[:start]):
            continue
        words = low[:start].split()[-3:]
        while words and (words[0] in STOPWORDS or not words[0].isalpha()):
            words.pop(0)  # "you have an" → ""; keeps "acute lumbar"
        head = " ".join(words + [low[start : m.end()]]).strip(" ,")
        name = _phrase(head)
        if name:
            return name
    return None


def fallback_problem(units: Sequence[UnitLike]) -> Problem | None:
    """With no problem named by a cue: the first condition an assessment line (else a plan line)
    names, at that line."""
    for label in ("assessment", "plan"):
        for u in sorted(units, key=lambda u: u.position):
            if u.label != label:
                continue
            name = condition_in(u.text)
            if name:
                return Problem(name, tuple(u.evidence), u.position, mentions=[u.position],
                               strong_mentions=[u.position])
    return None


def most_named_condition(transcript: Transcript) -> Problem | None:
    """The condition named most often in the visit (the clinician's words first), or None."""
    counts: dict[str, int] = {}
    first: dict[str, tuple[int, float]] = {}
    segs = transcript.segments
    n = max(len(segs), 1)
    for k, seg in enumerate(segs):
        by_patient = (seg.speaker or "").partition(":")[0] == "patient"
        for sentence in re.split(r"(?<=[.?!])\s+", tidy(seg.text)):
            if is_question(sentence):
                continue  # "any allergies?" names no problem the patient has
            name = condition_in(sentence)
            if name is None:
                continue
            key = next((c for c in counts if _same(c, name)), name)
            counts[key] = counts.get(key, 0) + (1 if by_patient else 2)
            first.setdefault(key, (seg.index, k / n))
    if not counts:
        return None
    best = max(counts, key=lambda c: (counts[c], -first[c][1]))
    index, pos = first[best]
    return Problem(best, (index,), pos, mentions=[pos], strong_mentions=[pos])
