"""What a clinician would be asked about is audited before the bytes leave (issue "Trust that holds
under attack and faults", finding 3 and part of 10).

Every test performs the attack or the fault for real: a second SQLCipher connection holding the
database busy, a planted symlink, a full tmpfs, a read-only bind mount, a missing folder. What is
checked is what a user or an auditor would notice: the exit code, the one sentence on stderr, what
is on disk, and the audit rows in the encrypted file itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
from pathlib import Path

import pytest

from scribe.cli import main
from scribe.domain import NoteDraft, Section, Segment, Sentence, Status, Transcript
from scribe.store.secure import DB_FILE, connect
from scribe.visit.workspace import Workspace

CLINICIAN = "Ada Lovelace"
ACTOR = f"cli:{CLINICIAN}"
PATIENT_WORD = "Pemberton"  # patient text: in the label and the note, never in an audit row
NOTE = f"Mr {PATIENT_WORD} reports cough for 4 days."


@pytest.fixture
def signed(scribe_home, monkeypatch):
    """A signed visit in a real encrypted store whose profile is Ada Lovelace's; returns (id, key)."""
    monkeypatch.setenv("SCRIBE_CLINICIAN", CLINICIAN)  # the profile made at the first sign-in
    ws = Workspace.open(scribe_home, actor="cli")
    store = ws.store
    enc = store.create_encounter(f"{PATIENT_WORD} follow-up", Status.TRANSCRIBING)
    store.save_transcript(enc.id, Transcript(segments=(
        Segment(0, 0.0, 2.0, f"I am {PATIENT_WORD} and I have had a cough for four days."),)))
    store.save_draft(enc.id, NoteDraft(sections=[Section("Subjective", [Sentence(NOTE, (0,))])]))
    store.sign(enc.id, "Dr Ada Lovelace, MD", "I attest.")
    key = ws.key
    ws.close()
    return enc.id, key


def audit_rows(home: Path, key: bytes) -> list[dict]:
    """The audit table as someone with the key reads it off the file."""
    conn = connect(home / DB_FILE, key)
    try:
        cur = conn.execute("SELECT seq, encounter_id, action, actor, detail FROM audit ORDER BY seq")
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r, strict=True)) for r in cur.fetchall()]
    finally:
        conn.close()


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def one_sentence(err: str) -> str:
    assert err.startswith("scribe: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "unexpected internal error" not in err, err
    assert PATIENT_WORD not in err
    return err


@contextlib.contextmanager
def held_busy(home: Path, key: bytes, monkeypatch):
    """Another program takes the database's write lock (a real open write transaction) just
    after the command has signed in, and holds it until the command is done."""
    import scribe.cli.cmd_visits as cmd

    conn = connect(home / DB_FILE, key)
    signed_in = cmd.open_workspace

    def open_then_busy(*a, **kw):
        ws = signed_in(*a, **kw)
        conn.execute("BEGIN IMMEDIATE")
        return ws

    monkeypatch.setattr(cmd, "open_workspace", open_then_busy)
    try:
        yield conn
    finally:
        monkeypatch.setattr(cmd, "open_workspace", signed_in)
        if conn.in_transaction:
            conn.rollback()
        conn.close()


@contextlib.contextmanager
def mounted(folder: Path, *options: str):
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["mount", *options, str(folder)], check=True, capture_output=True)
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False, capture_output=True)


def needs_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs or a read-only bind needs root")


def exported(rows: list[dict]) -> list[dict]:
    return [r for r in rows if r["action"] == "exported"]


# --- the database is busy: nothing leaves, nothing is claimed ----------------------------------
def test_busy_database_export_to_file_writes_nothing_and_records_nothing(
        signed, scribe_home, tmp_path, capsys, monkeypatch):
    eid, key = signed
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    target = out_dir / "note.txt"
    before = exported(audit_rows(scribe_home, key))
    with held_busy(scribe_home, key, monkeypatch):
        code, out, err = run(capsys, "export", eid, "-o", str(target))
    assert code == 1
    assert "in use by another program" in one_sentence(err)
    assert list(out_dir.iterdir()) == []  # no file, no temporary file
    assert exported(audit_rows(scribe_home, key)) == before


