"""A signed document as HL7 v2.5.1 MDM: ``MDM^T02`` for a note, ``MDM^T06`` for an addendum.

Built and validated with hl7apy. Segments: MSH, EVN, PID, PV1, TXA (TXA-17 ``LA``, legally
authenticated, with TXA-22 the signer and time), then one OBX per line of the signed text (an empty
line too, so the text reassembles exactly: :func:`text_of`). 2.5.1's MDM_T02 structure has no DG1
segment, so accepted diagnosis codes follow the text as OBX of type CWE (OBX-3 LOINC 29308-4
"Diagnosis", OBX-5 ``code^description^I10C``).

Two hl7apy limits shape this module (hl7apy 1.3.5, measured):

- Under STRICT it types OBX-5 ("varies") as ST and refuses a value over 199 characters, and a
  note's line is often longer. So the message is built and parsed TOLERANT and then checked with
  ``Message.validate()``, hl7apy's strict validator (structure, cardinality, required fields,
  data types; lengths and table values are its warnings).
- Its own escaping leaves a literal ``\\F\\`` in a value as it is (it reads back as ``|``), so
  values are escaped here (:func:`escape`), which hl7apy then leaves untouched.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.core import Message
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from scribe.domain import sha256_text
from scribe.errors import SignOffError
from scribe.export.document import ICD10CM, SignedDocument
from scribe.export.identity import PersonName, birth_date, split_name, split_signer, system_kind

__all__ = ["VERSION", "escape", "mdm", "parse", "text_of", "unescape"]

VERSION = "2.5.1"
STRUCTURE = "MDM_T02"  # T02 and T06 share it in 2.5.1
_OBX_GROUP = "MDM_T02_OBXNTE_SUPPGRP"
_DIAGNOSIS = "29308-4^Diagnosis^LN"
# HL7 table 0396 names of the coding systems a Code may carry.
_CODING_SYSTEMS = {ICD10CM: "I10C", "http://snomed.info/sct": "SCT", "http://loinc.org": "LN"}

_ESCAPES = (("\\", "\\E\\"), ("|", "\\F\\"), ("^", "\\S\\"), ("&", "\\T\\"), ("~", "\\R\\"))
_SEQUENCE = re.compile(r"\\(E|F|S|T|R|H|N|X[0-9A-Fa-f]*)\\")
_UNESCAPES = {"E": "\\", "F": "|", "S": "^", "T": "&", "R": "~", "H": "", "N": ""}

_ALTERED = "This document's text no longer matches the hash it was signed with, so it was not exported."
_NO_PATIENT = ("An HL7 v2 message needs the patient's name and MRN; add them to the visit and "
               "export again.")
_CARRIAGE_RETURN = ("This document holds a carriage return, which HL7 v2 cannot carry inside a "
                    "line; export it as FHIR or text.")
_UNBUILDABLE = ("This document could not be written as a valid HL7 v2 message; export it as FHIR "
                "or text.")


def mdm(doc: SignedDocument, *, control_id: str, sending_app: str = "SCRIBE",
        receiving_app: str = "", receiving_facility: str = "",
        now: datetime | None = None) -> str:
    """``doc`` as an ER7 MDM message (segments end in ``\\r``), validated before it is returned.

    Args:
        control_id: MSH-10, unique per message sent (the interface engine acknowledges by it).
        sending_app, receiving_app, receiving_facility: MSH-3, MSH-5 and MSH-6; the clinic is
            MSH-4, the sending facility.
        now: MSH-7, when the message is made (default: the current UTC time).
    """
    if sha256_text(doc.text) != doc.sha256:
        raise SignOffError(_ALTERED)
    if not doc.patient.name.strip() or not doc.patient.mrn.strip():
        raise SignOffError(_NO_PATIENT)
    if "\r" in doc.text:
        raise SignOffError(_CARRIAGE_RETURN)
    event = "T06" if doc.appends else "T02"
    try:
        msg = Message(STRUCTURE, version=VERSION, validation_level=VALIDATION_LEVEL.TOLERANT)
        _header(msg, doc, event, control_id, sending_app, receiving_app, receiving_facility,
                now or datetime.now(timezone.utc))
        _patient(msg, doc)
        _document(msg, doc, sending_app)
        code, display = doc.loinc
        note = f"{code}^{escape(display)}^LN"
        lines = doc.text.split("\n")
        for i, line in enumerate(lines, 1):
            _obx(msg, i, "TX", note, escape(line))
        for i, c in enumerate(doc.codes, len(lines) + 1):
            system = _CODING_SYSTEMS.get(c.system, "L")
            _obx(msg, i, "CWE", _DIAGNOSIS, f"{escape(c.code)}^{escape(c.display)}^{system}")
        msg.validate()
        er7: str = msg.to_er7()
    except HL7apyException:
        # hl7apy's messages can quote the value that broke a rule: never let them out.
        raise SignOffError(_UNBUILDABLE) from None
    return er7


def parse(er7: str) -> Message:
    """The ER7 message (segments separated by ``\\r``) parsed with its groups, then validated
    strictly; raises hl7apy's ``HL7apyException`` (e.g. ``ValidationError``) when it is not a
    valid message of its declared structure."""
    msg = parse_message(er7, validation_level=VALIDATION_LEVEL.TOLERANT, find_groups=True)
    msg.validate()
    return msg


def text_of(message: Message) -> str:
    """The document text carried by the message: its TX observations, one line each, unescaped."""
    lines = [unescape(group.obx.obx_5.to_er7()) for group in message.children.get(_OBX_GROUP)
             if group.obx.obx_2.to_er7() == "TX"]
    return "\n".join(lines)


def escape(value: str) -> str:
    """``value`` with HL7's delimiters escaped (``\\E\\`` first, then ``\\F\\ \\S\\ \\T\\ \\R\\``)."""
    for char, sequence in _ESCAPES:
        value = value.replace(char, sequence)
    return value


