"""Store rules: legal transitions, database-enforced immutability, audit in the same transaction."""

from __future__ import annotations

import sqlite3

import pytest

from scribe.domain import NoteDraft, Section, Segment, Sentence, Status, Transcript
from scribe.errors import IllegalTransitionError, SignOffError, StoreError
from scribe.export.text import export_text
from scribe.store.store import Store


def _transcript() -> Transcript:
    return Transcript(segments=(Segment(0, 0.0, 2.0, "I have had a cough for four days."),))


def _draft(text: str = "Reports cough for 4 days.") -> NoteDraft:
    return NoteDraft(sections=[Section("Subjective", [Sentence(text, (0,))])])


@pytest.fixture
def store(tmp_path) -> Store:
    return Store.open(tmp_path / "scribe.db", actor="test")


def _in_review(store: Store) -> str:
    enc = store.create_encounter("visit", Status.TRANSCRIBING)
    store.save_transcript(enc.id, _transcript())
    store.save_draft(enc.id, _draft())
    return enc.id


def test_visit_moves_through_its_lifecycle_with_an_audit_event_each_step(store):
    eid = _in_review(store)
    store.sign(eid, "Dr. Ada Lovelace, MD", "attest")
    assert store.get(eid).status == Status.SIGNED
    actions = [e.action for e in store.audit_events(eid)]
    assert actions == ["created", "transcribed", "status", "drafted", "status", "signed", "status"]


@pytest.mark.parametrize(
    ("start", "target"),
    [
        (Status.TRANSCRIBING, Status.SIGNED),
        (Status.RECORDING, Status.IN_REVIEW),
        (Status.DRAFTING, Status.RECORDING),
    ],
)
def test_illegal_transitions_are_refused(store, start, target):
    enc = store.create_encounter("v", start)
    with pytest.raises(IllegalTransitionError):
        store.set_status(enc.id, target)
    assert store.get(enc.id).status == start


def test_failed_step_leaves_no_audit_event(store):
    enc = store.create_encounter("v", Status.RECORDING)
    before = len(store.audit_events())
    with pytest.raises(IllegalTransitionError):
        store.set_status(enc.id, Status.SIGNED)
    assert len(store.audit_events()) == before


def test_unsigned_note_cannot_be_exported(store):
    eid = _in_review(store)
    with pytest.raises(SignOffError, match="signed"):
        export_text(store, eid)


def test_signed_note_cannot_be_edited_through_python(store):
    eid = _in_review(store)
    store.sign(eid, "Dr. A, MD", "attest")
    with pytest.raises(SignOffError):
        store.update_note(eid, _draft("changed"))


def test_signed_note_update_fails_in_the_database_itself(store, tmp_path):
    eid = _in_review(store)
    store.sign(eid, "Dr. A, MD", "attest")
    store.close()
    raw = sqlite3.connect(tmp_path / "scribe.db")
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        raw.execute("UPDATE notes SET signed_text = 'tampered' WHERE encounter_id = ?", [eid])
    with pytest.raises(sqlite3.DatabaseError, match="immutable"):
        raw.execute("DELETE FROM notes WHERE encounter_id = ?", [eid])
    with pytest.raises(sqlite3.DatabaseError):
        raw.execute("UPDATE encounters SET status = 'in_review' WHERE id = ?", [eid])


def test_export_holds_note_signature_and_addenda(store):
    eid = _in_review(store)
    sig = store.sign(eid, "Dr. Ada Lovelace, MD", "I attest.")
    store.add_addendum(eid, "Patient called back: cough improving.", "Dr. Ada Lovelace, MD", "ok")
    text = export_text(store, eid)
    assert "Reports cough for 4 days." in text
    assert "Electronically signed by Dr. Ada Lovelace, MD" in text
    assert sig.sha256 in text
    assert text.index("ADDENDUM") > text.index(sig.sha256)
    assert "cough improving" in text


