"""Helpers shared by the CLI subcommands."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from scribe.paths import db_path
from scribe.speech.transcriber import Transcriber
from scribe.store.store import Store
from scribe.visit.pipeline import visit_options


def open_store(remind_recover: bool = True) -> Store:
    """The encrypted store, unlocked with SCRIBE_PASSPHRASE or a typed passphrase (issue 5)."""
    from scribe.store.secure import open_secure_store

    store = open_secure_store(db_path().parent, actor="cli").store
    if remind_recover:
        from scribe.visit.recover import interrupted_count

        n = interrupted_count(store)
        if n:
            print(f"scribe: {n} recording(s) were interrupted by a crash; run 'scribe recover' to "
                  "keep them as visits.", file=sys.stderr)
    return store


def add_model_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--model", default="base",
                   help="speech model id or folder (default: base; tiny.en is the fast mode)")
    p.add_argument("--fast", action="store_true", help="use the fast model (tiny.en)")
    p.add_argument("--compute", default="auto", choices=["auto", "cpu", "cuda"],
                   help="where the speech model runs (default: GPU when available)")


def transcriber_from(args: argparse.Namespace) -> Transcriber:
    model = "tiny.en" if getattr(args, "fast", False) else args.model
    return Transcriber(visit_options(model, args.compute))


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
