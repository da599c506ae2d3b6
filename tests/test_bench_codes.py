"""The codes bench: reference problems read from ACI-Bench notes, a clean skip, a tiny run."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.codes import main, reference_problems

NUMBERED = (
    "HISTORY OF PRESENT ILLNESS__lf1__She has knee pain.__lf1____lf1__ASSESSMENT AND PLAN__lf1__"
    "The patient is a 60-year-old female.__lf1__1. Hypertension, uncontrolled.__lf1__"
    "- Medical Reasoning: Her blood pressure is high.__lf1__2. Type 2 diabetes.__lf1__"
    "Patient Agreements: The patient understands and agrees.__lf1____lf1__INSTRUCTIONS__lf1__"
    "Follow up in 2 weeks."
)
BULLETS = "ASSESSMENT__lf1__• Hypothyroidism.__lf1__• Acne vulgaris__lf1____lf1__PLAN__lf1__Gout."
IMPRESSION = "IMPRESSION__lf1__Right ankle sprain.__lf1__PLAN__lf1__Ice and rest."


@pytest.mark.parametrize(
    ("note", "problems"),
    [
        (NUMBERED, ["Hypertension, uncontrolled", "Type 2 diabetes"]),
        (BULLETS, ["Hypothyroidism", "Acne vulgaris"]),
        (IMPRESSION, ["Right ankle sprain"]),
        ("HISTORY OF PRESENT ILLNESS__lf1__Hypertension.", []),
    ],
)
def test_reference_problems_are_the_assessment_headings(note: str, problems: list[str]) -> None:
    assert reference_problems(note) == problems


def test_missing_csv_is_a_clean_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.csv")]) == 0
    assert "skipped" in capsys.readouterr().out


def test_scores_a_tiny_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "valid.csv"
    dialogue = (
        "[doctor] so your blood pressure has been running high ?__lf1__[patient] yes .__lf1__"
        "[doctor] my impression is that you have hypertension .__lf1__"
        "[doctor] i'll prescribe lisinopril 10 mg once a day ."
    )
    note = "ASSESSMENT AND PLAN__lf1__1. Hypertension.__lf1__2. Gout."
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["dataset", "encounter_id", "dialogue", "note"])
        w.writerow(["aci", "X1", dialogue, note])
    assert main([str(path)]) == 0
    row = next(ln for ln in capsys.readouterr().out.splitlines() if ln.startswith("valid*"))
    cells = row.split()
    visits, problems, coded, chapter_hit = int(cells[1]), int(cells[2]), cells[3], cells[4]
    assert (visits, problems, coded) == (1, 2, "100.0")
    assert chapter_hit == "50.0"  # hypertension found in the draft's assessment, gout not said
