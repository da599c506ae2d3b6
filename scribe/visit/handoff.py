"""Signed documents to the EHR: FHIR R4 DocumentReference, HL7 v2.5.1 MDM, or text, to a file,
standard output, the clinic's drop folder or (when IT configured one) its FHIR server.

Every document is audited before its bytes leave (``exported`` with the target and the format,
never a path or patient text), and only signed documents exist here: an unsigned note raises
one sentence before anything is written or recorded. An addendum is its own document (FHIR
``relatesTo appends``, HL7 ``MDM^T06``); so is a signed after-visit summary or letter.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from scribe.domain import CodeState, Encounter, new_id
from scribe.errors import NotFoundError, ScribeError, SignOffError
from scribe.export import fhir, fhir_client, hl7
from scribe.export.document import Clinic, Code, Patient, SignedDocument
from scribe.export.text import PrivateFile, document_text, export_text
from scribe.nlp.safe_text import clean_text
from scribe.store.settings import EXPORT_FORMATS, Setting
from scribe.visit.export import commit_export
from scribe.visit.workspace import Workspace

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "deliver_to_folder",
    "export_document",
    "post_to_server",
    "render",
    "select",
    "signed_documents",
]

FORMATS = EXPORT_FORMATS
EXTENSIONS = {"fhir": ".json", "hl7": ".hl7", "text": ".txt"}
TITLES = {"summary": "After-visit summary", "referral": "Referral letter", "addendum": "Addendum"}


def _patient(ws: Workspace, enc: Encounter) -> Patient:
    ident = enc.identity
    return Patient(ident.patient_name, ident.birth_date, ident.mrn,
                   ws.settings.text(Setting.MRN_SYSTEM))


def _clinic(ws: Workspace) -> Clinic:
    s = ws.settings
    return Clinic(s.text(Setting.CLINIC_NAME), s.text(Setting.CLINIC_IDENTIFIER),
                  s.text(Setting.CLINIC_IDENTIFIER_SYSTEM))


def signed_documents(ws: Workspace, encounter_id: str) -> list[SignedDocument]:
    """The signed note first, then its addenda, then signed summaries and letters, in order."""
    store = ws.store
    enc = store.get(encounter_id)
    note = store.get_note(encounter_id)
    if note is None or note.signature is None or note.signed_text is None:
        raise SignOffError("This note is not signed; it must be signed before it can be "
                           "exported.")
    end = enc.encounter_at + timedelta(seconds=enc.duration_s) if enc.duration_s else None
    codes = tuple(Code(c.code, c.description) for c in store.codes(encounter_id)
                  if c.state == CodeState.ACCEPTED)
    common = dict(visit_id=enc.id, patient=_patient(ws, enc), clinic=_clinic(ws),
                  visit_type=enc.identity.visit_type, period_start=enc.encounter_at,
                  period_end=end)
    transcript = store.get_transcript(encounter_id)
    common["language"] = transcript.language if transcript else ""
    sig = note.signature
    note_doc = SignedDocument(
        id=enc.id, kind="note", template=note.current.template, title=_title(ws, note.current),
        text=note.signed_text, sha256=sig.sha256, signer=sig.signer, signed_at=sig.signed_at,
        attestation=sig.attestation, codes=codes,
        sections=tuple((s.title, s.text) for s in note.current.sections), **common)
    docs = [note_doc]
    for add in store.addenda(encounter_id):
        s = add.signature
        docs.append(SignedDocument(
            id=add.id, kind="addendum", template=note.current.template, title=TITLES["addendum"],
            text=add.text, sha256=s.sha256, signer=s.signer, signed_at=s.signed_at,
            attestation=s.attestation, appends=enc.id, appends_sha256=sig.sha256, **common))
    for doc in store.documents(encounter_id):
        if doc.signature is None or doc.signed_text is None:
            continue
        s = doc.signature
        common["language"] = doc.language
        docs.append(SignedDocument(
            id=doc.id, kind=doc.kind, template=doc.current.template,
            title=TITLES.get(doc.kind, doc.kind), text=doc.signed_text, sha256=s.sha256,
            signer=s.signer, signed_at=s.signed_at, attestation=s.attestation,
            sections=tuple((x.title, x.text) for x in doc.current.sections), **common))
    return docs


def _title(ws: Workspace, draft) -> str:
    from scribe.drafting import load_template

    try:
        return load_template(draft.template, ws.templates_dir).name
    except ScribeError:
        return "Clinical note"


def select(ws: Workspace, encounter_id: str, which: str = "note") -> SignedDocument:
    """One signed document: "note", "summary", "referral" (the newest signed one), or the id
    (or a unique prefix of 4+ characters) of an addendum or a document."""
    docs = signed_documents(ws, encounter_id)
    if which in ("note", ""):
        return docs[0]
    if which in TITLES and which != "addendum":
        found = [d for d in docs if d.kind == which]
        if not found:
            raise NotFoundError(f"This visit has no signed {TITLES[which].lower()}.")
        return found[-1]
    found = [d for d in docs if len(which) >= 4 and d.id.startswith(which)]
    if len(found) != 1:
        raise NotFoundError("No single signed document of this visit matches that id.")
    return found[0]


def render(ws: Workspace, doc: SignedDocument, fmt: str, *, xhtml: bool = False,
           bundle: bool = False) -> str:
    """The document's bytes as text in ``fmt`` (fhir, hl7 or text)."""
    _check_format(fmt)
    if fmt == "fhir":
        resource = fhir.document_bundle(doc) if bundle else fhir.document_reference(doc,
                                                                                    xhtml=xhtml)
        return fhir.to_json(resource)
    if fmt == "hl7":
        return hl7.mdm(doc, control_id=new_id()[:20])
    if doc.kind == "note":  # text
        return export_text(ws.store, doc.visit_id)
    if doc.kind == "addendum":
        add = next(a for a in ws.store.addenda(doc.visit_id) if a.id == doc.id)
        return f"ADDENDUM\n{add.text}\n\n{add.signature.block()}\n"
    return document_text(ws.store, ws.store.get_document(doc.id))


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ScribeError(f"Scribe exports as {', '.join(FORMATS)}; {clean_text(fmt)[:20]!r} is "
                          "not one of them.")


