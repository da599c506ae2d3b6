"""Spoken sentence → note sentence (scribe.drafting.offline.prose) and the visit's problems."""

from __future__ import annotations

import pytest

from scribe.drafting.offline.problems import condition_in, find_problems
from scribe.drafting.offline.prose import (
    drop_framing,
    drop_opener,
    lets_to_plan,
    plan_voice,
    reads_as_talk,
    trim_tail,
)
from scribe.drafting.offline.rules import roles_swapped, with_roles_fixed
from scribe.drafting.offline.text import drop_tag_question, is_question
from scribe.transcript_io import parse_text_transcript


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("well, so his vital signs look good", "his vital signs look good"),
        ("okay alright um she takes it every morning", "she takes it every morning"),
        ("right knee pain", "right knee pain"),  # a side, not an opener
        ("good range of motion in the knee", "good range of motion in the knee"),
        ("yes, sulfa drugs give me hives", "sulfa drugs give me hives"),  # the answer's yes
    ],
)
def test_openers_go_sides_and_findings_stay(spoken: str, written: str) -> None:
    assert drop_opener(spoken) == written


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("let's increase the metformin to 1,000 mg", "we will increase the metformin to 1,000 mg"),
        ("let's go ahead and continue him on the imitrex", "we will continue him on the imitrex"),
        ("let's take a look at your knee", "let's take a look at your knee"),  # talk, not a plan
    ],
)
def test_a_proposal_becomes_the_plan(spoken: str, written: str) -> None:
    assert lets_to_plan(spoken) == written


def test_the_clinicians_framing_goes_but_not_the_fact() -> None:
    assert drop_framing("i know that she enrolled into therapy") == "she enrolled into therapy"
    assert drop_framing("i know that") == "i know that"  # nothing would be left


@pytest.mark.parametrize(
    ("cut", "whole"),
    [
        ("she has been doing well with that and", "she has been doing well with that"),
        ("chest pain for about an hour or so", "chest pain for about an hour"),
        ("throwing up in the mornings, things like that", "throwing up in the mornings"),
        ("we will continue to monitor this", "we will continue to monitor this"),
    ],
)
def test_a_cut_off_tail_is_trimmed_to_the_last_whole_word(cut: str, whole: str) -> None:
    assert trim_tail(cut) == whole


@pytest.mark.parametrize(
    ("sentence", "why"),
    [
        ("Could that be from the new inhaler?", "question"),
        ("How long does the dizziness usually last", "question"),
        ("Hi walter how are him today", "greeting"),
        ("She figured it was better to get it looked at by you", "you"),
        ("Let's listen to her lungs", "let's"),
        ("Please use my standard exam template", "about the visit"),
        ("She has been struggling off and on with", "fragment"),
        ("She denies chest pain", None),
        ("We will continue him on the albuterol, 2 puffs every 4 hours as needed", None),
        ("Right knee pain", None),
    ],
)
def test_what_still_reads_as_talk(sentence: str, why: str | None) -> None:
    assert reads_as_talk(sentence) == why


@pytest.mark.parametrize(
    ("sentence", "question"),
    [
        ("we'll add the carvedilol and continue your lisinopril, okay?", False),
        ("your lungs are clear, right?", False),
        ("are clear to auscultation", False),  # a run-on cut before "are" is not a question
        ("do you have any pain", True),
        ("any chest pain", True),
        ("how are you?", True),
    ],
)
def test_a_nod_asked_for_is_not_a_question(sentence: str, question: bool) -> None:
    assert is_question(sentence) is question


def test_tag_question_becomes_the_statement() -> None:
    assert drop_tag_question("Continue the lisinopril, okay?") == "Continue the lisinopril."


def test_problems_named_by_the_clinician_in_their_words_and_order() -> None:
    t = parse_text_transcript(
        "[doctor] how has your high blood pressure been lately ?\n"
        "[patient] i forget my pills sometimes .\n"
        "[doctor] for your first problem , your hypertension , let's increase the lisinopril .\n"
        "[doctor] for your second problem , your diabetes , we'll continue the metformin .\n"
        "[doctor] and from a depression standpoint , you're doing well .\n"
    )
    problems = find_problems(t)
    # "high blood pressure" and "hypertension" are one problem, headed in the clinical term.
    assert [p.name for p in problems] == ["hypertension", "diabetes", "depression"]
    assert [p.evidence for p in problems] == [(2,), (3,), (4,)]


def test_a_passing_mention_of_a_word_is_not_a_problem() -> None:
    t = parse_text_transcript(
        "[doctor] regarding your questions , i'll call you .\n"
        "[doctor] i think you have a good support system .\n"
    )
    assert find_problems(t) == []


@pytest.mark.parametrize(
    ("sentence", "condition"),
    [
        ("I think he has an acute lumbar strain.", "acute lumbar strain"),
        ("She has a distal phalanx fracture.", "distal phalanx fracture"),
        ("There is no fracture.", None),  # negated: not a problem
        ("We will order an x-ray.", None),
    ],
)
def test_condition_a_sentence_names(sentence: str, condition: str | None) -> None:
    assert condition_in(sentence) == condition


def test_swapped_speaker_labels_are_read_the_right_way_round() -> None:
    t = parse_text_transcript(
        "[patient] hi , what brings you in today ?\n"
        "[doctor] my knee hurts , i've had it for a week .\n"
        "[patient] any swelling ? does your knee lock ?\n"
        "[doctor] no , my knee doesn't lock .\n"
        "[patient] on your exam there is tenderness . let's get an x-ray . i'm going to "
        "prescribe ibuprofen . any questions ?\n"
    )
    assert roles_swapped(t)
    fixed = with_roles_fixed(t)
    assert [s.speaker for s in fixed.segments][:2] == ["clinician", "patient"]
    assert not roles_swapped(fixed)


def test_a_condition_named_by_its_suffix_keeps_its_whole_word() -> None:
    assert condition_in("You have acute bronchitis.") == "acute bronchitis"


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("i want to go ahead and order an x-ray of the knee", "we will order an x-ray of the knee"),
        ("I'm going to prescribe ibuprofen 800 mg", "we will prescribe ibuprofen 800 mg"),
        ("we'll go ahead and refer her to physical therapy", "we will refer her to physical therapy"),
        ("I think it is a sprain", "I think it is a sprain"),
    ],
)
def test_an_intention_reads_as_the_plan(spoken: str, written: str) -> None:
    assert plan_voice(spoken) == written
