"""Settings (hardware, models, engine, privacy, vocabulary, voice enrolment) and audio playback."""

from __future__ import annotations

import pytest

from models.catalog import ASR_MODELS
from scribe.speech.vocabulary import load_user_words
from scribe.visit.enrolment import load_enrolment
from tests.ui.conftest import DATA, WavStreamFactory
from ui.controller import Controller
from ui.player import read_clip
from ui.settings_dialog import SettingsDialog


def test_settings_show_hardware_and_save_every_choice(qtbot, store, monkeypatch):
    monkeypatch.delenv("SCRIBE_ASR_MODEL", raising=False)
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.hardware.text().startswith(("CPU, ", "NVIDIA"))
    ids = [dialog.models.item(i).data(256) for i in range(dialog.models.count())]
    assert ids == [m.id for m in ASR_MODELS]
    starred = [dialog.models.item(i).text() for i in range(dialog.models.count())
               if dialog.models.item(i).text().startswith("★")]
    assert len(starred) == 1 and dialog.recommended in ids
    assert Controller(store).model == "base" and Controller(store).engine == "offline"
    assert dialog.lock_minutes.value() == 10 and dialog.retention_days.value() == 30
    dialog.models.setCurrentRow(ids.index("tiny.en"))
    dialog.template.setCurrentIndex(dialog.template.findData("hp"))
    dialog.engine.setCurrentIndex(dialog.engine.findData("auto"))
    dialog.lock_minutes.setValue(5)
    dialog.retention_days.setValue(0)
    dialog.vocabulary.setPlainText("metoprolol\n\nDr Okafor\n")
    dialog.accept()
    ctrl = Controller(store)
    assert ctrl.model == "tiny.en" and ctrl.default_template() == "hp"
    assert ctrl.engine == "auto"
    assert load_user_words() == ["metoprolol", "Dr Okafor"]
    again = SettingsDialog(store)
    qtbot.addWidget(again)
    assert again.selected_model() == "tiny.en"
    assert again.lock_minutes.value() == 5 and again.retention_days.value() == 0
    assert again.retention_days.text() == "Keep audio"
    assert again.vocabulary.toPlainText() == "metoprolol\nDr Okafor"


def test_import_model_folder_runs_off_the_ui_thread_and_reports_errors(qtbot, store, tmp_path):
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    empty = tmp_path / "not-a-model"
    empty.mkdir()
    dialog.import_folder(empty)
    assert not dialog.import_btn.isEnabled()  # busy while the worker checks it
    qtbot.waitUntil(dialog.import_btn.isEnabled, timeout=10_000)
    assert "not-a-model" in dialog.import_status.text()


def test_voice_enrolment_with_a_microphone_stores_a_voice_print(qtbot, store):
    dialog = SettingsDialog(store, stream_factory=WavStreamFactory(DATA / "visit_short.wav"))
    qtbot.addWidget(dialog)
    panel = dialog.enrol
    assert panel.status.text() == "Not enrolled yet." and load_enrolment(store) is None
    panel.start_btn.click()
    qtbot.waitUntil(lambda: panel.status.text() == "Voice enrolled.", timeout=60_000)
    assert load_enrolment(store) is not None
    assert not list(store.audio_dir.glob(".enrol-*"))  # the reading is not kept
    assert "voice_enrolled" in [e.action for e in store.audit_events()]


@pytest.mark.parametrize("start", [0.0, 1.5])
def test_read_clip_starts_at_the_segment(start):
    full, sr = read_clip(DATA / "hello.wav", 0.0)
    clip, sr2 = read_clip(DATA / "hello.wav", start)
    assert sr == sr2
    assert len(clip) == len(full) - int(start * sr)
    assert (clip[:100] == full[int(start * sr):int(start * sr) + 100]).all()


def test_sign_check_can_refuse(qtbot, store):
    from tests.ui.conftest import reviewed_visit

    eid = reviewed_visit(store)
    ctrl = Controller(store)
    ctrl.sign_check = lambda: False
    assert ctrl.sign(eid, "Dana Smith", "MD", []) is None
    assert store.get_note(eid).signature is None
    ctrl.sign_check = lambda: True
    assert ctrl.sign(eid, "Dana Smith", "MD", []) is not None
