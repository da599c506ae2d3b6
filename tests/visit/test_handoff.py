"""Issue 16 end to end on the real encrypted store: the patient's identity, ICD-10-CM decisions,
the after-visit summary signed like a note, and signed documents handed to the EHR as FHIR R4,
HL7 v2.5.1 and text, through the CLI the way an IT admin would script it."""

from __future__ import annotations

import base64
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from fhir.resources.R4B.documentreference import DocumentReference
from hl7apy.parser import parse_message

from scribe.cli import main
from scribe.domain import (
    CodeState,
    Identity,
    NoteDraft,
    Section,
    Segment,
    Sentence,
    Status,
    Transcript,
)
from scribe.errors import InputError, SignOffError
from scribe.store.secure import connect
from scribe.store.settings import Setting
from scribe.visit.documents import draft_document, suggest_codes
from scribe.visit.handoff import deliver_to_folder
from scribe.visit.workspace import Workspace

SIGNER = "Dr. Ada Lovelace, MD"
PATIENT = Identity("Jane Q Doe", "1961-04-02", "MRN-0042", "Follow-up")
SEGMENTS = (
    Segment(0, 0.0, 3.0, "My blood pressure has been high, and my sugars too.", "patient"),
    Segment(1, 3.0, 7.0, "Your blood pressure is 150 over 90. We will increase lisinopril to "
                         "20 mg daily.", "clinician"),
    Segment(2, 7.0, 10.0, "For your type 2 diabetes keep metformin 500 mg twice a day.",
            "clinician"),
)
NOTE = NoteDraft(sections=[
    Section("Subjective", [Sentence("Reports high blood pressure and high sugars.", (0,))]),
    Section("Assessment and Plan", [
        Sentence("Hypertension, not at goal.", (1,)),
        Sentence("Increase lisinopril to 20 mg daily.", (1,)),
        Sentence("Type 2 diabetes mellitus.", (2,)),
        Sentence("Continue metformin 500 mg twice a day.", (2,)),
    ]),
])


def _visit(ws: Workspace, identity: Identity | None = PATIENT) -> str:
    store = ws.store
    enc = store.create_encounter("Follow-up", Status.TRANSCRIBING, consent=True,
                                 identity=identity)
    store.save_transcript(enc.id, Transcript(segments=SEGMENTS))
    store.save_draft(enc.id, NOTE)
    suggest_codes(ws, enc.id)
    return enc.id


def _cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out = capsys.readouterr()
    return code, out.out, out.err.strip()


# --- identity ---------------------------------------------------------------------------------
def test_identity_is_kept_searchable_and_audited_without_its_values(workspace, capsys):
    eid = _visit(workspace)
    enc = workspace.store.get(eid)
    assert enc.identity.patient_name == "Jane Q Doe" and enc.identity.mrn == "MRN-0042"
    assert [e.id for e in workspace.store.list("MRN-0042")] == [eid]
    assert [e.id for e in workspace.store.list("Jane Q")] == [eid]
    details = " ".join(e.detail for e in workspace.store.audit_events(eid))
    assert "fields=patient_name,patient_birth_date,patient_mrn,visit_type" in details
    assert "Jane" not in details and "0042" not in details and "1961" not in details
    code, out, _ = _cli(capsys, "list")
    assert code == 0 and "Jane Q Doe · MRN MRN-0042 · DOB 1961-04-02" in out


@pytest.mark.parametrize("dob, words", [("02/04/1961", "YYYY-MM-DD"),
                                        ("2999-01-01", "not a possible date"),
                                        ("1961-02-30", "YYYY-MM-DD")])
def test_a_bad_date_of_birth_is_one_sentence_and_changes_nothing(workspace, dob, words):
    eid = _visit(workspace, None)
    with pytest.raises(InputError, match=words):
        workspace.store.set_identity(eid, Identity("Jane Doe", dob))
    assert workspace.store.get(eid).identity.empty


