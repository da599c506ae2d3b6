"""Content words: the words of a text that carry its meaning, for matching one text to another."""

from __future__ import annotations

import re

from scribe.nlp.negation import NEGATION_PRE
from scribe.nlp.quantities import NUMBER_WORDS
from scribe.nlp.words import STOPWORDS, stem, tokens

__all__ = ["content_words", "plain_content_words"]

_PLAIN_WORD = re.compile(r"[a-z0-9]{3,}")
# The offline drafter's stopwords: STOPWORDS less the words it counts as content, plus a few more.
# Its thresholds (two content words make a sentence, 80% of them shared a duplicate) were tuned for
# ROUGE on exactly this list.
_COUNTED_BY_DRAFTER = frozenset(
    """above after again against alright before below between bit both came come currently doctor
    down during each few further having here hers herself himself hmm itself kind little lot
    made make most mrs myself nor noted notes off once only ought our ours ourselves over own
    patients report reported said same say something sort started stated states such take takes
    taking tell than theirs themselves these those through told too took under until uses using
    while whom yes yours yourself""".split()
)
_IGNORED_BY_DRAFTER = frozenset({"gonna", "look", "looks", "much", "not", "one", "time"})
_DRAFTER_STOPWORDS = (STOPWORDS - _COUNTED_BY_DRAFTER) | _IGNORED_BY_DRAFTER


def content_words(text: str) -> set[str]:
    """Stems of the words that carry meaning (no stopwords, no number words, no negation cues)."""
    return {
        stem(t) for t in tokens(text)
        if t not in STOPWORDS and t not in NUMBER_WORDS and len(t) > 2 and not t[0].isdigit()
        and t not in NEGATION_PRE
    }


def plain_content_words(text: str) -> set[str]:
    """Lower-case words and numbers of three or more characters, unstemmed, minus stopwords (the
    offline drafter's evidence and duplicate checks)."""
    return {w for w in _PLAIN_WORD.findall(text.lower()) if w not in _DRAFTER_STOPWORDS}
