"""FHIR export: what a US Core server would accept and what a receiver would read back."""

from __future__ import annotations

import base64
import hashlib
import json
import xml.etree.ElementTree as ET

import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.documentreference import DocumentReference
from pydantic import ValidationError

from scribe.errors import SignOffError
from scribe.export.document import TEMPLATE_KINDS, Clinic, Code, Patient
from scribe.export.fhir import document_bundle, document_reference, to_json
from tests.export.documents import TEXT, addendum_to, signed_document

XHTML = "{http://www.w3.org/1999/xhtml}"


def _contained(resource: dict, rid: str) -> dict:
    [found] = [c for c in resource["contained"] if c["id"] == rid]
    return found


def _resolve(resource: dict, reference: dict) -> dict:
    assert reference["reference"].startswith("#")
    return _contained(resource, reference["reference"][1:])


@pytest.mark.parametrize("template", sorted(TEMPLATE_KINDS))
def test_a_signed_note_has_every_us_core_element(template):
    doc = signed_document(template=template)
    resource = document_reference(doc)
    DocumentReference.model_validate(resource)

    # US Core DocumentReference (3.1.1 to 7.0.0): required status, type, category (clinical-note
    # slice), subject, content.attachment with contentType and data (us-core-6); must-support
    # identifier, docStatus, date, author, authenticator, custodian, context.encounter/period.
    assert resource["meta"]["profile"] == [
        "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"]
    assert resource["status"] == "current"
    assert resource["docStatus"] == "final"
    assert resource["type"]["coding"][0] == {
        "system": "http://loinc.org", "code": TEMPLATE_KINDS[template][0],
        "display": TEMPLATE_KINDS[template][1]}
    assert {"system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
            "code": "clinical-note", "display": "Clinical Note"} in resource["category"][0]["coding"]
    assert _resolve(resource, resource["subject"])["resourceType"] == "Patient"
    attachment = resource["content"][0]["attachment"]
    assert attachment["contentType"] == "text/plain; charset=utf-8" and attachment["data"]
    assert resource["date"] == "2024-05-01T10:42:07-05:00"
    assert [_resolve(resource, a)["resourceType"] for a in resource["author"]] == ["Practitioner"]
    assert resource["authenticator"] == resource["author"][0]
    assert _resolve(resource, resource["custodian"])["name"] == "Main Street Clinic"
    assert resource["context"]["encounter"][0]["identifier"] == {
        "system": "urn:scribe:visit", "value": doc.visit_id}
    assert resource["context"]["period"] == {"start": "2024-05-01T10:00:00-05:00",
                                             "end": "2024-05-01T10:25:00-05:00"}
    assert {"system": "urn:scribe:visit", "value": doc.visit_id} in resource["identifier"]
    assert "relatesTo" not in resource


@pytest.mark.parametrize("text", [TEXT, "Ünïcødé: 漢字, emoji 🙂, tab\there\n\n\ntrailing  \n", "x"])
def test_the_attachment_is_the_exact_signed_text_with_its_hashes(text):
    doc = signed_document(text=text)
    resource = document_reference(doc)
    DocumentReference.model_validate(resource)
    attachment = resource["content"][0]["attachment"]
    data = base64.b64decode(attachment["data"], validate=True)
    assert data.decode("utf-8") == text
    assert attachment["size"] == len(data)
    assert base64.b64decode(attachment["hash"]) == hashlib.sha1(data).digest()
    assert {"system": "urn:scribe:sha256",
            "value": hashlib.sha256(text.encode()).hexdigest()} in resource["identifier"]


def test_the_xhtml_rendering_shows_markup_in_the_note_as_text():
    resource = document_reference(signed_document(), xhtml=True)
    DocumentReference.model_validate(resource)
    plain, rendered = (c["attachment"] for c in resource["content"])
    assert plain["contentType"] == "text/plain; charset=utf-8"
    assert rendered["contentType"] == "application/xhtml+xml"
    data = base64.b64decode(rendered["data"])
    assert base64.b64decode(rendered["hash"]) == hashlib.sha1(data).digest()
    root = ET.fromstring(data)  # well-formed XML, or this raises
    assert root.tag == f"{XHTML}html"
    assert root.find(f".//{XHTML}script") is None
    body = "".join(root.find(f"{XHTML}body").itertext())
    assert "\"<script>alert('x')</script>\" & coughs | worse ^ at night" in body
    assert "Café owner" in body
    assert len(document_reference(signed_document())["content"]) == 1  # only when asked for


