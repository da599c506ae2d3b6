"""Allergies, the review of systems and vitals a visit states, each with its evidence.

The parts of :mod:`scribe.drafting.offline.facts` that are not medications or problems: an allergy
(agent and reaction, or none known), a symptom endorsed or denied by system, a vital sign. They
read the visit's segments as :func:`~scribe.drafting.offline.facts.visit_facts` prepares them
(lower case, numbers as digits); a question is never a finding, its yes or no answer makes it one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from functools import lru_cache

from scribe.domain import Segment
from scribe.drafting.offline.questions import ALLERGY, asked, fold
from scribe.drafting.offline.rules import ros_system
from scribe.drafting.offline.text import is_question, split_sentences
from scribe.nlp import NO_ANSWER, YES_ANSWER, drugs_mentioned

__all__ = [
    "Allergy",
    "RosFinding",
    "Vital",
    "allergies_in",
    "ros_in",
    "sentences_of",
    "speaker_role",
    "vitals_in",
]

# Each pass reads a turn's sentences: split once (facts.py shares this cache).
sentences_of = lru_cache(maxsize=2048)(split_sentences)


def speaker_role(seg: Segment) -> str | None:
    """The segment's speaker role, "clinician" or "patient" (before any ":name"); else None."""
    role = (seg.speaker or "").partition(":")[0]
    return role if role in ("clinician", "patient") else None


@dataclass(frozen=True)
class Allergy:
    """An allergy with its reaction, or (``agent`` None) none known; ``drugs_only``: the
    denial was of drug allergies."""

    agent: str | None
    reaction: str | None = None
    evidence: tuple[int, ...] = ()
    drugs_only: bool = True

    @property
    def no_known_allergies(self) -> bool:
        return self.agent is None


@dataclass(frozen=True)
class RosFinding:
    system: str
    symptom: str
    present: bool
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True)
class Vital:
    kind: str  # BP | HR | Temp | SpO2 | RR | Weight
    value: str
    evidence: tuple[int, ...] = ()


# --- allergies ---------------------------------------------------------------------------------

_ALLERGENS = re.compile(
    r"\b(sulfa(?: drugs)?|latex|peanuts?|tree nuts|nuts|shellfish|iodine|contrast(?: dye)?|eggs?|"
    r"bee stings?|bees|cats?|dogs?|pollen|dust|mold|gluten|dairy|adhesive|tape|nickel|"
    r"strawberries|fish|soy|wheat)\b")
_REACTIONS = [
    ("anaphylaxis", r"anaphyla\w*"),
    ("hives", r"hives"),
    ("rash", r"rash|(?:breaks?|broke) out(?! in hives)"),
    ("swelling", r"swell\w*|swole"),
    ("trouble breathing", r"trouble breathing|difficulty breathing|hard to breathe|can't breathe|"
                          r"couldn't breathe|short(?:ness)? of breath"),
    ("throat closing", r"throat (?:clos\w*|tight\w*)"),
    ("nausea", r"nause\w*|sick to (?:my|his|her) stomach|throw(?:ing)? up|vomit\w*"),
    ("itching", r"itch\w*"),
    ("diarrhea", r"diarrhea"),
]
_REACTION_RX = [(name, re.compile(rf"\b(?:{rx})")) for name, rx in _REACTIONS]
_DENIES_ALLERGY = re.compile(
    r"\b(?:no|not any|don't have any|do not have any|denies|without|nkda|no known)\b[^.?!]{0,25}"
    r"allerg|\bnkda\b|\bnot allergic to (?:anything|any)\b")
_NOT_ALLERGIC = re.compile(r"\bnot allergic to ")
_ALLERGIC_TO = re.compile(r"\ballergic to (?:the |a |an |some )?([a-z]{4,})")
_NOT_AGENT = frozenset({"anything", "that", "this", "them", "something", "things", "medications",
                        "medicine", "medicines", "any"})


def _reactions(text: str) -> list[str]:
    return [name for name, rx in _REACTION_RX if rx.search(text)]


def _agents(text: str) -> list[str]:
    """Drugs and common allergens a sentence names, in the order said (not those it says the
    patient is not allergic to)."""
    found = [(m.start(), m.group(1)) for m in _ALLERGENS.finditer(text)]
    for name in drugs_mentioned(text):
        m = re.search(rf"\b{re.escape(name)}\b", text)
        if m and not any(m.start() >= s and m.start() < s + len(a) for s, a in found):
            found.append((m.start(), name))
    for m in _ALLERGIC_TO.finditer(text):  # a name the lexicon lacks ("allergic to augmentin")
        if m.group(1) not in _NOT_AGENT and not any(a == m.group(1) for _, a in found) and not \
                any(m.start(1) >= s and m.start(1) < s + len(a) for s, a in found):
            found.append((m.start(1), m.group(1)))
    negated = [m.end() for m in _NOT_ALLERGIC.finditer(text)]
    return [a for s, a in sorted(found) if not any(0 <= s - e <= 20 for e in negated)]


