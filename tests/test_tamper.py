"""Records a key holder cannot quietly rewrite: the attacks are run for real, with SQL typed on the
real SQLCipher file (``scribe.store.secure.connect`` is the attacker's raw shell) and files swapped
on disk; what is checked is what a user sees (the refusal, ``scribe audit verify``, the export).
"""

from __future__ import annotations

import hashlib
import json
import os
import re

import pytest
import sqlcipher3

from scribe.cli import main
from scribe.domain import NoteDraft, Section, Segment, Sentence, Status, Transcript
from scribe.store.audit import CHECKPOINT_FILE, GENESIS, HEAD_KEY, event_hash, record_digest
from scribe.store.secure import connect
from scribe.visit.workspace import Workspace

SIGNER = "Dr. Ada Lovelace, MD"
NOTE = "Reports cough for 4 days."
FORGED = "Reports no cough. Denies all symptoms."


def _signed_visit(ws: Workspace, label: str = "Mrs Example follow-up") -> str:
    store = ws.store
    enc = store.create_encounter(label, Status.TRANSCRIBING, consent=True)
    store.save_transcript(enc.id, Transcript(segments=(
        Segment(0, 0.0, 2.0, "I have had a cough for four days."),)))
    store.save_draft(enc.id, NoteDraft(sections=[Section("Subjective", [Sentence(NOTE, (0,))])]))
    store.sign(enc.id, SIGNER, "I attest.")
    return enc.id


@pytest.fixture
def signed(scribe_home):
    """(visit id, an unsigned visit's id, the data key): a signed visit on the real encrypted file."""
    ws = Workspace.open(scribe_home, actor="cli")
    eid = _signed_visit(ws)
    other = ws.store.create_encounter("Other visit", Status.TRANSCRIBING)
    ws.store.save_transcript(other.id, Transcript(segments=(Segment(0, 0.0, 1.0, "Hello."),)))
    ws.store.save_draft(other.id, NoteDraft(sections=[Section("S", [Sentence("Hello.", (0,))])]))
    key = ws.key
    ws.close()
    return eid, other.id, key


def _attacker(home, key) -> sqlcipher3.Connection:
    return connect(home / "scribe.db", key)


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out.strip(), out.err.strip()


def _export(capsys, eid: str) -> str:
    code, out, err = _cli(capsys, "export", eid)
    assert code == 0, err
    return out


# ---- 1. the database refuses every rewrite of a signed visit -------------------------------------
NOTE_COLS = ("encounter_id, engine, template, draft_json, current_json, text, signed_text, signer, "
             "signed_at, sha256, attestation, updated_at")
FORGED_SHA = hashlib.sha256(FORGED.encode()).hexdigest()
FORGED_VALUES = (f"'offline', 'soap', '{{}}', '{{}}', '{FORGED}', '{FORGED}', '{SIGNER}', "
                 f"'2024-01-01T00:00:00+00:00', '{FORGED_SHA}', 'I attest.', ''")

