"""scribe list | show ID | sign ID | addendum ID TEXT | export ID [-o FILE]

``sign`` and ``addendum`` sign as the signed-in profile (name and credentials), after the
passphrase is entered again; ``--as`` is only a check that refuses any other name."""

from __future__ import annotations

import sys
from pathlib import Path

from scribe.cli.common import open_workspace, print_json
from scribe.errors import AuthError
from scribe.nlp.safe_text import clean_text, printable
from scribe.note.signoff import DEFAULT_ATTESTATION
from scribe.transcript_io import format_segment
from scribe.visit.export import export_file, export_stream, record_search, record_view
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

    p = sub.add_parser("export", help="export a signed note as text")
    p.add_argument("id")
    p.add_argument("-o", "--output", help="file to write (default: stdout)")
    p.set_defaults(func=run_export)


def run_list(args) -> int:
    ws = open_workspace()
    rows = ws.store.list(args.search)
    if args.search and args.search.strip():  # a search reads patient text: audited, not its words
        record_search(ws, len(rows))
    if args.json:
        print_json([{"id": e.id, "created_at": e.created_at.isoformat(), "label": e.label,
                     "status": e.status.value, "duration_s": e.duration_s} for e in rows])
        return 0
    for e in rows:
        when = e.created_at.astimezone().strftime("%Y-%m-%d %H:%M")
        dur = f"{int(e.duration_s) // 60}:{int(e.duration_s) % 60:02d}"
        extra = f"  ({printable(e.failure)})" if e.failure else ""  # one line per visit, always
        print(f"{e.id}  {when}  {dur:>6}  {e.status.label:<12}  {printable(e.label)}{extra}")
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
            "note": note.current.to_dict() if note else None,
            "signed": bool(note and note.signed),
        })
        return 0
    print(f"Visit {enc.id}: {printable(enc.label)} — {enc.status.label}")
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
    if args.output:
        export_file(ws, enc.id, Path(args.output))
    else:
        export_stream(ws, enc.id, sys.stdout)
    return 0
