"""Plain language for the patient: lay terms, sig abbreviations spelled out, a plan sentence's
medications, tests, referrals and follow-up as short second-person instructions.

Every function here rewrites the words it is given and adds none of its own but fixed phrasing
("Take", "We ordered", "Come back to see us in"): a drug, dose, frequency or test that is not in
the sentence never appears in what comes back.
"""

from __future__ import annotations

import re

from scribe.nlp import drugs_mentioned, generic_drug_names

__all__ = [
    "LAY_BY_CODE",
    "LAY_TERMS",
    "PLAN_TITLE",
    "RETURN_PRECAUTION",
    "SIG",
    "TESTS",
    "UNCERTAIN",
    "drug_display",
    "expand_sig",
    "follow_up",
    "lay",
    "medication_instructions",
    "patient_instruction",
    "referral_to",
    "second_person",
    "sentence_case",
    "test_orders",
    "written",
]

# Plain words for clinical ones (the patient reads them), without an article so that they fit
# after "your" or an adjective; longest first where they overlap.
LAY_TERMS = [
    ("chronic obstructive pulmonary disease", "COPD, a long-term lung disease"),
    ("gastroesophageal reflux disease", "acid reflux"),
    ("gastro-esophageal reflux disease", "acid reflux"),
    ("congestive heart failure", "heart failure"),
    ("coronary artery disease", "narrowed heart arteries"),
    ("atrial fibrillation", "irregular heartbeat"),
    ("myocardial infarction", "heart attack"),
    ("type 2 diabetes mellitus", "type 2 diabetes"),
    ("diabetes mellitus", "diabetes"),
    ("hypercholesterolemia", "high cholesterol"),
    ("hyperlipidemia", "high cholesterol"),
    ("hypertension", "high blood pressure"),
    ("hyperglycemia", "high blood sugar"),
    ("hypoglycemia", "low blood sugar"),
    ("hypothyroidism", "underactive thyroid"),
    ("hyperthyroidism", "overactive thyroid"),
    ("degenerative joint disease", "wear-and-tear arthritis"),
    ("osteoarthritis", "wear-and-tear arthritis"),
    ("nephrolithiasis", "kidney stones"),
    ("lateral epicondylitis", "tennis elbow"),
    ("medial epicondylitis", "golfer's elbow"),
    ("carpal tunnel syndrome", "pinched nerve in the wrist"),
    ("radiculopathy", "pinched nerve"),
    ("neuropathy", "nerve damage"),
    ("hepatomegaly", "large liver"),
    ("esophagitis", "sore food pipe"),
    ("pharyngitis", "sore throat"),
    ("acute bronchitis", "chest cold (bronchitis)"),
    ("dyspnea", "shortness of breath"),
    ("edema", "swelling"),
    ("contusion", "bruise"),
    ("anemia", "low blood count"),
    ("insomnia", "trouble sleeping"),
    ("hirsutism", "extra hair growth"),
    ("acne vulgaris", "acne"),
    ("vitamin d deficiency", "low vitamin D"),
    ("bilaterally", "on both sides"),
    ("the bilateral", "both"),
    ("bilateral", "both"),
    ("lumbar", "lower back"),
    ("acute", "new"),
    ("chronic", "long-term"),
    ("elevated", "high"),
]
_LAY = [(re.compile(rf"\b{re.escape(a)}\b", re.IGNORECASE), b) for a, b in LAY_TERMS]
# The lay name of a problem by its ICD-10-CM code (prefix), when the note's own words are jargon.
LAY_BY_CODE = {
    "I10": "high blood pressure",
    "E78": "high cholesterol",
    "E11": "type 2 diabetes",
    "I50": "heart failure",
    "J44": "COPD, a long-term lung disease",
    "K21": "acid reflux",
    "N20": "kidney stones",
    "R73": "high blood sugar",
    "E03.9": "underactive thyroid",
    "M54.5": "low back pain",
    "M54.9": "back pain",
    "M54.2": "neck pain",
}

