"""The transcript view tells what the clinical-term pass did (issue 13): a word it corrected by
sound, and a word that may be another term, are marked like an unsure word, and hovering one says
what Scribe heard."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QTextCharFormat, QTextCursor

from scribe.domain import Segment, Transcript, Word
from ui import theme
from ui.transcript_view import LINE_ROLE, PAD, UNCERTAIN, TranscriptView, line_document


def _segment(index: int, text: str, **said: dict) -> Segment:
    words = []
    for i, token in enumerate(text.split()):
        at = index * 5.0 + i * 0.4
        words.append(Word(at, at + 0.3, f" {token}", "patient",
                          **{"probability": 0.95, **said.get(token, {})}))
    return Segment(index, index * 5.0, index * 5.0 + 4.0, text, "patient", tuple(words))


VISIT = Transcript((
    _segment(0, "My dentist gave me clindamycin for the tooth.",
             clindamycin={"probability": 0.91, "heard": "cleaned my sin"}),
    _segment(1, "I take creature for cholesterol.",
             creature={"probability": 0.62, "alternative": "Crestor"}),
    _segment(2, "Lisinopril 40 milligrams.", **{"40": {"probability": 0.31}}),
    _segment(3, "Nothing else."),
))


@pytest.fixture
def view(transcript_view):
    transcript_view.set_transcript(VISIT)
    return transcript_view


def _hover(view: TranscriptView, row: int) -> str:
    """What hovering the middle of the row's first marked word says."""
    item = view.item(row)
    rect = view.visualItemRect(item)
    doc, marks = line_document(item.data(LINE_ROLE), view.font(), rect.width() - 2 * PAD)
    cursor = QTextCursor(doc)
    cursor.setPosition((marks[0].start + marks[0].end) // 2)
    top = doc.documentLayout().blockBoundingRect(cursor.block()).top()
    line = cursor.block().layout().lineForTextPosition(cursor.positionInBlock())
    x = line.cursorToX(cursor.positionInBlock())[0]
    y = top + line.y() + line.height() / 2
    return view.tooltip_at(rect.topLeft() + QPoint(PAD + int(x), PAD + int(y)))


def _dotted(view: TranscriptView, row: int) -> list[tuple[str, str]]:
    doc, _ = line_document(view.item(row).data(LINE_ROLE), view.font(), 400)
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            f = it.fragment()
            if f.charFormat().underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine:
                out.append((f.text(), f.charFormat().foreground().color().name()))
            it += 1
        block = block.next()
    return out


def test_a_word_corrected_by_sound_is_marked_and_says_what_was_heard(view):
    # marked even though the audio confirmed it (91%): the reader sees the term pass's work
    assert _dotted(view, 0) == [("clindamycin", UNCERTAIN[theme.current().name])]
    assert _hover(view, 0) == ("Scribe heard “cleaned my sin” and corrected it by sound to "
                               "“clindamycin” (91% sure).")
    assert view.item(0).toolTip() == ("Dotted words: Scribe is unsure of them or corrected them "
                                      "by sound — “clindamycin” (corrected by sound from "
                                      "“cleaned my sin”)")


def test_a_word_that_may_be_another_term_says_which(view):
    assert [t for t, _ in _dotted(view, 1)] == ["creature"]
    assert _hover(view, 1) == ("Scribe heard “creature” (62% sure), unsure: “Crestor”? Listen to "
                               "the line to check it.")
    assert "“creature” (or “Crestor”?)" in view.item(1).toolTip()


def test_an_unsure_word_still_says_how_sure_and_a_plain_line_has_no_mark(view):
    assert [t for t, _ in _dotted(view, 2)] == ["40"]
    assert _hover(view, 2) == "Scribe is unsure of “40”: 31% sure. Listen to the line to check it."
    assert _dotted(view, 3) == [] and not view.item(3).toolTip()


def test_the_legend_explains_both_marks_and_shows_for_a_correction_alone(view):
    assert view.legend_shown
    assert "unsure of or corrected by sound" in view.legend.text()
    view.set_transcript(Transcript(VISIT.segments[:1]))  # one confident correction only
    assert view.legend_shown
    view.set_transcript(Transcript(VISIT.segments[3:]))
    assert not view.legend_shown
