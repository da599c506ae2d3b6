"""After a crash the app offers to keep the interrupted recording, and it becomes a visit."""

from __future__ import annotations

import numpy as np
from PySide6.QtWidgets import QMessageBox

from scribe.domain import Status
from tests.test_recovery import make_part
from ui.app import offer_recovery


def test_app_start_offers_recovery_and_makes_the_visit(make_window, ws, store, monkeypatch):
    w = make_window()
    eid = store.create_encounter("Room 3", Status.RECORDING, consent=True).id
    pcm = (np.sin(np.arange(16000 * 3) / 8) * 8000).astype("<i2").tobytes()
    make_part(ws.vault.folder, eid, pcm, {"samplerate": 16000, "channels": 1,
                                          "encounter_id": eid})
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.Yes)
    recovered = offer_recovery(w, ws)
    assert asked and "1 recording(s) were interrupted" in asked[0]
    assert recovered == [{"id": eid, "duration_s": 3.0}]
    enc = store.get(eid)
    assert enc.status == Status.FAILED and "recovered" in enc.failure
    assert offer_recovery(w, ws) == []  # nothing left to offer
