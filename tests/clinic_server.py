"""The real clinic server engines for a test, started by the script IT runs.

``start_clinic_server`` runs ``packaging/clinic-server/start.sh`` on two free loopback ports with
the shared test model store (conftest's ``models_root``: bundled models are assembled into it once
per run), waits until the script reports both engines ready and their health URLs answer, and on
exit (a failing test too) stops the script's whole process group, so no engine outlives the test.
``ClinicServer.kill()`` is the power cut: SIGKILL to every process of the server at once.

    with start_clinic_server(tmp_path, models=models_root) as server:
        ...  # server.whisper_url, server.chat_url

Startup measured on 2 busy cores: 5-8 s until the transcription engine (tiny.en) has answered its
warm-up request, 12-17 s until the chat engine (transformers serve, SmolLM2) answers, the two in
parallel; the first start on a model store also de-quantizes the SmolLM2 GGUF into its ``hf/``
folder once (about 55 s), hence the generous default timeout.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START = ROOT / "packaging" / "clinic-server" / "start.sh"
READY = "Both engines are up"

# Loopback only, never through the environment's proxies.
_OPENER = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    """A TCP port nothing listens on now (the kernel's choice)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(url: str, timeout: float = 5.0) -> tuple[int, object]:
    """GET ``url``: the status and the JSON answer."""
    with _OPENER.open(url, timeout=timeout) as response:
        return response.status, json.loads(response.read())


@dataclass
class ClinicServer:
    whisper_url: str
    chat_url: str
    process: subprocess.Popen
    log: Path
    lines: list[str] = field(default_factory=list)
    """What start.sh printed on stdout, line by line (the engines' own messages are in ``log``)."""

    def output(self, limit: int = 4000) -> str:
        """The end of everything start.sh and the engines printed (for assertion messages)."""
        text = "\n".join(self.lines) + "\n" + self.log.read_text(errors="replace")
        return text[-limit:]

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM to start.sh alone, as a service manager sends it; its exit status. (Whatever
        it leaves running is found by the test, and killed only when the server's block ends.)"""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def kill(self) -> None:
        """SIGKILL to the server's whole process group (the script and both engines) at once."""
        self._kill_group()
        self.process.wait(10)

    def _kill_group(self) -> None:
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass  # nothing of it is left


def _read_lines(stream, lines: list[str], ready: threading.Event) -> None:
    """Keep start.sh's stdout drained (an engine blocked on a full pipe would hang)."""
    for raw in stream:
        line = raw.rstrip("\n")
        lines.append(line)
        if line.startswith(READY):
            ready.set()
    ready.set()  # EOF: the script is gone


@contextmanager
def start_clinic_server(
    tmp_path: Path,
    whisper_model: str = "tiny.en",
    llm: str = "smollm2-135m",
    *,
    models: Path | None = None,
    chat_engine: str = "auto",
    timeout: float = 180.0,
    extra_args: tuple[str, ...] = (),
) -> Iterator[ClinicServer]:
    """Start both engines on 127.0.0.1 through start.sh; stopped (group and all) on exit.

    Args:
        models: the model store (default ``$SCRIBE_MODELS``, which conftest points at the
            shared ``models_root``; a module-scoped fixture must pass ``models_root`` itself).
        timeout: seconds for start.sh to report both engines ready.
    """
    store = models or os.environ.get("SCRIBE_MODELS")
    assert store, "start_clinic_server needs the test model store (models_root)"
    whisper_port, chat_port = free_port(), free_port()
    while chat_port == whisper_port:
        chat_port = free_port()
    env = dict(os.environ, PYTHON=sys.executable, TMPDIR=str(tmp_path))
    cmd = ["bash", str(START), "--host", "127.0.0.1", "--whisper-port", str(whisper_port),
           "--chat-port", str(chat_port), "--whisper-model", whisper_model, "--llm", llm,
           "--models", str(store), "--chat-engine", chat_engine, "--timeout", str(timeout),
           *extra_args]
    log = tmp_path / "clinic-server.log"
    with log.open("w") as err:
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=err,
                                   stdin=subprocess.DEVNULL, text=True, start_new_session=True,
                                   env=env)
    server = ClinicServer(whisper_url=f"http://127.0.0.1:{whisper_port}",
                          chat_url=f"http://127.0.0.1:{chat_port}", process=process, log=log)
    ready = threading.Event()
    reader = threading.Thread(target=_read_lines, args=(process.stdout, server.lines, ready),
                              daemon=True)
    reader.start()
    try:
        ready.wait(timeout + 60)  # start.sh enforces `timeout` per engine; this is the backstop
        up = any(line.startswith(READY) for line in server.lines)
        assert process.poll() is None and up, (
            f"start.sh did not bring the engines up:\n{server.output()}")
        for url in (server.whisper_url, server.chat_url):
            status, _ = get(f"{url}/health")
            assert status == 200, f"{url}/health answered {status}"
        yield server
    finally:
        try:
            server.stop()
        finally:
            server._kill_group()
        reader.join(10)
        if process.stdout:
            process.stdout.close()