ATTACKS = {
    "note REPLACE": f"INSERT OR REPLACE INTO notes ({NOTE_COLS}) VALUES (:eid, {FORGED_VALUES})",
    "note REPLACE by rowid": (
        f"INSERT OR REPLACE INTO notes (rowid, {NOTE_COLS}) VALUES ((SELECT rowid FROM notes "
        f"WHERE encounter_id = :eid), 'x' || :eid, {FORGED_VALUES})"),
    "note UPSERT": (f"INSERT INTO notes ({NOTE_COLS}) VALUES (:eid, {FORGED_VALUES}) "
                    "ON CONFLICT(encounter_id) DO UPDATE SET signed_text = excluded.signed_text"),
    "note UPDATE OR REPLACE onto it": (
        "UPDATE OR REPLACE notes SET encounter_id = :eid WHERE encounter_id = :other"),
    "note DELETE": "DELETE FROM notes WHERE encounter_id = :eid",
    "label UPDATE": "UPDATE encounters SET label = 'Someone else' WHERE id = :eid",
    "date UPDATE": "UPDATE encounters SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = :eid",
    "template UPDATE": "UPDATE encounters SET template = 'hp' WHERE id = :eid",
    "consent UPDATE": "UPDATE encounters SET consent = 0 WHERE id = :eid",
    "duration UPDATE": "UPDATE encounters SET duration_s = 999 WHERE id = :eid",
    "audio swapped in the row": "UPDATE encounters SET audio_file = 'other.wav' WHERE id = :eid",
    "status UPDATE": "UPDATE encounters SET status = 'in_review' WHERE id = :eid",
    "visit DELETE": "DELETE FROM encounters WHERE id = :eid",
    "visit REPLACE": (
        "INSERT OR REPLACE INTO encounters (id, created_at, label, status, duration_s, "
        "audio_file, failure, template, consent, updated_at) SELECT id, created_at, "
        "'Someone else', status, duration_s, audio_file, failure, template, consent, updated_at "
        "FROM encounters WHERE id = :eid"),
    "visit UPDATE OR REPLACE onto it": "UPDATE OR REPLACE encounters SET id = :eid WHERE id = :other",
    "transcript UPDATE": "UPDATE transcripts SET text = 'forged', json = '{}' WHERE encounter_id = :eid",
    "transcript DELETE": "DELETE FROM transcripts WHERE encounter_id = :eid",
    "transcript REPLACE": (
        "INSERT OR REPLACE INTO transcripts (encounter_id, model, json, text) "
        "VALUES (:eid, 'x', '{\"segments\": []}', 'forged')"),
    "transcript UPDATE OR REPLACE onto it": (
        "UPDATE OR REPLACE transcripts SET encounter_id = :eid WHERE encounter_id = :other"),
    "addendum REPLACE": (
        "INSERT OR REPLACE INTO addenda (id, encounter_id, text, signer, signed_at, sha256, "
        "attestation) SELECT id, encounter_id, 'forged addendum', signer, signed_at, sha256, "
        "attestation FROM addenda WHERE encounter_id = :eid"),
    "addendum UPDATE": "UPDATE addenda SET text = 'forged' WHERE encounter_id = :eid",
    "addendum DELETE": "DELETE FROM addenda WHERE encounter_id = :eid",
    "audit REPLACE": (
        "INSERT OR REPLACE INTO audit (seq, encounter_id, action, actor, at, detail, prev_hash, "
        "hash) SELECT seq, encounter_id, action, actor, at, 'forged', prev_hash, hash FROM audit "
        "WHERE seq = 1"),
}


@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_signed_visit_refuses_every_rewrite_in_the_database(signed, scribe_home, capsys, attack):
    eid, other, key = signed
    ws = Workspace.open(scribe_home, actor="cli")
    ws.store.add_addendum(eid, "Called back: improving.", SIGNER, "I attest.")
    ws.close()
    before = _export(capsys, eid)
    conn = _attacker(scribe_home, key)
    try:
        with pytest.raises(sqlcipher3.IntegrityError, match="immutable|append-only"):
            conn.execute(ATTACKS[attack], {"eid": eid, "other": other})
        conn.commit()
    finally:
        conn.close()
    after = _export(capsys, eid)
    assert after.split("Audit chain:")[0] == before.split("Audit chain:")[0]  # the same record
    assert NOTE in after and "Mrs Example follow-up" in after and FORGED not in after
    code, out, _ = _cli(capsys, "audit", "verify")
    assert code == 0, out


def test_what_the_app_does_to_a_signed_visit_still_works(signed, scribe_home, capsys):
    eid, _, _ = signed
    ws = Workspace.open(scribe_home, actor="cli")
    ws.store.add_addendum(eid, "Called back: improving.", SIGNER, "I attest.")
    ws.store.forget_audio(eid, "retention_days=30")  # retention clears the audio of signed visits
    assert ws.store.get(eid).audio_file is None
    ws.close()
    assert "Called back: improving." in _export(capsys, eid)
    assert _cli(capsys, "audit", "verify")[0] == 0


