"""No patient text in any log file: plant a name in a visit, drive every command, read the logs."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from scribe.domain import Segment
from scribe.visit.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data"
NAME = "Zebulon Quartermaine"


def scribe(home: Path, *argv: str) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, SCRIBE_HOME=str(home), PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", "scribe", *argv], cwd=ROOT, env=env, text=True,
                          capture_output=True, stdin=subprocess.DEVNULL)


@pytest.mark.slow
def test_a_planted_patient_name_reaches_no_log_file(scribe_home, tmp_path):
    made = scribe(scribe_home, "note", str(DATA / "visit_short.wav"), "--fast", "--json",
                  "--label", f"Visit of {NAME}")
    assert made.returncode == 0, made.stderr
    eid = json.loads(made.stdout)["id"]

    # The name also in the transcript and the note, as when the patient says it.
    ws = Workspace.open(scribe_home, actor="test")
    store = ws.store
    t = store.get_transcript(eid)
    said = Segment(len(t.segments), t.segments[-1].end, t.segments[-1].end + 1,
                   f"My name is {NAME}.", "patient")
    store.replace_transcript(eid, replace(t, segments=(*t.segments, said)), "test")
    note = store.get_note(eid).current
    note.sections[0].sentences[0].text = f"{NAME} reports a cough."
    store.update_note(eid, note)
    ws.close()

    steps = [
        ("list", "--search", "Quartermaine"),
        ("show", eid),
        ("show", NAME),  # an unknown id that is patient text: an error, still not logged
        ("export", eid),  # refused: unsigned
        ("sign", eid, "--acknowledge-flags"),
        ("export", eid, "-o", str(tmp_path / "note.txt")),
        ("addendum", eid, f"{NAME} called back; better."),
        ("audit", "show", eid),
        ("audit", "verify"),
        ("recover",),
    ]
    codes = [scribe(scribe_home, *s).returncode for s in steps]
    assert codes == [0, 0, 1, 1, 0, 0, 0, 0, 0, 0]
    assert NAME in scribe(scribe_home, "show", eid).stdout  # it is really in the visit

    logs = [p for p in scribe_home.rglob("*") if p.is_file() and ".log" in p.name]
    logged = "".join(p.read_text(encoding="utf-8", errors="replace") for p in logs)
    assert f"signed visit={eid}" in logged and f"exported visit={eid}" in logged
    for p in logs:
        text = p.read_text(encoding="utf-8", errors="replace").lower()
        for part in NAME.lower().split():
            assert part not in text, f"{part} found in {p.name}"
