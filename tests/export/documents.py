"""A signed document to export, as the store would hand it over (tests/export only)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any

from scribe.domain import sha256_text
from scribe.export.document import Clinic, Code, Patient, SignedDocument

EASTERN = timezone(timedelta(hours=-5))
TEXT = (
    "Chief complaint: cough for 3 days.\n"
    "\n"
    "Café owner; says \"<script>alert('x')</script>\" & coughs | worse ^ at night ~ 50%.\n"
    "Plan: rest, fluids. Follow up in 1 week.\n"
)


def signed_document(text: str = TEXT, **changes: Any) -> SignedDocument:
    """A signed SOAP note for Jane Doe; ``changes`` replace any field (the hash follows ``text``)."""
    visit = uuid.uuid4().hex
    fields: dict[str, Any] = dict(
        id=visit,
        visit_id=visit,
        kind="note",
        template="soap",
        title="SOAP note",
        text=text,
        sha256=sha256_text(text),
        signer="Ann B Smith, MD",
        signed_at=datetime(2024, 5, 1, 10, 42, 7, tzinfo=EASTERN),
        attestation="I reviewed and signed this note.",
        patient=Patient(name="Doe, Jane Q", birth_date="1980-02-03", mrn="MRN-0042",
                        mrn_system="urn:oid:2.16.840.1.113883.19.5"),
        clinic=Clinic(name="Main Street Clinic", identifier="1234567893",
                      system="http://hl7.org/fhir/sid/us-npi"),
        visit_type="office visit",
        period_start=datetime(2024, 5, 1, 10, 0, tzinfo=EASTERN),
        period_end=datetime(2024, 5, 1, 10, 25, tzinfo=EASTERN),
        codes=(Code("I10", "Essential (primary) hypertension"),),
        sections=(("Chief complaint", "cough for 3 days."),
                  ("Plan", "rest, fluids. Follow up in 1 week.")),
    )
    fields.update(changes)
    return SignedDocument(**fields)


def addendum_to(original: SignedDocument, text: str = "Addendum: chest X-ray clear.\n"
                ) -> SignedDocument:
    return dataclasses.replace(
        original, id=uuid.uuid4().hex, kind="addendum", title="Addendum", text=text,
        sha256=sha256_text(text), appends=original.id, appends_sha256=original.sha256,
        signed_at=original.signed_at + timedelta(days=1), codes=(), sections=())
