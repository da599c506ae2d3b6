"""The wire to a clinic's server: only the configured host, TLS unless it is this machine.

The rules every request keeps (issue 17, "PHI rules for the wire"):

- The address is the one IT configured, and nothing else: the environment's proxies are not used
  and redirects are not followed (either would carry the key and the visit to another host).
- Plain ``http://`` is refused before any connection unless the host is loopback; ``https://``
  verifies the server's certificate against the system's CAs or the clinic's own CA file.
- ``on_request(kind, host)`` runs before the first byte leaves (the audit); if it raises, nothing
  is sent.
- A failure is one sentence naming the host and what went wrong, never the audio, the transcript
  or the key; the caller falls back to the workstation's own engines.
"""

from __future__ import annotations

import http.client
import ipaddress
import json
import socket
import ssl
import threading
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from email.message import Message
from typing import IO
from urllib.parse import urlsplit

from scribe.cancel import NEVER, CancelToken
from scribe.errors import Cancelled, ScribeError

__all__ = [
    "ClinicServer",
    "Endpoint",
    "NoRedirect",
    "RemoteError",
    "RequestHook",
    "build_opener",
    "failure",
    "get_json",
    "is_loopback",
    "post",
    "post_stream",
]

RequestHook = Callable[[str, str], None]
"""Called with (kind of request, host) before a request's first byte leaves this machine."""


class RemoteError(ScribeError):
    """The clinic server could not be used for this request (the caller falls back to local)."""


@dataclass(frozen=True)
class Endpoint:
    """One OpenAI-compatible server endpoint as IT configured it.

    ``url`` is the base (``https://scribe-gpu.clinic.lan:8443`` or ``…/v1``); ``model`` is the
    name the server knows its model by; ``timeout_s`` bounds the connection and each wait for
    bytes (a whole visit's transcription may take longer in all, while bytes keep coming).
    """

    url: str
    api_key: str = ""
    model: str = ""
    ca_file: str | None = None
    timeout_s: float = 60.0

    @property
    def host(self) -> str:
        try:
            return urlsplit(self.url).hostname or ""
        except ValueError:
            return ""

    def address(self, path: str) -> str:
        """The full URL of ``path`` (``/audio/transcriptions``) under the configured base."""
        base = self.url.rstrip("/")
        if not base.endswith("/v1"):
            base += "/v1"
        return base + path


@dataclass(frozen=True)
class ClinicServer:
    """The clinic's servers: either may be absent (None: that engine stays on this machine)."""

    transcription: Endpoint | None = None
    chat: Endpoint | None = None

    @property
    def hosts(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e.host for e in (self.transcription, self.chat) if e))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine (``localhost``, 127.0.0.0/8, ``::1``)."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req: urllib.request.Request, fp: IO[bytes], code: int, msg: str,
                         headers: Message, newurl: str) -> None:
        return None  # urllib then raises the 3xx as an HTTPError


