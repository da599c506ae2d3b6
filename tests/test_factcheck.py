"""Fact checks on crafted visits: every planted contradiction is flagged, a faithful note is not."""

from __future__ import annotations

import pytest

from scribe.domain import Flag, NoteDraft, Section, Sentence, Support
from scribe.nlp import doses, negated_terms, numbers
from scribe.note.checks import check_note, check_sentence_support
from scribe.transcript_io import parse_text_transcript

VISIT = parse_text_transcript("""\
[doctor] What brings you in today?
[patient] I've had pain in my left knee for about three weeks.
[doctor] Any chest pain?
[patient] No.
[doctor] Any fever?
[patient] Yes, a fever of a hundred and one on Monday.
[doctor] Are you taking any medications?
[patient] Lisinopril ten milligrams every day, and Tylenol for the knee.
[doctor] Any allergies to medications?
[patient] Yes, I'm allergic to penicillin, it gives me hives.
[doctor] Your blood pressure is one thirty over eighty five. The left knee is swollen with no redness.
[doctor] This is osteoarthritis of the left knee. Let's get an x-ray and start ibuprofen 400 mg three times a day.
""")

FAITHFUL = {
    "Subjective": [
        "Left knee pain for 3 weeks.",
        "Denies chest pain.",
        "Reports fever of 101 on Monday.",
        "Takes lisinopril 10 mg daily and acetaminophen for the knee.",  # Tylenol = acetaminophen
        "Allergic to penicillin, which causes hives.",
    ],
    "Objective": ["BP 130/85.", "Left knee swollen without redness."],
    "Assessment": ["Osteoarthritis of the left knee."],
    "Plan": ["X-ray of the left knee.", "Start ibuprofen 400 mg three times a day."],
}


def note(sections: dict[str, list[str]]) -> NoteDraft:
    return NoteDraft([Section(t, [Sentence(x) for x in xs]) for t, xs in sections.items()])


def flags_of(draft: NoteDraft) -> dict[str, list[Flag]]:
    return {s.text: list(s.flags) for s in draft.sentences()}


@pytest.fixture(scope="module")
def faithful_checked() -> NoteDraft:
    return check_note(note(FAITHFUL), VISIT)


def test_faithful_note_has_no_flags_and_every_sentence_has_evidence(faithful_checked):
    for s in faithful_checked.sentences():
        assert s.flags == (), (s.text, s.flags)
        assert s.evidence, s.text
        assert s.support != Support.UNSUPPORTED, s.text


def test_evidence_points_at_the_segment_that_says_it(faithful_checked):
    by_text = {s.text: s for s in faithful_checked.sentences()}
    assert 1 in by_text["Left knee pain for 3 weeks."].evidence
    assert {2, 3} <= set(by_text["Denies chest pain."].evidence)  # the question and its "No."
    assert 9 in by_text["Allergic to penicillin, which causes hives."].evidence


# The per-flag list: each planted contradiction, the sentence carrying it, the flag kind expected.
PLANTED = [
    ("medication: drug never mentioned", "Takes metformin 500 mg daily.", "medication"),
    ("dose differs", "Takes lisinopril 20 mg daily.", "dose"),
    ("dose unit differs", "Takes lisinopril 10 mcg daily.", "dose"),
    ("negation flipped: denied → reported", "Reports chest pain.", "negation"),
    ("negation flipped: reported → denied", "Denies fever.", "negation"),
    ("laterality disagrees", "Right knee pain for 3 weeks.", "laterality"),
    ("number nowhere in transcript", "Blood pressure 150/85.", "number"),
    ("invented vital sign", "Temperature 38.5 degrees.", "number"),
    ("allergen ordered", "Continue penicillin.", "allergy"),
    ("question stated as a finding", "Any chest pain.", "question"),
    ("unsupported sentence", "Patient is a retired firefighter who plays golf.", "unsupported"),
]


@pytest.mark.parametrize("label, sentence, kind", PLANTED, ids=[p[0] for p in PLANTED])
def test_planted_contradiction_is_flagged(label, sentence, kind):
    sections = {k: list(v) for k, v in FAITHFUL.items()}
    sections["Plan"] = [*sections["Plan"], sentence]
    checked = check_note(note(sections), VISIT)
    flags = flags_of(checked)[sentence]
    assert kind in {f.kind for f in flags}, flags
    # the rest of the note stays clean
    others = [s for s in checked.sentences() if s.text != sentence]
    assert all(not s.flags for s in others), [(s.text, s.flags) for s in others if s.flags]


