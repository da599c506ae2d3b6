"""The encrypted store: SQLCipher under sqlite-utils, unlocked by the clinician's passphrase.

The database key is derived (HKDF) from the data key the profile unwraps, so one passphrase opens
the database and the audio files. The passphrase comes from the caller (the app's lock screen, or
the CLI's prompt or ``SCRIBE_PASSPHRASE`` read by :mod:`scribe.visit.workspace`).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import sqlcipher3  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlite_utils import Database

from scribe.errors import AuthError, StoreError
from scribe.security import crypto
from scribe.security.erase import destroy_file
from scribe.security.profile import Profile, ProfileExistsError
from scribe.store.store import Store

DB_FILE = "scribe.db"
_SQLITE_MAGIC = b"SQLite format 3\x00"


def db_key(data_key: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"scribe-db").derive(data_key)


def is_plain_sqlite(path: Path) -> bool:
    if not path.is_file():
        return False
    with open(path, "rb") as f:
        return f.read(16) == _SQLITE_MAGIC


def encrypt_legacy(home: Path, data_key: bytes) -> None:
    """Encrypt an install from before issue 5 in place: the database, then every audio file.

    Plaintext copies are overwritten before they are unlinked (scribe.security.destroy_file).
    """
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


AskPassphrase = Callable[[str, bool], str]
"""``(prompt, confirm) -> passphrase``: asked only when the key is not in the keyring."""


def unlock(home: Path, ask: AskPassphrase, name: str = "Clinician",
           credentials: str = "") -> tuple[Profile, bytes]:
    """Unlock the profile in ``home`` (creating it on first start) and return it with its key."""
    profile = Profile.load(home)
    if profile is None:
        if (home / DB_FILE).exists() and not is_plain_sqlite(home / DB_FILE):
            raise AuthError("The clinician profile is missing from the data folder; restore it "
                            "from backup.")
        pw = ask("New Scribe passphrase: ", True)
        try:
            return Profile.create(home, name, credentials, pw)
        except ProfileExistsError:  # another process started at the same moment
            profile = Profile.load(home)
            assert profile is not None
            return profile, profile.unlock(pw)
    key = profile.key_from_keyring()
    if key is None:
        key = profile.unlock(ask("Scribe passphrase: ", False))
    return profile, key


def open_store(home: Path, key: bytes, actor: str, timeout: float = 5.0) -> Store:
    """The encrypted store in ``home`` (an install from before encryption is encrypted first)."""
    encrypt_legacy(home, key)  # done once, at the first sign-in after the upgrade
    conn = connect(home / DB_FILE, key, timeout)
    audio = home / "audio"
    audio.mkdir(exist_ok=True)
    return Store(Database(conn), audio, actor)
