"""Helpers shared by the CLI subcommands: open the workspace, choose the engines, print JSON."""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from datetime import datetime
from typing import Any

from scribe import paths
from scribe.domain import Identity
from scribe.errors import InputError
from scribe.store.store import Store
from scribe.visit.engines import LANGUAGES, Engines, language_code
from scribe.visit.recover import interrupted_count
from scribe.visit.retry import fail_abandoned
from scribe.visit.server import NOT_CONFIGURED
from scribe.visit.workspace import Workspace


def open_workspace(remind_recover: bool = True) -> Workspace:
    """The encrypted workspace, unlocked with SCRIBE_PASSPHRASE or a typed passphrase; every
    command's sign-in is audited under the clinician's name."""
    ws = Workspace.open(actor="cli", record_sign_in=True)
    fail_abandoned(ws)  # a visit a dead process left Transcribing/Drafting becomes retryable
    if remind_recover:
        n = interrupted_count(ws)
        if n:
            print(f"scribe: {n} recording(s) were interrupted by a crash; run 'scribe recover' to "
                  "keep them as visits.", file=sys.stderr)
    return ws


def open_store(remind_recover: bool = True) -> Store:
    """The workspace's store, for commands that read or sign and touch no audio."""
    return open_workspace(remind_recover).store


def add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default=None,
                   help="speech model id or folder (default: the setting, else base; tiny.en is "
                        "the fast mode)")
    p.add_argument("--fast", action="store_true", help="use the fast model (tiny.en)")
    p.add_argument("--compute", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where the speech model runs (default: GPU when available)")


def add_language_args(p: argparse.ArgumentParser) -> None:
    """The visit's language, and whether a visit in another language is drafted in English."""
    p.add_argument("--language", default=None, metavar="CODE",
                   help="the language the visit is spoken in: auto (detected) or a code: "
                        f"{', '.join(LANGUAGES)} (default: the record panel's last choice, "
                        "else en)")
    p.add_argument("--translate", action=argparse.BooleanOptionalAction, default=None,
                   help="draft a visit in another language in English from Whisper's "
                        "translation, keeping the words as spoken too (default: the setting, "
                        "on)")


def add_server_args(p: argparse.ArgumentParser) -> None:
    g = p.add_mutually_exclusive_group()
    g.add_argument("--server", action="store_true",
                   help="use the clinic server IT configured (an error when there is none); "
                        "the default when one is configured")
    g.add_argument("--local", action="store_true",
                   help="run everything on this workstation, even with a clinic server")


def engines_from(args: argparse.Namespace, ws: Workspace | None = None) -> Engines:
    """The engines the command's options choose; the clinician's settings fill the rest.

    Without a workspace (``scribe transcribe`` opens none): no voice print and no settings.
    """
    model = "tiny.en" if getattr(args, "fast", False) else getattr(args, "model", None)
    engine = getattr(args, "engine", None)
    device = getattr(args, "compute", "auto")
    label = not getattr(args, "no_speakers", False)
    language = getattr(args, "language", None)
    translate = getattr(args, "translate", None)
    if ws is not None:
        use_server = not getattr(args, "local", False)
        engines = ws.engines(model=model, engine=engine, device=device, label_speakers=label,
                             use_server=use_server, language=language, translate=translate)
        if getattr(args, "server", False) and engines.server is None:
            raise InputError(NOT_CONFIGURED)
        return engines.with_(on_notice=lambda text: print(f"scribe: {text}", file=sys.stderr))
    return Engines(model=model or "base", device=device, engine=engine or "offline",
                   models_root=paths.models_dir(), templates_dir=paths.templates_dir(),
                   label_speakers=label,
                   language=language_code(language) if language is not None else "en",
                   translate=bool(translate))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")


def add_identity_args(p: argparse.ArgumentParser) -> None:
    """The patient's identity (optional, but asked for: it is on every export)."""
    p.add_argument("--patient", default="", metavar="NAME", help="the patient's name")
    p.add_argument("--dob", default="", metavar="YYYY-MM-DD", help="the patient's date of birth")
    p.add_argument("--mrn", default="", help="the patient's medical record number")
    p.add_argument("--visit-type", default="", help="e.g. office visit, telehealth, new patient")
    p.add_argument("--visit-time", default="", metavar="YYYY-MM-DDTHH:MM",
                   help="when the visit took place, local time (default: when it was stored)")


def identity_from(args: argparse.Namespace, base: Identity | None = None) -> Identity | None:
    """The identity typed on the command line (over ``base``), or None when nothing was."""
    given = {k: getattr(args, a) for k, a in (("patient_name", "patient"), ("birth_date", "dob"),
                                               ("mrn", "mrn"), ("visit_type", "visit_type"))
             if getattr(args, a, "")}
    if getattr(args, "visit_time", ""):
        try:
            given["encounter_at"] = datetime.fromisoformat(args.visit_time).astimezone()
        except ValueError:
            raise InputError("The visit time must be written as YYYY-MM-DDTHH:MM (for example "
                             "2026-03-31T14:30).") from None
    if not given:
        return None
    return replace(base or Identity(), **given)
