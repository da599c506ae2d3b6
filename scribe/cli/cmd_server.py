"""scribe server show | set … | check | clear: the clinic server, for the clinic's IT.

A clinic server is an OpenAI-compatible transcription endpoint and/or chat endpoint
(packaging/clinic-server/). Off unless set; anything but this machine needs https://.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scribe.cli.common import open_workspace, print_json
from scribe.errors import InputError
from scribe.store.settings import Setting
from scribe.visit.server import clinic_server
from scribe.visit.server_admin import SERVER_SETTINGS, check_server, configure_server

_OPTIONS = (
    ("transcription_url", Setting.SERVER_TRANSCRIPTION_URL,
     "base URL of the /v1/audio/transcriptions server ('' turns it off)"),
    ("transcription_model", Setting.SERVER_TRANSCRIPTION_MODEL, "its model name (whisper-1)"),
    ("chat_url", Setting.SERVER_CHAT_URL,
     "base URL of the /v1/chat/completions server ('' turns it off)"),
    ("chat_model", Setting.SERVER_CHAT_MODEL, "its model name (default: the first it offers)"),
    ("ca_file", Setting.SERVER_CA_FILE, "PEM file of the clinic's own CA"),
    ("timeout", Setting.SERVER_TIMEOUT_S, "seconds to wait for the server (default 60)"),
)


def register(sub) -> None:
    p = sub.add_parser("server", help="the clinic server (IT): show, set, check or clear it")
    verbs = p.add_subparsers(dest="verb", metavar="VERB")
    verbs.required = True
    show = verbs.add_parser("show", help="what is configured (the key is never printed)")
    show.add_argument("--json", action="store_true")
    show.set_defaults(func=run_show)
    s = verbs.add_parser("set", help="set the endpoints, key, CA file and timeout")
    for name, _key, text in _OPTIONS:
        s.add_argument(f"--{name.replace('_', '-')}", dest=name, default=None, help=text)
    key = s.add_mutually_exclusive_group()
    key.add_argument("--key-file", help="a file holding the API key (read once, not kept)")
    key.add_argument("--key-stdin", action="store_true", help="read the API key from stdin")
    key.add_argument("--no-key", action="store_true", help="send no API key")
    s.set_defaults(func=run_set)
    c = verbs.add_parser("check", help="try each endpoint for real (no visit data is sent)")
    c.set_defaults(func=run_check)
    clear = verbs.add_parser("clear", help="turn the clinic server off (everything runs here)")
    clear.set_defaults(func=run_clear)


def run_show(args) -> int:
    ws = open_workspace(remind_recover=False)
    s = ws.settings
    info = {k.value.removeprefix("server_"): s.text(k) for k in SERVER_SETTINGS
            if k != Setting.SERVER_API_KEY}
    info["api_key"] = "set" if s.text(Setting.SERVER_API_KEY) else "not set"
    info["in_use"] = clinic_server(s) is not None
    if args.json:
        print_json(info)
    else:
        for name, value in info.items():
            print(f"{name:20} {value if value != '' else '(not set)'}")
    return 0


def run_set(args) -> int:
    changes = {key: getattr(args, name) for name, key, _t in _OPTIONS
               if getattr(args, name) is not None}
    if args.key_file:
        try:
            changes[Setting.SERVER_API_KEY] = Path(args.key_file).read_text("utf-8").strip()
        except (OSError, UnicodeDecodeError):
            raise InputError(f"The key file {args.key_file} cannot be read.") from None
    elif args.key_stdin:
        changes[Setting.SERVER_API_KEY] = sys.stdin.readline().strip()
    elif args.no_key:
        changes[Setting.SERVER_API_KEY] = ""
    if not changes:
        raise InputError("Nothing to set; see 'scribe server set --help'.")
    ws = open_workspace(remind_recover=False)
    changed = configure_server(ws, changes)
    print(f"Clinic server: {len(changed)} setting(s) changed." if changed else
          "Clinic server: nothing changed.")
    return 0


def run_check(args) -> int:
    ws = open_workspace(remind_recover=False)
    results = check_server(ws)
    for r in results:
        state = "ok" if r.ok else "FAILED"
        print(f"{r.engine:14} {r.host:24} {state:7} {r.seconds:5.1f} s  {r.detail}")
    return 0 if all(r.ok for r in results) else 1


def run_clear(args) -> int:
    ws = open_workspace(remind_recover=False)
    configure_server(ws, {Setting.SERVER_TRANSCRIPTION_URL: "", Setting.SERVER_CHAT_URL: "",
                          Setting.SERVER_API_KEY: ""})
    print("Clinic server: off; every step runs on this workstation.")
    return 0
