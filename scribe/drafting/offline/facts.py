"""A visit's structured clinical facts, each with the transcript segments it came from.

:func:`visit_facts` reads medications (dose, route, frequency, status), allergies (agent and
reaction, or none known), the review of systems (endorsed or denied, by system), vitals and the
problems the clinician names. A question is never a fact: its answer makes it one ("are you
taking lisinopril?" "yes." → taking; "any chest pain?" "no." → denies chest pain). The writers
(:func:`medication_line`, :func:`allergy_line`, :func:`vitals_line`) word a fact as notes do.
Word rules only: no model, a 15-minute visit in a few milliseconds. Allergies, the review of
systems and vitals are read in :mod:`scribe.drafting.offline.findings`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from scribe.domain import Segment, Transcript
from scribe.drafting.offline.findings import (
    Allergy,
    RosFinding,
    Vital,
    allergies_in,
    ros_in,
    sentences_of,
    speaker_role,
    vitals_in,
)
from scribe.drafting.offline.problems import find_problems
from scribe.drafting.offline.questions import ALLERGY
from scribe.drafting.offline.rules import with_roles_fixed
from scribe.drafting.offline.text import is_question, tidy
from scribe.nlp import (
    NO_ANSWER,
    YES_ANSWER,
    drugs_mentioned,
    generic_names,
    join_thousands,
    normalize_numbers,
)

__all__ = [
    "Allergy",
    "Medication",
    "ProblemFact",
    "RosFinding",
    "VisitFacts",
    "Vital",
    "allergy_line",
    "medication_line",
    "visit_facts",
    "vitals_line",
]

STATUSES = ("taking", "started", "stopped", "changed", "continued")


@dataclass(frozen=True)
class Medication:
    """A drug the visit names: ``status`` is taking, started, stopped, changed or continued
    (None: named without saying which); ``change`` says how a changed one changed."""

    name: str
    dose: str | None = None
    route: str | None = None
    frequency: str | None = None
    status: str | None = None
    change: str | None = None  # increased | decreased | switched
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True)
class ProblemFact:
    name: str
    evidence: tuple[int, ...] = ()


@dataclass(frozen=True)
class VisitFacts:
    medications: tuple[Medication, ...] = ()
    allergies: tuple[Allergy, ...] = ()
    ros: tuple[RosFinding, ...] = ()
    vitals: tuple[Vital, ...] = ()
    problems: tuple[ProblemFact, ...] = ()


# --- medications -------------------------------------------------------------------------------

# (status, change, words that say it), matched before (else just after) the drug they govern.
_STATUS_CUES = [
    ("stopped", None, r"stop(?:ped|ping)?(?: taking| using)?|discontinu\w*|no longer (?:taking|"
                      r"on|using)|not taking|quit(?: taking)?|c[oa]me off|get off|ran out of|"
                      r"hold(?:ing)? (?:off on |the |your )"),
    ("changed", "increased", r"increas\w*|bump(?:ing)? up|go(?:ing)? up on|up(?:ping)? (?:the|"
                             r"your) dose|rais(?:e|ing) (?:the|your)|double"),
    ("changed", "decreased", r"decreas\w*|reduc\w*|lower(?:ing)? (?:the|your|his|her)|cut back|"
                             r"go(?:ing)? down on|taper\w*"),
    ("changed", "switched", r"switch\w*|chang\w* (?:you|him|her) (?:over )?(?:from|to)"),
    ("continued", None, r"continu\w*|keep (?:taking|using|on)|stay on|remain on|refill\w*"),
    ("started", None, r"prescrib\w*|start(?:ing)? (?:you |him |her )?(?:on )?|put (?:you|him|"
                      r"her) on|give (?:you|him|her)|add(?:ing)?|begin|try (?:you |him |her )?on|"
                      r"recommend\w*|send (?:in )?a prescription|order(?:ing)?"),
    ("taking", None, r"i (?:take|took|use)|i'm (?:still )?(?:taking|using|on)|i am (?:taking|on)|"
                     r"i've been (?:taking|on|using)|i started|(?:he|she) (?:takes|uses)|"
                     r"(?:he's|she's|you're|you are|you've been) (?:still )?(?:taking|on|using)|"
                     r"(?:are|is) (?:you|he|she) (?:still )?(?:taking|on|using)|currently "
                     r"(?:taking|on)|been taking|still on"),
]
_CUE_RX = [(s, c, re.compile(rf"\b(?:{rx})\b")) for s, c, rx in _STATUS_CUES]
_CUE_REACH = 60  # characters between a cue and the drug it governs
_UNIT = r"mg|mcg|units?|ml|g|%|puffs?|drops?"
_DOSE = re.compile(rf"\b(\d+(?:\.\d+)?)\s*({_UNIT})(?![\w])", re.I)
_DOSE_BEFORE = re.compile(rf"\b(\d+(?:\.\d+)?)\s*({_UNIT}) of (?:the |your |his |her )?$", re.I)
_NEW_DOSE = re.compile(rf"\bto (\d+(?:\.\d+)?)(?:\s*({_UNIT})(?![\w]))?", re.I)
_ROUTES = [
    ("eye drops", r"eye ?drops?|drops? in (?:your|the|his|her|each|both) eyes?"),
    ("nasal spray", r"nasal spray|sprays? in (?:your|each|the) nostril"),
    ("inhaled", r"inhal\w*|puffs?|nebuliz\w*"),
    ("topical", r"creams?|ointments?|topical\w*|gel|lotion|apply|rub (?:it )?on"),
    ("injection", r"inject\w*|shots?|subcutaneous\w*|intramuscular\w*|subq"),
    ("IV", r"iv|intravenous\w*|infusion|drip"),
    ("patch", r"patch(?:es)?"),
    ("by mouth", r"by mouth|orally|oral|pills?|tablets?|capsules?"),
]
_ROUTE_RX = [(name, re.compile(rf"\b(?:{rx})\b")) for name, rx in _ROUTES]
_FREQUENCIES = [
    ("twice a day", r"twice (?:a|per) day|twice daily|2 times (?:a|per) day|bid"),
    ("three times a day", r"(?:3|three) times (?:a|per) day|tid"),
    ("four times a day", r"(?:4|four) times (?:a|per) day|qid"),
    ("weekly", r"once a week|weekly|every week"),
    ("monthly", r"once a month|monthly|every month"),
    ("at night", r"at night|at bedtime|before bed(?:time)?|nightly|every night"),
    ("every morning", r"every morning|in the morning|each morning"),
    ("daily", r"once (?:a|per) day|once daily|1 time a day|every day|each day|daily|a day|"
              r"per day"),
]
_FREQ_RX = [(name, re.compile(rf"\b(?:{rx})\b")) for name, rx in _FREQUENCIES]
_EVERY_HOURS = re.compile(r"\bevery (\d+)(?: to (\d+))? hours?\b")
_AS_NEEDED = re.compile(r"\b(?:as needed|when needed|if needed|prn|as necessary|when (?:you|i|"
                        r"he|she) need(?:s)? (?:it|them))\b")
_MED_QUESTION = re.compile(r"\b(?:medic\w*|meds|taking|take|on any|prescri\w*|pills?)\b")
_AFTER_WORDS = 14  # how far after a drug its dose, route and frequency are looked for


def _cue_for(text: str, start: int, end: int, other_drugs: list[tuple[int, int]]) -> tuple[
        str | None, str | None]:
    """The status the words nearest before the drug at ``start`` give it (else just after it,
    where no other drug comes between)."""
    before = [(m.end(), s, c) for s, c, rx in _CUE_RX for m in rx.finditer(text, 0, start)
              if start - m.end() <= _CUE_REACH]
    if before:
        _, status, change = max(before, key=lambda x: x[0])
        return status, change
    stop = min([s for s, _ in other_drugs if s > end] + [len(text)])
    after = [(m.start(), s, c) for s, c, rx in _CUE_RX for m in rx.finditer(text, end, stop)
             if m.start() - end <= 30]
    if after:
        _, status, change = min(after, key=lambda x: x[0])
        return status, change
    return None, None


def _details(after: str, before: str) -> tuple[str | None, str | None, str | None]:
    """(dose, route, frequency) said with a drug: in the words after it, or a dose just before
    it ("20 mg of lisinopril")."""
    dose = None
    m = _DOSE.search(after) or _DOSE_BEFORE.search(before)
    if m:
        dose = f"{m.group(1)}{m.group(2)}" if m.group(2) == "%" else f"{m.group(1)} {m.group(2)}"
    around = f"{before[-25:]} {after}"
    route = next((name for name, rx in _ROUTE_RX if rx.search(around)), None)
    freq = None
    hours = _EVERY_HOURS.search(after)
    if hours:
        freq = f"every {hours.group(1)}" + (f"-{hours.group(2)}" if hours.group(2) else "") \
            + " hours"
    else:
        freq = next((name for name, rx in _FREQ_RX if rx.search(after)), None)
    if _AS_NEEDED.search(after):
        freq = f"{freq} as needed" if freq else "as needed"
    return dose, route, freq


def _mentions(sentence: str, evidence: tuple[int, ...], *, asked_yes: bool = False,
              med_context: bool = False, answer: str = "") -> list[Medication]:
    """The drugs one sentence (lower case, numbers as digits) states, with what it says of
    each; ``asked_yes``: a question the reply said yes to (``answer``)."""
    names = drugs_mentioned(sentence)
    spans = []
    for name in names:
        for m in re.finditer(rf"\b{re.escape(name)}\b", sentence):
            spans.append((m.start(), m.end()))
    spans.sort()
    out = []
    for name in names:
        m = re.search(rf"\b{re.escape(name)}\b", sentence)
        if m is None:
            continue
        start, end = m.span()
        nxt = min([s for s, _ in spans if s > end] + [len(sentence)])
        after = " ".join(sentence[end:nxt].split()[:_AFTER_WORDS])
        if asked_yes:
            after = f"{after} {answer}"
        status, change = _cue_for(sentence, start, end, spans)
        if asked_yes and status is None:
            status = "taking"
        elif status is None and med_context:
            status = "taking"  # named in answer to "what medications are you on?"
        dose, route, freq = _details(after, sentence[:start])
        if status == "changed":
            new = _NEW_DOSE.search(after)
            if new:
                dose = f"{new.group(1)} {new.group(2)}" if new.group(2) else new.group(1)
        out.append(Medication(name, dose, route, freq, status, change, evidence))
    return out


def _merge(old: Medication, new: Medication) -> Medication:
    """One drug named twice: a later status wins (plain "taking" never undoes a plan), its dose,
    route and frequency with it; what the later mention leaves out is kept."""
    evidence = tuple(sorted(set(old.evidence) | set(new.evidence)))
    takes_over = new.status is not None and (
        old.status in (None, "taking") or new.status != "taking")
    if not takes_over:
        return replace(old, dose=old.dose or new.dose, route=old.route or new.route,
                       frequency=old.frequency or new.frequency, evidence=evidence)
    dose = new.dose or old.dose
    if dose and not re.search(r"[a-z%]", dose) and old.dose:
        unit = old.dose.split(" ", 1)[-1] if " " in old.dose else ""
        dose = f"{dose} {unit}".strip()  # "increase it to 40" keeps the unit said before
    return replace(new, dose=dose, route=new.route or old.route,
                   frequency=new.frequency or old.frequency, evidence=evidence)



# --- the visit ---------------------------------------------------------------------------------


def _medications(segs: list[tuple[Segment, str]], allergen_segs: set[int]) -> list[Medication]:
    meds: dict[str, Medication] = {}
    for k, (seg, text) in enumerate(segs):
        if seg.index in allergen_segs or ALLERGY.search(text) or not drugs_mentioned(text):
            continue
        prev = segs[k - 1] if k > 0 else None
        nxt = segs[k + 1] if k + 1 < len(segs) else None
        med_context = (
            speaker_role(seg) == "patient" and prev is not None and is_question(prev[1])
            and bool(_MED_QUESTION.search(prev[1])) and not ALLERGY.search(prev[1]))
        found: list[Medication] = []
        for sent in sentences_of(text):
            if speaker_role(seg) != "patient" and is_question(sent):
                # A question is a fact only when the reply says yes (or gives the dose).
                if (nxt is None or speaker_role(nxt[0]) == speaker_role(seg)
                        or NO_ANSWER.match(nxt[1])):
                    continue
                answer = nxt[1]
                first = (sentences_of(answer) or [""])[0]
                gives_dose = len(first.split()) <= 10 and _DOSE.search(first)
                if not (YES_ANSWER.match(answer) or gives_dose):
                    continue
                found += _mentions(sent, (seg.index, nxt[0].index), asked_yes=True,
                                   answer=answer)
                continue
            found += _mentions(sent, (seg.index,), med_context=med_context)
        for med in found:
            old = meds.get(med.name)
            meds[med.name] = med if old is None else _merge(old, med)
    return list(meds.values())




def visit_facts(transcript: Transcript) -> VisitFacts:
    """The visit's clinical facts, each with the indices of the segments it came from."""
    transcript = with_roles_fixed(transcript)
    segs = [(s, join_thousands(normalize_numbers(tidy(s.text)).lower()))
            for s in transcript.segments]
    allergies, allergen_segs = allergies_in(segs)
    return VisitFacts(
        medications=tuple(_medications(segs, allergen_segs)),
        allergies=tuple(allergies),
        ros=tuple(ros_in(segs)),
        vitals=tuple(vitals_in(segs)),
        problems=tuple(ProblemFact(p.name, p.evidence) for p in find_problems(transcript)),
    )


