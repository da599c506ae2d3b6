"""Fit the offline drafter's sentence→section model from ACI-Bench train (+ MTS-Dialog train).

    python scripts/fit_offline.py [--data /work/shared/data] [--cv 5] [--no-mts] [--out PATH]

Each dialogue sentence the drafter would consider is labelled with the note section whose sentence it
best matches (by shared content words) or ``drop``; a multinomial logistic regression (numpy, L2) is
fitted on word, word-pair, speaker, position and previous-turn features, pruned, and written as a
small gzipped JSON. ``--cv K`` reports ROUGE on held-out folds of train (fit on the other folds).
Only weights are written; no dataset text goes into the artifact beyond single words and word pairs.
"""

from __future__ import annotations

import argparse
import csv
import re
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scribe.drafting.offline.drafter import OfflineDrafter, Unit, clean, extract_units, gender_of  # noqa: E402
from scribe.drafting.offline.model import FITTED, SectionModel, features  # noqa: E402
from scribe.drafting.offline.rules import LABELS  # noqa: E402
from scribe.nlp import plain_content_words  # noqa: E402
from scribe.transcript_io import parse_text_transcript  # noqa: E402

HEADERS = {
    "cc": ("CHIEF COMPLAINT",),
    "hpi": (
        "HISTORY OF PRESENT ILLNESS",
        "HPI",
        "SOCIAL HISTORY",
        "MEDICATIONS",
        "MEDICAL HISTORY",
        "FAMILY HISTORY",
        "PAST HISTORY",
        "CURRENT MEDICATIONS",
        "ALLERGIES",
        "SURGICAL HISTORY",
        "PAST MEDICAL HISTORY",
        "PAST SURGICAL HISTORY",
        "BIRTH HISTORY",
    ),
    "ros": ("REVIEW OF SYSTEMS",),
    "exam": ("PHYSICAL EXAM", "PHYSICAL EXAMINATION", "VITALS", "EXAM", "VITALS REVIEWED", "MSK"),
    "results": ("RESULTS",),
    "assessment": ("ASSESSMENT", "IMPRESSION"),
    "plan": ("PLAN", "INSTRUCTIONS", "PROCEDURE"),
    "ap": ("ASSESSMENT AND PLAN",),
}
_HEADER_OF = {h: label for label, hs in HEADERS.items() for h in hs}
_PLANNY = re.compile(
    r"additional testing|medical treatment|patient education|counsel|follow[- ]?up|recommend|"
    r"\border|prescri|\bwill\b|refer|schedul|continue|start|increase|advised|instruct|plan",
    re.IGNORECASE,
)
MTS = {
    "GENHX": "hpi",
    "CC": "cc",
    "ROS": "ros",
    "EXAM": "exam",
    "ASSESSMENT": "assessment",
    "PLAN": "plan",
    "DIAGNOSIS": "assessment",
    "MEDICATIONS": "hpi",
    "ALLERGY": "hpi",
    "PASTMEDICALHX": "hpi",
    "FAM/SOCHX": "hpi",
    "PASTSURGICAL": "hpi",
    "OTHER_HISTORY": "hpi",
    "GYNHX": "hpi",
    "IMMUNIZATIONS": "hpi",
    "LABS": "results",
    "IMAGING": "results",
    "PROCEDURES": "plan",
    "DISPOSITION": "plan",
    "EDCOURSE": "plan",
}


def _stems(text: str) -> set[str]:
    return {w.rstrip("s") for w in plain_content_words(text)}