def test_an_addendum_is_its_own_document_that_appends_the_original():
    original = signed_document()
    addendum = addendum_to(original)
    resource = document_reference(addendum)
    DocumentReference.model_validate(resource)
    assert resource["id"] == addendum.id != original.id
    assert resource["relatesTo"] == [{
        "code": "appends",
        "target": {"type": "DocumentReference",
                   "identifier": {"system": "urn:scribe:document", "value": original.id}}}]
    # the original is found by the identifier the addendum names
    assert document_reference(original)["masterIdentifier"] == {
        "system": "urn:scribe:document", "value": original.id}
    text = base64.b64decode(resource["content"][0]["attachment"]["data"]).decode()
    assert text == "Addendum: chest X-ray clear.\n"


@pytest.mark.parametrize(("typed", "family", "given"), [
    ("Doe, Jane Q", "Doe", ["Jane", "Q"]),
    ("Jane Q Doe", "Doe", ["Jane", "Q"]),
    ("Ludwig van Beethoven", "van Beethoven", ["Ludwig"]),
    ("Cher", None, None),
])
def test_the_patient_name_is_split_only_when_it_can_be(typed, family, given):
    resource = document_reference(signed_document(patient=Patient(name=typed, mrn="7")))
    DocumentReference.model_validate(resource)
    [name] = _contained(resource, "patient")["name"]
    assert name["text"] == typed
    assert name.get("family") == family
    assert name.get("given") == given


@pytest.mark.parametrize(("system", "expected", "assigner"), [
    ("urn:oid:2.16.840.1.113883.19.5", "urn:oid:2.16.840.1.113883.19.5", None),
    ("2.16.840.1.113883.19.5", "urn:oid:2.16.840.1.113883.19.5", None),
    ("https://clinic.example/mrn", "https://clinic.example/mrn", None),
    ("MAINST", "urn:scribe:mrn", "MAINST"),
    ("", "urn:scribe:mrn", None),
])
def test_the_mrn_is_an_mr_identifier_in_a_uri_system(system, expected, assigner):
    resource = document_reference(signed_document(patient=Patient("Jane Doe", "", "42", system)))
    DocumentReference.model_validate(resource)
    [identifier] = _contained(resource, "patient")["identifier"]
    assert identifier["value"] == "42"
    assert identifier["system"] == expected
    assert identifier["type"]["coding"][0]["code"] == "MR"
    assert identifier["type"]["coding"][0]["system"] == "http://terminology.hl7.org/CodeSystem/v2-0203"
    assert identifier.get("assigner", {}).get("display") == assigner


def test_the_signer_is_a_practitioner_with_credentials_as_suffix():
    resource = document_reference(signed_document(signer="Ann B Smith, MD, PhD"))
    [name] = _contained(resource, "signer")["name"]
    assert name == {"text": "Ann B Smith, MD, PhD", "family": "Smith", "given": ["Ann", "B"],
                    "suffix": ["MD", "PhD"]}


def test_an_empty_patient_and_clinic_still_give_a_valid_resource():
    doc = signed_document(patient=Patient(), clinic=Clinic(), visit_type="", period_end=None,
                          codes=())
    resource = document_reference(doc, xhtml=True)
    DocumentReference.model_validate(resource)
    assert _contained(resource, "patient") == {"resourceType": "Patient", "id": "patient"}
    assert "custodian" not in resource
    assert [c["resourceType"] for c in resource["contained"]] == ["Patient", "Practitioner"]
    assert resource["context"]["period"] == {"start": "2024-05-01T10:00:00-05:00"}
    Bundle.model_validate(document_bundle(doc))


def test_blank_fields_are_left_out_never_empty_strings():
    """FHIR forbids "" anywhere (ele-1); the validator rejects it, so every blank must go."""
    doc = signed_document(title=" ", signer="Smith", patient=Patient(name=" ", mrn=" "),
                          clinic=Clinic(name="", identifier="77"), visit_type=" ",
                          codes=(Code("I10", ""),), sections=(("", "Plan text"),))
    resource = document_reference(doc, xhtml=True)
    DocumentReference.model_validate(resource)
    assert '""' not in to_json(resource)
    assert _contained(resource, "signer")["name"] == [{"text": "Smith"}]
    assert _contained(resource, "clinic")["identifier"][0]["value"] == "77"
    bundle = document_bundle(doc)
    Bundle.model_validate(bundle)
    assert '""' not in to_json(bundle)
    assert bundle["entry"][0]["resource"]["title"] == "Progress note"  # the LOINC name stands in