# Sig abbreviations and note shorthand → what the patient does.
SIG = [
    (r"\bq\.?\s?(\d+)\s?-\s?(\d+)\s?h(?:ours?|rs?)?\b", r"every \1 to \2 hours"),
    (r"\bq\.?\s?(\d+)\s?h(?:ours?|rs?)?\b", r"every \1 hours"),
    (r"\bb\.?i\.?d\.?(?=\W|$)", "twice a day"),
    (r"\bt\.?i\.?d\.?(?=\W|$)", "three times a day"),
    (r"\bq\.?i\.?d\.?(?=\W|$)", "four times a day"),
    (r"\bq\.?o\.?d\.?(?=\W|$)", "every other day"),
    (
        r"\bq\.?d\.?(?=\W|$)|\bonce daily\b|\bdaily\b|\bonce a day\b|\bper day\b|(?<=mg )a day\b",
        "once a day",
    ),
    (r"\btwice daily\b", "twice a day"),
    (r"\b(?:three times|3 times) (?:a day|daily)\b", "three times a day"),
    (r"\bq\.?h\.?s\.?(?=\W|$)|\bat bedtime\b|\bnightly\b", "at bedtime"),
    (r"\bq\.?a\.?m\.?(?=\W|$)", "every morning"),
    (r"\bp\.?r\.?n\.?(?=\W|$)|\bas needed\b", "when you need it"),
    (r"\bp\.?o\.?(?=\W|$)|\borally\b|\bby mouth\b", "by mouth"),
    (r"\bs\.?l\.?(?=\W|$)|\bsublingual(?:ly)?\b", "under the tongue"),
    (r"\bweekly\b", "once a week"),
    (r"\btabs\b", "tablets"),
    (r"\btab\b", "tablet"),
    (r"\bcaps\b", "capsules"),
    (r"\bcap\b", "capsule"),
]
_SIG = [(re.compile(a, re.IGNORECASE), b) for a, b in SIG]
_DOSE = re.compile(
    r"\b\d+(?:\.\d+)?\s?(?:mg|mcg|g|ml|units?|puffs?|tablets?|capsules?|drops?|%)(?=\W|$)"
    r"(?:\s?(?:/|per)\s?(?:day|dose|kg))?",
    re.IGNORECASE,
)
_SIG_OUT = re.compile(
    r"\b(?:every \d+(?: to \d+)? hours|(?:once|twice|three times|four times) a day|"
    r"every other day|once a week|at bedtime|every morning)\b"
)
_ROUTE_OUT = re.compile(r"\b(?:by mouth|under the tongue)\b")
# What the plan does with a drug, by the verb before it; None: the sentence gives no instruction.
_ACTIONS = [
    (
        re.compile(
            r"\b(?:stop|stopp|discontinu|hold|quit|come off|don't take|do not take|avoid)", re.I
        ),
        "Stop taking",
    ),
    (re.compile(r"\b(?:increas|rais|go up|bump)", re.I), "Take higher"),
    (re.compile(r"\b(?:decreas|lower|reduc|cut back|go down)", re.I), "Take lower"),
    (
        re.compile(
            r"\b(?:start|begin|initiat|prescrib|add|put (?:you|him|her|them) on|try|switch)", re.I
        ),
        "Start taking",
    ),
    (re.compile(r"\b(?:continu|keep|stay on|remain on|refill|renew)", re.I), "Keep taking"),
    (re.compile(r"\b(?:take|use|apply|inhale)", re.I), "Take"),
]
_HIGHER, _LOWER = "Take higher", "Take lower"
UNCERTAIN = re.compile(
    r"\b(?:possible|possibly|probable|probably|likely|suspect|suspected|suspicious|concern for|"
    r"may|might|could|consistent with|i think|think|sounds like|looks like|versus|vs)\b",
    re.IGNORECASE,
)
_CONDITIONAL = re.compile(r"\b(?:if|unless|consider|may|might|could|possibly)\b", re.I)
TESTS = [
    (r"hemoglobin a1c|a1c", "a blood test for your average blood sugar (A1c)"),
    (r"lipid panel|cholesterol (?:test|panel|check)", "a blood test for cholesterol"),
    (r"echocardiogram|\becho\b", "an ultrasound of your heart (echocardiogram)"),
    (r"\bekg\b|\becg\b|electrocardiogram", "a heart tracing (EKG)"),
    (r"stress test", "a heart stress test"),
    (r"pulmonary function tests?|\bpfts?\b", "a breathing test"),
    (r"\bmri\b", "an MRI scan"),
    (r"\bct\b(?: scan)?|cat scan", "a CT scan"),
    (r"x-?rays?", "an X-ray"),
    (r"ultrasound", "an ultrasound"),
    (r"mammogram", "a mammogram"),
    (r"colonoscopy", "a colonoscopy"),
    (r"endoscopy", "a scope test of your stomach (endoscopy)"),
    (r"\bcbc\b|blood count", "a blood count"),
    (r"\b(?:cmp|bmp)\b|metabolic panel", "blood chemistry tests"),
    (r"thyroid (?:panel|test|function)|\btsh\b", "a thyroid blood test"),
    (r"urinalysis|urine (?:test|sample|culture)", "a urine test"),
    (r"strep test", "a strep test"),
    (r"\bpsa\b", "a prostate blood test (PSA)"),
    (r"biopsy", "a biopsy"),
    (r"blood work|\blabs\b|blood tests?", "blood tests"),
]
_TESTS = [(re.compile(rf"\b(?:{a})", re.IGNORECASE), b) for a, b in TESTS]
_ORDER = re.compile(
    r"\b(?:order|get|obtain|check|recheck|repeat|schedul|send (?:you|him|her) (?:for|out)|draw|"
    r"do (?:a|an|some))",
    re.IGNORECASE,
)
_FOLLOW_UP = re.compile(
    r"\b(?:follow[- ]?up|see (?:you|him|her|them) (?:back )?|come back|return|recheck)"
    r"(?: with (?:me|us))?(?: again)? in (?:about |approximately )?"
    r"(\d+(?:\s?(?:-|to)\s?\d+)?|a|one|two|three|four|six|a couple of|a few) "
    r"(days?|weeks?|months?|years?)\b",
    re.IGNORECASE,
)
_REFER = re.compile(
    r"\b(?:refer(?:ral)?|send)\w* (?:(?:you|him|her|them) )?(?:back )?(?:to|for) "
    r"((?:a |an |the )?[\w -]+?)(?= for\b| to\b| and\b| who\b|[,.;]|$)",
    re.IGNORECASE,
)
RETURN_PRECAUTION = re.compile(
    r"\b(?:if|should)\b.*\b(?:wors|persist|continu|not improv|doesn't improv|does not improv|"
    r"develop|any (?:issues|problems|questions|concerns)|fever|bleed|call|contact|emergency|"
    r"\ber\b)|\b(?:call|contact|notify) (?:me|us|the (?:clinic|office))\b.*\bif\b",
    re.IGNORECASE,
)
_INSTRUCT = [
    re.compile(
        r"^(?:so,? |and |also,? )?(?:i|we) (?:want|would like|'d like) "
        r"(?:you|him|her|them|the patient) to (?P<rest>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:so,? |and |also,? )?(?:i|we) (?:advised|encouraged|recommended|told|asked)"
        r" (?:you|him|her|them|the patient) to (?P<rest>.+)$",
        re.I,
    ),
    re.compile(
        r"^(?:so,? |and |also,? )?(?:he|she|they|the patient) (?:should|needs to|"
        r"will need to|is to|has to) (?P<rest>.+)$",
        re.I,
    ),
]
PLAN_TITLE = re.compile(r"plan|assessment|instruction|treatment|recommend|follow|order", re.I)


