"""scribe list | show ID | sign ID | addendum ID TEXT | export ID [-o FILE]

``sign`` and ``addendum`` sign as the signed-in profile (name and credentials), after the
passphrase is entered again; ``--as`` is only a check that refuses any other name."""

from __future__ import annotations

import sys
from pathlib import Path

from scribe.cli.cmd_documents import document_json
from scribe.cli.common import open_workspace, print_json
from scribe.errors import AuthError
from scribe.nlp.safe_text import clean_text, printable
from scribe.note.signoff import DEFAULT_ATTESTATION, empty_assessment
from scribe.transcript_io import format_segment
from scribe.visit.export import export_file, export_stream, record_search, record_view
from scribe.visit.handoff import FORMATS, deliver_to_folder, export_document, post_to_server
from scribe.visit.workspace import passphrase_from_env


def register(sub) -> None:
    p = sub.add_parser("list", help="list visits, newest first")
    p.add_argument("--search", help="search labels, transcripts and notes")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_list)

    p = sub.add_parser("show", help="show a visit: status, transcript and note")
    p.add_argument("id")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_show)

    p = sub.add_parser("sign", help="sign a note as the signed-in clinician (locks it)")
    p.add_argument("id")
    p.add_argument("--as", dest="signer", default=None, metavar="NAME, CREDENTIALS",
                   help="optional check: refused unless it is the signed-in profile's signer")
    p.add_argument("--attestation", default=DEFAULT_ATTESTATION)
    p.add_argument("--acknowledge-flags", action="store_true",
                   help="acknowledge every flagged sentence (each is audited)")
    p.set_defaults(func=run_sign)

    p = sub.add_parser("addendum", help="add an addendum, signed by the signed-in clinician")
    p.add_argument("id")
    p.add_argument("text")
    p.add_argument("--as", dest="signer", default=None, metavar="NAME, CREDENTIALS",
                   help="optional check: refused unless it is the signed-in profile's signer")
    p.set_defaults(func=run_addendum)

    p = sub.add_parser("export", help="export a signed note (text, FHIR R4, HL7 v2.5.1 MDM)")
    p.add_argument("id")
    p.add_argument("--format", choices=FORMATS, default="text")
    p.add_argument("--document", default="note", metavar="note|summary|referral|ID",
                   help="which signed document: the note (default), the after-visit summary, "
                        "a referral letter, or an addendum's id")
    p.add_argument("--xhtml", action="store_true", help="FHIR: add an XHTML rendering")
    p.add_argument("--bundle", action="store_true",
                   help="FHIR: a document Bundle with a Composition instead")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.add_argument("--drop", action="store_true",
                   help="every signed document of the visit into the configured drop folder")
    p.add_argument("--post", action="store_true",
                   help="POST to the configured FHIR server (an IT setting, off by default)")
    p.set_defaults(func=run_export)


def run_list(args) -> int:
    ws = open_workspace()
    rows = ws.store.list(args.search)
    if args.search and args.search.strip():  # a search reads patient text: audited, not its words
        record_search(ws, len(rows))
    if args.json:
        print_json([{"id": e.id, "created_at": e.created_at.isoformat(), "label": e.label,
                     "status": e.status.value, "duration_s": e.duration_s,
                     "patient": e.identity.summary()} for e in rows])
        return 0
    for e in rows:
        when = e.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        dur = f"{int(e.duration_s) // 60}:{int(e.duration_s) % 60:02d}"
        extra = f"  ({printable(e.failure)})" if e.failure else ""  # one line per visit, always
        who = f" — {printable(e.identity.summary())}" if e.identity.summary() else ""
        print(f"{e.id}  {when}  {dur:>6}  {e.status.label:<12}  {printable(e.label)}{who}{extra}")
    return 0