def test_the_app_refuses_to_relabel_a_signed_visit_in_one_sentence(signed, scribe_home):
    from scribe.errors import SignOffError

    eid, _, _ = signed
    ws = Workspace.open(scribe_home, actor="cli")
    try:
        with pytest.raises(SignOffError, match="^The visit is signed; its label can no longer"):
            ws.store.set_label(eid, "Someone else")
        assert ws.store.get(eid).label == "Mrs Example follow-up"
    finally:
        ws.close()


# ---- 2. a key holder who drops the triggers is still caught --------------------------------------
def _drop_triggers(conn: sqlcipher3.Connection) -> None:
    names = [r[0] for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name NOT LIKE '%_ai' "
        "AND name NOT LIKE '%_ad' AND name NOT LIKE '%_au'")]
    for name in names:  # every protection trigger (the full-text ones keep search working)
        conn.execute(f"DROP TRIGGER {name}")


def _recompute_chain(conn: sqlcipher3.Connection, eid: str) -> int:
    """Rewrite the 'signed' event for the forged note and every hash after it; its seq."""
    from sqlite_utils import Database

    seq = conn.execute("SELECT seq FROM audit WHERE encounter_id = ? AND action = 'signed'",
                       [eid]).fetchone()[0]
    record = record_digest(Database(conn), eid)
    conn.execute("UPDATE audit SET detail = ? WHERE seq = ?",
                 [f"sha256={FORGED_SHA}; record={record}", seq])
    prev = GENESIS
    rows = conn.execute("SELECT seq, encounter_id, action, actor, at, detail FROM audit "
                        "ORDER BY seq").fetchall()
    for s, e, action, actor, at, detail in rows:
        digest = event_hash(prev, s, e, action, actor, at, detail)
        conn.execute("UPDATE audit SET prev_hash = ?, hash = ? WHERE seq = ?", [prev, digest, s])
        prev = digest
    conn.execute("UPDATE settings SET value = ? WHERE key = ?", [f"{rows[-1][0]}:{prev}", HEAD_KEY])
    return seq


def _forge_note(conn: sqlcipher3.Connection, eid: str) -> None:
    conn.execute("UPDATE notes SET signed_text = ?, text = ?, sha256 = ? WHERE encounter_id = ?",
                 [FORGED, FORGED, FORGED_SHA, eid])


def test_a_rewritten_note_with_a_recomputed_chain_is_caught_by_the_checkpoint(
        signed, scribe_home, capsys):
    eid, _, key = signed
    assert _cli(capsys, "audit", "verify")[0] == 0
    conn = _attacker(scribe_home, key)
    _drop_triggers(conn)
    _forge_note(conn, eid)
    seq = _recompute_chain(conn, eid)
    conn.commit()
    conn.close()

    code, out, err = _cli(capsys, "audit", "verify")
    assert code == 1, out
    assert out == (f"audit trail broken at event {seq}: it differs from its checkpoint in "
                   f"{CHECKPOINT_FILE} (the database was rewritten)"), out
    assert "Traceback" not in err and FORGED not in out + err


def test_an_exported_copy_pins_the_chain_even_when_the_checkpoint_is_deleted(
        signed, scribe_home, capsys):
    eid, _, key = signed
    exported = _export(capsys, eid)
    pin = re.search(r"^Audit chain: (\d+:[0-9a-f]{64})$", exported, re.M).group(1)
    assert _cli(capsys, "audit", "verify", "--pin", pin)[0] == 0
    conn = _attacker(scribe_home, key)
    _drop_triggers(conn)
    _forge_note(conn, eid)
    seq = _recompute_chain(conn, eid)
    conn.commit()
    conn.close()
    (scribe_home / CHECKPOINT_FILE).unlink()  # the attacker removes the anchor too

    code, out, _ = _cli(capsys, "audit", "verify", "--pin", pin)
    assert code == 1, out
    assert out == (f"audit trail broken at event {seq}: it differs from the exported copy's "
                   "'Audit chain' line"), out  # the pin is the rewritten 'signed' event itself


