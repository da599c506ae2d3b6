"""The draft note as editable sections: one editor per section, one sentence per line.

A sentence that needs attention is marked by more than colour: an amber line with a ⚠ in the margin
and a wavy underline, and under its section a line of text "⚠ line 2: <the reason>" (a sentence
marked checked shows ✓ and "✓ line 2 checked: …" on a green line). Moving the cursor into a sentence reports it,
so the review view highlights its evidence and the flags panel follows.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QRect, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QHelpEvent,
    QPainter,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
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
from ui import theme

# The theme roles each mark is drawn in (``ui.theme``: every pair is WCAG AA in every theme, and
# tests/ui/test_flags_panel.py checks these very pairs): text on its band, and the wavy underline.
FLAG_COLOURS = ("flag_fg", "flag_bg")  # a sentence that needs attention
CHECKED_COLOURS = ("signature_fg", "signature_bg")  # a flagged sentence marked checked
UNDERLINE = "flag_mark"  # non-text, 3:1 on the flag band

WARN = "⚠"
CHECK = "✓"


def needs_attention(sentence: Sentence, draft: NoteDraft | None) -> str | None:
    """Why a sentence is marked (flag messages, or unsupported by the transcript), else None."""
    if sentence.flags:
        return "\n".join(f.message for f in sentence.flags)
    if sentence.support == Support.UNSUPPORTED and (draft is None or
                                                     not clinician_written(sentence, draft)):
        return "Nothing in the transcript supports this sentence; check it."
    return None


def resolved(sentence: Sentence) -> bool:
    """A flagged sentence the clinician marked checked (audited)."""
    return bool(sentence.flags) and sentence.checked


def mark_colours(done: bool) -> tuple[QColor, QColor]:
    """(text, band) of a marked line in the theme in use."""
    c = theme.current()
    fg, bg = CHECKED_COLOURS if done else FLAG_COLOURS
    return c.qcolor(fg), c.qcolor(bg)


class _Margin(QWidget):
    """The editor's left margin: ⚠ beside each line that needs attention, ✓ once checked."""

    WIDTH = 20

    def __init__(self, editor: SectionEditor) -> None:
        super().__init__(editor)
        self.editor = editor

    def paintEvent(self, _e) -> None:  # noqa: ANN001
        ed = self.editor
        p = QPainter(self)
        doc = ed.document()
        top = ed.viewport().y() - self.y()
        for b in range(doc.blockCount()):
            i = ed.sentence_at_block(b)
            if not 0 <= i < len(ed.sentences) or not needs_attention(ed.sentences[i], ed.draft):
                continue
            done = resolved(ed.sentences[i])
            block = doc.findBlockByNumber(b)
            first = ed.cursorRect(QTextCursor(block))
            end = QTextCursor(block)
            end.movePosition(QTextCursor.MoveOperation.EndOfBlock)
            last = ed.cursorRect(end)
            rect = QRect(0, top + first.top(), self.width(), last.bottom() - first.top() + 1)
            fg, bg = mark_colours(done)
            p.fillRect(rect, bg)
            p.setPen(fg)
            line = QRect(rect.x(), rect.y(), rect.width(), first.height())
            p.drawText(line, Qt.AlignmentFlag.AlignCenter, CHECK if done else WARN)
        p.end()


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
        self.margin = _Margin(self)
        self.setViewportMargins(_Margin.WIDTH, 0, 0, 0)
        self.document().documentLayout().documentSizeChanged.connect(self.fit_height)

    def sentence_at_block(self, block: int) -> int:
        """Index among the non-empty lines of the line ``block``, or -1 on an empty line."""
        doc = self.document()
        if not doc.findBlockByNumber(block).text().strip():
            return -1
        return sum(1 for b in range(block) if doc.findBlockByNumber(b).text().strip())

    def block_of_sentence(self, index: int) -> int:
        """The line (block number) holding sentence ``index``, or -1."""
        doc = self.document()
        seen = 0
        for b in range(doc.blockCount()):
            if doc.findBlockByNumber(b).text().strip():
                if seen == index:
                    return b
                seen += 1
        return -1

    def current_sentence(self) -> int:
        return self.sentence_at_block(self.textCursor().blockNumber())

    def reasons(self) -> list[str]:
        """One line of text per reason a sentence here is marked, numbered as the lines are."""
        out = []
        for i, s in enumerate(self.sentences):
            why = needs_attention(s, self.draft)
            if why is None:
                continue
            for reason in why.split("\n"):
                out.append(f"{CHECK} line {i + 1} checked: {reason}" if resolved(s)
                           else f"{WARN} line {i + 1}: {reason}")
        return out

    def mark(self) -> None:
        """Amber line and wavy underline on every sentence that needs attention (green once
        checked)."""
        marks = []
        doc = self.document()
        for b in range(doc.blockCount()):
            i = self.sentence_at_block(b)
            if not 0 <= i < len(self.sentences) or not needs_attention(self.sentences[i],
                                                                          self.draft):
                continue
            done = resolved(self.sentences[i])
            fg, bg = mark_colours(done)
            line = QTextEdit.ExtraSelection()  # the whole line's band
            line.format.setBackground(bg)
            line.format.setProperty(QTextFormat.Property.FullWidthSelection, True)
            line.cursor = QTextCursor(doc.findBlockByNumber(b))
            text = QTextEdit.ExtraSelection()  # its text, in the band's text colour, underlined
            fmt = QTextCharFormat()
            fmt.setForeground(fg)
            if not done:
                fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
                fmt.setUnderlineColor(theme.current().qcolor(UNDERLINE))
            text.format = fmt
            cursor = QTextCursor(doc.findBlockByNumber(b))
            cursor.movePosition(QTextCursor.MoveOperation.EndOfBlock,
                                QTextCursor.MoveMode.KeepAnchor)
            text.cursor = cursor  # (a copy: move it before handing it over)
            marks += [line, text]
        self.setExtraSelections(marks)
        self.margin.update()

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

    def changeEvent(self, e: QEvent) -> None:
        super().changeEvent(e)
        if e.type() == QEvent.Type.PaletteChange:
            self.mark()  # the theme changed: the marks take its colours

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
        r = self.contentsRect()
        self.margin.setGeometry(QRect(r.left(), r.top(), _Margin.WIDTH, r.height()))
        self.fit_height()


