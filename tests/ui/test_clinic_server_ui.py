"""The clinic server in the app: the status bar says when one is used, a stopped server costs the
visit nothing (made here, said so, audited), and the settings tab refuses an address Scribe would
never send to."""

from __future__ import annotations

import socket

import pytest

from scribe.domain import Status
from scribe.store.settings import Setting
from scribe.visit.server_admin import configure_server
from tests.ui.conftest import DATA

DRAFT_TIMEOUT = 120_000


def _dead_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_no_indicator_without_a_server(make_window):
    w = make_window()
    assert w.server_label.isHidden()


@pytest.mark.slow
def test_a_stopped_server_falls_back_here_and_the_status_bar_says_so(qtbot, make_window, workspace):
    port = _dead_port()
    configure_server(workspace, {Setting.SERVER_TRANSCRIPTION_URL: f"http://127.0.0.1:{port}",
                                 Setting.SERVER_CHAT_URL: f"http://127.0.0.1:{port}"})
    w = make_window()
    assert not w.server_label.isHidden()
    assert w.server_label.text() == "● Using clinic server 127.0.0.1"
    messages: list[str] = []
    w.controller.message.connect(lambda text, _level: messages.append(text))
    with qtbot.waitSignal(w.controller.draft_ready, timeout=DRAFT_TIMEOUT) as ready:
        w.import_file(str(DATA / "hello.wav"))
    eid = ready.args[0]
    qtbot.waitUntil(lambda: w.controller.server_ok is False, timeout=5000)
    assert workspace.store.get(eid).status == Status.IN_REVIEW  # made here, nothing stuck
    assert "headache" in workspace.store.get_transcript(eid).text.lower()
    assert any("transcribed on this workstation instead" in m for m in messages)
    assert any("drafted on this workstation instead" in m for m in messages)
    assert w.server_label.text().startswith("⚠ Clinic server unavailable")
    requests = [e.detail for e in workspace.store.audit_events(eid)
                if e.action == "server_request"]
    assert requests == ["transcribe to 127.0.0.1", "models to 127.0.0.1"]  # the chat model asked first


def test_the_settings_tab_refuses_plain_http_to_the_lan(qtbot, workspace):
    from ui.settings_dialog import SettingsDialog

    dialog = SettingsDialog(workspace)
    qtbot.addWidget(dialog)
    assert dialog.server.error.isHidden()  # no empty error box before anything was typed
    dialog.server.edits[Setting.SERVER_CHAT_URL].setText("http://192.168.1.20:8000")
    dialog.server.edits[Setting.SERVER_API_KEY].setText("k3y")
    dialog.accept()
    assert dialog.tabs.currentWidget() is dialog.server  # kept open on the tab, with the reason
    assert "192.168.1.20 must use https://" in dialog.server.error.text()
    assert not dialog.server.error.isHidden()
    assert workspace.settings.text(Setting.SERVER_CHAT_URL) == ""
    assert workspace.settings.text(Setting.SERVER_API_KEY) == ""
    dialog.server.edits[Setting.SERVER_CHAT_URL].setText("https://gpu.clinic.lan")
    dialog.accept()
    assert workspace.settings.text(Setting.SERVER_CHAT_URL) == "https://gpu.clinic.lan"
