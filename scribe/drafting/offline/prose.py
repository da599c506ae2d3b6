"""Spoken sentence → note sentence: what is said to someone is restated, what is only talk goes.

Pure functions on lower-case, filler-stripped text. Nothing here adds a fact: openers go ("well",
"so", "okay", "hey"), a proposal becomes the plan it is ("let's continue the metformin" → "we will
continue the metformin"), a clinician's framing goes ("i know that she …" → "she …"), a tail cut
off mid-sentence is trimmed back to the last whole clause, and :func:`reads_as_talk` names what is
still conversation (a question, "you", a greeting, a fragment) so the drafter can leave it out.
"""

from __future__ import annotations

import re

_OPENER = re.compile(
    r"^(?:(?:well|so|okay|ok|alright|all right|um+|uh+|yes|yeah|yep|yup|oh|hey|anyway|now|and|but|"
    r"also|then|like i said|like|sure|wow|man|hmm+|mm-?hmm|uh-?huh|great|perfect|good|right)"
    r"(?:\s*,\s*|\s+|$))+",
    re.IGNORECASE,
)
# "right" and "good" open notes too ("Right knee pain.", "Good range of motion."): only dropped
# when a comma says they were spoken ("right, so …").
_KEEP_OPENER = re.compile(r"^(?:right|good|great)\s+(?!,)", re.IGNORECASE)
_GREETING = re.compile(
    r"^(?:hi|hello|hey|good (?:morning|afternoon|evening)|nice to (?:see|meet)|good to see|"
    r"how are (?:you|things)|how(?:'s| is) it going|how have you been|thank you|thanks|bye)\b",
    re.IGNORECASE,
)
_LETS = re.compile(
    r"\blet'?s\s+(?:go ahead and\s+|try to\s+|try and\s+|just\s+|plan to\s+|plan on\s+)?", re.I
)
# "let's see", "let's take a look": talk about the visit itself, not a plan.
_LETS_TALK = re.compile(
    r"\blet'?s\s+(?:see|say|pretend|take a|have a|do (?:a|the|your|an)|talk|go over|review|"
    r"look|get (?:you|started)|start (?:with|by)|focus|complete|use the|examine|check (?:you|out)|"
    r"took)\b",
    re.IGNORECASE,
)
_FRAMING = re.compile(
    r"^(?:(?:and |so )?(?:i|we) (?:know|see|understand|heard|hear|noticed|notice|remember|"
    r"recall|saw|read)(?: that)?|it (?:sounds|seems) like|it looks like (?=\w+ (?:is|has|was|"
    r"had|have|are|were)\b)|i was notified(?: that)?|i'm told(?: that)?)\s+(?=\w)",
    re.IGNORECASE,
)
_SPOKEN_TAIL = re.compile(
    r"(?:,?\s*(?:or|and)\s+(?:so|something|anything|stuff|things)(?: like that)?|,?\s*(?:things|"
    r"stuff|something|anything) like that|,?\s*or anything|,?\s*and all that|,?\s*and stuff|"
    r",?\s*(?:you know|i guess|i think|right|okay)|,?\s*if that makes sense)\s*[.?!]*$",
    re.IGNORECASE,
)
# Words a finished sentence does not end on: a turn cut off mid-clause ("… and the", "… to").
FUNCTION_WORDS = frozenset(
    """the a an to of and or but with from at is are was were we i my your his their our these be
    by if because about into like than so it's there's he's she's um uh just very also which who
    whose when where while what how""".split()
)
_QUESTION = re.compile(
    r"^(?:(?:do|does|did|have|has|are|is|was|were|can|could|would|will|should|shall)\s+(?:you|he|"
    r"she|they|we|i|it|there|that|this|anything|anyone|the patient)|(?:what|how|why|when|where|"
    r"which|who|whose)\s+(?:do|does|did|is|are|was|were|have|has|can|could|would|will|should|"
    r"about|else|long|much|many|often|kind|type|sort)|any (?:other )?questions|what about|"
    r"how about)\b",
    re.IGNORECASE,
)
_SECOND = re.compile(r"\b(?:you|your|you're|you've|you'll|you'd|yours|yourself|y'all)\b", re.I)
_META = re.compile(r"\b(?:dragon|dax|the recording|the microphone|mic\b|the note\b|template)\b",
                   re.IGNORECASE)


def drop_opener(text: str) -> str:
    """Spoken openers off the front: "well, so his vitals look good" → "his vitals look good"."""
    while True:
        if _KEEP_OPENER.match(text):
            return text
        out = _OPENER.sub("", text, count=1).lstrip(" ,")
        if out == text:
            return text
        text = out


def lets_to_plan(text: str) -> str:
    """A proposal as the plan it is: "let's increase the metformin" → "we will increase the
    metformin". "Let's see / let's take a look" is left for :func:`reads_as_talk`."""
    if _LETS_TALK.search(text):
        return text
    return _LETS.sub("we will ", text)


def drop_framing(text: str) -> str:
    """The clinician's framing off the front: "i know that she enrolled in therapy" → "she
    enrolled in therapy"."""
    out = _FRAMING.sub("", text, count=1)
    return out if len(out.split()) >= 3 else text


def trim_tail(text: str) -> str:
    """Spoken tails ("or so", "things like that") and words left dangling by a cut-off turn
    ("… and the", "… to") trimmed back to the last whole word; "" when too little is left."""
    text = text.rstrip(" .,;:-")
    prev = None
    while prev != text:
        prev = text
        text = _SPOKEN_TAIL.sub("", text).rstrip(" .,;:-")
        words = text.split()
        while words and words[-1].lower().strip(",;:") in FUNCTION_WORDS:
            words.pop()
        text = " ".join(words).rstrip(" .,;:-")
    return text


def reads_as_talk(text: str) -> str | None:
    """Why a cleaned sentence is still conversation rather than a note sentence, or None."""
    s = text.strip()
    if not s:
        return "empty"
    if s.endswith("?") or _QUESTION.match(s):
        return "question"
    if _GREETING.match(s):
        return "greeting"
    if _SECOND.search(s):
        return "you"
    if re.search(r"\blet'?s\b|\blet me\b", s, re.IGNORECASE):
        return "let's"
    if _META.search(s):
        return "about the visit"
    last = s.rstrip(" .!").split()[-1].lower() if s.rstrip(" .!") else ""
    if last in FUNCTION_WORDS:
        return "fragment"
    return None


_INTENT = re.compile(
    r"\b(?:i|we)(?:'m going to| am going to| are going to|'re going to| want to| would like to|"
    r"'d like to| will|'ll)(?: just)?(?: go ahead and| also)?(?: go ahead and)?\s+(?=(?:order|"
    r"prescribe|start|continue|refer|increase|decrease|schedule|get|check|send|give|put|"
    r"recommend|have|repeat|add|switch|change|stop|discontinue|do|draw|obtain|place|provide)\b)",
    re.IGNORECASE,
)


def plan_voice(text: str) -> str:
    """A clinician's intention as the plan notes write: "i want to go ahead and order an x-ray" →
    "we will order an x-ray"."""
    text = _INTENT.sub("we will ", text)
    return re.sub(r"\bgo ahead and\s+", "", text, flags=re.IGNORECASE)
