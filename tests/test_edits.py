"""What the clinician changed: word diff, edit distance, and ``scribe stats``."""

from __future__ import annotations

import json

import pytest

from scribe.cli import main
from scribe.cli.common import open_store
from scribe.domain import NoteDraft, Section, Sentence, Status
from scribe.note.edit_stats import EditOp, edit_distance, note_edits, visit_stats, word_diff
from scribe.store.store import Store


@pytest.mark.parametrize("a, b, expected", [
    ("", "", 0),
    ("a b c", "a b c", 0),
    ("a b c", "a x c", 1),
    ("a b c", "a c", 1),
    ("a b c", "a b c d e", 2),
    ("kitten sat down", "sitting sat", 2),
    ("", "one two", 2),
])
def test_word_edit_distance(a, b, expected):
    assert edit_distance(a.split(), b.split()) == expected
    assert edit_distance(b.split(), a.split()) == expected


def test_word_diff_lists_what_changed():
    ops = word_diff("Takes lisinopril 20 mg daily. Denies fever.",
                    "Takes lisinopril 10 mg daily. Denies fever. Follow up in 2 weeks.")
    assert ops == [EditOp("replace", "20", "10"), EditOp("insert", "", "Follow up in 2 weeks.")]


def test_share_changed_is_normalised_by_the_longer_text():
    assert note_edits("a b c d", "a b c d") == (0, 0.0)
    assert note_edits("a b c d", "a b") == (2, 0.5)
    assert note_edits("", "") == (0, 0.0)


def _draft(*lines: str) -> NoteDraft:
    return NoteDraft([Section("Plan", [Sentence(x, (0,)) for x in lines])], engine="offline")


def _signed_visit(store: Store, draft: NoteDraft, final: NoteDraft, sign: bool = True) -> str:
    enc = store.create_encounter("visit", Status.DRAFTING)
    store.save_draft(enc.id, draft)
    store.update_note(enc.id, final)
    if sign:
        store.sign(enc.id, "Dr. Ada Lovelace, MD", "I reviewed this note.")
    return enc.id


def test_visit_stats_compares_the_draft_with_the_signed_note():
    store = Store.memory()
    eid = _signed_visit(store, _draft("Start ibuprofen 400 mg.", "Follow up in 2 weeks."),
                        _draft("Start ibuprofen 200 mg.", "Follow up in 2 weeks."))
    stats = visit_stats(store, store.get(eid))
    assert stats is not None
    assert (stats.status, stats.draft_words, stats.final_words, stats.distance) == (
        "signed", 10, 10, 1)
    assert stats.share_changed == pytest.approx(0.1)


def test_scribe_stats_reports_each_visit(capsys):
    store = open_store()
    signed = _signed_visit(store, _draft("Knee pain for 3 weeks."),
                           _draft("Left knee pain for 3 weeks."))
    review = _signed_visit(store, _draft("Denies fever."), _draft("Denies fever."), sign=False)
    store.close()
    assert main(["stats", "--json"]) == 0
    rows = {r["id"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows[signed]["status"] == "signed" and rows[signed]["edit_distance"] == 2  # Knee→Left, +knee
    assert rows[signed]["draft_words"] == 6 and rows[signed]["final_words"] == 7
    assert rows[review]["status"] == "in_review" and rows[review]["share_changed"] == 0.0
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert signed in out and "1 signed note(s)" in out
