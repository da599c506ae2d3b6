"""Settings (hardware readout, model choice) and reading audio for playback from a time."""

from __future__ import annotations

import pytest

from tests.ui.conftest import DATA
from ui.controller import Controller
from ui.player import read_clip
from ui.settings_dialog import SettingsDialog


def test_settings_show_hardware_and_save_the_model(qtbot, store, monkeypatch):
    monkeypatch.delenv("SCRIBE_ASR_MODEL", raising=False)
    dialog = SettingsDialog(store)
    qtbot.addWidget(dialog)
    assert dialog.hardware.text().startswith(("CPU, ", "NVIDIA"))
    assert [dialog.model.itemData(i) for i in range(dialog.model.count())] == ["base", "tiny.en"]
    assert Controller(store).model == "base"
    dialog.model.setCurrentIndex(1)
    dialog.template.setCurrentIndex(dialog.template.findData("hp"))
    dialog.accept()
    ctrl = Controller(store)
    assert ctrl.model == "tiny.en" and ctrl.default_template() == "hp"


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
