"""The main window: the list of visits on the left, the selected visit on the right."""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scribe.audio.files import SUPPORTED
from scribe.domain import Identity, Status
from scribe.errors import NotFoundError
from ui.controller import ACTIVE, Controller
from ui.encounter_model import ID_ROLE, EncounterModel
from ui.identity_form import IdentityDialog
from ui.processing_view import ProcessingView
from ui.record_panel import RecordPanel
from ui.review_view import ReviewView
from ui.settings_dialog import SettingsDialog

IMPORT_FILTER = "Audio (" + " ".join(f"*{s}" for s in SUPPORTED) + ")"


class Banner(QWidget):
    """One sentence about what went wrong, shown inline until dismissed or replaced."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("banner")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.text = QLabel()
        self.text.setWordWrap(True)
        close = QToolButton()
        close.setText("✕")
        close.setAutoRaise(True)
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.text, 1)
        lay.addWidget(close)
        self.hide()

    def show_message(self, text: str) -> None:
        self.text.setText(text)
        self.show()


class MainWindow(QMainWindow):
    def __init__(self, controller: Controller, record_panel: RecordPanel | None = None) -> None:
        super().__init__()
        self.controller = controller
        self.setWindowTitle("Scribe")
        self.resize(1280, 800)

        # --- left: visits ---
        self.new_btn = QPushButton("New visit")
        self.new_btn.setObjectName("primary")
        self.import_btn = QPushButton("Import audio…")
        self.new_btn.clicked.connect(self.on_new_visit)
        self.import_btn.clicked.connect(self.on_import)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search visits, transcripts and notes")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.model = EncounterModel(self)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.selectionModel().currentRowChanged.connect(self.on_row_changed)

        left = QWidget()
        left.setMinimumWidth(380)
        llay = QVBoxLayout(left)
        row = QHBoxLayout()
        row.addWidget(self.new_btn)
        row.addWidget(self.import_btn)
        llay.addLayout(row)
        llay.addWidget(self.search)
        llay.addWidget(self.table, 1)

        # --- right: the selected visit ---
        self.banner = Banner()
        self.empty = QLabel("Select a visit, start a new one, or import a recording.")
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setObjectName("emptyHint")
        self.record = record_panel or RecordPanel(controller)
        self.record.stopped.connect(self.on_recording_stopped)
        self.processing = ProcessingView(controller)
        self.review = ReviewView(controller)
        self.review.changed.connect(self.refresh)
        self.pages = QStackedWidget()
        for w in (self.empty, self.record, self.processing, self.review):
            self.pages.addWidget(w)
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.addWidget(self.banner)
        rlay.addWidget(self.pages, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([400, 880])
        # The root stack leaves room for a lock screen page (issue 5) over the whole content.
        self.root = QStackedWidget()
        self.root.addWidget(self.splitter)
        self.setCentralWidget(self.root)

        # --- status bar: the model lane ---
        self.lane_label = QLabel()
        self.lane_bar = QProgressBar()
        self.lane_bar.setRange(0, 100)
        self.lane_bar.setMaximumWidth(180)
        self.lane_cancel = QPushButton("Cancel")
        self.lane_cancel.clicked.connect(lambda: controller.cancel(None))
        for w in (self.lane_label, self.lane_bar, self.lane_cancel):
            self.statusBar().addPermanentWidget(w)

        settings = QAction("Settings…", self)
        settings.setShortcut(QKeySequence.StandardKey.Preferences)
        settings.triggered.connect(self.on_settings)
        templates = QAction("Note templates…", self)
        templates.triggered.connect(self.on_templates)
        passphrase = QAction("Change passphrase…", self)
        passphrase.triggered.connect(self.on_change_passphrase)
        menu = self.menuBar().addMenu("&Scribe")
        menu.addAction(settings)
        menu.addAction(templates)
        menu.addAction(passphrase)

        controller.visits_changed.connect(self.refresh)
        controller.message.connect(self.on_message)
        controller.progress.connect(self.on_progress)
        controller.draft_ready.connect(self.on_draft_ready)
        controller.processing_changed.connect(self.on_processing_changed)
        self._shown: tuple[str, Status] | None = None
        self.refresh()
        self.on_processing_changed()

    # --- list ---------------------------------------------------------------------------------
    def current_id(self) -> str | None:
        ix = self.table.currentIndex()
        return ix.data(ID_ROLE) if ix.isValid() else None

    def refresh(self) -> None:
        current = self.current_id()
        self.model.set_encounters(self.controller.visits(self.search.text()))
        if current:
            self.select(current, show=False)
        if self._shown:
            self._redisplay()

    def select(self, eid: str, show: bool = True) -> None:
        row = self.model.row_of(eid)
        if row < 0:
            return
        ix = self.model.index(row, 0)
        if self.table.currentIndex().row() != row:
            self.table.selectionModel().setCurrentIndex(
                ix, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
        elif show:
            self.show_visit(eid)

    def on_row_changed(self, current, _previous) -> None:  # noqa: ANN001
        eid = current.data(ID_ROLE) if current.isValid() else None
        if eid:
            self.show_visit(eid)

    # --- pages --------------------------------------------------------------------------------
    def show_visit(self, eid: str) -> None:
        try:
            enc = self.controller.encounter(eid)
        except NotFoundError:
            return
        if self._shown and self._shown[0] != eid and self.pages.currentWidget() is self.review:
            self.review.flush()
        self._shown = (eid, enc.status)
        if enc.status in (Status.RECORDING, Status.PAUSED):
            if eid == self.controller.recording_id:
                self.pages.setCurrentWidget(self.record)
            else:
                self.pages.setCurrentWidget(self.empty)
        elif enc.status in ACTIVE or enc.status == Status.FAILED:
            self.processing.load(eid)
            self.pages.setCurrentWidget(self.processing)
        elif enc.status in (Status.IN_REVIEW, Status.SIGNED):
            self.review.load(eid)
            self.pages.setCurrentWidget(self.review)
        else:
            self.pages.setCurrentWidget(self.empty)

    def _redisplay(self) -> None:
        """Follow the shown visit to its next page when its status moved on."""
        assert self._shown is not None
        eid, status = self._shown
        try:
            now = self.controller.encounter(eid).status
        except NotFoundError:
            self._shown = None
            self.pages.setCurrentWidget(self.empty)
            return
        if now != status:
            self.show_visit(eid)

    def on_new_visit(self) -> None:
        self.table.clearSelection()
        self.table.setCurrentIndex(self.model.index(-1, -1))
        self._shown = None
        if self.pages.currentWidget() is self.review:
            self.review.flush()
        self.record.reset()
        self.pages.setCurrentWidget(self.record)

    def on_import(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Import audio", "", IMPORT_FILTER)
        if not path:
            return
        ask = IdentityDialog("Who is this visit with?", parent=self)
        if ask.exec() == QDialog.DialogCode.Accepted:
            self.import_file(path, ask.identity())

    def import_file(self, path: str, identity: Identity | None = None) -> None:
        self.banner.hide()
        self.controller.import_file(path, identity)

    def on_recording_stopped(self, eid: str) -> None:
        self.refresh()
        self.select(eid)
        self.show_visit(eid)

    def on_draft_ready(self, eid: str) -> None:
        if self._shown is None and self.pages.currentWidget() is not self.record:
            self.select(eid)
            self.show_visit(eid)

    def on_templates(self) -> None:
        from ui.template_dialog import TemplateDialog

        # The review view's picker lists templates afresh each time a visit is shown.
        TemplateDialog(self.controller.ws.templates_dir, self).exec()

    def on_change_passphrase(self) -> None:
        from ui.profile_dialog import change_passphrase

        if self.controller.busy or self.controller.recording is not None:
            # The data key changes: nothing may be reading or writing with the old one.
            self.on_message("Stop the recording and let processing finish before changing the "
                            "passphrase.", "error")
            return
        if change_passphrase(self.controller.ws, self):
            self.on_message("Passphrase changed; old copies of your key no longer open Scribe.",
                            "info")

    def on_settings(self) -> None:
        SettingsDialog(self.controller.ws, self,
                       stream_factory=self.controller.stream_factory,
                       auto_lock=getattr(self, "auto_lock", None)).exec()

    # --- messages and progress ----------------------------------------------------------------
    def on_message(self, text: str, level: str) -> None:
        if level == "error":
            self.banner.show_message(text)
            self.statusBar().showMessage(text, 10000)
        else:
            self.statusBar().showMessage(text, 5000)

    def on_progress(self, eid: str, step: str, fraction: float) -> None:
        self.model.set_progress(eid, step, fraction)
        self.lane_label.setText("Transcribing" if step == "transcribing" else "Drafting")
        self.lane_bar.setValue(int(fraction * 100))

    def on_processing_changed(self) -> None:
        busy = self.controller.busy
        for w in (self.lane_label, self.lane_bar, self.lane_cancel):
            w.setVisible(busy)
        if busy and not self.lane_label.text():
            self.lane_label.setText("Working")
        if not busy:
            self.lane_bar.setValue(0)
            self.lane_label.setText("")

    def closeEvent(self, event: QCloseEvent) -> None:
        self.review.flush()
        self.controller.shutdown()
        super().closeEvent(event)