def lay(text: str) -> str:
    """Clinical words in plain ones ("bilateral carpal tunnel syndrome" → "pinched nerve in the
    wrist on both sides")."""
    text = re.sub(r"^bilateral (.+?)(\W*)$", r"\1 on both sides\2", text, flags=re.IGNORECASE)
    for rx, plain in _LAY:
        text = rx.sub(plain, text)
    return text


def second_person(text: str) -> str:
    """A note sentence about the patient, said to the patient (he/she/his → you/your)."""
    subs = [
        (r"\bthe patient portal\b", "your patient portal"),
        # "her" as an object ("we want her to", "call her if") is "you"; else it is "your".
        (
            r"\bher\b(?=\s+(?:to|and|or|if|that|know|back|again|up|in|on|at|for|with)\b|\s*[,.;!?]|$)",
            "you",
        ),
        (r"\b(?:he|she|they|the patient)\s+(?:is|'s)\b", "you are"),
        (r"\b(?:he|she|they|the patient)\s+(?:was)\b", "you were"),
        (r"\b(?:he|she|they|the patient)\s+has\b", "you have"),
        (r"\b(?:he|she|they|the patient)\s+does\b", "you do"),
        (r"\b(?:he|she|they|the patient)\s+doesn't\b", "you don't"),
        (r"\b(?:he|she|they|the patient)\b", "you"),
        (r"\b(?:his|her|their|the patient's)\b", "your"),
        (r"\b(?:him|them)\b", "you"),
        (r"\bhimself\b|\bherself\b", "yourself"),
        (r"\bme\b", "us"),
        (r"\bI\b", "we"),
        (r"\bmy\b", "our"),
    ]
    text = re.sub(r"\b(?:he|she|the patient)\s+([a-z]+)\b", _you_verb, text, flags=re.I)
    for pattern, rep in subs:
        text = re.sub(pattern, rep, text, flags=re.IGNORECASE)
    return text


