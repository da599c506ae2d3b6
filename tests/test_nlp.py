"""The clinical-language helpers of scribe.nlp, one copy each: numbers, answers, fillers, words."""

from __future__ import annotations

import pytest

from scribe.nlp import (
    NO_ANSWER,
    YES_ANSWER,
    bare_word,
    content_words,
    doses,
    drop_leading_answer,
    is_hesitation,
    normalize_numbers,
    numbers,
    plain_content_words,
    strip_fillers,
)


@pytest.mark.parametrize(
    ("spoken", "written", "read", "dose"),
    [
        ("twenty five milligrams", "25 mg", [25.0], [(25.0, "mg")]),
        ("one fifty over ninety", "150/90", [150.0, 90.0], []),
        ("one twenty eight over seventy two", "128/72", [128.0, 72.0], []),
        ("zero point five milligrams", "0.5 mg", [0.5], [(0.5, "mg")]),
        ("ninety eight point six", "98.6", [98.6], []),
        ("born in nineteen eighty two", "born in 1982", [1982.0], []),
        ("a hundred and one", "a 101", [101.0], []),
        ("three four days", "3 4 days", [3.0, 4.0], []),
        ("this one hurts", "this one hurts", [1.0], []),
        ("lisinopril 10 mg", "lisinopril 10 mg", [10.0], [(10.0, "mg")]),
    ],
)
def test_spoken_numbers_are_written_and_read_the_same_way(spoken, written, read, dose):
    assert normalize_numbers(spoken) == written
    assert numbers(spoken) == pytest.approx(read)
    assert set(read) <= set(numbers(spoken, loose=True))  # loose reads more, never less
    assert doses(spoken) == dose


def test_loose_numbers_also_read_the_other_meanings():
    assert {51.0, 150.0} <= set(numbers("one fifty", loose=True))
    assert {2.0} <= set(numbers("a couple of days, twice a day", loose=True))


def _answer(text: str) -> str | None:
    return "no" if NO_ANSWER.match(text) else "yes" if YES_ANSWER.match(text) else None


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("Yes, a little.", "yes"),
        ("Mm-hmm.", "yes"),
        ("uh-huh", "yes"),
        ("Sure.", "yes"),
        ("I have.", "yes"),
        ("Sometimes.", "yes"),
        ("No.", "no"),
        ("Nope, never.", "no"),
        ("Not really.", "no"),
        ("I haven't.", "no"),
        ("i do n't", "no"),  # ASR-split contraction
        ("Negative.", "no"),
        ("I do not.", None),  # not a yes, whatever "i do" starts
        ("I am not sure.", None),
        ("Maybe.", None),
        ("Knee pain.", None),
    ],
)
def test_yes_and_no_answers(text, answer):
    assert _answer(text) == answer


def test_a_leading_yes_or_no_is_dropped_from_an_answer():
    assert drop_leading_answer("Yes, since Monday.") == "since Monday."
    assert drop_leading_answer("No.") == "No."  # nothing would be left


@pytest.mark.parametrize(
    ("text", "cleaned"),
    [
        ("um , i , i , i feel uh kinda tired", "i feel tired"),
        ("mm-hmm , that sounds right", "that sounds right"),
        ("uh-huh , it hurts", "it hurts"),
        ("hmmm , you know , my knee", "my knee"),
        ("ah , not too good", "not too good"),
        ("okay , dragon , finalize the note", "finalize the note"),
        ("a 5 mm lesion", "a 5 mm lesion"),  # the unit, not a hesitation
        ("she went to the er", "she went to the er"),  # the ER, not a hesitation
    ],
)
def test_fillers_are_stripped_and_content_kept(text, cleaned):
    assert strip_fillers(text) == cleaned


@pytest.mark.parametrize(
    ("word", "hesitation"),
    [
        (" Um,", True), (" -hmm.", True), (" MM,", True), (" Mhm", True), (" uh-huh", True),
        (" Hmmm.", True), (" ER", False), (" hum", False), (" me", False), (" mom", False),
    ],
)
def test_one_word_hesitations_as_whisper_writes_them(word, hesitation):
    assert is_hesitation(word) is hesitation


def test_words():
    assert bare_word(" Mm-hmm.") == "mmhmm"
    assert content_words("She denies coughs for twenty weeks.") == {"cough", "week"}
    assert plain_content_words("The patient takes lisinopril 10 mg.") == {"takes", "lisinopril"}
