"""The main window: the list of visits on the left, the selected visit on the right.

Every main action is a menu item with a shortcut (ui/menus.py lists them). Tab goes New → Import →
Search → the visit list → the visit's view; the list never uses Tab itself (arrow keys select).
"""

from __future__ import annotations

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent, QGuiApplication, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scribe.audio.files import SUPPORTED
from scribe.audio.recorder import RecorderState
from scribe.domain import Identity, Status
from scribe.errors import NotFoundError
from ui import theme
from ui.controller import ACTIVE, Controller
from ui.encounter_model import ID_ROLE, EncounterModel
from ui.identity_form import IdentityDialog
from ui.menus import build_menus, shortcut_rows
from ui.preferences import Preferences
from ui.processing_view import ProcessingView
from ui.record_panel import RecordPanel
from ui.review_view import ReviewView
from ui.settings_dialog import SettingsDialog
from ui.visit_table import VisitTable

IMPORT_FILTER = "Audio (" + " ".join(f"*{s}" for s in SUPPORTED) + ")"
LIST_WIDTH = 330
"""The visit list's width in a window wide enough; the visit's view takes the rest."""
VIEW_WIDTH = 800
"""In a narrower window the list gives way (down to its minimum) so the visit's view keeps this."""


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
        close.setAccessibleName("Dismiss message")
        close.setToolTip("Dismiss this message")
        close.clicked.connect(self.hide)
        lay = QHBoxLayout(self)
        lay.setContentsMargins(10, 6, 6, 6)
        lay.addWidget(self.text, 1)
        lay.addWidget(close)
        self.hide()

    def show_message(self, text: str) -> None:
        self.text.setText(text)
        self.text.setAccessibleName(text)
        self.show()


