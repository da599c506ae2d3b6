"""scribe patient ID [--patient NAME --dob DATE --mrn MRN --visit-type TYPE]
scribe codes ID [--accept CODE ...] [--remove CODE ...] [--suggest]
scribe summary ID [--referral --to NAME --reason TEXT] [--language es] [--new] [--sign] [--json]

The patient's identity, the ICD-10-CM suggestions the clinician accepts or removes before
signing, and the after-visit summary (or a referral letter) written from the signed note."""

from __future__ import annotations

from scribe.cli.common import add_identity_args, identity_from, open_workspace, print_json
from scribe.domain import CodeState
from scribe.errors import AuthError, SignOffError
from scribe.nlp.safe_text import clean_text, printable
from scribe.note.signoff import DEFAULT_ATTESTATION
from scribe.visit.documents import draft_document, suggest_codes
from scribe.visit.workspace import passphrase_from_env


def register(sub) -> None:
    p = sub.add_parser("patient", help="show or set a visit's patient and visit details")
    p.add_argument("id")
    add_identity_args(p)
    p.set_defaults(func=run_patient)

    p = sub.add_parser("codes", help="ICD-10-CM suggestions: list, accept or remove (before "
                                     "signing)")
    p.add_argument("id")
    p.add_argument("--accept", nargs="+", default=[], metavar="CODE")
    p.add_argument("--remove", nargs="+", default=[], metavar="CODE")
    p.add_argument("--suggest", action="store_true",
                   help="suggest again from the note as it is now (decisions stay)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_codes)

    p = sub.add_parser("summary", help="the after-visit summary (or a referral letter) of a "
                                       "signed visit: draft, show, sign")
    p.add_argument("id")
    p.add_argument("--referral", action="store_true", help="a referral letter instead")
    p.add_argument("--to", default="", help="referral: to whom")
    p.add_argument("--reason", default="", help="referral: the reason")
    p.add_argument("--language", default=None, help="summary language (default: the visit's)")
    p.add_argument("--new", action="store_true", help="draft a new one even if one exists")
    p.add_argument("--sign", action="store_true", help="sign the newest draft (asks the "
                                                       "passphrase again)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=run_summary)


def run_patient(args) -> int:
    ws = open_workspace()
    enc = ws.store.find(args.id)
    ident = identity_from(args, enc.identity)
    if ident is not None:
        enc = ws.store.set_identity(enc.id, ident)
    who = enc.identity.summary() or "no patient details"
    kind = f" — {enc.identity.visit_type}" if enc.identity.visit_type else ""
    print(printable(f"Visit {enc.id[:8]}: {who}{kind}"))
    return 0


def run_codes(args) -> int:
    ws = open_workspace()
    enc = ws.store.find(args.id)
    if args.suggest:
        suggest_codes(ws, enc.id)
    for code in args.accept:
        ws.store.decide_code(enc.id, code.strip().upper(), accept=True)
    for code in args.remove:
        ws.store.decide_code(enc.id, code.strip().upper(), accept=False)
    codes = ws.store.codes(enc.id)
    if args.json:
        print_json([c.to_dict() for c in codes])
        return 0
    if not codes:
        print("No ICD-10-CM suggestions: the note's assessment names no codable problem.")
    marks = {CodeState.ACCEPTED: "[x]", CodeState.REMOVED: "[-]", CodeState.SUGGESTED: "[ ]"}
    for c in codes:
        print(printable(f"{marks[c.state]} {c.code:<8} {c.description}  (from: {c.problem})"))
    return 0


def run_summary(args) -> int:
    ws = open_workspace()
    enc = ws.store.find(args.id)
    kind = "referral" if args.referral else "summary"
    existing = ws.store.documents(enc.id, kind)
    drafts = [d for d in existing if not d.signed]
    if args.new or not existing:
        doc = draft_document(ws, enc.id, kind, args.language, to=args.to, reason=args.reason)
    else:
        doc = (drafts or existing)[-1]
    if args.sign:
        if doc.signed:
            raise SignOffError("This document is already signed; draft a new one with --new.")
        if ws.profile is None or not ws.profile.signer:
            raise AuthError("No clinician profile is signed in, so the document was not signed.")
        ws.confirm(passphrase_from_env("Passphrase to sign: "), "the document was not signed")
        ws.store.sign_document(doc.id, ws.profile.signer, DEFAULT_ATTESTATION)
        doc = ws.store.get_document(doc.id)
    if args.json:
        print_json(document_json(doc))
        return 0
    state = "signed" if doc.signed else "draft — review it, then sign with --sign"
    print(f"{'Referral letter' if kind == 'referral' else 'After-visit summary'} {doc.id[:8]} "
          f"({state})\n")
    print(clean_text(doc.signed_text if doc.signed else doc.current.text, multiline=True))
    if doc.signature:
        print("\n" + clean_text(doc.signature.block(), multiline=True))
    return 0


def document_json(doc) -> dict:
    return {"id": doc.id, "kind": doc.kind, "language": doc.language, "signed": doc.signed,
            "document": doc.current.to_dict(),
            "signature": ({"signer": doc.signature.signer,
                           "signed_at": doc.signature.signed_at.isoformat(),
                           "sha256": doc.signature.sha256} if doc.signature else None)}
