"""Negation: the cues that negate a finding and the terms they negate (NegEx / ConText rules).

Negation follows NegEx (Chapman et al., "A simple algorithm for identifying negated findings and
diseases in discharge summaries", J Biomed Inform 2001) and its ConText extension (Harkema et al.,
J Biomed Inform 2009): a negation trigger negates the terms in a window after it (or before it, for
post-triggers) up to a termination term. We implement that rule set here rather than use medspaCy,
whose ConText pins spaCy 3.7.5 and numpy < 2 while Scribe runs numpy 2; the rules are small, need no
model, and the dialogue case NegEx lacks (a question answered "no" by the next speaker) is read with
:data:`scribe.nlp.answers.NO_ANSWER`.
"""

from __future__ import annotations

import re

from scribe.nlp.words import STOPWORDS, stem, tokens

__all__ = ["NEGATION_POST", "NEGATION_PRE", "TERMINATION", "negated_terms"]

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
