"""The live transcript while recording (issue 3), with the real fast model and a fake microphone."""

from __future__ import annotations

from scribe.domain import Status
from tests.ui.conftest import DATA, WavStreamFactory

TIMEOUT = 120_000


def test_live_transcript_grows_while_recording_and_stop_goes_to_review(qtbot, make_window, store):
    factory = WavStreamFactory(DATA / "visit_short.wav")
    w = make_window(stream_factory=factory)
    w.new_btn.click()
    panel = w.record
    panel.consent.setChecked(True)
    panel.record_btn.click()
    eid = w.controller.recording_id
    updates: list[str] = []
    w.controller.live_changed.connect(lambda _eid, committed, _pending: updates.append(committed))
    # Committed words show while the visit is still recording, and the text grows.
    qtbot.waitUntil(lambda: len(set(updates)) >= 2 and len(updates[-1].split()) >= 8,
                    timeout=TIMEOUT)
    assert store.get(eid).status == Status.RECORDING
    assert panel.committed_text.lower() in panel.live.toPlainText().lower()
    grown = [u for u in updates if u]
    assert all(b.startswith(a) for a, b in zip(grown, grown[1:]))  # never rewritten
    with qtbot.waitSignal(w.controller.draft_ready, timeout=TIMEOUT):
        panel.stop_btn.click()
    enc = store.get(eid)
    assert enc.status == Status.IN_REVIEW
    transcript = store.get_transcript(eid)
    text = transcript.text.lower()
    assert all(k in text for k in ("cough", "penicillin", "bronchitis"))
    assert {s.speaker for s in transcript.segments} & {"clinician", "patient"}
    assert w.pages.currentWidget() is w.review
    # One transcription only: the live one (no second full pass was queued).
    actions = [e.action for e in store.audit_events(eid)]
    assert actions.count("transcribed") == 1
