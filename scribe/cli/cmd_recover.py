"""scribe recover [--json]: turn recordings interrupted by a crash into visits (then transcribe)."""

from __future__ import annotations

import sys

from scribe.audio.files import load_audio
from scribe.cli.common import add_model_args, open_store, print_json, transcriber_from
from scribe.paths import templates_dir
from scribe.store.store import Store
from scribe.visit.pipeline import process
from scribe.visit.recover import recover_visits


def register(sub) -> None:
    p = sub.add_parser("recover", help="recover recordings interrupted by a crash as visits")
    p.add_argument("--json", action="store_true", help='print [{"id", "duration_s"}]')
    p.add_argument("--transcribe", action="store_true", help="then transcribe and draft each")
    p.add_argument("--engine", default="offline")
    add_model_args(p)
    p.set_defaults(func=run)


def recover_all(store: Store) -> list[dict]:
    recovered, problems = recover_visits(store)
    for message in problems:
        print(f"scribe: {message}", file=sys.stderr)
    return recovered


def run(args) -> int:
    store = open_store(remind_recover=False)
    recovered = recover_all(store)
    if args.transcribe:
        for r in recovered:
            enc = store.get(r["id"])
            assert store.audio_dir is not None and enc.audio_file
            audio = load_audio(store.audio_dir / enc.audio_file)
            process(store, enc, audio, transcriber_from(args), args.engine, templates_dir())
    if args.json:
        print_json(recovered)
    elif not recovered:
        print("No interrupted recordings found.")
    else:
        for r in recovered:
            print(f"Recovered visit {r['id']} ({r['duration_s']:.1f} s of audio).")
    return 0
