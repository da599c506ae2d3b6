"""ICD-10-CM suggestions and the after-visit summary on ACI-Bench: chapters hit, reading grade.

``python -m bench codes [CSV ...] [--limit N] [--misses]`` (default: ACI-Bench train and valid
from ``../shared/data/aci-bench``). Each dialogue is drafted by the app's offline drafter and
fact-checked as ``bench.notes`` does, then ``suggest_codes`` and ``after_visit_summary`` run on
the draft, as the app runs them on a signed note.

The reference: the problems of the reference note's assessment (its problem headings: "1.
Hypertension.", "• Gout.", an impression line), coded by the same matcher. The headings are short
clinical phrases, the matcher's easiest input, so what is measured is what the drafted note loses
against them; a shared blind spot (a heading nobody can code) is counted, not hidden: the
"coded" column says how many reference problems had a code at all. Lay terms were fitted on
train only (``--misses`` lists the train headings the matcher cannot code); valid is held out.
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from bench.notes import read_rows

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "aci-bench"
DEFAULT_CSVS = [DATA / "train.csv", DATA / "valid.csv"]

_HEADER = re.compile(r"^[A-Z][A-Z &/]+:?$")
_ASSESSED = re.compile(r"^(?:ASSESSMENT(?: AND PLAN)?|IMPRESSION)$")
_LEAD = re.compile(r"^\s*(?:[•\-*]|\d+[.)])\s*")
_LABEL = re.compile(r"^[A-Z][A-Za-z ]{2,40}:")
_NARRATIVE = re.compile(
    r"^(?:he|she|they|i|we|it|this|the patient|patient|his|her|mr|ms|mrs|dr)\b|"
    r"\b(?:is|was|has|have|had|were|are|will)\b",
    re.IGNORECASE,
)


def reference_problems(note: str) -> list[str]:
    """The problem headings of an ACI-Bench reference note's assessment / impression section."""
    out: list[str] = []
    on = False
    for raw in note.replace("__lf1__", "\n").splitlines():
        line = raw.strip()
        if not line:
            continue
        if _HEADER.match(line) and len(line) < 40:
            on = bool(_ASSESSED.match(line.rstrip(":")))
            continue
        text = _LEAD.sub("", line).strip().rstrip(". ")
        if (
            on
            and text
            and not _LABEL.match(text)
            and not _NARRATIVE.search(text)
            and len(text.split()) <= 14
            and text.lower() not in {o.lower() for o in out}
        ):
            out.append(text)
    return out


def reference_text(note: str) -> str:
    """The reference note's sentences, headers and bullets dropped (for its reading grade)."""
    lines = [_LEAD.sub("", ln).strip() for ln in note.replace("__lf1__", "\n").splitlines()]
    return " ".join(ln for ln in lines if ln and not _HEADER.match(ln))


@dataclass
class Split:
    name: str
    visits: int = 0
    problems: int = 0
    coded: int = 0
    chapter_hits: int = 0
    code_hits: int = 0
    whole_hits: int = 0  # chapter hits had the whole note been read (the drafter's routing loss)
    suggestions: int = 0
    unmatched: int = 0
    avs_grades: list[float] = field(default_factory=list)
    ref_grades: list[float] = field(default_factory=list)
    seconds: float = 0.0


def _pct(a: int, b: int) -> str:
    return f"{100.0 * a / b:5.1f}" if b else "    -"


def _spread(values: list[float]) -> str:
    if not values:
        return "-"
    q = statistics.quantiles(values, n=10) if len(values) > 1 else [values[0]] * 9
    return (
        f"{statistics.mean(values):4.1f} / {statistics.median(values):4.1f} "
        f"({q[0]:4.1f}-{q[-1]:4.1f})"
    )


