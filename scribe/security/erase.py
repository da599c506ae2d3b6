"""Removing a file so that no readable audio or data is left behind."""

from __future__ import annotations

import os
from pathlib import Path

from scribe.security.crypto import is_encrypted

__all__ = ["destroy_file"]


def destroy_file(path: Path) -> None:
    """Remove ``path``; a plaintext file is overwritten with zeros and synced first.

    An encrypted file is simply unlinked: every byte of it is AES-GCM ciphertext under a key that
    exists only wrapped by the passphrase, so whatever the disk keeps of it (free blocks, SSD remaps
    that no overwrite reaches anyway) reads as noise.
    """
    if not path.exists():
        return
    if not is_encrypted(path):
        size = path.stat().st_size
        with open(path, "r+b") as f:
            block = b"\0" * (1 << 20)
            done = 0
            while done < size:
                n = min(len(block), size - done)
                f.write(block[:n])
                done += n
            f.flush()
            os.fsync(f.fileno())
    path.unlink()
