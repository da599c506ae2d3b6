"""The offline drafter: sections, evidence, third person, numbers, no invented drugs, cancel."""

from __future__ import annotations

import re

import pytest

from scribe.cancel import CancelToken
from scribe.domain import Segment, Transcript
from scribe.drafting import get_drafter, load_template
from scribe.drafting.offline.drafter import OfflineDrafter
from scribe.drafting.offline.text import to_third_person
from scribe.errors import Cancelled
from scribe.nlp import normalize_numbers, strip_fillers
from scribe.transcript_io import parse_text_transcript

VISIT = "\n".join(
    [
        "[doctor] hi mr. smith , how are you today ?",
        "[patient] hi , i'm good , thanks .",
        "[doctor] so what brings you in today ?",
        "[patient] um , i've had a cough for four days and my chest feels tight .",
        "[doctor] okay . do you have any fever ?",
        "[patient] no .",
        "[doctor] any shortness of breath ?",
        "[patient] yes , a little .",
        "[patient] i take lisinopril ten milligrams every day for my blood pressure .",
        "[doctor] okay , on exam your temperature is ninety nine point one and your"
        " lungs have some wheezing on the right side .",
        "[doctor] i think this looks like acute bronchitis .",
        "[doctor] i'll prescribe an albuterol inhaler , two puffs every four hours as"
        " needed , and we'll follow up in two weeks .",
        "[patient] great , thank you .",
    ]
)

PRONOUNS_AND_VERBS = {"reports", "denies", "patient", "their", "theirs", "themself"}
DRUGS = {
    "lisinopril",
    "albuterol",
    "amoxicillin",
    "metformin",
    "prednisone",
    "ibuprofen",
    "azithromycin",
    "lasix",
    "furosemide",
    "atorvastatin",
    "omeprazole",
    "insulin",
}


def _strip_speakers(t: Transcript) -> Transcript:
    return Transcript(tuple(Segment(s.index, s.start, s.end, s.text, None) for s in t.segments))


@pytest.fixture(params=["tagged", "raw"])
def transcript(request: pytest.FixtureRequest) -> Transcript:
    t = parse_text_transcript(VISIT)
    return t if request.param == "tagged" else _strip_speakers(t)


