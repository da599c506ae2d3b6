"""Uncertainty the clinician can see (issue 13): a note sentence that rests on a drug, a dose, an
allergen or a side Scribe did not hear clearly is flagged with what was heard; a word the term pass
corrected and the audio confirmed, a term heard clearly elsewhere, and a sentence the clinician
already corrected are not."""

from __future__ import annotations

import pytest

from scribe.domain import NoteDraft, Section, Segment, Sentence, Transcript, Word
from scribe.note.checks import check_note
from scribe.note.editing import edit_section, recheck, section_text

SURE = 0.95


def _segment(index: int, speaker: str, text: str, **said: dict) -> Segment:
    """A segment whose words are its text split on spaces; ``said`` gives a word (as written,
    punctuation included) its probability, ``heard`` or ``alternative``."""
    words = []
    for i, token in enumerate(text.split()):
        how = {"probability": SURE, **said.get(token, {})}
        at = index * 5.0 + i * 0.4
        words.append(Word(at, at + 0.3, f" {token}", speaker, **how))
    return Segment(index, index * 5.0, index * 5.0 + 4.0, text, speaker, tuple(words))


VISIT = Transcript((
    _segment(0, "patient", "My doctor gave me clindamycin for the tooth.",
             **{"clindamycin": {"probability": 0.38, "heard": "cleaned my sin"}}),
    _segment(1, "patient", "And I take creature for cholesterol.",
             **{"creature": {"probability": 0.62, "alternative": "Crestor"}}),
    _segment(2, "patient", "Lisinopril 40 milligrams every morning.",
             **{"40": {"probability": 0.31}}),
    _segment(3, "clinician", "Any allergies to medications?"),
    _segment(4, "patient", "I'm allergic to penicillin, it gives me hives.",
             **{"penicillin,": {"probability": 0.27}}),
    _segment(5, "patient", "The pain is in my left knee.", **{"left": {"probability": 0.22}}),
    _segment(6, "patient", "I also take metformin twice a day.",
             **{"metformin": {"probability": 0.91, "heard": "met for men"}}),
))


def _checked(*sentences: tuple[str, tuple[int, ...]]) -> list[Sentence]:
    note = NoteDraft([Section("Subjective", [Sentence(t, e) for t, e in sentences])])
    return check_note(note, VISIT).sentences()


def _uncertain(s: Sentence) -> list[str]:
    return [f.message for f in s.flags if f.kind == "uncertain"]


@pytest.mark.parametrize("sentence, evidence, message", [
    ("Takes creature for cholesterol.", (1,), "Heard “creature”, unsure: Crestor?"),
    ("Was given clindamycin for a dental infection.", (0,),
     "“clindamycin” was corrected by sound from “cleaned my sin”; check it."),
    ("Takes lisinopril 40 mg every morning.", (2,),
     "Scribe was unsure it heard “40” (31%); check the dose."),
    # the note's spelling meets the transcript's: "forty milligrams" is 40 mg
    ("Lisinopril forty milligrams daily.", (2,),
     "Scribe was unsure it heard “40” (31%); check the dose."),
    ("Allergic to penicillin (hives).", (3, 4),
     "Scribe was unsure it heard “penicillin” (27%); check the allergy."),
    ("Left knee pain.", (5,), "Scribe was unsure it heard “left” (22%); check the side."),
])
def test_a_sentence_resting_on_an_unsure_word_says_what_was_heard(sentence, evidence, message):
    (s,) = _checked((sentence, evidence))
    assert _uncertain(s) == [message]


@pytest.mark.parametrize("sentence, evidence", [
    # the term pass replaced it and the audio confirmed it (91%)
    ("Takes metformin twice a day.", (6,)),
    # the clinician already wrote the alternative (brand or generic)
    ("Takes Crestor for cholesterol.", (1,)),
    ("Takes rosuvastatin for cholesterol.", (1,)),
    # the sentence does not state the unsure word: another dose, another side, no drug
    ("Takes lisinopril every morning.", (2,)),
    ("Knee pain.", (5,)),
    ("Dental infection being treated.", (0,)),
])
def test_no_flag_when_the_word_was_confirmed_corrected_or_not_stated(sentence, evidence):
    (s,) = _checked((sentence, evidence))
    assert _uncertain(s) == [], s.flags


def test_one_flag_per_term_and_none_when_heard_clearly_elsewhere():
    said = Transcript((
        _segment(0, "patient", "Lisinopril 40 milligrams.",
                 **{"40": {"probability": 0.31}, "milligrams.": {"probability": 0.2}}),
        _segment(1, "patient", "Yes, the lisinopril, every day.",
                 **{"lisinopril,": {"probability": 0.4}}),
        _segment(2, "clinician", "So forty milligrams of lisinopril."),
    ))
    note = NoteDraft([Section("Plan", [Sentence("Continue lisinopril 40 mg.", (0, 1)),
                                       Sentence("Continue lisinopril 40 mg daily.", (0, 2))])])
    first, second = check_note(note, said).sentences()
    # the dose is told once, by its least sure word; the drug was heard clearly in turn 0
    assert _uncertain(first) == ["Scribe was unsure it heard “milligrams” (20%); check the dose."]
    # the clinician said the dose back clearly: nothing left in doubt
    assert _uncertain(second) == []


def test_a_flag_on_every_term_the_sentence_states():
    (s,) = _checked(("Takes creature and lisinopril 40 mg.", (1, 2)))
    assert _uncertain(s) == ["Heard “creature”, unsure: Crestor?",
                             "Scribe was unsure it heard “40” (31%); check the dose."]


def test_a_transcript_with_sure_words_raises_no_uncertainty():
    sure = Transcript(tuple(
        Segment(s.index, s.start, s.end, s.text, s.speaker,
                tuple(Word(w.start, w.end, w.word, w.speaker, SURE) for w in s.words))
        for s in VISIT.segments))
    note = NoteDraft([Section("Subjective", [Sentence("Takes creature for cholesterol.", (1,)),
                                             Sentence("Left knee pain.", (5,))])])
    assert not any(f.kind == "uncertain" for s in check_note(note, sure).sentences()
                   for f in s.flags)


def test_the_flag_follows_the_clinicians_edit():
    drafted = check_note(NoteDraft([Section("Subjective", [
        Sentence("Takes creature for cholesterol.", (1,)),
        Sentence("Left knee pain.", (5,))])]), VISIT)
    assert [_uncertain(s) for s in drafted.sentences()] == [
        ["Heard “creature”, unsure: Crestor?"],
        ["Scribe was unsure it heard “left” (22%); check the side."]]
    # corrected to the alternative: the flag goes; reworded keeping the word: it stays
    text = "Takes Crestor for high cholesterol.\nLeft knee pain since Monday."
    fixed = recheck(edit_section(drafted, 0, text), drafted, VISIT).sentences()
    assert _uncertain(fixed[0]) == []
    assert _uncertain(fixed[1]) == ["Scribe was unsure it heard “left” (22%); check the side."]
    # Undo back to the drafted text: the drafted flag is back
    back = recheck(edit_section(NoteDraft([Section("Subjective", fixed)]), 0,
                                section_text(drafted.sections[0])), drafted, VISIT)
    assert _uncertain(back.sentences()[0]) == ["Heard “creature”, unsure: Crestor?"]


def test_the_flag_is_kept_with_the_note():
    (s,) = _checked(("Left knee pain.", (5,)))
    again = Sentence.from_dict(s.to_dict())
    assert _uncertain(again) == _uncertain(s) != []
