"""Edits keep the evidence of what the clinician did not change (scribe.note.editing)."""

from __future__ import annotations

import pytest

from scribe.domain import Flag, NoteDraft, Section, Sentence, Support
from scribe.note.editing import clinician_written, edit_section, resplit, section_text, split_lines

OLD = [
    Sentence("Reports cough for 4 days.", (1,), Support.SUPPORTED),
    Sentence("Allergic to penicillin.", (3,), Support.SUPPORTED),
    Sentence("Takes lisinopril 20 mg daily.", (5,), Support.PARTLY, (Flag("dose", "Dose differs."),)),
]


def test_unchanged_text_keeps_everything():
    assert resplit(OLD, "\n".join(s.text for s in OLD)) == OLD


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        # a new line at the top does not shift the evidence of the lines below
        ("New line typed by the clinician.\n" + "\n".join(s.text for s in OLD),
         [(), (1,), (3,), (5,)]),
        # a deleted line takes its evidence with it
        ("Reports cough for 4 days.\nTakes lisinopril 20 mg daily.", [(1,), (5,)]),
        # a small correction keeps the evidence of the sentence it replaces
        ("Reports cough for 5 days.\nAllergic to penicillin.\nTakes lisinopril 20 mg daily.",
         [(1,), (3,), (5,)]),
        # a rewrite into something unrelated has no evidence
        ("Reports cough for 4 days.\nFollow up next Tuesday with labs.\nTakes lisinopril 20 mg daily.",
         [(1,), (), (5,)]),
        # blank lines and surrounding spaces are not sentences
        ("  Reports cough for 4 days.  \n\n\nAllergic to penicillin.\n", [(1,), (3,)]),
        # moved lines keep their own evidence
        ("Allergic to penicillin.\nReports cough for 4 days.", [(3,), (1,)]),
    ],
)
def test_evidence_follows_the_text(text, evidence):
    assert [s.evidence for s in resplit(OLD, text)] == evidence


def test_an_edited_flagged_sentence_keeps_its_flag_until_acknowledged():
    new = resplit(OLD, "\n".join([OLD[0].text, OLD[1].text, "Takes lisinopril 10 mg daily."]))
    assert new[2].text == "Takes lisinopril 10 mg daily."
    assert new[2].flags == OLD[2].flags
    assert new[2].evidence == (5,)


def test_new_sentences_are_unsupported():
    new = resplit(OLD, "Something else entirely was said here.")
    assert new == [Sentence("Something else entirely was said here.", (), Support.UNSUPPORTED, ())]


def test_edit_section_changes_one_section_only_and_copies():
    note = NoteDraft([Section("Subjective", list(OLD)), Section("Plan", [Sentence("Rest.", (7,))])])
    edited = edit_section(note, 0, "Reports cough for 4 days.")
    assert [s.text for s in edited.sections[0].sentences] == ["Reports cough for 4 days."]
    assert edited.sections[1].sentences == note.sections[1].sentences
    assert len(note.sections[0].sentences) == 3  # the original is untouched
    assert section_text(note.sections[1]) == "Rest."
    assert split_lines(section_text(note.sections[0])) == [s.text for s in OLD]


def test_clinician_written():
    note = NoteDraft([Section("Subjective", list(OLD))])
    assert not clinician_written(OLD[0], note)
    assert clinician_written(Sentence("Typed by hand."), note)