def _you_verb(m: re.Match[str]) -> str:
    """ "she takes" → "you take": the verb after a third-person subject, agreeing with "you"."""
    verb = m.group(1)
    low = verb.lower()
    if (
        low in ("is", "was", "has", "does", "doesn't")
        or not low.endswith("s")
        or low.endswith(("ss", "us", "is"))
    ):
        return m.group(0)  # left to the table above (or not a verb: "she also", "he thus")
    if low.endswith(("ches", "shes", "sses", "xes", "zes")):
        return f"you {verb[:-2]}"
    if low.endswith("ies") and len(low) > 4:
        return f"you {verb[:-3]}y"
    return f"you {verb[:-1]}"


def sentence_case(text: str) -> str:
    """Spaces tidied, a capital first letter and a full stop."""
    text = re.sub(r"\s+", " ", text).strip(" ,;")
    if not text:
        return ""
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".?!" else text + "."


def expand_sig(text: str) -> str:
    """Sig abbreviations and shorthand spelled out ("bid" → "twice a day", "po" → "by mouth")."""
    for rx, plain in _SIG:
        text = rx.sub(plain, text)
    return text


_DRUG_CLASSES = frozenset(
    "statin statins nsaid nsaids steroid steroids antibiotic antibiotics insulin diuretic".split()
)


def drug_display(name: str) -> str:
    """A brand name capitalised as brands are written (``lasix`` → ``Lasix``); a generic or a
    drug class as is."""
    low = name.lower()
    generics = generic_drug_names(low)
    brand = generics and low not in generics and low not in _DRUG_CLASSES
    return low.capitalize() if brand else low


