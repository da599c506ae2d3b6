"""``python -m bench NAME [ARGS…]``: run one benchmark (each prints a table and a last line).

The benchmarks live in the repository only (they read ../shared/data and tests/data); ``scribe
bench NAME`` is a shim that runs this from the checkout.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def names() -> list[str]:
    here = Path(__file__).parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)])
                  if not m.name.startswith("_"))


def main(argv: list[str]) -> int:
    available = names()
    if not argv or argv[0] not in available:
        wanted = f"Unknown benchmark '{argv[0]}'. " if argv else ""
        print(f"scribe bench: {wanted}Available: {', '.join(available)}.", file=sys.stderr)
        return 2
    module = importlib.import_module(f"bench.{argv[0]}")
    return int(module.main(argv[1:]) or 0)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
