"""The real clinic server engines for a test, started by the script IT runs.

``start_clinic_server`` runs ``packaging/clinic-server/start.sh`` on two free loopback ports with
the shared test model store (conftest's ``models_root``: bundled models are assembled into it once
per run), waits until the script reports both engines ready and their health URLs answer, and on
exit (a failing test too) stops the script's whole process group, so no engine outlives the test.
``ClinicServer.chat_engine()`` is the chat engine's process (to hang it, as a stuck engine would);
``transcribe``, ``stream_chat`` and ``refused`` are what a client sees of the engines.

    with start_clinic_server(tmp_path, models=models_root) as server:
        ...  # server.whisper_url, server.chat_url

Startup measured on 2 busy cores: 5-8 s until the transcription engine (tiny.en) has answered its
warm-up request, 12-17 s until the chat engine (transformers serve, SmolLM2) answers, the two in
parallel; the first start on a model store also de-quantizes the SmolLM2 GGUF into its ``hf/``
folder once (about 55 s), hence the generous default timeout.
"""

from __future__ import annotations

import http.client
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
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scribe.remote.transcription import multipart

if TYPE_CHECKING:
    import psutil

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


def connect(url: str) -> http.client.HTTPConnection:
    parts = urlsplit(url)
    return http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)


def transcribe(url: str, filename: str, data: bytes, content_type: str) -> dict:
    """POST the form Scribe's client sends (scribe/remote/transcription.py)."""
    body, ctype = multipart([("model", "whisper-1"), ("response_format", "verbose_json"),
                             ("timestamp_granularities[]", "word"), ("language", "en"),
                             ("temperature", "0")], "file", filename, data, content_type)
    conn = connect(url)
    conn.request("POST", "/v1/audio/transcriptions", body, {"Content-Type": ctype})
    response = conn.getresponse()
    answer = response.read()
    assert response.status == 200, answer[:300]
    return json.loads(answer)


def stream_chat(url: str, model: str) -> tuple[str, list[dict]]:
    """A streamed chat completion: the response's content type and its SSE events."""
    payload = {"model": model, "stream": True, "max_tokens": 8, "temperature": 0,
               "messages": [{"role": "user", "content": "Write one sentence about a cough."}]}
    conn = connect(url)
    conn.request("POST", "/v1/chat/completions", json.dumps(payload),
                 {"Content-Type": "application/json", "Accept": "text/event-stream"})
    response = conn.getresponse()
    assert response.status == 200, response.read()[:300]
    events = []
    while line := response.readline():
        line = line.decode().strip()
        if line.startswith("data:") and line[5:].strip() != "[DONE]":
            events.append(json.loads(line[5:]))
    return response.getheader("Content-Type", ""), events


def refused(port: int) -> bool:
    """Whether nothing listens on ``port`` of 127.0.0.1 any more."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except ConnectionRefusedError:
        return True
    return False


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

    @property
    def ports(self) -> list[int]:
        return [urlsplit(url).port for url in (self.whisper_url, self.chat_url)]

    def stop(self, timeout: float = 30.0) -> int:
        """SIGTERM to start.sh alone, as a service manager sends it; its exit status. (Whatever
        it leaves running is found by the test, and killed only when the server's block ends.)"""
        self.terminate()
        return self.process.wait(timeout)

    def terminate(self) -> None:
        """SIGTERM to start.sh alone, without waiting for it to stop the engines."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)

    def chat_engine(self) -> psutil.Process:
        """The chat engine's process (start.sh's child serving the chat port)."""
        import psutil  # comes with accelerate, which the llm and clinic-server extras install

        for child in psutil.Process(self.process.pid).children():
            if any(c.status == psutil.CONN_LISTEN and c.laddr.port == self.ports[1]
                   for c in child.net_connections("tcp")):
                return child
        raise AssertionError(f"no process of start.sh listens on {self.chat_url}")

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
    # One thread per engine unless the run says otherwise: with the suite's two workers on two
    # cores, transformers serve's default of a thread per core spun waiting for the core another
    # process held, and SmolLM2 drafted a one-fact section in 14 s instead of 4 (measured).
    env = {"OMP_NUM_THREADS": "1", **os.environ, "PYTHON": sys.executable, "TMPDIR": str(tmp_path)}
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