def test_busy_database_export_to_stdout_prints_nothing(signed, scribe_home, capsys, monkeypatch):
    eid, key = signed
    with held_busy(scribe_home, key, monkeypatch):
        code, out, err = run(capsys, "export", eid)
    assert code == 1 and out == ""
    assert "in use by another program" in one_sentence(err)
    assert exported(audit_rows(scribe_home, key)) == []


def test_busy_database_show_prints_no_patient_text(signed, scribe_home, capsys, monkeypatch):
    eid, key = signed
    with held_busy(scribe_home, key, monkeypatch):
        code, out, err = run(capsys, "show", eid)
    assert code == 1 and out == ""
    one_sentence(err)
    assert not [r for r in audit_rows(scribe_home, key) if r["action"] == "viewed"]


# --- order: the event is on disk before the bytes --------------------------------------------
def test_export_event_is_written_before_the_file_a_full_disk_proves_it(
        signed, scribe_home, tmp_path, capsys):
    needs_root()
    eid, key = signed
    with mounted(tmp_path / "full", "-t", "tmpfs", "-o", "size=64k", "tmpfs") as disk:
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 4096)
                f.flush()
        code, out, err = run(capsys, "export", eid, "-o", str(disk / "note.txt"))
        left = sorted(p.name for p in disk.iterdir())
    assert code == 1
    assert "disk is full" in one_sentence(err)
    assert left == ["filler"]  # no note, no temporary file
    mine = [r for r in audit_rows(scribe_home, key) if r["encounter_id"] == eid]
    # The export was recorded before the write was tried, then its failure.
    assert [(r["action"], r["detail"]) for r in mine[-2:]] == [
        ("exported", "file"), ("export_failed", "file")]


def test_export_to_file_is_audited_without_the_path_or_patient_text(
        signed, scribe_home, tmp_path, capsys):
    eid, key = signed
    folder = tmp_path / f"{PATIENT_WORD} records"  # a folder name can be patient text
    folder.mkdir()
    target = folder / f"{PATIENT_WORD}.txt"
    code, _, err = run(capsys, "export", eid, "-o", str(target))
    assert code == 0, err
    assert NOTE in target.read_text(encoding="utf-8")
    assert (target.stat().st_mode & 0o777) == 0o600
    assert sorted(p.name for p in folder.iterdir()) == [target.name]
    rows = audit_rows(scribe_home, key)
    (event,) = exported(rows)
    assert (event["encounter_id"], event["detail"], event["actor"]) == (eid, "file", ACTOR)
    assert not any(PATIENT_WORD in json.dumps(r) for r in rows)


# --- planted files and bad targets ------------------------------------------------------------
def test_symlink_planted_at_the_old_temporary_name_does_not_redirect_the_write(
        signed, tmp_path, capsys):
    eid, _ = signed
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out_dir = tmp_path / "shared"
    out_dir.mkdir()
    target = out_dir / "note.txt"
    (out_dir / "note.txt.tmp").symlink_to(victim)  # the name export used to write through
    code, _, err = run(capsys, "export", eid, "-o", str(target))
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not target.is_symlink() and NOTE in target.read_text(encoding="utf-8")


def test_symlink_planted_at_the_temporary_name_gives_one_sentence_and_writes_nothing(
        signed, scribe_home, tmp_path, capsys, monkeypatch):
    import scribe.export.text as text_mod

    eid, key = signed
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    out_dir = tmp_path / "shared"
    out_dir.mkdir()
    planted = out_dir / ".scribe-export-planted.tmp"
    planted.symlink_to(victim)
    # The attacker guessed the random name: the hook makes the guess right.
    monkeypatch.setattr(text_mod, "temp_path", lambda folder: folder / planted.name)
    code, _, err = run(capsys, "export", eid, "-o", str(out_dir / "note.txt"))
    assert code == 1
    assert "in the way" in one_sentence(err)
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert sorted(p.name for p in out_dir.iterdir()) == [planted.name]  # only the attacker's link
    assert exported(audit_rows(scribe_home, key)) == []


