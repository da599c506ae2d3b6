"""scribe record [--device NAME] [--seconds N] --consent: record a visit, then transcribe and draft."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from scribe.audio.files import load_audio
from scribe.audio.recorder import Recorder
from scribe.cli.common import add_model_args, open_store, transcriber_from
from scribe.domain import Status, new_id
from scribe.errors import ScribeError
from scribe.paths import templates_dir
from scribe.visit.enrolment import load_enrolment
from scribe.visit.pipeline import process


def register(sub) -> None:
    p = sub.add_parser("record", help="record a visit from a microphone, then transcribe and draft")
    p.add_argument("--device", help="input device name (part of it) or index; default: system")
    p.add_argument("--seconds", type=float, help="stop after N seconds (default: until Ctrl-C)")
    p.add_argument("--consent", action="store_true", required=False,
                   help="confirms the patient agreed to being recorded (required)")
    p.add_argument("--label", help="a label for the visit list")
    p.add_argument("--template", default="soap")
    p.add_argument("--engine", default="offline")
    add_model_args(p)
    p.set_defaults(func=run)


def _device(arg: str | None) -> int | str | None:
    if arg is None:
        return None
    return int(arg) if arg.isdigit() else arg


def run(args) -> int:
    if not args.consent:
        raise ScribeError("Recording needs the patient's agreement: pass --consent once they agree.")
    store = open_store()
    assert store.audio_dir is not None
    eid = new_id()
    # The store is unlocked, so the Recorder writes AES-GCM encrypted audio (scribe.security.crypto).
    recorder = Recorder(store.audio_dir, _device(args.device), encounter_id=eid)
    recorder.start()  # raises a clear AudioDeviceError before any visit exists
    label = args.label or time.strftime("Visit %Y-%m-%d %H:%M")
    store.create_encounter(label, Status.RECORDING, consent=True, template=args.template,
                           encounter_id=eid)
    print(f"Recording visit {eid}… (Ctrl-C to stop)", file=sys.stderr)
    try:  # --seconds counts recorded audio, so device start-up latency does not shorten it
        while not recorder.wait_ended(0.1):
            if args.seconds and recorder.elapsed_s >= args.seconds:
                break
    except KeyboardInterrupt:
        pass
    recording = recorder.stop()
    if recorder.error is not None:
        print(f"scribe: {recorder.error.message}", file=sys.stderr)
    store.set_audio(eid, Path(recording.path).name, recording.duration_s)
    store.set_status(eid, Status.TRANSCRIBING)
    try:
        audio = load_audio(recording.path)
    except ScribeError as e:
        store.fail(eid, e.message)
        raise
    process(store, store.get(eid), audio, transcriber_from(args), args.engine, templates_dir(),
            enrolment=load_enrolment(store))
    print(eid)
    return 0