class NoteEditor(QWidget):
    """All sections of a note. ``edited`` after each change; ``sentence_selected(evidence)`` and
    ``current_changed(section, line)`` when the cursor enters a sentence (line -1: none);
    ``attention_changed`` when the marked sentences may have changed."""

    edited = Signal()
    sentence_selected = Signal(tuple)
    current_changed = Signal(int, int)
    attention_changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.note: NoteDraft | None = None
        self.draft: NoteDraft | None = None
        self.editors: list[SectionEditor] = []
        self.reason_labels: list[QLabel] = []
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
        self.note, self.draft, self.editors, self.reason_labels = current, draft, [], []
        for i, sec in enumerate(current.sections):
            title = QLabel(sec.title.upper())
            title.setObjectName("sectionTitle")
            ed = SectionEditor()
            ed.setObjectName(f"section_{i}")
            ed.setAccessibleName(f"Note section {sec.title}")
            ed.setAccessibleDescription("One sentence per line.")
            title.setBuddy(ed)
            ed.draft = draft
            ed.sentences = list(sec.sentences)
            ed.setPlainText(section_text(sec))
            ed.setPlaceholderText("Not discussed.")
            ed.setReadOnly(read_only)
            ed.setFrameShape(QFrame.Shape.NoFrame if read_only else QFrame.Shape.StyledPanel)
            ed.textChanged.connect(lambda i=i: self.on_text_changed(i))
            ed.cursorPositionChanged.connect(lambda i=i: self.on_cursor(i))
            ed.focused.connect(lambda i=i: self.on_cursor(i))
            reasons = QLabel()
            reasons.setObjectName("flagReason")  # flag_fg on flag_bg, from the theme
            reasons.setTextFormat(Qt.TextFormat.PlainText)  # patient text is never markup
            reasons.setWordWrap(True)
            reasons.setAccessibleName(f"Flags in {sec.title}")
            self._lay.addWidget(title)
            self._lay.addWidget(ed)
            self._lay.addWidget(reasons)
            self.editors.append(ed)
            self.reason_labels.append(reasons)
            self._mark(i)
        self._loading = False
        self.attention_changed.emit()

    def _mark(self, i: int) -> None:
        self.editors[i].mark()
        lines = self.editors[i].reasons()
        self.reason_labels[i].setText("\n".join(lines))
        self.reason_labels[i].setVisible(bool(lines))

    def apply(self, note: NoteDraft) -> None:
        """Take the flags, support and "checked" of ``note`` (the same text, re-checked or
        stored): the text and the cursor stay as they are."""
        if self.note is None or [[s.text for s in sec.sentences] for sec in note.sections] != \
                [[s.text for s in sec.sentences] for sec in self.note.sections]:
            return
        self.note = note
        for i, sec in enumerate(note.sections):
            self.editors[i].sentences = list(sec.sentences)
            self._mark(i)
        self.attention_changed.emit()

    def on_text_changed(self, i: int) -> None:
        if self._loading or self.note is None:
            return
        ed = self.editors[i]
        self.note = edit_section(self.note, i, ed.toPlainText(), draft=self.draft)
        ed.sentences = list(self.note.sections[i].sentences)
        self._mark(i)
        self.edited.emit()
        self.attention_changed.emit()

    def on_cursor(self, i: int) -> None:
        if self.note is None:
            return
        ed = self.editors[i]
        s = ed.current_sentence()
        sentences = ed.sentences
        inside = 0 <= s < len(sentences)
        self.sentence_selected.emit(tuple(sentences[s].evidence) if inside else ())
        self.current_changed.emit(i, s if inside else -1)

    # --- positions: (section, line) here, one number in ``NoteDraft.sentences()`` order ---------
    def position(self, section: int, line: int) -> int:
        return sum(len(ed.sentences) for ed in self.editors[:section]) + line

    def sentence(self, section: int, line: int) -> Sentence | None:
        if 0 <= section < len(self.editors) and 0 <= line < len(self.editors[section].sentences):
            return self.editors[section].sentences[line]
        return None

    def select_sentence(self, section: int, line: int, *, focus: bool = False) -> None:
        """Put the cursor at the start of a sentence (its evidence lights up in the transcript)."""
        ed = self.editors[section]
        block = ed.block_of_sentence(line)
        if block < 0:
            return
        if focus:
            ed.setFocus(Qt.FocusReason.ShortcutFocusReason)
        ed.setTextCursor(QTextCursor(ed.document().findBlockByNumber(block)))
        self.on_cursor(section)  # also when the cursor was there already
