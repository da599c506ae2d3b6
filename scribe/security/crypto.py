"""Encryption at rest for audio: AES-256-GCM in independently sealed chunks, and key wrapping.

File format (``MAGIC`` identifies it)::

    MAGIC (8) | file_id (16)                      header, plaintext
    { length (4, big-endian) | nonce (12) | ciphertext+tag (length) }*

Each chunk is sealed with a per-file key (HKDF of the data key and ``file_id``); its associated
data is ``MAGIC | file_id | seq (8) | final (1)``, so chunks cannot be reordered, dropped or moved to
another file unnoticed. A finished file ends with a chunk marked final; a file cut short by a crash
has none, and :func:`iter_plaintext` with ``partial_ok`` drops a torn last chunk (what the recorder
wrote in its last flush interval) and keeps the rest. A chunk that fails its check raises
:class:`AudioDamaged`, which says where the intact prefix ends: :func:`seal_intact` cuts an
interrupted recording there (keeping everything before the damage) and, when the user asks,
salvages a finished file the same way; a plain read of a damaged finished file is always refused.

The data key (32 random bytes) is wrapped by a key derived from the passphrase with scrypt.
Nothing here writes plaintext to disk: readers return bytes in memory.
"""

from __future__ import annotations

import base64
import os
import struct
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, NamedTuple

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from scribe.errors import AudioFileError, AuthError

__all__ = [
    "MAGIC",
    "AudioDamaged",
    "EncryptedWriter",
    "Sealed",
    "encrypt_file",
    "audio_file_id",
    "can_open",
    "is_encrypted",
    "iter_plaintext",
    "new_data_key",
    "read_plaintext",
    "read_range",
    "reseal",
    "seal_intact",
    "seal_part",
    "unwrap_key",
    "wrap_key",
    "writer_factory",
]

MAGIC = b"SCRBAUD1"
_HEADER = len(MAGIC) + 16
_NONCE = 12
_TAG = 16
_LEN = struct.Struct(">I")
MAX_CHUNK = 1 << 20
"""Plaintext bytes buffered before a chunk is sealed even without a flush (about 30 s of audio)."""

SCRYPT_N = 1 << 15  # ~32 MiB and ~0.1 s: a brute force costs the attacker the same per guess
SCRYPT_R = 8
SCRYPT_P = 1

_DAMAGED = "The audio file {name} is damaged or was changed; it cannot be played or transcribed."


class AudioDamaged(AudioFileError):
    """A chunk that fails its check (or bytes after the final chunk), ``intact_end`` bytes into the
    file: every chunk before that offset was read intact (:func:`seal_intact` keeps them)."""

    def __init__(self, message: str, intact_end: int) -> None:
        super().__init__(message)
        self.intact_end = intact_end


class Sealed(NamedTuple):
    """What :func:`seal_intact` kept: the plaintext length, and whether it cut at a damaged chunk."""

    plaintext_bytes: int
    damaged: bool


# ---- keys ------------------------------------------------------------------------------------
def new_data_key() -> bytes:
    return AESGCM.generate_key(bit_length=256)


