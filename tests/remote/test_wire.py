"""The wire to a clinic server, attacked for real: peers on 127.0.0.1 that redirect, refuse the key,
present an untrusted certificate, never answer or answer nonsense; a proxy in the environment; an
address on the LAN over plain http. Each time: one sentence naming the host, never the content,
and the audit hook ran before anything left (or nothing left at all)."""

from __future__ import annotations

import json
import socket
import threading
import time

import numpy as np
import pytest

from scribe.cancel import CancelToken
from scribe.errors import Cancelled
from scribe.remote import Endpoint, RemoteError
from scribe.remote.chat import stream_chat
from scribe.remote.transcription import transcribe
from tests.http_peers import tls_context

KEY = "clinic-secret-key-123"
AUDIO = np.zeros(8000, dtype=np.float32)
VERBOSE = {"task": "transcribe", "language": "en", "duration": 2.0, "text": " Take lisinopril.",
           "segments": [{"id": 0, "start": 0.0, "end": 2.0, "text": " Take lisinopril."}]}


def _base(url: str) -> str:
    return url.removesuffix("/fhir")


class Audit(list):
    def __call__(self, kind: str, host: str) -> None:
        self.append((kind, host))


def _clean(message: str) -> None:
    assert KEY not in message and "lisinopril" not in message and "\n" not in message
    assert message.endswith(".")


def test_a_verbose_json_answer_becomes_a_transcript_and_the_form_is_openai_shaped(serve):
    server, url = serve(200, {"Content-Type": "application/json"}, json.dumps(VERBOSE).encode())
    audit = Audit()
    t = transcribe(Endpoint(_base(url), api_key=KEY, model="whisper-1"), AUDIO, on_request=audit)
    assert [s.text for s in t.segments] == ["Take lisinopril."]
    assert [w.word.strip() for w in t.segments[0].words] == ["Take", "lisinopril."]
    assert all(w.probability is None for w in t.segments[0].words)  # unknown, never "sure"
    assert audit == [("transcribe", "127.0.0.1")]
    [(path, headers, body)] = server.received
    assert path == "/v1/audio/transcriptions"
    assert headers["Authorization"] == f"Bearer {KEY}"
    assert b'name="response_format"\r\n\r\nverbose_json' in body
    assert b'name="timestamp_granularities[]"\r\n\r\nword' in body
    assert b"fLaC" in body  # the audio goes as FLAC


def test_word_timestamps_and_confidence_are_kept_when_the_server_sends_them(serve):
    answer = dict(VERBOSE, words=[{"word": "Take", "start": 0.1, "end": 0.4, "probability": 0.9},
                                  {"word": "lisinopril.", "start": 0.5, "end": 1.6,
                                   "probability": 0.3}])
    _, url = serve(200, {}, json.dumps(answer).encode())
    t = transcribe(Endpoint(_base(url)), AUDIO, on_request=Audit())
    words = t.segments[0].words
    assert [(w.start, w.end) for w in words] == [(0.1, 0.4), (0.5, 1.6)]
    assert words[1].uncertain and not words[0].uncertain


def test_plain_http_to_the_lan_is_refused_before_any_connection():
    audit = Audit()
    with pytest.raises(RemoteError, match=r"10\.1\.2\.3 must use https://; nothing was sent"):
        transcribe(Endpoint("http://10.1.2.3:8000", api_key=KEY), AUDIO, on_request=audit)
    assert audit == []  # not even audited: nothing was attempted


def test_a_refused_key_is_one_sentence(serve):
    _, url = serve(401, {}, b'{"error": "bad key clinic-secret-key-123"}')
    with pytest.raises(RemoteError, match=r"refused Scribe's key \(HTTP 401\)") as err:
        transcribe(Endpoint(_base(url), api_key=KEY), AUDIO, on_request=Audit())
    _clean(err.value.message)


def test_a_redirect_is_not_followed_so_the_audio_goes_nowhere_else(serve):
    other, other_url = serve(200, {}, json.dumps(VERBOSE).encode())
    _, url = serve(307, {"Location": _base(other_url) + "/v1/audio/transcriptions"})
    with pytest.raises(RemoteError, match=r"HTTP 307"):
        transcribe(Endpoint(_base(url), api_key=KEY), AUDIO, on_request=Audit())
    assert other.received == []


