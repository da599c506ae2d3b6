"""The encrypted store: SQLCipher under sqlite-utils, unlocked by the clinician's passphrase.

The database key is derived (HKDF) from the data key the profile unwraps, so one passphrase opens
the database and the audio files. ``SCRIBE_PASSPHRASE`` supplies the passphrase to the CLI; a fresh
data folder is initialized with it (the clinician's name from ``SCRIBE_CLINICIAN``).
"""

from __future__ import annotations

import getpass
import os
import sys
from dataclasses import dataclass
from pathlib import Path

import sqlcipher3  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlite_utils import Database

from scribe.errors import AuthError, StoreError
from scribe.paths import data_dir
from scribe.security import crypto
from scribe.security.profile import Profile, ProfileExistsError
from scribe.store.store import Store

DB_FILE = "scribe.db"
_SQLITE_MAGIC = b"SQLite format 3\x00"
_NO_PASSPHRASE = (
    "No passphrase was given; set SCRIBE_PASSPHRASE or run scribe in a terminal to type it."
)


def db_key(data_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"scribe-db").derive(data_key)


def is_plain_sqlite(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(16) == _SQLITE_MAGIC


def encrypt_legacy(home: Path, data_key: bytes) -> None:
    """Encrypt an install from before issue 5 in place: the database, then every audio file.

    Plaintext copies are overwritten before they are unlinked (scribe.visit.retention.destroy_file).
    """
    from scribe.visit.retention import destroy_file

    db = home / DB_FILE
    if is_plain_sqlite(db):
        tmp = home / (DB_FILE + ".encrypting")
        tmp.unlink(missing_ok=True)
        conn = sqlcipher3.connect(str(db))
        try:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute(f"ATTACH DATABASE ? AS enc KEY \"x'{db_key(data_key).hex()}'\"",
                         [str(tmp)])
            conn.execute("SELECT sqlcipher_export('enc')")
            conn.execute("DETACH DATABASE enc")
        except sqlcipher3.Error as e:
            tmp.unlink(missing_ok=True)
            raise StoreError("The old Scribe database could not be encrypted; restore it from "
                             "backup.") from e
        finally:
            conn.close()
        for old in (db, db.with_name(DB_FILE + "-wal"), db.with_name(DB_FILE + "-shm")):
            if old.exists():
                destroy_file(old)
        os.replace(tmp, db)
    audio = home / "audio"
    for f in sorted(audio.iterdir()) if audio.is_dir() else []:
        if f.is_file() and not f.name.endswith((".part", ".json", ".tmp")) and \
                not crypto.is_encrypted(f):
            tmp = f.with_name(f.name + ".tmp")
            crypto.encrypt_file(f, tmp, data_key)
            destroy_file(f)
            os.replace(tmp, f)


def connect(path: Path, data_key: bytes, timeout: float = 5.0) -> sqlcipher3.Connection:
    """An open SQLCipher connection (WAL); StoreError when the file is damaged or not ours."""
    if is_plain_sqlite(path):
        raise StoreError("The Scribe database is not encrypted yet; sign in to encrypt it.")
    try:
        conn = sqlcipher3.connect(str(path), timeout=timeout)
    except sqlcipher3.Error as e:
        raise StoreError("The Scribe database could not be opened; check the data folder.") from e
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # errors reach the user as one sentence
        conn.execute(f"PRAGMA key = \"x'{db_key(data_key).hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode=wal")
    except sqlcipher3.Error as e:
        conn.close()
        if "locked" in str(e) or "busy" in str(e):
            raise StoreError(
                "The Scribe database is in use by another program; try again shortly."
            ) from e
        raise StoreError(
            "The Scribe database is damaged or not a Scribe database; restore it from backup."
        ) from e
    return conn


@dataclass
class SecureSession:
    """A signed-in clinician: the profile, the unlocked store and the data key."""

    profile: Profile
    store: Store
    key: bytes

    def confirm(self, passphrase: str) -> None:
        """Raise AuthError unless ``passphrase`` is this clinician's (signing asks again)."""
        if not self.profile.check(passphrase):
            raise AuthError("The passphrase is wrong; the note was not signed.")

    def record_unlock(self, how: str) -> None:
        """Audit a sign-in or an unlock of the locked window (no patient text)."""
        store = self.store
        store._write(lambda: store._audit(None, "unlocked", how))

    def close(self) -> None:
        self.store.close()
        crypto.set_active_key(None)


def passphrase_from_env(prompt: str = "Scribe passphrase: ", confirm: bool = False) -> str:
    """``SCRIBE_PASSPHRASE``, else asked on the terminal; AuthError when neither is possible."""
    env = os.environ.get("SCRIBE_PASSPHRASE")
    if env:
        return env
    if not sys.stdin.isatty():
        raise AuthError(_NO_PASSPHRASE)
    first = getpass.getpass(prompt)
    if confirm and getpass.getpass("Repeat the passphrase: ") != first:
        raise AuthError("The two passphrases differ; nothing was created.")
    return first


def unlock(home: Path | None = None, passphrase: str | None = None,
           name: str | None = None, credentials: str = "") -> tuple[Profile, bytes]:
    """Unlock the profile in ``home`` (creating it on first start) and return it with its key."""
    home = home or data_dir()
    profile = Profile.load(home)
    if profile is None:
        if (home / DB_FILE).exists() and not is_plain_sqlite(home / DB_FILE):
            raise AuthError("The clinician profile is missing from the data folder; restore it "
                            "from backup.")
        pw = passphrase or passphrase_from_env("New Scribe passphrase: ", confirm=True)
        try:
            return Profile.create(home, name or os.environ.get("SCRIBE_CLINICIAN", "Clinician"),
                                  credentials, pw)
        except ProfileExistsError:  # another process started at the same moment
            profile = Profile.load(home)
            assert profile is not None
            return profile, profile.unlock(pw)
    key = profile.key_from_keyring() if passphrase is None else None
    if key is None:
        key = profile.unlock(passphrase or passphrase_from_env())
    return profile, key


def open_secure_store(home: Path | None = None, actor: str = "cli",
                      passphrase: str | None = None, timeout: float = 5.0,
                      key: bytes | None = None) -> SecureSession:
    """Sign in and open the encrypted store; expired audio is purged (see scribe.visit.retention)."""
    home = home or data_dir()
    if key is None:
        profile, key = unlock(home, passphrase)
    else:
        loaded = Profile.load(home)
        if loaded is None:
            raise AuthError("No clinician profile exists here yet; create one first.")
        profile = loaded
    encrypt_legacy(home, key)  # an install from before encryption: done once, at first sign-in
    conn = connect(home / DB_FILE, key, timeout)
    audio = home / "audio"
    audio.mkdir(exist_ok=True)
    store = Store(Database(conn), audio, actor)
    crypto.set_active_key(key)
    from scribe.visit.retention import purge_expired_audio

    purge_expired_audio(store)
    return SecureSession(profile, store, key)


def confirm_signature(session_home: Path | None = None) -> Profile:
    """The CLI's re-entered passphrase before signing (``SCRIBE_PASSPHRASE`` or a prompt)."""
    profile = Profile.load(session_home or data_dir())
    if profile is None:
        raise AuthError("No clinician profile exists here yet; create one first.")
    pw = passphrase_from_env("Passphrase to sign: ")
    if not profile.check(pw):
        raise AuthError("The passphrase is wrong; the note was not signed.")
    return profile
