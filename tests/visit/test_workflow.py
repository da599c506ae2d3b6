"""One workflow for the app, the CLI and the benches (``scribe.visit``), and the defects that the
four copies of it had; each test here failed on the copies."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest

from bench._feed import FileMicrophone
from scribe.audio.files import load_audio
from scribe.audio.partfile import sidecar_path, wav_header
from scribe.cli import main
from scribe.domain import Status
from scribe.security.crypto import EncryptedWriter
from scribe.store.settings import Setting
from scribe.visit import live as visit_live
from scribe.visit import pipeline
from scribe.visit.live import follow_live
from scribe.visit.recording import start_recording, stop_recording
from tests.conftest import DATA


def _record(ws, audio, engines):
    """Record ``audio`` through the app's recorder and live follower; returns (eid, transcript)."""
    mic = FileMicrophone(audio, speed=0)
    rec = start_recording(ws, stream_factory=mic)
    out: dict = {}

    def follow() -> None:
        gen = follow_live(rec, engines)
        try:
            while True:
                next(gen)
        except StopIteration as done:
            out["transcript"] = done.value

    t = threading.Thread(target=follow)
    t.start()
    assert mic.stream is not None and mic.stream.fed_all.wait(30)
    time.sleep(0.6)  # one flush interval: the last block reaches the part file
    stop_recording(ws, rec)
    t.join(120)
    return rec.encounter_id, out["transcript"]


@pytest.mark.slow
def test_a_recorded_visit_is_stored_and_drafted_with_the_default_template(workspace):
    """The app's copy wrote ``soap`` on every recorded visit's row, whatever it drafted with, so
    "process again" used the wrong template."""
    workspace.settings.set(Setting.DEFAULT_TEMPLATE, "hp")
    engines = workspace.engines(model="tiny.en")
    eid, transcript = _record(workspace, load_audio(DATA / "hello.wav"), engines)
    assert workspace.store.get(eid).template == "hp"
    pipeline.process(workspace, workspace.store.get(eid), engines, transcript=transcript)
    assert workspace.store.get_note(eid).current.template == "hp"
    assert "headache" in workspace.store.get_transcript(eid).text.lower()
    assert workspace.store.get(eid).status is Status.IN_REVIEW


def _interrupted_part(ws, audio: np.ndarray) -> str:
    """A part file as a crash leaves it: sealed chunks, no final chunk, its sidecar beside it."""
    eid = "f" * 32
    part = ws.vault.folder / f"{eid}.pcm.part"
    w = EncryptedWriter(part, ws.key, wav_header(16000, 1, None))
    w.write((audio * 32767).astype("<i2").tobytes())
    w.flush()  # no close(): the recording was cut short
    sidecar_path(part).write_text(json.dumps(
        {"samplerate": 16000, "channels": 1, "encounter_id": eid, "started_at": "2026-01-01"}))
    return eid


@pytest.mark.slow
def test_recover_transcribe_labels_speakers_with_the_enrolled_voice_print(
        workspace, monkeypatch, capsys):
    """``scribe recover --transcribe`` never loaded the voice print (its own copy of the steps)."""
    voiceprint = np.linspace(-1, 1, 256).astype(np.float32)
    workspace.settings.set_voiceprint(voiceprint)
    eid = _interrupted_part(workspace, load_audio(DATA / "hello.wav"))
    seen = []
    real = pipeline.label_transcript

    def spy(audio, transcript, enrolment, cancel, **kw):  # noqa: ANN001, ANN003, ANN202
        seen.append(enrolment)
        return real(audio, transcript, None, cancel, **kw)  # the test's print is not a voice

    monkeypatch.setattr(pipeline, "label_transcript", spy)
    workspace.close()
    assert main(["recover", "--transcribe", "--fast"]) == 0, capsys.readouterr().err
    assert len(seen) == 1 and seen[0] is not None
    assert np.allclose(seen[0], voiceprint, atol=1e-5)
    assert eid in capsys.readouterr().out


def test_the_offline_draft_is_checked_once(workspace, monkeypatch):
    from scribe.note import checks
    from scribe.transcript_io import parse_text_transcript

    calls = []
    real = checks.check_note
    monkeypatch.setattr(pipeline, "check_note",
                        lambda d, t: calls.append(1) or real(d, t))
    transcript = parse_text_transcript("[doctor] any allergies?\n[patient] penicillin.\n")
    draft = pipeline.draft_transcript(transcript, "soap", workspace.engines())
    assert calls == [1] and draft.sentences()


@pytest.mark.slow
def test_the_visit_bench_times_the_apps_own_stop_work(monkeypatch):
    """``bench live`` timed a copy of the loop without the app's work at Stop; ``bench visit``
    (and ``bench live``) drive scribe.visit, so a slower Stop shows in their figure."""
    from bench._visit import run_visit

    real = visit_live.finish_live

    def slow_finish(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(visit_live, "finish_live", slow_finish)
    r = run_visit(load_audio(DATA / "hello.wav"), model="tiny.en", speed=4.0)
    assert r["stop_to_transcript_s"] >= 1.5
    assert r["stop_to_draft_s"] >= r["stop_to_transcript_s"]
    assert "headache" in r["transcript"].text.lower()
