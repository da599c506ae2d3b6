"""The headings of an example note, in order, and the standard section each one names.

A clinician pastes a note they like; :func:`example_headings` finds its headings (ALL CAPS lines,
lines ending in ":", markdown ``#`` and ``**bold**`` headings, and "HPI: …" where the label is a
known heading) and maps each to a standard section key by its synonyms ("A/P" →
``assessment_and_plan``). Only headings come out: body text never does, and neither does a line
that could be the patient's (a name in capitals, a dated line, a problem under the assessment).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

# Standard section key → the headings clinicians write for it (normalized: lower case, "&" and
# "/" read as "and", other punctuation dropped).
SYNONYMS: dict[str, tuple[str, ...]] = {
    "chief_complaint": ("cc", "chief complaint", "chief complaints", "reason for visit",
                        "reason for the visit", "reason for consultation", "reason for referral",
                        "presenting complaint", "complaint"),
    "history_of_present_illness": ("hpi", "history of present illness", "present illness",
                                   "history of the present illness", "history of presenting "
                                   "illness", "hx of present illness", "history"),
    "interval_history": ("interval history", "interval hx", "since last visit"),
    "subjective": ("s", "subjective"),
    "review_of_systems": ("ros", "review of systems", "systems review", "review of system"),
    "past_medical_history": ("pmh", "pmhx", "past medical history", "medical history",
                             "past history", "past medical hx", "problem list"),
    "past_surgical_history": ("psh", "pshx", "past surgical history", "surgical history"),
    "medications": ("meds", "medications", "medication", "current medications", "home medications",
                    "medication list", "current meds", "outpatient medications"),
    "allergies": ("allergies", "allergy", "drug allergies", "nkda", "allergies and reactions"),
    "social_history": ("sh", "shx", "social history", "social hx", "social"),
    "family_history": ("fh", "fhx", "family history", "family hx"),
    "vital_signs": ("vitals", "vital signs", "vs"),
    "physical_examination": ("pe", "exam", "examination", "physical exam", "physical examination",
                             "physical", "physical findings", "exam findings"),
    "objective": ("o", "objective"),
    "results": ("results", "labs", "lab", "laboratory", "lab results", "laboratory results",
                "data", "studies", "imaging", "diagnostics", "investigations", "test results",
                "labs and imaging", "diagnostic data", "pertinent results"),
    "assessment": ("a", "assessment", "impression", "diagnosis", "diagnoses", "clinical impression"),
    "plan": ("p", "plan", "treatment plan", "recommendations", "plan of care"),
    "assessment_and_plan": ("a and p", "ap", "assessment and plan", "impression and plan",
                            "assessment plan", "impression plan", "diagnosis and plan",
                            "medical decision making", "mdm"),
}
_BY_SYNONYM = {syn: key for key, syns in SYNONYMS.items() for syn in syns}

# Lines that head an identity field, not a section ("DOB:", "Patient:"): never kept.
_IDENTITY = frozenset({
    "name", "patient", "patient name", "pt", "dob", "date of birth", "birth date", "mrn",
    "medical record number", "date", "date of service", "dos", "visit date", "time", "age", "sex",
    "gender", "provider", "physician", "clinician", "attending", "pcp", "referring physician",
    "signed", "signature", "electronically signed by", "location", "room", "address", "phone",
    "insurance", "account", "encounter", "id",
})
# The note's own title, not one of its sections.
_DOCUMENT_TITLES = frozenset({
    "history and physical", "h and p", "progress note", "soap note", "clinic note", "office visit",
    "office note", "visit note", "consultation", "consult note", "consultation note", "new patient",
    "new patient visit", "follow up visit", "return visit", "encounter note", "clinical note",
    "discharge summary", "procedure note", "telehealth visit", "annual exam", "annual physical",
})
# Words a heading of the clinic's own is made of; an ALL CAPS line of other words ("JANE DOE",
# "HYPERTENSION") is taken for text, not a heading.
_HEADING_WORDS = frozenset(
    {w for syns in SYNONYMS.values() for s in syns for w in s.split() if len(w) > 1}
    | {"care", "education", "instructions", "disposition", "status", "procedure", "procedures",
       "note", "consent", "counseling", "counselling", "goals", "risk", "factors", "screening",
       "immunizations", "vaccines", "wound", "diet", "activity", "precautions", "return",
       "attestation", "summary", "course", "hospital", "discharge", "findings", "signs",
       "mental", "functional", "tests", "orders", "referral", "referrals", "follow", "followup",
       "up", "musculoskeletal", "cardiovascular", "cardiac", "neurological", "neurologic",
       "respiratory", "pulmonary", "skin", "psychiatric", "injury", "mechanism", "work",
       "school", "obstetric", "gynecologic", "menstrual", "developmental", "nutrition",
       "reconciliation", "preventive", "health", "maintenance", "ecg", "ekg", "echo", "xray",
       "radiology", "pathology", "patient", "time", "spent", "code", "problems",
       "active", "chronic", "new", "other", "additional", "pertinent", "notes", "comments",
       "billing", "level", "extremity", "extremities", "spine", "joint", "knee", "shoulder",
       "hip", "range", "motion", "strength", "gait", "lesion", "lesions", "ortho",
       "orthopedic", "cardiology", "dermatology", "neuro", "mse", "heent", "and", "of", "the",
       "for", "with", "to", "in", "on", "consult", "consultation", "surgery", "therapy",
       "decision", "making", "sign", "out", "handoff", "quality", "measures"}
)
_STOP = frozenset({"and", "of", "the", "for", "with", "to", "in", "on"})
# Words that do not make a line a heading on their own ("The patient reports:").
_WEAK = _STOP | {"patient", "time", "new", "other", "additional", "notes", "note", "up", "code",
                 "level", "active", "pertinent"}
# Abbreviations kept in capitals when an ALL CAPS heading is put in sentence case.
_ABBREVIATIONS = frozenset({
    "cc", "hpi", "ros", "pe", "pmh", "psh", "sh", "fh", "a/p", "a&p", "ap", "heent", "ecg", "ekg",
    "mri", "ct", "cv", "gi", "gu", "ent", "vs", "mdm", "mse", "nkda", "hx", "rx", "dx", "ms",
})

_MARKDOWN = re.compile(r"^#{1,6}\s+(.+?)\s*#*$")
_BOLD = re.compile(r"^(\*\*|__)(.+?)\1(.*)$")
_LABEL = re.compile(r"^([A-Za-z][A-Za-z .&/()'+-]{0,60}?)\s*:\s*(.*)$")


@dataclass(frozen=True)
class Heading:
    """A heading as the example writes it (tidied), and the standard section key it names."""

    title: str
    key: str | None


def normalize(heading: str) -> str:
    """"Assessment & Plan:" → "assessment and plan"; "A/P" → "a and p"."""
    text = re.sub(r"\([^)]*\)", " ", heading.lower())  # "History of present illness (HPI)"
    text = re.sub(r"[&/+]", " and ", text)
    text = re.sub(r"[^a-z0-9 ]+", " ", text.replace("-", " "))
    return " ".join(text.split())


def standard_key(heading: str, *, exact: bool = False) -> str | None:
    """The standard section key a heading names: a synonym, else (unless ``exact``) a synonym
    misspelt ("Assesment") or contained ("Musculoskeletal exam" → the examination); or None."""
    key, how = _match(heading)
    return key if how == "synonym" or (not exact and key is not None) else None


def _match(heading: str) -> tuple[str | None, str]:
    """(key, how it was found: "synonym", "close" (misspelt), "contained" or "")."""
    norm = normalize(heading)
    if not norm:
        return None, ""
    if norm in _BY_SYNONYM:
        return _BY_SYNONYM[norm], "synonym"
    for inner in re.findall(r"\(([^)]*)\)", heading):  # "History of present illness (HPI)"
        if normalize(inner) in _BY_SYNONYM:
            return _BY_SYNONYM[normalize(inner)], "synonym"
    long = [s for s in _BY_SYNONYM if len(s) > 4]
    close = difflib.get_close_matches(norm, long, n=1, cutoff=0.85)
    if close:
        return _BY_SYNONYM[close[0]], "close"
    padded = f" {norm} "
    contained = [s for s in _BY_SYNONYM if len(s) >= 3 and f" {s} " in padded and s != "history"]
    if contained:  # the longest synonym inside wins; a tie goes to the one written first
        best = max(contained, key=lambda s: (len(s), -padded.index(f" {s} ")))
        return _BY_SYNONYM[best], "contained"
    return None, ""


def _tidy(label: str) -> str:
    """The heading as a section title: markup and the colon dropped, an ALL CAPS heading in
    sentence case with its abbreviations kept ("HPI", "A/P")."""
    text = " ".join(label.strip(" \t*_#:").split())
    if not _all_caps(text) or normalize(text).replace(" ", "") in _ABBREVIATIONS:
        return text
    words = [w if w.lower().strip("():,") in _ABBREVIATIONS else w.lower() for w in text.split()]
    first = words[0]
    words[0] = first if first.isupper() else first[:1].upper() + first[1:]
    return " ".join(words)


def _all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


def _plausible(label: str) -> bool:
    """Short, no digits (a date, a dose), mostly letters, not an identity field."""
    words = label.split()
    norm = normalize(label)
    return (0 < len(words) <= 6 and not re.search(r"\d", label) and len(label) <= 60
            and norm != "" and norm not in _IDENTITY and norm not in _DOCUMENT_TITLES)


def _heading_words(label: str, *, every: bool) -> bool:
    """Whether the label is made of heading words: ``every`` word, or at least one that says
    what the section holds ("Wound care", not "The patient reports")."""
    words = normalize(label).split()
    if not words:
        return False
    if every and not all(w in _HEADING_WORDS for w in words):
        return False
    return any(w in _HEADING_WORDS and w not in _WEAK for w in words)


def _candidate(line: str) -> tuple[str, bool] | None:
    """(label, explicit) when the line is a heading: explicit means heading markup (``#``,
    bold, a trailing colon) rather than capitals alone or a known label before its text."""
    m = _MARKDOWN.match(line)
    if m:
        return m.group(1).strip("*_ :"), True
    m = _BOLD.match(line)
    if m:
        label, rest = m.group(2).strip(" :"), m.group(3).strip()
        if not rest or rest == ":" or standard_key(label, exact=True):
            return label, True
        return None
    if line.endswith(":"):
        label = line[:-1].strip()
        words = label.split()
        titled = all(w[:1].isupper() or w.lower() in _STOP for w in words)
        if len(words) <= 4 or titled or standard_key(label, exact=True):
            return label, True
        return None
    m = _LABEL.match(line)
    if m and m.group(2) and standard_key(m.group(1), exact=True):
        return m.group(1), False  # "HPI: 54-year-old …": the label only
    if _all_caps(line) and not line.endswith("."):
        return line, False
    return None


def example_headings(text: str) -> list[Heading]:
    """The example note's headings in order (each once), with the standard key each names."""
    out: list[Heading] = []
    seen: set[str] = set()
    in_problems = False  # under the assessment a capitalized line is a problem, the patient's
    for raw in text.splitlines():
        line = raw.strip()
        found = _candidate(line) if line else None
        if found is None:
            continue
        label, explicit = found
        if not _plausible(label):
            continue
        key, how = _match(label)
        if how not in ("synonym", "close"):
            # capitals alone, or under the assessment: every word a heading word ("WORK STATUS",
            # not "JANE DOE", "HYPERTENSION" or "NO KNOWN DRUG ALLERGIES"); heading markup: one
            # word that says what the section holds ("Wound care:", not "The patient reports:")
            if not _heading_words(label, every=in_problems or not explicit):
                continue
        title = _tidy(label)
        norm = normalize(title)
        if norm in seen:
            continue
        seen.add(norm)
        out.append(Heading(title, key))
        if key is not None:
            in_problems = key in ("assessment", "plan", "assessment_and_plan")
    return out
