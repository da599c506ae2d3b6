"""The clinician profile: who signs, and the passphrase that unlocks the data key.

``profile.json`` in the data folder holds the name, credentials and the data key wrapped under a
scrypt-derived key (see :mod:`scribe.security.crypto`). The AES-GCM tag of the wrapped key is the passphrase
verifier: no hash of the passphrase is stored. Optionally (off by default) the data key is kept in
the OS keyring for single-user workstations, when the ``keyring`` package is installed.

Every passphrase a person types goes through :meth:`Profile.open` or :meth:`Profile.verify`: the
waits after wrong passphrases (:mod:`scribe.security.attempts`) apply to sign-in, the lock screen,
signing and the passphrase change alike. A new or changed passphrase must pass
:func:`check_new_passphrase`; existing shorter ones keep working.
"""

from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scribe.errors import AuthError
from scribe.security import crypto
from scribe.security.attempts import Attempts

PROFILE_FILE = "profile.json"
MIN_PASSPHRASE = 12
_WEAK = frozenset({
    "password", "passphrase", "passw0rd", "letmein", "welcome", "iloveyou", "admin", "monkey",
    "dragon", "football", "baseball", "sunshine", "princess", "trustno1", "changeme", "secret",
    "qwerty", "qwertyuiop", "asdfghjkl", "zxcvbnm", "qwertz", "azerty", "abc123", "scribe",
    "doctor", "clinician", "hospital", "abcdefghijkl", "abcdefghijklmnopqrstuvwxyz",
})
_ROWS = ("1234567890", "qwertyuiopasdfghjklzxcvbnm", "abcdefghijklmnopqrstuvwxyz")
_KEYRING_SERVICE = "scribe-data-key"


class ProfileExistsError(AuthError):
    """Another start created the profile first."""


