"""The real clinic server engines on 127.0.0.1 (faster-whisper-server with tiny.en, ``transformers
serve`` with the SmolLM2 fixture, started by packaging/clinic-server/start.sh as IT would): what IT
sees and what the engines answer to Scribe's requests; whole visits through them, from the command
line and from the app; then, in the middle of a draft, the chat engine hangs and the service
manager stops the server (SIGTERM): start.sh stops both engines, and the visit still ends in
review, drafted here.

One server start serves the module (a start costs 10-30 s on 2 cores; start.sh's own checks, with
no engine started, are in tests/test_clinic_server.py). The last test stops it, so it stays last.
SmolLM2 comes de-quantized (tests/smollm2.py: once a run, whichever worker needs it first), and
``ONE_WORKER`` keeps the module with the other SmolLM2 tests on one worker where xdist groups.
"""

from __future__ import annotations

import io
import json
import re
import signal
import threading

import pytest
import soundfile as sf

from scribe.cli import main
from scribe.domain import Status
from scribe.drafting.templates import Template, TemplateSection, save_user_template
from scribe.store.settings import Setting
from scribe.visit.pipeline import note_from_file
from scribe.visit.server_admin import configure_server
from tests.clinic_server import get, refused, start_clinic_server, stream_chat, transcribe
from tests.smollm2 import ONE_WORKER, SMOL, installed
from tests.ui.conftest import DATA, WavStreamFactory

pytestmark = [pytest.mark.slow, ONE_WORKER]

CLIPS = json.loads((DATA / "clips.json").read_text())
DRAFT_TIMEOUT = 240_000


@pytest.fixture(scope="module")
def server(tmp_path_factory, models_root):
    with start_clinic_server(tmp_path_factory.mktemp("clinic"), "tiny.en", SMOL,
                             models=installed(models_root, tmp_path_factory)) as running:
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


def test_the_engines_serve_what_scribe_sends(server):
    """What a clinic's IT and Scribe see: both URLs printed, a visit's words transcribed (WAV and
    the FLAC Scribe sends), a note streamed."""
    clip = CLIPS["hello.wav"]
    wav = (DATA / "hello.wav").read_bytes()
    # IT sees one line per engine, with the URL to give Scribe.
    printed = "\n".join(server.lines)
    assert re.search(rf"^transcription {re.escape(server.whisper_url)} ", printed, re.M)
    assert re.search(rf"^chat {re.escape(server.chat_url)} ", printed, re.M)

    # The chat engine answers to the catalog id (what Scribe's setting names).
    status, models = get(f"{server.chat_url}/v1/models")
    assert status == 200 and SMOL in [m["id"] for m in models["data"]]

    # A committed clip, as WAV and as the FLAC Scribe sends: the words spoken come back, timed.
    answers = [transcribe(server.whisper_url, "hello.wav", wav, "audio/wav")]
    audio, rate = sf.read(DATA / "hello.wav", dtype="float32")
    flac = io.BytesIO()
    sf.write(flac, audio, rate, format="FLAC", subtype="PCM_16")
    answers.append(transcribe(server.whisper_url, "visit.flac", flac.getvalue(), "audio/flac"))
    for answer in answers:
        assert answer["task"] == "transcribe"
        assert answer["duration"] == pytest.approx(clip["duration_s"], abs=0.1)
        text = answer["text"].lower()
        missing = [w for w in clip["key_words"] if w not in text]
        assert not missing, f"not transcribed: {missing} in {answer['text']!r}"
        segments = answer["segments"]
        assert segments and all(0 <= s["start"] < s["end"] <= answer["duration"] + 0.5
                                for s in segments)
        assert "".join(s["text"] for s in segments) == answer["text"]

    # A streamed chat completion: server-sent events, each a chunk, together some text.
    content_type, events = stream_chat(server.chat_url, SMOL)
    assert content_type.startswith("text/event-stream")
    assert len(events) >= 2 and all(e["object"] == "chat.completion.chunk" for e in events)
    pieces = [c["delta"].get("content") or "" for e in events for c in e["choices"]]
    assert "".join(pieces).strip()
    assert events[-1]["choices"][0]["finish_reason"] in ("length", "stop")


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
    assert data["note"]["engine"] == f"llm:server:{SMOL}@127.0.0.1"
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
    assert workspace.store.get_note(eid).current.engine == f"llm:server:{SMOL}@127.0.0.1"
    assert _requests(workspace, eid)[0] == "transcribe to 127.0.0.1"
    assert "drafting to 127.0.0.1" in _requests(workspace, eid)
    qtbot.waitUntil(lambda: w.controller.server_ok is not None, timeout=5000)
    assert w.controller.server_ok is True
    assert w.server_label.text() == "● Using clinic server 127.0.0.1"


def test_stopping_the_server_mid_draft_stops_both_engines_and_the_visit_is_drafted_here(
        server, workspace):
    """Once the first drafted tokens have streamed back, the chat engine hangs (SIGSTOP: it
    answers nothing more, SIGTERM included) and the service manager stops the server (SIGTERM
    to start.sh alone, as systemd sends it). start.sh exits 143 with both engines gone, the hung
    one killed after its grace period, so the draft's stream breaks off; the visit still ends in
    review, drafted here from the server's transcript. (Last: the module's server is stopped.)"""
    _configure(workspace, server)
    notices: list[str] = []
    stopped = threading.Event()
    chat = server.chat_engine()

    def on_step(name: str, fraction: float) -> None:
        if name == "drafting" and fraction > 0 and not stopped.is_set():
            stopped.set()
            chat.send_signal(signal.SIGSTOP)
            server.terminate()

    engines = workspace.engines().with_(on_notice=notices.append)
    enc = note_from_file(workspace, DATA / "hello.wav", engines, on_step=on_step)
    assert stopped.is_set(), "the draft never streamed from the server"
    assert server.process.wait(30) == 143, server.output()
    assert all(refused(port) for port in server.ports), server.output()
    assert not chat.is_running(), "start.sh left the hung chat engine running"
    assert enc.status == Status.IN_REVIEW
    note = workspace.store.get_note(enc.id)
    assert note.current.engine == "offline"  # drafted again, here, from the server's transcript
    assert workspace.store.get_transcript(enc.id).model == "server:whisper-1@127.0.0.1"
    assert any("drafted on this workstation instead" in n for n in notices), notices
    assert note.current.sentences(), "the fallback draft is empty"