def unescape(value: str) -> str:
    """The text an escaped HL7 value stands for (the delimiters, ``\\Xhh..\\`` UTF-8 bytes; the
    highlight marks ``\\H\\``/``\\N\\`` are dropped)."""

    def one(m: re.Match[str]) -> str:
        seq = m.group(1)
        if seq.startswith("X"):
            try:
                return bytes.fromhex(seq[1:]).decode("utf-8", errors="replace")
            except ValueError:
                return m.group(0)
        return _UNESCAPES[seq]

    return _SEQUENCE.sub(one, value)


def _dtm(moment: datetime) -> str:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("HL7 timestamps need a timezone-aware datetime")
    return moment.strftime("%Y%m%d%H%M%S%z")


def _hd(name: str, identifier: str = "", system: str = "") -> str:
    """An HD (hierarchic designator): a namespace name, and a universal id with its type."""
    hd = escape(name.strip())
    if identifier.strip():
        kind, _ = system_kind(identifier)
        hd += f"^{escape(identifier.strip())}^{'ISO' if kind == 'oid' else 'L'}"
    return hd


def _authority(system: str) -> str:
    """CX-4, the assigning authority, as subcomponents of an HD."""
    kind, value = system_kind(system)
    if kind == "oid":
        return f"&{escape(value)}&ISO"
    if kind == "uri":
        return f"&{escape(value)}&URI"
    return escape(value)


def _person(name: PersonName) -> list[str]:
    """XPN/XCN name components 1–6 from the family name on (family^given^middle^suffix^prefix)."""
    family = name.family or name.text
    given = name.given[:1]
    middle = name.given[1:]
    # A clinician's degrees go to the professional suffix (XCN-21/PPN-22), not here.
    return [escape(family), escape(" ".join(given)), escape(" ".join(middle)), "",
            escape(" ".join(name.prefix))]