@dataclass
class Profile:
    path: Path
    name: str
    credentials: str
    wrapped: dict[str, Any] = field(repr=False)
    use_keyring: bool = False

    @property
    def signer(self) -> str:
        """What goes on a signature: "Name, Credentials"."""
        return ", ".join(p for p in (self.name.strip(), self.credentials.strip()) if p)

    @classmethod
    def load(cls, home: Path) -> Profile | None:
        """The profile in ``home``, or None before the first start."""
        path = home / PROFILE_FILE
        if not path.is_file():
            return None
        try:
            d = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, str(d["name"]), str(d.get("credentials", "")), dict(d["key"]),
                       bool(d.get("keyring", False)))
        except (OSError, ValueError, KeyError, TypeError):
            raise AuthError("The clinician profile is damaged; restore it from backup.") from None

    @classmethod
    def create(cls, home: Path, name: str, credentials: str, passphrase: str
               ) -> tuple[Profile, bytes]:
        """A new profile with a fresh data key; returns the profile and the (unlocked) key."""
        if not name.strip():
            raise AuthError("Enter your name to create your profile.")
        check_new_passphrase(passphrase)
        home.mkdir(parents=True, exist_ok=True)
        key = crypto.new_data_key()
        profile = cls(home / PROFILE_FILE, name.strip(), credentials.strip(),
                      crypto.wrap_key(key, passphrase))
        profile.save(exclusive=True)
        return profile, key

    def save(self, exclusive: bool = False) -> None:
        data = {"version": 1, "name": self.name, "credentials": self.credentials,
                "key": self.wrapped, "keyring": self.use_keyring}
        tmp = self.path.with_name(f"{self.path.name}.{os.getpid()}.{id(self)}.tmp")
        # 0600: the wrapped key and the clinician's name are private to the user (POSIX modes;
        # Windows ignores them and keeps the folder's ACL).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0), 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            json.dump(data, f, indent=1)
            f.flush()
            os.fsync(f.fileno())
        if not exclusive:
            os.replace(tmp, self.path)
            return
        try:  # a link never replaces: two first starts at once make one profile
            os.link(tmp, self.path)
        except FileExistsError:
            raise ProfileExistsError(
                "A clinician profile already exists here; sign in instead.") from None
        finally:
            tmp.unlink()

    def unlock(self, passphrase: str) -> bytes:
        """The data key; AuthError("The passphrase is wrong…") otherwise. No wait is applied:
        what a person types goes through :meth:`open` or :meth:`verify`."""
        return crypto.unwrap_key(self.wrapped, passphrase)

    def try_unlock(self, passphrase: str) -> bytes | None:
        """The data key, or None when the passphrase is wrong (a damaged profile raises)."""
        try:
            return self.unlock(passphrase)
        except AuthError as e:
            if e.message.startswith("The passphrase is wrong"):
                return None
            raise

    def check(self, passphrase: str) -> bool:
        """True when ``passphrase`` is this clinician's (no wait applied; see :meth:`verify`)."""
        return self.try_unlock(passphrase) is not None

    @property
    def attempts(self) -> Attempts:
        """The sign-in attempts file beside this profile."""
        return Attempts(self.path.parent)

    def open(self, passphrase: str, how: str = "sign-in",
             wrong: str = "The passphrase is wrong") -> bytes:
        """The data key for a typed passphrase, under the waits after wrong ones.

        AuthError with one sentence: the passphrase is wrong (and how long the next try waits),
        or too many wrong passphrases (and how long to wait)."""
        return self.attempts.guard(how, lambda: self.try_unlock(passphrase), wrong)

    def verify(self, passphrase: str, how: str = "signature",
               wrong: str = "The passphrase is wrong") -> None:
        """Raise AuthError unless ``passphrase`` is this clinician's (same waits as sign-in)."""
        self.open(passphrase, how, wrong)

    # ---- optional OS keyring (single-user workstations) ---------------------------------------
    def remember_key(self, key: bytes) -> bool:
        """Keep the data key in the OS keyring; False when no keyring is available."""
        kr = _keyring()
        if kr is None:
            return False
        try:
            kr.set_password(_KEYRING_SERVICE, str(self.path), base64.b64encode(key).decode())
        except Exception:  # noqa: BLE001 - any backend failure means "not available"
            return False
        self.use_keyring = True
        self.save()
        return True

    def key_from_keyring(self) -> bytes | None:
        if not self.use_keyring or (kr := _keyring()) is None:
            return None
        try:
            stored = kr.get_password(_KEYRING_SERVICE, str(self.path))
        except Exception:  # noqa: BLE001
            return None
        return base64.b64decode(stored) if stored else None


def check_new_passphrase(passphrase: str) -> None:
    """AuthError with one sentence unless ``passphrase`` is fit for a new or changed passphrase:
    at least 12 characters and not a trivially guessed one (digits only, one repeated character
    or pattern, a keyboard row or alphabet run, a common password with digits around it)."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise AuthError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters; a few "
                        "unrelated words are easy to remember.")
    if _trivial(passphrase):
        raise AuthError("That passphrase is too easy to guess; choose a few unrelated words.")


def _trivial(passphrase: str) -> bool:
    p = passphrase.strip().lower()
    compact = "".join(ch for ch in p if not ch.isspace())
    if compact.isdigit() or len(set(compact)) <= 2:
        return True
    for size in range(1, len(compact) // 2 + 1):  # one short pattern repeated ("abcabcabcabc")
        if len(compact) % size == 0 and compact[:size] * (len(compact) // size) == compact:
            return True
    core = compact.strip("0123456789!@#$%^&*()_-+=.,?")
    if core in _WEAK or not core:
        return True
    for row in _ROWS:  # a run along a keyboard row or the alphabet, either way
        if len(compact) <= len(row) and (compact in row or compact in row[::-1]):
            return True
    return False


def _keyring() -> Any:
    try:
        import keyring  # type: ignore[import-not-found]
    except ImportError:
        return None
    return keyring
