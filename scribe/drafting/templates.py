"""Note templates are data: JSON files with sections, their order and per-section instructions.

Built-in templates ship in ``builtin_templates/``; a clinician's own live in ``<data dir>/templates/``
and override a built-in of the same id. A section may say how it is written (``"style":
"problems"``: one heading per problem, then its lines) and which standard section feeds it
(``"maps_to": "physical_examination"`` for a specialty "Musculoskeletal exam"). A template can also
be learned from an example note the clinician pastes (:func:`from_example`): only its headings and
their order are kept, never the note's text.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scribe.drafting.template_headings import example_headings
from scribe.errors import InputError, ScribeError

BUILTIN_DIR = Path(__file__).parent / "builtin_templates"

PROSE, PROBLEMS = "prose", "problems"
STYLES = (PROSE, PROBLEMS)

# The standard sections a heading can map to: key → (title, instructions). The offline drafter
# fills a section by its key (or, for a clinic's own key, by ``maps_to`` and the title's words).
STANDARD_SECTIONS: dict[str, tuple[str, str]] = {
    "chief_complaint": ("Chief complaint", "The reason for the visit in a few words."),
    "history_of_present_illness": (
        "History of present illness",
        "Onset, duration, character and course of the complaint, and what was tried.",
    ),
    "interval_history": (
        "Interval history",
        "What changed since the last visit: symptoms, response to treatment, adherence.",
    ),
    "subjective": (
        "Subjective",
        "Chief complaint, history of present illness, symptoms asked about, medications, "
        "allergies and relevant history as told by the patient.",
    ),
    "review_of_systems": (
        "Review of systems", "Symptoms asked about by system, each as endorsed or denied."
    ),
    "past_medical_history": ("Past medical history", "Past illnesses and chronic conditions."),
    "past_surgical_history": ("Past surgical history", "Past operations and procedures."),
    "medications": (
        "Medications", "Current medications with dose, route, frequency and status."
    ),
    "allergies": ("Allergies", "Drug allergies with the reaction, or no known drug allergies."),
    "social_history": ("Social history", "Tobacco, alcohol, drugs, work, living situation."),
    "family_history": ("Family history", "Conditions in the patient's family."),
    "vital_signs": ("Vital signs", "Vital signs stated at the visit."),
    "physical_examination": (
        "Physical examination", "Vital signs and examination findings stated by the clinician."
    ),
    "objective": (
        "Objective", "Vital signs, examination findings and results stated at this visit."
    ),
    "results": (
        "Results", "Laboratory, imaging and other test results discussed at the visit."
    ),
    "assessment": ("Assessment", "The clinician's impression and diagnoses, by problem."),
    "plan": ("Plan", "Treatment, prescriptions with dose, tests, referrals, follow-up."),
    "assessment_and_plan": (
        "Assessment and plan",
        "Each problem with the clinician's impression, then treatment, prescriptions with dose, "
        "tests ordered, referrals and follow-up.",
    ),
}
# Sections written one heading per problem unless a template says otherwise.
PROBLEM_KEYS = frozenset({"assessment", "plan", "assessment_and_plan"})

_TEMPLATE_FIELDS = ("id", "name", "sections")
_SECTION_FIELDS = ("key", "title", "instructions", "style", "maps_to")


class TemplateError(ScribeError):
    """A template file that cannot be used, said in one sentence naming the file."""


@dataclass(frozen=True)
class TemplateSection:
    key: str
    title: str
    instructions: str = ""
    style: str = PROSE
    maps_to: str = ""

    @property
    def source(self) -> str:
        """The standard section key that feeds this section (its own key when none is named)."""
        return self.maps_to or self.key

    @property
    def problem_oriented(self) -> bool:
        return self.style == PROBLEMS


@dataclass(frozen=True)
class Template:
    id: str
    name: str
    sections: tuple[TemplateSection, ...] = field(default_factory=tuple)

    @classmethod
    def from_dict(cls, d: Any, source: str = "") -> Template:
        """The template a JSON object describes; ``source`` (a file name) goes in the sentence
        a bad field or value raises (:class:`TemplateError`)."""
        where = f"The note template {source}" if source else "The note template"
        if not isinstance(d, dict):
            raise TemplateError(f"{where} is not a JSON object with an id and sections.")
        _no_unknown(d, _TEMPLATE_FIELDS, where)
        tid, name, raw = d.get("id"), d.get("name", d.get("id")), d.get("sections")
        if not isinstance(tid, str) or not tid.strip():
            raise TemplateError(f"{where} needs an \"id\" that is a word, such as \"soap\".")
        if not isinstance(name, str):
            raise TemplateError(f"{where} has a \"name\" that is not text.")
        if not isinstance(raw, list) or not raw:
            raise TemplateError(f"{where} needs a list of \"sections\", at least one.")
        sections: list[TemplateSection] = []
        for n, s in enumerate(raw, start=1):
            sections.append(_section(s, f"{where}, section {n},"))
        keys = [s.key for s in sections]
        twice = next((k for k in keys if keys.count(k) > 1), None)
        if twice is not None:
            raise TemplateError(f"{where} uses the section key \"{twice}\" more than once.")
        return cls(id=tid.strip(), name=name.strip() or tid.strip(), sections=tuple(sections))

    def to_dict(self) -> dict:
        """JSON-ready; fields at their defaults are left out, so old files keep their shape."""
        out = []
        for s in self.sections:
            d = {"key": s.key, "title": s.title, "instructions": s.instructions}
            if s.style != _default_style(s.key, s.maps_to):
                d["style"] = s.style
            if s.maps_to:
                d["maps_to"] = s.maps_to
            out.append(d)
        return {"id": self.id, "name": self.name, "sections": out}


def _default_style(key: str, maps_to: str) -> str:
    """Assessment and plan sections are problem-oriented unless a template says otherwise."""
    return PROBLEMS if key in PROBLEM_KEYS or maps_to in PROBLEM_KEYS else PROSE


def _no_unknown(d: dict, allowed: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(k) for k in d if k not in allowed)
    if unknown:
        raise TemplateError(f"{where} has an unknown field \"{unknown[0]}\" (known: "
                            f"{', '.join(allowed)}).")


def _section(s: Any, where: str) -> TemplateSection:
    if not isinstance(s, dict):
        raise TemplateError(f"{where} is not a JSON object with a key and a title.")
    _no_unknown(s, _SECTION_FIELDS, where)
    key, title = s.get("key"), s.get("title")
    instructions, style, maps_to = s.get("instructions", ""), s.get("style"), s.get("maps_to", "")
    if not isinstance(key, str) or not key.strip():
        raise TemplateError(f"{where} needs a \"key\", a word such as \"plan\".")
    if not isinstance(title, str) or not title.strip():
        raise TemplateError(f"{where} needs a \"title\", the heading the note shows.")
    if not isinstance(instructions, str):
        raise TemplateError(f"{where} has \"instructions\" that are not text.")
    if style is None:
        style = _default_style(key, maps_to)
    if style not in STYLES:
        raise TemplateError(f"{where} has the style \"{style}\"; a style is \"prose\" or "
                            "\"problems\".")
    if maps_to and maps_to not in STANDARD_SECTIONS:
        raise TemplateError(f"{where} maps to \"{maps_to}\", which is not a standard section "
                            f"(known: {', '.join(STANDARD_SECTIONS)}).")
    return TemplateSection(key.strip(), title.strip(), instructions, style, maps_to)


def read_template(path: Path) -> Template:
    """The template in one JSON file; a file that cannot be used raises one sentence naming it."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise TemplateError(f"The note template {path.name} is not UTF-8 text.") from None
    except json.JSONDecodeError as e:
        raise TemplateError(f"The note template {path.name} is not valid JSON (line {e.lineno}, "
                            f"column {e.colno}).") from None
    except OSError:
        raise TemplateError(f"The note template {path.name} could not be read.") from None
    return Template.from_dict(data, path.name)


