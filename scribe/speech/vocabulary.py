"""Clinical vocabulary that biases recognition through faster-whisper ``hotwords``.

Three sources, most specific first: the clinician's own words (``<data dir>/vocabulary.txt``, one a
line, editable), drug names from the offline lexicon of the ``drug-named-entity-recognition`` package
(MIT, 1.7 MB; only those the visit so far seems to mention are used) and a short committed list of
common clinical terms (``scribe/nlp/clinical_terms.txt``). The hotwords string is kept short and
relevant: Whisper's prompt is length-limited. Measured on ACI-Bench speech (docs/benchmarks.md),
every list made WER worse on 90 s dialogues (faster-whisper skipped stretches of speech with
hotwords set), so biasing is opt-in: callers pass hotwords only when the clinician has words.

Biasing has a known failure: Whisper may write vocabulary words into silence or noise.
:func:`is_inserted` recognises such a segment so callers drop it (VAD stays on as the first guard).
"""

from __future__ import annotations

import ast
import bz2
import importlib.util
import pickle
import re
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path
from typing import Any

from scribe.paths import data_dir

__all__ = [
    "MAX_HOTWORDS_CHARS",
    "clinical_terms",
    "drug_names",
    "drugs_mentioned",
    "hotwords_for",
    "is_inserted",
    "load_user_words",
    "terms_mentioned",
    "save_user_words",
    "user_vocabulary_path",
]

MAX_HOTWORDS_CHARS = 300
"""About 80-100 Whisper tokens: well under the 223-token limit faster-whisper puts on hotwords."""

_TERMS_FILE = Path(__file__).parents[1] / "nlp" / "clinical_terms.txt"
_LEXICON = "drug_ner_dictionary.pkl.bz2"
_RECENT_WORDS = 400  # the part of the visit searched for drug names
_WORD = re.compile(r"[a-z][a-z'-]+")
# Everyday words that are also brand names in the lexicon.
_COMMON = frozenset(
    {"cloves", "ginger", "garlic", "honey", "today", "allergy", "relief", "balance"}
)


def _read_list(path: Path) -> list[str]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


@lru_cache(maxsize=1)
def clinical_terms() -> tuple[str, ...]:
    """The committed list, most useful first."""
    return tuple(_read_list(_TERMS_FILE))


@lru_cache(maxsize=1)
def drug_names() -> frozenset[str]:
    """Single-word drug names (generic and brand, lower case) from the package's offline lexicon.

    The pickle is read directly: importing the package would touch the home folder and its
    optional network features.
    """
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / _LEXICON
    try:
        with bz2.open(path, "rb") as f:
            lexicon: dict[str, Any] = pickle.load(f)  # noqa: S301  (a file shipped in the wheel)
    except (OSError, pickle.UnpicklingError, EOFError):
        return frozenset()
    variants = lexicon.get("drug_variant_to_canonical", {})
    return frozenset(v for v in variants if v.isalpha() and len(v) >= 5)


def user_vocabulary_path() -> Path:
    return data_dir() / "vocabulary.txt"


def load_user_words(path: Path | None = None) -> list[str]:
    """The clinician's own words (names, local drugs, colleagues), one a line; # starts a comment."""
    return _read_list(path or user_vocabulary_path())


def save_user_words(words: Iterable[str], path: Path | None = None) -> Path:
    path = path or user_vocabulary_path()
    clean = [w.strip() for w in words if w.strip()]
    header = "# Words Scribe should recognise (names, drugs, terms), one a line.\n"
    path.write_text(header + "".join(f"{w}\n" for w in clean), encoding="utf-8")
    return path


@lru_cache(maxsize=1)
def _lexicon_stopwords() -> frozenset[str]:
    """Common words the lexicon package itself refuses as drug names (read without importing it)."""
    spec = importlib.util.find_spec("drug_named_entity_recognition")
    if spec is None or not spec.submodule_search_locations:
        return frozenset()
    path = Path(next(iter(spec.submodule_search_locations))) / "util.py"
    try:
        tree = ast.parse(path.read_text(encoding="utf-8"))
    except (OSError, SyntaxError):
        return frozenset()
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "stopwords" for t in node.targets
        ):
            try:
                return frozenset(ast.literal_eval(node.value))
            except ValueError:
                return frozenset()
    return frozenset()


def drugs_mentioned(text: str) -> list[str]:
    """Drug names the text contains, in order of first mention.

    Exact matches only: fuzzy matching against the lexicon's 19,000 names turned ordinary words
    ("prepare", "normal", "tender") into drug-like hotwords and made WER worse (bench/wer.py).
    """
    words = _WORD.findall(text.lower())[-_RECENT_WORDS:]
    names, stop = drug_names(), _lexicon_stopwords() | _COMMON
    return [w for w in dict.fromkeys(words) if w in names and w not in stop]


def terms_mentioned(text: str) -> list[str]:
    """Committed clinical terms the text contains (case-insensitive), in list order."""
    low = f" {' '.join(_WORD.findall(text.lower()))} "
    return [t for t in clinical_terms() if f" {t.lower()} " in low]


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
    ordered = [*user_words, *drugs_mentioned(text), *terms_mentioned(text)]
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


def _words_of(text: str) -> list[str]:
    return _WORD.findall(text.lower())


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
    words = _words_of(segment.text)
    listed = _words_of(hotwords)
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
