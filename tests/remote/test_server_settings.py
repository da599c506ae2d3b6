"""IT's clinic-server settings: checked before saving, audited by name only, never printed; the
audit relay between threads; a visit falls back to this workstation when the server is down."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from scribe.cli import main
from scribe.domain import Status
from scribe.errors import InputError
from scribe.remote import RemoteError
from scribe.store.settings import Setting
from scribe.visit.server import clinic_server
from scribe.visit.server_admin import AuditRelay, configure_server

KEY = "clinic-secret-key-123"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def _dead_port() -> int:
    """A loopback port where nothing listens (connections are refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_set_show_clear_never_print_or_audit_the_key(capsys, tmp_path, workspace):
    key_file = tmp_path / "key"
    key_file.write_text(KEY + "\n")
    code, out, err = run(capsys, "server", "set", "--transcription-url", "http://127.0.0.1:8101",
                         "--chat-url", "http://localhost:8102", "--key-file", str(key_file))
    assert code == 0, err
    code, out, _ = run(capsys, "server", "show", "--json")
    shown = json.loads(out)
    assert shown["transcription_url"] == "http://127.0.0.1:8101" and shown["in_use"] is True
    assert shown["api_key"] == "set" and KEY not in out
    workspace.store.close()  # read what the CLI wrote, in a fresh open
    from scribe.visit.workspace import Workspace

    ws = Workspace.open(workspace.home, actor="test")
    try:
        server = clinic_server(ws.settings)
        assert server is not None and server.chat is not None
        assert server.chat.api_key == KEY and server.hosts == ("127.0.0.1", "localhost")
        events = [e for e in ws.store.audit_events() if e.action == "server_configured"]
        assert events and all(KEY not in e.detail and "8101" not in e.detail for e in events)
        assert "api_key" in events[-1].detail
    finally:
        ws.close()
    assert run(capsys, "server", "clear")[0] == 0
    code, out, _ = run(capsys, "server", "show", "--json")
    assert json.loads(out)["in_use"] is False and json.loads(out)["api_key"] == "not set"


@pytest.mark.parametrize("url, sentence", [
    ("http://10.0.0.7:8000", "10.0.0.7 must use https://"),
    ("ftp://127.0.0.1/v1", "must be an https:// address"),
])
def test_an_address_scribe_would_never_use_is_refused_and_nothing_is_saved(workspace, url,
                                                                           sentence):
    with pytest.raises(InputError, match=sentence):
        configure_server(workspace, {Setting.SERVER_CHAT_URL: url,
                                     Setting.SERVER_API_KEY: KEY})
    assert clinic_server(workspace.settings) is None
    assert workspace.settings.text(Setting.SERVER_API_KEY) == ""  # nothing of the change kept


def test_a_ca_file_that_is_not_a_certificate_is_refused(workspace, tmp_path):
    bad = tmp_path / "ca.pem"
    bad.write_text("not a certificate")
    with pytest.raises(InputError, match="is not a readable PEM certificate"):
        configure_server(workspace, {Setting.SERVER_CHAT_URL: "https://gpu.clinic.lan",
                                     Setting.SERVER_CA_FILE: str(bad)})
    assert clinic_server(workspace.settings) is None


def test_note_with_server_and_none_configured_is_one_sentence(capsys, clip):
    code, _, err = run(capsys, "note", str(clip("hello.wav")), "--server", "--fast")
    assert code == 1
    assert err.strip() == ("scribe: No clinic server is configured; IT sets one under Settings → "
                           "Clinic server or with 'scribe server set'.")


def test_the_relay_writes_on_the_owner_thread_before_the_request_goes():
    written: list[tuple[str, str, str]] = []
    relay = AuditRelay(lambda k, h: written.append((k, h, threading.current_thread().name)),
                       wake=lambda: None, timeout_s=5)
    result: list[object] = []

    def worker() -> None:
        relay("transcribe", "gpu.clinic.lan")
        result.append(list(written))  # already written when the call returns

    t = threading.Thread(target=worker, name="lane")
    t.start()
    while t.is_alive():
        relay.pump()
        t.join(0.01)
    assert result == [[("transcribe", "gpu.clinic.lan", threading.current_thread().name)]]


def test_the_relay_refuses_when_the_owner_never_writes():
    relay = AuditRelay(lambda k, h: None, timeout_s=0.2)
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            relay("drafting", "gpu.clinic.lan")
        except RemoteError as e:
            errors.append(e)

    t = threading.Thread(target=worker)
    t.start()
    t.join(5)
    assert errors and "nothing was sent" in errors[0].message


@pytest.mark.slow
def test_a_visit_with_the_server_down_is_made_here_and_says_so(capsys, workspace, clip):
    """The server is configured but stopped (connection refused): the visit is transcribed and
    drafted on this workstation, the clinician is told, the attempts are audited."""
    port = _dead_port()
    configure_server(workspace, {Setting.SERVER_TRANSCRIPTION_URL: f"http://127.0.0.1:{port}",
                                 Setting.SERVER_CHAT_URL: f"http://127.0.0.1:{port}"})
    code, out, err = run(capsys, "note", str(clip("hello.wav")), "--fast", "--json")
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == Status.IN_REVIEW.value
    assert "headache" in " ".join(s["text"] for s in data["transcript"]).lower()
    assert "transcribed on this workstation instead" in err
    assert "drafted on this workstation instead" in err
    assert data["note"]["engine"] == "offline"
    requests = [e.detail for e in workspace.store.audit_events(data["id"])
                if e.action == "server_request"]
    assert requests == ["transcribe to 127.0.0.1", "models to 127.0.0.1"]  # the chat model asked first


def test_local_keeps_everything_here_even_with_a_server(workspace):
    configure_server(workspace, {Setting.SERVER_CHAT_URL: "https://gpu.clinic.lan"})
    assert workspace.engines().engine == "server"
    local = workspace.engines(use_server=False)
    assert local.server is None and local.engine == "offline"