def allergies_in(segs: list[tuple[Segment, str]]) -> tuple[list[Allergy], set[int]]:
    """The allergies stated or denied, and the segments whose drugs are allergens, not meds."""
    found: list[Allergy] = []
    allergen_segs: set[int] = set()
    for k, (seg, text) in enumerate(segs):
        if not ALLERGY.search(text):
            continue
        nxt = segs[k + 1] if k + 1 < len(segs) else None
        sentences = sentences_of(text)
        last = sentences[-1] if sentences else ""
        asks = is_question(last) or last.endswith("?")  # "..., is that right?" asks too
        if (ALLERGY.search(last) and asks and speaker_role(seg) != "patient"
                and nxt is not None and speaker_role(nxt[0]) != speaker_role(seg)):
            answer, idx = nxt[1], (seg.index, nxt[0].index)
            agents = _agents(answer)
            if not agents and YES_ANSWER.match(answer) and not NO_ANSWER.match(answer):
                agents = _agents(last)  # "and codeine makes you itch?" "yes."
            if agents:
                allergen_segs.update(idx)
                found += _agent_facts(agents, f"{last} {answer}", idx, segs[k + 2: k + 4])
            elif NO_ANSWER.match(answer) or _DENIES_ALLERGY.search(answer):
                drugs_only = bool(re.search(r"\b(?:medic|drug)", last))
                found.append(Allergy(None, evidence=idx, drugs_only=drugs_only))
            sentences = sentences[:-1]
        for sent in sentences:
            if not ALLERGY.search(sent) or is_question(sent):
                continue
            agents = _agents(sent)
            if agents:
                allergen_segs.add(seg.index)
                found += _agent_facts(agents, sent, (seg.index,), segs[k + 1: k + 3])
            elif _DENIES_ALLERGY.search(sent):
                drugs_only = not re.search(r"\bno known allergies\b|\bno allergies\b", sent) \
                    or bool(re.search(r"\b(?:medic|drug)", sent))
                found.append(Allergy(None, evidence=(seg.index,), drugs_only=drugs_only))
    return _dedupe_allergies(found), allergen_segs


def _agent_facts(agents: list[str], text: str, evidence: tuple[int, ...],
                 following: list[tuple[Segment, str]]) -> list[Allergy]:
    reactions = _reactions(text)
    if not reactions:
        for seg, later in following:  # "what happens?" "i get hives."
            if _agents(later) and not set(_agents(later)) <= set(agents):
                break
            reactions = _reactions(later)
            if reactions:
                evidence = (*evidence, seg.index)
                break
    reaction = ", ".join(reactions) or None
    return [Allergy(a, reaction, evidence) for a in agents]


def _dedupe_allergies(found: list[Allergy]) -> list[Allergy]:
    by_agent: dict[str | None, Allergy] = {}
    for a in found:
        old = by_agent.get(a.agent)
        if old is None:
            by_agent[a.agent] = a
        else:
            by_agent[a.agent] = replace(old, reaction=old.reaction or a.reaction,
                                        evidence=tuple(sorted({*old.evidence, *a.evidence})))
    if any(k is not None for k in by_agent) and None in by_agent and by_agent[None].drugs_only:
        del by_agent[None]  # a drug allergy named after all: "no known drug allergies" is wrong
    return list(by_agent.values())


# --- review of systems, vitals -----------------------------------------------------------------

_NOT_ROS = re.compile(r"\b(?:taking|using|smoking|drinking|medic\w*|allerg\w*|pills?)\b")
_SPLIT_LIST = re.compile(r"\s*,\s*(?:or\s+|and\s+)?|\s+(?:or|and)\s+")
_PATIENT_HAS = re.compile(r"\b(?:i've had|i have|i've been having|i'm having|i get|i've noticed|"
                          r"i noticed|i've got)\s+(?:a |an |some |this |the )?")
_PATIENT_HASNT = re.compile(r"\b(?:no|i haven't had|i haven't noticed|i don't have|i haven't "
                            r"been having|i've not had|denies)\s+(?:any\s+)?")
_PHRASE_END = re.compile(r"\s(?:for|since|and|or|in|on|when|with|but|that|the|at|because|"
                         r"like|about|after|every|lately|recently|anymore|though|too|either|as well)\b|[,.;?!]|$")


