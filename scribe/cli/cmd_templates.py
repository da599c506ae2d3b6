"""scribe templates list | learn FILE --name NAME: the note templates, and one made from an example.

Templates hold headings and instructions only, no patient data, so these commands open no
workspace and ask for no passphrase; the clinician's own live in the data folder's ``templates/``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from scribe import paths
from scribe.cli.common import print_json
from scribe.drafting.templates import (
    STANDARD_SECTIONS,
    Template,
    available_templates,
    from_example,
    save_user_template,
    template_problems,
)
from scribe.errors import InputError


def register(sub) -> None:
    p = sub.add_parser("templates", help="list the note templates, or learn one from an example")
    tsub = p.add_subparsers(dest="templates_command", metavar="ACTION")
    tsub.required = True
    ls = tsub.add_parser("list", help="the templates a visit can use, built-in and your own")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=run_list)
    learn = tsub.add_parser(
        "learn", help="make a template from an example note's headings (its text is not kept)"
    )
    learn.add_argument("file", type=Path, help="a text file with an example note")
    learn.add_argument("--name", required=True, help="the new template's name")
    learn.add_argument("--replace", action="store_true",
                       help="replace a template of yours with the same id")
    learn.add_argument("--json", action="store_true")
    learn.set_defaults(func=run_learn)


def _fed_by(template: Template) -> list[str]:
    """Each section's title, with the standard section that feeds it when the title differs."""
    out = []
    for s in template.sections:
        standard = STANDARD_SECTIONS.get(s.source)
        shown = s.title
        if standard is None:
            shown += " (its own section)"
        elif standard[0].lower() != s.title.lower():
            shown += f" ({standard[0].lower()})"
        if s.problem_oriented:
            shown += " [by problem]"
        out.append(shown)
    return out


def run_list(args) -> int:
    folder = paths.templates_dir()
    templates = available_templates(folder)
    for sentence in template_problems(folder):
        print(f"scribe: {sentence} It is not offered.", file=sys.stderr)
    if args.json:
        print_json([{**t.to_dict(), "yours": (folder / f"{t.id}.json").is_file()}
                    for t in templates.values()])
        return 0
    for t in sorted(templates.values(), key=lambda t: t.id):
        whose = "yours" if (folder / f"{t.id}.json").is_file() else "built-in"
        print(f"{t.id:<16} {t.name} ({whose})")
        print(f"{'':<16} {' · '.join(s.title for s in t.sections)}")
    return 0


def run_learn(args) -> int:
    try:
        text = args.file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{args.file.name} is not UTF-8 text; save the example note as "
                         "plain text.") from None
    except OSError:
        raise InputError(f"The example note {args.file.name} could not be read.") from None
    template = from_example(text, args.name)
    folder = paths.templates_dir()
    if not args.replace:
        if (folder / f"{template.id}.json").is_file():
            raise InputError(f"You already have a template '{template.id}'; choose another "
                             "--name, or add --replace to replace it.")
        if template.id in available_templates():
            raise InputError(f"'{template.id}' is a built-in template; choose another --name, "
                             "or add --replace to use yours in its place.")
    path = save_user_template(template, folder)
    if args.json:
        print_json({**template.to_dict(), "path": str(path)})
        return 0
    print(f"Saved template '{template.id}' ({template.name}) with {len(template.sections)} "
          f"sections, from the example's headings only:")
    for n, shown in enumerate(_fed_by(template), start=1):
        print(f"  {n}. {shown}")
    return 0