def test_identity_locks_at_signing_in_the_database_itself(workspace, scribe_home):
    eid = _visit(workspace)
    workspace.store.sign(eid, SIGNER, "I attest.")
    with pytest.raises(SignOffError, match="addendum"):
        workspace.store.set_identity(eid, Identity("Someone Else"))
    attacker = connect(scribe_home / "scribe.db", workspace.key)
    with pytest.raises(Exception, match="signed visit is immutable"):
        attacker.execute("UPDATE encounters SET patient_mrn = 'MRN-9999' WHERE id = ?", [eid])
    attacker.close()
    assert workspace.store.get(eid).identity.mrn == "MRN-0042"


# --- codes ------------------------------------------------------------------------------------
def test_codes_come_from_assessed_problems_and_only_accepted_ones_travel(workspace, capsys):
    eid = _visit(workspace)
    codes = {c.code: c for c in workspace.store.codes(eid)}
    assert "I10" in codes and codes["I10"].evidence == (1,)
    assert any(c.startswith("E11") for c in codes)
    assert all(c.state == CodeState.SUGGESTED for c in codes.values())
    code, out, _ = _cli(capsys, "codes", eid[:8], "--accept", "I10")
    assert code == 0 and "[x] I10" in out
    workspace.store.sign(eid, SIGNER, "I attest.")
    states = {c.code: c.state for c in workspace.store.codes(eid)}
    assert states["I10"] == CodeState.ACCEPTED
    assert all(s == CodeState.REMOVED for c, s in states.items() if c != "I10")
    actions = [e.action for e in workspace.store.audit_events(eid)]
    assert "code_accepted" in actions and "codes_not_accepted" in actions
    code, _, err = _cli(capsys, "codes", eid[:8], "--accept", next(c for c in codes if c != "I10"))
    assert code == 1 and "signed" in err
    code, out, _ = _cli(capsys, "export", eid[:8], "--format", "hl7")
    assert "I10" in out and not any(c in out for c in codes if c != "I10")


def test_an_accepted_code_changed_after_signing_breaks_verification(workspace, scribe_home):
    eid = _visit(workspace)
    workspace.store.decide_code(eid, "I10", accept=True)
    workspace.store.sign(eid, SIGNER, "I attest.")
    assert workspace.store.verify_audit().ok
    attacker = connect(scribe_home / "scribe.db", workspace.key)
    with pytest.raises(Exception, match="immutable"):
        attacker.execute("UPDATE codes SET code = 'I15.0' WHERE encounter_id = ?", [eid])
    # An attacker who drops the trigger first is caught by the signature's digest.
    attacker.execute("DROP TRIGGER codes_signed_no_update")
    attacker.execute("UPDATE codes SET description = 'Renovascular hypertension' "
                     "WHERE encounter_id = ? AND code = 'I10'", [eid])
    attacker.commit()
    attacker.close()
    result = workspace.store.verify_audit()
    assert not result.ok and "changed after signing" in result.message()


# --- after-visit summary ----------------------------------------------------------------------
def test_summary_is_written_from_the_signed_note_reviewed_and_signed(workspace, scribe_home):
    eid = _visit(workspace)
    with pytest.raises(SignOffError, match="Sign the note first"):
        draft_document(workspace, eid)
    workspace.store.sign(eid, SIGNER, "I attest.")
    doc = draft_document(workspace, eid)
    text = doc.current.text.lower()
    assert "lisinopril 20 mg" in text and "high blood pressure" in text
    assert all(s.evidence for s in doc.current.sentences() if "lisinopril" in s.text.lower())
    edited = NoteDraft.from_dict(doc.current.to_dict())
    edited.sections[0].sentences.append(Sentence("Bring your blood pressure log next time."))
    workspace.store.update_document(doc.id, edited)
    sig = workspace.store.sign_document(doc.id, SIGNER, "I attest.")
    signed = workspace.store.get_document(doc.id)
    assert signed.signed and "blood pressure log" in signed.signed_text
    with pytest.raises(SignOffError):
        workspace.store.update_document(doc.id, NOTE)
    attacker = connect(scribe_home / "scribe.db", workspace.key)
    with pytest.raises(Exception, match="signed document is immutable"):
        attacker.execute("UPDATE documents SET signed_text = 'Stop all medicines.' WHERE id = ?",
                         [doc.id])
    attacker.execute("DROP TRIGGER documents_signed_no_update")
    attacker.execute("UPDATE documents SET signed_text = 'Stop all medicines.' WHERE id = ?",
                     [doc.id])
    attacker.commit()
    attacker.close()
    assert sig.sha256 and not workspace.store.verify_audit().ok


