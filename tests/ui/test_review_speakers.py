"""Review view: fixing speaker labels (audited), the audit trail, re-transcribe, streamed drafts."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog

from scribe.domain import Status
from tests.ui.conftest import DATA, reviewed_visit

TIMEOUT = 120_000


def _open(make_window, store):
    eid = reviewed_visit(store)
    w = make_window()
    w.refresh()
    w.select(eid)
    assert w.pages.currentWidget() is w.review
    return w, eid


def _speakers(store, eid):
    return [s.speaker for s in store.get_transcript(eid).segments]


def _lines(view):
    return [view.transcript.item(r).text() for r in range(view.transcript.count())]


def test_swap_and_per_line_speaker_fix_are_saved_and_audited(make_window, store):
    w, eid = _open(make_window, store)
    view = w.review
    assert _speakers(store, eid) == ["clinician", "patient", "patient", "clinician"]
    view.swap_btn.click()
    assert _speakers(store, eid) == ["patient", "clinician", "clinician", "patient"]
    assert "PATIENT: What brings you in today?" in _lines(view)[0]
    menu = view.transcript.speaker_menu(view.transcript.item(2))
    speaker = next(a for a in menu.actions() if a.text() == "Speaker").menu()
    next(a for a in speaker.actions() if a.text() == "Other").trigger()
    assert _speakers(store, eid)[2] == "other"
    assert "OTHER: I take lisinopril" in _lines(view)[2]
    view.tabs.setCurrentIndex(1)
    rows = [[view.audit.item(r, c).text() for c in range(4)] for r in range(view.audit.rowCount())]
    fixes = [r for r in rows if r[1] == "transcript_edited"]
    assert [r[3] for r in fixes] == ["speakers swapped", "segment 2 speaker set to other"]
    assert all(r[2] == "test:Clinician" for r in fixes)  # the channel and the clinician
    assert rows[0][1] == "created"


def test_speaker_fixes_are_off_once_signed(make_window, store):
    w, eid = _open(make_window, store)
    view = w.review

    def sign(dialog):
        dialog.signer.name.setText("Dana Smith")
        return QDialog.DialogCode.Accepted

    view.dialog_exec = sign
    view.sign_btn.click()
    assert store.get(eid).status == Status.SIGNED
    assert not view.swap_btn.isEnabled() and not view.retranscribe_btn.isEnabled()
    menu = view.transcript.speaker_menu(view.transcript.item(0))
    assert not next(a for a in menu.actions() if a.text() == "Speaker").isEnabled()
    view.on_speaker(0, "patient")  # even if asked, nothing changes
    assert _speakers(store, eid)[0] == "clinician"


def test_retranscribe_runs_a_full_pass_and_returns_to_review(qtbot, make_window, store):

    w = make_window()
    with qtbot.waitSignal(w.controller.draft_ready, timeout=TIMEOUT) as ready:
        w.import_file(str(DATA / "hello.wav"))
    eid = ready.args[0]
    w.select(eid)
    w.review.confirm = lambda _t, _x: True
    with qtbot.waitSignal(w.controller.draft_ready, timeout=TIMEOUT):
        w.review.retranscribe_btn.click()
    assert store.get(eid).status == Status.IN_REVIEW
    assert [e.action for e in store.audit_events(eid)].count("transcribed") == 2
    assert "headache" in store.get_transcript(eid).text.lower()


def test_processing_view_shows_streamed_llm_tokens(make_window, store):
    w = make_window()
    enc = store.create_encounter("Room 5", Status.TRANSCRIBING)
    w.refresh()
    w.select(enc.id)
    view = w.processing
    assert w.pages.currentWidget() is view and not view.stream.isVisible()
    for piece in ("\nSUBJECTIVE\n", "Cough", " for four days."):
        w.controller.draft_text.emit(enc.id, piece)
    w.controller.draft_text.emit("another-visit", "not this one")
    assert view.stream.isVisible()
    assert view.stream.toPlainText() == "\nSUBJECTIVE\nCough for four days."
