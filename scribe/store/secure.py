"""The encrypted store: SQLCipher under sqlite-utils, unlocked by the clinician's passphrase.

The database key is derived (HKDF) from the data key the profile unwraps, so one passphrase opens
the database and the audio files. The passphrase comes from the caller (the app's lock screen, or
the CLI's prompt or ``SCRIBE_PASSPHRASE`` read by :mod:`scribe.visit.workspace`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import sqlcipher3  # type: ignore[import-untyped]
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlite_utils import Database

from scribe.errors import AudioFileError, AuthError, StoreError
from scribe.paths import sync_folder, write_private
from scribe.security import crypto
from scribe.security.erase import destroy_file
from scribe.security.profile import Profile, ProfileExistsError, check_new_passphrase
from scribe.store.audit import CHECKPOINT_FILE
from scribe.store.store import DAMAGED, UNREADABLE, Store, db_error, disk_problem

DB_FILE = "scribe.db"
KEY_CHANGE_FILE = "key-change.json"
"""The journal of a passphrase change in progress (see :func:`change_passphrase`)."""
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
        raise StoreError(disk_problem(path.parent) or
                         "The Scribe database could not be opened; check the data folder.") from e
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # errors reach the user as one sentence
        conn.execute(f"PRAGMA key = \"x'{db_key(data_key).hex()}'\"")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        conn.execute("PRAGMA journal_mode=wal")
    except sqlcipher3.Error as e:
        conn.close()
        # A full disk or a read-only folder fails here too ("disk I/O error", "unable to open
        # database file": the WAL index cannot be made); only what is left is damage.
        err = db_error(e, path.parent)
        raise (StoreError(DAMAGED) if err.message == UNREADABLE else err) from e
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
    if (home / KEY_CHANGE_FILE).is_file():  # a passphrase change was cut short: finish it
        return profile, resume_key_change(home, profile, ask("Scribe passphrase: ", False))
    key = profile.key_from_keyring()
    if key is None:
        key = profile.open(ask("Scribe passphrase: ", False), "sign-in")
    return profile, key


# ---- changing the passphrase: a new data key for everything ----------------------------------
# Re-wrapping the same data key would leave every old copy of profile.json (a backup, a copied
# folder) plus the old passphrase able to open the data. So a change rotates the data key:
#
#   1. journal: key-change.json (0600) holds the new key wrapped under the new AND the old
#      passphrase, and the old key wrapped under both; profile.json still holds the old key;
#   2. the database: PRAGMA rekey (rollback journal, so it is all or nothing);
#   3. each audio file: re-encrypted to a temporary file, fsynced, then atomically replaced;
#   4. profile.json: the new wrapped key (atomic replace);
#   5. the journal is destroyed.
#
# The old wrapped key stays in profile.json until the database and every audio file are under the
# new key, and every step can be redone: after a crash anywhere, the next sign-in (with either
# passphrase) finds the journal, gets both keys from it, opens the database with whichever key it
# is under, re-encrypts the files still under the old key and finishes steps 4-5.

def _db_key_sql(data_key: bytes) -> str:
    return f"\"x'{db_key(data_key).hex()}'\""


_IN_USE = ("Scribe is open in another window or command; close it, then change the passphrase "
           "again.")


def _exclusive(conn: sqlcipher3.Connection) -> None:
    """Leave WAL mode (only possible with no other connection open): nothing else may hold the
    old key while the data is rekeyed."""
    try:
        if conn.in_transaction:
            conn.commit()
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        mode = conn.execute("PRAGMA journal_mode=DELETE").fetchone()[0]
    except sqlcipher3.Error as e:
        raise StoreError(_IN_USE) from e
    if str(mode).lower() != "delete":
        raise StoreError(_IN_USE)


def rekey_database(conn: sqlcipher3.Connection, new_key: bytes) -> None:
    """Re-encrypt the open database under ``new_key`` in place; the connection stays usable."""
    _exclusive(conn)
    try:
        conn.execute(f"PRAGMA rekey = {_db_key_sql(new_key)}")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher3.Error as e:
        raise StoreError("The Scribe database could not be re-encrypted; your old passphrase "
                         "still opens it.") from e
    finally:
        conn.execute("PRAGMA journal_mode=wal")


def rekey_audio(audio_dir: Path, old_key: bytes, new_key: bytes) -> int:
    """Re-encrypt every audio file still under ``old_key``; the number re-encrypted.

    Each file is written anew under ``new_key`` beside the old one, fsynced, then atomically
    replaces it, so a crash leaves every file whole under one key or the other.
    """
    done = 0
    for f in sorted(audio_dir.iterdir()) if audio_dir.is_dir() else []:
        if not f.is_file() or f.name.endswith((".part", ".tmp")) or not crypto.is_encrypted(f):
            continue
        if _under(f, new_key):
            continue  # done before a crash
        tmp = f.with_name(f.name + ".rekey.tmp")
        tmp.unlink(missing_ok=True)
        crypto.reseal(f, tmp, old_key, new_key, keep_id=True, partial_ok=True)
        os.replace(tmp, f)
        done += 1
    sync_folder(audio_dir)
    return done


def _under(path: Path, key: bytes) -> bool:
    """True when the first chunk of ``path`` opens with ``key``."""
    try:
        for _ in crypto.iter_plaintext(path, key, partial_ok=False):
            return True
    except AudioFileError:
        return False
    return True


def _write_private(path: Path, data: dict[str, Any]) -> None:
    write_private(path, json.dumps(data))


def change_passphrase(home: Path, conn: sqlcipher3.Connection, profile: Profile, old: str,
                      new: str) -> bytes:
    """Change the passphrase and rotate the data key (database and audio); the new data key.

    ``conn`` is the workspace's open connection (it keeps working under the new key). Old
    copies of ``profile.json`` with the old passphrase open nothing afterwards.
    """
    old_key = profile.open(old, "passphrase change", "The current passphrase is wrong")
    check_new_passphrase(new)
    if new == old:
        raise AuthError("The new passphrase is the same as the current one; choose another.")
    audio = home / "audio"
    if audio.is_dir() and any(audio.glob("*.part")):
        raise StoreError("Keep or discard the interrupted recordings first (scribe recover), "
                         "then change the passphrase.")
    _exclusive(conn)
    new_key = crypto.new_data_key()
    journal = {"version": 1, "old": profile.wrapped,
               "old_by_new": crypto.wrap_key(old_key, new),
               "new": crypto.wrap_key(new_key, new),
               "new_by_old": crypto.wrap_key(new_key, old)}
    _write_private(home / KEY_CHANGE_FILE, journal)
    _finish_key_change(home, conn, profile, old_key, new_key, journal["new"])
    return new_key


def _finish_key_change(home: Path, conn: sqlcipher3.Connection, profile: Profile,
                       old_key: bytes, new_key: bytes, new_wrapped: dict[str, Any]) -> None:
    rekey_database(conn, new_key)
    rekey_audio(home / "audio", old_key, new_key)
    profile.wrapped = dict(new_wrapped)
    profile.save()
    if profile.use_keyring:
        profile.remember_key(new_key)
    destroy_file(home / KEY_CHANGE_FILE)
    sync_folder(home)


def _journal_keys(journal: dict[str, Any], passphrase: str) -> tuple[bytes, bytes] | None:
    """(old key, new key) from the journal with either passphrase; None when it is neither."""
    for old_field, new_field in (("old", "new_by_old"), ("old_by_new", "new")):
        try:
            return (crypto.unwrap_key(journal[old_field], passphrase),
                    crypto.unwrap_key(journal[new_field], passphrase))
        except AuthError:
            continue
        except (KeyError, TypeError):
            break
    return None


def resume_key_change(home: Path, profile: Profile, passphrase: str) -> bytes:
    """Finish a passphrase change a crash cut short (the old or the new passphrase); new key."""
    try:
        journal = json.loads((home / KEY_CHANGE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise AuthError("An interrupted passphrase change left a damaged record; restore the data "
                        "folder from backup.") from None
    old_key, new_key = profile.attempts.guard(
        "sign-in", lambda: _journal_keys(journal, passphrase))
    db = home / DB_FILE
    try:
        conn = connect(db, new_key)
    except StoreError:
        conn = connect(db, old_key)
    try:
        _finish_key_change(home, conn, profile, old_key, new_key, journal["new"])
    finally:
        conn.close()
    return new_key


def open_store(home: Path, key: bytes, actor: str, timeout: float = 5.0) -> Store:
    """The encrypted store in ``home`` (an install from before encryption is encrypted first)."""
    encrypt_legacy(home, key)  # done once, at the first sign-in after the upgrade
    conn = connect(home / DB_FILE, key, timeout)
    audio = home / "audio"
    audio.mkdir(exist_ok=True)
    return Store(Database(conn), audio, actor, checkpoint=home / CHECKPOINT_FILE)
