"""Text clean-up for the offline drafter: spoken dialogue → short clinical statements.

Pure functions, no state. Nothing here adds a fact: words are removed (fillers, repeats),
spelled-out
numbers become digits, units are abbreviated, and first/second person becomes third person.
"""

from __future__ import annotations

import re

_SPACED_PUNCT = re.compile(r"\s+([,.;:?!%])")
_CONTRACTION = re.compile(r"\b(\w+) (n't|'s|'re|'ve|'ll|'d|'m)\b")
_ELLIPSIS = re.compile(r"\s*(\.\s*){2,}|…")
_DASH_CUT = re.compile(r"\b\w+-(?=\s|$)")  # "ex- exerting" → "exerting"

_FILLERS = [
    r"\bum+\b",
    r"\buh+\b",
    r"\bumm+\b",
    r"\bhmm+\b",
    r"\bmm-hmm\b",
    r"\bmhm\b",
    r"\buh-huh\b",
    r"\bum-hum\b",
    r"\byou know\b",
    r"\bi mean\b",
    r"\bkind of\b",
    r"\bsort of\b",
    r"\bkinda\b",
    r"\bsorta\b",
    r"\bokay\b",
    r"\bok\b",
    r"\ball right\b",
    r"\balright\b",
    r"\byeah\b",
    r"\bactually\b",
    r"\bbasically\b",
    r"\bjust\b",
    r"\breally\b",
    r"\bpretty much\b",
    r"\blike,",
    r"\bi guess\b",
    r"\bgotcha\b",
    r"\bwell,",
    r"^\s*so\b",
    r"^\s*and\b",
    r"^\s*but\b",
    r"^\s*now\b",
    r"^\s*then\b",
    r"^\s*alrighty\b",
    r"^\s*oh\b",
    r"\bright\?",
    r"\b(?:hey|okay|ok)?,?\s*(?:dragon|dax)\b,?",
]
_FILLER_RE = re.compile("|".join(_FILLERS), re.IGNORECASE)
_REPEAT_RE = re.compile(r"\b(\w+(?:'\w+)?)(?:\s*,?\s+\1\b)+", re.IGNORECASE)

_UNITS = {
    "milligrams": "mg",
    "milligram": "mg",
    "micrograms": "mcg",
    "microgram": "mcg",
    "milliliters": "mL",
    "milliliter": "mL",
    "kilograms": "kg",
    "kilogram": "kg",
    "centimeters": "cm",
    "centimeter": "cm",
    "millimeters": "mm",
    "millimeter": "mm",
    "percent": "%",
    "units": "units",
    "grams": "g",
    "gram": "g",
}
_ONES = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_SCALES = {"hundred": 100, "thousand": 1000}
_NUMWORD = set(_ONES) | set(_TENS) | set(_SCALES)
_NUM_SEQ = re.compile(
    r"\b(?:(?:"
    + "|".join(sorted(_NUMWORD, key=len, reverse=True))
    + r")(?:[\s-]+(?:and\s+)?|\b))+",
    re.IGNORECASE,
)
# "one" alone stays a word unless a unit or a time word follows ("this one", "one of them").
_COUNTABLE = re.compile(
    r"^\s*(mg|mcg|ml|kg|cm|mm|g|%|units?|days?|weeks?|months?|years?|hours?|times?|minutes?|"
    r"pills?|tablets?|puffs?|drops?|point|plus|out|to|or|and|a\b|per|cups?|glass|packs?|drinks?)",
    re.IGNORECASE,
)


def _words_to_number(words: list[str]) -> int | None:
    total, current = 0, 0
    for w in words:
        w = w.lower()
        if w in _ONES:
            current += _ONES[w]
        elif w in _TENS:
            current += _TENS[w]
        elif w == "hundred":
            current = max(current, 1) * 100
        elif w == "thousand":
            total += max(current, 1) * 1000
            current = 0
        else:
            return None
    return total + current