def _load_dir(folder: Path) -> tuple[dict[str, Template], dict[str, str]]:
    """(templates by id, the sentence for each file that could not be used, by file stem)."""
    out: dict[str, Template] = {}
    problems: dict[str, str] = {}
    if not folder.is_dir():
        return out, problems
    for f in sorted(folder.glob("*.json")):
        try:
            t = read_template(f)
        except ScribeError as e:
            problems[f.stem] = e.message  # a broken file must not stop the app: not offered
            continue
        out[t.id] = t
    return out, problems


def available_templates(user_dir: Path | None = None) -> dict[str, Template]:
    templates = _load_dir(BUILTIN_DIR)[0]
    if user_dir is not None:
        templates.update(_load_dir(user_dir)[0])
    return templates


def template_problems(user_dir: Path | None) -> list[str]:
    """One sentence for each of the user's template files that cannot be used."""
    return [] if user_dir is None else list(_load_dir(user_dir)[1].values())


def load_template(template_id: str, user_dir: Path | None = None) -> Template:
    templates = available_templates(user_dir)
    if template_id not in templates:
        broken = _load_dir(user_dir)[1] if user_dir is not None else {}
        if template_id in broken:
            raise TemplateError(broken[template_id])
        known = ", ".join(sorted(templates))
        raise ScribeError(f"Unknown note template '{template_id}'. Known templates: {known}.")
    return templates[template_id]


