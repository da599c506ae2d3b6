"""IT's side of the clinic server: saving its settings (checked first, audited), trying each
endpoint for real, and the audit hook every visit's server requests go through."""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from scribe.errors import InputError
from scribe.remote import RemoteError
from scribe.remote.transcription import transcribe as remote_transcribe
from scribe.store.settings import Setting
from scribe.visit.server import NOT_CONFIGURED, clinic_server
from scribe.visit.workspace import Workspace

__all__ = ["SERVER_SETTINGS", "AuditRelay", "ServerCheck", "check_server", "configure_server", "server_audit"]


SERVER_SETTINGS = (
    Setting.SERVER_TRANSCRIPTION_URL, Setting.SERVER_TRANSCRIPTION_MODEL,
    Setting.SERVER_CHAT_URL, Setting.SERVER_CHAT_MODEL, Setting.SERVER_API_KEY,
    Setting.SERVER_CA_FILE, Setting.SERVER_TIMEOUT_S,
)


def check_address(url: str, what: str) -> None:
    """Refuse, in one sentence, an address Scribe would never send to (before it is saved)."""
    from scribe.remote.wire import build_opener

    if url:
        try:
            build_opener(url, None, what)
        except RemoteError as e:
            raise InputError(e.message.replace("; nothing was sent", "")) from None


def configure_server(ws: Workspace, changes: dict[Setting, str]) -> list[str]:
    """Save IT's clinic-server settings (validated first: nothing is saved when one is wrong) and
    audit which were changed, never their values. Returns the names changed."""
    clean = {k: v.strip() for k, v in changes.items() if k in SERVER_SETTINGS}
    check_address(clean.get(Setting.SERVER_TRANSCRIPTION_URL, ""), "The transcription server")
    check_address(clean.get(Setting.SERVER_CHAT_URL, ""), "The chat server")
    ca = clean.get(Setting.SERVER_CA_FILE, "")
    if ca:
        import ssl

        try:
            ssl.create_default_context(cafile=ca)
        except (OSError, ssl.SSLError):
            raise InputError(f"The CA file {ca} is not a readable PEM certificate.") from None
    timeout = clean.get(Setting.SERVER_TIMEOUT_S, "")
    if timeout and (not timeout.isdigit() or not 1 <= int(timeout) <= 3600):
        raise InputError("The server timeout must be a whole number of seconds from 1 to 3600.")
    changed = [k for k, v in clean.items() if ws.settings.text(k) != v]
    for key in changed:
        ws.settings.set(key, clean[key])
    if changed:
        ws.store.record_event(None, "server_configured",
                              ", ".join(k.value.removeprefix("server_") for k in changed))
    return [k.value for k in changed]


@dataclass(frozen=True)
class ServerCheck:
    """What one endpoint answered to IT's check."""

    engine: str  # "transcription" or "chat"
    host: str
    ok: bool
    detail: str  # one sentence
    seconds: float


def check_server(ws: Workspace) -> list[ServerCheck]:
    """Try each configured endpoint for real, with nothing from a visit: one second of silence
    to the transcription endpoint, ``GET /v1/models`` on the chat endpoint. Each is audited."""
    from scribe.remote.chat import list_models

    server = clinic_server(ws.settings)
    if server is None:
        raise InputError(NOT_CONFIGURED)
    hook = server_audit(ws, None)
    out: list[ServerCheck] = []
    if server.transcription is not None:
        t0 = time.perf_counter()
        try:
            remote_transcribe(server.transcription, np.zeros(16000, dtype=np.float32),
                              on_request=lambda _k, h: hook("check", h))
            out.append(ServerCheck("transcription", server.transcription.host, True,
                                   "Transcribed one second of silence.",
                                   time.perf_counter() - t0))
        except RemoteError as e:
            out.append(ServerCheck("transcription", server.transcription.host, False, e.message,
                                   time.perf_counter() - t0))
    if server.chat is not None:
        t0 = time.perf_counter()
        try:
            models = list_models(server.chat, on_request=hook)
            out.append(ServerCheck("chat", server.chat.host, True,
                                   f"Offers {', '.join(models) or 'no named model'}.",
                                   time.perf_counter() - t0))
        except RemoteError as e:
            out.append(ServerCheck("chat", server.chat.host, False, e.message,
                                   time.perf_counter() - t0))
    return out


def server_audit(ws: Workspace, encounter_id: str | None) -> Callable[[str, str], None]:
    """The audit hook for server requests: one ``server_request`` event each, written before the
    request is sent (kind and host; never what is sent)."""

    def record(kind: str, host: str) -> None:
        ws.store.record_event(encounter_id, "server_request", f"{kind} to {host}")

    return record


class AuditRelay:
    """A server-request audit hook any thread may call; the store's own thread writes the event.

    SQLite connections belong to the thread that opened them, while live transcription and the
    app's model lane run elsewhere. A call from another thread queues the record, calls ``wake``
    (the app posts to its main thread; ``scribe record`` pumps while it waits) and blocks until the
    owner has written it with :meth:`pump`. Nothing is sent until then; when the owner does not
    write it within ``timeout_s`` the request is refused and the step runs on this workstation.
    """

    def __init__(self, record: Callable[[str, str], None], wake: Callable[[], None] | None = None,
                 timeout_s: float = 10.0) -> None:
        self._record = record
        self._wake = wake
        self._timeout = timeout_s
        self._owner = threading.get_ident()
        self._pending: queue.Queue[tuple[str, str, threading.Event, list[BaseException]]] = (
            queue.Queue())

    def __call__(self, kind: str, host: str) -> None:
        if threading.get_ident() == self._owner:
            self._record(kind, host)
            return
        done, errors = threading.Event(), []
        self._pending.put((kind, host, done, errors))
        if self._wake is not None:
            self._wake()
        if not done.wait(self._timeout):
            raise RemoteError("The audit record for the clinic server request could not be "
                              "written in time; nothing was sent.")
        if errors:
            raise RemoteError("The audit record for the clinic server request could not be "
                              "written; nothing was sent.")

    def pump(self) -> None:
        """Write every queued record (on the owner thread)."""
        while True:
            try:
                kind, host, done, errors = self._pending.get_nowait()
            except queue.Empty:
                return
            try:
                self._record(kind, host)
            except Exception as e:  # noqa: BLE001 - the request is refused; the caller says why
                errors.append(e)
            finally:
                done.set()
