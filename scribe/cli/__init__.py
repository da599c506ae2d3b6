"""``scribe``: the same pipeline as the app, headless. Every error is one line on stderr.

Subcommands live in ``scribe/cli/cmd_*.py``; each module has ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys

from scribe import __version__
from scribe.errors import Cancelled, ScribeError
from scribe.logs import setup_logging

log = logging.getLogger("scribe.cli")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="scribe", description="Scribe: offline ambient clinical scribe (command line)."
    )
    parser.add_argument("--version", action="version", version=f"scribe {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    pkg = importlib.import_module(__name__)
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            importlib.import_module(f"{__name__}.{info.name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except Cancelled:
        print("scribe: cancelled.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("scribe: interrupted.", file=sys.stderr)
        return 130
    except ScribeError as e:
        print(f"scribe: {e.message}", file=sys.stderr)
        return 1
    except Exception as e:  # last resort: never a traceback, never patient text, on stderr
        log.error("unexpected %s in command %s", type(e).__name__, args.command, exc_info=False)
        print(
            f"scribe: unexpected internal error ({type(e).__name__}); see the log in the data "
            "folder and report it.",
            file=sys.stderr,
        )
        return 2


if __name__ == "__main__":
    sys.exit(main())