def test_symlink_planted_at_the_target_is_replaced_not_followed(signed, tmp_path, capsys):
    eid, _ = signed
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me", encoding="utf-8")
    target = tmp_path / "note.txt"
    target.symlink_to(victim)
    code, _, err = run(capsys, "export", eid, "-o", str(target))
    assert code == 0, err
    assert victim.read_text(encoding="utf-8") == "keep me"
    assert not target.is_symlink() and NOTE in target.read_text(encoding="utf-8")


@pytest.mark.parametrize("case", ["missing folder", "onto a folder"])
def test_export_to_a_bad_target_gives_one_sentence(signed, scribe_home, tmp_path, capsys, case):
    eid, key = signed
    if case == "missing folder":
        target, expect = tmp_path / "no such folder" / "note.txt", "does not exist"
    else:
        target, expect = tmp_path / "a folder", "is a folder"
        target.mkdir()
    code, _, err = run(capsys, "export", eid, "-o", str(target))
    assert code == 1
    assert expect in one_sentence(err)
    assert sorted(p.name for p in tmp_path.iterdir() if p.name != "scribe-home") == \
        ([] if case == "missing folder" else ["a folder"])
    if case == "onto a folder":
        assert list(target.iterdir()) == []
    assert exported(audit_rows(scribe_home, key)) == []


def test_export_into_a_read_only_folder_gives_one_sentence(signed, scribe_home, tmp_path, capsys):
    needs_root()
    eid, key = signed
    folder = tmp_path / "ro"
    folder.mkdir()
    with mounted(folder, "--bind", str(folder)):
        subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)
        code, _, err = run(capsys, "export", eid, "-o", str(folder / "note.txt"))
    assert code == 1
    assert "may not write in that folder" in one_sentence(err)
    assert list(folder.iterdir()) == []
    assert exported(audit_rows(scribe_home, key)) == []


def test_export_to_stdout_is_audited_with_the_clinician(signed, scribe_home, capsys):
    eid, key = signed
    code, out, err = run(capsys, "export", eid)
    assert code == 0, err
    assert NOTE in out
    (event,) = exported(audit_rows(scribe_home, key))
    assert (event["detail"], event["actor"]) == ("stdout", ACTOR)


# --- reads are audited, with the clinician as the actor --------------------------------------
@pytest.mark.parametrize("argv, where", [(["show"], "show"), (["show", "--json"], "show --json")])
def test_show_is_audited_naming_the_clinician(signed, scribe_home, capsys, argv, where):
    eid, key = signed
    code, out, err = run(capsys, argv[0], eid[:8], *argv[1:])
    assert code == 0, err
    assert PATIENT_WORD in out
    viewed = [r for r in audit_rows(scribe_home, key) if r["action"] == "viewed"]
    assert [(r["encounter_id"], r["actor"], r["detail"]) for r in viewed] == [(eid, ACTOR, where)]


def test_search_is_audited_with_the_match_count_not_the_words(signed, scribe_home, capsys):
    eid, key = signed
    code, out, err = run(capsys, "list", "--search", PATIENT_WORD.lower())
    assert code == 0, err
    assert eid in out
    code, out, _ = run(capsys, "list", "--search", "zebra")
    assert code == 0 and out == ""
    rows = audit_rows(scribe_home, key)
    searched = [r for r in rows if r["action"] == "searched"]
    assert [(r["actor"], r["detail"]) for r in searched] == [
        (ACTOR, "list: 1 matched"), (ACTOR, "list: 0 matched")]
    assert not any("zebra" in json.dumps(r) or PATIENT_WORD.lower() in json.dumps(r).lower()
                   for r in rows)


def test_every_event_names_the_clinician_not_just_the_channel(signed, scribe_home, capsys):
    _, key = signed
    actors = {r["actor"] for r in audit_rows(scribe_home, key)}
    assert actors == {ACTOR}


def test_every_command_line_sign_in_is_audited_naming_the_clinician(signed, scribe_home, capsys):
    """Each CLI command signs in; the trail shows who, and when, even for a plain `list`."""
    _, key = signed
    before = [r for r in audit_rows(scribe_home, key) if r["action"] == "unlocked"]
    code, _, err = run(capsys, "list")
    assert code == 0, err
    after = [r for r in audit_rows(scribe_home, key) if r["action"] == "unlocked"]
    assert len(after) == len(before) + 1
    assert (after[-1]["actor"], after[-1]["detail"]) == (ACTOR, "sign-in")