class MainWindow(QMainWindow):
    """The app's window. ``visit_menu`` is the Visit menu; the review screen adds its actions."""

    # Made by ui.menus.build_menus:
    visit_menu: QMenu
    settings_action: QAction
    templates_action: QAction
    passphrase_action: QAction
    quit_action: QAction
    new_action: QAction
    import_action: QAction
    search_action: QAction
    record_action: QAction
    stop_action: QAction
    mark_action: QAction
    zoom_in_action: QAction
    zoom_out_action: QAction
    zoom_reset_action: QAction
    theme_actions: dict[str, QAction]
    help_action: QAction
    walkthrough_action: QAction
    data_action: QAction
    about_action: QAction

    def __init__(self, controller: Controller, record_panel: RecordPanel | None = None) -> None:
        super().__init__()
        self.controller = controller
        self.prefs = Preferences(controller.ws.home)
        self.setWindowTitle("Scribe")
        self.resize(1280, 800)

        # --- left: visits ---
        self.new_btn = QPushButton("New visit")
        self.new_btn.setObjectName("primary")
        self.new_btn.setAccessibleName("New visit")
        self.import_btn = QPushButton("Import audio…")
        self.import_btn.setAccessibleName("Import audio")
        self.new_btn.clicked.connect(self.on_new_visit)
        self.import_btn.clicked.connect(self.on_import)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search visits, transcripts and notes")
        self.search.setAccessibleName("Search visits")
        self.search.setClearButtonEnabled(True)
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(200)
        self._search_timer.timeout.connect(self.refresh)
        self.search.textChanged.connect(self._search_timer.start)
        self.model = EncounterModel(self)
        self.table = VisitTable()
        self.table.setModel(self.model)
        self.model.modelReset.connect(self.table.fit_columns)
        self.table.setAccessibleName("Visits")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        # Tab leaves the list (to the visit's view); only the arrow keys move between visits.
        self.table.setTabKeyNavigation(False)
        self.table.verticalHeader().hide()
        self.table.setShowGrid(False)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the label elides
        self.table.selectionModel().currentRowChanged.connect(self.on_row_changed)

        left = QWidget()
        llay = QVBoxLayout(left)
        llay.setContentsMargins(6, 6, 0, 6)  # the pages keep their own margins
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
        self.empty.setWordWrap(True)
        self.empty.setObjectName("emptyHint")
        self.record = record_panel or RecordPanel(controller)
        self.record.stopped.connect(self.on_recording_stopped)
        self.processing = ProcessingView(controller)
        self.review = ReviewView(controller)
        self.review.changed.connect(self.refresh)
        self.pages = QStackedWidget()
        for w in (self.empty, self.record, self.processing, self.review):
            self.pages.addWidget(w)
        self.pages.currentChanged.connect(self._fit_pages)
        self._fit_pages()
        right = QWidget()
        rlay = QVBoxLayout(right)
        rlay.setContentsMargins(0, 0, 0, 0)
        banner_row = QHBoxLayout()
        banner_row.setContentsMargins(0, 4, 6, 0)
        banner_row.addWidget(self.banner)
        rlay.addLayout(banner_row)
        rlay.addWidget(self.pages, 1)

        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setCollapsible(0, False)
        self.splitter.setCollapsible(1, False)
        self.splitter.setStretchFactor(0, 0)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([LIST_WIDTH, 1280 - LIST_WIDTH])
        self._list_moved = False  # once the user drags the divider, the list keeps their width
        self.splitter.splitterMoved.connect(lambda *_: setattr(self, "_list_moved", True))
        # The root stack leaves room for a lock screen page (issue 5) over the whole content.
        self.root = QStackedWidget()
        self.root.addWidget(self.splitter)
        self.setCentralWidget(self.root)

        # --- status bar: the model lane ---
        self.lane_label = QLabel()
        self.lane_bar = QProgressBar()
        self.lane_bar.setRange(0, 100)
        self.lane_bar.setMaximumWidth(180)
        self.lane_bar.setAccessibleName("Processing progress")
        self.lane_cancel = QPushButton("Cancel")
        self.lane_cancel.setAccessibleName("Cancel processing")
        self.lane_cancel.clicked.connect(lambda: controller.cancel(None))
        # The clinic server indicator (issue 17): shown only when IT set a server.
        self.server_label = QLabel()
        self.server_label.setObjectName("serverStatus")
        self.server_label.setAccessibleName("Clinic server")
        controller.server_changed.connect(self.update_server_label)
        self.update_server_label()
        for w in (self.server_label, self.lane_label, self.lane_bar, self.lane_cancel):
            self.statusBar().addPermanentWidget(w)

        build_menus(self)
        self.setTabOrder(self.new_btn, self.import_btn)
        self.setTabOrder(self.import_btn, self.search)
        self.setTabOrder(self.search, self.table)

        QGuiApplication.styleHints().colorSchemeChanged.connect(self.on_desktop_scheme)
        controller.visits_changed.connect(self.refresh)
        controller.visits_changed.connect(self.update_actions)
        controller.message.connect(self.on_message)
        controller.progress.connect(self.on_progress)
        controller.draft_ready.connect(self.on_draft_ready)
        controller.processing_changed.connect(self.on_processing_changed)
        self._shown: tuple[str, Status] | None = None
        self.refresh()
        self.on_processing_changed()
        self.update_actions()

    def _fit_pages(self, _index: int = 0) -> None:
        """Only the page shown sets how small the window may be (a stack takes the largest of
        its pages otherwise: the review screen would keep the record view from fitting)."""
        ignored, preferred = QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred
        for i in range(self.pages.count()):
            page = self.pages.widget(i)
            shown = page is self.pages.currentWidget()
            page.setSizePolicy(preferred if shown else ignored, preferred if shown else ignored)
        self.pages.updateGeometry()

    # --- menus and shortcuts (ui/menus.py) -----------------------------------------------------
    def shortcuts(self) -> list[tuple[str, str]]:
        """(action, keys) of every menu action with a shortcut, in menu order (Help lists them)."""
        return shortcut_rows(self.menuBar())

    def update_actions(self) -> None:
        """Record / Pause / Resume, Stop and Mark follow the recording's state."""
        rec = self.controller.recorder
        paused = rec is not None and rec.state is RecorderState.PAUSED
        self.record_action.setText("&Record" if rec is None else
                                   "&Resume" if paused else "&Pause")
        self.stop_action.setEnabled(rec is not None)
        self.mark_action.setEnabled(rec is not None)

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
        ix = self.model.index(row, VisitTable.LABEL_COLUMN)  # never hidden
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
        self.record.focus_start()
        if self.controller.recording is None:
            self.controller.prepare_recording()

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
        self.update_server_label()  # IT may have set or cleared the clinic server

    def on_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # --- recording by keyboard ------------------------------------------------------------------
    def on_record_key(self) -> None:
        """Record (once the patient agreed), else pause or resume the recording."""
        if self.controller.recorder is None and self.pages.currentWidget() is not self.record:
            self.on_new_visit()
        self.record.on_record_key()
        self.update_actions()

    def on_stop_key(self) -> None:
        if self.controller.recorder is not None:
            self.record.on_stop()
        self.update_actions()

    def on_mark_key(self) -> None:
        self.record.on_mark()

    # --- view: zoom and theme -------------------------------------------------------------------
    def set_zoom(self, zoom: float) -> None:
        """Scale the app font (remembered across restarts)."""
        self.prefs.zoom = zoom
        self._restyle()
        self.statusBar().showMessage(f"Zoom {round(self.prefs.zoom * 100)} %", 3000)

    def set_theme(self, name: str) -> None:
        """System, light or dark (remembered across restarts)."""
        self.prefs.theme = name
        self.theme_actions[self.prefs.theme].setChecked(True)
        self._restyle()

    def on_desktop_scheme(self, _scheme: Qt.ColorScheme) -> None:
        """The desktop turned light or dark: follow it when the theme is System."""
        if self.prefs.theme == theme.SYSTEM:
            self._restyle()

    def _restyle(self) -> None:
        app = QApplication.instance()
        assert isinstance(app, QApplication)
        theme.apply(app, self.prefs.theme, self.prefs.zoom)
        self.record.restyle()
        if self.pages.currentWidget() is self.review and self.review.encounter_id:
            self.review.flush()  # the note is drawn again in the new colours and size
            self.review.load(self.review.encounter_id)

    # --- help -----------------------------------------------------------------------------------
    def on_help(self) -> None:
        from ui.help_dialog import HelpDialog

        HelpDialog(self.controller, self.shortcuts(), self, HelpDialog.SHORTCUTS).open()

    def on_where_data(self) -> None:
        from ui.help_dialog import HelpDialog

        HelpDialog(self.controller, self.shortcuts(), self, HelpDialog.DATA).open()

    def on_about(self) -> None:
        from ui.help_dialog import AboutDialog

        AboutDialog(self.controller, self).open()

    def show_walkthrough(self) -> None:
        """The first-run walkthrough (consent, record, review, sign); seen once it closes."""
        from ui.first_run import WalkthroughDialog

        dialog = WalkthroughDialog(self)
        dialog.finished.connect(lambda _r: setattr(self.prefs, "walkthrough_seen", True))
        dialog.open()
        self.walkthrough = dialog

    def offer_walkthrough(self) -> bool:
        """At start-up: the walkthrough, the first time only (Help reopens it). True if shown."""
        if self.prefs.walkthrough_seen:
            return False
        self.show_walkthrough()
        return True

    def update_server_label(self) -> None:
        host = self.controller.server_host()
        self.server_label.setVisible(bool(host))
        if not host:
            return
        if self.controller.server_ok is False:
            self.server_label.setText("⚠ Clinic server unavailable: working on this computer")
            self.server_label.setToolTip(f"The last visit could not use {host}; its steps ran "
                                         "here. Nothing was lost.")
        else:
            self.server_label.setText(f"● Using clinic server {host}")
            self.server_label.setToolTip("Full transcription and drafting run on the clinic's "
                                         "server; the live transcript stays on this computer.")

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

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        if not self._list_moved:
            left = self.splitter.widget(0).minimumSizeHint().width()
            width = self.splitter.width()
            list_width = max(left, min(LIST_WIDTH, width - VIEW_WIDTH))
            self.splitter.setSizes([list_width, max(0, width - list_width)])

    def closeEvent(self, event: QCloseEvent) -> None:
        self.review.flush()
        self.controller.shutdown()
        super().closeEvent(event)
