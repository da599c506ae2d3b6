"""A visit's clinical facts (offline engine): medications, allergies, review of systems, vitals,
each with its evidence, and the note sections filled from them."""

from __future__ import annotations

import pytest

from scribe.domain import Support
from scribe.drafting.offline.drafter import OfflineDrafter
from scribe.drafting.offline.facts import (
    Allergy,
    Medication,
    VisitFacts,
    allergy_line,
    medication_line,
    visit_facts,
    vitals_line,
)
from scribe.drafting.templates import Template, TemplateSection, from_example, load_template
from scribe.note.checks import check_note
from scribe.transcript_io import parse_text_transcript

VISIT = "\n".join([
    "[doctor] good morning , what brings you in today ?",                                    # 0
    "[patient] my blood pressure has been running high and i get headaches in the morning .",  # 1
    "[doctor] what medications are you on right now ?",                                      # 2
    "[patient] i take lisinopril twenty milligrams once a day and metformin five hundred"
    " milligrams twice a day .",                                                             # 3
    "[doctor] are you still taking the ibuprofen for your knee ?",                           # 4
    "[patient] yes , most days .",                                                           # 5
    "[doctor] and do you use the fluticasone nasal spray ?",                                 # 6
    "[patient] no , i stopped that last year .",                                             # 7
    "[doctor] any allergies to medications ?",                                               # 8
    "[patient] yes , penicillin . i broke out in hives all over .",                          # 9
    "[doctor] do you have any chest pain at all ?",                                              # 10
    "[patient] no .",                                                                        # 11
    "[doctor] any shortness of breath ?",                                                    # 12
    "[patient] yes , a little when i walk up the stairs .",                                  # 13
    "[doctor] do you smoke ?",                                                               # 14
    "[patient] i smoke about half a pack a day , i work as a truck driver .",                # 15
    "[doctor] okay . your blood pressure today is one fifty two over ninety four , heart rate"
    " is seventy eight and your oxygen is ninety seven percent .",                           # 16
    "[doctor] i think this is uncontrolled hypertension .",                                  # 17
    "[doctor] i'm going to increase your lisinopril to forty milligrams daily .",            # 18
    "[doctor] i want you to stop taking the ibuprofen because it raises your blood"
    " pressure .",                                                                           # 19
    "[doctor] continue the metformin .",                                                     # 20
    "[doctor] and i'll prescribe amlodipine five milligrams by mouth at night .",           # 21
    "[patient] okay , thank you .",                                                          # 22
])

NKDA_VISIT = "\n".join([
    "[doctor] do you have any allergies to medicines ?",
    "[patient] no , nothing i know about .",
    "[doctor] and any fever or chills ?",
    "[patient] no .",
    "[doctor] temperature is ninety nine point one , respiratory rate sixteen .",
    "[doctor] i'll start you on amoxicillin , it's five hundred milligrams , take it three times"
    " a day , ten days in all .",
    "[doctor] and use the albuterol inhaler , two puffs every four hours as needed .",
])


@pytest.fixture(scope="module")
def facts() -> VisitFacts:
    return visit_facts(parse_text_transcript(VISIT))


def _med(facts: VisitFacts, name: str) -> Medication:
    found = [m for m in facts.medications if m.name == name]
    assert len(found) == 1, facts.medications
    return found[0]


@pytest.mark.parametrize("name, dose, route, frequency, status", [
    ("lisinopril", "40 mg", None, "daily", "changed"),  # the new dose, not the 20 mg taken
    ("metformin", "500 mg", None, "twice a day", "continued"),
    ("ibuprofen", None, None, None, "stopped"),
    ("amlodipine", "5 mg", "by mouth", "at night", "started"),
])
def test_each_drug_has_its_dose_route_frequency_and_status(facts, name, dose, route, frequency,
                                                           status):
    med = _med(facts, name)
    assert (med.dose, med.route, med.frequency, med.status) == (dose, route, frequency, status)


def test_a_changed_dose_says_how_and_keeps_both_mentions_as_evidence(facts):
    med = _med(facts, "lisinopril")
    assert med.change == "increased"
    assert med.evidence == (3, 18)
    assert medication_line(med) == "Lisinopril 40 mg daily (increased)."


def test_a_drug_question_answered_no_is_not_a_medication_taken(facts):
    spray = [m for m in facts.medications if m.name == "fluticasone"]
    assert all(m.status == "stopped" for m in spray), spray  # "no, i stopped that" at most


def test_an_allergen_is_not_a_medication_and_has_its_reaction(facts):
    assert "penicillin" not in {m.name for m in facts.medications}
    (allergy,) = facts.allergies
    assert (allergy.agent, allergy.reaction) == ("penicillin", "hives")
    assert allergy.evidence == (8, 9)
    assert allergy_line(allergy) == "Allergic to penicillin (hives)."


def test_no_known_drug_allergies_when_denied():
    facts = visit_facts(parse_text_transcript(NKDA_VISIT))
    (allergy,) = facts.allergies
    assert allergy.no_known_allergies and allergy.evidence == (0, 1)
    assert allergy_line(allergy) == "No known drug allergies."


