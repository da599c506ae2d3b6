"""Whole visits through the real clinic server engines on 127.0.0.1 (faster-whisper-server with
tiny.en, ``transformers serve`` with the SmolLM2 fixture, started by packaging/clinic-server/
start.sh as IT would), from the command line and from the app; then the server is killed with
SIGKILL in the middle of a draft and the visit still ends in review, drafted here.

One server start serves the module (``xdist_group``: `make test` keeps the module on one worker).
"""

from __future__ import annotations

import json
import threading

import pytest

from scribe.cli import main
from scribe.domain import Status
from scribe.drafting.templates import Template, TemplateSection, save_user_template
from scribe.store.settings import Setting
from scribe.visit.pipeline import note_from_file
from scribe.visit.server_admin import configure_server
from tests.clinic_server import start_clinic_server
from tests.ui.conftest import DATA, WavStreamFactory

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("clinic-server")]

CLIPS = json.loads((DATA / "clips.json").read_text())
DRAFT_TIMEOUT = 240_000


@pytest.fixture(scope="module")
def server(tmp_path_factory, models_root):
    with start_clinic_server(tmp_path_factory.mktemp("clinic"), "tiny.en", "smollm2-135m",
                             models=models_root) as running:
        yield running


def _configure(ws, server) -> None:
    """The test's workspace pointed at the server, with a one-section template as its default:
    the SmolLM2 fixture checks the plumbing, not the prose, and each section is a generation."""
    configure_server(ws, {Setting.SERVER_TRANSCRIPTION_URL: server.whisper_url,
                          Setting.SERVER_CHAT_URL: server.chat_url,
                          Setting.SERVER_TIMEOUT_S: "120"})
    save_user_template(Template("brief", "Brief", (TemplateSection(
        "assessment_and_plan", "Assessment and plan", "Each problem and what was decided."),)),
        ws.templates_dir)
    ws.settings.set(Setting.DEFAULT_TEMPLATE, "brief")


def _requests(ws, eid: str) -> list[str]:
    return [e.detail for e in ws.store.audit_events(eid) if e.action == "server_request"]


def test_scribe_note_server_transcribes_and_drafts_there(capsys, server, workspace):
    _configure(workspace, server)
    code = main(["note", str(DATA / "hello.wav"), "--server", "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    data = json.loads(out)
    assert data["status"] == Status.IN_REVIEW.value
    assert "workstation instead" not in err  # nothing fell back
    text = " ".join(s["text"] for s in data["transcript"]).lower()
    missing = [w for w in CLIPS["hello.wav"]["key_words"] if w not in text]
    assert not missing, f"the server's transcript lacks {missing}"
    stored = workspace.store.get_transcript(data["id"])
    assert stored.model == "server:whisper-1@127.0.0.1"
    assert data["note"]["engine"] == "llm:server:smollm2-135m@127.0.0.1"
    assert [s["title"] for s in data["note"]["sections"]] == ["Assessment and plan"]
    requests = _requests(workspace, data["id"])
    assert requests[0] == "transcribe to 127.0.0.1"
    assert "drafting to 127.0.0.1" in requests  # each request audited first
    details = " ".join(e.detail for e in workspace.store.audit_events()).lower()
    assert "headache" not in details and server.chat_url not in details  # never the content


def test_a_recorded_visit_is_live_here_and_gets_its_full_pass_on_the_server(qtbot, make_window,
                                                                           server, workspace):
    """The live transcript is made on the workstation while recording; at Stop the whole
    recording goes to the server for the stored transcript and the draft (each request audited
    from the model lane through the main thread); the status bar says the server was used."""
    _configure(workspace, server)
    w = make_window(stream_factory=WavStreamFactory(DATA / "hello.wav"))
    assert w.server_label.text() == "● Using clinic server 127.0.0.1"
    w.new_btn.click()
    w.record.consent.setChecked(True)
    w.record.record_btn.click()
    eid = w.controller.recording_id
    qtbot.waitUntil(lambda: "headache" in w.record.live.toPlainText().lower(), timeout=60_000)
    assert _requests(workspace, eid) == []  # nothing has left while recording
    with qtbot.waitSignal(w.controller.draft_ready, timeout=DRAFT_TIMEOUT):
        w.record.stop_btn.click()
    assert workspace.store.get(eid).status == Status.IN_REVIEW
    assert workspace.store.get_transcript(eid).model == "server:whisper-1@127.0.0.1"
    assert workspace.store.get_note(eid).current.engine == "llm:server:smollm2-135m@127.0.0.1"
    assert _requests(workspace, eid)[0] == "transcribe to 127.0.0.1"
    assert "drafting to 127.0.0.1" in _requests(workspace, eid)
    qtbot.waitUntil(lambda: w.controller.server_ok is not None, timeout=5000)
    assert w.controller.server_ok is True
    assert w.server_label.text() == "● Using clinic server 127.0.0.1"


def test_killing_the_server_mid_draft_leaves_a_finished_visit_drafted_here(server, workspace):
    """SIGKILL to every engine process once the first drafted tokens have streamed back."""
    _configure(workspace, server)
    notices: list[str] = []
    killed = threading.Event()

    def on_step(name: str, fraction: float) -> None:
        if name == "drafting" and fraction > 0 and not killed.is_set():
            killed.set()
            server.kill()

    engines = workspace.engines().with_(on_notice=notices.append)
    enc = note_from_file(workspace, DATA / "hello.wav", engines, on_step=on_step)
    assert killed.is_set(), "the draft never streamed from the server"
    assert enc.status == Status.IN_REVIEW
    note = workspace.store.get_note(enc.id)
    assert note.current.engine == "offline"  # drafted again, here, from the server's transcript
    assert workspace.store.get_transcript(enc.id).model == "server:whisper-1@127.0.0.1"
    assert any("drafted on this workstation instead" in n for n in notices), notices
    assert note.current.sentences(), "the fallback draft is empty"