def test_the_environment_proxy_is_not_used(serve, monkeypatch):
    server, url = serve(200, {}, json.dumps(VERBOSE).encode())
    with socket.socket() as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen()
        for name in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY"):
            monkeypatch.setenv(name, f"http://127.0.0.1:{trap.getsockname()[1]}")
        monkeypatch.delenv("no_proxy", raising=False)
        monkeypatch.delenv("NO_PROXY", raising=False)
        transcribe(Endpoint(_base(url)), AUDIO, on_request=Audit())
        trap.setblocking(False)
        with pytest.raises(BlockingIOError):
            trap.accept()  # the proxy was never contacted
    assert len(server.received) == 1


def test_tls_with_the_clinic_ca_works_and_without_it_nothing_is_sent(serve, certificate):
    server, url = serve(200, {}, json.dumps(VERBOSE).encode(), tls=tls_context(certificate))
    base = _base(url)
    t = transcribe(Endpoint(base, ca_file=certificate[0]), AUDIO, on_request=Audit())
    assert t.segments[0].text == "Take lisinopril."
    with pytest.raises(RemoteError, match="did not present a certificate this workstation "
                                          "trusts; nothing was sent") as err:
        transcribe(Endpoint(base, api_key=KEY), AUDIO, on_request=Audit())
    _clean(err.value.message)
    assert len(server.received) == 1  # only the trusted request arrived


def test_a_server_that_never_answers_times_out_in_one_sentence(serve):
    _, url = serve(200, {}, b"{}", delay=5.0)
    t0 = time.monotonic()
    with pytest.raises(RemoteError, match=r"did not answer within 1 seconds"):
        transcribe(Endpoint(_base(url), timeout_s=1.0), AUDIO, on_request=Audit())
    assert time.monotonic() - t0 < 4.0


def test_cancel_stops_the_wait_at_once(serve):
    _, url = serve(200, {}, b"{}", delay=5.0)
    cancel = CancelToken()
    threading.Timer(0.3, cancel.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        transcribe(Endpoint(_base(url), timeout_s=30.0), AUDIO, on_request=Audit(), cancel=cancel)
    assert time.monotonic() - t0 < 2.0


def test_nonsense_is_one_sentence(serve):
    _, url = serve(200, {}, b"<html>gateway</html>")
    with pytest.raises(RemoteError, match="sent an answer Scribe cannot read"):
        transcribe(Endpoint(_base(url)), AUDIO, on_request=Audit())
    _, url = serve(200, {}, b'{"segments": [{"text": "no times"}]}')
    with pytest.raises(RemoteError, match="sent a transcript Scribe cannot read"):
        transcribe(Endpoint(_base(url)), AUDIO, on_request=Audit())


def test_a_refused_audit_sends_nothing(serve):
    server, url = serve(200, {}, json.dumps(VERBOSE).encode())

    def refuse(kind: str, host: str) -> None:
        raise RemoteError("The audit is full.")

    with pytest.raises(RemoteError, match="audit is full"):
        transcribe(Endpoint(_base(url)), AUDIO, on_request=refuse)
    assert server.received == []


def test_a_chat_stream_that_breaks_off_is_one_sentence(serve):
    chunk = {"choices": [{"delta": {"content": "Hypertension."}}]}
    body = f"data: {json.dumps(chunk)}\n\n".encode()  # and then the connection closes: no [DONE]
    _, url = serve(200, {"Content-Type": "text/event-stream"}, body)
    pieces: list[str] = []
    with pytest.raises(RemoteError, match="stopped in the middle of its answer"):
        stream_chat(Endpoint(_base(url), model="m"), [{"role": "user", "content": "x"}], 16,
                    on_text=pieces.append, on_request=Audit())
    assert pieces == ["Hypertension."]


def test_a_chat_stream_ends_at_its_finish_reason_without_waiting_for_done(serve):
    chunks = [{"choices": [{"delta": {"content": "Hypertension"}}]},
              {"choices": [{"delta": {"content": ", controlled."}, "finish_reason": "stop"}]}]
    body = "".join(f"data: {json.dumps(c)}\n\n" for c in chunks).encode()
    server, url = serve(200, {"Content-Type": "text/event-stream"}, body)
    audit = Audit()
    text = stream_chat(Endpoint(_base(url), model="smollm2-135m"),
                       [{"role": "user", "content": "x"}], 16, on_request=audit)
    assert text == "Hypertension, controlled."
    assert audit == [("drafting", "127.0.0.1")]
    payload = json.loads(server.received[0][2])
    assert payload["stream"] is True and payload["model"] == "smollm2-135m"
    assert payload["temperature"] == 0
