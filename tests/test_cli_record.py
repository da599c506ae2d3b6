"""`scribe record` through the real audio stack: PulseAudio virtual source → PortAudio → visit."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

import pytest

from scribe.cli import main
from scribe.cli.common import open_store
from scribe.domain import Status
from tests.audio_stack import DATA, pulse_source, wait_for  # noqa: F401


def test_record_refuses_without_consent(capsys):
    assert main(["record", "--seconds", "1", "--fast"]) == 1
    assert "agreement" in capsys.readouterr().err
    assert open_store().list(include_discarded=True) == []


@pytest.mark.audio
@pytest.mark.slow
def test_record_captures_a_visit_from_the_microphone(capsys, pulse_source, monkeypatch):  # noqa: F811
    """Through the app's live path: the transcript is made while recording, only the tail at Stop
    (`scribe record` used to transcribe the whole file afterwards with the batch transcriber)."""
    from scribe.speech.live import LiveTranscriber
    from scribe.speech.transcriber import Transcriber

    def no_batch(*_a, **_k):  # noqa: ANN002, ANN003, ANN202
        raise AssertionError("scribe record must not run a batch pass over the recording")

    monkeypatch.setattr(Transcriber, "transcribe", no_batch)
    fed: list[int] = []
    real_feed = LiveTranscriber.feed
    monkeypatch.setattr(LiveTranscriber, "feed",
                        lambda self, audio: fed.append(len(audio)) or real_feed(self, audio))
    clip = DATA / "hello.wav"
    key_words = json.loads((DATA / "clips.json").read_text())[clip.name]["key_words"]
    result: dict[str, int] = {}
    argv = ["record", "--device", pulse_source.device, "--seconds", "6", "--consent", "--fast",
            "--label", "mic visit"]
    worker = threading.Thread(target=lambda: result.setdefault("code", main(argv)))
    worker.start()
    # Speak only once the visit is recording, as a clinician would after pressing Record.
    audio_dir = Path(os.environ["SCRIBE_HOME"]) / "audio"
    wait_for(lambda: any(audio_dir.glob("*.part")), 30, "the recording to start")
    player = pulse_source.play(clip)
    player.wait(timeout=30)
    worker.join(timeout=120)
    out, err = capsys.readouterr()
    assert result.get("code") == 0, err
    eid = out.strip().splitlines()[-1]
    store = open_store()
    enc = store.get(eid)
    assert enc.status == Status.IN_REVIEW and enc.consent and enc.duration_s >= 5.0
    text = store.get_transcript(eid).text.lower()
    assert all(w in text for w in key_words), text
    assert sum(fed) >= 3 * 16000  # the live pass heard the recording while it was made
    actions = [e.action for e in store.audit_events(eid)]
    assert actions[:3] == ["created", "consent_given", "recorded"]
