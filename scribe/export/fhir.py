"""A signed document as FHIR R4 (US Core) JSON: a DocumentReference, or a document Bundle.

Built from plain data with plain dicts (no FHIR library at run time); the tests validate the
output against the ``fhir.resources`` R4B models, which equal R4 for these resources.

Identifier systems Scribe defines (all ``urn:scribe:``, documented here so a receiver can match):

- ``urn:scribe:document`` — a document's own id (``masterIdentifier``; an addendum's ``relatesTo``
  names its original by it),
- ``urn:scribe:visit`` — the visit (encounter) id,
- ``urn:scribe:sha256`` — the lower-case hex sha256 of the exact signed text (UTF-8), as stored at
  signing and printed by ``scribe show``,
- ``urn:scribe:mrn`` / ``urn:scribe:clinic`` — the MRN's or the clinic id's system when the clinic
  set none (or set a bare assigning-authority name, which then goes in ``assigner.display``).
"""

from __future__ import annotations

import base64
import hashlib
import json
import uuid
from datetime import datetime
from typing import Any
from xml.sax.saxutils import escape, quoteattr

from scribe.domain import sha256_text
from scribe.errors import SignOffError
from scribe.export.document import Clinic, Code, Patient, SignedDocument
from scribe.export.identity import (
    PersonName,
    birth_date,
    split_name,
    split_signer,
    system_kind,
)

__all__ = ["SECTION_CODES", "document_bundle", "document_reference", "to_json"]

US_CORE_DOCUMENT_REFERENCE = (
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-documentreference"
)
LOINC = "http://loinc.org"
DOCUMENT_SYSTEM = "urn:scribe:document"
VISIT_SYSTEM = "urn:scribe:visit"
SHA256_SYSTEM = "urn:scribe:sha256"
MRN_SYSTEM = "urn:scribe:mrn"
CLINIC_SYSTEM = "urn:scribe:clinic"
XHTML = "http://www.w3.org/1999/xhtml"
TEXT_PLAIN = "text/plain; charset=utf-8"

_CLINICAL_NOTE = {
    "coding": [{
        "system": "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
        "code": "clinical-note",
        "display": "Clinical Note",
    }]
}
_MRN_TYPE = {
    "coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/v2-0203",
        "code": "MR",
        "display": "Medical record number",
    }]
}
# US Core binds content.format to the IHE format codes; plain text needs no more than its mime type.
_FORMAT = {
    "system": "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode",
    "code": "urn:ihe:iti:xds:2017:mimeTypeSufficient",
    "display": "mimeType Sufficient",
}
_ENCOUNTER_DIAGNOSIS = {
    "coding": [{
        "system": "http://terminology.hl7.org/CodeSystem/condition-category",
        "code": "encounter-diagnosis",
        "display": "Encounter Diagnosis",
    }]
}
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "urn:scribe")

# LOINC section codes (the C-CDA / IPS ones) by section title, matched case-insensitively.
SECTION_CODES: dict[str, tuple[str, str]] = {
    "chief complaint": ("10154-3", "Chief complaint Narrative - Reported"),
    "history of present illness": ("10164-2", "History of Present illness Narrative"),
    "hpi": ("10164-2", "History of Present illness Narrative"),
    "review of systems": ("10187-3", "Review of systems Narrative - Reported"),
    "ros": ("10187-3", "Review of systems Narrative - Reported"),
    "physical exam": ("29545-1", "Physical findings Narrative"),
    "physical examination": ("29545-1", "Physical findings Narrative"),
    "assessment": ("51848-0", "Evaluation note"),
    "plan": ("18776-5", "Plan of care note"),
    "assessment and plan": ("51847-2", "Evaluation + Plan note"),
    "assessment & plan": ("51847-2", "Evaluation + Plan note"),
    "assessment/plan": ("51847-2", "Evaluation + Plan note"),
    "medications": ("10160-0", "History of Medication use Narrative"),
    "allergies": ("48765-2", "Allergies and adverse reactions Document"),
    "results": ("30954-2", "Relevant diagnostic tests/laboratory data Narrative"),
    "past medical history": ("11348-0", "History of Past illness Narrative"),
    "family history": ("10157-6", "History of family member diseases Narrative"),
    "social history": ("29762-2", "Social history Narrative"),
}

