"""Fit the clinical-term pass's candidate list on training data only (issue 13).

    python -m bench._fit_terms

Reads ACI-Bench ``train.csv`` and MTS-Dialog's training set where they lie (never valid: that is
the held-out split), and writes ``scribe/speech/heard_terms.txt``: the drug names (drug lexicon,
brand and generic) and the clinical words that these visits' dialogues and notes use, most used
first. A clinical word is a word of the ICD-10-CM vocabulary (``scribe.nlp.clinical_vocabulary``)
of at least five letters that is not a stopword, used at least ``MIN_COUNT`` times, and that
Whisper's tokenizer writes in two or more pieces (a rarity test: "stent", "ejection" and "nitrites"
take two, "stands", "friends" and "infection" one, and Whisper already hears common words) and
that is not an everyday word (``bench._terms.everyday``: Zipf frequency under 4, the bench's own
rule, so "taste" and "dizziness" are left out). Then the disease, finding and procedure names the
bench's own term rule finds in these texts at least ``MIN_COUNT`` times (``named_terms``:
"discectomy", "gout", "lightheadedness"). The pass offers
only these (and the clinician's own words): the 19,000-name lexicon proposed obscure names that
the audio then "confirmed" ("test ends" -> "Digestants").
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

from bench._speech import aci_file, data_dir

OUT = Path(__file__).resolve().parents[1] / "scribe" / "speech" / "heard_terms.txt"
MIN_COUNT = 3
MIN_DRUG_COUNT = 1


def texts() -> list[str]:
    out: list[str] = []
    path = aci_file("train")
    if path is not None:
        with path.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out += [row["dialogue"], row["note"]]
    mts = data_dir() / "mts-dialog" / "MTS-Dialog-TrainingSet.csv"
    if mts.is_file():
        with mts.open(newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                out += [row["dialogue"], row["section_text"]]
    return out


def fit() -> list[str]:
    from scribe.nlp import STOPWORDS, clinical_vocabulary, drug_names, stem
    from scribe.nlp.lexicon import _COMMON, _lexicon_stopwords  # noqa: PLC2701

    drugs, stop = drug_names(), _lexicon_stopwords() | _COMMON | STOPWORDS
    vocab = clinical_vocabulary()
    drug_count: Counter[str] = Counter()
    word_count: Counter[str] = Counter()
    training = texts()
    for text in training:
        for w in re.findall(r"[a-z][a-z-]+", text.lower()):
            if w in stop:
                continue
            if w in drugs:
                drug_count[w] += 1
            elif len(w) >= 5 and stem(w) in vocab:
                word_count[w] += 1
    from tokenizers import Tokenizer

    from scribe.paths import models_dir

    pieces = Tokenizer.from_file(str(models_dir() / "base" / "tokenizer.json"))

    from bench._terms import everyday

    def rare(w: str) -> bool:
        return len(pieces.encode(" " + w, add_special_tokens=False).ids) >= 2 and not everyday(w)

    chosen = [d for d, n in drug_count.most_common() if n >= MIN_DRUG_COUNT]
    chosen += [w for w, n in word_count.most_common() if n >= MIN_COUNT and rare(w)]
    seen = set(chosen)
    chosen += [t for t, n in named_terms(training).most_common()
               if n >= MIN_COUNT and t not in seen and t not in drugs and len(t) >= 4]
    return chosen


def named_terms(training: list[str]) -> Counter[str]:
    """The disease, finding, symptom and procedure names these training texts use, as the
    terms bench counts them (``bench._terms.find_terms``: MeSH names, ICD-10-CM words, clinical
    abbreviations; never an everyday word): "discectomy", "gout", "numbing", "light headedness".
    The ICD-10-CM rarity rule above misses most of them (too short, one token, or no ICD word)."""
    from bench._terms import find_terms

    count: Counter[str] = Counter()
    for text in training:
        count.update(t.text for t in find_terms(text) if not t.drug)
    return count


def main() -> int:
    terms = fit()
    header = ("# Fitted by `python -m bench._fit_terms` on ACI-Bench train and MTS-Dialog training "
              "(never valid).\n# Drug names first, then clinical words, most used first.\n")
    OUT.write_text(header + "".join(f"{t}\n" for t in terms), encoding="utf-8")
    print(f"Wrote {len(terms)} terms to {OUT}.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
