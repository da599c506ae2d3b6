"""Settings: hardware and speech model, drafting engine, security, vocabulary, voice enrolment.

Slow work (hashing an imported model folder, making a voice print) runs on a worker thread and
reports back by queued signals; the store is written on the main thread only.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from scribe.drafting import available_templates
from scribe.errors import InputError
from scribe.store.settings import Setting
from scribe.visit.server_admin import configure_server
from scribe.visit.workspace import Workspace
from ui.clinic_settings import ClinicSettings
from ui.enrol_panel import EnrolPanel
from ui.off_thread import run_off_thread
from ui.server_settings import ServerSettings

ENGINES = (
    ("offline", "Offline — no language model, fast"),
    ("llm", "Language model — needs an installed LLM"),
    ("auto", "Automatic — the language model when one is installed"),
)
MODEL_ROLE = Qt.ItemDataRole.UserRole


def hardware_text() -> str:
    try:
        from scribe.speech.hardware import readout

        return readout()
    except Exception:  # noqa: BLE001 - a readout must never stop Settings from opening
        return "Unknown (Scribe could not inspect this computer)"


def recommended_model() -> str:
    try:
        from scribe.speech.hardware import recommend_model

        return recommend_model()
    except Exception:  # noqa: BLE001
        return "base"


class SettingsDialog(QDialog):
    def __init__(self, ws: Workspace, parent: QWidget | None = None, *,
                 stream_factory: Callable[..., Any] | None = None,
                 auto_lock: Any = None) -> None:
        super().__init__(parent)
        self.ws = ws
        settings = ws.settings
        self.auto_lock = auto_lock
        self.setWindowTitle("Settings")
        self.setMinimumSize(620, 520)
        self.worker: threading.Thread | None = None

        # --- speech -------------------------------------------------------------------------
        self.hardware = QLabel(hardware_text())
        self.recommended = recommended_model()
        self.models = QListWidget()
        self.import_btn = QPushButton("Import model folder…")
        self.import_btn.clicked.connect(self.on_import)
        self.import_status = QLabel()
        self.import_status.setWordWrap(True)
        self.load_models(settings.asr_model)
        speech = QWidget()
        sl = QVBoxLayout(speech)
        form = QFormLayout()
        form.addRow("Hardware", self.hardware)
        sl.addLayout(form)
        sl.addWidget(QLabel("Speech model (★ recommended for this computer)"))
        sl.addWidget(self.models, 1)
        sl.addWidget(self.import_btn, 0, Qt.AlignmentFlag.AlignLeft)
        sl.addWidget(self.import_status)

        # --- drafting -----------------------------------------------------------------------
        self.engine = QComboBox()
        for eid, text in ENGINES:
            self.engine.addItem(text, eid)
        self.engine.setCurrentIndex(max(self.engine.findData(
            settings.draft_engine), 0))
        self.llms = QLabel(self.llm_text())
        self.llms.setWordWrap(True)
        self.template = QComboBox()
        for tid, t in sorted(available_templates(ws.templates_dir).items()):
            self.template.addItem(t.name, tid)
        self.template.setCurrentIndex(
            max(self.template.findData(settings.default_template), 0))
        drafting = QWidget()
        dl = QFormLayout(drafting)
        dl.addRow("Drafting engine", self.engine)
        dl.addRow("Installed language models", self.llms)
        dl.addRow("Default template", self.template)

        # --- privacy ------------------------------------------------------------------------
        self.lock_minutes = QSpinBox()
        self.lock_minutes.setRange(0, 240)
        self.lock_minutes.setSuffix(" min")
        self.lock_minutes.setSpecialValueText("Never")
        self.lock_minutes.setValue(settings.lock_minutes)
        self.retention_days = QSpinBox()
        self.retention_days.setRange(0, 3650)
        self.retention_days.setSuffix(" days")
        self.retention_days.setSpecialValueText("Keep audio")
        self.retention_days.setValue(settings.retention_days)
        self.clipboard_seconds = QSpinBox()
        self.clipboard_seconds.setRange(0, 3600)
        self.clipboard_seconds.setSuffix(" s")
        self.clipboard_seconds.setSpecialValueText("Never")
        self.clipboard_seconds.setValue(settings.clipboard_clear_seconds)
        privacy = QWidget()
        pl = QFormLayout(privacy)
        pl.addRow("Lock after idle", self.lock_minutes)
        pl.addRow("Delete audio after", self.retention_days)
        pl.addRow("", QLabel("Transcripts and notes are kept; only the audio is deleted."))
        pl.addRow("Clear a copied note after", self.clipboard_seconds)

        # --- vocabulary ---------------------------------------------------------------------
        self.vocabulary = QPlainTextEdit("\n".join(ws.user_words()))
        self.vocabulary.setPlaceholderText("One word or phrase per line, e.g. a drug you prescribe")
        vocab = QWidget()
        vl = QVBoxLayout(vocab)
        vl.addWidget(QLabel("Words Scribe should listen for (names, drugs, terms you use):"))
        vl.addWidget(self.vocabulary, 1)

        # --- voice --------------------------------------------------------------------------
        self.enrol = EnrolPanel(ws, stream_factory, self)

        self.tabs = QTabWidget()
        self.tabs.addTab(speech, "Speech")
        self.tabs.addTab(drafting, "Drafting")
        self.tabs.addTab(privacy, "Privacy")
        self.tabs.addTab(vocab, "Vocabulary")
        self.tabs.addTab(self.enrol, "Your voice")
        self.clinic = ClinicSettings(settings)
        self.tabs.addTab(self.clinic, "Clinic && EHR")
        self.server = ServerSettings(settings)
        self.tabs.addTab(self.server, "Clinic server")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(buttons)

    # --- models -------------------------------------------------------------------------------
    def _model_store(self) -> Any:
        from models.store import ModelStore

        return ModelStore(self.ws.models_root)

    def load_models(self, current: str) -> None:
        from models.catalog import ASR_MODELS

        try:
            ms = self._model_store()
            installed = {m.id for m in ASR_MODELS if ms.is_installed(m.id)}
        except Exception:  # noqa: BLE001 - an unreadable folder shows as not installed
            installed = set()
        self.models.clear()
        for m in ASR_MODELS:
            state = ("installed" if m.id in installed else
                     "set up on first use" if m.bundled else "not installed")
            star = "★ " if m.id == self.recommended else ""
            item = QListWidgetItem(f"{star}{m.name} — {m.size_mb} MB — {state}")
            item.setData(MODEL_ROLE, m.id)
            if m.id == self.recommended:
                item.setToolTip("Recommended: keeps up with speech on this computer.")
            self.models.addItem(item)
            if m.id == current:
                self.models.setCurrentItem(item)

    def selected_model(self) -> str | None:
        item = self.models.currentItem()
        return item.data(MODEL_ROLE) if item else None

    def on_import(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Import model folder")
        if folder:
            self.import_folder(Path(folder))

    def import_folder(self, folder: Path) -> None:
        """Check and copy a model folder on a worker (hashing takes a while for big models)."""
        self.import_btn.setEnabled(False)
        self.import_status.setText(f"Checking {folder.name}…")
        self.worker = run_off_thread(lambda: self._model_store().import_folder(folder),
                                     self.on_imported, self.on_import_failed, self)

    def on_imported(self, model_id: str) -> None:
        self.import_btn.setEnabled(True)
        self.import_status.setText(f"Imported {model_id}.")
        self.load_models(self.selected_model() or model_id)
        self.llms.setText(self.llm_text())

    def on_import_failed(self, text: str) -> None:
        self.import_btn.setEnabled(True)
        self.import_status.setText(text)

    def llm_text(self) -> str:
        try:
            from models.llm_import import installed_llms

            names = [e.name for e in installed_llms(self._model_store())]
        except Exception:  # noqa: BLE001
            names = []
        return ", ".join(names) if names else "None — drafts use the offline engine."

    # --- save ---------------------------------------------------------------------------------
    def accept(self) -> None:
        from scribe.speech.vocabulary import save_user_words

        s = self.ws.settings
        try:  # checked first: a wrong server address saves nothing and keeps the dialog open
            configure_server(self.ws, self.server.changes())
        except InputError as e:
            self.server.show_error(e.message)
            self.tabs.setCurrentWidget(self.server)
            return
        if self.selected_model():
            s.set(Setting.ASR_MODEL, self.selected_model() or "")
        s.set(Setting.DEFAULT_TEMPLATE, self.template.currentData())
        s.set(Setting.DRAFT_ENGINE, self.engine.currentData())
        s.set(Setting.LOCK_MINUTES, self.lock_minutes.value())
        s.set(Setting.AUDIO_RETENTION_DAYS, self.retention_days.value())
        s.set(Setting.CLIPBOARD_CLEAR_SECONDS, self.clipboard_seconds.value())
        self.clinic.save(s)
        words = [w.strip() for w in self.vocabulary.toPlainText().splitlines() if w.strip()]
        try:
            save_user_words(words, self.ws.vocabulary_path)
        except OSError:
            self.import_status.setText("Could not save your words; check the disk.")
        if self.auto_lock is not None:
            self.auto_lock.set_minutes(self.lock_minutes.value())
        self.enrol.cancel()
        super().accept()

    def reject(self) -> None:
        self.enrol.cancel()
        super().reject()