def test_missing_allergy_is_flagged_on_the_subjective_section():
    sections = {k: [x for x in v if "penicillin" not in x] for k, v in FAITHFUL.items()}
    checked = check_note(note(sections), VISIT)
    first = checked.sections[0].sentences[0]
    assert [f.kind for f in first.flags] == ["allergy"]
    assert "penicillin" in first.flags[0].message
    assert all(not s.flags for s in checked.sentences()[1:])


def test_missing_allergy_goes_to_an_allergies_section_when_there_is_one():
    sections = {k: [x for x in v if "penicillin" not in x] for k, v in FAITHFUL.items()}
    sections["Allergies"] = ["Reviewed."]
    checked = check_note(note(sections), VISIT)
    allergy = next(s for s in checked.sections if s.title == "Allergies")
    assert "allergy" in {f.kind for f in allergy.sentences[0].flags}


def test_empty_note_gets_a_flagged_allergy_placeholder_with_evidence():
    checked = check_note(NoteDraft([Section("Subjective", [])]), VISIT)
    (placeholder,) = checked.sentences()
    assert placeholder.flags[0].kind == "allergy"
    assert 9 in placeholder.evidence


def test_no_known_allergies_is_not_an_omission():
    visit = parse_text_transcript("[doctor] Any allergies?\n[patient] No, no allergies.\n"
                                  "[patient] My throat hurts.")
    checked = check_note(note({"Subjective": ["Sore throat."]}), visit)
    assert not any(f.kind == "allergy" for s in checked.sentences() for f in s.flags)


def test_existing_evidence_is_kept_and_checks_are_idempotent(faithful_checked):
    draft = note(FAITHFUL)
    draft.sections[0].sentences[0].evidence = (1,)
    draft.sections[0].sentences[0].flags = (Flag("reviewer", "kept"),)
    once = check_note(draft, VISIT)
    twice = check_note(once, VISIT)
    assert once.sections[0].sentences[0].evidence == (1,)
    assert twice.to_dict() == once.to_dict()
    assert once.sections[0].sentences[0].flags == (Flag("reviewer", "kept"),)


def test_brand_and_generic_names_meet():
    visit = parse_text_transcript("[patient] I take Lipitor forty milligrams at night.")
    checked = check_note(note({"Plan": ["Continue atorvastatin 40 mg nightly."]}), visit)
    assert checked.sentences()[0].flags == ()


@pytest.mark.parametrize("text, expected", [
    ("a hundred and one", [101.0]),
    ("one thirty over eighty five", [130.0, 85.0]),
    ("twenty five milligrams", [25.0]),
    ("ninety eight point six", [98.6]),
    ("120/80", [120.0, 80.0]),
])
def test_number_words_and_digits_normalise(text, expected):
    assert all(any(abs(v - e) < 1e-6 for v in numbers(text, loose=True)) for e in expected)


def test_doses_read_words_and_units():
    assert doses("lisinopril ten milligrams") == [(10.0, "mg")]
    assert doses("metformin 500 mg twice") == [(500.0, "mg")]


@pytest.mark.parametrize("text, term, negated", [
    ("Denies chest pain.", "chest", True),
    ("No fever, but has a cough.", "cough", False),
    ("No fever, but has a cough.", "fever", True),
    ("Chest pain was ruled out.", "chest", True),
    ("Reports chest pain.", "chest", False),
])
def test_negex_rules(text, term, negated):
    assert (term in negated_terms(text)) is negated


def test_support_levels():
    assert check_sentence_support("Left knee pain.", "my left knee has pain") == Support.SUPPORTED
    assert check_sentence_support("Left knee pain and hip swelling.", "my left knee") == Support.PARTLY
    assert check_sentence_support("Plays golf.", "my knee hurts") == Support.UNSUPPORTED


def test_the_right_knee_is_a_side_but_that_is_right_is_not():
    visit = parse_text_transcript("[patient] That's right, the right knee hurts.")
    assert check_note(note({"Plan": ["Right knee pain."]}), visit).sentences()[0].flags == ()
    flagged = check_note(note({"Plan": ["Left knee pain."]}), visit).sentences()[0].flags
    assert [f.kind for f in flagged] == ["laterality"]


def test_a_leading_no_answers_the_question_and_negates_nothing_after_it():
    visit = parse_text_transcript("[doctor] Is it your hip?\n[patient] No, the pain is in my knee.")
    checked = check_note(note({"Subjective": ["Reports knee pain."]}), visit)
    assert not any(f.kind == "negation" for f in checked.sentences()[0].flags)
