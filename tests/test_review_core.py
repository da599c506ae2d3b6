"""The core behind the review screen: a flag marked checked is audited and kept, marks made
during a visit are kept with it and frozen with it once signed, word confidence survives storage."""

from __future__ import annotations

import pytest

from scribe.domain import (
    Flag,
    NoteDraft,
    Section,
    Segment,
    Sentence,
    Status,
    Transcript,
    Word,
)
from scribe.errors import NotFoundError, SignOffError
from scribe.store.secure import connect

FLAGGED = Sentence("Takes lisinopril 20 mg daily.", (0,),
                   flags=(Flag("dose", "The transcript says 10 mg, the note says 20 mg."),))


def _visit(store) -> str:
    enc = store.create_encounter("Room 3", Status.TRANSCRIBING)
    words = (Word(0.0, 0.4, " I", "patient", 0.98), Word(0.4, 1.0, " take", "patient", 0.95),
             Word(1.0, 2.0, " lisinopril", "patient", 0.31))
    store.save_transcript(enc.id, Transcript((Segment(0, 0.0, 2.0, "I take lisinopril.",
                                                      "patient", words),)))
    store.save_draft(enc.id, NoteDraft([Section("Subjective", [
        Sentence("Reports cough.", (0,)), FLAGGED])]))
    return enc.id


def test_checking_a_flag_is_kept_audited_and_only_for_flagged_sentences(workspace):
    store = workspace.store
    eid = _visit(store)
    with pytest.raises(NotFoundError):
        store.check_flag(eid, 0)  # nothing to check on an unflagged sentence
    note = store.check_flag(eid, 1)
    assert note.sentences()[1].checked
    assert store.get_note(eid).current.sentences()[1].checked  # stored
    event = [e for e in store.audit_events(eid) if e.action == "flag_checked"][-1]
    assert event.detail == "sentence=1; kinds=dose" and "lisinopril" not in event.detail
    store.sign(eid, "Dr Ada Lovelace, MD", "I attest.", [1])
    with pytest.raises(SignOffError):
        store.check_flag(eid, 1)


def test_word_confidence_survives_storage(workspace):
    eid = _visit(workspace.store)
    words = workspace.store.get_transcript(eid).segments[0].words
    assert [w.uncertain for w in words] == [False, False, True]
    assert words[2].probability == pytest.approx(0.31)


def test_marks_are_kept_in_order_and_frozen_once_signed(workspace, scribe_home):
    store = workspace.store
    eid = _visit(store)
    store.add_mark(eid, 95.2, "ask about the rash again")
    first = store.add_mark(eid, 12.0)
    store.set_mark_note(first.id, "patient\x1b[31m upset")
    marks = store.marks(eid)
    assert [(m.at_s, m.note) for m in marks] == [(12.0, "patient upset"),
                                                 (95.2, "ask about the rash again")]
    details = [e.detail for e in store.audit_events(eid) if e.action == "marked"]
    assert details == ["at_s=95.2; note=True", "at_s=12.0; note=False"]
    store.sign(eid, "Dr Ada Lovelace, MD", "I attest.", [1])
    with pytest.raises(SignOffError):
        store.add_mark(eid, 3.0)
    attacker = connect(scribe_home / "scribe.db", workspace.key)
    with pytest.raises(Exception, match="immutable"):
        attacker.execute("UPDATE marks SET note = 'x' WHERE encounter_id = ?", [eid])
    attacker.close()
