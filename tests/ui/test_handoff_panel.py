"""The review screen's "Codes & documents" tab, driven as a clinician would: tick a code, sign,
write the after-visit summary, sign it, save it as a PDF, export the note as FHIR."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt

from scribe.domain import CodeState, Identity
from tests.visit.test_handoff import SIGNER, _visit


@pytest.fixture
def review(qtbot, app_ws):
    from ui.app import create_app
    from ui.controller import Controller
    from ui.review_view import ReviewView

    create_app([])
    ctrl = Controller(app_ws, model="tiny.en")
    messages: list[tuple[str, str]] = []
    ctrl.message.connect(lambda text, level: messages.append((text, level)))
    view = ReviewView(ctrl)
    view.messages = messages  # type: ignore[attr-defined]
    qtbot.addWidget(view)
    view.resize(1200, 800)
    view.show()
    return view


def test_codes_are_ticked_before_signing_and_frozen_after(review, app_ws):
    eid = _visit(app_ws)
    review.load(eid)
    panel = review.handoff
    assert "Jane Q Doe · MRN MRN-0042" in review.subtitle.text()
    items = [panel.codes.item(i) for i in range(panel.codes.count())]
    i10 = next(it for it in items if it.text().startswith("I10"))
    assert "Essential (primary) hypertension" in i10.text() and "not decided" in i10.text()
    assert not panel.fhir_btn.isEnabled()  # nothing leaves before signing
    i10.setCheckState(Qt.CheckState.Checked)
    assert {c.code: c.state for c in app_ws.store.codes(eid)}["I10"] == CodeState.ACCEPTED
    app_ws.store.sign(eid, SIGNER, "I attest.")
    review.load(eid)
    first = panel.codes.item(0)
    assert not first.flags() & Qt.ItemFlag.ItemIsUserCheckable
    assert not review.patient_btn.isEnabled() and panel.fhir_btn.isEnabled()


def test_summary_is_drafted_signed_and_saved_as_pdf_then_the_note_as_fhir(qtbot, review, app_ws,
                                                                          tmp_path):
    eid = _visit(app_ws)
    app_ws.store.sign(eid, SIGNER, "I attest.")
    review.load(eid)
    review.tabs.setCurrentIndex(1)  # "Codes & documents"
    panel = review.handoff
    panel.summary_btn.click()
    doc = panel.document
    assert doc is not None and not doc.signed
    assert panel.editor.isVisible()
    qtbot.waitUntil(lambda: "grade" in panel.grade.text(), timeout=5000)  # measured off-thread
    assert panel.sign_doc_btn.isVisible() and not panel.pdf_btn.isEnabled()
    panel.sign_doc_btn.click()
    assert panel.document is not None and panel.document.signed
    assert panel.doc_state.text().startswith("Signed by")
    pdf = tmp_path / "summary.pdf"
    panel.save_path = lambda _title, _name: str(pdf)
    panel.pdf_btn.click()
    assert pdf.read_bytes().startswith(b"%PDF")
    note_json = tmp_path / "note.json"
    panel.save_path = lambda _title, _name: str(note_json)
    panel.fhir_btn.click()
    assert json.loads(note_json.read_text())["docStatus"] == "final"
    details = [e.detail for e in app_ws.store.audit_events(eid) if e.action == "exported"]
    assert any("pdf" in d and "summary" in d for d in details)
    assert any("format=fhir" in d for d in details)


def test_import_with_a_mistyped_date_of_birth_says_so_and_starts_nothing(review, clip):
    ctrl = review.controller
    ctrl.import_file(clip("visit_short.wav"), Identity("Jane Doe", "31/03/1970"))
    assert not ctrl.jobs
    assert review.messages[-1] == ("The date of birth must be written as YYYY-MM-DD (for "
                                   "example 1970-03-31).", "error")
