"""A question and its answer as one statement: questions are never facts, answers give them one.

"any fever?" "no." → "denies fever"; "missed any doses." "no." → "reports no missed doses" (the
drafter words a non-symptom so); "are you taking the lisinopril?" "yes." → "reports taking
lisinopril"; "any allergies to medicines?" "no." → "no known drug allergies"; "any allergies?"
"penicillin." → "allergies: penicillin". Yes and no are read by :mod:`scribe.nlp.answers`.
"""

from __future__ import annotations

import re

from scribe.domain import Segment
from scribe.drafting.offline.text import tidy
from scribe.nlp import (
    ANSWER_WORDS,
    NO_ANSWER,
    YES_ANSWER,
    drugs_mentioned,
    plain_content_words,
    strip_fillers,
)

ALLERGY = re.compile(r"\ballerg", re.IGNORECASE)
# The words that open a yes/no question about a symptom or habit; what follows is its topic.
_Q_LEAD = re.compile(
    r"(?:^|[,;]\s*|\b(?:and|so|okay|now|also|like)\s+)(?:have you (?:had|been having|noticed|"
    r"experienced|felt|seen)|do you (?:have|get|feel|notice|take|smoke|drink)|did you (?:have|"
    r"get|notice|feel|"
    r"take)|are you (?:having|taking|using|experiencing|feeling|still)|is there|any (?:other )?|"
    r"how about|what about|experiencing|been having|noticed)\s*(?:any|some)?\s*",
    re.IGNORECASE,
)
# A bare answer that names something ("penicillin."), not one about the speaker.
_BARE = re.compile(r"^(?!.*\b(?:i|i'm|i've|my|me|you|not sure|don't know)\b)[\w\s,.'-]+$", re.I)
# Words an answer may add and still say only yes or no ("a little bit", "not that I know").
_HEDGES = {"little", "bit", "sometimes", "occasionally", "mild", "times", "really", "definitely",
           "maybe", "kind", "sort", "guess", "think", "actually", "lot", "much", "pretty", "once",
           "while", "yesterday", "today", "still", "now", "well", "right", "ok", "mostly",
           "don", "didn", "haven", "isn", "know", "known", "none", "never", "nothing"}
_GERUND = {"take": "taking", "smoke": "smoking", "drink": "drinking alcohol", "use": "using"}


def _topic(question: str) -> str | None:
    """What a yes/no question asks about ("do you have any fever?" → "fever"), or None."""
    q = question.rstrip(" ?").lower()
    matches = list(_Q_LEAD.finditer(q))
    if not matches:
        return None
    m = matches[-1]
    topic = strip_fillers(q[m.end() :]).strip(" ,")
    # "are you taking the lisinopril?" is about taking it: "reports taking lisinopril".
    verb = re.search(r"\b(take|taking|smoke|drink|use|using)\s*(?:any|some)?\s*$", m.group(0))
    if verb:
        gerund = _GERUND.get(verb.group(1), verb.group(1))
        topic = re.sub(r"^(?:a|an|the)\s+", "", topic)
        topic = f"{gerund} {topic}".strip()
    topic = re.sub(
        r"\b(?:at all|lately|recently|or anything(?: like that)?|or anything)\b", "", topic
    )
    topic = re.sub(r"^(?:a|an|the)\s+", "", re.sub(r"\s+", " ", topic).strip(" ,"))
    if (
        not topic
        or len(topic.split()) > 8
        or re.search(r"\b(?:you|your|i|my|does|do|did|is|are|what|how|that)\b", topic)
    ):
        return None
    return topic


_ANY = re.compile(r"^(?:(?:have|did|do) you |you )?(?:(\w+) )?any (.+?)[\s.?]*$", re.IGNORECASE)
_HAVE_VERBS = {"had", "have", "has", "get", "got", "notice", "noticed", "experience",
               "experienced", "feel", "felt", "see", "seen"}
_NOT_ASKED = re.compile(r"\b(?:i|i'll|i'm|we|we'll|let's|prescribe|order|refer|schedule)\b", re.I)


def asked(sentence: str, answer: str) -> bool:
    """An unmarked question ("missed any doses.") told by its reply: a short yes or no answer."""
    return (
        bool(re.search(r"\bany\b", sentence, re.IGNORECASE))
        and not _NOT_ASKED.search(sentence)
        and len(answer.split()) <= 6
        and bool(NO_ANSWER.match(answer) or YES_ANSWER.match(answer))
    )


def _any_topic(question: str) -> str | None:
    """ "missed any doses?" → "missed doses"; "had any fever?" → "fever"."""
    m = _ANY.match(strip_fillers(question.lower()))
    if not m:
        return None
    verb, rest = m.group(1), m.group(2).strip(" ,")
    if not rest or len(rest.split()) > 6 or re.search(r"\b(?:you|your|i|my)\b", rest):
        return None
    return rest if verb is None or verb in _HAVE_VERBS else f"{verb} {rest}"


def fold(sent: str, seg: Segment, nxt: Segment | None) -> tuple[str, tuple[int, ...]] | None:
    """A question and the reply after it as one statement, with both segments as evidence; None
    when the reply does not answer it in a word. "and you take fluocinonide?" "yes." →
    "medications: fluocinonide" (a drug asked about, no symptom to report)."""
    if nxt is None or (nxt.speaker == seg.speaker and seg.speaker is not None):
        return None
    ans = tidy(nxt.text)
    evidence = (seg.index, nxt.index)
    short = len(ans.split()) <= 6
    verb = "denies" if NO_ANSWER.match(ans) else "reports" if YES_ANSWER.match(ans) else ""
    # "Yes, I am allergic to penicillin": the answer says more than yes/no, so it stays a
    # sentence of its own (folding it would drop the drug name).
    says_more = plain_content_words(ans) - ANSWER_WORDS - _HEDGES - plain_content_words(sent)
    if ALLERGY.search(sent) and verb == "denies" and short and not says_more:
        known = "drug allergies" if re.search(r"\b(?:medic|drug)", sent, re.I) else "allergies"
        return f"no known {known}", evidence
    topic = _topic(sent) or _any_topic(sent)
    drugs = drugs_mentioned(sent)
    if drugs and verb == "reports" and short and not says_more and not topic:
        return f"medications: {', '.join(drugs)}", evidence
    if not topic:
        return None
    if verb and short and not says_more:
        return f"{verb} {topic}", evidence
    if short and _BARE.match(ans) and plain_content_words(ans):
        answer = strip_fillers(ans.lower()).rstrip(" .")
        return f"{topic}: {answer}", evidence
    return None
