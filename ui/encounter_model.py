"""The list of visits as a table model: time, label, status, duration; newest first."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QApplication, QStyle

from scribe.domain import Encounter, Status
from ui import theme

COLUMNS = ("Time", "Visit", "Status", "Duration")
ID_ROLE = Qt.ItemDataRole.UserRole + 1

_Index = QModelIndex | QPersistentModelIndex


def duration_text(seconds: float) -> str:
    s = int(round(seconds))
    return f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" if s >= 3600 else f"{s // 60}:{s % 60:02d}"


class EncounterModel(QAbstractTableModel):
    """Rows are :class:`Encounter` values in the order given (the store lists newest first)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Encounter] = []
        self._progress: dict[str, tuple[str, float]] = {}

    # --- updates ------------------------------------------------------------------------------
    def set_encounters(self, encounters: list[Encounter]) -> None:
        """Replace the rows; same ids in the same order update in place (selection survives)."""
        if [e.id for e in encounters] == [e.id for e in self._rows]:
            self._rows = list(encounters)
            if self._rows:
                self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1,
                                                                   len(COLUMNS) - 1))
            return
        self.beginResetModel()
        self._rows = list(encounters)
        self.endResetModel()

    def set_progress(self, encounter_id: str, step: str, fraction: float) -> None:
        self._progress[encounter_id] = (step, fraction)
        row = self.row_of(encounter_id)
        if row >= 0:
            ix = self.index(row, 2)
            self.dataChanged.emit(ix, ix)

    def row_of(self, encounter_id: str) -> int:
        return next((i for i, e in enumerate(self._rows) if e.id == encounter_id), -1)

    def encounter(self, row: int) -> Encounter:
        return self._rows[row]

    # --- QAbstractTableModel ------------------------------------------------------------------
    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if (orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole
                and 0 <= section < len(COLUMNS)):
            return COLUMNS[section]
        return None

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        enc = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(enc, col)
        if role == ID_ROLE:
            return enc.id
        if role == Qt.ItemDataRole.ToolTipRole:
            if enc.status == Status.FAILED and enc.failure:
                return enc.failure
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == 2:
            return QColor(theme.current().for_status(enc.status))
        if role == Qt.ItemDataRole.DecorationRole and col == 2 and enc.status == Status.FAILED:
            return _warning_icon()
        if role == Qt.ItemDataRole.TextAlignmentRole and col == 3:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _display(self, enc: Encounter, col: int) -> str:
        if col == 0:
            return enc.created_at.astimezone().strftime("%b %d, %H:%M")
        if col == 1:  # the patient, when their details were given, beside the label
            who = enc.identity.summary()
            return f"{enc.label} — {who}" if who else enc.label
        if col == 2:
            step = self._progress.get(enc.id)
            if enc.status in (Status.TRANSCRIBING, Status.DRAFTING) and step and \
                    step[0] == enc.status.value:
                return f"{enc.status.label} {int(step[1] * 100)} %"
            return enc.status.label
        return duration_text(enc.duration_s) if enc.duration_s else "–"


def _warning_icon() -> QIcon:
    app = QApplication.instance()
    style = app.style() if isinstance(app, QApplication) else None
    return style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning) if style else QIcon()