def note_lines(note: str) -> list[tuple[str, set[str]]]:
    """(label, stemmed content words) for every body line of an ACI-Bench reference note."""
    label, out = "hpi", []
    for raw in note.replace("__lf1__", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        head = line.rstrip(":").strip()
        if head.upper() == head and head in _HEADER_OF:
            label = _HEADER_OF[head]
            continue
        lab = label
        if label == "ap":
            lab = "plan" if _PLANNY.search(line) else "assessment"
        out.append((lab, _stems(line)))
    return out


def units_of(dialogue: str) -> list[Unit]:
    transcript = parse_text_transcript(dialogue)
    gender = gender_of(transcript)
    units = extract_units(transcript)
    for u in units:
        u.text = clean(u, gender)
    return [u for u in units if u.text]


def target(unit: Unit, lines: list[tuple[str, set[str]]], min_share: float) -> str:
    words = _stems(unit.text)
    if not words:
        return "drop"
    best, label = 0.0, "drop"
    for lab, lw in lines:
        shared = len(words & lw)
        share = shared / len(words)
        if shared >= min(2, len(words)) and share > best:
            best, label = share, lab
    return label if best >= min_share else "drop"


def mts_rows(path: Path) -> list[tuple[str, str]]:
    """(dialogue in [doctor]/[patient] form, note section text as a one-header note)."""
    out = []
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            label = MTS.get(r["section_header"].strip().upper())
            if not label:
                continue
            turns = re.sub(r"(?m)^\s*Doctor:\s*", "[doctor] ", r["dialogue"])
            turns = re.sub(
                r"(?m)^\s*(?:Patient|Guest_family|Guest_clinician)[^:]*:\s*", "[patient] ", turns
            )
            header = next(h for h in HEADERS[label])
            out.append((turns, f"{header}\n{r['section_text']}"))
    return out


def dataset(pairs: list[tuple[str, str]], min_share: float) -> tuple[list[list[str]], list[int]]:
    X, y = [], []
    for dialogue, note in pairs:
        lines = note_lines(note)
        for u in units_of(dialogue):
            X.append(features(u.raw, u.speaker, u.position, u.context))
            y.append(LABELS.index(target(u, lines, min_share)))
    return X, y


def fit(
    X: list[list[str]],
    y: list[int],
    l2: float = 1.0,
    epochs: int = 300,
    min_count: int = 2,
    prune: float = 0.05,
) -> SectionModel:
    """Multinomial logistic regression by full-batch Adam on sparse binary features."""
    counts: dict[str, int] = {}
    for feats in X:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    vocab = {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}
    rows, cols = [], []
    for r, feats in enumerate(X):
        for f in feats:
            if f in vocab:
                rows.append(r)
                cols.append(vocab[f])
    rows_a, cols_a = np.array(rows), np.array(cols)
    n, k = len(X), len(LABELS)
    Y = np.zeros((n, k))
    Y[np.arange(n), y] = 1.0
    W = np.zeros((len(vocab), k))
    b = np.log(Y.mean(0) + 1e-3)
    mW, vW, mb, vb = np.zeros_like(W), np.zeros_like(W), np.zeros_like(b), np.zeros_like(b)
    lr, b1, b2 = 0.05, 0.9, 0.999
    for t in range(1, epochs + 1):
        Z = np.zeros((n, k))
        np.add.at(Z, rows_a, W[cols_a])
        Z += b
        Z -= Z.max(1, keepdims=True)
        P = np.exp(Z)
        P /= P.sum(1, keepdims=True)
        G = (P - Y) / n
        gW = np.zeros_like(W)
        np.add.at(gW, cols_a, G[rows_a])
        gW += l2 * W / n
        gb = G.sum(0)
        for p, g, m, v in ((W, gW, mW, vW), (b, gb, mb, vb)):
            m *= b1
            m += (1 - b1) * g
            v *= b2
            v += (1 - b2) * g * g
            p -= lr * (m / (1 - b1**t)) / (np.sqrt(v / (1 - b2**t)) + 1e-8)
    weights = {f: [float(x) for x in W[i]] for f, i in vocab.items() if np.abs(W[i]).max() >= prune}
    return SectionModel(LABELS, weights, [float(x) for x in b])


def rouge_of(
    model: SectionModel,
    rows: list[dict[str, str]],
    template_id: str = "hp",
    max_words: int = 300,
    length_share: float = 0.9,
) -> tuple[float, float, float]:
    from rouge_score import rouge_scorer

    from bench.notes import reference_text
    from scribe.drafting.templates import load_template

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=False)
    drafter = OfflineDrafter(model=model, max_words=max_words, length_share=length_share)
    template = load_template(template_id)
    scores = [
        scorer.score(
            reference_text(r["note"]),
            drafter.draft(parse_text_transcript(r["dialogue"]), template).text,
        )
        for r in rows
    ]
    return tuple(
        100 * statistics.mean(s[k].fmeasure for s in scores)  # type: ignore[return-value]
        for k in ("rouge1", "rouge2", "rougeLsum")
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("/work/shared/data"))
    ap.add_argument("--out", type=Path, default=FITTED)
    ap.add_argument("--cv", type=int, default=0, help="K-fold ROUGE on train instead of fitting")
    ap.add_argument("--no-mts", action="store_true")
    ap.add_argument("--min-share", type=float, default=0.4)
    ap.add_argument("--l2", type=float, default=4.0)
    ap.add_argument("--threshold", type=float, default=0.0)
    ap.add_argument("--max-words", type=int, default=300)
    ap.add_argument("--length-share", type=float, default=0.9)
    ap.add_argument("--eval", type=Path, help="also report ROUGE on this CSV (e.g. valid.csv)")
    args = ap.parse_args(argv)

    train_csv = args.data / "aci-bench" / "train.csv"
    if not train_csv.is_file():
        print(f"fit skipped: {train_csv} not found.")
        return 0
    with train_csv.open(newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    mts_csv = args.data / "mts-dialog" / "MTS-Dialog-TrainingSet.csv"
    extra = [] if args.no_mts or not mts_csv.is_file() else mts_rows(mts_csv)

    def fit_on(train_rows: list[dict[str, str]]) -> SectionModel:
        X, y = dataset([(r["dialogue"], r["note"]) for r in train_rows] + extra, args.min_share)
        model = fit(X, y, l2=args.l2)
        model.threshold = args.threshold
        return model

    if args.cv:
        folds = [rows[i :: args.cv] for i in range(args.cv)]
        per = []
        for i, held in enumerate(folds):
            model = fit_on([r for j, fold in enumerate(folds) if j != i for r in fold])
            per.append(
                rouge_of(model, held, max_words=args.max_words, length_share=args.length_share)
            )
            print(f"fold {i}: R1 {per[-1][0]:.2f} R2 {per[-1][1]:.2f} RLsum {per[-1][2]:.2f}")
        print(
            "cv mean: R1 {:.2f} R2 {:.2f} RLsum {:.2f}".format(
                *(statistics.mean(p[k] for p in per) for k in range(3))
            )
        )
        return 0
    model = fit_on(rows)
    model.save(args.out)
    print(
        f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB, {len(model.weights)} features)"
    )
    if args.eval and args.eval.is_file():
        with args.eval.open(newline="", encoding="utf-8") as f:
            ev = list(csv.DictReader(f))
        print(
            "eval: R1 {:.2f} R2 {:.2f} RLsum {:.2f}".format(
                *rouge_of(model, ev, max_words=args.max_words, length_share=args.length_share)
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
