"""Settings: the hardware Scribe runs on, the speech model, the default note template."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from scribe.drafting import available_templates
from scribe.store import Store

MODELS = (
    ("base", "Whisper base — accurate (default)"),
    ("tiny.en", "Whisper tiny.en — fast, English only"),
)


def hardware_text() -> str:
    try:
        from scribe.transcriber import detect_device

        return detect_device().description
    except Exception:  # noqa: BLE001 - a readout must never stop Settings from opening
        return "Unknown (the speech engine could not inspect this computer)"


def installed_text(model_id: str) -> str:
    try:
        from models.store import ModelStore
        from scribe.paths import models_dir

        return "installed" if ModelStore(models_dir()).is_installed(model_id) else \
            "set up on first use"
    except Exception:  # noqa: BLE001
        return "unknown"


class SettingsDialog(QDialog):
    def __init__(self, store: Store, templates_dir=None, parent: QWidget | None = None) -> None:  # noqa: ANN001
        super().__init__(parent)
        self.store = store
        self.setWindowTitle("Settings")
        self.setMinimumWidth(460)
        self.hardware = QLabel(hardware_text())
        self.model = QComboBox()
        current = store.setting("asr_model") or "base"
        for mid, text in MODELS:
            self.model.addItem(f"{text} ({installed_text(mid)})", mid)
        self.model.setCurrentIndex(max(self.model.findData(current), 0))
        self.template = QComboBox()
        for tid, t in sorted(available_templates(templates_dir).items()):
            self.template.addItem(t.name, tid)
        self.template.setCurrentIndex(
            max(self.template.findData(store.setting("default_template") or "soap"), 0))
        form = QFormLayout()
        form.addRow("Hardware", self.hardware)
        form.addRow("Speech model", self.model)
        form.addRow("Default template", self.template)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addLayout(form)
        lay.addWidget(buttons)

    def accept(self) -> None:
        self.store.set_setting("asr_model", self.model.currentData())
        self.store.set_setting("default_template", self.template.currentData())
        super().accept()