def _xpn(name: PersonName) -> str:
    family, given, middle, _, prefix = _person(name)
    return "^".join([family, given, middle, escape(" ".join(name.suffix)), prefix, "", "L"]).rstrip("^")


def _xcn(signer: str, *, time: datetime | None = None) -> str:
    """The signer as an XCN (or, with ``time``, a PPN: the same name and PPN-15 the time)."""
    name = split_signer(signer)
    parts = ["", *_person(name)]  # XCN-1 (an id) is empty: Scribe knows no provider number
    parts += [""] * (21 - len(parts))
    if time is not None:
        parts[14] = _dtm(time)  # PPN-15, date/time action performed
        parts.append("")
    parts[-1] = escape(", ".join(name.suffix))  # XCN-21 / PPN-22, professional suffix
    return "^".join(parts).rstrip("^")


def _header(msg: Message, doc: SignedDocument, event: str, control_id: str, sending_app: str,
            receiving_app: str, receiving_facility: str, now: datetime) -> None:
    msh = msg.msh
    msh.msh_3 = escape(sending_app)
    if doc.clinic.name.strip() or doc.clinic.identifier.strip():
        msh.msh_4 = _hd(doc.clinic.name, doc.clinic.identifier, doc.clinic.system)
    if receiving_app:
        msh.msh_5 = escape(receiving_app)
    if receiving_facility:
        msh.msh_6 = escape(receiving_facility)
    msh.msh_7 = _dtm(now)
    msh.msh_9 = f"MDM^{event}^{STRUCTURE}"
    msh.msh_10 = escape(control_id)
    msh.msh_11 = "P"
    msh.msh_18 = "UNICODE UTF-8"
    msg.evn.evn_1 = event
    msg.evn.evn_2 = _dtm(doc.signed_at)


def _patient(msg: Message, doc: SignedDocument) -> None:
    patient = doc.patient
    pid = msg.pid
    pid.pid_1 = "1"
    cx = f"{escape(patient.mrn.strip())}^^^{_authority(patient.mrn_system)}^MR"
    pid.pid_3 = cx
    pid.pid_5 = _xpn(split_name(patient.name))
    if born := birth_date(patient.birth_date):
        pid.pid_7 = born.strftime("%Y%m%d")
    pv1 = msg.pv1
    pv1.pv1_1 = "1"
    pv1.pv1_2 = "O"  # outpatient
    pv1.pv1_19 = escape(doc.visit_id)
    pv1.pv1_44 = _dtm(doc.period_start)
    if doc.period_end is not None:
        pv1.pv1_45 = _dtm(doc.period_end)


def _document(msg: Message, doc: SignedDocument, sending_app: str) -> None:
    txa = msg.txa
    txa.txa_1 = "1"
    txa.txa_2 = escape(doc.hl7_type)
    txa.txa_3 = "TX"
    txa.txa_4 = _dtm(doc.period_start)  # the activity the document records: the visit
    txa.txa_5 = _xcn(doc.signer)
    txa.txa_6 = _dtm(doc.signed_at)
    txa.txa_9 = _xcn(doc.signer)
    txa.txa_12 = f"{escape(doc.id)}^{escape(sending_app)}"
    if doc.appends:
        txa.txa_13 = f"{escape(doc.appends)}^{escape(sending_app)}"
    txa.txa_17 = "LA"  # legally authenticated
    txa.txa_19 = "AV"  # available for patient care
    txa.txa_22 = _xcn(doc.signer, time=doc.signed_at)


def _obx(msg: Message, set_id: int, value_type: str, identifier: str, value: str) -> None:
    obx = msg.add_group(_OBX_GROUP).obx
    obx.obx_1 = str(set_id)
    obx.obx_2 = value_type
    obx.obx_3 = identifier
    if value:
        obx.obx_5 = value
    obx.obx_11 = "F"
