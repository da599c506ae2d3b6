"""The clinician profile: who signs, and the passphrase that unlocks the data key.

``profile.json`` in the data folder holds the name, credentials and the data key wrapped under a
scrypt-derived key (see :mod:`scribe.security.crypto`). The AES-GCM tag of the wrapped key is the passphrase
verifier: no hash of the passphrase is stored. Optionally (off by default) the data key is kept in
the OS keyring for single-user workstations, when the ``keyring`` package is installed.
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

PROFILE_FILE = "profile.json"
MIN_PASSPHRASE = 8
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
        with open(tmp, "w", encoding="utf-8") as f:
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
        """The data key; AuthError("The passphrase is wrong…") otherwise."""
        return crypto.unwrap_key(self.wrapped, passphrase)

    def check(self, passphrase: str) -> bool:
        """True when ``passphrase`` is this clinician's (used to confirm a signature)."""
        try:
            self.unlock(passphrase)
        except AuthError:
            return False
        return True

    def change_passphrase(self, old: str, new: str) -> None:
        key = self.unlock(old)
        check_new_passphrase(new)
        self.wrapped = crypto.wrap_key(key, new)
        self.save()

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
    if len(passphrase) < MIN_PASSPHRASE:
        raise AuthError(f"Choose a passphrase of at least {MIN_PASSPHRASE} characters.")


def _keyring() -> Any:
    try:
        import keyring  # type: ignore[import-not-found]
    except ImportError:
        return None
    return keyring
