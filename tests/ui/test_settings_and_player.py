"""Settings (hardware, models, engine, privacy, vocabulary, voice enrolment) and audio playback."""

from __future__ import annotations

import pytest

from models.catalog import ASR_MODELS
from tests.ui.conftest import DATA, WavStreamFactory
from ui.controller import Controller
from ui.player import read_clip
from ui.settings_dialog import SettingsDialog


def test_settings_show_hardware_and_save_every_choice(qtbot, ws, monkeypatch):
    monkeypatch.delenv("SCRIBE_ASR_MODEL", raising=False)
    dialog = SettingsDialog(ws)
    qtbot.addWidget(dialog)
    assert dialog.hardware.text().startswith(("CPU, ", "NVIDIA"))
    ids = [dialog.models.item(i).data(256) for i in range(dialog.models.count())]
    assert ids == [m.id for m in ASR_MODELS]
    starred = [dialog.models.item(i).text() for i in range(dialog.models.count())
               if dialog.models.item(i).text().startswith("★")]
    assert len(starred) == 1 and dialog.recommended in ids
    before = Controller(ws).engines()
    assert before.model == "base" and before.engine == "offline"
    assert dialog.lock_minutes.value() == 10 and dialog.retention_days.value() == 30
    dialog.models.setCurrentRow(ids.index("tiny.en"))
    dialog.template.setCurrentIndex(dialog.template.findData("hp"))
    dialog.engine.setCurrentIndex(dialog.engine.findData("auto"))
    dialog.lock_minutes.setValue(5)
    dialog.retention_days.setValue(0)
    dialog.vocabulary.setPlainText("metoprolol\n\nDr Okafor\n")
    dialog.accept()
    ctrl = Controller(ws)
    assert ctrl.model == "tiny.en" and ctrl.default_template() == "hp"
    assert ctrl.engines().engine == "auto"
    assert ws.settings.lock_minutes == 5 and ws.settings.retention_days == 0
    assert ws.user_words() == ["metoprolol", "Dr Okafor"]
    assert "metoprolol" in ctrl.engines().hotwords  # the words reach the speech engine
    again = SettingsDialog(ws)
    qtbot.addWidget(again)
    assert again.selected_model() == "tiny.en"
    assert again.lock_minutes.value() == 5 and again.retention_days.value() == 0
    assert again.retention_days.text() == "Keep audio"
    assert again.vocabulary.toPlainText() == "metoprolol\nDr Okafor"


def test_import_model_folder_runs_off_the_ui_thread_and_reports_errors(qtbot, ws, tmp_path):
    dialog = SettingsDialog(ws)
    qtbot.addWidget(dialog)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    dialog.import_folder(empty)
    assert not dialog.import_btn.isEnabled()  # busy while the worker checks it
    qtbot.waitUntil(dialog.import_btn.isEnabled, timeout=10_000)
    assert "not-a-model" in dialog.import_status.text()


def test_voice_enrolment_with_a_microphone_stores_a_voice_print(qtbot, ws):
    dialog = SettingsDialog(ws, stream_factory=WavStreamFactory(DATA / "visit_short.wav"))
    qtbot.addWidget(dialog)
    panel = dialog.enrol
    assert panel.status.text() == "Not enrolled yet." and ws.settings.voiceprint is None
    panel.start_btn.click()
    qtbot.waitUntil(lambda: panel.status.text() == "Voice enrolled.", timeout=60_000)
    assert ws.settings.voiceprint is not None
    assert ws.engines().enrolment is not None  # the next visit labels speakers with it
    assert not list(ws.vault.folder.glob(".enrol-*"))  # the reading is not kept
    assert "voice_enrolled" in [e.action for e in ws.store.audit_events()]


@pytest.mark.parametrize("start", [0.0, 1.5])
def test_read_clip_starts_at_the_segment(start):
    full, sr = read_clip(DATA / "hello.wav", 0.0)
    clip, sr2 = read_clip(DATA / "hello.wav", start)
    assert sr == sr2
    assert len(clip) == len(full) - int(start * sr)
    assert (clip[:100] == full[int(start * sr):int(start * sr) + 100]).all()


def test_sign_check_can_refuse(qtbot, ws, store):
    from tests.ui.conftest import reviewed_visit

    eid = reviewed_visit(store)
    ctrl = Controller(ws)
    ctrl.sign_check = lambda: False
    assert ctrl.sign(eid, []) is None
    assert store.get_note(eid).signature is None
    ctrl.sign_check = lambda: True
    assert ctrl.sign(eid, []) is not None
