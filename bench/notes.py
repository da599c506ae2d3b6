"""Note quality on an ACI-Bench-format CSV: ROUGE as ACI-Bench publishes it, evidence, flags, speed.

``python -m bench.notes CSV [--engine offline|llm|auto] [--template hp] [--limit N]``

Scoring follows the ACI-Bench paper: rouge-score 0.1.2, no stemmer, F1 per note then the mean;
"ROUGE-L" is rougeLsum on notes whose sentences are split by newlines (``__lf1__`` = newline).
"""

from __future__ import annotations

import argparse
import csv
import importlib
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

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


def _fact_checker() -> Callable[..., Any] | None:
    try:
        module = importlib.import_module("scribe.factcheck")
    except ImportError:
        return None
    return getattr(module, "check_note", None)


def _count_flags(checker: Callable[..., Any], note: Any, transcript: Any) -> int:
    """Flags after the fact check, whether it returns the checked note or the flags themselves."""
    checked = checker(note, transcript)
    if checked is None:
        checked = note
    if hasattr(checked, "sentences"):
        return sum(len(s.flags) for s in checked.sentences())
    return sum(len(x) if isinstance(x, (list, tuple)) else 1 for x in checked)


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
        from rouge_score import rouge_scorer
    except ImportError:
        print("notes bench skipped: rouge-score is not installed (pip install rouge-score==0.1.2).")
        return 0

    from scribe.drafting import get_drafter, load_template
    from scribe.errors import ScribeError
    from scribe.transcript_io import parse_text_transcript

    rows = read_rows(args.csv)
    if args.limit:
        rows = rows[: args.limit]
    try:
        drafter = get_drafter(args.engine)
        template = load_template(args.template)
    except ScribeError as e:
        print(f"notes bench skipped: {e}")
        return 0
    checker = _fact_checker()
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=False)

    r1, r2, rl, secs, flags = [], [], [], [], []
    n_sent = n_linked = 0
    for row in rows:
        transcript = parse_text_transcript(row["dialogue"])
        t0 = time.perf_counter()
        note = drafter.draft(transcript, template)
        if checker is not None:  # the app fact-checks every draft, so the time includes it
            flags.append(_count_flags(checker, note, transcript))
        secs.append(time.perf_counter() - t0)
        sentences = note.sentences()
        n_sent += len(sentences)
        n_linked += sum(1 for s in sentences if s.evidence)
        score = scorer.score(reference_text(row["note"]), note.text)
        r1.append(score["rouge1"].fmeasure)
        r2.append(score["rouge2"].fmeasure)
        rl.append(score["rougeLsum"].fmeasure)

    if not rows:
        print("notes bench skipped: the CSV has no rows.")
        return 0
    linked = 100.0 * n_linked / n_sent if n_sent else 0.0
    flag_cell = f"{statistics.mean(flags):.2f}" if flags else "n/a"
    name = f"{drafter.name} / {template.id} ({args.csv.name}, n={len(rows)})"
    cols = ("R1", "R2", "RLsum", "evid%", "flags")
    head = f"{'system':<40} " + " ".join(f"{c:>6}" for c in cols) + f" {'s/note':>7}"
    print(head)
    print("-" * len(head))
    print(
        f"{name:<40} {100 * statistics.mean(r1):6.2f} {100 * statistics.mean(r2):6.2f} "
        f"{100 * statistics.mean(rl):6.2f} {linked:6.1f} {flag_cell:>6} "
        f"{statistics.mean(secs):7.3f}"
    )
    for label, a, b, c in PUBLISHED:
        print(f"{label:<40} {a:6.2f} {b:6.2f} {c:6.2f} {'':>6} {'':>6} {'':>7}")
    if checker is None:
        print("(flags: no fact checker installed — scribe.factcheck.check_note not found)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
