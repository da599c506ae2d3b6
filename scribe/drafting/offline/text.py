"""Text clean-up for the offline drafter: spoken dialogue → short clinical statements.

Pure functions, no state. Nothing here adds a fact: ASR spacing is undone, turns are cut into
sentences, and first/second person becomes third person. Fillers and spoken numbers are handled
by :mod:`scribe.nlp` (``strip_fillers``, ``normalize_numbers``).
"""

from __future__ import annotations

import re

_SPACED_PUNCT = re.compile(r"\s+([,.;:?!%])")
_CONTRACTION = re.compile(r"\b(\w+) (n't|'s|'re|'ve|'ll|'d|'m)\b")
_ELLIPSIS = re.compile(r"\s*(\.\s*){2,}|…")


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


# Cut points of an unpunctuated run-on: discourse markers only. Cutting before "is", "have" or
# "any" made statements look like questions ("we are going to | have you continue your aspirin").
_BREAK = re.compile(
    r"\s(?=(?:so|okay|alright|all right|now|and then|but|because|um|uh|i'm gonna|i'm going to|"
    r"i want|i think|let's|let me|we'll|i'll|we're going to)\s)",
    re.IGNORECASE,
)
_QWORD = re.compile(
    r"^(?:(?:and|so|okay|now|um|uh|alright|then|also|well|,)\s*)*(?:(?:what|how|when|where|why|"
    r"which|who)\b|(?:did|do|does|are|is|was|were|have|has|can|could|would|will|should)\s+(?:you|"
    r"he|she|they|it|there|that|this|we|i|your|his|her|their|the patient|anyone|anything)\b|"
    r"any\b)",
    re.IGNORECASE,
)
# A statement that ends asking for a nod ("…continue your lisinopril, okay?") is not a question.
_TAG = re.compile(
    r"(?:,\s*|\s+)(?:okay|ok|right|all right|alright|yeah|you know|sound good|sounds good|does "
    r"that sound good|does that sound okay|is that okay|is that all right|fair enough|good|"
    r"correct|is that correct|is that right|that right)\s*\?$",
    re.IGNORECASE,
)


def drop_tag_question(sentence: str) -> str:
    """ "We'll add carvedilol, okay?" → "We'll add carvedilol." (the tag asks for a nod)."""
    s = sentence.rstrip()
    out = _TAG.sub("", s)
    return out + "." if out != s and out.strip() else s


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
    s = drop_tag_question(sentence.strip())
    return s.endswith("?") or (not s.endswith(".") and bool(_QWORD.match(s)))


def split_sentences(text: str) -> list[str]:
    """Split a tidied turn into sentences at . ? ! and ellipses, and cut long run-ons."""
    parts = re.split(r"(?<=[.?!])\s+|\s*\.\.\.\s*", text)
    out: list[str] = []
    for p in parts:
        if p and p.strip(" .,"):
            out.extend(_split_long(p.strip()))
    return out


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
