"""The list of visits on the left of the main window."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QTableView, QWidget


class VisitTable(QTableView):
    """The visit list. It never scrolls sideways: when the pane is narrow, Duration and then Time
    are hidden so the label and the status stay readable (the label elides)."""

    LABEL_COLUMN = 1
    OPTIONAL_COLUMNS = (3, 0)  # hidden first to last as the pane narrows
    LABEL_MIN = 90

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTextElideMode(Qt.TextElideMode.ElideRight)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self.fit_columns()

    def fit_columns(self) -> None:
        model = self.model()
        if model is None:
            return
        header = self.horizontalHeader()
        widths = {c: max(self.sizeHintForColumn(c), header.sectionSizeHint(c))
                  for c in range(model.columnCount()) if c != self.LABEL_COLUMN}
        need = sum(widths.values()) + self.LABEL_MIN
        for c in self.OPTIONAL_COLUMNS:
            hide = need > self.viewport().width()
            self.setColumnHidden(c, hide)
            if hide:
                need -= widths.get(c, 0)
