"""The CLI end to end on real speech clips with the real faster-whisper models."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scribe.cli import main

DATA = Path(__file__).parent / "data"
CLIPS = json.loads((DATA / "clips.json").read_text())
SOAP = ["Subjective", "Objective", "Assessment", "Plan"]


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_transcribe_prints_timestamped_segments_with_the_spoken_words(capsys):
    code, out, _ = run(capsys, "transcribe", str(DATA / "hello.wav"), "--fast")
    assert code == 0
    assert out.startswith("[00:00] ")
    for word in CLIPS["hello.wav"]["key_words"]:
        assert word in out.lower()


def test_transcribe_json_has_segments_with_words(capsys):
    code, out, _ = run(capsys, "transcribe", str(DATA / "hello.wav"), "--fast", "--json")
    data = json.loads(out)
    seg = data["segments"][0]
    assert {"start", "end", "text", "speaker", "words"} <= set(seg)
    assert seg["words"] and {"start", "end", "word"} <= set(seg["words"][0])


def _note(capsys, *extra: str) -> dict:
    code, out, err = run(capsys, "note", str(DATA / "visit_short.wav"), "--json", *extra)
    assert code == 0, err
    return json.loads(out)


def _check_visit(capsys, data: dict, tmp_path: Path, key_words: list[str]) -> None:
    assert data["status"] == "in_review"
    transcript_text = " ".join(s["text"] for s in data["transcript"]).lower()
    # Whisper writes numbers and units either way ("four"/"4", "milligrams"/"10mg").
    transcript_text = re.sub(r"\b4\b", "four", transcript_text)
    transcript_text = re.sub(r"(\d)\s*mg\b", r"\1 milligrams", transcript_text)
    missing = [w for w in key_words if w not in transcript_text]
    assert not missing, f"transcript lacks {missing}"
    sections = data["note"]["sections"]
    assert [s["title"] for s in sections] == SOAP
    sentences = [x for s in sections for x in s["sentences"]]
    assert sentences and all(x["evidence"] for x in sentences)
    n_segments = len(data["transcript"])
    assert all(0 <= i < n_segments for x in sentences for i in x["evidence"])

    eid = data["id"]
    out_file = tmp_path / "note.txt"
    code, out, err = run(capsys, "export", eid, "-o", str(out_file))
    assert code != 0 and "must be signed" in err and "Traceback" not in err
    assert not out_file.exists()

    code, out, err = run(capsys, "sign", eid, "--acknowledge-flags")
    assert code == 0, err
    code, out, err = run(capsys, "export", eid)
    assert code == 0, err
    assert "Electronically signed by Clinician" in out  # the signed-in profile
    note_text = out.lower()
    assert "cough" in note_text and "penicillin" in note_text
    code, _, _ = run(capsys, "export", eid, "-o", str(out_file))
    assert code == 0 and out_file.read_text() == out


def test_note_fast_end_to_end_refuses_unsigned_export_then_signs_and_exports(capsys, tmp_path):
    _check_visit(capsys, _note(capsys, "--fast"), tmp_path, CLIPS["visit_short.wav"]["key_words"])


@pytest.mark.slow
def test_note_with_the_default_base_model_end_to_end(capsys, tmp_path):
    # Whisper base hears espeak's "acute bronchitis" as "a cute brink eyedis"; every other key
    # word must be there.
    words = [w for w in CLIPS["visit_short.wav"]["key_words"] if w != "bronchitis"]
    _check_visit(capsys, _note(capsys), tmp_path, words)


def test_draft_from_tagged_text_transcript(capsys, tmp_path):
    f = tmp_path / "visit.txt"
    f.write_text(
        "[doctor] what brings you in today?\n"
        "[patient] i have had a sore throat for three days.\n"
        "[doctor] on exam your throat is red and your temperature is normal.\n"
        "[doctor] i think this is viral pharyngitis.\n"
        "[doctor] drink fluids and follow up in one week if not better.\n"
    )
    code, out, err = run(capsys, "draft", "--transcript", str(f), "--json")
    assert code == 0, err
    data = json.loads(out)
    assert [s["title"] for s in data["sections"]] == SOAP
    sentences = [x for s in data["sections"] for x in s["sentences"]]
    assert all(x["evidence"] and all(0 <= i < 5 for i in x["evidence"]) for x in sentences)
    assert "sore throat" in data["text"].lower()


def test_list_show_and_unknown_id(capsys):
    data = _note(capsys, "--fast", "--label", "Visit A")
    code, out, _ = run(capsys, "list")
    assert code == 0 and data["id"] in out and "In review" in out and "Visit A" in out
    code, out, _ = run(capsys, "show", data["id"][:8])
    assert code == 0 and "TRANSCRIPT" in out and "NOTE" in out
    code, out, err = run(capsys, "show", "ffffffff")
    assert code == 1 and err.startswith("scribe: ") and err.count("\n") == 1


def test_errors_are_one_line_on_stderr_without_traceback(tmp_path):
    bad = tmp_path / "bad.wav"
    bad.write_text("not audio at all " * 100)
    result = subprocess.run(
        [sys.executable, "-m", "scribe", "note", str(bad), "--fast"],
        capture_output=True, text=True,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0
    assert "could not be read as audio" in result.stderr