def run_split(path: Path, limit: int, misses: bool) -> Split:
    from scribe.domain import NoteDraft, Section
    from scribe.drafting import get_drafter, load_template
    from scribe.export.icd import chapter_of, code_problems, suggest_codes
    from scribe.export.summary import after_visit_summary, is_stock, reading_grade
    from scribe.note.checks import check_note
    from scribe.transcript_io import parse_text_transcript

    rows = read_rows(path)[: limit or None]
    drafter, template = get_drafter("offline"), load_template("hp")
    out = Split(path.stem)
    t0 = time.perf_counter()
    for row in rows:
        transcript = parse_text_transcript(row["dialogue"])
        note = check_note(drafter.draft(transcript, template), transcript)
        suggested = suggest_codes(note)
        chapters = {s.chapter for s in suggested}
        whole = NoteDraft([Section("Assessment", note.sentences())], note.template)
        whole_chapters = {s.chapter for s in suggest_codes(whole)}
        codes = {s.code for s in suggested}
        ref_chapters: set[str] = set()
        for heading in reference_problems(row["note"]):
            found = code_problems(heading)
            out.problems += 1
            if not found:
                if misses:
                    print(f"  not coded ({path.stem}): {heading}")
                continue
            out.coded += 1
            ref_chapters |= {chapter_of(p.code) for p in found}
            out.chapter_hits += any(chapter_of(p.code) in chapters for p in found)
            out.code_hits += any(p.code in codes for p in found)
            out.whole_hits += any(chapter_of(p.code) in whole_chapters for p in found)
        out.suggestions += len(suggested)
        out.unmatched += sum(s.chapter not in ref_chapters for s in suggested)
        summary = after_visit_summary(note, transcript)
        content = " ".join(s.text for s in summary.sentences() if not is_stock(s))
        if content:
            out.avs_grades.append(reading_grade(content))
        out.ref_grades.append(reading_grade(reference_text(row["note"])))
        out.visits += 1
    out.seconds = time.perf_counter() - t0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.codes", description=__doc__.splitlines()[0])
    parser.add_argument("csv", type=Path, nargs="*", help="ACI-Bench-format CSVs")
    parser.add_argument("--limit", type=int, default=0, help="only the first N rows of each")
    parser.add_argument(
        "--misses", action="store_true", help="list the reference headings the matcher cannot code"
    )
    args = parser.parse_args(argv)
    paths = [p for p in (args.csv or DEFAULT_CSVS) if p.is_file()]
    if not paths:
        print("codes bench skipped: no ACI-Bench CSV found (../shared/data/aci-bench).")
        return 0
    splits = [run_split(p, args.limit, args.misses) for p in paths]
    from scribe.export.icd import index_source

    print(f"ICD-10-CM index: {index_source()}; offline drafter, template hp")
    cols = (
        f"{'split':<8} {'visits':>6} {'ref':>5} {'coded%':>6} {'chap%':>6} {'code%':>6} "
        f"{'whole%':>6} {'sugg/n':>6} {'nomatch%':>8}  {'AVS grade mean/med (p10-p90)':<30} "
        f"{'reference note grade':<26} {'s/visit':>7}"
    )
    print(cols)
    print("-" * len(cols))
    for s in splits:
        print(
            f"{s.name + ('*' if s.name == 'valid' else ''):<8} {s.visits:>6} {s.problems:>5} "
            f"{_pct(s.coded, s.problems):>6} {_pct(s.chapter_hits, s.coded):>6} "
            f"{_pct(s.code_hits, s.coded):>6} {_pct(s.whole_hits, s.coded):>6} "
            f"{(s.suggestions / s.visits if s.visits else 0):6.2f} "
            f"{_pct(s.unmatched, s.suggestions):>8}  {_spread(s.avs_grades):<30} "
            f"{_spread(s.ref_grades):<26} {(s.seconds / s.visits if s.visits else 0):7.2f}"
        )
    print(
        "ref: reference-note assessment problems; coded%: of them, with an ICD-10-CM code; "
        "chap%/code%: of the coded, whose chapter/code the suggestions hit; whole%: chap% had "
        "every section of the draft been read, not only its assessment (what the drafter's "
        "routing costs); nomatch%: suggestions whose chapter no reference problem has. "
        "* held out (lay terms fitted on train only)."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
