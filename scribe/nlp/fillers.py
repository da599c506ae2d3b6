"""Fillers: hesitations and backchannels ("um", "mm-hmm"), discourse fillers, repeats."""

from __future__ import annotations

import re

from scribe.nlp.words import bare_word

__all__ = ["HESITATIONS", "is_hesitation", "strip_fillers"]

HESITATIONS = (
    "um", "uh", "uhm", "erm", "ah", "huh", "hm", "hmm", "mm", "mhm", "mmhm", "mhmm", "mm-hmm",
    "uh-huh", "uh-uh", "um-hum",
)
"""Hesitations and backchannels as commonly written. Each may drop its hyphen and draw out its last
letter ("ummm", "hmmm", "mmhmm"). Not "er": in clinical speech that is the ER; and "mm" after a
number is the unit, which :func:`strip_fillers` keeps ("5 mm")."""

# Longest first, so that "mm-hmm" goes as one word and not as "mm" plus a stray "-hmm".
_HESITATION = "|".join(
    re.escape(h).replace(r"\-", "-?") + "+" for h in sorted(HESITATIONS, key=len, reverse=True)
)
_HESITATION_WORD = re.compile(_HESITATION)

# Words that only hold the floor ("you know"), and the openers of a turn ("so", "and").
_DISCOURSE = [
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
    r"\b(?:hey|okay|ok)?,?\s*(?:dragon|dax)\b,?",  # the dictation assistant addressed
]
_FILLER_RE = re.compile(
    "|".join([rf"(?<!\d\s)\b(?:{_HESITATION})\b", *_DISCOURSE]), re.IGNORECASE
)
_REPEAT_RE = re.compile(r"\b(\w+(?:'\w+)?)(?:\s*,?\s+\1\b)+", re.IGNORECASE)
_DASH_CUT = re.compile(r"\b\w+-(?=\s|$)")  # "ex- exerting" → "exerting"


def is_hesitation(word: str) -> bool:
    """Whether one transcribed word is a hesitation or backchannel ("Um,", "-hmm.", "MM")."""
    return _HESITATION_WORD.fullmatch(bare_word(word)) is not None


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
