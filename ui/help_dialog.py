"""Help: the keyboard shortcuts and where the data lives; About: versions and installed models."""

from __future__ import annotations

import platform
from importlib import metadata

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

import scribe
from ui.controller import Controller

MORE_KEYS = (
    ("Move between controls", "Tab, Shift+Tab"),
    ("Choose a visit in the list", "Up, Down"),
    ("Press the focused button, tick the focused box", "Space"),
    ("Keep the side note at this moment (while recording)", "Enter"),
    ("Close a dialog without changes", "Esc"),
)
"""Keys that are not menu actions (the menu's own shortcuts are read from the menus)."""


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def versions() -> list[tuple[str, str]]:
    """(component, version) of Scribe and the libraries that do its work."""
    return [
        ("Scribe", scribe.__version__),
        ("Python", platform.python_version()),
        ("Qt", qVersion()),
        ("PySide6", pyside_version),
        ("faster-whisper", package_version("faster-whisper")),
        ("ctranslate2", package_version("ctranslate2")),
        ("onnxruntime", package_version("onnxruntime")),
    ]


def model_rows(controller: Controller) -> list[tuple[str, str]]:
    """(model, state) of every speech model and each installed language model."""
    from models.catalog import ASR_MODELS
    from models.llm_import import installed_llms
    from models.store import ModelStore

    store = ModelStore(controller.ws.models_root)
    try:
        in_use = controller.model
    except Exception:  # noqa: BLE001 - unreadable settings must not stop About from opening
        in_use = ""
    rows = []
    for m in ASR_MODELS:
        try:
            installed = store.is_installed(m.id)
        except OSError:
            installed = False
        state = ("installed" if installed else
                 "set up on first use" if m.bundled else "not installed")
        rows.append((m.name, state + (" · in use" if m.id == in_use else "")))
    try:
        llms = [e.name for e in installed_llms(store)]
    except OSError:
        llms = []
    engine = controller.ws.settings.draft_engine
    if llms:
        rows += [(name, f"installed · drafting engine: {engine}") for name in llms]
    else:
        rows.append(("Language model", "none installed · notes are drafted by the offline "
                                       "engine"))
    rows.append(("Voice encoder (speaker labels)", "bundled"))
    return rows


def _table(rows: list[tuple[str, str]], headers: tuple[str, str], name: str) -> QTableWidget:
    table = QTableWidget(len(rows), 2)
    table.setAccessibleName(name)
    table.setHorizontalHeaderLabels(list(headers))
    table.verticalHeader().hide()
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setTabKeyNavigation(False)
    table.setWordWrap(True)
    for r, (a, b) in enumerate(rows):
        table.setItem(r, 0, QTableWidgetItem(a))
        table.setItem(r, 1, QTableWidgetItem(b))
    header = table.horizontalHeader()
    header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
    header.setStretchLastSection(True)
    table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _text(html: str, name: str) -> QLabel:
    label = QLabel(html)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                  | Qt.TextInteractionFlag.TextSelectableByKeyboard)
    label.setAlignment(Qt.AlignmentFlag.AlignTop)
    label.setAccessibleName(name)
    return label


def data_html(controller: Controller) -> str:
    ws = controller.ws
    return (
        f"<p><b>Your data folder</b><br><code>{_esc(ws.home)}</code></p>"
        "<p>Everything Scribe keeps about your visits is in this folder, encrypted with a key only "
        "your passphrase unlocks: the database of visits, transcripts and notes "
        "(<code>scribe.db</code>, SQLCipher), the recordings (<code>audio/</code>, AES-256-GCM), "
        "the audit chain (<code>audit.chain</code>) and your profile (<code>profile.json</code>). "
        "Beside them: your note templates (<code>templates/</code>), words to listen for "
        "(<code>vocabulary.txt</code>), a log with ids and steps only, never patient text "
        "(<code>scribe.log</code>), and the look of the app (<code>ui.ini</code>: theme, zoom).</p>"
        f"<p><b>Speech and language models</b><br><code>{_esc(ws.models_root)}</code></p>"
        "<p>No network is used: nothing leaves this computer until you copy or export a signed "
        "note. To move Scribe to another computer, copy the whole data folder; it opens only "
        "with your passphrase.</p>"
    )


def _esc(value: object) -> str:
    import html

    return html.escape(str(value))


class HelpDialog(QDialog):
    """Help ▸ Keyboard shortcuts (F1) and Help ▸ Where your data lives."""

    SHORTCUTS, DATA = 0, 1

    def __init__(self, controller: Controller, shortcuts: list[tuple[str, str]],
                 parent: QWidget | None = None, tab: int = SHORTCUTS) -> None:
        """``shortcuts``: (action, keys) of the menus (``MainWindow.shortcuts()``)."""
        super().__init__(parent)
        self.setWindowTitle("Scribe help")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(620, 480)
        self.tabs = QTabWidget()
        self.shortcuts = _table(shortcuts + list(MORE_KEYS), ("Action", "Keys"),
                                "Keyboard shortcuts")
        self.tabs.addTab(self.shortcuts, "Keyboard shortcuts")
        self.data = _text(data_html(controller), "Where your data lives")
        self.tabs.addTab(_padded(self.data), "Where your data lives")
        self.tabs.setCurrentIndex(tab)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(self.tabs, 1)
        lay.addWidget(buttons)


class AboutDialog(QDialog):
    """Help ▸ About Scribe: versions, the installed models and the data folder."""

    def __init__(self, controller: Controller, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Scribe")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.resize(640, 600)
        title = QLabel(f"Scribe {scribe.__version__}")
        title.setObjectName("viewTitle")
        title.setAccessibleName(title.text())
        blurb = QLabel("An offline ambient clinical scribe: it transcribes the visit on this "
                       "computer, drafts the note with every sentence linked to what was said, "
                       "and the clinician reviews and signs it.")
        blurb.setWordWrap(True)
        self.versions = _table(versions(), ("Component", "Version"), "Versions")
        self.models = _table(model_rows(controller), ("Model", "State"), "Models")
        folder = _text(f"<b>Data folder:</b> <code>{_esc(controller.ws.home)}</code>",
                       "Data folder")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(title)
        lay.addWidget(blurb)
        lay.addWidget(self.versions, 1)
        lay.addWidget(self.models, 1)
        lay.addWidget(folder)
        lay.addWidget(buttons)

    def text(self) -> str:
        """Everything the dialog lists, as plain text (what a screen reader reads out)."""
        rows = []
        for table in (self.versions, self.models):
            rows += [f"{table.item(r, 0).text()}: {table.item(r, 1).text()}"
                     for r in range(table.rowCount())]
        return "\n".join(rows)


def _padded(widget: QWidget) -> QWidget:
    box = QWidget()
    lay = QVBoxLayout(box)
    lay.addWidget(widget)
    lay.addStretch(1)
    return box