def build_opener(url: str, ca_file: str | None, what: str) -> urllib.request.OpenerDirector:
    """An opener for ``url`` that keeps the rules above; a refused address raises
    :class:`RemoteError` before any connection (``what`` names the server: "The clinic server")."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    try:
        host = parts.hostname or ""
    except ValueError:
        host = ""
    if scheme not in ("http", "https") or not host:
        raise RemoteError(f"{what} address must be an https:// address; nothing was sent.")
    if scheme == "http" and not is_loopback(host):
        raise RemoteError(f"{what} {host} must use https://; nothing was sent.")
    handlers: list[urllib.request.BaseHandler] = [urllib.request.ProxyHandler({}), NoRedirect()]
    if scheme == "https":
        try:
            context = ssl.create_default_context(cafile=ca_file or None)
        except (OSError, ssl.SSLError):
            raise RemoteError(f"The CA file for {what[0].lower() + what[1:]} cannot be read; "
                              "nothing was sent.") from None
        handlers.append(urllib.request.HTTPSHandler(context=context))
    return urllib.request.build_opener(*handlers)


def failure(what: str, host: str, reason: object, timeout: float) -> str:
    """One sentence for a failed connection (never the request's content)."""
    if isinstance(reason, (ssl.SSLEOFError, BrokenPipeError, ConnectionResetError)):
        # A proxy that refuses the key answers 401 and hangs up before the upload is read.
        return (f"{what} {host} closed the connection while Scribe was sending; check the API "
                "key in Settings.")
    if isinstance(reason, ssl.SSLCertVerificationError):
        return (f"{what} {host} did not present a certificate this workstation trusts; nothing "
                "was sent.")
    if isinstance(reason, ssl.SSLError):
        return f"A secure connection to {what[0].lower() + what[1:]} {host} failed."
    if isinstance(reason, ConnectionRefusedError):
        return f"{what} {host} refused the connection; it may be stopped."
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return f"{what} {host} did not answer within {timeout:g} seconds."
    return f"{what} {host} could not be reached; check the network and the address."


SERVER = "The clinic server"


def _request(endpoint: Endpoint, path: str, body: bytes, content_type: str,
             accept: str) -> tuple[urllib.request.OpenerDirector, urllib.request.Request]:
    url = endpoint.address(path)
    opener = build_opener(url, endpoint.ca_file, SERVER)
    request = urllib.request.Request(url, data=body, method="POST")
    request.add_header("Content-Type", content_type)
    request.add_header("Accept", accept)
    if endpoint.api_key:
        request.add_header("Authorization", f"Bearer {endpoint.api_key}")
    return opener, request


def _open(endpoint: Endpoint, opener: urllib.request.OpenerDirector,
          request: urllib.request.Request):
    host = endpoint.host
    try:
        return opener.open(request, timeout=endpoint.timeout_s)
    except urllib.error.HTTPError as e:
        code = e.code
        e.close()  # its body may echo what was sent: never read into a message
        if code in (401, 403):
            raise RemoteError(f"{SERVER} {host} refused Scribe's key (HTTP {code}); ask IT to "
                              "check the key in Settings.") from None
        raise RemoteError(f"{SERVER} {host} could not do it (HTTP {code}).") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        raise RemoteError(failure(SERVER, host, getattr(e, "reason", e),
                                  endpoint.timeout_s)) from None


def _announce(endpoint: Endpoint, kind: str, on_request: RequestHook | None) -> None:
    if on_request is not None:
        on_request(kind, endpoint.host)


def post(endpoint: Endpoint, path: str, body: bytes, content_type: str, *, kind: str,
         on_request: RequestHook | None = None, cancel: CancelToken = NEVER) -> object:
    """POST ``body`` and return the JSON answer. The request runs on a helper thread so that
    ``cancel`` stops the wait at once (the answer, if one comes, is dropped)."""
    opener, request = _request(endpoint, path, body, content_type, "application/json")
    _announce(endpoint, kind, on_request)
    result: dict[str, object] = {}

    def go() -> None:
        try:
            with _open(endpoint, opener, request) as response:
                result["answer"] = response.read()
        except RemoteError as e:
            result["error"] = e
        except (OSError, http.client.HTTPException) as e:  # the read broke off
            result["error"] = RemoteError(failure(SERVER, endpoint.host, e, endpoint.timeout_s))

    worker = threading.Thread(target=go, name="scribe-remote", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.1)
        if cancel.cancelled:
            raise Cancelled()
    if "error" in result:
        raise result["error"]  # type: ignore[misc]
    return _json(endpoint, result.get("answer", b""))


def post_stream(endpoint: Endpoint, path: str, payload: dict, *, kind: str,
                on_request: RequestHook | None = None,
                cancel: CancelToken = NEVER) -> Iterator[dict]:
    """POST ``payload`` as JSON with ``stream: true`` and yield each server-sent event's JSON
    (``data: {...}`` lines) until ``data: [DONE]``; ``cancel`` is checked between events."""
    body = json.dumps({**payload, "stream": True}).encode("utf-8")
    opener, request = _request(endpoint, path, body, "application/json", "text/event-stream")
    _announce(endpoint, kind, on_request)
    response = _open(endpoint, opener, request)
    try:
        while True:
            cancel.check()
            try:
                raw = response.readline()
            except (OSError, http.client.HTTPException) as e:
                raise RemoteError(failure(SERVER, endpoint.host, e, endpoint.timeout_s)) from None
            if not raw:
                raise RemoteError(f"{SERVER} {endpoint.host} stopped in the middle of its "
                                  "answer.")
            line = raw.decode("utf-8", "replace").strip()
            if not line.startswith("data:"):
                continue  # blank separators, comments, event names
            data = line[5:].strip()
            if data == "[DONE]":
                return
            event = _json(endpoint, data.encode("utf-8"))
            if isinstance(event, dict):
                if "error" in event:
                    raise RemoteError(f"{SERVER} {endpoint.host} reported an error while "
                                      "drafting.")
                finished = any(isinstance(c, dict) and c.get("finish_reason")
                               for c in event.get("choices") or [])
                yield event
                if finished:  # Scribe asks for one choice: its end is the answer's end (a
                    return  # server may keep the connection open without sending [DONE])
    finally:
        response.close()


def _json(endpoint: Endpoint, raw: bytes) -> object:
    try:
        return json.loads(raw)
    except ValueError:
        raise RemoteError(f"{SERVER} {endpoint.host} sent an answer Scribe cannot read.") from None


def get_json(endpoint: Endpoint, path: str, *, kind: str,
             on_request: RequestHook | None = None) -> object:
    """GET ``path`` under the endpoint (``/models``): the server check IT runs."""
    url = endpoint.address(path)
    opener = build_opener(url, endpoint.ca_file, SERVER)
    request = urllib.request.Request(url, method="GET")
    request.add_header("Accept", "application/json")
    if endpoint.api_key:
        request.add_header("Authorization", f"Bearer {endpoint.api_key}")
    _announce(endpoint, kind, on_request)
    with _open(endpoint, opener, request) as response:
        try:
            raw = response.read()
        except (OSError, http.client.HTTPException) as e:
            raise RemoteError(failure(SERVER, endpoint.host, e, endpoint.timeout_s)) from None
    return _json(endpoint, raw)
