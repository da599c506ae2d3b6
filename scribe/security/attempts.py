"""Sign-in protection: growing waits after wrong passphrases, and the failures kept for the audit.

``signin-attempts.json`` sits beside ``profile.json`` (mode 0600), so every new process (each CLI
command is one) sees the same count. After a wrong passphrase the next try must wait:

    failures 1-4: 0, 2, 4, 8 seconds; from the 5th: a lockout of 30 s, doubling, at most 15 min.

A right passphrase during a wait is refused too (otherwise the wait protects nothing). A success
resets the count; the failures themselves stay in the file until the next successful sign-in has
written them to the (encrypted, then unlocked) audit trail. No passphrase text is ever kept.

Tries are serialized by an exclusive lock on the file while the passphrase is checked, so parallel
tries (several processes at once) cannot skip the count. Someone who can delete this file can reset
the count: the wait slows guessing through Scribe; a copied ``profile.json`` is guarded only by
the cost of scrypt.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from scribe.errors import AuthError
from scribe.paths import write_private

__all__ = ["ATTEMPTS_FILE", "Attempts", "Failure", "LockedOut", "now", "wait_after"]

ATTEMPTS_FILE = "signin-attempts.json"
FREE_DELAYS = (0, 2, 4, 8)
"""Seconds to wait after the 1st..4th wrong passphrase in a row (a first typo costs nothing)."""
LOCKOUT_START = 30
LOCKOUT_CAP = 15 * 60
MAX_KEPT = 200
"""Failures kept for the audit between two sign-ins (beyond this only the count grows)."""

T = TypeVar("T")


def now() -> float:
    """The clock (seconds since the epoch); tests replace it."""
    return time.time()


def wait_after(failures: int) -> int:
    """Seconds the next try must wait after ``failures`` wrong passphrases in a row."""
    if failures <= 0:
        return 0
    if failures <= len(FREE_DELAYS):
        return FREE_DELAYS[failures - 1]
    return min(LOCKOUT_START * 2 ** (failures - len(FREE_DELAYS) - 1), LOCKOUT_CAP)


def _human(seconds: float) -> str:
    s = max(1, int(seconds + 0.999))
    if s < 60:
        return f"{s} second{'s' if s != 1 else ''}"
    m = (s + 59) // 60
    return f"{m} minute{'s' if m != 1 else ''}"


class LockedOut(AuthError):
    """A try came before the wait after earlier wrong passphrases was over."""


@dataclass(frozen=True)
class Failure:
    at: str  # ISO time, UTC
    how: str  # "sign-in", "lock screen", "signature", "passphrase change"


class Attempts:
    """The attempts file of one data folder."""

    def __init__(self, home: Path) -> None:
        self.path = Path(home) / ATTEMPTS_FILE

    # --- the file -----------------------------------------------------------------------------
    def _read(self) -> dict[str, Any]:
        try:
            d = json.loads(self.path.read_text(encoding="utf-8"))
            if isinstance(d, dict):
                return d
        except FileNotFoundError:
            return {}
        except (OSError, ValueError):
            pass
        # A damaged file must not become a free reset: it counts as a lockout from its last change.
        try:
            last = self.path.stat().st_mtime
        except OSError:
            last = now()
        return {"failures": len(FREE_DELAYS) + 1, "last": last, "log": [], "dropped": 1}

    def _write(self, d: dict[str, Any]) -> None:
        write_private(self.path, json.dumps(d))

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        """Hold an exclusive lock (POSIX) while a try is checked and counted."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock = self.path.with_name(self.path.name + ".lock")
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                import fcntl
            except ImportError:  # Windows: no lock, the count still holds for one process
                fcntl = None  # type: ignore[assignment]
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)

    # --- what callers use ---------------------------------------------------------------------
    def remaining(self) -> float:
        """Seconds until the next try is allowed (0 when it is)."""
        d = self._read()
        return max(0.0, float(d.get("last", 0)) + wait_after(int(d.get("failures", 0))) - now())

    def check(self) -> None:
        """LockedOut (one sentence saying how long to wait) while a wait is running."""
        left = self.remaining()
        if left > 0:
            many = int(self._read().get("failures", 0)) > len(FREE_DELAYS)
            lead = "Too many wrong passphrases" if many else "A wrong passphrase was just typed"
            raise LockedOut(f"{lead}; wait {_human(left)} and try again.")

    def guard(self, how: str, attempt: Callable[[], T | None],
              wrong: str = "The passphrase is wrong") -> T:
        """Run ``attempt`` (None for a wrong passphrase) under the wait rules.

        A wrong passphrase is counted (with ``how`` and the time, never the text) and raises
        AuthError("<wrong>; wait N seconds before trying again."); a right one resets the count.
        """
        with self._locked():
            self.check()
            result = attempt()
            if result is None:
                self.failed(how)
                wait = wait_after(int(self._read().get("failures", 0)))
                raise AuthError(f"{wrong}; wait {_human(wait)} before trying again." if wait
                                else f"{wrong}; try again.")
            self.succeeded()
            return result

    def failed(self, how: str) -> None:
        d = self._read()
        d["failures"] = int(d.get("failures", 0)) + 1
        d["last"] = now()
        log = list(d.get("log", []))
        if len(log) < MAX_KEPT:
            log.append({"at": datetime.fromtimestamp(now(), UTC).isoformat(timespec="seconds"),
                        "how": how})
        else:
            d["dropped"] = int(d.get("dropped", 0)) + 1
        d["log"] = log
        self._write(d)

    def succeeded(self) -> None:
        """Reset the wait; the failures stay until :meth:`take_pending` has audited them."""
        d = self._read()
        if d.get("failures"):
            d["failures"] = 0
            d["last"] = 0
            self._write(d)

    def pending(self) -> tuple[list[Failure], int]:
        """Failures not yet in the audit trail, and how many more were not kept one by one."""
        d = self._read()
        return ([Failure(str(x.get("at", "")), str(x.get("how", ""))) for x in d.get("log", [])
                 if isinstance(x, dict)], int(d.get("dropped", 0)))

    def clear_pending(self) -> None:
        """After the failures were written to the audit trail."""
        with self._locked():
            d = self._read()
            if d.get("log") or d.get("dropped"):
                d["log"], d["dropped"] = [], 0
                self._write(d)