def _num_sub(m: re.Match[str]) -> str:
    text = m.group(0)
    trail = " " if text[-1:].isspace() or text.endswith("-") else ""
    words = [w for w in re.split(r"[\s-]+", text.strip(" -")) if w and w.lower() != "and"]
    if not words:
        return text
    rest = m.string[m.end() :]
    if len(words) == 1 and words[0].lower() == "one" and not _COUNTABLE.match(rest):
        return text
    chunks: list[list[str]] = [[]]
    for w in words:
        lw = w.lower()
        val = _words_to_number(chunks[-1]) or 0
        small = _ONES.get(lw, _TENS.get(lw, 0))
        if (
            chunks[-1]
            and lw not in _SCALES
            and ((small >= 10 and val % 100 != 0) or (small < 10 and val % 10 != 0))
        ):
            chunks.append([])
        chunks[-1].append(w)
    values = [_words_to_number(c) for c in chunks]
    if any(v is None for v in values):
        return text
    if len(values) == 2 and values[0] in (19, 20) and 0 <= (values[1] or 0) < 100:
        return f"{values[0]}{values[1]:02d}{trail}"  # "nineteen eighty two" → 1982
    if len(values) == 2 and values[0] in (1, 2) and 20 <= (values[1] or 0) < 100:
        return f"{values[0]}{values[1]:02d}{trail}"  # "one twenty eight" (a pressure) → 128
    return " ".join(str(v) for v in values) + trail


def normalize_numbers(text: str) -> str:
    """Spelled-out numbers and units → digits and abbreviations ("ten milligrams" → "10 mg")."""
    text = re.sub(
        r"\bpoint (" + "|".join(list(_ONES)[:10]) + r")\b",
        lambda m: f"point {_ONES[m.group(1).lower()]}",
        text,
        flags=re.IGNORECASE,
    )
    text = _NUM_SEQ.sub(_num_sub, text)
    text = re.sub(r"\b(\d+) point (\d+)\b", r"\1.\2", text)
    text = re.sub(r"\b(\d+) (\d+)/(\d+)\b", r"\1 \2/\3", text)
    text = re.sub(r"\b(\d+) over (\d+)\b", r"\1/\2", text)

    def unit(m: re.Match[str]) -> str:
        u = _UNITS[m.group(2).lower()]
        return f"{m.group(1)}{u}" if u == "%" else f"{m.group(1)} {u}"

    text = re.sub(
        r"\b(\d+(?:\.\d+)?)\s*(" + "|".join(sorted(_UNITS, key=len, reverse=True)) + r")\b",
        unit,
        text,
        flags=re.IGNORECASE,
    )
    return text


def tidy(text: str) -> str:
    """Undo ASR-style spacing ("do n't", "pain ." ) and collapse blanks."""
    text = text.replace("__lf1__", " ")
    text = _ELLIPSIS.sub(" ... ", text)
    text = _CONTRACTION.sub(r"\1\2", text)
    text = re.sub(r"\bgon na\b|\bgonna\b", "going to", text)
    text = re.sub(r"\blem me\b|\blemme\b", "let me", text)
    text = re.sub(r"\bwan na\b|\bwanna\b", "want to", text)
    text = re.sub(r"\bgot ta\b|\bgotta\b", "have to", text)
    text = _SPACED_PUNCT.sub(r"\1", text)
    text = re.sub(r"\$\s+(\d)", r"$\1", text)
    return re.sub(r"\s+", " ", text).strip()


_BREAK = re.compile(
    r"\s(?=(?:so|okay|alright|all right|now|and then|but|because|um|uh|i'm gonna|i'm going to|"
    r"i want|i think|let's|we'll|i'll|he|she|it's|there's|what|how|when|do|did|does|are|is|"
    r"any|have)\s)",
    re.IGNORECASE,
)
_QWORD = re.compile(
    r"^(?:(?:and|so|okay|now|um|uh|alright|then|also|well|,)\s*)*(?:what|how|when|where|why|which|who|did|do|"
    r"does|are|is|have|has|can|could|would|any)\b",
    re.IGNORECASE,
)


