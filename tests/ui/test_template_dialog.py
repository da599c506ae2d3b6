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
