"""The clinic server in a visit (issue 17): which engines go to it, the audit, the fallback.

IT configures the endpoints (Settings → Clinic server, or ``scribe server set``); a visit then
sends its recording for the full-quality transcription and its drafting to them, while the live
transcript stays on this workstation. Every request is audited before its first byte leaves
(``server_request``: kind and host, never the content), and a server that is down, slow, refuses
the key or answers nonsense costs the visit nothing: the step runs on this workstation instead and
the clinician is told so in one sentence.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from scribe.cancel import NEVER, CancelToken
from scribe.domain import Transcript
from scribe.errors import Cancelled, ScribeError
from scribe.remote import ClinicServer, Endpoint, RemoteError
from scribe.remote.transcription import transcribe as remote_transcribe
from scribe.store.settings import Setting, Settings
from scribe.visit.engines import Engines

__all__ = [
    "NOT_CONFIGURED",
    "SERVER_ENGINE",
    "audited",
    "clinic_server",
    "server_drafter",
    "server_transcript",
]

SERVER_ENGINE = "server"
"""The drafting engine name for the clinic's chat server."""

NOT_CONFIGURED = ("No clinic server is configured; IT sets one under Settings → Clinic server or "
                  "with 'scribe server set'.")


def clinic_server(settings: Settings) -> ClinicServer | None:
    """The endpoints IT configured, or None when neither URL is set."""
    key = settings.text(Setting.SERVER_API_KEY)
    ca = settings.text(Setting.SERVER_CA_FILE) or None
    timeout = float(max(settings.number(Setting.SERVER_TIMEOUT_S), 1))

    def endpoint(url_key: Setting, model_key: Setting) -> Endpoint | None:
        url = settings.text(url_key).strip()
        if not url:
            return None
        return Endpoint(url=url, api_key=key, model=settings.text(model_key), ca_file=ca,
                        timeout_s=timeout)

    server = ClinicServer(
        transcription=endpoint(Setting.SERVER_TRANSCRIPTION_URL,
                               Setting.SERVER_TRANSCRIPTION_MODEL),
        chat=endpoint(Setting.SERVER_CHAT_URL, Setting.SERVER_CHAT_MODEL),
    )
    return server if (server.transcription or server.chat) else None


def audited(engines: Engines, record: Callable[[str, str], None]) -> Engines:
    """``engines`` whose server requests are first handed to ``record(kind, host)`` (which writes
    the audit event; when it raises, nothing is sent and the step runs locally)."""
    if engines.server is None:
        return engines
    return engines.with_(on_request=record)


def _notice(engines: Engines, text: str) -> None:
    if engines.on_notice is not None:
        engines.on_notice(text)


def server_transcript(audio: np.ndarray, engines: Engines,
                      cancel: CancelToken = NEVER) -> Transcript | None:
    """The clinic server's transcript of ``audio``, or None (no server, or it failed: the caller
    transcribes locally; the clinician has been told why)."""
    endpoint = engines.server.transcription if engines.server else None
    if endpoint is None:
        return None
    if engines.on_request is None:  # a request nobody audits is never sent
        return None
    try:
        return remote_transcribe(endpoint, audio, language="en",
                                 on_request=engines.on_request, cancel=cancel)
    except Cancelled:
        raise
    except RemoteError as e:
        _notice(engines, f"{e.message} This visit is transcribed on this workstation instead.")
    except ScribeError as e:  # the audit could not be written: nothing was sent
        _notice(engines, f"{e.message} Nothing was sent to the clinic server; this visit is "
                         "transcribed on this workstation instead.")
    return None


def server_drafter(engines: Engines):
    """The LLM drafter on the clinic's chat server, or None (no chat server, or nobody audits)."""
    endpoint = engines.server.chat if engines.server else None
    if endpoint is None or engines.on_request is None:
        return None
    from scribe.drafting.llm import LlmDrafter

    return LlmDrafter(server=endpoint, on_request=engines.on_request)


def drafting_fell_back(engines: Engines, error: ScribeError) -> None:
    """Tell the clinician that drafting moved to this workstation, and why."""
    _notice(engines, f"{error.message} The note is drafted on this workstation instead.")