def test_signature_hash_is_of_the_exact_signed_text(store):
    import hashlib

    eid = _in_review(store)
    sig = store.sign(eid, "Dr. A, MD", "attest")
    note = store.get_note(eid)
    assert hashlib.sha256(note.signed_text.encode()).hexdigest() == sig.sha256


def test_flagged_sentences_need_acknowledgement_before_signing(store):
    from scribe.domain import Flag

    enc = store.create_encounter("v", Status.TRANSCRIBING)
    store.save_transcript(enc.id, _transcript())
    draft = _draft()
    draft.sections[0].sentences.append(
        Sentence("Takes amoxicillin 500 mg.", (), flags=(Flag("medication", "not in transcript"),))
    )
    store.save_draft(enc.id, draft)
    with pytest.raises(SignOffError, match="acknowledgement"):
        store.sign(enc.id, "Dr. A, MD", "attest")
    store.sign(enc.id, "Dr. A, MD", "attest", acknowledged_flags=[1])
    acks = [e for e in store.audit_events(enc.id) if e.action == "flag_acknowledged"]
    assert len(acks) == 1 and "medication" in acks[0].detail


def test_addendum_only_after_signing_and_is_immutable(store, tmp_path):
    eid = _in_review(store)
    with pytest.raises(SignOffError):
        store.add_addendum(eid, "text", "Dr. A, MD", "attest")
    store.sign(eid, "Dr. A, MD", "attest")
    add = store.add_addendum(eid, "text", "Dr. A, MD", "attest")
    with pytest.raises(sqlite3.DatabaseError):
        store.db.execute("UPDATE addenda SET text = 'x' WHERE id = ?", [add.id])


def test_list_is_newest_first_and_searches_transcripts(store):
    first = store.create_encounter("first visit", Status.TRANSCRIBING)
    store.save_transcript(first.id, _transcript())
    second = store.create_encounter("second visit", Status.RECORDING)
    assert [e.id for e in store.list()] == [second.id, first.id]
    assert [e.id for e in store.list("cough")] == [first.id]
    assert [e.id for e in store.list("second")] == [second.id]


def test_audit_chain_verifies_and_detects_tampering(store, tmp_path):
    _in_review(store)
    assert store.verify_audit().ok
    store.db.execute("DROP TRIGGER audit_no_update")
    store.db.execute("UPDATE audit SET actor = 'mallory' WHERE seq = 2")
    result = store.verify_audit()
    assert not result.ok and result.first_bad_seq == 2


def test_a_file_that_is_not_a_database_gives_a_clear_error(tmp_path):
    bad = tmp_path / "scribe.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="damaged|could not be read"):
        Store.open(bad)


def test_only_committed_events_reach_the_checkpoint_file(store, tmp_path):
    """A step that fails (rolled back) leaves no line; every committed event has one."""
    enc = store.create_encounter("v", Status.RECORDING)
    with pytest.raises(IllegalTransitionError):
        store.set_status(enc.id, Status.SIGNED)
    store.set_status(enc.id, Status.TRANSCRIBING)
    lines = (tmp_path / "audit.chain").read_text().splitlines()
    chain = [(str(e.seq), h) for e, h in zip(store.audit_events(), [
        r["hash"] for r in store.db.query("SELECT hash FROM audit ORDER BY seq")], strict=True)]
    assert [tuple(line.split()) for line in lines] == chain
    assert store.verify_audit().ok


def test_a_plain_store_refuses_replace_of_a_signed_note_too(store, tmp_path):
    eid = _in_review(store)
    store.sign(eid, "Dr. A, MD", "attest")
    store.close()
    raw = sqlite3.connect(tmp_path / "scribe.db")
    with pytest.raises(sqlite3.IntegrityError, match="immutable"):
        raw.execute("INSERT OR REPLACE INTO notes (encounter_id, signed_text) VALUES (?, 'x')",
                    [eid])
    assert "Reports cough for 4 days." in raw.execute(
        "SELECT signed_text FROM notes WHERE encounter_id = ?", [eid]).fetchone()[0]