@pytest.mark.parametrize("case, sql, reason", [
    ("note text and hash", ["UPDATE notes SET signed_text = :forged, sha256 = :sha "
                            "WHERE encounter_id = :eid"], "the signed note of visit"),
    ("note text only", ["UPDATE notes SET signed_text = :forged WHERE encounter_id = :eid"],
     "the signed note of visit"),
    ("label", ["UPDATE encounters SET label = 'Someone else' WHERE id = :eid"],
     "the date, label, transcript or note of visit"),
    ("date", ["UPDATE encounters SET created_at = '2020-01-01T00:00:00+00:00' WHERE id = :eid"],
     "the date, label, transcript or note of visit"),
    ("transcript", ["UPDATE transcripts SET json = :tjson, text = 'x' WHERE encounter_id = :eid"],
     "the date, label, transcript or note of visit"),
    ("visit made signed", ["UPDATE encounters SET status = 'signed' WHERE id = :other"],
     "is marked signed but no event records its signature"),
])
def test_a_signed_record_changed_behind_the_chain_is_caught(signed, scribe_home, capsys, case, sql,
                                                           reason):
    eid, other, key = signed
    conn = _attacker(scribe_home, key)
    _drop_triggers(conn)
    tjson = json.dumps(Transcript(segments=(Segment(0, 0.0, 1.0, "forged"),)).to_dict())
    for stmt in sql:
        conn.execute(stmt, {"eid": eid, "other": other, "forged": FORGED, "sha": FORGED_SHA,
                            "tjson": tjson})
    conn.commit()
    conn.close()
    code, out, _ = _cli(capsys, "audit", "verify")
    assert code == 1, case
    assert out.startswith("audit trail broken") and reason in out, out
    assert FORGED not in out and "Someone else" not in out


# ---- 3. the export and the checkpoint file ---------------------------------------------------
def test_every_export_pins_the_chain_at_the_newest_signature(signed, scribe_home, capsys):
    eid, _, key = signed
    first = _export(capsys, eid)
    assert _export(capsys, eid) == first  # the same note exports the same text every time
    line = first.strip().splitlines()[-1]
    conn = _attacker(scribe_home, key)
    seq, digest = conn.execute("SELECT seq, hash FROM audit WHERE encounter_id = ? AND "
                               "action = 'signed'", [eid]).fetchone()
    conn.close()
    assert line == f"Audit chain: {seq}:{digest}"
    assert first.index("SHA-256:") < first.index("Audit chain:")
    assert _cli(capsys, "audit", "verify", "--pin", f"{seq}:{digest}")[0] == 0

    ws = Workspace.open(scribe_home, actor="cli")
    ws.store.add_addendum(eid, "Called back: improving.", SIGNER, "I attest.")
    ws.close()
    conn = _attacker(scribe_home, key)
    seq, digest = conn.execute("SELECT seq, hash FROM audit WHERE encounter_id = ? AND "
                               "action = 'addendum'", [eid]).fetchone()
    conn.close()
    assert _export(capsys, eid).strip().splitlines()[-1] == f"Audit chain: {seq}:{digest}"


def test_the_checkpoint_holds_every_event_append_only_and_private(signed, scribe_home, capsys):
    _, _, key = signed
    path = scribe_home / CHECKPOINT_FILE
    assert (path.stat().st_mode & 0o777) == 0o600
    lines = path.read_text().splitlines()
    conn = _attacker(scribe_home, key)
    chain = conn.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
    conn.close()
    assert {tuple(line.split()) for line in lines} == {(str(s), h) for s, h in chain}
    code, out, _ = _cli(capsys, "audit", "verify")
    assert code == 0 and "matches its checkpoint" in out


