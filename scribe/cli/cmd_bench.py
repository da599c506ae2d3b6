"""scribe bench NAME [ARGS…]: runs ``bench/NAME.py`` (each prints a table)."""

from __future__ import annotations

import importlib
import pkgutil

from scribe.errors import ScribeError


def register(sub) -> None:
    p = sub.add_parser("bench", help="run a benchmark from bench/ (prints a table)")
    p.add_argument("name", help="benchmark name, e.g. notes, live, transcribe, speakers")
    p.add_argument("rest", nargs="...", help="arguments for the benchmark")
    p.set_defaults(func=run)


def run(args) -> int:
    try:
        import bench
    except ImportError:
        raise ScribeError("The benchmarks are not installed; run from a source checkout.") from None
    names = sorted(m.name for m in pkgutil.iter_modules(bench.__path__) if not m.name.startswith("_"))
    if args.name not in names:
        raise ScribeError(f"Unknown benchmark '{args.name}'. Available: {', '.join(names)}.")
    module = importlib.import_module(f"bench.{args.name}")
    return int(module.main(list(args.rest)) or 0)
