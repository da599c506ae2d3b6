"""What the review screen shows about flags, with no workspace: the reason written under the
sentence, the colours' WCAG contrast, the panel's rows and count, the sign dialog's pre-ticked
checks, what an edit does to a flag, and the changes since the draft."""

from __future__ import annotations

import pytest
from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat

from scribe.domain import Flag, NoteDraft, Section, Sentence, Support
from ui import theme

DOSE = Flag("dose", "The transcript says 10 mg, the note says 20 mg.")
NUMBER = Flag("number", "The number 20 does not appear in the transcript.")


def _note(dose="Takes lisinopril 20 mg daily.", flags=(DOSE,), checked=False) -> NoteDraft:
    return NoteDraft([
        Section("Subjective", [Sentence("Reports cough for 4 days.", (1,)),
                               Sentence(dose, (2,), Support.PARTLY, flags, checked)]),
        Section("Objective", [Sentence("Lungs are clear.", (3,))]),
        Section("Plan", [Sentence("Follow up in one week.", (), Support.UNSUPPORTED,
                                  (Flag("unsupported", "No part of the transcript supports "
                                                       "this sentence."),))]),
    ])


THEMES = [theme.LIGHT, theme.DARK]


def wcag(fg: str, bg: str) -> float:
    """WCAG 2.x contrast ratio from relative luminance (sRGB), worked out here independently of
    ``ui.theme.contrast``."""

    def luminance(colour: str) -> float:
        rgb = [int(colour.lstrip("#")[i:i + 2], 16) / 255 for i in (0, 2, 4)]
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    hi, lo = sorted((luminance(fg), luminance(bg)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_the_measure_catches_the_old_amber_on_white():
    assert wcag("#ffe7a8", "#ffffff") == pytest.approx(1.22, abs=0.01)  # the 1.22:1
    assert wcag("#000000", "#ffffff") == pytest.approx(21.0)


def _pairs():
    from ui import changes_view, note_editor

    return {"flag": note_editor.FLAG_COLOURS, "checked": note_editor.CHECKED_COLOURS,
            "added": changes_view.ADDED, "removed": changes_view.REMOVED,
            "changed": changes_view.CHANGED}


@pytest.mark.parametrize("colours", THEMES, ids=lambda c: c.name)
def test_every_flag_and_change_mark_meets_wcag_aa_in_every_theme(colours):
    from ui import note_editor

    weak = {name: round(wcag(getattr(colours, fg), getattr(colours, bg)), 2)
            for name, (fg, bg) in _pairs().items()
            if wcag(getattr(colours, fg), getattr(colours, bg)) < 4.5}
    assert weak == {}
    underline = wcag(getattr(colours, note_editor.UNDERLINE), colours.flag_bg)
    assert underline >= 3.0  # a non-text mark


@pytest.fixture
def editor(qtbot):
    from ui.app import create_app
    from ui.note_editor import NoteEditor

    create_app([])
    ed = NoteEditor()
    qtbot.addWidget(ed)
    ed.resize(700, 500)
    ed.show()
    return ed


def test_the_reason_is_written_under_the_sentence_and_marked_without_colour(editor):
    note = _note()
    editor.set_note(note, note, read_only=False)
    subjective, objective, plan = editor.reason_labels
    assert subjective.isVisible()  # no hovering needed
    assert subjective.text() == "⚠ line 2: The transcript says 10 mg, the note says 20 mg."
    assert not objective.isVisible() and objective.text() == ""
    assert plan.text() == "⚠ line 1: No part of the transcript supports this sentence."
    ed = editor.editors[0]
    marks = ed.extraSelections()
    texts = [(m.cursor.selectedText(), m.format.underlineStyle()) for m in marks]
    assert ("Takes lisinopril 20 mg daily.", QTextCharFormat.UnderlineStyle.WaveUnderline) in texts
    # The margin beside the flagged line carries the band (and the ⚠); beside line 1, nothing.
    image = ed.margin.grab().toImage()

    def margin_at(line: int) -> QColor:
        rect = ed.cursorRect(QTextCursor(ed.document().findBlockByNumber(line)))
        return image.pixelColor(1, rect.center().y() + ed.viewport().y() - ed.margin.y())

    assert margin_at(1) == theme.current().qcolor("flag_bg")
    assert margin_at(0) != theme.current().qcolor("flag_bg")


def test_the_marks_follow_a_change_of_theme(editor):
    from PySide6.QtWidgets import QApplication

    note = _note()
    editor.set_note(note, note, read_only=False)
    try:
        theme.apply(QApplication.instance(), theme.DARK_NAME)
        bands = {m.format.background().color().name() for m in editor.editors[0].extraSelections()
                 if m.format.hasProperty(QTextFormat.Property.BackgroundBrush)}
        assert bands == {theme.DARK.flag_bg}
    finally:
        theme.apply(QApplication.instance(), theme.SYSTEM, 1.0)


def test_a_checked_flag_reads_checked(editor):
    note = _note(checked=True)
    editor.set_note(note, note, read_only=False)
    assert editor.reason_labels[0].text() == (
        "✓ line 2 checked: The transcript says 10 mg, the note says 20 mg.")


def test_the_panel_lists_each_flag_with_its_reason_and_counts_what_is_left(qtbot):
    from ui.app import create_app
    from ui.flags_panel import FlagsPanel, attention_items

    create_app([])
    panel = FlagsPanel([])
    qtbot.addWidget(panel)
    chosen = []
    panel.chosen.connect(lambda s, line: chosen.append((s, line)))
    note = _note(flags=(DOSE, NUMBER))
    panel.set_items(attention_items(note, note), signed=False)
    assert panel.title.text() == "⚠ 2 flags to resolve"
    assert panel.list.item(0).text() == (
        "⚠ Subjective, line 2 — “Takes lisinopril 20 mg daily.”\n"
        f"    {DOSE.message}\n    {NUMBER.message}")
    assert [a.position for a in panel.items] == [1, 3]
    panel.list.setCurrentRow(1)
    assert chosen == [(2, 0)]  # the note's cursor goes there

    checked = _note(flags=(DOSE, NUMBER), checked=True)
    panel.set_items(attention_items(checked, note), signed=False)
    assert panel.title.text() == "⚠ 1 flag to resolve"
    assert panel.list.item(0).text().startswith("✓ Checked · Subjective, line 2")
    panel.set_items([], signed=False)
    assert panel.title.text().startswith("✓ No flags")


def test_the_sign_dialog_ticks_what_was_checked_and_still_lists_it(qtbot):
    from ui.app import create_app
    from ui.sign_dialog import SignDialog

    create_app([])
    note = _note(checked=True)
    dialog = SignDialog(note, "Ada Lovelace", "MD")
    qtbot.addWidget(dialog)
    boxes = {pos: box for pos, box in dialog.flag_boxes}
    assert sorted(boxes) == [1, 3]
    assert boxes[1].isChecked() and "(checked in review)" in boxes[1].text()
    assert not boxes[3].isChecked()
    assert not dialog.sign_button.isEnabled()  # the unchecked one still needs a tick
    boxes[3].setChecked(True)
    assert dialog.sign_button.isEnabled() and dialog.acknowledged() == [1, 3]


def _checked_as(note: NoteDraft, dose_flags: tuple[Flag, ...]) -> NoteDraft:
    """``note`` as the fact checks would return it, with ``dose_flags`` on the dose sentence."""
    sections = [Section(s.title, list(s.sentences)) for s in note.sections]
    old = sections[0].sentences[1]
    sections[0].sentences[1] = Sentence(old.text, old.evidence, Support.SUPPORTED, dose_flags)
    return NoteDraft(sections)


def test_an_edit_resolves_a_flag_and_raises_what_contradicts_the_transcript():
    from scribe.note.editing import merge_checks

    draft = _note()
    fixed = _note("Takes lisinopril 10 mg daily.")
    merged = merge_checks(fixed, _checked_as(fixed, ()), draft)
    assert merged.sentences()[1].flags == ()  # the dose now agrees: the flag is gone
    wrong = _note("Takes lisinopril 30 mg daily.")
    merged = merge_checks(wrong, _checked_as(wrong, (Flag("dose", "30 mg, not 10 mg."),
                                                     NUMBER)), draft)
    assert [f.message for f in merged.sentences()[1].flags] == ["30 mg, not 10 mg.", NUMBER.message]
    back = merge_checks(_note(flags=()), _checked_as(_note(), ()), draft)
    assert back.sentences()[1].flags == (DOSE,)  # as drafted again: the draft's verdict


def test_checked_stays_only_while_its_flags_do():
    from scribe.note.editing import merge_checks

    draft = _note()
    typo = _note("Takes lisinopril 20 mg  daily, with food.", checked=True)
    kept = merge_checks(typo, _checked_as(typo, (DOSE,)), draft)
    assert kept.sentences()[1].checked
    other = merge_checks(typo, _checked_as(typo, (Flag("dose", "Another dose."),)), draft)
    assert not other.sentences()[1].checked


def test_changes_since_draft_marks_changed_added_and_removed(qtbot):
    from ui.app import create_app
    from ui.changes_view import ChangesView

    create_app([])
    view = ChangesView()
    qtbot.addWidget(view)
    draft = _note()
    now = NoteDraft([
        Section("Subjective", [Sentence("Reports cough for 4 days.", (1,)),
                               Sentence("Takes lisinopril 10 mg daily.", (2,)),
                               Sentence("Sleeps badly.")]),
        Section("Objective", []),
        Section("Plan", [Sentence("Follow up in one week.")]),
    ])
    view.show_changes(draft, now, signed=False)
    lines = [line.strip() for line in view.text.toPlainText().splitlines() if line.strip()]
    marked = list(zip(lines, lines[1:]))  # each mark, then its sentence
    assert ("✎ changed, was", "Takes lisinopril 20 mg daily.") in marked
    assert ("now", "Takes lisinopril 10 mg daily.") in marked
    assert ("+ added", "Sleeps badly.") in marked
    assert ("− removed", "Lungs are clear.") in marked
    assert ("SUBJECTIVE", "Reports cough for 4 days.") in marked  # unchanged, unmarked
    assert view.summary.text() == "1 changed, 1 added, 1 removed since the draft."
    view.show_changes(draft, draft, signed=True)
    assert view.summary.text() == "No changes: the note reads as the engine drafted it."
    assert view.title.text() == "The engine's draft against the signed note"