_ALTERED = "This document's text no longer matches the hash it was signed with, so it was not exported."
_EMPTY = "This document is empty, so there is nothing to export as FHIR."


def document_reference(doc: SignedDocument, *, xhtml: bool = False) -> dict[str, Any]:
    """``doc`` as a US Core DocumentReference, the exact signed text as ``text/plain`` base64.

    The patient, the signer (author and authenticator) and the clinic (custodian) are contained
    resources, so the document stands alone; ``xhtml`` adds an ``application/xhtml+xml`` rendering
    for EHRs that require one. An addendum ``appends`` its original (``relatesTo``, by identifier).

    Accepted ICD-10-CM codes: R4's DocumentReference has no diagnosis element and US Core defines
    none, so each code is a contained ``Condition`` (category ``encounter-diagnosis``, the code with
    its official description) listed in ``context.related`` — the element R4 gives for "related
    identified resources". The codes stay machine-readable without an Encounter resource Scribe
    does not own; a receiver that ignores ``context.related`` still files the note.
    """
    _check_signed(doc)
    contained: list[dict[str, Any]] = [_patient(doc.patient, "patient"),
                                       _practitioner(doc.signer, "signer")]
    organization = _organization(doc.clinic, "clinic")
    if organization:
        contained.append(organization)
    conditions = [_condition(code, f"dx{i}", doc) for i, code in enumerate(doc.codes, 1)]
    contained += conditions

    content = [_content(doc.text.encode("utf-8"), TEXT_PLAIN, doc)]
    if xhtml:
        content.append(_content(_xhtml_document(doc).encode("utf-8"), "application/xhtml+xml", doc))
    context: dict[str, Any] = {
        "encounter": [_encounter(doc)],
        "period": _period(doc),
    }
    if conditions:
        context["related"] = [{"reference": f"#{c['id']}", "display": _code_display(code)}
                              for c, code in zip(conditions, doc.codes)]

    resource: dict[str, Any] = {
        "resourceType": "DocumentReference",
        "id": doc.id,
        "meta": {"profile": [US_CORE_DOCUMENT_REFERENCE]},
        "contained": contained,
        "masterIdentifier": {"system": DOCUMENT_SYSTEM, "value": doc.id},
        "identifier": [
            {"system": VISIT_SYSTEM, "value": doc.visit_id},
            {"system": SHA256_SYSTEM, "value": doc.sha256},
        ],
        "status": "current",
        "docStatus": "final",
        "type": _loinc_type(doc),
        "category": [_CLINICAL_NOTE],
        "subject": {"reference": "#patient"},
        "date": _instant(doc.signed_at),
        "author": [{"reference": "#signer"}],
        "authenticator": {"reference": "#signer"},
        "description": doc.title,
        "content": content,
        "context": context,
    }
    if organization:
        resource["custodian"] = {"reference": "#clinic"}
    if doc.appends:
        resource["relatesTo"] = [{
            "code": "appends",
            "target": {"type": "DocumentReference",
                       "identifier": {"system": DOCUMENT_SYSTEM, "value": doc.appends}},
        }]
    return _pruned(resource)


