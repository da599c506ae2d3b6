"""Never lose a visit: kill -9 a real ``scribe record`` mid-visit, then ``scribe recover``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scribe.audio.files import load_audio
from scribe.cli import main
from scribe.domain import Status
from scribe.errors import AuthError
from scribe.security import crypto
from scribe.visit.workspace import Workspace
from tests.audio_stack import DATA, pulse_source, wait_for  # noqa: F401

ROOT = Path(__file__).resolve().parent.parent
KILL_AFTER_S = 3.0


@pytest.mark.audio
def test_kill_9_during_scribe_record_then_recover_keeps_all_but_the_last_second(
    scribe_home, capsys, pulse_source  # noqa: F811
):
    env = dict(os.environ, **pulse_source.env, PYTHONPATH=str(ROOT))
    env["SCRIBE_HOME"] = str(scribe_home)
    child = subprocess.Popen(
        [sys.executable, "-m", "scribe", "record", "--device", pulse_source.device, "--consent",
         "--label", "Visit of Jane Doe", "--fast"],
        cwd=ROOT, env=env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    player = None
    try:
        assert child.stderr is not None
        line = child.stderr.readline()  # printed once the microphone is open and the visit exists
        assert line.startswith("Recording visit"), line
        eid = line.split()[2].rstrip("…")
        player = pulse_source.play(DATA / "visit_short.wav")
        # The device delivers its first block after its own start-up latency; the first sealed
        # chunk of audio on disk marks a moment by which audio was flowing.
        part = scribe_home / "audio" / f"{eid}.pcm.part"
        first = part.stat().st_size
        wait_for(lambda: part.stat().st_size > first, 15, "the first audio on disk")
        started = time.monotonic()
        # Wait on the child itself (not a sleep): it is still recording when the timer ends.
        with pytest.raises(subprocess.TimeoutExpired):
            child.wait(timeout=KILL_AFTER_S)
        child.send_signal(signal.SIGKILL)
        killed_after = time.monotonic() - started
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
        if player is not None:
            player.kill()
            player.wait()

    audio_dir = scribe_home / "audio"
    assert part.is_file() and part.read_bytes().startswith(crypto.MAGIC)  # encrypted while growing

    assert main(["recover", "--json"]) == 0
    recovered = json.loads(capsys.readouterr().out)
    with capsys.disabled():
        print(f"\nkill -9 after {killed_after:.2f} s of recording; recovered {recovered}")
    assert [r["id"] for r in recovered] == [eid]
    assert recovered[0]["duration_s"] >= KILL_AFTER_S - 1.0
    assert recovered[0]["duration_s"] <= killed_after + 1.5

    ws = Workspace.open(scribe_home, actor="test")
    enc = ws.store.get(eid)
    assert enc.status == Status.FAILED and "recovered" in (enc.failure or "")
    assert enc.duration_s == pytest.approx(recovered[0]["duration_s"], abs=0.01)
    stored = audio_dir / enc.audio_file
    assert stored.read_bytes().startswith(crypto.MAGIC)  # sealed in place, still encrypted
    audio = ws.vault.load(enc.audio_file)
    assert audio.size / 16000 == pytest.approx(recovered[0]["duration_s"], abs=0.01)
    with pytest.raises(AuthError):
        load_audio(stored)  # only the signed-in clinician's key opens it
    assert not list(audio_dir.glob("*.part"))
    assert ws.store.verify_audit().ok
    actions = [e.action for e in ws.store.audit_events(eid)]
    assert actions[:2] == ["created", "consent_given"] and "recorded" in actions
    ws.close()

    assert main(["recover", "--json"]) == 0  # nothing left to recover
    assert json.loads(capsys.readouterr().out) == []


def test_recover_with_nothing_interrupted_says_so(capsys):
    assert main(["recover"]) == 0
    assert "No interrupted recordings" in capsys.readouterr().out
