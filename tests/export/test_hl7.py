"""HL7 v2 export: what an interface engine parses out of the MDM message."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from hl7apy.consts import VALIDATION_LEVEL
from hl7apy.exceptions import HL7apyException
from hl7apy.parser import parse_message

from scribe.errors import SignOffError
from scribe.export.document import TEMPLATE_KINDS, Code, Patient
from scribe.export.hl7 import escape, mdm, parse, text_of, unescape
from tests.export.documents import TEXT, addendum_to, signed_document

NOW = datetime(2024, 5, 1, 16, 0, tzinfo=timezone.utc)


def _message(doc, **kwargs):
    return mdm(doc, control_id=kwargs.pop("control_id", "MSG0001"), now=NOW, **kwargs)


def _parsed(er7):
    """Parsed by hl7apy itself (not this module's helper), then strictly validated."""
    msg = parse_message(er7, validation_level=VALIDATION_LEVEL.TOLERANT, find_groups=True)
    assert msg.validate() is True
    return msg


def _field(er7: str, segment: str, number: int) -> str:
    [line] = [s for s in er7.split("\r") if s.startswith(segment + "|")]
    return line.split("|")[number]


@pytest.mark.parametrize("template", sorted(TEMPLATE_KINDS))
def test_a_signed_note_parses_back_as_a_legally_authenticated_mdm_t02(template):
    doc = signed_document(template=template)
    er7 = _message(doc, receiving_app="EPIC", receiving_facility="MAIN")
    msg = _parsed(er7)
    assert msg.name == "MDM_T02"
    assert msg.msh.msh_9.to_er7() == "MDM^T02^MDM_T02"
    assert msg.msh.msh_10.to_er7() == "MSG0001"
    assert msg.msh.msh_12.to_er7() == "2.5.1"
    assert msg.msh.msh_3.to_er7() == "SCRIBE"
    assert msg.msh.msh_4.hd_1.to_er7() == "Main Street Clinic"
    assert (msg.msh.msh_5.to_er7(), msg.msh.msh_6.to_er7()) == ("EPIC", "MAIN")
    assert msg.msh.msh_7.to_er7() == "20240501160000+0000"
    txa = msg.txa
    assert txa.txa_2.to_er7() == TEMPLATE_KINDS[template][2]
    assert txa.txa_3.to_er7() == "TX"
    assert txa.txa_12.ei_1.to_er7() == doc.id
    assert txa.txa_13.to_er7() == ""
    assert txa.txa_17.to_er7() == "LA"
    assert txa.txa_19.to_er7() == "AV"
    # TXA-22 (PPN): who authenticated, and when
    assert txa.txa_22.ppn_2.to_er7() == "Smith"
    assert txa.txa_22.ppn_3.to_er7() == "Ann"
    assert txa.txa_22.ppn_15.to_er7() == "20240501104207-0500"
    assert txa.txa_22.ppn_22.to_er7() == "MD"
    assert txa.txa_9.xcn_2.to_er7() == "Smith"
    assert msg.pid.pid_3.cx_1.to_er7() == "MRN-0042"
    assert msg.pid.pid_3.cx_4.to_er7() == "&2.16.840.1.113883.19.5&ISO"
    assert msg.pid.pid_3.cx_5.to_er7() == "MR"
    assert (msg.pid.pid_5.xpn_1.to_er7(), msg.pid.pid_5.xpn_2.to_er7()) == ("Doe", "Jane")
    assert msg.pid.pid_7.to_er7() == "19800203"
    assert msg.pv1.pv1_2.to_er7() == "O"
    assert msg.pv1.pv1_19.to_er7() == doc.visit_id
    assert msg.pv1.pv1_44.to_er7() == "20240501100000-0500"
    assert er7.startswith("MSH|^~\\&|") and "\n" not in er7


@pytest.mark.parametrize("text", [
    TEXT,
    "Delimiters | ^ & ~ \\ and escapes typed literally: \\F\\ \\S\\ \\E\\ \\X0D\\ \\H\\ end\\",
    "Café, naïve, 漢字, emoji 🙂\n\n\nthree blank lines above, a tab\there",
    "\nstarts with an empty line and ends with one\n",
    "one very long line " * 40,
    "",
])
def test_the_text_reassembles_exactly(text):
    er7 = _message(signed_document(text=text))
    msg = _parsed(er7)
    assert text_of(msg) == text
    assert text_of(parse(er7)) == text
    observations = [g.obx for g in msg.children.get("MDM_T02_OBXNTE_SUPPGRP")]
    tx = [o for o in observations if o.obx_2.to_er7() == "TX"]
    assert len(tx) == text.count("\n") + 1  # one OBX per line, empty lines included
    assert all(o.obx_11.to_er7() == "F" for o in tx)
    assert [o.obx_1.to_er7() for o in observations] == [str(i) for i in range(1, len(observations) + 1)]


def test_delimiters_in_identity_fields_are_escaped_not_split():
    doc = signed_document(patient=Patient(name="O'Brien^Smith, Jane", mrn="A|7&B",
                                          mrn_system="MAINST"))
    er7 = _message(doc, control_id="42^43")
    msg = _parsed(er7)
    assert unescape(msg.pid.pid_5.xpn_1.to_er7()) == "O'Brien^Smith"
    assert msg.pid.pid_5.xpn_2.to_er7() == "Jane"
    assert unescape(msg.pid.pid_3.cx_1.to_er7()) == "A|7&B"
    assert msg.pid.pid_3.cx_4.to_er7() == "MAINST"
    assert unescape(msg.msh.msh_10.to_er7()) == "42^43"
    assert _field(er7, "PID", 5).startswith("O'Brien\\S\\Smith^Jane")


def test_an_addendum_is_t06_naming_its_parent_document():
    original = signed_document()
    addendum = addendum_to(original)
    msg = _parsed(_message(addendum))
    assert msg.name == "MDM_T02"  # 2.5.1: T06 uses the MDM_T02 structure
    assert msg.msh.msh_9.to_er7() == "MDM^T06^MDM_T02"
    assert msg.evn.evn_1.to_er7() == "T06"
    assert msg.txa.txa_12.ei_1.to_er7() == addendum.id
    assert msg.txa.txa_13.ei_1.to_er7() == original.id
    assert msg.txa.txa_17.to_er7() == "LA"
    assert text_of(msg) == addendum.text


def test_accepted_codes_follow_the_text_as_coded_observations():
    codes = (Code("I10", "Essential (primary) hypertension"), Code("J20.9", "Acute bronchitis, unspecified"))
    doc = signed_document(codes=codes)
    msg = _parsed(_message(doc))
    coded = [g.obx for g in msg.children.get("MDM_T02_OBXNTE_SUPPGRP") if g.obx.obx_2.to_er7() == "CWE"]
    assert [o.obx_3.to_er7() for o in coded] == ["29308-4^Diagnosis^LN"] * 2
    assert [o.obx_5.to_er7() for o in coded] == [
        "I10^Essential (primary) hypertension^I10C", "J20.9^Acute bronchitis, unspecified^I10C"]
    assert text_of(msg) == doc.text  # the codes are not part of the text


def test_the_validator_rejects_a_message_missing_txa_17_or_pid():
    er7 = _message(signed_document())
    segments = er7.split("\r")
    txa = segments.index(next(s for s in segments if s.startswith("TXA|")))
    fields = segments[txa].split("|")
    fields[17] = ""
    no_status = "\r".join(segments[:txa] + ["|".join(fields)] + segments[txa + 1:])
    with pytest.raises(HL7apyException, match="TXA_17"):
        parse(no_status)
    without_pid = "\r".join(s for s in segments if not s.startswith("PID|"))
    with pytest.raises(HL7apyException, match="PID"):
        parse(without_pid)
    parse(er7)  # the untouched message passes


@pytest.mark.parametrize("patient", [Patient(name="Jane Doe"), Patient(mrn="42"), Patient()])
def test_hl7_needs_the_patient_name_and_mrn(patient):
    with pytest.raises(SignOffError, match="name and MRN"):
        _message(signed_document(patient=patient))


def test_a_text_that_hl7_cannot_carry_or_that_was_altered_is_refused():
    with pytest.raises(SignOffError, match="carriage return"):
        _message(signed_document(text="line one\r\nline two"))
    with pytest.raises(SignOffError, match="no longer matches"):
        _message(signed_document(sha256="0" * 64))


@pytest.mark.parametrize("value", ["a|b^c&d~e\\f", "\\F\\", "", "plain", "\\\\E\\\\"])
def test_escape_round_trips(value):
    assert unescape(escape(value)) == value
    assert not set("|^&~") & set(escape(value))