# --- hand-off ---------------------------------------------------------------------------------
def test_unsigned_note_is_refused_in_every_format_and_nothing_is_written(workspace, capsys,
                                                                         tmp_path):
    eid = _visit(workspace)
    target = tmp_path / "exports"
    target.mkdir()
    for fmt in ("fhir", "hl7", "text"):
        out_file = target / f"note.{fmt}"
        code, out, err = _cli(capsys, "export", eid[:8], "--format", fmt, "-o", str(out_file))
        assert code == 1 and err == ("scribe: This note is not signed; it must be signed before "
                                     "it can be exported.")
        assert not out_file.exists() and out == ""
    assert list(target.iterdir()) == []
    assert "exported" not in [e.action for e in workspace.store.audit_events(eid)]


def test_fhir_export_is_a_valid_us_core_document_reference(workspace, capsys, tmp_path):
    eid = _visit(workspace)
    settings = workspace.settings
    settings.set(Setting.CLINIC_NAME, "Riverside Family Practice")
    settings.set(Setting.MRN_SYSTEM, "urn:oid:2.16.840.1.113883.19.5")
    workspace.store.decide_code(eid, "I10", accept=True)
    workspace.store.sign(eid, SIGNER, "I attest.")
    out_file = tmp_path / "note.json"
    code, _, err = _cli(capsys, "export", eid[:8], "--format", "fhir", "-o", str(out_file))
    assert code == 0, err
    resource = json.loads(out_file.read_text())
    DocumentReference.model_validate(resource)  # raises on anything R4 does not allow
    assert resource["status"] == "current" and resource["docStatus"] == "final"
    assert resource["type"]["coding"][0]["code"] == "11506-3"  # SOAP -> progress note
    assert resource["category"][0]["coding"][0]["code"] == "clinical-note"
    contained = {r["resourceType"]: r for r in resource["contained"]}
    assert contained["Patient"]["identifier"][0]["value"] == "MRN-0042"
    assert contained["Patient"]["birthDate"] == "1961-04-02"
    assert contained["Organization"]["name"] == "Riverside Family Practice"
    attachment = resource["content"][0]["attachment"]
    assert base64.b64decode(attachment["data"]).decode() == workspace.store.get_note(
        eid).signed_text
    assert "I10" in json.dumps(resource)
    assert out_file.stat().st_mode & 0o077 == 0  # private, like every export


def test_addendum_exports_as_appends_and_t06(workspace, capsys):
    eid = _visit(workspace)
    workspace.store.sign(eid, SIGNER, "I attest.")
    add = workspace.store.add_addendum(eid, "Potassium normal on review.", SIGNER, "I attest.")
    code, out, _ = _cli(capsys, "export", eid[:8], "--format", "fhir", "--document", add.id[:8])
    resource = json.loads(out)
    DocumentReference.model_validate(resource)
    assert resource["relatesTo"][0]["code"] == "appends"
    assert eid in json.dumps(resource["relatesTo"][0]["target"])
    code, out, _ = _cli(capsys, "export", eid[:8], "--format", "hl7", "--document", add.id[:8])
    msg = parse_message(out.replace("\n", "\r").strip(), find_groups=False)
    assert msg.msh.msh_9.to_er7() == "MDM^T06^MDM_T02"
    assert msg.txa.txa_13.to_er7().split("^")[0] == eid
    assert msg.txa.txa_17.to_er7() == "LA"


