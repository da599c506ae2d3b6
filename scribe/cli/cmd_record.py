"""scribe record [--device NAME] [--seconds N] [--language auto] --consent: record a visit,
transcribed live as in the app, then drafted at Stop."""

from __future__ import annotations

import signal
import sys
import threading
from typing import Any

from scribe.cli.common import (
    add_identity_args,
    add_language_args,
    add_model_args,
    add_server_args,
    engines_from,
    identity_from,
    open_workspace,
)
from scribe.errors import ScribeError
from scribe.visit.live import follow_live
from scribe.visit.pipeline import process
from scribe.visit.recording import start_recording, stop_recording
from scribe.visit.server import audited
from scribe.visit.server_admin import AuditRelay, server_audit


def register(sub) -> None:
    p = sub.add_parser("record", help="record a visit from a microphone, then transcribe and draft")
    p.add_argument("--device", help="input device name (part of it) or index; default: system")
    p.add_argument("--seconds", type=float, help="stop after N seconds (default: until Ctrl-C)")
    p.add_argument("--consent", action="store_true", required=False,
                   help="confirms the patient agreed to being recorded (required)")
    p.add_argument("--label", help="a label for the visit list")
    p.add_argument("--template", default=None, help="template id (default: the setting, else soap)")
    p.add_argument("--engine", default=None)
    add_identity_args(p)
    add_model_args(p)
    add_language_args(p)
    add_server_args(p)
    p.set_defaults(func=run)


def _device(arg: str | None) -> int | str | None:
    if arg is None:
        return None
    return int(arg) if arg.isdigit() else arg


def run(args) -> int:
    if not args.consent:
        raise ScribeError("Recording needs the patient's agreement: pass --consent once they agree.")
    ws = open_workspace()
    engines = engines_from(args, ws)
    rec = start_recording(ws, device=_device(args.device), label=args.label or "",
                          identity=identity_from(args),
                          template=args.template)
    eid = rec.encounter_id
    # A clinic server's requests are audited by this thread (the store's) before they leave.
    relay = AuditRelay(server_audit(ws, eid))
    live_engines = audited(engines, relay)
    print(f"Recording visit {eid}… (Ctrl-C to stop)", file=sys.stderr)
    # The app's live path: the transcript is made while the visit records, on a thread, as the
    # app's model lane does; at Stop only the tail is left.
    result: dict[str, Any] = {}

    def follow() -> None:
        try:
            gen = follow_live(rec, live_engines)
            while True:
                view = next(gen)
                result["shown"] = view.committed_text
        except StopIteration as done:
            result["transcript"] = done.value
        except BaseException as e:  # noqa: BLE001 - reported on the main thread
            result["error"] = e

    follower = threading.Thread(target=follow, name="scribe-live", daemon=True)
    follower.start()
    stop = threading.Event()
    previous = _stop_on_interrupt(stop)
    try:  # --seconds counts recorded audio, so device start-up latency does not shorten it
        while not rec.recorder.wait_ended(0.1) and not stop.is_set():
            relay.pump()
            if args.seconds and rec.recorder.elapsed_s >= args.seconds:
                break
    finally:
        _restore(previous)
    try:
        stop_recording(ws, rec)
    finally:
        while follower.is_alive():  # the full pass at Stop may ask for an audit record
            relay.pump()
            follower.join(0.05)
    if rec.recorder.error is not None:
        print(f"scribe: {rec.recorder.error.message}", file=sys.stderr)
    if "error" in result:
        error = result["error"]
        ws.store.fail(eid, error.message if isinstance(error, ScribeError) else
                      "Live transcription failed; process the visit again.")
        raise error
    process(ws, ws.store.get(eid), engines, transcript=result["transcript"])
    print(eid)
    return 0


def _stop_on_interrupt(stop: threading.Event) -> Any:
    """Ctrl-C stops the recording (and keeps it) instead of killing the command."""
    if threading.current_thread() is not threading.main_thread():
        return None  # signals reach the main thread only (tests run the command on a thread)
    return signal.signal(signal.SIGINT, lambda _sig, _frame: stop.set())


def _restore(previous: Any) -> None:
    if previous is not None:
        signal.signal(signal.SIGINT, previous)
