"""The flags panel above the note: every sentence that needs attention, with its reason in words.

Each row reads "⚠ Subjective, line 2 — “Takes lisinopril 20 mg daily.”" over its reason; a
sentence marked checked shows ✓ and "Checked". Choosing a row moves the note's cursor to that
sentence (the review view does that on ``chosen``); the buttons are the review view's actions, so
their shortcuts (F8, Shift+F8, Ctrl+K, Alt+P) work from anywhere in it.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import NoteDraft
from ui.note_editor import CHECK, WARN, needs_attention, resolved

PLACE_ROLE = Qt.ItemDataRole.UserRole + 1
LIST_ROWS = 4  # rows shown before the list scrolls: the note keeps most of the height


@dataclass(frozen=True)
class Attention:
    """One sentence that needs attention, where it is and why."""

    section: int
    line: int  # among the section's sentences, from 0
    position: int  # in ``NoteDraft.sentences()`` order, as the store counts
    title: str
    text: str
    reasons: tuple[str, ...]
    flagged: bool  # has flags (so it can be marked checked); else only unsupported
    checked: bool
    evidence: tuple[int, ...]

    @property
    def resolved(self) -> bool:
        return self.checked


def attention_items(note: NoteDraft, draft: NoteDraft | None) -> list[Attention]:
    """The sentences of ``note`` that need attention, in reading order."""
    out = []
    position = 0
    for si, sec in enumerate(note.sections):
        for li, s in enumerate(sec.sentences):
            why = needs_attention(s, draft)
            if why is not None:
                out.append(Attention(si, li, position, sec.title, s.text,
                                     tuple(why.split("\n")), bool(s.flags), resolved(s),
                                     tuple(s.evidence)))
            position += 1
    return out


def summary(items: list[Attention], signed: bool) -> str:
    """The panel's title: how many flags are left to resolve."""
    if not items:
        return f"{CHECK} No flags: nothing in the note contradicts the transcript"
    if signed:
        return f"{len(items)} flagged sentence(s), each acknowledged at signing"
    left = sum(1 for a in items if not a.resolved)
    if not left:
        return f"{CHECK} All flags resolved ({len(items)} checked)"
    return f"{WARN} {left} flag{'s' if left != 1 else ''} to resolve"


class FlagsPanel(QWidget):
    """``chosen(section, line)`` when a row becomes current; ``activated(section, line)`` on
    Enter or double-click (the review view then puts the focus in the note there)."""

    chosen = Signal(int, int)
    activated = Signal(int, int)

    def __init__(self, actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.items: list[Attention] = []
        self.title = QLabel()
        self.title.setObjectName("paneTitle")
        self.title.setTextFormat(Qt.TextFormat.PlainText)
        self.title.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName("flagsList")
        self.list.setAccessibleName("Flags to resolve")
        self.list.setAccessibleDescription("Sentences of the note that need a look, with why.")
        self.list.setWordWrap(True)
        self.list.setSpacing(2)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.currentItemChanged.connect(self.on_current)
        self.list.itemActivated.connect(self.on_activated)
        self.buttons: list[QToolButton] = []
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        keys = []
        for action in actions:
            b = QToolButton()
            b.setText(action.text())
            b.setDefaultAction(action)
            b.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            b.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
            b.setAccessibleName(action.text())
            row.addWidget(b)
            self.buttons.append(b)
            if not action.shortcut().isEmpty():
                keys.append(f"{action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)}"
                            f" {action.text().lower()}")
        # The keys in words, wrapped under the list: the panel stays narrow at 1024 px.
        self.keys = QLabel("Keys: " + " · ".join(keys) + "." if keys else "")
        self.keys.setObjectName("subtitle")
        self.keys.setWordWrap(True)
        self.keys.setVisible(bool(keys))
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 4)
        row.addStretch(1)
        lay.addWidget(self.title)
        lay.addWidget(self.list)
        lay.addLayout(row)
        lay.addWidget(self.keys)
        self._syncing = False

    def set_items(self, items: list[Attention], signed: bool) -> None:
        """Show ``items``; the row of the sentence that was current stays current."""
        keep = self.current()
        self._syncing = True
        self.items = items
        self.list.clear()
        bold = QFont(self.list.font())
        bold.setBold(True)
        for a in items:
            mark = f"{CHECK} Checked ·" if a.resolved else WARN
            reasons = "\n".join(f"    {r}" for r in a.reasons)
            item = QListWidgetItem(f"{mark} {a.title}, line {a.line + 1} — “{a.text}”\n{reasons}")
            item.setData(PLACE_ROLE, (a.section, a.line))
            if not a.resolved and not signed:
                item.setFont(bold)
            item.setToolTip("\n".join(a.reasons))
            self.list.addItem(item)
        self.title.setText(summary(items, signed))
        self.list.setVisible(bool(items))
        self._fit()
        if keep is not None:
            self.select(keep.section, keep.line)
        self._syncing = False

    def resizeEvent(self, e) -> None:  # noqa: ANN001
        super().resizeEvent(e)
        self._fit()  # rows wrap differently at another width

    def _fit(self) -> None:
        rows = [self.list.sizeHintForRow(r) for r in range(min(self.list.count(), LIST_ROWS))]
        spacing = 2 * self.list.spacing() * len(rows)
        self.list.setFixedHeight(sum(rows) + spacing + 2 * self.list.frameWidth() + 2)

    def current(self) -> Attention | None:
        row = self.list.currentRow()
        return self.items[row] if 0 <= row < len(self.items) else None

    def select(self, section: int, line: int) -> None:
        """Make the row of that sentence current (none if it needs no attention), quietly."""
        was, self._syncing = self._syncing, True
        row = next((r for r, a in enumerate(self.items)
                    if (a.section, a.line) == (section, line)), -1)
        self.list.setCurrentRow(row)
        if row < 0:
            self.list.clearSelection()
        else:
            self.list.scrollToItem(self.list.item(row))
        self._syncing = was

    def on_current(self, item: QListWidgetItem | None, _previous: QListWidgetItem | None) -> None:
        if item is not None and not self._syncing:
            self.chosen.emit(*item.data(PLACE_ROLE))

    def on_activated(self, item: QListWidgetItem) -> None:
        self.activated.emit(*item.data(PLACE_ROLE))