def test_drop_folder_gets_one_file_per_signed_document_naming_no_patient(workspace, tmp_path):
    eid = _visit(workspace)
    workspace.store.sign(eid, SIGNER, "I attest.")
    workspace.store.add_addendum(eid, "Potassium normal.", SIGNER, "I attest.")
    doc = draft_document(workspace, eid)
    workspace.store.sign_document(doc.id, SIGNER, "I attest.")
    drop = tmp_path / "ehr-inbox"
    drop.mkdir()
    workspace.settings.set(Setting.EXPORT_FOLDER, str(drop))
    workspace.settings.set(Setting.EXPORT_FORMAT, "hl7")
    files = deliver_to_folder(workspace, eid)
    names = sorted(p.name for p in drop.iterdir())
    assert names == sorted(p.name for p in files) and len(names) == 3
    assert all(n.startswith("scribe-") and n.endswith(".hl7") for n in names)
    assert not any("Doe" in n or "0042" in n for n in names)
    kinds = [parse_message(p.read_text().replace("\n", "\r").strip(), find_groups=False)
             .msh.msh_9.to_er7() for p in sorted(files)]
    assert sorted(kinds) == ["MDM^T02^MDM_T02", "MDM^T02^MDM_T02", "MDM^T06^MDM_T02"]
    exports = [e.detail for e in workspace.store.audit_events(eid) if e.action == "exported"]
    assert len(exports) == 3 and all("drop folder" in d for d in exports)


def test_post_to_a_real_fhir_server_on_loopback(workspace, capsys):
    received: list[tuple[str, str, bytes]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, self.headers.get("Authorization", ""), body))
            self.send_response(201)
            self.send_header("Location", "DocumentReference/abc/_history/1")
            self.end_headers()

        def log_message(self, *_args) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        eid = _visit(workspace)
        code, _, err = _cli(capsys, "export", eid[:8], "--post")
        assert code == 1 and "No FHIR server is configured" in err and not received
        workspace.store.sign(eid, SIGNER, "I attest.")
        workspace.settings.set(Setting.FHIR_ENDPOINT, f"http://127.0.0.1:{server.server_port}/fhir")
        workspace.settings.set(Setting.FHIR_TOKEN, "s3cret")
        code, out, err = _cli(capsys, "export", eid[:8], "--post")
        assert code == 0, err
        assert "DocumentReference/abc" in out
        path, auth, body = received[0]
        assert path == "/fhir/DocumentReference" and auth == "Bearer s3cret"
        DocumentReference.model_validate(json.loads(body))
        events = [e for e in workspace.store.audit_events(eid) if e.action == "exported"]
        assert "fhir server" in events[-1].detail and "s3cret" not in events[-1].detail
    finally:
        server.shutdown()


def test_show_json_carries_identity_codes_and_documents(workspace, capsys):
    eid = _visit(workspace)
    workspace.store.sign(eid, SIGNER, "I attest.")
    draft_document(workspace, eid)
    code, out, _ = _cli(capsys, "show", eid[:8], "--json")
    shown = json.loads(out)
    assert shown["patient"]["mrn"] == "MRN-0042"
    assert {c["code"] for c in shown["codes"]} >= {"I10"}
    assert shown["documents"][0]["kind"] == "summary"
    assert shown["documents"][0]["signed"] is False
    assert date.fromisoformat(shown["patient"]["birth_date"]).year == 1961


def test_editing_the_assessment_codes_it_again_without_touching_decisions(workspace):
    eid = _visit(workspace)
    workspace.store.decide_code(eid, "I10", accept=True)
    events = len(workspace.store.audit_events(eid))
    suggest_codes(workspace, eid)  # an autosave that changed no problem writes nothing
    assert len(workspace.store.audit_events(eid)) == events
    note = workspace.store.get_note(eid).current
    note.sections[1].sentences.append(Sentence("Chronic obstructive pulmonary disease.", (2,)))
    workspace.store.update_note(eid, note)
    codes = {c.code: c.state for c in suggest_codes(workspace, eid)}
    assert codes["I10"] == CodeState.ACCEPTED and codes["J44.9"] == CodeState.SUGGESTED


def test_a_failing_suggester_never_fails_the_visit(workspace, monkeypatch, caplog):
    # Simulated fault (the index cannot be damaged for one test without damaging the install).
    from scribe.export import icd
    from scribe.visit.documents import suggest_codes_quietly

    eid = _visit(workspace, None)

    def broken(_note):  # noqa: ANN001, ANN202
        raise RuntimeError("index unreadable")

    monkeypatch.setattr(icd, "suggest_codes", broken)
    suggest_codes_quietly(workspace, eid)
    assert workspace.store.get(eid).status == Status.IN_REVIEW
    assert "RuntimeError" in caplog.text and "Hypertension" not in caplog.text
