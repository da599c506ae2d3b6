"""Note templates are data: JSON files with sections, their order and per-section instructions.

Built-in templates ship in ``builtin_templates/``; a clinician's own live in ``<data dir>/templates/``
and override a built-in of the same id.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from scribe.errors import ScribeError

BUILTIN_DIR = Path(__file__).parent / "builtin_templates"


@dataclass(frozen=True)
class TemplateSection:
    key: str
    title: str
    instructions: str = ""


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    sections: tuple[TemplateSection, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, d: dict) -> Template:
        try:
            sections = tuple(
                TemplateSection(str(s["key"]), str(s["title"]), str(s.get("instructions", "")))
                for s in d["sections"]
            )
            return cls(id=str(d["id"]), name=str(d.get("name", d["id"])), sections=sections)
        except (KeyError, TypeError) as e:
            raise ScribeError(f"Template is missing a field: {e}.") from None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "name": self.name,
            "sections": [
                {"key": s.key, "title": s.title, "instructions": s.instructions}
                for s in self.sections
            ],
        }


def _load_dir(folder: Path) -> dict[str, Template]:
    out: dict[str, Template] = {}
    if not folder.is_dir():
        return out
    for f in sorted(folder.glob("*.json")):
        try:
            t = Template.from_dict(json.loads(f.read_text(encoding="utf-8")))
        except (OSError, ValueError, ScribeError):
            continue  # a broken user template must not stop the app; it is simply not offered
        out[t.id] = t
    return out


def available_templates(user_dir: Path | None = None) -> dict[str, Template]:
    templates = _load_dir(BUILTIN_DIR)
    if user_dir is not None:
        templates.update(_load_dir(user_dir))
    return templates


def load_template(template_id: str, user_dir: Path | None = None) -> Template:
    templates = available_templates(user_dir)
    if template_id not in templates:
        known = ", ".join(sorted(templates))
        raise ScribeError(f"Unknown note template '{template_id}'. Known templates: {known}.")
    return templates[template_id]


def save_user_template(template: Template, user_dir: Path) -> Path:
    user_dir.mkdir(parents=True, exist_ok=True)
    path = user_dir / f"{template.id}.json"
    path.write_text(json.dumps(template.to_dict(), indent=2), encoding="utf-8")
    return path