def _kek(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def wrap_key(data_key: bytes, passphrase: str) -> dict[str, Any]:
    """The data key sealed under a passphrase-derived key, as JSON-ready fields."""
    salt, nonce = os.urandom(16), os.urandom(_NONCE)
    kek = _kek(passphrase, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(kek).encrypt(nonce, data_key, b"scribe-data-key")
    b64 = base64.b64encode
    return {
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": b64(salt).decode(),
        "nonce": b64(nonce).decode(),
        "wrapped": b64(sealed).decode(),
    }


def unwrap_key(wrapped: dict[str, Any], passphrase: str) -> bytes:
    """The data key; AuthError when the passphrase is wrong (the GCM tag is the verifier)."""
    b64 = base64.b64decode
    try:
        kek = _kek(passphrase, b64(wrapped["salt"]), int(wrapped["n"]), int(wrapped["r"]),
                   int(wrapped["p"]))
        return AESGCM(kek).decrypt(b64(wrapped["nonce"]), b64(wrapped["wrapped"]),
                                   b"scribe-data-key")
    except InvalidTag:
        raise AuthError("The passphrase is wrong; try again.") from None
    except (KeyError, ValueError, TypeError):
        raise AuthError("The clinician profile is damaged; restore it from backup.") from None


def _require_key(key: bytes | None) -> bytes:
    """The key every reader and writer is given explicitly (the workspace's vault holds it)."""
    if key is None:
        raise AuthError("Scribe is locked; sign in with your passphrase to open audio.")
    return key


def _file_aead(key: bytes, file_id: bytes) -> AESGCM:
    sub = HKDF(algorithm=hashes.SHA256(), length=32, salt=file_id, info=b"scribe-audio")
    return AESGCM(sub.derive(key))


def _aad(file_id: bytes, seq: int, final: bool) -> bytes:
    return MAGIC + file_id + struct.pack(">QB", seq, 1 if final else 0)


# ---- writing ---------------------------------------------------------------------------------
class EncryptedWriter:
    """A ChunkWriter (``write``/``flush``/``close``) that seals each flushed chunk with AES-GCM.

    ``flush()`` seals what was written since the last flush as one chunk and fsyncs it, so the
    recorder's flush interval bounds what a crash can lose. ``close()`` adds the final chunk.
    """

    def __init__(self, path: Path, key: bytes | None = None, header: bytes = b"", *,
                 file_id: bytes | None = None) -> None:
        self._key = _require_key(key)
        self._file_id = file_id or os.urandom(16)  # kept when a file is re-sealed (reseal)
        self._aead = _file_aead(self._key, self._file_id)
        self._seq = 0
        self._buf = bytearray()
        self._closed = False
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        self._fd = os.open(path, flags, 0o600)
        try:
            self._raw(MAGIC + self._file_id)
            if header:
                self.write(header)
            self.flush()
        except OSError:
            os.close(self._fd)
            raise

    @property
    def chunks(self) -> int:
        return self._seq

    def _raw(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]

    def _seal(self, data: bytes, final: bool = False) -> None:
        nonce = os.urandom(_NONCE)
        ct = self._aead.encrypt(nonce, data, _aad(self._file_id, self._seq, final))
        self._raw(_LEN.pack(len(ct)) + nonce + ct)
        self._seq += 1

    def write(self, data: bytes) -> None:
        self._buf += data
        if len(self._buf) >= MAX_CHUNK:
            self._seal(bytes(self._buf))
            self._buf.clear()

    def flush(self) -> None:
        if self._buf:
            self._seal(bytes(self._buf))
            self._buf.clear()
        os.fsync(self._fd)

    def close(self) -> None:
        if self._closed:
            return
        try:
            if self._buf:
                self._seal(bytes(self._buf))
                self._buf.clear()
            self._seal(b"", final=True)
            os.fsync(self._fd)
        finally:
            self._closed = True
            os.close(self._fd)


def writer_factory(key: bytes) -> Callable[[Path, bytes], EncryptedWriter]:
    """``(path, header) -> EncryptedWriter``: what ``Recorder(writer_factory=...)`` takes."""
    return lambda path, header: EncryptedWriter(path, key, header)


def _seal_into(dest: Path, key: bytes | None, blocks: Iterable[bytes],
               file_id: bytes | None = None) -> None:
    """Write ``blocks`` into a new encrypted file ``dest``; ``dest`` is removed on failure."""
    try:
        w = EncryptedWriter(dest, key, file_id=file_id)
        try:
            for block in blocks:
                w.write(block)
        finally:
            w.close()
    except BaseException:
        dest.unlink(missing_ok=True)
        raise


def encrypt_file(src: Path, dest: Path, key: bytes | None = None) -> None:
    """Encrypt a whole file (an imported recording) into ``dest``; removes ``dest`` on failure."""
    with open(src, "rb") as f:
        _seal_into(dest, key, iter(lambda: f.read(MAX_CHUNK), b""))


# ---- reading ---------------------------------------------------------------------------------
def is_encrypted(path: Path) -> bool:
    try:
        with open(path, "rb") as f:
            return f.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def reseal(src: Path, dest: Path, old_key: bytes, new_key: bytes, *, keep_id: bool = False,
           partial_ok: bool = False) -> None:
    """Write the plaintext of ``src`` (sealed under ``old_key``) into ``dest`` under ``new_key``.

    ``keep_id``: the new file keeps ``src``'s file id, so a passphrase change leaves each audio
    file bound to its visit (:func:`audio_file_id`); an import gets a fresh id. ``dest`` is
    removed on failure.
    """
    file_id = bytes.fromhex(audio_file_id(src) or "") if keep_id else b""
    _seal_into(dest, new_key, iter_plaintext(src, old_key, partial_ok=partial_ok),
               file_id or None)


def audio_file_id(path: Path) -> str | None:
    """The random id in an encrypted file's header, as hex (None for a plain or missing file).

    The store records it when a visit's audio is set and the vault checks it when it loads the
    file for that visit, so two visits' files swapped on disk are told apart.
    """
    try:
        with open(path, "rb") as f:
            head = f.read(_HEADER)
    except OSError:
        return None
    return head[len(MAGIC):].hex() if len(head) == _HEADER and head[: len(MAGIC)] == MAGIC else None


def _chunks(path: Path, key: bytes, partial_ok: bool) -> Iterator[tuple[bytes, int, bool]]:
    """(plaintext, end offset, final) per intact chunk."""
    name = path.name
    with open(path, "rb") as f:
        head = f.read(_HEADER)
        if len(head) < _HEADER or head[: len(MAGIC)] != MAGIC:
            raise AudioFileError(_DAMAGED.format(name=name))
        file_id = head[len(MAGIC):]
        aead = _file_aead(key, file_id)
        seq, pos = 0, _HEADER
        while True:
            lb = f.read(_LEN.size)
            if not lb:
                break
            want = _NONCE + _LEN.unpack(lb)[0] if len(lb) == _LEN.size else 0
            sane = _NONCE + _TAG <= want <= _NONCE + _TAG + 64 * MAX_CHUNK
            body = f.read(want) if sane else b""
            torn = not sane or len(body) < want
            plain, final = None, False
            if not torn:
                for final in (False, True):
                    try:
                        plain = aead.decrypt(body[:_NONCE], body[_NONCE:],
                                             _aad(file_id, seq, final))
                        break
                    except InvalidTag:
                        continue
            if plain is None:
                at_end = f.read(1) == b""
                if partial_ok and at_end:
                    return  # the torn last chunk of an interrupted recording
                raise AudioDamaged(_DAMAGED.format(name=name), pos)
            pos += _LEN.size + len(body)
            yield plain, pos, final
            seq += 1
            if final:
                if f.read(1):
                    raise AudioDamaged(_DAMAGED.format(name=name), pos)
                return
        if not partial_ok:
            raise AudioFileError(_DAMAGED.format(name=name))  # finished files end with a final chunk


def iter_plaintext(path: Path, key: bytes | None = None, partial_ok: bool = False
                   ) -> Iterator[bytes]:
    """Decrypted contents chunk by chunk. ``partial_ok`` accepts an unfinished recording."""
    k = _require_key(key)
    for plain, _end, _final in _chunks(Path(path), k, partial_ok):
        if plain:
            yield plain


def read_plaintext(path: Path, key: bytes | None = None, partial_ok: bool = False) -> bytes:
    return b"".join(iter_plaintext(path, key, partial_ok))


def read_range(path: Path, start: int, length: int, key: bytes | None = None) -> bytes:
    """Plaintext bytes ``[start, start + length)`` of a (possibly growing) encrypted file.

    Chunk sizes are known from the length fields (ciphertext = plaintext + tag), so only the
    chunks that overlap the range are decrypted: live transcription reads the tail cheaply.
    """
    k = _require_key(key)
    out = bytearray()
    end = start + length
    with open(path, "rb") as f:
        head = f.read(_HEADER)
        if len(head) < _HEADER or head[: len(MAGIC)] != MAGIC:
            raise AudioFileError(_DAMAGED.format(name=Path(path).name))
        file_id = head[len(MAGIC):]
        aead = _file_aead(k, file_id)
        seq, plain_pos = 0, 0
        while plain_pos < end:
            lb = f.read(_LEN.size)
            if len(lb) < _LEN.size:
                break
            n = _LEN.unpack(lb)[0]
            if n < _TAG:
                break
            size = n - _TAG
            if plain_pos + size <= start or size == 0:
                f.seek(_NONCE + n, os.SEEK_CUR)
            else:
                body = f.read(_NONCE + n)
                if len(body) < _NONCE + n:
                    break  # the chunk being written right now
                try:
                    plain = aead.decrypt(body[:_NONCE], body[_NONCE:], _aad(file_id, seq, False))
                except InvalidTag:
                    break  # a torn or final chunk: nothing more to read
                lo, hi = max(0, start - plain_pos), min(size, end - plain_pos)
                out += plain[lo:hi]
            plain_pos += size
            seq += 1
    return bytes(out)


def seal_part(part: Path, key: bytes | None = None) -> int:
    """Finish an encrypted part file in place (see :func:`seal_intact`); the plaintext length."""
    return seal_intact(part, key).plaintext_bytes


def seal_intact(part: Path, key: bytes | None = None) -> Sealed:
    """Finish an encrypted file in place: keep every intact chunk, then end it with a final chunk.

    For a recording a crash cut short, a torn tail is dropped; a damaged chunk (a flipped bit, a bad
    sector) cuts the file there, so everything before it is kept instead of nothing. The same call
    salvages a finished file that fails to load (``AudioVault.salvage``, when the user asks): a file
    that is intact and finished is left as it is. No copy is made (it works on a full disk) and the
    file keeps its id, so it stays bound to its visit. What was cut cannot be read back.
    """
    k = _require_key(key)
    end, total, seq, final, damaged = _HEADER, 0, 0, False, False
    try:
        for plain, chunk_end, is_final in _chunks(part, k, partial_ok=True):
            total += len(plain)
            seq += 1
            end, final = chunk_end, is_final
    except AudioDamaged:
        damaged = True
    if final and not damaged:
        return Sealed(total, False)
    file_id = _file_id(part)
    with open(part, "r+b") as f:
        f.truncate(end)
        if not final:
            f.seek(end)
            nonce = os.urandom(_NONCE)
            ct = _file_aead(k, file_id).encrypt(nonce, b"", _aad(file_id, seq, True))
            f.write(_LEN.pack(len(ct)) + nonce + ct)
        f.flush()
        os.fsync(f.fileno())
    return Sealed(total, damaged)


def can_open(path: Path, key: bytes | None) -> bool:
    """True when ``path`` is a Scribe audio file whose first chunk ``key`` opens."""
    if key is None or not is_encrypted(path):
        return False
    try:
        for _chunk in _chunks(Path(path), key, partial_ok=True):
            return True
    except (AudioFileError, OSError):
        return False
    return False


def _file_id(path: Path) -> bytes:
    with open(path, "rb") as f:
        return f.read(_HEADER)[len(MAGIC):]
