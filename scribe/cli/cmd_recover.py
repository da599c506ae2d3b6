"""scribe recover [--json]: turn recordings interrupted by a crash into visits (then transcribe)."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

from scribe.audio_files import load_audio
from scribe.cli.common import add_model_args, open_store, print_json, transcriber_from
from scribe.domain import Status, new_id
from scribe.errors import NotFoundError, ScribeError
from scribe.paths import templates_dir
from scribe.pipeline import process
from scribe.recovery import finalize_interrupted, find_interrupted, read_sidecar
from scribe.store import Store

log = logging.getLogger(__name__)

RECOVERED = "The recording was interrupted and recovered; transcribe it to finish the visit."


def register(sub) -> None:
    p = sub.add_parser("recover", help="recover recordings interrupted by a crash as visits")
    p.add_argument("--json", action="store_true", help='print [{"id", "duration_s"}]')
    p.add_argument("--transcribe", action="store_true", help="then transcribe and draft each")
    p.add_argument("--engine", default="offline")
    add_model_args(p)
    p.set_defaults(func=run)


def recover_all(store: Store) -> list[dict]:
    """Finish each interrupted recording and make (or complete) its visit; returns id + seconds.

    A visit created when recording started keeps its id and moves on to ``transcribing``; a part
    file with no visit becomes a new one. Each visit is left ready to transcribe.
    """
    assert store.audio_dir is not None
    out: list[dict] = []
    for part in find_interrupted(store.audio_dir):
        try:
            meta = read_sidecar(part)
            recording = finalize_interrupted(part)
        except ScribeError as e:
            log.warning("interrupted recording %s not recovered: %s", part.name, type(e).__name__)
            print(f"scribe: {e.message}", file=sys.stderr)
            continue
        eid = meta.get("encounter_id") or new_id()
        name = Path(recording.path).name
        try:
            enc = store.get(eid)
        except NotFoundError:
            enc = store.create_encounter("Recovered visit", Status.RECORDING, consent=False,
                                         source="recovered", encounter_id=eid)
        store.set_audio(enc.id, name, recording.duration_s)
        if enc.status in (Status.RECORDING, Status.PAUSED):
            # Failed with a reason the list shows; "transcribe again" (or --transcribe) goes on.
            store.fail(enc.id, RECOVERED)
        log.info("recovered visit %s: %.1f s", enc.id, recording.duration_s)
        out.append({"id": enc.id, "duration_s": round(recording.duration_s, 3)})
    return out


def run(args) -> int:
    store = open_store()
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
