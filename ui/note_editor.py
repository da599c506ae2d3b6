"""The draft note as editable sections: one editor per section, one sentence per line.

Flagged and unsupported sentences are marked amber with the reason as a tooltip; moving the cursor
into a sentence reports it so the review view can highlight its evidence.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QColor, QHelpEvent, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QFrame,
    QLabel,
    QSizePolicy,
    QTextEdit,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import NoteDraft, Sentence, Support
from scribe.note.editing import clinician_written, edit_section, section_text

FLAG_BG = QColor("#ffe7a8")


def needs_attention(sentence: Sentence, draft: NoteDraft | None) -> str | None:
    """Why a sentence is marked (flag messages, or unsupported by the transcript), else None."""
    if sentence.flags:
        return "\n".join(f.message for f in sentence.flags)
    if sentence.support == Support.UNSUPPORTED and (draft is None or
                                                     not clinician_written(sentence, draft)):
        return "Nothing in the transcript supports this sentence; check it."
    return None


class SectionEditor(QTextEdit):
    """Plain-text editor for one section whose height follows its content."""

    focused = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setAcceptRichText(False)
        self.setTabChangesFocus(True)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sentences: list[Sentence] = []
        self.draft: NoteDraft | None = None
        self.document().documentLayout().documentSizeChanged.connect(self.fit_height)

    def sentence_at_block(self, block: int) -> int:
        """Index among the non-empty lines of the line ``block``, or -1 on an empty line."""
        doc = self.document()
        if not doc.findBlockByNumber(block).text().strip():
            return -1
        return sum(1 for b in range(block) if doc.findBlockByNumber(b).text().strip())

    def current_sentence(self) -> int:
        return self.sentence_at_block(self.textCursor().blockNumber())

    def mark(self) -> None:
        """Amber background on every line whose sentence needs attention."""
        marks = []
        doc = self.document()
        for b in range(doc.blockCount()):
            i = self.sentence_at_block(b)
            if 0 <= i < len(self.sentences) and needs_attention(self.sentences[i], self.draft):
                sel = QTextEdit.ExtraSelection()
                sel.format.setBackground(FLAG_BG)
                sel.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
                sel.cursor = QTextCursor(doc.findBlockByNumber(b))
                marks.append(sel)
        self.setExtraSelections(marks)

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            block = self.cursorForPosition(self.viewport().mapFrom(self, e.pos())).blockNumber()
            i = self.sentence_at_block(block)
            why = (needs_attention(self.sentences[i], self.draft)
                   if 0 <= i < len(self.sentences) else None)
            if why:
                QToolTip.showText(e.globalPos(), why, self)
            else:
                QToolTip.hideText()
            return True
        return super().event(e)

    def focusInEvent(self, e) -> None:  # noqa: ANN001
        super().focusInEvent(e)
        self.focused.emit()  # entering a section selects its sentence even if the cursor stays

    def mousePressEvent(self, e) -> None:  # noqa: ANN001
        super().mousePressEvent(e)
        self.focused.emit()

    def fit_height(self) -> None:
        """Grow with the text so the note scrolls as one page, not editor by editor."""
        size = self.document().documentLayout().documentSize()
        m = self.contentsMargins()
        h = max(int(size.height()) + m.top() + m.bottom() + 4, 36)
        if h != self.height():
            self.setFixedHeight(h)

    def resizeEvent(self, e) -> None:  # noqa: ANN001
        super().resizeEvent(e)
        self.fit_height()


class NoteEditor(QWidget):
    """All sections of a note. ``edited`` after each change; ``sentence_selected(evidence)``."""

    edited = Signal()
    sentence_selected = Signal(tuple)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note: NoteDraft | None = None
        self.draft: NoteDraft | None = None
        self.editors: list[SectionEditor] = []
        self._lay = QVBoxLayout(self)
        self._lay.setContentsMargins(0, 0, 0, 0)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self._loading = False

    def set_note(self, current: NoteDraft, draft: NoteDraft, read_only: bool) -> None:
        self._loading = True
        while self._lay.count():
            item = self._lay.takeAt(0)
            old = item.widget()
            if old is not None:
                old.hide()  # deleteLater runs on the next loop turn; never paint it meanwhile
                old.setParent(None)
                old.deleteLater()
        self.note, self.draft, self.editors = current, draft, []
        for i, sec in enumerate(current.sections):
            title = QLabel(sec.title.upper())
            title.setObjectName("sectionTitle")
            ed = SectionEditor()
            ed.setObjectName(f"section_{i}")
            ed.draft = draft
            ed.sentences = list(sec.sentences)
            ed.setPlainText(section_text(sec))
            ed.setPlaceholderText("(none)")
            ed.setReadOnly(read_only)
            ed.setFrameShape(QFrame.Shape.NoFrame if read_only else QFrame.Shape.StyledPanel)
            ed.textChanged.connect(lambda i=i: self.on_text_changed(i))
            ed.cursorPositionChanged.connect(lambda i=i: self.on_cursor(i))
            ed.focused.connect(lambda i=i: self.on_cursor(i))
            ed.mark()
            self._lay.addWidget(title)
            self._lay.addWidget(ed)
            self.editors.append(ed)
        self._loading = False

    def on_text_changed(self, i: int) -> None:
        if self._loading or self.note is None:
            return
        ed = self.editors[i]
        self.note = edit_section(self.note, i, ed.toPlainText())
        ed.sentences = list(self.note.sections[i].sentences)
        ed.mark()
        self.edited.emit()

    def on_cursor(self, i: int) -> None:
        if self.note is None:
            return
        ed = self.editors[i]
        s = ed.current_sentence()
        sentences = ed.sentences
        self.sentence_selected.emit(tuple(sentences[s].evidence) if 0 <= s < len(sentences)
                                    else ())
