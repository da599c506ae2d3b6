"""The after-visit summary and the referral letter: only the note's facts, plainly, with evidence."""

from __future__ import annotations

import re

from scribe.domain import NoteDraft, Section, Segment, Sentence, Transcript
from scribe.export.summary import (
    HEADINGS,
    after_visit_summary,
    is_stock,
    reading_grade,
    referral_letter,
)
from scribe.nlp import doses, drugs_mentioned


def s(text: str, *evidence: int) -> Sentence:
    return Sentence(text, evidence=evidence)


NOTE = NoteDraft(
    sections=[
        Section("Chief complaint", [s("Follow-up of diabetes and blood pressure.", 0)]),
        Section(
            "History of present illness",
            [
                s("She is a 58-year-old woman with type 2 diabetes and hypertension.", 1),
                s("She takes metformin 500 mg bid and lisinopril 20 mg qd.", 2, 3),
                s("She is allergic to penicillin, which gives her a rash.", 4),
            ],
        ),
        Section("Physical examination", [s("Blood pressure is 150/90.", 5)]),
        Section(
            "Assessment and plan",
            [
                s("Type 2 diabetes, not at goal.", 8),
                s("Increase metformin to 1000 mg po bid.", 9),
                s("Hypertension, uncontrolled.", 10),
                s("Continue lisinopril 20 mg qd and start amlodipine 5 mg daily.", 11),
                s("We decided not to start insulin yet.", 12),
                s("We will order a lipid panel and a hemoglobin A1c.", 13),
                s("I want her to check her blood pressure at home every day.", 14),
                s("She should call the clinic if she has dizziness.", 15),
                s("Follow up in 3 months.", 16),
            ],
        ),
    ]
)


def content(doc: NoteDraft) -> list[Sentence]:
    return [x for x in doc.sentences() if not is_stock(x)]


def test_the_summary_has_its_three_sections_and_is_a_summary() -> None:
    avs = after_visit_summary(NOTE)
    assert [sec.title for sec in avs.sections] == list(HEADINGS["en"])
    assert (avs.template, avs.engine) == ("summary", "offline")
    assert all(sec.sentences for sec in avs.sections)


def test_no_drug_or_dose_that_the_note_does_not_have() -> None:
    text = after_visit_summary(NOTE).text
    assert set(drugs_mentioned(text)) <= set(drugs_mentioned(NOTE.text))
    assert set(doses(text)) <= set(doses(NOTE.text))
    assert "insulin" not in text.lower()  # the plan decided against it


def test_medications_as_plain_instructions_with_sig_spelled_out() -> None:
    avs = after_visit_summary(NOTE)
    todo = [x.text for x in avs.sections[1].sentences]
    assert "Take metformin 1000 mg by mouth twice a day (a higher dose than before)." in todo
    assert "Keep taking lisinopril 20 mg once a day." in todo
    assert "Start taking amlodipine 5 mg once a day." in todo
    assert not re.search(r"\b(?:bid|qd|po|prn|tid)\b", avs.text, re.IGNORECASE)


def test_tests_instructions_and_follow_up_are_said_to_the_patient() -> None:
    todo = " ".join(x.text for x in after_visit_summary(NOTE).sections[1].sentences)
    assert (
        "We ordered a blood test for your average blood sugar (A1c) and a blood test for "
        "cholesterol." in todo
    )
    assert "Check your blood pressure at home every day." in todo
    assert "Come back to see us in 3 months." in todo


def test_lay_terms_replace_jargon() -> None:
    found = " ".join(x.text for x in after_visit_summary(NOTE).sections[0].sentences)
    assert "high blood pressure" in found and "type 2 diabetes" in found
    assert "hypertension" not in after_visit_summary(NOTE).text.lower()


def test_every_content_sentence_carries_its_note_sentence_evidence() -> None:
    avs = after_visit_summary(NOTE)
    note_evidence = {x.evidence for x in NOTE.sentences()}
    assert all(x.evidence in note_evidence for x in content(avs))
    take = next(x for x in content(avs) if x.text.startswith("Take metformin"))
    assert take.evidence == (9,)


def test_return_precautions_and_the_stock_safety_line() -> None:
    help_ = after_visit_summary(NOTE).sections[2].sentences
    assert help_[0].text == "You should call the clinic if you have dizziness."
    assert help_[0].evidence == (15,)
    stock = [x for x in help_ if is_stock(x)]
    assert len(stock) == 1 and stock[0].evidence == () and "911" in stock[0].text


def test_spoken_return_precautions_come_with_their_segment() -> None:
    transcript = Transcript(
        segments=(
            Segment(0, 0.0, 1.0, "how are you feeling", "clinician"),
            Segment(7, 1.0, 2.0, "and if you get a fever , give us a call , okay ?", "clinician"),
        )
    )
    help_ = after_visit_summary(NOTE, transcript).sections[2].sentences
    spoken = next(x for x in help_ if "fever" in x.text)
    assert spoken.text == "If you get a fever, give us a call." and spoken.evidence == (7,)


def test_a_typical_summary_reads_at_grade_8_or_below() -> None:
    avs = after_visit_summary(NOTE)
    grade = reading_grade(" ".join(x.text for x in content(avs)))
    assert 0 < grade <= 8
    jargon = "Uncontrolled essential hypertension necessitating pharmacological intensification."
    assert reading_grade(jargon) > 12


def test_spanish_headings_stock_wording_and_the_clinician_notice() -> None:
    avs = after_visit_summary(NOTE, language="es")
    titles = [sec.title for sec in avs.sections]
    assert titles[1:] == list(HEADINGS["es"])
    notice = avs.sections[0].sentences[0]
    assert is_stock(notice) and "translate" in notice.text
    assert any(is_stock(x) and "Llame" in x.text for x in avs.sections[-1].sentences)
    # Content is not translated offline: it stays the note's English.
    assert any(x.text.startswith("Take metformin") for x in avs.sections[2].sentences)


def test_the_referral_letter_carries_medications_and_allergies() -> None:
    letter = referral_letter(NOTE, to="Dr. Rivera", reason="diabetic eye screening")
    assert letter.template == "referral"
    by_title = {sec.title: [x.text for x in sec.sentences] for sec in letter.sections}
    assert by_title["Reason for referral"][:2] == [
        "Dear Dr. Rivera,",
        "I am referring this patient for diabetic eye screening.",
    ]
    meds = " ".join(by_title["Current medications"])
    assert {"metformin", "lisinopril", "amlodipine"} <= set(drugs_mentioned(meds))
    assert by_title["Allergies"] == ["She is allergic to penicillin, which gives her a rash."]
    allergy = next(sec for sec in letter.sections if sec.title == "Allergies").sentences[0]
    assert allergy.evidence == (4,)


def test_a_referral_without_allergies_says_none_are_recorded() -> None:
    note = NoteDraft([Section("Assessment", [s("Hypertension, uncontrolled.", 0)])])
    letter = referral_letter(note)
    allergies = next(sec for sec in letter.sections if sec.title == "Allergies").sentences
    assert [x.text for x in allergies] == ["No allergies are recorded in the note."]
    assert is_stock(allergies[0])
    reason = next(sec for sec in letter.sections if sec.title == "Reason for referral")
    assert [x.evidence for x in reason.sentences] == [(0,)]
