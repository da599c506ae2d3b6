"""The transcript beside the note: timestamped segments, speakers, low-confidence words, fixes.

Each line is drawn from its segment (``LineDelegate``): the speaker's heading and colour, and every
word the recogniser was unsure of (``Word.uncertain``: probability < 0.5) or the clinical-term pass
touched (``Word.heard``: corrected by sound; ``Word.alternative``: perhaps another term) in a
distinct colour with a dotted underline; hovering it tells how sure Scribe was and what the term
pass did. A one-line legend above the lines explains the mark when there are such words. When Scribe could not tell the voices apart
(:func:`scribe.speakers.told_apart`), a line above the transcript says so and offers to enrol the
clinician's voice (``enrol_requested``).

Right-click a line: Speaker ▸ Clinician / Patient / Other fixes that turn; Every turn of this
voice ▸ … fixes all the turns Scribe heard in the same voice (``Segment.voice``); This voice is ▸
a staff member named before, or someone new (``voice_named``: a staff profile is made from it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QModelIndex, QPoint, QPointF, QRect, QSize, Qt, Signal
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QBrush,
    QColor,
    QFont,
    QHelpEvent,
    QPainter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from scribe.domain import Segment, Transcript, Word
from scribe.speakers import StaffRole, format_line, heading, role_of, told_apart
from scribe.transcript_io import timestamp
from ui import theme

SEGMENT_ROLE = Qt.ItemDataRole.UserRole + 1  # (index, start) of the row's segment
LINE_ROLE = Qt.ItemDataRole.UserRole + 2  # the row's Segment
ROLES = ("clinician", "patient", "other")
# The colour of a word the recogniser was unsure of, per theme: 7.9:1 on the light page and 6.6:1
# on its evidence highlight; 9.5:1 / 6.1:1 in the dark theme (WCAG AA is 4.5:1; checked in
# tests/ui/test_transcript_view.py), and a magenta no speaker colour is near.
UNCERTAIN = {theme.LIGHT_NAME: "#a0005a", theme.DARK_NAME: "#ff9fd4"}
NOT_TOLD_APART = (
    "Scribe could not tell the voices apart in this visit; fix a turn with right-click, or enrol "
    "your voice (a 20-second reading) so Scribe knows you next time."
)
LEGEND_MARK = "dotted underline"
LEGEND_REST = (": a word Scribe is unsure of or corrected by sound — hover over it to see how "
               "sure and what it heard.")
PAD = 4  # pixels around a line's text


def uncertain_colour() -> str:
    return UNCERTAIN.get(theme.current().name, UNCERTAIN[theme.LIGHT_NAME])


def marked(w: Word) -> bool:
    """A word the reader should look at: unsure, corrected by sound, or perhaps another term."""
    return w.uncertain or w.heard is not None or w.alternative is not None


def _sure(w: Word) -> str:
    return f"{round(100 * w.probability)}% sure" if w.probability is not None else ""


def _bare(w: Word) -> str:
    return w.word.strip().strip(".,;:!?\"“”")


def word_note(w: Word) -> str:
    """What hovering a marked word says: how sure Scribe was and what the term pass did."""
    token = _bare(w)
    sure = f" ({_sure(w)})" if w.probability is not None else ""
    if w.heard is not None:
        said = f"Scribe heard “{w.heard}” and corrected it by sound to “{token}”{sure}"
    elif w.alternative is not None:
        said = f"Scribe heard “{token}”{sure}"
    else:
        said = f"Scribe is unsure of “{token}”: {_sure(w)}"
    said += f", unsure: “{w.alternative}”?" if w.alternative is not None else "."
    return said + (" Listen to the line to check it." if w.uncertain or w.alternative else "")


def _line_note(w: Word) -> str:
    """One word in the line's tooltip: “lisinopril” 31%, “clindamycin” (corrected by sound…)."""
    parts = [f"“{_bare(w)}”"]
    if w.uncertain and w.probability is not None:
        parts.append(f"{round(100 * w.probability)}%")
    if w.heard is not None:
        parts.append(f"(corrected by sound from “{w.heard}”)")
    if w.alternative is not None:
        parts.append(f"(or “{w.alternative}”?)")
    return " ".join(parts)


@dataclass(frozen=True)
class _Mark:
    start: int  # character range in the line's document
    end: int
    word: str
    probability: float | None
    note: str = ""  # what hovering it says (``word_note``)


