"""Clinical vocabulary that biases recognition through faster-whisper ``hotwords``.

Three sources, most specific first: the clinician's own words (a file the workspace names,
``<data dir>/vocabulary.txt``, one a line, editable), drug names from the drug lexicon of :mod:`scribe.nlp` (only those the visit so far
seems to mention are used) and its short committed list of common clinical terms. The hotwords
string is kept short and relevant: Whisper's prompt is length-limited. Measured on ACI-Bench speech
(docs/benchmarks.md), every list made WER worse on 90 s dialogues (faster-whisper skipped stretches
of speech with hotwords set), so biasing is opt-in: callers pass hotwords only when the clinician
has words.

Biasing has a known failure: Whisper may write vocabulary words into silence or noise.
:func:`is_inserted` recognises such a segment so callers drop it (VAD stays on as the first guard).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from scribe.nlp import (
    clinical_terms,
    drugs_mentioned,
    lexicon_words,
    read_word_list,
    terms_mentioned,
)

__all__ = [
    "MAX_HOTWORDS_CHARS",
    "hotwords_for",
    "is_inserted",
    "load_user_words",
    "save_user_words",
]

MAX_HOTWORDS_CHARS = 300
"""About 80-100 Whisper tokens: well under the 223-token limit faster-whisper puts on hotwords."""


def load_user_words(path: Path) -> list[str]:
    """The clinician's own words (names, local drugs, colleagues), one a line; # starts a comment."""
    return read_word_list(path)


def save_user_words(words: Iterable[str], path: Path) -> Path:
    clean = [w.strip() for w in words if w.strip()]
    header = "# Words Scribe should recognise (names, drugs, terms), one a line.\n"
    path.write_text(header + "".join(f"{w}\n" for w in clean), encoding="utf-8")
    return path


def hotwords_for(
    transcript_so_far: str | None,
    user_words: Iterable[str] = (),
    limit: int = MAX_HOTWORDS_CHARS,
    common: bool = False,
) -> str:
    """A short hotwords string: the clinician's words, then drugs and terms heard so far.

    Only relevant words go in: on ACI-Bench speech (bench/wer.py) the whole common list made WER
    worse, while the issue's measurement (the visit's own drug names) made it better. ``common``
    appends the common list anyway (for the bench and for users who want it).
    """
    text = transcript_so_far or ""
    ordered = list(user_words)
    if text:  # the lexicon (19,000 drug names) loads only when there is text to search
        ordered += [*drugs_mentioned(text), *terms_mentioned(text)]
    if common:
        ordered += clinical_terms()
    chosen: list[str] = []
    seen: set[str] = set()
    length = 0
    for term in ordered:
        term = term.strip()
        if not term or term.lower() in seen:
            continue
        if length + len(term) + 1 > limit:
            break
        chosen.append(term)
        seen.add(term.lower())
        length += len(term) + 1
    return " ".join(chosen)


def is_inserted(segment: Any, hotwords: str | None) -> bool:
    """True for a Whisper segment that is probably not speech: silence, or vocabulary made up.

    ``segment`` is a faster-whisper segment (text, no_speech_prob, avg_logprob). Whisper's own
    silence rule applies always. With hotwords, two more signs of biasing gone wrong: the segment
    repeats three or more hotwords in their list order (the prompt echoed), or it consists only of
    vocabulary words and is not confidently speech.
    """
    if segment.no_speech_prob > 0.6 and segment.avg_logprob < -1.0:
        return True
    if not hotwords:
        return False
    words = lexicon_words(segment.text)
    listed = lexicon_words(hotwords)
    if not words:
        return False
    if _echo_run(words, listed) >= 3:
        return True
    if not all(w in set(listed) for w in words):
        return False
    return segment.no_speech_prob > 0.3 or segment.avg_logprob < -0.6


def _echo_run(words: list[str], listed: list[str]) -> int:
    """Longest run of segment words that are consecutive entries of the hotwords list."""
    position = {w: i for i, w in enumerate(listed)}
    best = run = 0
    previous = None
    for w in words:
        i = position.get(w)
        run = (
            run + 1
            if i is not None and previous is not None and i == previous + 1
            else (1 if i is not None else 0)
        )
        previous = i
        best = max(best, run)
    return best
