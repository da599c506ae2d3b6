"""Note quality on an ACI-Bench-format CSV: ROUGE as ACI-Bench publishes it, evidence, flags, speed,
and what a clinician notices.

``python -m bench.notes CSV [--engine offline|llm|auto] [--template hp] [--limit N] [--show N]``

Scoring follows the ACI-Bench paper: rouge-score 0.1.2, no stemmer, F1 per note then the mean;
"ROUGE-L" is rougeLsum on notes whose sentences are split by newlines (``__lf1__`` = newline).
ROUGE per ACI-Bench division (subjective, objective_exam, objective_results, assessment_and_plan)
splits the reference by its headers as ACI-Bench's section tagger does, the draft by its template
sections. Also printed (rules in :mod:`bench._note_metrics`): the share of conversational sentences
in the drafts and, in the same run, in the reference notes; the share of drafts with an empty
Assessment / Plan (and, for a template that combines them, of the same visits drafted with SOAP's
separate sections); drug recall against the reference note; allergy documented when discussed; and
seconds per draft (mean, p95, max). ``--show N`` lists conversational draft sentences. The last line
sums it up: ``notes: r1=… r2=… rlsum=… conversational=…% empty_assessment=…% drug_recall=…%
p95_s=…`` (empty_assessment from separate sections where the template combines them).
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from collections import Counter
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

        self.scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"],
                                               use_stemmer=False)
        self.f1: dict[str, list[float]] = {"rouge1": [], "rouge2": [], "rougeLsum": []}

    def add(self, reference_note: str, text: str) -> None:
        score = self.scorer.score(reference_text(reference_note), text)
        for key, values in self.f1.items():
            values.append(score[key].fmeasure)

    def cells(self) -> str:
        return " ".join(f"{100 * statistics.mean(v):6.2f}" for v in self.f1.values())


def _f1(scorer: object, reference: str, text: str) -> tuple[float, float, float]:
    score = scorer.score(reference, text)  # type: ignore[attr-defined]
    keys = ("rouge1", "rouge2", "rougeLsum")
    return tuple(score[k].fmeasure for k in keys)  # type: ignore[return-value]


def _pct(part: float, whole: float) -> float:
    return 100.0 * part / whole if whole else 0.0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.notes", description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, help="ACI-Bench-format CSV (dataset,encounter_id,...)")
    parser.add_argument("--engine", default="offline", choices=["offline", "llm", "auto"])
    parser.add_argument("--template", default="hp")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows")
    parser.add_argument("--show", type=int, default=0,
                        help="print up to N conversational draft sentences with their reason")
    args = parser.parse_args(argv)

    if not args.csv.is_file():
        print(f"notes bench skipped: {args.csv} not found (ACI-Bench CSV needed).")
        return 0
    try:
        import rouge_score  # noqa: F401
    except ImportError:
        print("notes bench skipped: rouge-score is not installed (pip install rouge-score==0.1.2).")
        return 0

    from bench import _note_metrics as m
    from scribe.drafting import get_drafter, load_template
    from scribe.drafting.offline.rules import section_labels
    from scribe.errors import ScribeError
    from scribe.note.checks import check_note
    from scribe.paths import models_dir
    from scribe.transcript_io import parse_text_transcript

    rows = read_rows(args.csv)
    if args.limit:
        rows = rows[: args.limit]
    if not rows:
        print("notes bench skipped: the CSV has no rows.")
        return 0
    try:
        drafter = get_drafter(args.engine, models_dir())
        template = load_template(args.template)
    except ScribeError as e:
        print(f"notes bench skipped: {e}")
        return 0
    scores = RougeScores()
    division_f1: dict[str, list[tuple[float, float, float]]] = {d: [] for d in m.DIVISIONS}
    secs, flags = [], []
    n_sent = n_linked = 0
    talk: dict[str, Counter[str]] = {"draft": Counter(), "reference": Counter()}
    said: dict[str, int] = {"draft": 0, "reference": 0}
    empty_a = empty_p = 0
    drugs_ref = drugs_found = 0
    allergy_visits = allergy_documented = 0
    shown: list[str] = []
    labels = [section_labels(s) for s in template.sections]
    # A combined "Assessment and plan" is never empty when it holds only plan lines: the visit is
    # drafted again with SOAP's separate Assessment and Plan (untimed) to see the Assessment alone.
    titles = [s.title for s in template.sections]
    separate = None if m.separate_assessment_plan(titles) else load_template("soap")
    empty_sep = [0, 0]
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
        reference = reference_text(row["note"])
        scores.add(row["note"], note.text)

        for who, texts in (("draft", [s.text for s in sentences]),
                           ("reference", m.text_sentences(reference))):
            said[who] += len(texts)
            for text in texts:
                why = m.conversational(text)
                if why:
                    talk[who][why] += 1
                    if who == "draft" and len(shown) < args.show:
                        shown.append(f"  [{why}] {text}")
        secs_of = [(s.title, [x.text for x in s.sentences]) for s in note.sections]
        a_empty, p_empty = m.empty_assessment_plan(secs_of)
        empty_a += a_empty
        empty_p += p_empty
        if separate is not None:
            soap = drafter.draft(transcript, separate)
            sep = m.empty_assessment_plan([(x.title, x.sentences) for x in soap.sections])
            empty_sep = [empty_sep[0] + sep[0], empty_sep[1] + sep[1]]
        ref_drugs = m.drugs_in(reference)
        drugs_ref += len(ref_drugs)
        drugs_found += len(ref_drugs & m.drugs_in(note.text))
        if m.mentions_allergy(transcript.text):
            allergy_visits += 1
            allergy_documented += any(m.mentions_allergy(s.text) for s in sentences)
        ref_div = m.divisions(reference)
        draft_div = m.draft_divisions(
            (title, lab, texts) for (title, texts), lab in zip(secs_of, labels, strict=True)
        )
        for d in m.DIVISIONS:
            division_f1[d].append(_f1(scores.scorer, ref_div[d], draft_div[d]))

    linked = _pct(n_linked, n_sent)
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
    print()
    print(f"{'division (ACI-Bench)':<40} {'R1':>6} {'R2':>6} {'RLsum':>6}")
    for d, f1s in division_f1.items():
        cells = " ".join(f"{100 * statistics.mean(x[k] for x in f1s):6.2f}" for k in range(3))
        print(f"{d:<40} {cells}")
    print()
    conv = {who: _pct(sum(c.values()), said[who]) for who, c in talk.items()}
    for who in ("draft", "reference"):
        kinds = ", ".join(f"{k} {v}" for k, v in talk[who].most_common()) or "none"
        print(f"conversational sentences, {who + 's:':<11} {conv[who]:5.1f}% "
              f"of {said[who]} ({kinds})")
    print(f"empty Assessment: {_pct(empty_a, len(rows)):.1f}% of notes; "
          f"empty Plan: {_pct(empty_p, len(rows)):.1f}% ({template.id})")
    if separate is not None:
        empty_a, empty_p = empty_sep
        print(f"empty Assessment: {_pct(empty_a, len(rows)):.1f}% of notes; "
              f"empty Plan: {_pct(empty_p, len(rows)):.1f}% (soap: Assessment and Plan apart)")
    recall = _pct(drugs_found, drugs_ref)
    print(f"drug recall: {recall:.1f}% ({drugs_found} of {drugs_ref} reference-note drugs)")
    print(f"allergy documented when discussed: {allergy_documented} of {allergy_visits} visits "
          f"({_pct(allergy_documented, allergy_visits):.0f}%)")
    p95 = m.p95(secs)
    print(f"seconds per draft: mean {statistics.mean(secs):.3f}, p95 {p95:.3f}, "
          f"max {max(secs):.3f}")
    if shown:
        print("conversational draft sentences:")
        print("\n".join(shown))
    r1, r2, rl = (100 * statistics.mean(v) for v in scores.f1.values())
    print(
        f"notes: r1={r1:.2f} r2={r2:.2f} rlsum={rl:.2f} conversational={conv['draft']:.1f}% "
        f"empty_assessment={_pct(empty_a, len(rows)):.1f}% drug_recall={recall:.1f}% "
        f"p95_s={p95:.3f}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