def test_review_of_systems_denied_and_endorsed_by_system(facts):
    ros = {r.symptom: r for r in facts.ros}
    assert (ros["chest pain"].system, ros["chest pain"].present) == ("Cardiovascular", False)
    assert ros["chest pain"].evidence == (10, 11)
    breath = ros["shortness of breath"]
    assert (breath.system, breath.present, breath.evidence) == ("Respiratory", True, (12, 13))


def test_a_symptom_list_answered_no_denies_each():
    facts = visit_facts(parse_text_transcript(NKDA_VISIT))
    assert {(r.symptom, r.present) for r in facts.ros} == {("fever", False), ("chills", False)}


def test_vitals_as_notes_write_them(facts):
    assert [(v.kind, v.value) for v in facts.vitals] == [("BP", "152/94"), ("HR", "78"),
                                                          ("SpO2", "97")]
    assert all(v.evidence == (16,) for v in facts.vitals)
    assert vitals_line(facts.vitals) == "BP 152/94, HR 78, SpO2 97%."
    other = visit_facts(parse_text_transcript(NKDA_VISIT)).vitals
    assert vitals_line(other) == "RR 16, Temp 99.1 °F."


def test_plan_drugs_with_puffs_and_as_needed():
    facts = visit_facts(parse_text_transcript(NKDA_VISIT))
    lines = {m.name: medication_line(m) for m in facts.medications}
    assert lines["amoxicillin"] == "Started amoxicillin 500 mg three times a day."
    albuterol = _med(facts, "albuterol")
    assert (albuterol.dose, albuterol.route, albuterol.frequency) == (
        "2 puffs", "inhaled", "every 4 hours as needed")


def test_writers_word_each_status():
    assert medication_line(Medication("ibuprofen", "600 mg", status="stopped")) == \
        "Stopped ibuprofen."
    assert medication_line(Medication("lasix", "20 mg", "by mouth", "daily", "continued")) == \
        "Lasix 20 mg by mouth daily (continued)."
    assert allergy_line(Allergy(None, drugs_only=False)) == "No known allergies."
    assert vitals_line([]) == ""


def test_the_visits_problems_are_named(facts):
    visit = parse_text_transcript(VISIT.replace("i think this is", "my impression is"))
    names = [p.name for p in visit_facts(visit).problems]
    assert any("hypertension" in n for n in names), names
    assert facts.problems == () or all(p.evidence for p in facts.problems)


TEMPLATE = Template("clinic", "Clinic", (
    TemplateSection("history_of_present_illness", "History of present illness"),
    TemplateSection("meds", "Current medications"),
    TemplateSection("allergies", "Allergies"),
    TemplateSection("social_history", "Social history"),
    TemplateSection("assessment_and_plan", "Assessment and plan"),
))


@pytest.fixture(scope="module")
def drafter() -> OfflineDrafter:
    return OfflineDrafter()


def _body(note) -> dict[str, list[str]]:
    return {s.title: [x.text for x in s.sentences] for s in note.sections}


def test_a_template_with_fact_sections_gets_the_fact_lines(drafter):
    visit = parse_text_transcript(VISIT)
    note = drafter.draft(visit, TEMPLATE)
    body = _body(note)
    assert body["Current medications"] == [
        "Lisinopril 40 mg daily (increased).",
        "Metformin 500 mg twice a day (continued).",
        "Stopped ibuprofen.",
        "Started amlodipine 5 mg by mouth at night.",
    ]
    assert body["Allergies"] == ["Allergic to penicillin (hives)."]
    assert not any("penicillin" in x.lower() for x in body["History of present illness"]), body
    assert any("smoke" in x.lower() for x in body["Social history"]), body
    assert not any("smoke" in x.lower() for x in body["History of present illness"]), body
    meds = next(s for s in note.sections if s.title == "Current medications")
    assert meds.sentences[0].evidence == (3, 18)
    assert all(s.evidence for s in note.sentences())


def test_a_template_made_from_an_example_note_gets_them_too(drafter):
    template = from_example("HPI:\nMEDICATIONS:\nALLERGIES:\nASSESSMENT AND PLAN:\n", "Mine")
    body = _body(drafter.draft(parse_text_transcript(NKDA_VISIT), template))
    assert body["Allergies"] == ["No known drug allergies."]
    assert "Started amoxicillin 500 mg three times a day." in body["Medications"], body


def test_a_template_without_fact_sections_has_no_fact_lines(drafter):
    note = drafter.draft(parse_text_transcript(VISIT), load_template("soap"))
    assert [s.title for s in note.sections] == ["Subjective", "Objective", "Assessment", "Plan"]
    assert "(increased)" not in note.text and "Allergic to" not in note.text


def test_the_fact_lines_pass_the_fact_checks(drafter):
    """A medication line as the writer words it ("40 mg daily (increased)", "1200 mg") is found
    in what was said ("increase ... forty milligrams a day", "1,200 milligrams"): no false flag."""
    visit = parse_text_transcript(VISIT + "\n[doctor] i'm also starting you on gabapentin 1,200"
                                  " milligrams a day for the nerve pain .")
    note = check_note(drafter.draft(visit, TEMPLATE), visit)
    lines = next(s for s in note.sections if s.title == "Current medications").sentences
    assert any("1200 mg" in s.text for s in lines), [s.text for s in lines]
    for s in (*lines, *next(s for s in note.sections if s.title == "Allergies").sentences):
        assert s.support is Support.SUPPORTED and not s.flags, (s.text, s.support, s.flags)