def _split_long(sentence: str, limit: int = 25) -> list[str]:
    """Cut an unpunctuated run-on (raw ASR) at discourse markers into pieces of 6+ words."""
    if len(sentence.split()) <= limit:
        return [sentence]
    pieces: list[str] = []
    for piece in _BREAK.split(sentence):
        if pieces and (len(piece.split()) < 6 or len(pieces[-1].split()) < 6):
            pieces[-1] = f"{pieces[-1]} {piece}"
        else:
            pieces.append(piece)
    return [p.strip() for p in pieces]


def is_question(sentence: str) -> bool:
    """A question by its mark, or by its first word when ASR left the mark out."""
    s = sentence.strip()
    return s.endswith("?") or (not s.endswith(".") and bool(_QWORD.match(s)))


def split_sentences(text: str) -> list[str]:
    """Split a tidied turn into sentences at . ? ! and ellipses, and cut long run-ons."""
    parts = re.split(r"(?<=[.?!])\s+|\s*\.\.\.\s*", text)
    out: list[str] = []
    for p in parts:
        if p and p.strip(" .,"):
            out.extend(_split_long(p.strip()))
    return out


def strip_fillers(text: str) -> str:
    """Drop hesitations, repeats and discourse fillers; keep every content word."""
    text = _DASH_CUT.sub("", text)
    prev = None
    while prev != text:
        prev = text
        text = _FILLER_RE.sub(" ", text)
        text = _REPEAT_RE.sub(r"\1", text)
        text = re.sub(r"\s+", " ", text)
        text = re.sub(r"^[\s,.;:-]+", "", text)
        text = re.sub(r"(\s*,)+", ",", text)
        text = re.sub(r",\s*([.?!])", r"\1", text)
    return text.strip(" ,;:-")


_FIRST = [
    (r"\bi am\b", "{S} is"),
    (r"\bi'm\b", "{S} is"),
    (r"\bi've\b", "{S} has"),
    (r"\bi have\b", "{S} has"),
    (r"\bi was\b", "{S} was"),
    (r"\bi'll\b", "{S} will"),
    (r"\bi'd\b", "{S} would"),
    (r"\bi don't\b", "{S} does not"),
    (r"\bi do not\b", "{S} does not"),
    (r"\bi didn't\b", "{S} did not"),
    (r"\bi haven't\b", "{S} has not"),
    (r"\bi can't\b", "{S} cannot"),
    (r"\bi do\b", "{S} does"),
    (r"\bmyself\b", "{R}"),
    (r"\bmy\b", "{P}"),
    (r"\bme\b", "{O}"),
    (r"\bmine\b", "{P2}"),
    (r"\bwe're\b", "they are"),
    (r"\bwe've\b", "they have"),
    (r"\bwe\b", "they"),
    (r"\bour\b", "their"),
]
_VERBS = set(
    """feel take think get go need want know use try see notice run walk eat drink smoke work
    sleep wake live hurt like keep check stay exercise play miss forget remember wear lift drive
    watch cough experience seem tend say wonder bring follow continue monitor start stop ride swim
    hike bike cook drop lose gain snore vomit bleed sweat fall trip wait call mean plan hope love
    agree understand believe deal struggle itch ache burn""".split()
)
_MODALS = (
    "can",
    "could",
    "will",
    "would",
    "should",
    "might",
    "may",
    "must",
    "also",
    "still",
    "never",
    "always",
    "usually",
    "sometimes",
    "often",
    "only",
    "did",
    "had",
    "was",
)
_SUBJ_YOU = re.compile(
    r"(^|\b(?:if|and|so|that|when|because|but|or|as|since|until|unless)\b|,)"
    r"\s*you\b",
    re.IGNORECASE,
)
_SECOND = [
    (r"\byou're\b", "{S} is"),
    (r"\byou've\b", "{S} has"),
    (r"\byou have\b", "{S} has"),
    (r"\byou are\b", "{S} is"),
    (r"\byou were\b", "{S} was"),
    (r"\byou'll\b", "{S} will"),
    (r"\byou'd\b", "{S} would"),
    (r"\byou don't\b", "{S} does not"),
    (r"\byou do not\b", "{S} does not"),
    (r"\byou didn't\b", "{S} did not"),
    (r"\byou haven't\b", "{S} has not"),
    (r"\byou can't\b", "{S} cannot"),
    (r"\byou do\b", "{S} does"),
    (r"\byourself\b", "{R}"),
    (r"\byour\b", "{P}"),
]
PRONOUNS = {
    "male": {"S": "he", "O": "him", "P": "his", "P2": "his", "R": "himself"},
    "female": {"S": "she", "O": "her", "P": "her", "P2": "hers", "R": "herself"},
    None: {"S": "the patient", "O": "the patient", "P": "their", "P2": "theirs", "R": "themself"},
}


