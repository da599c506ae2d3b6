"""Templates are data: built-ins load, a user's own overrides them, a broken file is one sentence,
and a template can be learned from an example note's headings (none of its text)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scribe.drafting import get_drafter
from scribe.drafting.templates import (
    Template,
    TemplateError,
    TemplateSection,
    available_templates,
    from_example,
    load_template,
    save_user_template,
    template_problems,
)
from scribe.errors import InputError, ScribeError
from scribe.transcript_io import parse_text_transcript


def test_builtins_load_with_sections() -> None:
    templates = available_templates()
    assert {"soap", "hp", "progress"} <= set(templates)
    assert [s.key for s in templates["soap"].sections] == [
        "subjective",
        "objective",
        "assessment",
        "plan",
    ]
    assert [s.title.upper() for s in templates["hp"].sections] == [
        "CHIEF COMPLAINT",
        "HISTORY OF PRESENT ILLNESS",
        "REVIEW OF SYSTEMS",
        "PHYSICAL EXAMINATION",
        "RESULTS",
        "ASSESSMENT AND PLAN",
    ]
    for t in templates.values():
        assert all(s.instructions for s in t.sections), t.id


def test_user_template_overrides_builtin(tmp_path: Path) -> None:
    mine = Template(
        "soap",
        "My SOAP",
        (TemplateSection("subjective", "Story"), TemplateSection("plan", "What we do")),
    )
    save_user_template(mine, tmp_path)
    loaded = load_template("soap", tmp_path)
    assert loaded.name == "My SOAP"
    assert [s.title for s in loaded.sections] == ["Story", "What we do"]
    assert load_template("soap").name == "SOAP note"  # built-in untouched


def test_user_can_add_a_new_template(tmp_path: Path) -> None:
    (tmp_path / "derm.json").write_text(
        json.dumps(
            {"id": "derm", "name": "Derm", "sections": [{"key": "lesion", "title": "Lesion"}]}
        )
    )
    assert load_template("derm", tmp_path).sections[0].title == "Lesion"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"id": "bad"}),
        json.dumps({"id": "bad", "sections": [{"title": "x"}]}),
    ],
)
def test_broken_user_template_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    templates = available_templates(tmp_path)
    assert "bad" not in templates and "soap" in templates
    with pytest.raises(ScribeError):
        load_template("bad", tmp_path)


# --- problem-oriented and specialty sections --------------------------------------------------


def test_specialty_builtins_name_the_standard_section_that_feeds_them() -> None:
    templates = available_templates()
    ortho = {s.title: s for s in templates["ortho"].sections}
    assert ortho["Musculoskeletal exam"].source == "physical_examination"
    assert ortho["Imaging"].source == "results"
    cardio = {s.title: s for s in templates["cardiology"].sections}
    assert cardio["Cardiovascular exam"].source == "physical_examination"
    for t in templates.values():  # every built-in writes its assessment/plan by problem
        ap = [s for s in t.sections if s.key in ("assessment", "plan", "assessment_and_plan")]
        assert ap and all(s.problem_oriented for s in ap), t.id
        assert not any(s.problem_oriented for s in t.sections if s not in ap), t.id


def test_old_json_loads_as_before_and_saves_in_the_same_shape(tmp_path: Path) -> None:
    old = {"id": "derm", "name": "Derm", "sections": [
        {"key": "lesion", "title": "Lesion", "instructions": "Size and site."},
        {"key": "assessment_and_plan", "title": "A&P", "instructions": ""},
    ]}
    (tmp_path / "derm.json").write_text(json.dumps(old))
    loaded = load_template("derm", tmp_path)
    assert [(s.key, s.title, s.maps_to) for s in loaded.sections] == [
        ("lesion", "Lesion", ""), ("assessment_and_plan", "A&P", "")]
    assert loaded.sections[1].problem_oriented and not loaded.sections[0].problem_oriented
    assert loaded.to_dict() == old  # no new field appears in a file that did not have one


def test_style_and_maps_to_survive_saving(tmp_path: Path) -> None:
    mine = Template("knee", "Knee", (
        TemplateSection("knee_exam", "Knee exam", maps_to="physical_examination"),
        TemplateSection("plan", "Plan", style="prose"),
    ))
    save_user_template(mine, tmp_path)
    loaded = load_template("knee", tmp_path)
    assert loaded == mine
    assert not loaded.sections[1].problem_oriented  # "prose" said so, over the plan's default


@pytest.mark.parametrize(
    ("content", "words"),
    [
        ("{not json", "not valid JSON (line 1"),
        (json.dumps({"id": "bad", "sections": [{"key": "a", "title": "A", "stlye": "prose"}]}),
         'unknown field "stlye"'),
        (json.dumps({"id": "bad", "colour": "red", "sections": [{"key": "a", "title": "A"}]}),
         'unknown field "colour"'),
        (json.dumps({"id": "bad", "sections": [{"key": "plan", "title": "P", "style": "bullets"}]}),
         'style "bullets"'),
        (json.dumps({"id": "bad", "sections": [{"key": "k", "title": "K", "maps_to": "knee"}]}),
         'maps to "knee"'),
        (json.dumps({"id": "bad", "sections": [{"key": "k", "title": ""}]}), 'needs a "title"'),
        (json.dumps({"id": "bad", "sections": []}), "at least one"),
        (json.dumps(["id", "bad"]), "not a JSON object"),
    ],
)
def test_a_bad_template_file_is_one_sentence_naming_it(
    tmp_path: Path, content: str, words: str
) -> None:
    (tmp_path / "bad.json").write_text(content)
    with pytest.raises(TemplateError) as err:
        load_template("bad", tmp_path)
    message = err.value.message
    assert message.startswith("The note template bad.json") and words in message, message
    assert message.endswith(".") and "\n" not in message and "Traceback" not in message
    assert template_problems(tmp_path) == [message]
    assert "bad" not in available_templates(tmp_path) and "soap" in available_templates(tmp_path)


# --- a template from an example note ----------------------------------------------------------

SOAP_EXAMPLE = """JANE DOE
DOB: 03/14/1961    MRN: 4471902
Date of service: 02/11/2025

