"""scribe recover [--json] [--transcribe]: turn recordings interrupted by a crash into visits.

Exit 1 when a recording could not be recovered (each problem is one line on stderr)."""

from __future__ import annotations

import sys

from scribe.cli.common import add_model_args, engines_from, open_workspace, print_json
from scribe.visit.recover import recover_visits, salvage_visit
from scribe.visit.retry import retry


def register(sub) -> None:
    p = sub.add_parser("recover", help="recover recordings interrupted by a crash as visits")
    p.add_argument("--json", action="store_true", help='print [{"id", "duration_s"}]')
    p.add_argument("--transcribe", action="store_true", help="then transcribe and draft each")
    p.add_argument("--engine", default=None)
    p.add_argument("--salvage", metavar="ID", default=None,
                   help="keep the intact start of visit ID's damaged audio file (cuts the rest)")
    add_model_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    ws = open_workspace(remind_recover=False)
    if args.salvage:
        print(salvage_visit(ws, args.salvage))
        return 0
    recovered, problems = recover_visits(ws)
    for message in problems:
        print(f"scribe: {message}", file=sys.stderr)
    if args.transcribe:
        engines = engines_from(args, ws)  # with the clinician's voice print, as every visit
        for r in recovered:
            retry(ws, r["id"], engines)
    if args.json:
        print_json(recovered)
    elif not recovered and not problems:
        print("No interrupted recordings found.")
    else:
        for r in recovered:
            print(f"Recovered visit {r['id']} ({r['duration_s']:.1f} s of audio).")
    return 1 if problems else 0  # a recording that could not be kept is not a success
