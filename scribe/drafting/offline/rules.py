"""Speaker-free cues that sort a dialogue sentence into a note section; template routing.

Canonical section labels used inside the offline engine: ``cc`` (chief complaint), ``hpi``
(history),
``ros`` (review of systems), ``exam``, ``results``, ``assessment``, ``plan``, and ``drop``
(chit-chat).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from scribe.domain import Transcript
from scribe.drafting.templates import TemplateSection

LABELS = ("cc", "hpi", "ros", "exam", "results", "assessment", "plan", "drop")


def _rx(*words: str) -> re.Pattern[str]:
    return re.compile(r"\b(?:" + "|".join(words) + r")", re.IGNORECASE)


CUES: dict[str, re.Pattern[str]] = {
    "plan": _rx(
        r"i'?ll prescribe",
        r"prescrib",
        r"we'?ll order",
        r"i'?m going to order",
        r"order(?:ing)? (?:a|an|some)",
        r"follow[ -]?up",
        r"refer",
        r"schedul",
        r"come back",
        r"see you (?:back|in)",
        r"let's",
        r"we'?ll",
        r"we will",
        r"i'?ll",
        r"i want you to",
        r"continue",
        r"start (?:you|him|her) on",
        r"increase",
        r"decrease",
        r"recommend",
        r"physical therapy",
        r"go ahead and",
        r"plan",
    ),
    "assessment": _rx(
        r"i think (?:you|it|this|that|he|she)",
        r"diagnos",
        r"looks like",
        r"consistent with",
        r"likely",
        r"my impression",
        r"assessment",
        r"suspect",
        r"sounds like",
        r"probably (?:a|an)",
    ),
    "exam": _rx(
        r"on (?:physical )?exam",
        r"examination",
        r"lungs?",
        r"heart (?:rate|sounds?)",
        r"murmur",
        r"tender",
        r"temperature",
        r"blood pressure",
        r"vitals?",
        r"vital signs",
        r"oxygen",
        r"auscultat",
        r"palpat",
        r"range of motion",
        r"edema",
        r"clear to",
        r"pulse",
        r"press (?:here|on)",
        r"does (?:this|that) hurt",
        r"take a (?:look|listen)",
        r"reflex",
        r"saturation",
        r"regular rate",
        r"neck",
        r"abdomen",
    ),
    "results": _rx(
        r"x-?ray",
        r"mri",
        r"ct scan",
        r"cat scan",
        r"labs?\b",
        r"results?",
        r"echocardiogram",
        r"ekg",
        r"hemoglobin",
        r"a1c",
        r"blood work",
        r"ultrasound",
        r"showed",
        r"came back",
        r"biopsy",
        r"cholesterol",
        r"levels?\b",
    ),
    "hpi": _rx(
        r"i have",
        r"i've been",
        r"i've had",
        r"i had",
        r"i'?m (?:having|feeling|taking)",
        r"my ",
        r"i feel",
        r"i take",
        r"i started",
        r"i noticed",
        r"it hurts",
        r"started",
        r"since",
        r"for (?:the past|about|a few)",
        r"ago",
        r"pain",
        r"medication",
        r"allerg",
    ),
}
# Cues strong enough to overrule the fitted model's section (it sees few sentences of each kind).
STRONG: dict[str, re.Pattern[str]] = {
    "assessment": re.compile(
        r"\b(?:i think (?:this|it|that|you|he|she) (?:is|has|have|looks|might|may)|diagnos|"
        r"consistent with|looks like (?:a|an|you|it's)|my impression|sounds like (?:a|an|you))"
        # The clinician naming the diagnosis to the patient: "you have acute bronchitis".
        r"|^(?:so,? |okay,? |well,? )?you(?: have|'ve got| likely have| probably have) "
        r"(?:an? )?(?:[\w-]+ ){0,3}?[\w-]*(?:itis|osis|emia|algia|pathy|infection|sprain|strain|"
        r"fracture|syndrome|disease|disorder|virus|reflux|migraine)\b"
        # The clinician walking through the problem list: "for his first problem, his back pain".
        r"|\bfor (?:your|his|her|their|the) (?:first|second|third|next|last|final|other|"
        r"primary) (?:problem|issue|concern|diagnosis)\b",
        re.IGNORECASE,
    ),
    "plan": re.compile(
        r"\b(?:i'?ll prescribe|i'?m (?:going to|gonna) (?:prescribe|order|refer|start)|"
        r"we'?ll (?:order|start|schedule|refer)|follow[ -]?up in|refer (?:you|him|her))",
        re.IGNORECASE,
    ),
}


def strong_label(text: str, speaker: str | None) -> str | None:
    """The section a clinician's sentence must go to whatever the model says, if any."""
    if speaker == "patient":
        return None
    for label, rx in STRONG.items():
        if rx.search(text):
            return label
    return None


