"""The notes bench: skips cleanly without data, scores a tiny ACI-Bench-format CSV, and measures
what a clinician notices (talk left in the draft, empty Assessment, drugs, allergies, divisions)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from bench._note_metrics import (
    EMPTY,
    conversational,
    divisions,
    drugs_in,
    empty_assessment_plan,
    separate_assessment_plan,
    text_sentences,
)
from bench.notes import main, reference_text


def test_missing_csv_is_a_clean_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.csv")]) == 0
    assert "skipped" in capsys.readouterr().out


def test_reference_newlines() -> None:
    assert reference_text("CHIEF COMPLAINT__lf1____lf1__Cough.") == "CHIEF COMPLAINT\nCough."


def _tiny_csv(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["dataset", "encounter_id", "dialogue", "note"])
        dialogue = (
            "[doctor] what brings you in today ?__lf1__[patient] i've had a cough for four days ."
            "__lf1__[doctor] any allergies to medications ?__lf1__[patient] no .__lf1__"
            "[doctor] i'll prescribe an albuterol inhaler ."
        )
        note = (
            "CHIEF COMPLAINT__lf1__Cough.__lf1__HISTORY OF PRESENT ILLNESS__lf1__Cough for 4 days."
            "__lf1__ASSESSMENT AND PLAN__lf1__Albuterol inhaler."
        )
        w.writerow(["aci", "X1", dialogue, note])
    return path


def test_scores_a_small_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(_tiny_csv(tmp_path)), "--template", "hp"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("offline / hp"))
    cells = row.split()
    r1, evid = float(cells[-6]), float(cells[-3])
    assert 0 < r1 <= 100 and evid == 100.0
    assert "GPT-4" in out and "43.87" in out
    for division in ("subjective", "objective_exam", "objective_results", "assessment_and_plan"):
        assert re.search(rf"^{division}\s+\d+\.\d\d\s+\d+\.\d\d\s+\d+\.\d\d$", out, re.M), division
    assert "drug recall: 100.0% (1 of 1 reference-note drugs)" in out
    assert "allergy documented when discussed: 1 of 1 visits (100%)" in out
    last = out.strip().splitlines()[-1]
    m = re.fullmatch(
        r"notes: r1=([\d.]+) r2=([\d.]+) rlsum=([\d.]+) conversational=([\d.]+)% "
        r"empty_assessment=([\d.]+)% drug_recall=([\d.]+)% p95_s=([\d.]+)",
        last,
    )
    assert m, last
    assert float(m.group(1)) == pytest.approx(r1, abs=0.01)
    assert float(m.group(6)) == 100.0


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Have you taken anything for the insomnia?", "question"),
        ("Do you have any chest pain", "question"),
        ("Her ankle's off-eye, how are you feeling.", "you"),
        ("I want you to take it easy.", "you"),
        ("Well lets go ahead and check the blood pressure again.", "let's"),
        ("Well his vital signs look good.", "opener"),
        ("So she is doing better.", "opener"),
        ("Um she takes it daily.", "opener"),
        ("She takes it, you know, daily.", "you"),
        ("I know that the nurse told him about the.", "fragment"),
        ("The plan ended and we'll get to.", "fragment"),
        ("She has been doing well with.", "fragment"),
        # note sentences
        ("Right knee pain.", None),
        ("No known drug allergies.", None),
        ("He denies fever, chills or night sweats.", None),
        ("We will continue to monitor this.", None),
        ("Further testing: We will schedule an echocardiogram for next week.", None),
        ("When her colitis flares, she has loose stools 5-6 times a day.", None),
        ("1. Hypertension.", None),
    ],
)
def test_conversational_rule(sentence: str, why: str | None) -> None:
    assert conversational(sentence) == why


def test_note_sentences_leave_headers_and_placeholders_out() -> None:
    text = "CHIEF COMPLAINT\nCough.\n\nREVIEW OF SYSTEMS\nNot discussed.\n\nPLAN\nRest. Fluids."
    assert text_sentences(text) == ["Cough.", "Rest.", "Fluids."]


def test_divisions_split_as_aci_bench_does() -> None:
    note = (
        "CHIEF COMPLAINT\nKnee pain.\nSOCIAL HISTORY\nRuns daily.\nPHYSICAL EXAM\nTender knee.\n"
        "ASSESSMENT\nKnee sprain.\nPLAN\nIce."
    )
    d = divisions(note)
    assert d["subjective"] == "CHIEF COMPLAINT\nKnee pain.\nSOCIAL HISTORY\nRuns daily."
    assert d["objective_exam"] == "PHYSICAL EXAM\nTender knee."
    assert d["objective_results"] == EMPTY
    assert d["assessment_and_plan"] == "ASSESSMENT\nKnee sprain.\nPLAN\nIce."
    assert divisions("Just a line.")["subjective"] == "Just a line."


def test_empty_assessment_and_plan() -> None:
    assert empty_assessment_plan([("Assessment and plan", ["x"])]) == (False, False)
    assert empty_assessment_plan([("Assessment", []), ("Plan", ["x"])]) == (True, False)
    assert empty_assessment_plan([("Subjective", ["x"])]) == (True, True)
    assert separate_assessment_plan(["Subjective", "Assessment", "Plan"])
    assert not separate_assessment_plan(["Chief complaint", "Assessment and plan"])


def test_drugs_brand_and_generic_meet() -> None:
    assert drugs_in("Continue Lipitor 40 mg.") == drugs_in("continue atorvastatin")
    assert drugs_in("Rest and fluids.") == set()
