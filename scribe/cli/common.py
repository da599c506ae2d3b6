"""Helpers shared by the CLI subcommands: open the workspace, choose the engines, print JSON."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scribe import paths
from scribe.store.store import Store
from scribe.visit.engines import Engines
from scribe.visit.recover import interrupted_count
from scribe.visit.retry import fail_abandoned
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


def engines_from(args: argparse.Namespace, ws: Workspace | None = None) -> Engines:
    """The engines the command's options choose; the clinician's settings fill the rest.

    Without a workspace (``scribe transcribe`` opens none): no voice print and no settings.
    """
    model = "tiny.en" if getattr(args, "fast", False) else getattr(args, "model", None)
    engine = getattr(args, "engine", None)
    device = getattr(args, "compute", "auto")
    label = not getattr(args, "no_speakers", False)
    if ws is not None:
        return ws.engines(model=model, engine=engine, device=device, label_speakers=label)
    return Engines(model=model or "base", device=device, engine=engine or "offline",
                   models_root=paths.models_dir(), templates_dir=paths.templates_dir(),
                   label_speakers=label)


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