@pytest.mark.parametrize("drafter", [OfflineDrafter(), OfflineDrafter(model=None, max_words=420)])
def test_soap_sections_present_and_filled(drafter: OfflineDrafter, transcript: Transcript) -> None:
    note = drafter.draft(transcript, load_template("soap"))
    assert [s.title for s in note.sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    assert all(sec.sentences for sec in note.sections), note.text
    assert "cough" in note.sections[0].text.lower()
    assert "bronchitis" in note.sections[2].text.lower()
    assert "albuterol" in note.sections[3].text.lower()
    assert note.engine == "offline" and note.template == "soap"


def test_rule_engine_alone_fills_soap(transcript: Transcript) -> None:
    drafter = OfflineDrafter()
    drafter.model = None  # no fitted artifact: word cues only
    note = drafter.draft(transcript, load_template("soap"))
    assert all(sec.sentences for sec in note.sections), note.text


@pytest.mark.parametrize("template_id", ["soap", "hp", "progress"])
def test_every_sentence_links_to_segments_with_its_words(template_id: str) -> None:
    t = parse_text_transcript(VISIT)
    note = get_drafter("offline").draft(t, load_template(template_id))
    assert note.sentences()
    for s in note.sentences():
        assert s.evidence, s.text
        source = " ".join(t.segments[i].text for i in s.evidence).lower()
        source = normalize_numbers(source)
        body = re.sub(r"^[A-Z][A-Za-z]+: ", "", s.text)  # a review-of-systems heading
        key = {w for w in re.findall(r"[a-z]{5,}", body.lower())} - PRONOUNS_AND_VERBS
        assert all(w.rstrip("s") in source for w in key), (s.text, source)


def test_denied_and_endorsed_symptoms_from_question_and_answer() -> None:
    note = get_drafter("offline").draft(parse_text_transcript(VISIT), load_template("soap"))
    texts = [s.text for s in note.sentences()]
    assert "Denies fever." in texts
    assert "Reports shortness of breath." in texts
    denial = next(s for s in note.sentences() if s.text == "Denies fever.")
    assert denial.evidence == (4, 5)


@pytest.mark.parametrize(
    ("text", "speaker", "gender", "expected"),
    [
        ("i've had a cough for 4 days", "patient", None, "the patient reports a cough for 4 days"),
        ("i've had a cough for 4 days", "patient", "female", "she reports a cough for 4 days"),
        ("i take my inhaler twice a day", "patient", "male", "he takes his inhaler twice a day"),
        ("i'm not sleeping well", "patient", "female", "she is not sleeping well"),
        ("i don't smoke", "patient", "male", "he does not smoke"),
        ("your lungs sound clear", "clinician", "male", "his lungs sound clear"),
    ],
)
def test_third_person(text: str, speaker: str, gender: str | None, expected: str) -> None:
    assert to_third_person(text, gender, speaker) == expected


@pytest.mark.parametrize(
    ("spoken", "written"),
    [
        ("ten milligrams", "10 mg"),
        ("twenty five milligrams twice a day", "25 mg twice a day"),
        ("one hundred and twenty over eighty", "120/80"),
        ("blood pressure is one twenty eight over seventy two", "blood pressure is 128/72"),
        ("ninety nine point one", "99.1"),
        ("forty-five percent", "45%"),
        ("five hundred micrograms", "500 mcg"),
        ("born in nineteen eighty two", "born in 1982"),
        ("this one hurts", "this one hurts"),
    ],
)
def test_number_and_dose_normalization(spoken: str, written: str) -> None:
    assert normalize_numbers(spoken) == written


def test_fillers_and_repeats_removed() -> None:
    assert strip_fillers("um , i , i , i feel uh kinda tired") == "i feel tired"


def test_doses_written_as_digits_in_the_note() -> None:
    note = get_drafter("offline").draft(parse_text_transcript(VISIT), load_template("soap"))
    assert "lisinopril 10 mg" in note.text


def test_no_drug_in_note_that_is_not_in_transcript(transcript: Transcript) -> None:
    note = get_drafter("offline").draft(transcript, load_template("hp"))
    said = transcript.text.lower()
    for word in re.findall(r"[a-z]+", note.text.lower()):
        if word in DRUGS:
            assert word in said, word


def test_review_of_systems_lines_carry_their_body_system() -> None:
    note = get_drafter("offline").draft(parse_text_transcript(VISIT), load_template("hp"))
    ros = next(sec for sec in note.sections if sec.title.lower() == "review of systems")
    texts = [s.text for s in ros.sentences]
    assert "Constitutional: Denies fever." in texts
    assert "Respiratory: Reports shortness of breath." in texts


def test_chit_chat_left_out() -> None:
    note = get_drafter("offline").draft(parse_text_transcript(VISIT), load_template("soap"))
    assert "thank" not in note.text.lower()
    assert "how are you" not in note.text.lower()


def test_hp_headings_like_aci_bench() -> None:
    note = get_drafter("offline").draft(parse_text_transcript(VISIT), load_template("hp"))
    for heading in (
        "CHIEF COMPLAINT",
        "HISTORY OF PRESENT ILLNESS",
        "REVIEW OF SYSTEMS",
        "PHYSICAL EXAMINATION",
        "RESULTS",
        "ASSESSMENT AND PLAN",
    ):
        assert heading in note.text


def test_empty_transcript_gives_empty_sections() -> None:
    note = get_drafter("offline").draft(Transcript(()), load_template("soap"))
    assert len(note.sections) == 4 and not note.sentences()
    assert note.text.count("Not discussed.") == 4  # each empty section says so, plainly


def test_cancel_is_honoured() -> None:
    token = CancelToken()
    seen: list[float] = []

    def progress(fraction: float, _msg: str) -> None:
        seen.append(fraction)
        token.cancel()

    with pytest.raises(Cancelled):
        OfflineDrafter().draft(parse_text_transcript(VISIT), load_template("soap"), token, progress)
    assert seen and seen[-1] < 1.0


def test_fitted_model_ships_small_and_is_used() -> None:
    from scribe.drafting.offline.model import FITTED, load_model

    assert FITTED.is_file() and FITTED.stat().st_size < 2_000_000
    model = load_model()
    assert model is not None and "drop" in model.labels
    assert OfflineDrafter().model is model


def test_long_unpunctuated_turn_is_split_into_sections() -> None:
    raw = (
        "[doctor] looking at your left ankle it is tender over the outer side and swollen and the "
        "x-ray we took this morning shows no break so i'm going to prescribe you naproxen five "
        "hundred milligrams twice a day with food and i want you to wear an ankle brace\n"
    )
    note = get_drafter("offline").draft(parse_text_transcript(raw), load_template("soap"))
    assert len(note.sentences()) >= 2
    assert "naproxen 500 mg" in note.sections[3].text
    assert all(s.evidence == (0,) for s in note.sentences())


def test_one_word_answer_keeps_its_question_topic() -> None:
    visit = "[doctor] do you have any allergies to medications ?\n[patient] penicillin .\n"
    note = get_drafter("offline").draft(parse_text_transcript(visit), load_template("soap"))
    allergy = [s for s in note.sentences() if "penicillin" in s.text.lower()]
    assert allergy and allergy[0].evidence == (0, 1)
    assert "allergies" in allergy[0].text.lower()


def test_custom_template_sections_are_filled() -> None:
    from scribe.drafting.templates import Template, TemplateSection

    mine = Template(
        "derm",
        "Derm visit",
        (TemplateSection("lesion", "Lesion story"), TemplateSection("plan", "Plan")),
    )
    note = get_drafter("offline").draft(parse_text_transcript(VISIT), mine)
    assert [s.title for s in note.sections] == ["Lesion story", "Plan"]
    assert "cough" in note.sections[0].text.lower()
    assert "albuterol" in note.sections[1].text.lower()


def test_an_answer_that_names_the_allergen_is_kept_not_folded_away():
    """Unlabelled ASR: "Yes, I am allergic to penicillin" must keep the drug name (safety)."""
    from scribe.drafting.templates import load_template
    from scribe.transcript_io import parse_text_transcript

    transcript = parse_text_transcript(
        "Do you have any allergies to medications?\n"
        "Yes, I am allergic to penicillin.\n"
        "Do you have a fever?\n"
        "No.\n"
    )
    note = OfflineDrafter().draft(transcript, load_template("soap"))
    sentences = [s for sec in note.sections for s in sec.sentences]
    allergy = [s for s in sentences if "penicillin" in s.text.lower()]
    assert allergy and 1 in allergy[0].evidence
    assert any(s.text == "Denies fever." for s in sentences)


def test_clinicians_diagnosis_goes_to_assessment_and_an_allergy_rash_is_not_the_complaint():
    """tests/data/visit_two_voices.wav as the app labels it: "You have acute bronchitis" is the
    clinician naming the diagnosis (Assessment, not the patient's history), and the rash penicillin
    gives is an allergy, not why the patient came."""
    t = parse_text_transcript("\n".join([
        "[doctor] Good morning, what brings you in today?",
        "[patient] I have had a cough for four days, and it keeps me up at night.",
        "[doctor] Do you have any allergies to medications?",
        "[patient] Yes, I am allergic to penicillin.",
        "[patient] It gives me a rash.",
        "[doctor] Your temperature is normal, and your lungs are clear.",
        "[doctor] You have acute bronchitis.",
        "[doctor] Get plenty of rest, drink fluids, and follow up in one week.",
    ]))
    draft = get_drafter("offline").draft(t, load_template("soap"))
    by_title = {s.title: [x.text for x in s.sentences] for s in draft.sections}
    assert any("acute bronchitis" in x.lower() for x in by_title["Assessment"]), by_title
    assert not any("bronchitis" in x.lower() for x in by_title["Subjective"]), by_title
    assert by_title["Subjective"][0].lower() != "rash.", by_title


PROBLEM_VISIT = "\n".join(
    [
        "[doctor] hi , how are you doing today ?",
        "[patient] i'm okay . my blood pressure has been high and my sugars are up .",
        "[doctor] are you taking the lisinopril every day ?",
        "[patient] yes .",
        "[doctor] missed any doses .",
        "[patient] no .",
        "[doctor] do you have any allergies to medications ?",
        "[patient] no , not that i know of .",
        "[doctor] well , so your lungs are clear and your heart sounds good .",
        "[doctor] so for your first problem , your hypertension , i want to increase your"
        " lisinopril to forty milligrams a day , okay ?",
        "[doctor] for your second problem , your diabetes , let's continue the metformin five"
        " hundred milligrams twice a day and i'm going to order a hemoglobin a1c .",
        "[doctor] we'll follow up in three months .",
    ]
)

TALK = re.compile(r"\?|\byou(?:r|'re)?\b|\blet'?s\b|^(?:well|so|okay|alright|um)\b", re.I)


def _by_title(note) -> dict[str, list[str]]:
    return {s.title: [x.text for x in s.sentences] for s in note.sections}


def test_assessment_and_plan_is_one_heading_per_problem_then_its_lines() -> None:
    t = parse_text_transcript(PROBLEM_VISIT)
    ap = _by_title(get_drafter("offline").draft(t, load_template("hp")))["Assessment and plan"]
    assert "Hypertension." in ap and "Diabetes." in ap, ap
    htn, dm = ap.index("Hypertension."), ap.index("Diabetes.")
    lisinopril = next(i for i, x in enumerate(ap) if "lisinopril to 40 mg" in x)
    metformin = next(i for i, x in enumerate(ap) if "metformin 500 mg" in x)
    assert htn < lisinopril < dm < metformin, ap
    # the heading says the problem, so its line no longer starts "for his first problem, …"
    assert not ap[lisinopril].lower().startswith("for "), ap[lisinopril]
    assert "follow up in 3 months" in ap[-1].lower(), ap


def test_soap_assessment_names_the_problems_and_plan_keeps_them_apart() -> None:
    t = parse_text_transcript(PROBLEM_VISIT)
    by = _by_title(get_drafter("offline").draft(t, load_template("soap")))
    assert by["Assessment"][:1] == ["Hypertension."] and "Diabetes." in by["Assessment"], by
    assert any("metformin" in x for x in by["Plan"]), by
    assert not any("metformin" in x for x in by["Assessment"]), by


def test_a_problem_heading_carries_the_segment_that_names_it() -> None:
    t = parse_text_transcript(PROBLEM_VISIT)
    note = get_drafter("offline").draft(t, load_template("hp"))
    heading = next(s for s in note.sentences() if s.text == "Diabetes.")
    assert heading.evidence == (10,)


def test_a_visit_with_a_problem_and_no_cue_still_has_an_assessment() -> None:
    t = parse_text_transcript(
        "[doctor] what brings you in today ?\n"
        "[patient] i have a sore throat and a fever for three days .\n"
        "[doctor] your throat is red with exudates .\n"
        "[doctor] i'm going to prescribe amoxicillin five hundred milligrams three times a day .\n"
    )
    by = _by_title(get_drafter("offline").draft(t, load_template("soap")))
    assert by["Assessment"], by
    assert "throat" in by["Assessment"][0].lower(), by


def test_no_sentence_of_the_draft_reads_as_talk() -> None:
    t = parse_text_transcript(PROBLEM_VISIT)
    for template_id in ("soap", "hp", "progress"):
        for s in get_drafter("offline").draft(t, load_template(template_id)).sentences():
            assert not TALK.search(s.text), s.text
            assert s.text[-1] == "." and not re.search(r"\b(?:the|to|and|of|a)\.$", s.text)


def test_an_answer_gives_a_question_its_fact() -> None:
    """ "Missed any doses." "No." is a question answered no, not a finding "Missed any doses"."""
    t = parse_text_transcript(PROBLEM_VISIT)
    note = get_drafter("offline").draft(t, load_template("soap"))
    texts = {s.text: s for s in note.sentences()}
    assert "Reports no missed doses." in texts, list(texts)
    assert texts["Reports no missed doses."].evidence == (4, 5)
    assert not any("missed any" in x.lower() for x in texts)
    assert texts["No known drug allergies."].evidence == (6, 7)
    assert "Reports taking lisinopril every day." in texts, list(texts)


def test_a_statement_asking_for_a_nod_is_kept_as_the_plan() -> None:
    t = parse_text_transcript(PROBLEM_VISIT)
    note = get_drafter("offline").draft(t, load_template("hp"))
    assert "increase his lisinopril to 40 mg a day" in note.text.lower() or (
        "increase their lisinopril to 40 mg a day" in note.text.lower()
    ), note.text


def test_every_drug_said_outside_a_question_reaches_the_note_even_when_the_visit_is_long() -> None:
    chatter = "\n".join(
        f"[patient] we went hiking at the lake number {i} and the weather was lovely ." for i in
        range(60)
    )
    t = parse_text_transcript(
        chatter + "\n[doctor] i'm going to prescribe prednisone twenty milligrams daily .\n"
    )
    note = OfflineDrafter(max_words=40, length_share=0.0).draft(t, load_template("hp"))
    assert "prednisone 20 mg" in note.text, note.text


def test_medication_allergy_and_habit_questions_take_their_answers() -> None:
    t = parse_text_transcript(
        "[doctor] and for the itching you use , um , fluocinonide ?\n[patient] yes .\n"
        "[doctor] are you allergic to any medicines ? i forgot to ask .\n"
        "[patient] no , none that i know .\n"
        "[doctor] do you smoke ?\n[patient] no .\n"
    )
    note = get_drafter("offline").draft(t, load_template("soap"))
    texts = {s.text: s.evidence for s in note.sentences()}
    assert texts.get("Medications: fluocinonide.") == (0, 1), texts
    assert texts.get("No known drug allergies.") == (2, 3), texts
    assert texts.get("Denies smoking.") == (4, 5), texts
    assert note.sections[2].sentences == []  # no problem: "any allergies?" names none


def test_the_assessment_opens_on_who_the_patient_is() -> None:
    t = parse_text_transcript(
        "[doctor] george is a 62-year-old male , known hypertensive , seen by me today for"
        " his annual physical .\n" + PROBLEM_VISIT
    )
    note = get_drafter("offline").draft(t, load_template("hp"))
    ap = next(s for s in note.sections if s.title == "Assessment and plan").sentences
    hpi = next(s for s in note.sections if s.title == "History of present illness").sentences
    assert ap[0].text.startswith("George is a 62-year-old male") and ap[0].evidence == (0,)
    assert ap[1].text == "Hypertension."
    assert hpi[0].text == ap[0].text  # the same sentence, said once, in both places
