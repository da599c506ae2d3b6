"""scribe note AUDIO [--template soap] [--language es --translate] [--json]; scribe draft
--transcript FILE"""

from __future__ import annotations

from scribe.cli.common import (
    add_identity_args,
    add_language_args,
    add_model_args,
    add_server_args,
    engines_from,
    identity_from,
    open_workspace,
    print_json,
)
from scribe.transcript_io import read_text_transcript
from scribe.visit.pipeline import draft_transcript, note_from_file


def register(sub) -> None:
    p = sub.add_parser("note", help="make a visit from an audio file: transcribe, draft, store")
    p.add_argument("audio")
    p.add_argument("--template", default=None, help="template id (default: the setting, else soap)")
    p.add_argument("--engine", default=None)
    p.add_argument("--label", help="a label for the visit list (default: the file name)")
    p.add_argument("--json", action="store_true")
    add_model_args(p)
    add_language_args(p)
    add_server_args(p)
    add_identity_args(p)
    p.set_defaults(func=run_note)

    d = sub.add_parser("draft", help="draft a note from a text transcript (no audio, no storage)")
    d.add_argument("--transcript", required=True, help="one turn per line, [doctor]/[patient]")
    d.add_argument("--template", default="soap")
    d.add_argument("--engine", default="offline")
    d.add_argument("--json", action="store_true")
    d.set_defaults(func=run_draft)


def run_note(args) -> int:
    ws = open_workspace()
    enc = note_from_file(ws, args.audio, engines_from(args, ws), template=args.template,
                         label=args.label, identity=identity_from(args))
    note = ws.store.get_note(enc.id)
    transcript = ws.store.get_transcript(enc.id)
    assert note is not None and transcript is not None
    if args.json:
        print_json({
            "id": enc.id,
            "status": enc.status.value,
            "note": note.current.to_dict(),
            "codes": [c.to_dict() for c in ws.store.codes(enc.id)],
            "language": transcript.language,
            "transcript": [s.to_dict() for s in transcript.segments],
            # The words as spoken, when the transcript above is their English translation.
            **({"original": [s.to_dict() for s in transcript.original]}
               if transcript.original else {}),
        })
    else:
        print(f"Visit {enc.id} ({enc.status.label})\n")
        print(note.current.text)
    return 0


def run_draft(args) -> int:
    transcript = read_text_transcript(args.transcript)
    engines = engines_from(args)
    draft = draft_transcript(transcript, args.template, engines)
    if args.json:
        d = draft.to_dict()
        print_json({"text": d["text"], "sections": [
            {"title": s["title"], "sentences": [
                {"text": x["text"], "evidence": x["evidence"], "support": x["support"],
                 "flags": x["flags"]} for x in s["sentences"]]}
            for s in d["sections"]
        ]})
    else:
        print(draft.text)
    return 0