def _third_s(verb: str) -> str:
    if verb not in _VERBS:
        return verb
    if verb.endswith(("s", "sh", "ch", "x", "o")):
        return verb + "es"
    if verb.endswith("y") and verb[-2] not in "aeiou":
        return verb[:-1] + "ies"
    return verb + "s"


def _agree(text: str, pronoun: str) -> str:
    """ "<pronoun> feel" → "{S} feels"; "<pronoun> can" → "{S} can"."""
    pat = re.compile(
        rf"\b{pronoun} ((?:\w+ly|also|still|never|always|often|sometimes|just) )?(\w+)\b",
        re.IGNORECASE,
    )

    def sub(m: re.Match[str]) -> str:
        adv, verb = m.group(1) or "", m.group(2).lower()
        if verb in _VERBS:
            return "{S} " + adv + _third_s(verb)
        if verb in _MODALS:
            return "{S} " + adv + verb
        return m.group(0)

    return pat.sub(sub, text)


def to_third_person(text: str, gender: str | None, speaker: str | None) -> str:
    """Patient's "I"/"my" → he/his (or "the patient"); clinician's "you"/"your" → the patient."""
    p = PRONOUNS.get(gender, PRONOUNS[None])
    if speaker == "patient":
        text = re.sub(r"\bi've had\b", "{S} reports", text, flags=re.IGNORECASE)
        for pat, rep in _FIRST:
            text = re.sub(pat, rep, text, flags=re.IGNORECASE)
        text = _agree(text, "i")
        text = re.sub(r"\bi\b", "{S}", text)
    elif speaker == "clinician":
        for pat, rep in _SECOND:
            text = re.sub(pat, rep, text, flags=re.IGNORECASE)
        text = _agree(text, "you")
        text = _SUBJ_YOU.sub(lambda m: m.group(1) + (" " if m.group(1) else "") + "{S}", text)
        text = re.sub(r"\byou\b", "{O}", text, flags=re.IGNORECASE)
        text = re.sub(r"\bi\b", "I", text)
        text = re.sub(r"\bi'(\w+)", r"I'\1", text)
    text = re.sub(r"\{(S|O|P2|P|R)\}", lambda m: p[m.group(1)], text)
    return re.sub(r"\s+", " ", text).strip()


def sentence_case(text: str) -> str:
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    if text[-1] not in ".?!":
        text += "."
    return text


def content_words(text: str) -> set[str]:
    """Lower-case words of three or more letters, minus very common ones (for evidence checks)."""
    return {w for w in re.findall(r"[a-z0-9]{3,}", text.lower()) if w not in STOP}


STOP = set(
    """the and for that this with you your have has had was were are not but what how about
    any can all did does doing just like okay yeah right well there then they them their from
    into out get got going gonna want would could should will his her him she he patient reports
    its it's i'm i've some been being also very one when where which who why because so let
    know think see look looks good great today time thing things really other more much""".split()
)