def save_user_template(template: Template, user_dir: Path) -> Path:
    user_dir.mkdir(parents=True, exist_ok=True)
    path = user_dir / f"{template.id}.json"
    path.write_text(json.dumps(template.to_dict(), indent=2), encoding="utf-8")
    return path


def slug(text: str) -> str:
    """A key or id made of a heading or name: "Musculoskeletal exam" → "musculoskeletal_exam"."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_") or "section"


def unique_id(base: str, taken: set[str] | dict[str, Any]) -> str:
    """``base``, or ``base_2``, ``base_3``… the first that is not taken."""
    n, tid = 1, base
    while tid in taken:
        n += 1
        tid = f"{base}_{n}"
    return tid


def from_example(text: str, name: str) -> Template:
    """A template with the headings of an example note, in its order, each mapped to the standard
    section it names (an unknown heading is its own section). Only headings are kept: no text
    of the note's body, and no heading that could be the patient's (a problem under the
    Assessment, a name in capitals) goes into the template."""
    name = " ".join(name.split())
    if not name:
        raise InputError("Give the new template a name.")
    headings = example_headings(text)
    if not headings:
        raise InputError("No headings were found in the example note; put each heading on a "
                         "line of its own, such as \"HPI:\" or \"ASSESSMENT AND PLAN\".")
    sections: list[TemplateSection] = []
    used: set[str] = set()
    for h in headings:
        if h.key is not None:
            title, instructions = STANDARD_SECTIONS[h.key]
            shown = h.title if len(h.title) > 1 else title  # "S:" is the Subjective
            key, maps_to = (h.key, "") if h.key not in used else (unique_id(slug(shown), used),
                                                                  h.key)
        else:
            shown, key, maps_to = h.title, unique_id(slug(h.title), used), ""
            instructions = f"What the visit said about {h.title.lower()}."
        used.add(key)
        style = _default_style(key, maps_to)
        sections.append(TemplateSection(key, shown, instructions, style, maps_to))
    return Template(slug(name), name, tuple(sections))


__all__ = [
    "BUILTIN_DIR",
    "PROBLEMS",
    "PROSE",
    "STANDARD_SECTIONS",
    "STYLES",
    "Template",
    "TemplateError",
    "TemplateSection",
    "available_templates",
    "from_example",
    "load_template",
    "read_template",
    "save_user_template",
    "slug",
    "template_problems",
    "unique_id",
]
