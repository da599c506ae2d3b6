"""The review screen's Note tab: the flags panel above the editable note, and moving between flags.

It knows where the note's cursor is (``current``: section and line) and which sentence needs
attention there; the review view owns the actions and everything that reaches the store.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QVBoxLayout, QWidget

from scribe.domain import Sentence
from ui.flags_panel import Attention, FlagsPanel, attention_items
from ui.note_editor import NoteEditor


class NoteTab(QWidget):
    """``moved`` when the current sentence or the flags change (the view enables its actions)."""

    moved = Signal()

    def __init__(self, flag_actions: list[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.current: tuple[int, int] = (-1, -1)  # (section, line) of the note's cursor
        self.signed = False
        self.editor = NoteEditor()
        self.editor.current_changed.connect(self.on_current_sentence)
        self.editor.attention_changed.connect(self.refresh)
        self.flags = FlagsPanel(flag_actions)
        self.flags.chosen.connect(lambda sec, line: self.editor.select_sentence(sec, line))
        self.flags.activated.connect(lambda sec, line: self.go_to(sec, line))
        self.signature = QLabel()
        self.signature.setObjectName("signature")
        self.signature.setWordWrap(True)
        self.addenda = QLabel()
        self.addenda.setObjectName("addenda")
        self.addenda.setWordWrap(True)
        self.addenda.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        page = QWidget()
        page.setObjectName("notePage")
        play = QVBoxLayout(page)
        play.addWidget(self.editor)
        play.addWidget(self.signature)
        play.addWidget(self.addenda)
        play.addStretch(1)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(page)
        hint = QLabel("One sentence per line; ⚠ marked lines need a look (why is written under "
                      "each section)")
        hint.setObjectName("paneTitle")
        hint.setWordWrap(True)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.flags)
        lay.addWidget(hint)
        lay.addWidget(self.scroll, 1)

    def reset(self, *, signed: bool) -> None:
        """Another visit: no current sentence."""
        self.current = (-1, -1)
        self.signed = signed

    def refresh(self) -> None:
        """The panel's rows from the note as it is now."""
        note = self.editor.note
        self.flags.set_items(attention_items(note, self.editor.draft) if note else [], self.signed)
        self.flags.select(*self.current)
        self.moved.emit()

    def on_current_sentence(self, section: int, line: int) -> None:
        self.current = (section, line)
        self.flags.select(section, line)
        self.moved.emit()

    def attention_here(self) -> Attention | None:
        """The row of the sentence at the cursor, if it needs attention."""
        return next((a for a in self.flags.items if (a.section, a.line) == self.current), None)

    def sentence_here(self) -> Sentence | None:
        return self.editor.sentence(*self.current)

    def go_to(self, section: int, line: int) -> None:
        """Cursor and focus to that sentence, scrolled into view; its evidence lights up."""
        self.editor.select_sentence(section, line, focus=True)
        ed = self.editor.editors[section]
        at = ed.viewport().mapTo(self.scroll.widget(), ed.cursorRect().center())
        self.scroll.ensureVisible(at.x(), at.y(), 20, 60)

    def step(self, *, forward: bool) -> None:
        """To the next (previous) flag not yet resolved, round the end; all of them once none is
        left to resolve."""
        items = self.flags.items
        if not items:
            return
        todo = [a for a in items if not a.resolved] or items
        section, line = self.current
        here: float = -1
        if section >= 0:  # on an empty line: between the sections' sentences
            here = self.editor.position(section, line) if line >= 0 else \
                self.editor.position(section, 0) - 0.5
        if forward:
            target = next((a for a in todo if a.position > here), todo[0])
        else:
            target = next((a for a in reversed(todo) if a.position < here), todo[-1])
        self.go_to(target.section, target.line)
