"""A signed document as plain data: what every export format (FHIR, HL7 v2, text) is built from.

Nothing here reads the store: ``scribe.visit.export`` gathers a signed note (or an addendum, or a
signed after-visit summary) with the patient's and the clinic's identity into a
:class:`SignedDocument`, and the format builders (``scribe.export.fhir``, ``scribe.export.hl7``)
turn it into bytes. Only a signed text ever becomes a ``SignedDocument``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

__all__ = ["ICD10CM", "Clinic", "Code", "Patient", "SignedDocument", "TEMPLATE_KINDS"]

ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"


@dataclass(frozen=True)
class Patient:
    """Who the visit was with; every field may be empty (the clinic may not use them)."""

    name: str = ""  # as typed: "Jane Q Doe" or "Doe, Jane"
    birth_date: str = ""  # ISO date, YYYY-MM-DD, or ""
    mrn: str = ""  # medical record number
    mrn_system: str = ""  # the clinic's identifier system (a URI, or an HL7 assigning authority)


@dataclass(frozen=True)
class Clinic:
    """The organisation that keeps the record (FHIR custodian, HL7 sending facility)."""

    name: str = ""
    identifier: str = ""  # e.g. an NPI or the clinic's own id
    system: str = ""  # the identifier's system, e.g. "http://hl7.org/fhir/sid/us-npi"


@dataclass(frozen=True)
class Code:
    """An accepted diagnosis code (ICD-10-CM) that travels with the note."""

    code: str  # "I10"
    display: str  # the code's official description
    system: str = ICD10CM


# Template id -> (LOINC code, LOINC display, HL7 v2 table 0270 document type: PR progress note,
# HP history and physical, CN consultation).
TEMPLATE_KINDS: dict[str, tuple[str, str, str]] = {
    "soap": ("11506-3", "Progress note", "PR"),
    "progress": ("11506-3", "Progress note", "PR"),
    "hp": ("34117-2", "History and physical note", "HP"),
    "consult": ("11488-4", "Consult note", "CN"),
    "referral": ("57133-1", "Referral note", "RL"),  # RL: a local code, table 0270 has none
    "summary": ("11506-3", "Progress note", "PR"),  # the after-visit summary handed to the patient
}


@dataclass(frozen=True)
class SignedDocument:
    """One signed document, exactly as it was signed, with the identity it is filed under."""

    id: str  # the document's own id: the visit id for a note, the addendum's id for an addendum
    visit_id: str
    kind: str  # "note" | "addendum" | "summary"
    template: str  # a key of TEMPLATE_KINDS (unknown ids export as a progress note)
    title: str  # "SOAP note", "Addendum", "After-visit summary"
    text: str  # the exact signed text (no signature block)
    sha256: str  # of ``text``, as stored at signing
    signer: str  # "Name, Credentials" of the signed-in clinician who signed
    signed_at: datetime  # timezone-aware
    attestation: str
    patient: Patient
    clinic: Clinic
    visit_type: str  # "office visit", "telehealth", ... or ""
    period_start: datetime  # when the encounter began (timezone-aware)
    period_end: datetime | None = None
    codes: tuple[Code, ...] = ()
    appends: str | None = None  # for an addendum: the id of the document it appends to
    appends_sha256: str | None = None
    sections: tuple[tuple[str, str], ...] = ()  # (section title, its signed text), for structure
    language: str = ""  # BCP-47 of the signed text ("en", "es"), "" when unknown

    @property
    def loinc(self) -> tuple[str, str]:
        code, display, _ = TEMPLATE_KINDS.get(self.template, TEMPLATE_KINDS["progress"])
        return code, display

    @property
    def file_stem(self) -> str:
        """A file name an interface engine can match, naming no patient: scribe-note-<id>."""
        return f"scribe-{self.kind}-{self.id}"

    @property
    def hl7_type(self) -> str:
        return TEMPLATE_KINDS.get(self.template, TEMPLATE_KINDS["progress"])[2]
