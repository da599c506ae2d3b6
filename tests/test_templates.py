"""Templates are data: built-ins load, a user's own overrides them, a broken file is skipped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from scribe.drafting.templates import (
    Template,
    TemplateSection,
    available_templates,
    load_template,
    save_user_template,
)
from scribe.errors import ScribeError


def test_builtins_load_with_sections() -> None:
    templates = available_templates()
    assert {"soap", "hp", "progress"} <= set(templates)
    assert [s.key for s in templates["soap"].sections] == [
        "subjective",
        "objective",
        "assessment",
        "plan",
    ]
    assert [s.title.upper() for s in templates["hp"].sections] == [
        "CHIEF COMPLAINT",
        "HISTORY OF PRESENT ILLNESS",
        "REVIEW OF SYSTEMS",
        "PHYSICAL EXAMINATION",
        "RESULTS",
        "ASSESSMENT AND PLAN",
    ]
    for t in templates.values():
        assert all(s.instructions for s in t.sections), t.id


def test_user_template_overrides_builtin(tmp_path: Path) -> None:
    mine = Template(
        "soap",
        "My SOAP",
        (TemplateSection("subjective", "Story"), TemplateSection("plan", "What we do")),
    )
    save_user_template(mine, tmp_path)
    loaded = load_template("soap", tmp_path)
    assert loaded.name == "My SOAP"
    assert [s.title for s in loaded.sections] == ["Story", "What we do"]
    assert load_template("soap").name == "SOAP note"  # built-in untouched


def test_user_can_add_a_new_template(tmp_path: Path) -> None:
    (tmp_path / "derm.json").write_text(
        json.dumps(
            {"id": "derm", "name": "Derm", "sections": [{"key": "lesion", "title": "Lesion"}]}
        )
    )
    assert load_template("derm", tmp_path).sections[0].title == "Lesion"


@pytest.mark.parametrize(
    "content",
    [
        "{not json",
        json.dumps({"id": "bad"}),
        json.dumps({"id": "bad", "sections": [{"title": "x"}]}),
    ],
)
def test_broken_user_template_is_ignored(tmp_path: Path, content: str) -> None:
    (tmp_path / "bad.json").write_text(content)
    templates = available_templates(tmp_path)
    assert "bad" not in templates and "soap" in templates
    with pytest.raises(ScribeError):
        load_template("bad", tmp_path)
