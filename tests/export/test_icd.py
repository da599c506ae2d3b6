"""ICD-10-CM suggestions: from assessed problems only, the official descriptions, the evidence."""

from __future__ import annotations

import json

import pytest

from scribe.domain import NoteDraft, Section, Sentence
from scribe.export.icd import (
    CodeSuggestion,
    chapter_title,
    code_problems,
    suggest_codes,
)


def s(text: str, *evidence: int) -> Sentence:
    return Sentence(text, evidence=evidence)


NOTE = NoteDraft(
    sections=[
        Section("Chief complaint", [s("Follow-up of chronic problems.", 0)]),
        Section(
            "History of present illness",
            [
                s("She has had asthma since childhood.", 1),  # history: never assessed here
                s("She takes metformin and lisinopril.", 2),
            ],
        ),
        Section(
            "Assessment and plan",
            [
                s("Type 2 diabetes, not at goal.", 3, 4),
                s("Increase metformin to 1000 mg twice a day.", 5),
                s("Hypertension, uncontrolled.", 6),
                s("Osteoarthritis of the right knee.", 7),
                s("No evidence of pneumonia on the x-ray.", 8),
                s("Appendicitis was ruled out.", 9),
                s("History of gout, resolved.", 10),
                s("Order a thyroid panel and a lipid panel.", 11),
                s("Her diabetes also needs a repeat A1c.", 12),
            ],
        ),
    ]
)


def test_codes_come_from_the_assessed_problems_in_note_order() -> None:
    got = suggest_codes(NOTE)
    assert [c.code for c in got] == ["E11.9", "I10", "M17.11"]
    assert [c.description for c in got] == [
        "Type 2 diabetes mellitus without complications",
        "Essential (primary) hypertension",
        "Unilateral primary osteoarthritis, right knee",
    ]
    assert [c.problem for c in got] == [
        "Type 2 diabetes",
        "Hypertension",
        "Osteoarthritis of the right knee",
    ]


def test_each_code_carries_its_sentence_and_evidence() -> None:
    sentences = NOTE.sentences()
    for c in suggest_codes(NOTE):
        assert c.problem in sentences[c.sentence].text
        assert c.evidence == sentences[c.sentence].evidence
    first = suggest_codes(NOTE)[0]
    assert (first.sentence, first.evidence) == (3, (3, 4))


def test_negated_ruled_out_resolved_and_plan_only_sentences_get_no_code() -> None:
    codes = {c.code[:3] for c in suggest_codes(NOTE)}
    assert not codes & {"J18", "J15", "K35", "K37", "M10", "M1A", "E07", "E03", "E78", "J45"}


def test_a_note_without_an_assessment_gives_no_codes() -> None:
    note = NoteDraft([Section("Subjective", [s("She has type 2 diabetes and hypertension.", 0)])])
    assert suggest_codes(note) == []


def test_a_question_in_the_assessment_names_no_problem() -> None:
    note = NoteDraft([Section("Assessment", [s("Is that related to lyme disease?", 0)])])
    assert suggest_codes(note) == []


@pytest.mark.parametrize(
    ("words", "code"),
    [
        ("type 2 diabetes", "E11.9"),
        ("Diabetes type II.", "E11.9"),
        ("hypertension", "I10"),
        ("her blood pressure is high", "I10"),
        ("hyperlipidemia", "E78.5"),
        ("osteoarthritis of the right knee", "M17.11"),
        ("chronic obstructive pulmonary disease", "J44.9"),
        ("COPD", "J44.9"),
        ("depression", "F32.A"),
        ("acute low back pain", "M54.50"),
        ("kidney stones", "N20.0"),
        ("migraines", "G43.909"),
        ("congestive heart failure", "I50.9"),
    ],
)
def test_the_most_specific_billable_code_the_words_support(words: str, code: str) -> None:
    assert [p.code for p in code_problems(words)] == [code]


def test_a_code_needing_more_than_the_words_say_stays_a_category() -> None:
    # An ankle sprain's billable code needs the encounter (7th character), which no word says.
    (p,) = code_problems("Right ankle sprain.")
    c = CodeSuggestion(p.code, p.description, p.problem, 0, ())
    assert p.code == "S93.401" and not c.billable
    assert CodeSuggestion("I10", "", "", 0, ()).billable


def test_everyday_words_are_not_problems() -> None:
    assert code_problems("I'll send a note to her PCP and order a stress test.") == []
    assert code_problems("Press here, does that hurt?") == []


def test_chapter_and_round_trip() -> None:
    (c,) = [x for x in suggest_codes(NOTE) if x.code == "I10"]
    assert c.chapter == "9"
    assert chapter_title(c.chapter).startswith("Diseases of the circulatory system")
    assert CodeSuggestion.from_dict(json.loads(json.dumps(c.to_dict()))) == c
