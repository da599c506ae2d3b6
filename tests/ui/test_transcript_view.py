"""The transcript view as a clinician uses it: the "could not tell the voices apart" line and its
enrolment, marked low-confidence words, and the right-click fixes (one turn, every turn of a voice,
a named staff voice)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor
from PySide6.QtWidgets import QDialog

from scribe.domain import Segment, Transcript, Word
from ui import theme
from ui.transcript_view import (
    LINE_ROLE,
    NOT_TOLD_APART,
    UNCERTAIN,
    line_document,
)


def _words(text: str, start: float, probs: dict[str, float]) -> tuple[Word, ...]:
    out = []
    for i, token in enumerate(text.split()):
        out.append(Word(start + i * 0.4, start + i * 0.4 + 0.3, f" {token}",
                        probability=probs.get(token.strip(".,?"), 0.95)))
    return tuple(out)


def _visit(labelled: bool = True) -> Transcript:
    lines = [
        ("clinician", 0, "What brings you in today?", {}),
        ("patient", 1, "I take lisinopril ten milligrams daily.", {"lisinopril": 0.31}),
        ("clinician", 0, "Any allergies to medications?", {}),
        ("patient", 1, "Penicillin gives me a rash.", {"Penicillin": 0.42}),
    ]
    segs = []
    for i, (who, voice, text, probs) in enumerate(lines):
        words = tuple(replace(w, speaker=who if labelled else None)
                      for w in _words(text, i * 4.0, probs))
        segs.append(Segment(i, i * 4.0, i * 4.0 + 3.0, text, who if labelled else None, words,
                            voice=voice if labelled else None))
    return Transcript(tuple(segs))


@pytest.fixture
def view(transcript_view):
    return transcript_view


def _menu(view, row, title):
    menu = view.speaker_menu(view.item(row))
    return next(a for a in menu.actions() if a.text() == title).menu()


def test_the_view_says_when_the_voices_could_not_be_told_apart_and_offers_enrolment(view, qtbot):
    view.set_transcript(_visit(labelled=False))
    assert view.notice_shown and view.notice_text.text() == NOT_TOLD_APART
    # The line sits above the transcript: the first line starts below it.
    assert view.notice.isVisible() and view.visualItemRect(view.item(0)).top() >= 0
    assert view.viewport().geometry().top() >= view.notice.geometry().bottom()
    with qtbot.waitSignal(view.enrol_requested, timeout=1000):
        view.enrol_btn.click()
    view.set_transcript(_visit(labelled=True))
    assert not view.notice_shown
    assert view.viewport().geometry().top() < view.notice.height() + view.legend.height() + 20
    view.set_transcript(None)
    assert not view.notice_shown


def test_enrol_my_voice_opens_the_enrolment_reading(qtbot, workspace):
    from ui.enrol_panel import EnrolDialog

    dialog = EnrolDialog(workspace)
    qtbot.addWidget(dialog)
    dialog.show()
    assert dialog.windowTitle() == "Enrol my voice"
    assert "Good morning, I am your doctor today" in " ".join(
        lab.text() for lab in dialog.panel.findChildren(type(dialog.panel.status)))
    assert dialog.panel.start_btn.isEnabled() and dialog.panel.status.text() == "Not enrolled yet."
    staff = EnrolDialog(workspace, staff=True)
    qtbot.addWidget(staff)
    staff.panel.start()  # no name yet: nothing is recorded
    assert staff.panel.recorder is None and "name" in staff.panel.status.text()


def _formats(doc) -> list[tuple[str, QTextCharFormat]]:
    out = []
    block = doc.begin()
    while block.isValid():
        it = block.begin()
        while not it.atEnd():
            frag = it.fragment()
            out.append((frag.text(), frag.charFormat()))
            it += 1
        block = block.next()
    return out


def test_low_confidence_words_are_marked_with_their_probability(view):
    view.set_transcript(_visit())
    seg = view.item(1).data(LINE_ROLE)
    doc, marks = line_document(seg, view.font(), 400)
    frags = _formats(doc)
    dotted = [t for t, f in frags if f.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine]
    assert dotted == ["lisinopril"]
    colour = next(f.foreground().color().name() for t, f in frags if t == "lisinopril")
    assert colour == UNCERTAIN[theme.current().name]
    assert doc.toPlainText() == "[00:04] PATIENT: I take lisinopril ten milligrams daily."
    assert [(m.word, m.probability) for m in marks] == [("lisinopril", 0.31)]
    # Hovering the word says how sure Scribe was; hovering another word does not.
    rect = view.visualItemRect(view.item(1))
    cursor = QTextCursor(doc)
    cursor.setPosition(marks[0].start + 2)
    at = doc.documentLayout().blockBoundingRect(cursor.block()).topLeft()
    line = cursor.block().layout().lineForTextPosition(cursor.positionInBlock())
    x = line.cursorToX(cursor.positionInBlock())[0]
    pos = rect.topLeft() + QPoint(4 + int(x), 4 + int(at.y() + line.y() + line.height() / 2))
    assert "31% sure" in view.tooltip_at(pos) and "lisinopril" in view.tooltip_at(pos)
    assert "sure." not in view.tooltip_at(rect.topLeft() + QPoint(6, 6))
    # The legend explains the mark, only when the transcript has such words.
    assert view.legend_shown and "unsure" in view.legend.text()
    plain = Transcript(tuple(replace(s, words=tuple(replace(w, probability=0.9) for w in s.words))
                             for s in _visit().segments))
    view.set_transcript(plain)
    assert not view.legend_shown


def test_a_short_uncertain_word_is_marked_where_it_was_said(view):
    seg = Segment(0, 0.0, 2.0, "What brings you in today?",
                  words=_words("What brings you in today?", 0.0, {"in": 0.2}))
    frags = _formats(line_document(seg, view.font(), 400)[0])
    texts = [t for t, _ in frags]
    dotted = [i for i, (_, f) in enumerate(frags)
              if f.underlineStyle() == QTextCharFormat.UnderlineStyle.DotLine]
    assert [texts[i] for i in dotted] == ["in"] and texts[dotted[0] - 1].endswith("brings you ")


@pytest.mark.parametrize("colours", [theme.LIGHT, theme.DARK], ids=["light", "dark"])
def test_the_mark_is_readable_and_unlike_the_speakers(colours):
    mark = UNCERTAIN[colours.name]
    for bg in (colours.base, colours.evidence_bg):
        assert theme.contrast(mark, bg) >= 4.5
    # Not one of the speaker colours: a hue of its own (the grey "other" has none).
    hue = QColor(mark).hslHueF() * 360
    for speaker in (colours.speaker_clinician, colours.speaker_patient, colours.speaker_other):
        c = QColor(speaker)
        if c.hslSaturationF() > 0.2:
            assert min(abs(hue - c.hslHueF() * 360), 360 - abs(hue - c.hslHueF() * 360)) >= 45


def test_one_click_fixes_a_turn_or_every_turn_of_its_voice(view, qtbot):
    view.set_transcript(_visit())
    with qtbot.waitSignal(view.speaker_chosen) as one:
        next(a for a in _menu(view, 1, "Speaker").actions() if a.text() == "Other").trigger()
    assert one.args == [1, "other"]
    every = _menu(view, 1, "Every turn of this voice")
    assert every.isEnabled()
    with qtbot.waitSignal(view.voice_chosen) as all_turns:
        next(a for a in every.actions() if a.text() == "Clinician (every turn)").trigger()
    assert all_turns.args == [1, "clinician"]
    # No voice kept for the turn (voices not told apart): only the turn itself can be fixed.
    view.set_transcript(_visit(labelled=False))
    assert not _menu(view, 1, "Every turn of this voice").isEnabled()
    view.editable = False
    assert not _menu(view, 1, "Speaker").isEnabled()


def test_this_voice_is_a_named_staff_member(view, qtbot):
    view.set_transcript(_visit())
    view.set_profiles([("other:Nurse Kim", "Nurse Kim")])
    named = _menu(view, 3, "This voice is")
    with qtbot.waitSignal(view.voice_chosen) as known:
        next(a for a in named.actions() if a.text() == "Nurse Kim").trigger()
    assert known.args == [3, "other:Nurse Kim"]

    def answer(dialog):
        dialog.name.setText("Ana")
        dialog.role.setCurrentIndex(dialog.role.findData("interpreter"))
        return QDialog.DialogCode.Accepted

    view.dialog_exec = answer
    with qtbot.waitSignal(view.voice_named) as new:
        next(a for a in _menu(view, 3, "This voice is").actions()
             if a.text() == "Someone new…").trigger()
    assert new.args == [3, "Ana", "interpreter"]
    # A named voice's turns read as that person.
    kim = Transcript((replace(_visit().segments[1], speaker="other:Nurse Kim"),))
    view.set_transcript(kim)
    assert view.item(0).text().startswith("[00:04] NURSE KIM: I take")
