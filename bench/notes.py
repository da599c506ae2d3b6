"""Note quality on an ACI-Bench-format CSV: ROUGE as ACI-Bench publishes it, evidence, flags, speed.

``python -m bench.notes CSV [--engine offline|llm|auto] [--template hp] [--limit N]``

Scoring follows the ACI-Bench paper: rouge-score 0.1.2, no stemmer, F1 per note then the mean;
"ROUGE-L" is rougeLsum on notes whose sentences are split by newlines (``__lf1__`` = newline).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from pathlib import Path

PUBLISHED = [
    ("retrieval (published, test1)", 43.87, 17.55, 40.47),
    ("transcript copy (published, test1)", 32.84, 12.53, 30.61),
    ("GPT-4 zero-shot (published, test1)", 51.76, 22.58, 45.97),
    ("BART fine-tuned (published, test1)", 53.46, 25.08, 48.62),
]


def reference_text(note: str) -> str:
    """An ACI-Bench reference note with ``__lf1__`` as newlines and blank lines removed."""
    lines = note.replace("__lf1__", "\n").splitlines()
    return "\n".join(line.strip() for line in lines if line.strip())


def read_rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


class RougeScores:
    """ROUGE-1/2/Lsum F1 per note as ACI-Bench scores them (no stemmer); means in percent."""

    def __init__(self) -> None:
        from rouge_score import rouge_scorer

        self._scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"],
                                                use_stemmer=False)
        self._f1: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}

    def add(self, reference_note: str, text: str) -> None:
        score = self._scorer.score(reference_text(reference_note), text)
        for key, values in self._f1.items():
            values.append(score[key].fmeasure)

    def cells(self) -> str:
        return " ".join(f"{100 * statistics.mean(v):6.2f}" for v in self._f1.values())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.notes", description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="ACI-Bench-format CSV (dataset,encounter_id,...)")
    parser.add_argument("--engine", default="offline", choices=["offline", "llm", "auto"])
    parser.add_argument("--template", default="hp")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    args = parser.parse_args(argv)

    if not args.csv.is_file():
        print(f"notes bench skipped: {args.csv} not found (ACI-Bench CSV needed).")
        return 0
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        print("notes bench skipped: rouge-score is not installed (pip install rouge-score==0.1.2).")
        return 0

    from scribe.drafting import get_drafter, load_template
    from scribe.errors import ScribeError
    from scribe.note.checks import check_note
    from scribe.paths import models_dir
    from scribe.transcript_io import parse_text_transcript

    rows = read_rows(args.csv)
    if args.limit:
        rows = rows[: args.limit]
    try:
        drafter = get_drafter(args.engine, models_dir())
        template = load_template(args.template)
    except ScribeError as e:
        print(f"notes bench skipped: {e}")
        return 0
    scores = RougeScores()
    secs, flags = [], []
    n_sent = n_linked = 0
    for row in rows:
        transcript = parse_text_transcript(row["dialogue"])
        t0 = time.perf_counter()
        # The app fact-checks every draft (scribe.visit.pipeline.draft_transcript): timed together.
        note = check_note(drafter.draft(transcript, template), transcript)
        secs.append(time.perf_counter() - t0)
        sentences = note.sentences()
        flags.append(sum(len(s.flags) for s in sentences))
        n_sent += len(sentences)
        n_linked += sum(1 for s in sentences if s.evidence)
        scores.add(row["note"], note.text)

    if not rows:
        print("notes bench skipped: the CSV has no rows.")
        return 0
    linked = 100.0 * n_linked / n_sent if n_sent else 0.0
    name = f"{drafter.name} / {template.id} ({args.csv.name}, n={len(rows)})"
    cols = ("R1", "R2", "RLsum", "evid%", "flags")
    head = f"{'system':<40} " + " ".join(f"{c:>6}" for c in cols) + f" {'s/note':>7}"
    print(head)
    print("-" * len(head))
    print(
        f"{name:<40} {scores.cells()} {linked:6.1f} {statistics.mean(flags):6.2f} "
        f"{statistics.mean(secs):7.3f}"
    )
    for label, a, b, c in PUBLISHED:
        print(f"{label:<40} {a:6.2f} {b:6.2f} {c:6.2f} {'':>6} {'':>6} {'':>7}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