def _symptom(text: str) -> tuple[str, str] | None:
    """(system, symptom) of a short symptom phrase ("chest pain" → Cardiovascular)."""
    text = text.strip(" .,?")
    m = _PHRASE_END.search(text)
    phrase = text[: m.start()] if m else text
    if not phrase or len(phrase.split()) > 4 or _NOT_ROS.search(phrase):
        return None
    system = ros_system(phrase)
    return (system, phrase) if system else None


def ros_in(segs: list[tuple[Segment, str]]) -> list[RosFinding]:
    found: dict[tuple[str, str], RosFinding] = {}

    def add(system: str, symptom: str, present: bool, evidence: tuple[int, ...]) -> None:
        found.setdefault((system, symptom), RosFinding(system, symptom, present, evidence))

    for k, (seg, text) in enumerate(segs):
        nxt = segs[k + 1] if k + 1 < len(segs) else None
        sentences = sentences_of(text)
        if not sentences:
            continue
        last = sentences[-1]
        if speaker_role(seg) != "patient" and nxt is not None and (
                is_question(last) or asked(last, nxt[1])):
            word = NO_ANSWER.match(nxt[1]) or YES_ANSWER.match(nxt[1])
            if word is None:
                continue  # only a yes or a no makes a question a finding
            folded = fold(last, seg, nxt[0])
            if folded is None:
                # "yes, a little when I climb stairs": the yes answers it, the rest is detail.
                folded = fold(last, seg, replace(nxt[0], text=word.group(0)))
            if folded is not None and folded[0].startswith(("denies ", "reports ")):
                verb, _, topic = folded[0].partition(" ")
                answer = nxt[1]
                parts = [p for p in _SPLIT_LIST.split(topic) if p]
                named = [p for p in parts if p in answer] if verb == "reports" else []
                for part in named or parts:
                    hit = _symptom(part)
                    if hit:
                        add(*hit, verb == "reports", folded[1])
            continue
        if speaker_role(seg) == "clinician":
            continue
        for sent in sentences:
            if is_question(sent):
                continue
            for rx, present in ((_PATIENT_HASNT, False), (_PATIENT_HAS, True)):
                m = rx.search(sent)
                if m:
                    hit = _symptom(sent[m.end():])
                    if hit:
                        add(*hit, present, (seg.index,))
                    break
    return list(found.values())


_VITALS = [
    ("BP", re.compile(r"\b(?:blood pressure|bp)\b[^.?!]{0,40}?\b(\d{2,3}/\d{2,3})\b"),
     lambda v: 60 <= int(v.split("/")[0]) <= 260),
    ("HR", re.compile(r"\b(?:heart rate|pulse(?! ox)|hr)\b[^.?!/]{0,30}?\b(\d{2,3})\b"),
     lambda v: 30 <= float(v) <= 220),
    ("RR", re.compile(r"\b(?:respiratory rate|respirations|breathing rate|rr)\b[^.?!]{0,30}?"
                      r"\b(\d{1,2})\b"), lambda v: 6 <= float(v) <= 60),
    ("Temp", re.compile(r"\b(?:temperature|temp)\b[^.?!]{0,30}?\b(\d{2,3}(?:\.\d)?)\b"),
     lambda v: 34 <= float(v) <= 43 or 93 <= float(v) <= 108),
    ("SpO2", re.compile(r"\b(?:oxygen(?: saturation| sat\w*| level)?|o2 sat\w*|saturation|sats|"
                        r"pulse ox\w*)\b[^.?!]{0,30}?\b(\d{2,3})(?:%| percent)?"),
     lambda v: 70 <= float(v) <= 100),
    ("Weight", re.compile(r"\b(?:weight|weigh|weighs|weighed)\b[^.?!]{0,30}?\b(\d{2,3}(?:\.\d)?)"
                          r"\s*(?:pounds|lbs?|kg)\b"), lambda v: 2 <= float(v) <= 700),
]
_WEIGHT_UNIT = re.compile(r"\d\s*(pounds|lbs?|kg)\b")


def vitals_in(segs: list[tuple[Segment, str]]) -> list[Vital]:
    found: dict[str, Vital] = {}
    for seg, text in segs:
        for sent in sentences_of(text):
            if is_question(sent):
                continue
            for kind, rx, plausible in _VITALS:
                m = rx.search(sent)
                if m and plausible(m.group(1)):
                    value = m.group(1)
                    if kind == "Weight":
                        unit = _WEIGHT_UNIT.search(sent[m.start(1):])
                        value += " kg" if unit and unit.group(1) == "kg" else " lb"
                    found[kind] = Vital(kind, value, (seg.index,))  # a recheck wins
    order = [k for k, _, _ in _VITALS]
    return sorted(found.values(), key=lambda v: order.index(v.kind))