def medication_instructions(text: str) -> list[str]:
    """Plain instructions for the drugs a plan sentence acts on ("Take lisinopril 40 mg once a
    day."), built only from the sentence's own words: its drug, dose, route and frequency."""
    low = text.lower()
    if "allerg" in low:
        return []
    names = drugs_mentioned(text)
    spots = sorted(
        (m.start(), m.end(), n)
        for n in names
        for m in [re.search(rf"\b{re.escape(n)}\b", low)]
        if m
    )
    out = []
    for k, (start, end, name) in enumerate(spots):
        stop = spots[k + 1][0] if k + 1 < len(spots) else len(text)
        tail = expand_sig(text[end:stop])
        before = low[:start]
        verb = _nearest_action(before)
        if verb is None and re.search(r"\brefill", low):
            verb = "Keep taking"
        if verb is None and k == 0 and not low[:start].strip(" -•,") and _DOSE.search(tail):
            verb = "Take"  # a plan line that is a prescription: "Tramadol, 50 mg, every 6 hours"
        if verb is None:
            continue
        drug = drug_display(name)
        if verb == "Stop taking":
            out.append(f"Stop taking {drug}.")
            continue
        dose = _DOSE.search(tail)
        route = _ROUTE_OUT.search(tail)
        freq = _SIG_OUT.search(tail)
        prn = "when you need it" in tail
        parts = [verb, drug]
        parts += [dose.group(0)] if dose else []
        parts += [route.group(0)] if route else []
        parts += [freq.group(0)] if freq else []
        parts += ["when you need it"] if prn else []
        if verb == _HIGHER:
            parts[0] = "Take"
            parts.append("(a higher dose than before)")
        elif verb == _LOWER:
            parts[0] = "Take"
            parts.append("(a lower dose than before)")
        out.append(" ".join(parts) + ".")
    return out


_NEGATED_VERB = re.compile(r"(?:\bnot|n't|\bno need to|\bnever)(?:\s+\w+){0,3}\s*$", re.I)


def _nearest_action(before: str) -> str | None:
    """What the plan does with the drug that follows ``before``: the closest action verb wins
    ("stop ibuprofen and start naproxen"); a negated one ("we won't start") is no action."""
    best: tuple[int, str] | None = None
    for rx, verb in _ACTIONS:
        for m in rx.finditer(before):
            if best is None or m.start() > best[0]:
                best = (m.start(), verb)
    if best is None or _NEGATED_VERB.search(before[: best[0]]):
        return None
    return best[1]


def test_orders(text: str) -> list[str]:
    """ "We ordered a blood test for cholesterol." for the tests a plan sentence orders; "You may
    need ... later." when it orders them only on a condition; nothing for a test's result."""
    if not _ORDER.search(text) or re.search(
        r"\b(?:showed|came back|revealed|was normal)\b", text, re.I
    ):
        return []
    names = []
    for rx, plain in _TESTS:
        if rx.search(text) and plain not in names:
            names.append(plain)
    if not names:
        return []
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    if _CONDITIONAL.search(text):
        return [f"You may need {listed} later."]
    return [f"We ordered {listed}."]


def follow_up(text: str) -> list[str]:
    """ "Come back to see us in 3 months." when the sentence sets a follow-up interval."""
    m = _FOLLOW_UP.search(text)
    if not m:
        return []
    return [f"Come back to see us in {m.group(1)} {m.group(2)}."]


def referral_to(text: str) -> list[str]:
    """ "We are sending you to physical therapy." for a referral the sentence makes."""
    m = _REFER.search(text)
    if not m or _CONDITIONAL.search(text):
        return []
    where = lay(m.group(1).strip())
    return [f"We are sending you to {where}."]


def patient_instruction(text: str) -> list[str]:
    """An instruction the clinician gave ("I want her to check her blood pressure daily"), said
    to the patient ("Check your blood pressure once a day.")."""
    clean = text.strip().rstrip(".")
    for rx in _INSTRUCT:
        m = rx.match(clean)
        if m:
            return [sentence_case(lay(second_person(expand_sig(m.group("rest")))))]
    return []


def written(text: str) -> str:
    """Transcript text as a written sentence: no fillers, no spaced punctuation, no "okay?"."""
    text = re.sub(r"\s+([,.?!])", r"\1", text)
    text = re.sub(r",\s*(?:okay|ok|alright|all right|right)\s*\?", ".", text, flags=re.I)
    text = re.sub(r"^(?:all right|alright|okay|so|and|um|uh)\b[,\s]*", "", text.strip(), flags=re.I)
    text = re.sub(r"\b(?:um+|uh+|er|hmm+)\b,?\s*", "", text, flags=re.I)
    text = re.sub(r"\b(\w+(?: \w+){0,2}),? \1\b", r"\1", text)  # "we want, we want" → "we want"
    return re.sub(r"\s+", " ", text).strip()