CHITCHAT = re.compile(
    r"^(?:hi|hello|hey|good (?:morning|afternoon)|thanks?|thank you|bye|nice to|how are you|"
    r"have a (?:good|great)|sounds good|that's (?:good|great|fine)|i'm (?:good|fine)|no problem|"
    r"sure|you're welcome|great|perfect|wonderful|excellent)\b",
    re.IGNORECASE,
)


def rule_label(text: str, speaker: str | None) -> str:
    """Section of one cleaned, lower-case sentence from its words and (when known) its speaker."""
    if CHITCHAT.match(text) and len(text.split()) < 8:
        return "drop"
    order = ("exam", "results", "assessment", "plan", "hpi")
    if speaker == "patient":
        order = ("hpi", "results", "exam", "assessment", "plan")
    for label in order:
        if CUES[label].search(text):
            return label
    if speaker == "patient":
        return "hpi"
    return "hpi" if re.search(r"\b(?:i|my)\b", text) else "drop"


def guess_speaker(text: str) -> str | None:
    """Best guess for a raw ASR segment with no speaker: questions and orders → clinician."""
    t = text.lower()
    if t.rstrip().endswith("?") or re.search(
        r"\b(?:i'?ll prescribe|we'?ll|let's|i want you|your|on exam|i'?m going to)\b", t
    ):
        return "clinician"
    if re.search(r"\b(?:i have|i've|i'?m|my|i feel|i had|i take)\b", t):
        return "patient"
    return None


# Template section → canonical labels it collects. Unknown keys are matched by words in key/title.
_KEYS: dict[str, tuple[str, ...]] = {
    "subjective": ("cc", "hpi", "ros"),
    "objective": ("exam", "results"),
    "assessment": ("assessment",),
    "plan": ("plan",),
    "assessment_and_plan": ("assessment", "plan"),
    "chief_complaint": ("cc",),
    "history_of_present_illness": ("hpi",),
    "hpi": ("hpi",),
    "interval_history": ("cc", "hpi"),
    "review_of_systems": ("ros",),
    "ros": ("ros",),
    "physical_examination": ("exam",),
    "vital_signs": ("exam",),
    "physical_exam": ("exam",),
    "exam": ("exam",),
    "results": ("results",),
}
_WORDS = [
    (r"chief|complaint|reason", ("cc",)),
    (r"subjective|history|hpi|symptom|interval", ("hpi",)),
    (r"review of systems|\bros\b", ("ros",)),
    (r"exam|objective|vital|finding", ("exam",)),
    (r"result|lab|imaging|data|test", ("results",)),
    (r"assessment|impression|diagnos", ("assessment",)),
    (r"plan|treatment|follow|recommend|order|instruction", ("plan",)),
]
# Where a label goes when the template has no section for it, in order of preference.
FALLBACK = {
    "cc": ("cc", "hpi", "assessment"),
    "hpi": ("hpi", "cc"),
    "ros": ("ros", "hpi", "cc"),
    "exam": ("exam", "results"),
    "results": ("results", "exam"),
    "assessment": ("assessment", "plan"),
    "plan": ("plan", "assessment"),
}


