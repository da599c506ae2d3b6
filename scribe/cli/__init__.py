"""``scribe``: the same pipeline as the app, headless. Every error is one line on stderr.

Subcommands live in ``scribe/cli/cmd_*.py``; each module has ``register(subparsers)``.
"""

from __future__ import annotations

import argparse
import errno
import importlib
import logging
import os
import pkgutil
import sys

from scribe import __version__, syscheck
from scribe.errors import Cancelled, ScribeError
from scribe.logs import setup_logging
from scribe.store.store import DISK_FULL, READ_ONLY

log = logging.getLogger("scribe.cli")

_DISK_SENTENCES = {
    errno.ENOSPC: DISK_FULL,
    getattr(errno, "EDQUOT", errno.ENOSPC): DISK_FULL,
    errno.EROFS: READ_ONLY,
}


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
    from scribe.paths import private_umask

    private_umask()  # first: every file and folder Scribe makes is private (0600/0700)
    setup_logging()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        for warning in syscheck.check_cli(args.command, os.environ):  # a missing system package
            print(f"scribe: {warning}", file=sys.stderr)
        code = int(args.func(args) or 0)
        sys.stdout.flush()  # a reader that went away is found here, not at interpreter exit
        return code
    except BrokenPipeError:  # `scribe show ID | head -1`: the reader has all it wanted
        _silence_stdout()
        return 141  # 128 + SIGPIPE, what a shell reports for a command cut off by its reader
    except Cancelled:
        print("scribe: cancelled.", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("scribe: interrupted.", file=sys.stderr)
        return 130
    except ScribeError as e:
        print(f"scribe: {e.message}", file=sys.stderr)
        return 1
    except OSError as e:  # a write that no layer mapped: still the true sentence for the disk
        sentence = _DISK_SENTENCES.get(e.errno or 0)
        if sentence is None:
            return _internal(e, args.command)
        log.error("%s in command %s", type(e).__name__, args.command)
        print(f"scribe: {sentence}", file=sys.stderr)
        return 1
    except Exception as e:  # last resort: never a traceback, never patient text, on stderr
        return _internal(e, args.command)


def _internal(e: Exception, command: str) -> int:
    log.error("unexpected %s in command %s", type(e).__name__, command, exc_info=False)
    print(
        f"scribe: unexpected internal error ({type(e).__name__}); see the log in the data "
        "folder and report it.",
        file=sys.stderr,
    )
    return 2


def _silence_stdout() -> None:
    """Point stdout at /dev/null so the flush at exit does not fail again on the closed pipe."""
    import os

    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # captured in-process (tests): nothing to do
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, fd)
    finally:
        os.close(devnull)


if __name__ == "__main__":
    sys.exit(main())
