"""``scribe audit verify`` on the real encrypted database file, before and after tampering."""

from __future__ import annotations

import re

import pytest

from scribe.cli import main
from scribe.domain import Status
from scribe.store.secure import connect
from scribe.visit.workspace import Workspace

TRIGGERS = ("audit_no_update", "audit_no_delete")


@pytest.fixture
def visit(scribe_home):
    ws = Workspace.open(scribe_home, actor="cli")
    store = ws.store
    enc = store.create_encounter("Visit", Status.RECORDING, consent=True)
    store.set_audio(enc.id, f"{enc.id}.wav", 12.0)
    store.set_status(enc.id, Status.TRANSCRIBING)
    store.fail(enc.id, "Cancelled by the user; open the visit to try again.")
    store.record_export(enc.id, "file")
    n = store.verify_audit().events
    key = ws.key  # close() forgets it
    ws.close()
    assert ws.key is None
    return enc.id, n, key


def tamper(home, key, *sql: str) -> None:
    """What someone with the key and a raw SQLCipher shell could do to the file."""
    conn = connect(home / "scribe.db", key)
    for t in TRIGGERS:
        conn.execute(f"DROP TRIGGER {t}")
    for stmt in sql:
        conn.execute(stmt)
    conn.commit()
    conn.close()


def verify(capsys) -> tuple[int, str]:
    code = main(["audit", "verify"])
    return code, capsys.readouterr().out.strip()


def test_untouched_store_verifies(visit, capsys, scribe_home):
    _, n, _ = visit
    code, out = verify(capsys)
    assert code == 0
    m = re.fullmatch(r"audit trail intact: (\d+) events, hash chain verified and matches its "
                     r"checkpoint \(head (\d+):[0-9a-f]{64}\)", out)
    assert m, out
    assert int(m.group(1)) >= n and m.group(1) == m.group(2)  # the sign-in itself may add one
    assert (scribe_home / "audit.chain").is_file()


@pytest.mark.parametrize(
    "case, sql, bad_seq, reason",
    [
        ("edited", ["UPDATE audit SET detail = 'usb' WHERE seq = 3"], 3, "contents were changed"),
        ("edited actor", ["UPDATE audit SET actor = 'mallory' WHERE seq = 2"], 2,
         "contents were changed"),
        ("removed", ["DELETE FROM audit WHERE seq = 2"], 2, "missing or out of order"),
        # The sign-in of the next command writes a new newest event over the gap, so the database
        # alone cannot tell; the checkpoint file beside it still can.
        ("removed last", ["DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)"], "last",
         ""),
        ("reordered", [
            "UPDATE audit SET seq = -1 WHERE seq = 2",
            "UPDATE audit SET seq = 2 WHERE seq = 3",
            "UPDATE audit SET seq = 3 WHERE seq = -1",
        ], 2, ""),
        ("head erased, last removed", ["DELETE FROM audit WHERE seq = (SELECT max(seq) FROM audit)",
                                       "DELETE FROM settings WHERE key = 'audit_head'"], "last",
         ""),
    ],
)
def test_tampering_with_the_database_file_is_detected(visit, capsys, scribe_home, case, sql,
                                                       bad_seq, reason):
    _, n, key = visit
    assert verify(capsys)[0] == 0
    conn = connect(scribe_home / "scribe.db", key)
    last = conn.execute("SELECT max(seq) FROM audit").fetchone()[0]
    conn.close()
    tamper(scribe_home, key, *sql)
    code, out = verify(capsys)
    seq = last if bad_seq == "last" else bad_seq
    assert code == 1, case
    assert out.startswith(f"audit trail broken at event {seq}:"), out
    assert reason in out
    if bad_seq == "last":  # the checkpoint names it (or the next sign-in's event, written over it)
        assert "event missing" in out or "differs from its checkpoint" in out, out
        assert "checkpoint" in out


def test_show_lists_a_visits_trail(visit, capsys):
    eid, _, _ = visit
    assert main(["audit", "show", eid[:8]]) == 0
    out = capsys.readouterr().out
    actions = [line.split()[4] for line in out.splitlines()]
    assert actions == ["created", "consent_given", "recorded", "status", "status", "exported"]
    assert "recording->transcribing" in out and "cli:Clinician" in out  # channel + clinician