def line_document(seg: Segment, font: QFont, width: float, *,
                  selected: bool = False) -> tuple[QTextDocument, list[_Mark]]:
    """The rich text of one line and where its uncertain words are in it (``selected``: drawn on
    the selection colour, so every word takes the selection's text colour, marks keep the line)."""
    c = theme.current()
    doc = QTextDocument()
    doc.setDefaultFont(font)
    doc.setDocumentMargin(0)
    doc.setTextWidth(max(50.0, width))
    cur = QTextCursor(doc)
    colour = QColor(c.for_speaker(role_of(seg.speaker)) if seg.speaker else c.text)
    if selected:
        colour = QColor(c.highlight_text)
    plain = QTextCharFormat()
    plain.setForeground(QBrush(colour))
    stamp = QTextCharFormat(plain)
    stamp.setForeground(QBrush(colour if selected else QColor(c.muted)))
    cur.insertText(f"[{timestamp(seg.start)}] ", stamp)
    who = heading(seg.speaker)
    if who:
        bold = QTextCharFormat(plain)
        bold.setFontWeight(QFont.Weight.Bold)
        cur.insertText(f"{who}: ", bold)
    unsure = _unsure_format(colour if selected else QColor(uncertain_colour()))
    text = seg.text
    marks: list[_Mark] = []
    at = shown = 0  # where the next word is looked for; how much of the text is in the document
    for w in seg.words:  # every word, in order, so a short one is not found inside another
        token = w.word.strip()
        found = text.find(token, at) if token else -1
        if found < 0:
            continue
        at = found + len(token)
        if marked(w):
            cur.insertText(text[shown:found], plain)
            begin = cur.position()
            cur.insertText(token, unsure)
            marks.append(_Mark(begin, cur.position(), token, w.probability, word_note(w)))
            shown = at
    cur.insertText(text[shown:], plain)
    return doc, marks


class LineDelegate(QStyledItemDelegate):
    """Draws a transcript line as rich text (speaker heading, marked uncertain words)."""

    def __init__(self, view: TranscriptView) -> None:
        super().__init__(view)
        self.view = view

    def _width(self) -> float:
        return float(self.view.viewport().width() - 2 * PAD - 2 * self.view.spacing())

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget else self.view.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        doc, _ = line_document(index.data(LINE_ROLE), option.font, option.rect.width() - 2 * PAD,
                               selected=selected)
        painter.save()
        painter.translate(option.rect.left() + PAD, option.rect.top() + PAD)
        doc.documentLayout().draw(painter, QAbstractTextDocumentLayout.PaintContext())
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # noqa: N802
        doc, _ = line_document(index.data(LINE_ROLE), option.font, self._width())
        return QSize(int(doc.idealWidth()) + 2 * PAD, int(doc.size().height()) + 2 * PAD)


