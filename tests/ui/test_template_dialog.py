"""The clinician makes a template of their own, and the drafter fills its sections."""

from __future__ import annotations

from scribe.drafting import available_templates, get_drafter
from scribe.transcript_io import parse_text_transcript
from ui.template_dialog import TemplateDialog


def test_new_template_with_a_section_is_saved_and_drafts(qtbot, tmp_path):
    folder = tmp_path / "templates"
    dialog = TemplateDialog(folder)
    qtbot.addWidget(dialog)
    dialog.on_new()  # a copy of SOAP, as the clinician's own
    assert dialog.current is not None and dialog.current.id == "custom1"
    dialog.name.setText("Skin check")
    dialog.on_add()
    row = dialog.table.rowCount() - 1
    dialog.table.item(row, 0).setText("Lesion")
    dialog.table.item(row, 1).setText("Size, colour and site of each lesion.")
    dialog.table.setCurrentCell(row, 0)
    dialog.on_move(-1)
    dialog.on_save()
    assert "Saved" in dialog.status.text()

    template = available_templates(folder)["custom1"]
    assert template.name == "Skin check"
    titles = [s.title for s in template.sections]
    assert titles[-2] == "Lesion" and titles[0] == "Subjective"

    transcript = parse_text_transcript(
        "[doctor] what brings you in today?\n"
        "[patient] i have a new mole on my left arm that has been growing.\n"
        "[doctor] the lesion on the left forearm is 6 millimeters and dark brown.\n"
    )
    note = get_drafter("offline").draft(transcript, template)
    assert [s.title for s in note.sections] == titles


def test_a_section_without_a_title_is_refused_with_a_sentence(qtbot, tmp_path):
    dialog = TemplateDialog(tmp_path / "templates")
    qtbot.addWidget(dialog)
    dialog.on_add()
    dialog.table.item(dialog.table.rowCount() - 1, 0).setText("  ")
    dialog.on_save()
    assert "needs a title" in dialog.status.text()
    assert not (tmp_path / "templates" / "soap.json").exists()


def test_deleting_my_override_brings_the_builtin_back(qtbot, tmp_path):
    folder = tmp_path / "templates"
    dialog = TemplateDialog(folder)
    qtbot.addWidget(dialog)
    dialog.name.setText("My SOAP")
    dialog.on_save()
    assert available_templates(folder)["soap"].name == "My SOAP"
    dialog.reload("soap")
    dialog.on_delete()
    assert available_templates(folder)["soap"].name == "SOAP note"


EXAMPLE = """JANE DOE   DOB 03/14/1961

HPI:
Ms. Doe has had right knee pain for three weeks.
PHYSICAL EXAM
Right knee: small effusion.
ASSESSMENT AND PLAN
OSTEOARTHRITIS
Ibuprofen 400 mg three times daily.
Work status:
Light duty.
"""


def test_a_template_from_a_pasted_example_note_keeps_its_headings_only(qtbot, tmp_path):
    folder = tmp_path / "templates"
    dialog = TemplateDialog(folder)
    qtbot.addWidget(dialog)
    dialog.example_btn.click()
    pane = dialog.example_dialog
    assert pane is not None and pane.isVisible()
    pane.text.setPlainText(EXAMPLE)
    preview = [pane.preview.item(i).text() for i in range(pane.preview.count())]
    assert preview == [
        "HPI  —  History of present illness",
        "Physical exam  —  Physical examination",
        "Assessment and plan  —  Assessment and plan, by problem",
        "Work status  —  its own section",
    ]
    assert not pane.save_btn.isEnabled() and "name" in pane.status.text()
    pane.name.setText("Knee visit")
    assert pane.save_btn.isEnabled()
    with qtbot.waitSignal(pane.saved):
        pane.save_btn.click()

    assert dialog.current is not None and dialog.current.id == "knee_visit"
    assert dialog.list.currentItem().text() == "Knee visit (yours)"
    assert [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())] == [
        "HPI", "Physical exam", "Assessment and plan", "Work status"]
    assert "its text was not kept" in dialog.status.text()
    saved = (folder / "knee_visit.json").read_text(encoding="utf-8").lower()
    for private in ("jane", "doe", "1961", "osteoarthritis", "ibuprofen", "effusion", "light duty"):
        assert private not in saved, private

    note = get_drafter("offline").draft(parse_text_transcript(
        "[patient] my right knee has hurt for three weeks.\n"
        "[doctor] your right knee has a small effusion.\n"
        "[doctor] this is osteoarthritis of the right knee. take ibuprofen 400 milligrams"
        " three times a day.\n"), available_templates(folder)["knee_visit"])
    assert [s.title for s in note.sections] == [
        "HPI", "Physical exam", "Assessment and plan", "Work status"]
    assert note.text.endswith("WORK STATUS\nNot discussed.")


def test_an_example_without_headings_says_so_and_saves_nothing(qtbot, tmp_path):
    folder = tmp_path / "templates"
    dialog = TemplateDialog(folder)
    qtbot.addWidget(dialog)
    dialog.on_from_example()
    pane = dialog.example_dialog
    pane.name.setText("Mine")
    pane.text.setPlainText("She is well today and has no complaints.")
    assert pane.preview.count() == 0 and not pane.save_btn.isEnabled()
    assert pane.status.text().startswith("No headings were found")
    assert not folder.exists() or not list(folder.iterdir())


def test_editing_a_specialty_copy_keeps_what_feeds_each_section(qtbot, tmp_path):
    folder = tmp_path / "templates"
    dialog = TemplateDialog(folder)
    qtbot.addWidget(dialog)
    dialog.reload("ortho")
    assert dialog.table.item(2, 2).text() == "Physical examination"
    dialog.on_new()
    dialog.table.item(2, 0).setText("Knee exam")
    dialog.table.setCurrentCell(2, 0)
    dialog.on_move(1)
    dialog.on_save()
    saved = {s.title: s for s in available_templates(folder)[dialog.current.id].sections}
    assert saved["Knee exam"].source == "physical_examination"
    assert saved["Assessment and plan"].problem_oriented


def test_a_broken_template_file_is_named_in_the_dialog(qtbot, tmp_path):
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "derm.json").write_text('{"id": "derm", "sections": [{"key": "x", "title": "X", '
                                      '"colour": "red"}]}', encoding="utf-8")
    dialog = TemplateDialog(folder)
    qtbot.addWidget(dialog)
    assert dialog.problems.text().startswith("The note template derm.json, section 1, has an "
                                             "unknown field \"colour\"")
    assert "derm" not in {dialog.list.item(i).data(256).id for i in range(dialog.list.count())}