# Sections filled from the visit's facts (:mod:`facts`), not by routing labelled sentences:
# medications, allergies, past medical, social and family history.
FACT_LABELS = ("meds", "allergies", "pmh", "social", "family")
_FACT_KEYS: dict[str, tuple[str, ...]] = {
    "medications": ("meds",),
    "allergies": ("allergies",),
    "past_medical_history": ("pmh",),
    "social_history": ("social",),
    "family_history": ("family",),
}
_FACT_WORDS = [
    (r"medication|\bmeds\b", ("meds",)),
    (r"allerg|\bnkda\b", ("allergies",)),
    (r"past medical|medical history|\bpmh|problem list", ("pmh",)),
    (r"social|\bsh\b", ("social",)),
    (r"family|\bfh\b", ("family",)),
]
# A history sentence the drafter already has, sent to the history section its words name.
HISTORY_CUES: dict[str, re.Pattern[str]] = {
    "family": re.compile(
        r"\b(?:mother|father|mom|dad|brothers?|sisters?|siblings?|parents?|grand(?:mother|father|"
        r"ma|pa|parents?)|aunts?|uncles?|cousins?|family history|runs in (?:the|his|her|their) "
        r"family)\b.*\b(?:cancer|diabet\w*|heart|stroke|blood pressure|hypertension|died|passed "
        r"away|disease|attack|alzheimer\w*|dementia|asthma|arthritis|thyroid|cholesterol)",
        re.IGNORECASE),
    "social": re.compile(
        r"\b(?:smok\w*|cigarettes?|tobacco|vap(?:e|es|ing)|alcohol|drinks? (?:alcohol|beer|wine|"
        r"socially|a (?:few|couple))|beers?|wine|marijuana|cannabis|recreational drugs|illicit|"
        r"lives (?:with|alone|at)|married|divorced|widow\w*|works? (?:as|at|in|for)|occupation|"
        r"retired)\b", re.IGNORECASE),
    "pmh": re.compile(
        r"\b(?:history of|past medical history|diagnosed with|hospitali[sz]ed|surger(?:y|ies)|"
        r"operation)\b", re.IGNORECASE),
}


def _labels(section: TemplateSection, keys: dict[str, tuple[str, ...]],
            words: Sequence[tuple[str, tuple[str, ...]]]) -> tuple[str, ...]:
    """A section's labels by its standard key in ``keys``, else by the patterns of ``words`` that
    its key and title match, each label once, in order."""
    key = getattr(section, "maps_to", None) or section.key  # the standard section that feeds it
    if key in keys:
        return keys[key]
    text = f"{section.key.replace('_', ' ')} {section.title}".lower()
    found: list[str] = []
    for pattern, labels in words:
        if re.search(pattern, text):
            found.extend(label for label in labels if label not in found)
    return tuple(found)


def fact_labels(section: TemplateSection) -> tuple[str, ...]:
    """The fact sections a template section is (medications, allergies, past medical, social,
    family history), by its standard key or its title's words; empty for any other section."""
    return _labels(section, _FACT_KEYS, _FACT_WORDS)


def fact_routes(sections: tuple[TemplateSection, ...]) -> dict[str, int]:
    """Each fact label a template has a section for → the index of its first such section."""
    out: dict[str, int] = {}
    for i, sec in enumerate(sections):
        for label in fact_labels(sec):
            out.setdefault(label, i)
    return out


def section_labels(section: TemplateSection) -> tuple[str, ...]:
    """The canonical labels a template section collects (empty: the engine cannot fill it)."""
    key = getattr(section, "maps_to", None) or section.key
    if key in _KEYS:
        return _KEYS[key]
    # "Social history" is filled from the facts, not as the history
    return fact_labels(section) or _labels(section, {}, _WORDS)