# --- the writer --------------------------------------------------------------------------------

_ROUTE_WORDS = {"injection": "by injection", "eye drops": "as eye drops",
                "nasal spray": "as nasal spray", "patch": "by patch"}


def _regimen(med: Medication) -> str:
    name = med.name if med.name in generic_names() else med.name.capitalize()  # a brand: Lasix
    parts = [name, med.dose, _ROUTE_WORDS.get(med.route or "", med.route), med.frequency]
    return " ".join(p for p in parts if p)


def medication_line(med: Medication) -> str:
    """ "Lisinopril 40 mg by mouth daily (increased)."; "Started amoxicillin 500 mg three times a
    day."; "Stopped ibuprofen." """
    regimen = _regimen(med)
    if med.status == "started":
        return f"Started {regimen}."
    if med.status == "stopped":
        return f"Stopped {med.name}."
    line = regimen[0].upper() + regimen[1:]
    if med.status == "changed":
        return f"{line} ({med.change or 'changed'})."
    if med.status == "continued":
        return f"{line} (continued)."
    return f"{line}."


def allergy_line(allergy: Allergy) -> str:
    """ "Allergic to penicillin (rash)."; "No known drug allergies." The word "allergic" stays
    in the line: the fact checks read an allergen named without it as a drug given."""
    if allergy.agent is None:
        return "No known drug allergies." if allergy.drugs_only else "No known allergies."
    reaction = f" ({allergy.reaction})" if allergy.reaction else ""
    return f"Allergic to {allergy.agent}{reaction}."


_VITAL_NAMES = {"Weight": "weight"}


def vitals_line(vitals: tuple[Vital, ...] | list[Vital]) -> str:
    """ "BP 150/90, HR 72, Temp 99.1 °F, SpO2 98%." ("" when none was stated)."""
    parts = []
    for v in vitals:
        value = v.value
        if v.kind == "Temp":
            value += " °F" if float(value) > 50 else " °C"
        elif v.kind == "SpO2":
            value += "%"
        parts.append(f"{_VITAL_NAMES.get(v.kind, v.kind)} {value}")
    return f"{', '.join(parts)}." if parts else ""