def test_a_checkpoint_longer_than_the_chain_names_the_missing_event(signed, scribe_home):
    from scribe.store.secure import open_store

    _, _, key = signed
    conn = _attacker(scribe_home, key)
    _drop_triggers(conn)
    last = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    conn.execute("DELETE FROM audit WHERE seq = ?", [last])  # the newest event removed...
    prev = conn.execute("SELECT hash FROM audit WHERE seq = ?", [last - 1]).fetchone()[0]
    conn.execute("UPDATE settings SET value = ? WHERE key = ?", [f"{last - 1}:{prev}", HEAD_KEY])
    conn.commit()  # ...and the head record moved back: the database alone looks whole
    conn.close()
    store = open_store(scribe_home, key, "cli")  # what `scribe audit verify` reads, no sign-in
    try:
        result = store.verify_audit()
    finally:
        store.close()
    assert not result.ok
    assert result.message() == (f"audit trail broken at event {last}: event missing: the trail "
                                f"ends at event {last - 1} but its checkpoint {CHECKPOINT_FILE} "
                                f"records event {last}")


# ---- 4. audio bound to its visit ------------------------------------------------------------
def test_swapping_two_visits_audio_files_is_detected(workspace, clip, capsys):
    ws = workspace
    files = []
    for name in ("hello.wav", "visit_short.wav"):
        eid_file = ws.vault.store_copy(clip(name), f"tmp-{name}")
        enc = ws.store.create_encounter(name, Status.TRANSCRIBING, audio_file=eid_file.name,
                                        source="imported")
        files.append((enc.id, eid_file))
        ws.store.fail(enc.id, "Cancelled by the user; open the visit to try again.")
    (a, fa), (b, fb) = files
    tmp = fa.with_name("swap.tmp")
    os.replace(fa, tmp)
    os.replace(fb, fa)
    os.replace(tmp, fb)  # each visit's name now holds the other patient's recording
    ws.close()

    code, out, err = _cli(capsys, "retry", a, "--fast")
    assert code == 1
    assert err == ("scribe: The audio file of this visit was replaced or moved; restore it from "
                   "backup (it was not transcribed, so no other recording's words reach this "
                   "visit)."), err
    ws2 = Workspace.open(ws.home, actor="test")
    try:
        enc = ws2.store.get(a)
        assert enc.status == Status.FAILED and "replaced or moved" in (enc.failure or "")
        assert ws2.store.get_transcript(a) is None
    finally:
        ws2.close()


def test_an_unswapped_audio_file_still_loads_for_its_visit(workspace, clip):
    dest = workspace.vault.store_copy(clip("hello.wav"), "mine.wav")
    enc = workspace.store.create_encounter("v", Status.TRANSCRIBING, audio_file=dest.name)
    enc = workspace.store.get(enc.id)
    assert enc.audio_id is not None
    assert workspace.vault.load(enc.audio_file, enc.audio_id).size > 0


def _mount(*args: str) -> bool:
    import subprocess

    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def test_a_checkpoint_that_cannot_be_written_never_costs_a_signature(signed, scribe_home, capsys):
    """The checkpoint file on a read-only mount (a real EROFS): the addendum is still saved, and
    the next start appends what was missed, so the checkpoint again covers every event."""
    import subprocess

    eid, _, key = signed
    path = scribe_home / CHECKPOINT_FILE
    if os.geteuid() != 0 or not _mount("--bind", str(path), str(path)):
        pytest.skip("needs root to bind-mount the checkpoint read-only")
    try:
        assert _mount("-o", "remount,ro,bind", str(path))
        with pytest.raises(OSError):
            open(path, "a").close()
        ws = Workspace.open(scribe_home, actor="cli")
        ws.store.add_addendum(eid, "Called back: improving.", SIGNER, "I attest.")
        ws.close()
    finally:
        subprocess.run(["umount", str(path)], check=True)
    assert "Called back: improving." in _export(capsys, eid)
    code, out, _ = _cli(capsys, "audit", "verify")
    assert code == 0 and "matches its checkpoint" in out, out
    conn = _attacker(scribe_home, key)
    chain = conn.execute("SELECT seq, hash FROM audit ORDER BY seq").fetchall()
    conn.close()
    lines = {tuple(line.split()) for line in path.read_text().splitlines()}
    assert {(str(s), h) for s, h in chain} <= lines  # caught up: every event is anchored