def test_accepted_codes_travel_as_conditions_the_context_names():
    codes = (Code("I10", "Essential (primary) hypertension"), Code("J20.9", "Acute bronchitis, unspecified"))
    resource = document_reference(signed_document(codes=codes))
    DocumentReference.model_validate(resource)
    related = [_resolve(resource, r) for r in resource["context"]["related"]]
    assert [c["resourceType"] for c in related] == ["Condition", "Condition"]
    assert [c["code"]["coding"][0] for c in related] == [
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "I10",
         "display": "Essential (primary) hypertension"},
        {"system": "http://hl7.org/fhir/sid/icd-10-cm", "code": "J20.9",
         "display": "Acute bronchitis, unspecified"}]
    assert all(_resolve(resource, c["subject"])["resourceType"] == "Patient" for c in related)
    assert "related" not in document_reference(signed_document(codes=()))["context"]


def test_every_contained_resource_is_referenced():
    """FHIR dom-3: a contained resource no element points to is invalid (the validator does not
    check invariants, so this does)."""
    resource = document_reference(signed_document())
    referenced = {m for m in json.dumps(resource).split('"') if m.startswith("#")}
    assert {f"#{c['id']}" for c in resource["contained"]} == referenced


def test_the_validator_rejects_a_broken_resource():
    resource = document_reference(signed_document())
    del resource["status"]
    with pytest.raises(ValidationError, match="status"):
        DocumentReference.model_validate(resource)
    resource = document_reference(signed_document())
    resource["date"] = "2024-05-01T10:42:07"  # an instant needs its timezone
    with pytest.raises(ValidationError, match="date"):
        DocumentReference.model_validate(resource)


@pytest.mark.parametrize(("doc", "sentence"), [
    (signed_document(sha256="0" * 64), "no longer matches the hash it was signed with"),
    (signed_document(text=" \n"), "is empty, so there is nothing to export"),
])
def test_an_altered_or_empty_text_is_not_exported(doc, sentence):
    with pytest.raises(SignOffError, match=sentence):
        document_reference(doc)
    with pytest.raises(SignOffError, match=sentence):
        document_bundle(doc)


def test_the_document_bundle_is_a_legally_attested_composition():
    doc = signed_document(sections=(
        ("HISTORY OF PRESENT ILLNESS", "Cough <b>3</b> days."),
        ("Assessment and Plan:", "Viral bronchitis."),
        ("Plan", "Rest."),
        ("Things we talked about", "Her café."),
        ("Allergies", "  "),
    ))
    bundle = document_bundle(doc)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "document"
    assert bundle["identifier"]["value"].startswith("urn:uuid:")
    assert bundle["timestamp"] == "2024-05-01T10:42:07-05:00"
    composition = bundle["entry"][0]["resource"]
    assert composition["resourceType"] == "Composition"
    assert composition["status"] == "final"
    assert composition["type"]["coding"][0]["code"] == "11506-3"
    assert composition["attester"] == [{"mode": "legal", "time": "2024-05-01T10:42:07-05:00",
                                        "party": composition["author"][0]}]
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    assert len(by_url) == len(bundle["entry"])
    assert by_url[composition["subject"]["reference"]]["resourceType"] == "Patient"
    assert by_url[composition["author"][0]["reference"]]["resourceType"] == "Practitioner"
    assert by_url[composition["custodian"]["reference"]]["name"] == "Main Street Clinic"
    codes = [(s["title"], s.get("code", {}).get("coding", [{}])[0].get("code"))
             for s in composition["section"]]
    assert codes == [("HISTORY OF PRESENT ILLNESS", "10164-2"), ("Assessment and Plan:", "51847-2"),
                     ("Plan", "18776-5"), ("Things we talked about", None)]  # blank one left out
    div = ET.fromstring(composition["section"][0]["text"]["div"])
    assert div.tag == f"{XHTML}div" and div.find(f".//{XHTML}b") is None
    assert "".join(div.itertext()) == "Cough <b>3</b> days."
    assert to_json(document_bundle(doc)) == to_json(bundle)  # same document, same bytes


def test_a_bundle_without_sections_carries_the_whole_text_and_an_addendum_appends():
    original = signed_document(sections=())
    composition = document_bundle(original)["entry"][0]["resource"]
    [section] = composition["section"]
    assert "".join(ET.fromstring(section["text"]["div"]).itertext()).replace("\n", "") == \
        TEXT.replace("\n", "")
    bundle = document_bundle(addendum_to(original))
    Bundle.model_validate(bundle)
    assert bundle["entry"][0]["resource"]["relatesTo"] == [{
        "code": "appends", "targetIdentifier": {"system": "urn:scribe:document",
                                                "value": original.id}}]


def test_json_is_stable_and_keeps_unicode():
    resource = document_reference(signed_document(patient=Patient(name="Zoë Café")))
    out = to_json(resource)
    assert out.endswith("}\n")
    assert "Zoë Café" in out
    assert json.loads(out) == resource
    assert out == json.dumps(json.loads(out), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert out.splitlines()[1] == '  "authenticator": {'
