"""Yes/no answers: a turn that answers the question before it, and which way."""

from __future__ import annotations

import re

__all__ = ["ANSWER_WORDS", "NO_ANSWER", "YES_ANSWER", "drop_leading_answer"]

NO_ANSWER = re.compile(
    r"^\s*(?:no|nope|nah|not really|never|none|negative|i don't|i do n't|i haven't|i have n't|"
    r"i didn't|i did n't|not that i)\b",
    re.IGNORECASE,
)
"""A turn that begins by answering no ("No.", "Nope, never.", "I haven't")."""
YES_ANSWER = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|sure|mm-hmm|uh-huh|correct|(?:i do|i have|i did|i am)(?! not\b)|"
    r"sometimes|a little|definitely|absolutely|i think so)\b",
    re.IGNORECASE,
)
"""A turn that begins by answering yes ("Yes.", "Mm-hmm.", "A little."; not "I do not").

Split forms such as "i do n't" also start a yes: test :data:`NO_ANSWER` first."""

ANSWER_WORDS = frozenset({"yes", "yep", "yeah", "nope", "sure", "correct", "fine", "good", "okay"})
"""Words that only answer: a reply made of them says nothing more than yes or no."""

_LEADING_ANSWER = re.compile(r"^(?:yes|yeah|yep|no|nope)[,.!]?\s+(?=\w)", re.IGNORECASE)


def drop_leading_answer(text: str) -> str:
    """The turn without the yes or no it begins with ("Yes, since Monday." → "since Monday.")."""
    return _LEADING_ANSWER.sub("", text)
