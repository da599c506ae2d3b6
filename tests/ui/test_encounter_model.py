"""The visit list model: newest first as given, status text, failure reason as tooltip and icon."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from PySide6.QtCore import Qt

from scribe.domain import Encounter, Status
from ui.encounter_model import ID_ROLE, EncounterModel, duration_text

T0 = datetime(2026, 1, 5, 9, 30, tzinfo=timezone.utc)


def _visits() -> list[Encounter]:
    return [
        Encounter("b" * 32, T0 + timedelta(hours=1), "Room 2", Status.FAILED, 12.0, None,
                  "Visit_short.mp3 could not be read as audio; use a WAV, MP3, M4A or FLAC recording."),
        Encounter("a" * 32, T0, "Room 1", Status.IN_REVIEW, 754.0),
    ]


def test_qt_model_contract(qtmodeltester, qapp):
    model = EncounterModel()
    model.set_encounters(_visits())
    qtmodeltester.check(model)
    model.set_encounters(_visits()[1:])  # a reset
    qtmodeltester.check(model)


def test_rows_show_time_label_status_duration(qapp):
    model = EncounterModel()
    model.set_encounters(_visits())
    row = [model.index(1, c).data() for c in range(4)]
    assert row[1:] == ["Room 1", "In review", "12:34"]
    assert model.index(1, 0).data(ID_ROLE) == "a" * 32
    failed = model.index(0, 2)
    assert failed.data() == "Failed"
    assert "could not be read as audio" in failed.data(Qt.ItemDataRole.ToolTipRole)
    assert not failed.data(Qt.ItemDataRole.DecorationRole).isNull()
    assert model.index(1, 2).data(Qt.ItemDataRole.ToolTipRole) is None


def test_progress_shows_in_the_status_column(qapp):
    model = EncounterModel()
    enc = _visits()[1]
    enc.status = Status.TRANSCRIBING
    model.set_encounters([enc])
    model.set_progress(enc.id, "transcribing", 0.42)
    assert model.index(0, 2).data() == "Transcribing 42 %"


def test_same_rows_update_in_place(qtbot, qapp):
    model = EncounterModel()
    model.set_encounters(_visits())
    with qtbot.assertNotEmitted(model.modelReset):
        visits = _visits()
        visits[1].status = Status.SIGNED
        model.set_encounters(visits)
    assert model.index(1, 2).data() == "Signed"


def test_duration_text():
    assert [duration_text(s) for s in (5, 65, 3725)] == ["0:05", "1:05", "1:02:05"]
