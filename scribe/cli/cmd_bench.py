"""scribe bench NAME [ARGS…]: runs ``python -m bench NAME`` from a source checkout.

The benchmarks live in the repository, not in the installed package; this shim finds the checkout
Scribe runs from and starts them there in a child process (nothing in ``scribe`` imports them).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import scribe
from scribe.errors import ScribeError


def register(sub) -> None:
    p = sub.add_parser("bench", help="run a benchmark from the checkout's bench/ (prints a table)")
    p.add_argument("name", help="benchmark name, e.g. visit, notes, live, transcribe, speakers")
    p.add_argument("rest", nargs="...", help="arguments for the benchmark")
    p.set_defaults(func=run)


def checkout() -> Path | None:
    """The source checkout this Scribe runs from (the folder holding bench/), if any."""
    root = Path(scribe.__file__).resolve().parents[1]
    return root if (root / "bench" / "__main__.py").is_file() else None


def run(args) -> int:
    root = checkout()
    if root is None:
        raise ScribeError("The benchmarks are not installed; run them from a source checkout.")
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(root), *filter(None, [env.get("PYTHONPATH")])])
    return subprocess.call([sys.executable, "-m", "bench", args.name, *args.rest], cwd=root,
                           env=env)