class NameVoiceDialog(QDialog):
    """Who this voice is: a name and a role, kept as a staff voice profile."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Name this voice")
        self.name = QLineEdit()
        self.name.setPlaceholderText("e.g. Kim")
        self.name.setAccessibleName("Name")
        self.role = QComboBox()
        self.role.setAccessibleName("Role")
        for r in StaffRole:
            self.role.addItem(r.label, r.value)
        intro = QLabel("Scribe will know this voice in later visits. Its print is kept encrypted "
                       "with your other data.")
        intro.setWordWrap(True)
        form = QFormLayout()
        form.addRow("&Name", self.name)
        form.addRow("&Role", self.role)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        lay = QVBoxLayout(self)
        lay.addWidget(intro)
        lay.addLayout(form)
        lay.addWidget(buttons)


def _unsure_format(colour: QColor) -> QTextCharFormat:
    fmt = QTextCharFormat()
    fmt.setForeground(QBrush(colour))
    fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.DotLine)
    fmt.setUnderlineColor(colour)
    return fmt


class Legend(QWidget):
    """One line that shows the mark itself (QLabel's rich text has no dotted underline)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("transcriptLegend")
        self.setAccessibleName(LEGEND_MARK.capitalize() + LEGEND_REST)
        policy = self.sizePolicy()
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def text(self) -> str:
        return LEGEND_MARK + LEGEND_REST

    def document(self, width: float) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(self.font())
        doc.setDocumentMargin(0)
        doc.setTextWidth(max(50.0, width - 2 * PAD))
        cur = QTextCursor(doc)
        cur.insertText(LEGEND_MARK, _unsure_format(QColor(uncertain_colour())))
        rest = QTextCharFormat()
        rest.setForeground(QBrush(QColor(theme.current().muted)))
        cur.insertText(LEGEND_REST, rest)
        return doc

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        return int(self.document(width).size().height()) + 2

    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(400, self.heightForWidth(max(self.width(), 400)))

    def paintEvent(self, _event) -> None:  # noqa: ANN001, N802
        painter = QPainter(self)
        painter.translate(PAD, 1)
        doc = self.document(self.width())  # held: its layout lives only as long as it does
        doc.documentLayout().draw(painter, QAbstractTextDocumentLayout.PaintContext())
        painter.end()


def _exec(dialog: QDialog) -> int:
    return dialog.exec()


class TranscriptView(QListWidget):
    """One row per segment; ``play_requested(start_s)`` on double-click.

    Signals: ``speaker_chosen(index, speaker)`` fixes one turn; ``voice_chosen(index, speaker)``
    every turn of that turn's voice; ``voice_named(index, name, role)`` names a new staff voice
    from that turn; ``enrol_requested()`` asks for the clinician's enrolment.
    """

    play_requested = Signal(float)
    speaker_chosen = Signal(int, str)  # segment index, a speaker value
    voice_chosen = Signal(int, str)  # segment index, the speaker of every turn of its voice
    voice_named = Signal(int, str, str)  # segment index, name, StaffRole value
    enrol_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWordWrap(True)
        self.setAlternatingRowColors(False)
        self.setSpacing(3)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.setUniformItemSizes(False)
        self.setToolTip("Double-click a line to hear the audio from there.")
        self.itemDoubleClicked.connect(self.on_double_clicked)
        self._highlighted: list[int] = []
        self._transcript: Transcript | None = None
        self.editable = True  # speaker fixes allowed (not once the note is signed)
        self.profiles: list[tuple[str, str]] = []  # (speaker value, label) of the staff voices
        self.dialog_exec: Callable[[QDialog], int] = _exec  # tests drive the dialog through this
        self.delegate = LineDelegate(self)
        self.setItemDelegate(self.delegate)
        self.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.customContextMenuRequested.connect(self.on_menu)

        # Above the lines (in the viewport's top margin): the notice and the legend.
        self.header = QWidget(self)
        self.notice = QFrame()
        self.notice.setObjectName("speakerNotice")
        self.notice_text = QLabel(NOT_TOLD_APART)
        self.notice_text.setWordWrap(True)
        self.enrol_btn = QPushButton("Enrol my voice…")
        self.enrol_btn.setToolTip("Read a short paragraph aloud (about 20 seconds) so Scribe "
                                  "knows your voice in every visit.")
        self.enrol_btn.setAccessibleName("Enrol my voice")
        self.enrol_btn.clicked.connect(self.enrol_requested)
        nlay = QHBoxLayout(self.notice)
        nlay.setContentsMargins(8, 6, 8, 6)
        nlay.addWidget(self.notice_text, 1)
        nlay.addWidget(self.enrol_btn, 0, Qt.AlignmentFlag.AlignVCenter)
        self.legend = Legend()
        hlay = QVBoxLayout(self.header)
        hlay.setContentsMargins(2, 2, 2, 4)
        hlay.setSpacing(4)
        hlay.addWidget(self.notice)
        hlay.addWidget(self.legend)
        self.notice.hide()
        self.legend.hide()
        self._style_header()
        self._place_header()

    # --- the header: "could not tell the voices apart", the legend ---------------------------
    @property
    def notice_shown(self) -> bool:
        return not self.notice.isHidden()

    @property
    def legend_shown(self) -> bool:
        return not self.legend.isHidden()

    def _style_header(self) -> None:
        c = theme.current()
        self.notice.setStyleSheet(
            f"QFrame#speakerNotice {{ background: {c.warning_bg}; border-radius: 4px; }}"
            f"QFrame#speakerNotice QLabel {{ color: {c.warning_fg}; }}")
        self.legend.updateGeometry()
        self.legend.update()

    def _place_header(self) -> None:
        fw = self.frameWidth()
        width = max(0, self.width() - 2 * fw)
        shown = self.notice_shown or self.legend_shown
        lay = self.header.layout()
        height = lay.heightForWidth(width) if shown and lay.hasHeightForWidth() else (
            lay.sizeHint().height() if shown else 0)
        self.header.setVisible(shown)
        self.header.setGeometry(QRect(fw, fw, width, height))
        self.setViewportMargins(0, height, 0, 0)

    def resizeEvent(self, event) -> None:  # noqa: ANN001, N802
        super().resizeEvent(event)
        self._place_header()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        super().changeEvent(event)
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.FontChange):
            self._style_header()
            self._place_header()
            self.doItemsLayout()
            self.viewport().update()

    # --- the context menu --------------------------------------------------------------------
    def speaker_menu(self, item: QListWidgetItem) -> QMenu:
        """The menu of a line: Speaker ▸, Every turn of this voice ▸, This voice is ▸."""
        menu = QMenu(self)
        seg: Segment = item.data(LINE_ROLE)
        index = seg.index
        sub = menu.addMenu("Speaker")
        sub.setEnabled(self.editable)
        for value in ROLES:
            sub.addAction(value.capitalize()).setData(value)
        # QMenu.triggered(QAction): no bool 'checked' argument goes through a Python lambda.
        sub.triggered.connect(lambda act: self.speaker_chosen.emit(index, act.data()))
        every = menu.addMenu("Every turn of this voice")
        every.setEnabled(self.editable and seg.voice is not None)
        if seg.voice is None:
            every.setToolTip("Scribe could not tell this turn's voice; fix the turn on its own.")
        for value in ROLES:
            every.addAction(f"{value.capitalize()} (every turn)").setData(value)
        for speaker, label in self.profiles:
            every.addAction(f"{label} (every turn)").setData(speaker)
        every.triggered.connect(lambda act: self.voice_chosen.emit(index, act.data()))
        named = menu.addMenu("This voice is")
        named.setEnabled(self.editable)
        for speaker, label in self.profiles:
            named.addAction(label).setData(speaker)
        if self.profiles:
            named.addSeparator()
        named.addAction("Someone new…").setData("")
        named.triggered.connect(lambda act: self.on_named(index, act.data()))
        return menu

    def on_named(self, index: int, speaker: str) -> None:
        """A staff voice chosen for a turn: a known one labels its voice, a new one is named."""
        if speaker:
            self._voice_or_turn(index, speaker)
            return
        dialog = NameVoiceDialog(self)
        if self.dialog_exec(dialog) == QDialog.DialogCode.Accepted and dialog.name.text().strip():
            self.voice_named.emit(index, dialog.name.text().strip(), dialog.role.currentData())

    def _voice_or_turn(self, index: int, speaker: str) -> None:
        seg = next((s for s in (self._transcript.segments if self._transcript else ())
                    if s.index == index), None)
        if seg is not None and seg.voice is not None:
            self.voice_chosen.emit(index, speaker)
        else:
            self.speaker_chosen.emit(index, speaker)

    def set_profiles(self, profiles: Sequence[tuple[str, str]]) -> None:
        """The staff voices the menu offers: (speaker value, label) each."""
        self.profiles = list(profiles)

    def on_menu(self, pos: QPoint) -> None:
        item = self.itemAt(pos)
        if item is not None:
            self.speaker_menu(item).exec(self.viewport().mapToGlobal(pos))

    # --- content -----------------------------------------------------------------------------
    def set_transcript(self, transcript: Transcript | None) -> None:
        self.clear()
        self._highlighted = []
        self._transcript = transcript
        segments = transcript.segments if transcript is not None else ()
        for seg in segments:
            item = QListWidgetItem(format_line(seg))
            item.setData(SEGMENT_ROLE, (seg.index, seg.start))
            item.setData(LINE_ROLE, seg)
            unsure = [w for w in seg.words if marked(w)]
            if unsure:
                fixed = " or corrected them by sound" if any(w.heard for w in unsure) else ""
                item.setToolTip(f"Dotted words: Scribe is unsure of them{fixed} — "
                                + ", ".join(_line_note(w) for w in unsure))
            self.addItem(item)
        self.notice.setVisible(transcript is not None and bool(segments)
                               and not told_apart(transcript))
        self.legend.setVisible(any(marked(w) for s in segments for w in s.words))
        self._place_header()

    def tooltip_at(self, pos: QPoint) -> str:
        """What hovering at ``pos`` (viewport coordinates) says: how sure Scribe was of the word
        there, when it is a marked one; else the line's own tooltip."""
        item = self.itemAt(pos)
        if item is None:
            return ""
        rect = self.visualItemRect(item)
        doc, marks = line_document(item.data(LINE_ROLE), self.font(), rect.width() - 2 * PAD)
        local = QPointF(pos - rect.topLeft() - QPoint(PAD, PAD))
        at = doc.documentLayout().hitTest(local, Qt.HitTestAccuracy.ExactHit)
        for m in marks:
            if m.start <= at < m.end:
                return m.note
        return item.toolTip() or self.toolTip()

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(event.pos())
            if text:
                QToolTip.showText(event.globalPos(), text, self.viewport())
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def row_of_segment(self, index: int) -> int:
        for row in range(self.count()):
            if self.item(row).data(SEGMENT_ROLE)[0] == index:
                return row
        return -1

    def highlight(self, indexes: tuple[int, ...] | list[int]) -> None:
        """Mark the segments that support the selected note sentence and scroll to the first."""
        for row in self._highlighted:
            if 0 <= row < self.count():
                self.item(row).setBackground(QBrush())
        rows = [r for r in (self.row_of_segment(i) for i in indexes) if r >= 0]
        for row in rows:
            self.item(row).setBackground(QBrush(QColor(theme.current().evidence_bg)))
        self._highlighted = rows
        if rows:
            self.scrollToItem(self.item(rows[0]), QAbstractItemView.ScrollHint.PositionAtCenter)

    @property
    def highlighted_segments(self) -> list[int]:
        return [self.item(r).data(SEGMENT_ROLE)[0] for r in self._highlighted]

    def on_double_clicked(self, item: QListWidgetItem) -> None:
        self.play_requested.emit(float(item.data(SEGMENT_ROLE)[1]))