def document_bundle(doc: SignedDocument) -> dict[str, Any]:
    """``doc`` as a FHIR document: a Bundle whose first entry is a legally attested Composition,
    one section per signed section (LOINC-coded when its title is a usual one), then the Patient,
    the signer and the clinic.

    Every id in it is derived from the document id (uuid5), and the timestamp is the signing time,
    so the same signed document always gives the same bytes. Sections whose signed text is blank
    are left out (FHIR requires a section's narrative to say something); with no sections, the
    whole text is one section.
    """
    _check_signed(doc)
    urls = {role: f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{doc.id}/{role}')}"
            for role in ("bundle", "composition", "patient", "signer", "clinic")}
    patient = _patient(doc.patient, _uuid_of(urls["patient"]))
    practitioner = _practitioner(doc.signer, _uuid_of(urls["signer"]))
    organization = _organization(doc.clinic, _uuid_of(urls["clinic"]))
    sections = [_section(title, text) for title, text in doc.sections if text.strip()]
    if not doc.sections:
        sections = [_section(_title(doc), doc.text)]
    signed_at = _instant(doc.signed_at)
    composition: dict[str, Any] = {
        "resourceType": "Composition",
        "id": _uuid_of(urls["composition"]),
        "identifier": {"system": DOCUMENT_SYSTEM, "value": doc.id},
        "status": "final",
        "type": _loinc_type(doc),
        "subject": {"reference": urls["patient"]},
        "encounter": _encounter(doc),
        "date": signed_at,
        "author": [{"reference": urls["signer"]}],
        "title": _title(doc),
        "attester": [{"mode": "legal", "time": signed_at, "party": {"reference": urls["signer"]}}],
        "event": [{"period": _period(doc)}],
        "section": sections,
    }
    if organization:
        composition["custodian"] = {"reference": urls["clinic"]}
    if doc.appends:
        composition["relatesTo"] = [{
            "code": "appends",
            "targetIdentifier": {"system": DOCUMENT_SYSTEM, "value": doc.appends},
        }]
    entries = [(urls["composition"], composition), (urls["patient"], patient),
               (urls["signer"], practitioner)]
    if organization:
        entries.append((urls["clinic"], organization))
    return _pruned({
        "resourceType": "Bundle",
        "id": _uuid_of(urls["bundle"]),
        "identifier": {"system": "urn:ietf:rfc:3986", "value": urls["bundle"]},
        "type": "document",
        "timestamp": signed_at,
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    })


