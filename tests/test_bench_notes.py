"""The notes bench: skips cleanly without data, scores a tiny ACI-Bench-format CSV."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bench.notes import main, reference_text


def test_missing_csv_is_a_clean_skip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.csv")]) == 0
    assert "skipped" in capsys.readouterr().out


def test_reference_newlines() -> None:
    assert reference_text("CHIEF COMPLAINT__lf1____lf1__Cough.") == "CHIEF COMPLAINT\nCough."


def test_scores_a_small_csv(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "tiny.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["dataset", "encounter_id", "dialogue", "note"])
        dialogue = (
            "[doctor] what brings you in today ?__lf1__[patient] i've had a cough for four days ."
            "__lf1__[doctor] i'll prescribe an albuterol inhaler ."
        )
        note = "CHIEF COMPLAINT__lf1__Cough.__lf1__ASSESSMENT AND PLAN__lf1__Albuterol inhaler."
        w.writerow(["aci", "X1", dialogue, note])
    assert main([str(path), "--template", "hp"]) == 0
    out = capsys.readouterr().out
    row = next(line for line in out.splitlines() if line.startswith("offline / hp"))
    cells = row.split()
    r1, evid = float(cells[-6]), float(cells[-3])
    assert 0 < r1 <= 100 and evid == 100.0
    assert "GPT-4" in out and "43.87" in out