def run_show(args) -> int:
    ws = open_workspace()
    store = ws.store
    enc = store.find(args.id)
    transcript = store.get_transcript(enc.id)
    note = store.get_note(enc.id)
    record_view(ws, enc.id, "show --json" if args.json else "show")  # before a word is printed
    if args.json:
        print_json({
            "id": enc.id, "status": enc.status.value, "label": enc.label,
            "failure": enc.failure,
            "transcript": [s.to_dict() for s in transcript.segments] if transcript else [],
            "patient": {"name": enc.identity.patient_name, "birth_date": enc.identity.birth_date,
                        "mrn": enc.identity.mrn, "visit_type": enc.identity.visit_type},
            "note": note.current.to_dict() if note else None,
            "signed": bool(note and note.signed),
            "codes": [c.to_dict() for c in store.codes(enc.id)],
            "documents": [document_json(d) for d in store.documents(enc.id)],
        })
        return 0
    print(f"Visit {enc.id}: {printable(enc.label)} — {enc.status.label}")
    if enc.identity.summary():
        print(f"Patient: {printable(enc.identity.summary())}")
    if enc.failure:
        print(f"Problem: {printable(enc.failure)}")
    if transcript:
        print("\nTRANSCRIPT")
        for seg in transcript.segments:
            print(printable(format_segment(seg)))
    if note:
        print("\nNOTE")
        print(clean_text(note.signed_text if note.signed else note.current.text, multiline=True))
        if note.signature:
            print("\n" + clean_text(note.signature.block(), multiline=True))
    codes = store.codes(enc.id)
    if codes:
        print("\nICD-10-CM")
        for c in codes:
            print(printable(f"{c.code:<8} {c.description} ({c.state.value}; from: {c.problem})"))
    for doc in store.documents(enc.id):
        kind = "AFTER-VISIT SUMMARY" if doc.kind == "summary" else "REFERRAL LETTER"
        print(f"\n{kind} ({'signed' if doc.signed else 'draft'})")
        print(clean_text(doc.signed_text if doc.signed else doc.current.text, multiline=True))
    return 0


def _signer(ws, claimed: str | None, what: str) -> str:
    """The signed-in profile's signer: a signature means this person, never typed-in text."""
    if ws.profile is None or not ws.profile.signer:
        raise AuthError(f"No clinician profile is signed in, so {what}.")
    signer = ws.profile.signer
    if claimed is not None and " ".join(claimed.split()) != signer:
        raise AuthError(f"You are signed in as {printable(signer)}; only you can sign here, so "
                        f"{what}.")
    return signer


def run_sign(args) -> int:
    ws = open_workspace()
    store = ws.store
    signer = _signer(ws, args.signer, "the note was not signed")
    enc = store.find(args.id)
    note = store.get_note(enc.id)
    acked = []
    warning = empty_assessment(note.current) if note is not None else None
    if warning:  # the app asks for a tick; here it is said before the passphrase is asked
        print(f"scribe: {warning} It is signed as it is; an addendum can add one.", file=sys.stderr)
    # A signature means this person: the passphrase is asked again.
    ws.confirm(passphrase_from_env("Passphrase to sign: "))
    if note is not None and args.acknowledge_flags:
        acked = [i for i, s in enumerate(note.current.sentences()) if s.flags]
    sig = store.sign(enc.id, signer, args.attestation, acked)
    print(f"Signed by {sig.signer} at {sig.signed_at.isoformat()} (sha256 {sig.sha256[:12]}…)")
    return 0


def run_addendum(args) -> int:
    ws = open_workspace()
    signer = _signer(ws, args.signer, "the addendum was not signed")
    enc = ws.store.find(args.id)
    ws.confirm(passphrase_from_env("Passphrase to sign: "), "the addendum was not signed")
    add = ws.store.add_addendum(enc.id, args.text, signer, DEFAULT_ATTESTATION)
    print(f"Addendum {add.id} signed by {add.signature.signer}.")
    return 0


def run_export(args) -> int:
    ws = open_workspace()
    enc = ws.store.find(args.id)
    if args.drop:
        for path in deliver_to_folder(ws, enc.id, args.format if args.format != "text"
                                      else None):
            print(f"Delivered {path.name}")
        return 0
    if args.post:
        where = post_to_server(ws, enc.id, args.document)
        print(f"Filed on the FHIR server as {printable(where)}")
        return 0
    if args.format == "text" and args.document == "note":
        if args.output:
            export_file(ws, enc.id, Path(args.output))
        else:
            export_stream(ws, enc.id, sys.stdout)
        return 0

    def write(text: str) -> None:
        sys.stdout.write(text)
        sys.stdout.flush()

    export_document(ws, enc.id, args.format, which=args.document,
                    path=Path(args.output) if args.output else None,
                    write=None if args.output else write, xhtml=args.xhtml, bundle=args.bundle)
    return 0