def to_json(resource: dict[str, Any]) -> str:
    """The resource as stable JSON: sorted keys, 2-space indent, UTF-8 text, a final newline."""
    return json.dumps(resource, sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def _check_signed(doc: SignedDocument) -> None:
    if sha256_text(doc.text) != doc.sha256:
        raise SignOffError(_ALTERED)
    if not doc.text.strip():  # FHIR has no empty attachment (base64Binary cannot be "")
        raise SignOffError(_EMPTY)


def _pruned(value: Any) -> Any:
    """``value`` without empty strings, lists and objects, which FHIR forbids (ele-1): a field
    the clinic left blank is absent, never ``""``."""
    if isinstance(value, dict):
        items = ((k, _pruned(v)) for k, v in value.items())
        return {k: v for k, v in items if v not in ("", [], {}, None)}
    if isinstance(value, list):
        return [v for v in map(_pruned, value) if v not in ("", [], {}, None)]
    if isinstance(value, str):
        return value.strip()
    return value


def _title(doc: SignedDocument) -> str:
    return doc.title.strip() or doc.loinc[1]


def _instant(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("FHIR instants need a timezone-aware datetime")
    return moment.isoformat(timespec="seconds")


def _uuid_of(url: str) -> str:
    return url.removeprefix("urn:uuid:")


def _language(doc: SignedDocument) -> str:
    # SignedDocument has no language yet; read it when it gains one (BCP-47, "" when unknown).
    return str(getattr(doc, "language", "") or "")


def _loinc_type(doc: SignedDocument) -> dict[str, Any]:
    code, display = doc.loinc
    return {"coding": [{"system": LOINC, "code": code, "display": display}], "text": doc.title}


def _human_name(name: PersonName) -> dict[str, Any]:
    out: dict[str, Any] = {"text": name.text}
    if name.family:
        out["family"] = name.family
    if name.given:
        out["given"] = list(name.given)
    if name.prefix:
        out["prefix"] = list(name.prefix)
    if name.suffix:
        out["suffix"] = list(name.suffix)
    return out


def _system(system: str, default: str) -> tuple[str, str]:
    """(FHIR system URI, assigner name or "") for a system the clinic typed."""
    kind, value = system_kind(system)
    if kind == "oid":
        return f"urn:oid:{value}", ""
    if kind == "uri":
        return value, ""
    return default, value


def _patient(patient: Patient, rid: str) -> dict[str, Any]:
    out: dict[str, Any] = {"resourceType": "Patient", "id": rid}
    if patient.mrn.strip():
        system, assigner = _system(patient.mrn_system, MRN_SYSTEM)
        identifier: dict[str, Any] = {"use": "usual", "type": _MRN_TYPE, "system": system,
                                      "value": patient.mrn.strip()}
        if assigner:
            identifier["assigner"] = {"display": assigner}
        out["identifier"] = [identifier]
    if patient.name.strip():
        out["name"] = [_human_name(split_name(patient.name))]
    if born := birth_date(patient.birth_date):
        out["birthDate"] = born.isoformat()
    return out


def _practitioner(signer: str, rid: str) -> dict[str, Any]:
    return {"resourceType": "Practitioner", "id": rid, "name": [_human_name(split_signer(signer))]}


def _organization(clinic: Clinic, rid: str) -> dict[str, Any] | None:
    if not clinic.name.strip() and not clinic.identifier.strip():
        return None
    out: dict[str, Any] = {"resourceType": "Organization", "id": rid}
    if clinic.identifier.strip():
        system, assigner = _system(clinic.system, CLINIC_SYSTEM)
        identifier: dict[str, Any] = {"system": system, "value": clinic.identifier.strip()}
        if assigner:
            identifier["assigner"] = {"display": assigner}
        out["identifier"] = [identifier]
    if clinic.name.strip():
        out["name"] = clinic.name.strip()
    return out


def _code_display(code: Code) -> str:
    return f"{code.code} {code.display}".strip()


def _condition(code: Code, rid: str, doc: SignedDocument) -> dict[str, Any]:
    return {
        "resourceType": "Condition",
        "id": rid,
        "category": [_ENCOUNTER_DIAGNOSIS],
        "code": {"coding": [{"system": code.system, "code": code.code, "display": code.display}],
                 "text": code.display},
        "subject": {"reference": "#patient"},
        "recordedDate": _instant(doc.signed_at),
        "recorder": {"reference": "#signer"},
    }


def _encounter(doc: SignedDocument) -> dict[str, Any]:
    ref: dict[str, Any] = {"type": "Encounter",
                           "identifier": {"system": VISIT_SYSTEM, "value": doc.visit_id}}
    if doc.visit_type.strip():
        ref["display"] = doc.visit_type.strip()
    return ref


def _period(doc: SignedDocument) -> dict[str, str]:
    period = {"start": _instant(doc.period_start)}
    if doc.period_end is not None:
        period["end"] = _instant(doc.period_end)
    return period


def _content(data: bytes, content_type: str, doc: SignedDocument) -> dict[str, Any]:
    attachment: dict[str, Any] = {
        "contentType": content_type,
        "data": base64.b64encode(data).decode("ascii"),
        "size": len(data),
        # FHIR's Attachment.hash is the base64 SHA-1 of the data (not a security measure: the
        # sha256 identifier is the one that matches the signature).
        "hash": base64.b64encode(hashlib.sha1(data).digest()).decode("ascii"),
        "title": doc.title,
        "creation": _instant(doc.signed_at),
    }
    if language := _language(doc):
        attachment["language"] = language
    return {"attachment": attachment, "format": _FORMAT}


def _paragraphs(text: str) -> str:
    """The text as XHTML paragraphs (blank lines part them, line breaks stay), every character
    escaped: a ``<script>`` in the note is text, never markup."""
    blocks = [b for b in text.replace("\r\n", "\n").split("\n\n") if b.strip()]
    return "".join("<p>" + "<br/>".join(escape(line) for line in b.split("\n")) + "</p>"
                   for b in blocks)


def _xhtml_document(doc: SignedDocument) -> str:
    language = _language(doc)
    lang = f" lang={quoteattr(language)} xml:lang={quoteattr(language)}" if language else ""
    return (f'<?xml version="1.0" encoding="UTF-8"?>\n<html xmlns="{XHTML}"{lang}>'
            f"<head><title>{escape(doc.title)}</title></head>"
            f"<body>{_paragraphs(doc.text)}</body></html>\n")


def _section(title: str, text: str) -> dict[str, Any]:
    section: dict[str, Any] = {
        "title": title,
        "text": {"status": "additional",
                 "div": f'<div xmlns="{XHTML}">{_paragraphs(text) or escape(text)}</div>'},
    }
    key = " ".join(title.lower().rstrip(":").split())
    if key in SECTION_CODES:
        code, display = SECTION_CODES[key]
        section["code"] = {"coding": [{"system": LOINC, "code": code, "display": display}]}
    return section