def export_document(ws: Workspace, encounter_id: str, fmt: str, *, which: str = "note",
                    path: Path | None = None, write: Callable[[str], None] | None = None,
                    target: str = "stdout", xhtml: bool = False,
                    bundle: bool = False) -> SignedDocument:
    """One signed document in ``fmt`` to ``path`` (atomic, private) or through ``write`` to
    ``target`` (a kind: "stdout", "clipboard", "pdf"); audited first, nothing leaves if the audit
    fails."""
    doc = select(ws, encounter_id, which)
    _check_format(fmt)  # a bad format raises before the audit
    if path is not None:
        target = "file"
    if path is None:
        assert write is not None, "a path or a writer"
        ws.store.record_export(encounter_id, f"{target}; format={fmt}; document={doc.kind}")
        write(render(ws, doc, fmt, xhtml=xhtml, bundle=bundle))
        return doc
    with PrivateFile(Path(path)) as out:
        ws.store.record_export(encounter_id, f"{target}; format={fmt}; document={doc.kind}")
        commit_export(ws, encounter_id, out, render(ws, doc, fmt, xhtml=xhtml, bundle=bundle))
    return doc


def deliver_to_folder(ws: Workspace, encounter_id: str, fmt: str | None = None) -> list[Path]:
    """Every signed document of the visit into the clinic's drop folder, one file each, named
    ``scribe-<kind>-<id>.<ext>`` (no patient in the name), written atomically: an interface
    engine never sees half a file. Returns the files written."""
    folder_text = ws.settings.text(Setting.EXPORT_FOLDER)
    if not folder_text:
        raise ScribeError("No drop folder is set; your IT sets one in Settings (Delivery).")
    folder = Path(folder_text)
    if not folder.is_dir():
        raise ScribeError("The drop folder is missing or not a folder; nothing was delivered.")
    fmt = fmt or ws.settings.export_format
    written = []
    for doc in signed_documents(ws, encounter_id):
        target = folder / f"{doc.file_stem}{EXTENSIONS.get(fmt, '.txt')}"
        text = render(ws, doc, fmt)
        with PrivateFile(target) as out:
            ws.store.record_export(encounter_id,
                                   f"drop folder; format={fmt}; document={doc.kind}")
            commit_export(ws, encounter_id, out, text, "drop folder")
        written.append(target)
    return written


def post_to_server(ws: Workspace, encounter_id: str, which: str = "note") -> str:
    """POST one signed document as a FHIR DocumentReference to the server IT configured (off
    unless set). Audited before it is sent; returns where the server filed it."""
    url = ws.settings.text(Setting.FHIR_ENDPOINT)
    if not url:
        raise ScribeError("No FHIR server is configured; your IT sets one in Settings "
                          "(Delivery).")
    doc = select(ws, encounter_id, which)
    body = render(ws, doc, "fhir")
    ws.store.record_export(encounter_id, f"fhir server; format=fhir; document={doc.kind}")
    try:
        return fhir_client.post_document(
            url.rstrip("/") + "/DocumentReference", body,
            token=ws.settings.text(Setting.FHIR_TOKEN),
            ca_file=ws.settings.text(Setting.FHIR_CA_FILE) or None)
    except ScribeError:
        try:
            ws.store.record_event(encounter_id, "export_failed", "fhir server")
        except ScribeError:
            pass
        raise