SUBJECTIVE:
Ms. Doe is a 63-year-old woman with right knee pain for three weeks after gardening.
Meds: lisinopril 20 mg daily
Allergies: penicillin (hives)

OBJECTIVE:
BP: 132/84
Right knee: small effusion, no erythema.

ASSESSMENT:
OSTEOARTHRITIS
Osteoarthritis of the right knee, flare.

PLAN:
Ibuprofen 400 mg three times daily with food.
Patient education:
Discussed weight loss with Ms. Doe.
"""

HP_EXAMPLE = """# History and physical

**Chief complaint:** chest pain on exertion

## History of Present Illness
Robert Quinlan is a 58-year-old man seen on 01/02/2024 with two weeks of exertional chest pain.

## Review of Systems
Constitutional: denies fever.
Cardiovascular: chest pain on exertion; no palpitations.

## Physical Exam
General: no distress.
CV: regular rate and rhythm, no murmur.

## Results
Troponin negative.

## A/P
### Stable angina
Start aspirin 81 mg daily; exercise stress test.
### Hypertension
Continue lisinopril.

## Disposition
Home with his wife, Maureen Quinlan.
"""


def test_headings_of_a_soap_note_are_learned_in_order_and_mapped() -> None:
    t = from_example(SOAP_EXAMPLE, "Knee SOAP")
    assert t.id == "knee_soap" and t.name == "Knee SOAP"
    assert [(s.title, s.source) for s in t.sections] == [
        ("Subjective", "subjective"),
        ("Meds", "medications"),
        ("Allergies", "allergies"),
        ("Objective", "objective"),
        ("Assessment", "assessment"),
        ("Plan", "plan"),
        ("Patient education", "patient_education"),  # not standard: its own section
    ]
    by_title = {s.title: s for s in t.sections}
    assert by_title["Assessment"].problem_oriented and by_title["Plan"].problem_oriented


def test_an_h_and_p_maps_hpi_ros_pe_and_a_p_and_keeps_no_problem_heading() -> None:
    t = from_example(HP_EXAMPLE, "Chest pain H&P")
    assert [(s.title, s.source) for s in t.sections] == [
        ("Chief complaint", "chief_complaint"),
        ("History of Present Illness", "history_of_present_illness"),
        ("Review of Systems", "review_of_systems"),
        ("Physical Exam", "physical_examination"),
        ("Results", "results"),
        ("A/P", "assessment_and_plan"),
        ("Disposition", "disposition"),
    ]
    assert t.sections[5].problem_oriented


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("HPI:", "history_of_present_illness"),
        ("History of present illness:", "history_of_present_illness"),
        ("A/P", "assessment_and_plan"),
        ("Assessment & Plan:", "assessment_and_plan"),
        ("ASSESSMENT AND PLAN", "assessment_and_plan"),
        ("PE:", "physical_examination"),
        ("## Physical exam", "physical_examination"),
        ("ROS:", "review_of_systems"),
        ("Meds:", "medications"),
        ("**Allergies**", "allergies"),
        ("Results:", "results"),
        ("LABS", "results"),
        ("Chief Complaint:", "chief_complaint"),
        ("Assesment:", "assessment"),  # misspelt
        ("Musculoskeletal exam:", "physical_examination"),  # a specialty exam, fed by the exam
        ("IMPRESSION", "assessment"),
        ("Social history:", "social_history"),
    ],
)
def test_heading_synonyms_map_to_the_standard_section(heading: str, key: str) -> None:
    section = from_example(f"{heading}\nSome words.\n", "x").sections[0]
    assert section.source == key


def test_no_text_of_the_example_is_stored(tmp_path: Path) -> None:
    for n, example in enumerate((SOAP_EXAMPLE, HP_EXAMPLE)):
        path = save_user_template(from_example(example, f"Mine {n}"), tmp_path)
        saved = path.read_text(encoding="utf-8").lower()
        for private in ("jane", "doe", "quinlan", "maureen", "robert", "03/14/1961", "1961",
                        "4471902", "02/11/2025", "01/02/2024", "lisinopril", "penicillin",
                        "ibuprofen", "aspirin", "gardening", "angina", "hypertension",
                        "osteoarthritis", "troponin", "132/84", "hives"):
            assert private not in saved, private


def test_one_heading_twice_is_kept_once_and_two_for_one_section_stay_apart() -> None:
    t = from_example("Assessment:\nx\nImpression:\ny\nASSESSMENT:\nz\nPlan:\nw\n", "Two")
    assert [(s.key, s.title, s.source) for s in t.sections] == [
        ("assessment", "Assessment", "assessment"),
        ("impression", "Impression", "assessment"),
        ("plan", "Plan", "plan"),
    ]
    assert Template.from_dict(t.to_dict()) == t


@pytest.mark.parametrize(
    ("text", "name", "words"),
    [
        ("She is well and has no complaints today.", "Mine", "No headings were found"),
        (SOAP_EXAMPLE, "   ", "Give the new template a name."),
    ],
)
def test_an_example_without_headings_or_a_name_is_one_sentence(
    text: str, name: str, words: str
) -> None:
    with pytest.raises(InputError) as err:
        from_example(text, name)
    assert words in err.value.message and "\n" not in err.value.message


VISIT = parse_text_transcript(
    "[doctor] what brings you in today?\n"
    "[patient] i have had chest pain when i walk uphill for two weeks.\n"
    "[doctor] any shortness of breath?\n"
    "[patient] no.\n"
    "[doctor] your blood pressure is 150 over 90 and your heart sounds are normal.\n"
    "[doctor] for your chest pain, i think this is stable angina. let's start aspirin 81"
    " milligrams daily and i'm going to order a stress test.\n"
    "[doctor] we'll follow up in two weeks.\n"
)


def test_a_learned_template_drafts_its_headings_in_its_order() -> None:
    template = from_example(HP_EXAMPLE, "Chest pain H&P")
    note = get_drafter("offline").draft(VISIT, template)
    titles = [s.title for s in template.sections]
    assert [s.title for s in note.sections] == titles
    body = {s.title: [x.text for x in s.sentences] for s in note.sections}
    assert any("chest pain" in x.lower() for x in body["History of Present Illness"]), body
    assert any("150/90" in x for x in body["Physical Exam"]), body
    ap = body["A/P"]
    assert any("aspirin 81 mg" in x for x in ap), body
    assert body["Disposition"] == []  # nothing the engine can put there
    blocks = note.text.split("\n\n")
    assert [b.splitlines()[0] for b in blocks] == [t.upper() for t in titles]
    assert blocks[-1] == "DISPOSITION\nNot discussed."


def test_capitalized_body_lines_are_not_taken_for_headings() -> None:
    example = ("ALLERGIES\nNO KNOWN DRUG ALLERGIES\nPMH\nHYPERTENSION\nMUSCULOSKELETAL EXAM\n"
               "Full range of motion.\nASSESMENT\nKnee sprain.\n")
    assert [(s.title, s.source) for s in from_example(example, "x").sections] == [
        ("Allergies", "allergies"),
        ("PMH", "past_medical_history"),
        ("Musculoskeletal exam", "physical_examination"),
        ("Assesment", "assessment"),
    ]