def route(sections: tuple[TemplateSection, ...]) -> dict[str, int]:
    """Map each canonical label to the index of the template section that receives it."""
    owners: dict[str, int] = {}
    for i, sec in enumerate(sections):
        for label in section_labels(sec):
            owners.setdefault(label, i)
    out: dict[str, int] = {}
    for label, prefs in FALLBACK.items():
        for p in prefs:
            if p in owners:
                out[label] = owners[p]
                break
    # A clinician's own section the engine cannot name (e.g. "Lesion") takes what is left over.
    free = next((i for i, sec in enumerate(sections) if not section_labels(sec)), None)
    if free is not None:
        for label in FALLBACK:
            out.setdefault(label, free)
    return out


# Review-of-systems headings clinicians use, by symptom words (first match wins).
ROS_SYSTEMS = [
    ("Constitutional", r"fever|chills|night sweats|weight (?:loss|gain)|fatigue|tired|appetite"),
    ("Cardiovascular", r"chest pain|palpitation|racing|swelling|edema|heart"),
    ("Respiratory", r"shortness of breath|cough|wheez|breath"),
    ("Gastrointestinal", r"nausea|vomit|diarrhea|constipation|abdominal|belly|stomach|stool|bloat"),
    ("Genitourinary", r"urin|bladder|burning|blood in"),
    ("Musculoskeletal", r"joint|muscle|back pain|knee|shoulder|hip|ankle|elbow|wrist|neck pain"),
    ("Neurological", r"headache|dizz|lightheaded|numb|tingl|weakness|faint|seizure"),
    ("Skin", r"rash|itch|lesion|bruis|skin"),
    ("Psychiatric", r"depress|anxi|mood|sleep|stress"),
    ("HENT", r"sore throat|congestion|ear|sinus|runny nose|vision"),
]
_ROS_RX = [(name, re.compile(rf"\b(?:{rx})", re.IGNORECASE)) for name, rx in ROS_SYSTEMS]


def ros_system(text: str) -> str | None:
    """The body system a review-of-systems statement is about, if its words say so."""
    for name, rx in _ROS_RX:
        if rx.search(text):
            return name
    return None


# Who speaks as the clinician: asks, examines, plans, says "your"; who speaks as the patient: "my".
_ASKS_AND_PLANS = re.compile(
    r"\?|\b(?:your|you're|let's|i'm going to|i'll prescribe|we'll|we're going to|any (?:other )?"
    r"questions|what brings you|on (?:your )?exam|i want you to)\b",
    re.IGNORECASE,
)
_TELLS = re.compile(r"\b(?:my|i've|i'm|i have|i had|i was)\b", re.IGNORECASE)


def roles_swapped(transcript: Transcript) -> bool:
    """Whether the visit's clinician and patient labels are the wrong way round: the "patient"
    asks and plans at least twice as much as the "clinician", who tells of "my" more."""
    asks = {"clinician": 0, "patient": 0}
    tells = {"clinician": 0, "patient": 0}
    for seg in transcript.segments:
        role = (seg.speaker or "").partition(":")[0]
        if role in asks:
            asks[role] += len(_ASKS_AND_PLANS.findall(seg.text))
            tells[role] += len(_TELLS.findall(seg.text))
    return (asks["patient"] >= 2 * asks["clinician"] + 5
            and tells["clinician"] > tells["patient"])


def with_roles_fixed(transcript: Transcript) -> Transcript:
    """The transcript with clinician and patient labels swapped back where :func:`roles_swapped`
    says so (speaker names after ":" kept); otherwise the transcript itself."""
    if not roles_swapped(transcript):
        return transcript
    other = {"clinician": "patient", "patient": "clinician"}

    def swap(label: str | None) -> str | None:
        role, sep, name = (label or "").partition(":")
        return other[role] + sep + name if role in other else label

    return replace(transcript, segments=tuple(replace(s, speaker=swap(s.speaker))
                                              for s in transcript.segments))
