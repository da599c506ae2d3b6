"""scribe retry ID: process a failed or stuck visit again (from its audio, else its transcript)."""

from __future__ import annotations

from scribe.cli.common import add_model_args, add_server_args, engines_from, open_workspace
from scribe.visit.retry import retry


def register(sub) -> None:
    p = sub.add_parser("retry", help="process a failed or stuck visit again")
    p.add_argument("id")
    p.add_argument("--engine", default=None)
    add_model_args(p)
    add_server_args(p)
    p.set_defaults(func=run)


def run(args) -> int:
    ws = open_workspace()
    enc = retry(ws, ws.store.find(args.id).id, engines_from(args, ws))
    print(f"Visit {enc.id}: {enc.status.label}.")
    return 0
