"""scribe models list | import PATH [--id ID] | verify ID"""

from __future__ import annotations

from pathlib import Path

from models.catalog import all_entries
from models.store import ModelStore
from scribe.cli.common import print_json
from scribe.paths import models_dir
from scribe.speech.hardware import detect_device


def register(sub) -> None:
    p = sub.add_parser("models", help="list, import and verify models")
    msub = p.add_subparsers(dest="models_command", metavar="ACTION")
    msub.required = True
    lp = msub.add_parser("list", help="the catalog and what is installed")
    lp.add_argument("--json", action="store_true")
    lp.set_defaults(func=run_list)
    ip = msub.add_parser("import", help="verify a model folder and add it to the model store")
    ip.add_argument("path")
    ip.add_argument("--id", help="catalog id (default: the folder name)")
    ip.set_defaults(func=run_import)
    vp = msub.add_parser("verify", help="check an installed model's sha256 (installs a bundled one)")
    vp.add_argument("id")
    vp.set_defaults(func=run_verify)


def run_list(args) -> int:
    store = ModelStore(models_dir())
    installed = set(store.installed())
    rows = [
        {"id": e.id, "kind": e.kind, "name": e.name, "size_mb": e.size_mb, "licence": e.licence,
         "bundled": e.bundled, "installed": e.id in installed or e.bundled, "source": e.source}
        for e in all_entries()
    ]
    if args.json:
        print_json({"device": detect_device().description, "models": rows})
        return 0
    print(f"Hardware: {detect_device().description}")
    for r in rows:
        state = "bundled" if r["bundled"] else ("installed" if r["installed"] else "-")
        print(f"{r['id']:<20} {r['kind']:<4} {r['size_mb']:>6} MB  {r['licence']:<12} {state:<9} "
              f"{r['name']}")
    return 0


def run_import(args) -> int:
    model_id = ModelStore(models_dir()).import_folder(Path(args.path), args.id)
    print(f"Imported and verified model '{model_id}'.")
    return 0


def run_verify(args) -> int:
    path = ModelStore(models_dir()).path(args.id)
    print(f"Model '{args.id}' verified (sha256 OK) at {path}.")
    return 0
