"""`scribe templates list | learn`: a clinician's template from an example note, on the command line."""

from __future__ import annotations

import json

from scribe import paths
from scribe.cli import main
from scribe.drafting import available_templates

EXAMPLE = """PATIENT: Jane Doe    DOB: 03/14/1961

CC: right knee pain
HPI: 63-year-old woman with three weeks of knee pain after gardening.
PE:
Right knee: small effusion.
A/P:
OSTEOARTHRITIS
Ibuprofen 400 mg three times daily.
Work status:
Light duty until 02/25/2025.
"""


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_learn_saves_the_headings_and_list_shows_it(capsys, tmp_path):
    note = tmp_path / "example.txt"
    note.write_text(EXAMPLE, encoding="utf-8")
    code, out, err = run(capsys, "templates", "learn", str(note), "--name", "Knee visit")
    assert code == 0, err
    assert "Saved template 'knee_visit'" in out
    assert [line.split(". ", 1)[1] for line in out.splitlines()[1:]] == [
        "CC (chief complaint)",
        "HPI (history of present illness)",
        "PE (physical examination)",
        "A/P (assessment and plan) [by problem]",
        "Work status (its own section)",
    ]
    saved = (paths.templates_dir() / "knee_visit.json").read_text(encoding="utf-8")
    for private in ("Jane", "Doe", "1961", "gardening", "Ibuprofen", "OSTEOARTHRITIS", "2025"):
        assert private.lower() not in saved.lower(), private
    assert [s.title for s in available_templates(paths.templates_dir())["knee_visit"].sections] == [
        "CC", "HPI", "PE", "A/P", "Work status"]

    code, out, err = run(capsys, "templates", "list")
    assert code == 0 and err == ""
    lines = out.splitlines()
    mine = lines.index(next(line for line in lines if line.startswith("knee_visit")))
    assert "Knee visit (yours)" in lines[mine]
    assert lines[mine + 1].split() == ["CC", "·", "HPI", "·", "PE", "·", "A/P", "·", "Work",
                                       "status"]
    assert any(line.startswith("soap") and "(built-in)" in line for line in lines)

    code, out, _ = run(capsys, "templates", "list", "--json")
    listed = {t["id"]: t for t in json.loads(out)}
    assert listed["knee_visit"]["yours"] and not listed["ortho"]["yours"]


def test_learning_over_a_template_needs_replace(capsys, tmp_path):
    note = tmp_path / "example.txt"
    note.write_text(EXAMPLE, encoding="utf-8")
    assert run(capsys, "templates", "learn", str(note), "--name", "Knee")[0] == 0
    code, out, err = run(capsys, "templates", "learn", str(note), "--name", "Knee")
    assert code == 1 and out == ""
    assert err == ("scribe: You already have a template 'knee'; choose another --name, or add "
                   "--replace to replace it.\n")
    code, _, err = run(capsys, "templates", "learn", str(note), "--name", "SOAP")
    assert code == 1 and "'soap' is a built-in template" in err
    assert available_templates(paths.templates_dir())["soap"].name == "SOAP note"
    assert run(capsys, "templates", "learn", str(note), "--name", "Knee", "--replace")[0] == 0


def test_bad_input_is_one_sentence(capsys, tmp_path):
    code, _, err = run(capsys, "templates", "learn", str(tmp_path / "missing.txt"), "--name", "X")
    assert (code, err) == (1, "scribe: The example note missing.txt could not be read.\n")
    prose = tmp_path / "prose.txt"
    prose.write_text("She is well today and has no complaints.", encoding="utf-8")
    code, _, err = run(capsys, "templates", "learn", str(prose), "--name", "X")
    assert code == 1 and err.startswith("scribe: No headings were found") and err.count("\n") == 1


def test_list_names_a_broken_template_file_and_goes_on(capsys):
    folder = paths.templates_dir()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "derm.json").write_text('{"id": "derm", "sections": [{"key": "x", "title": "X", '
                                      '"style": "bullets"}]}', encoding="utf-8")
    code, out, err = run(capsys, "templates", "list")
    assert code == 0 and "soap" in out and "derm" not in out
    assert err.startswith("scribe: The note template derm.json, section 1, has the style")
    assert err.endswith("It is not offered.\n") and "Traceback" not in err
