"""The audio vault: the folder of visit recordings and the key that seals them.

Every recording and imported file is stored encrypted with the signed-in clinician's data key (AES-GCM
chunks, :mod:`scribe.security.crypto`); the vault is the one object that holds that key for audio,
passed explicitly (a workspace owns one), instead of a key kept in a module global. A vault with no
key stores plain files: tests and tools only, never the app.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scribe.audio.files import load_audio
from scribe.audio.partfile import finalize_interrupted, find_interrupted
from scribe.audio.recorder import Recorder
from scribe.domain import Recording
from scribe.security.crypto import encrypt_file
from scribe.security.erase import destroy_file

__all__ = ["AudioVault"]


class AudioVault:
    def __init__(self, folder: Path, key: bytes | None) -> None:
        self.folder = Path(folder)
        self.key = key

    @property
    def encrypted(self) -> bool:
        return self.key is not None

    def path(self, name: str) -> Path:
        """The stored file called ``name`` (a bare file name; folders in it are ignored)."""
        return self.folder / Path(name).name

    def store_copy(self, src: Path, name: str) -> Path:
        """Copy ``src`` into the vault as ``name`` (encrypted when the vault has a key)."""
        dest = self.path(name)
        if self.key is not None:
            encrypt_file(src, dest, self.key)
        else:
            try:
                shutil.copyfile(src, dest)
            except BaseException:
                dest.unlink(missing_ok=True)
                raise
        return dest

    def load(self, name_or_path: str | Path) -> np.ndarray:
        """A stored recording decoded to 16 kHz mono float32 (decrypted in memory only)."""
        p = Path(name_or_path)
        return load_audio(p if p.is_absolute() else self.path(str(p)), self.key)

    def recorder(
        self,
        *,
        encounter_id: str | None = None,
        name: str | None = None,
        device: int | str | None = None,
        stream_factory: Callable[..., Any] | None = None,
    ) -> Recorder:
        """A recorder that writes into the vault with its key."""
        return Recorder(self.folder, device, stream_factory=stream_factory, key=self.key,
                        encounter_id=encounter_id, name=name)

    def interrupted(self) -> list[Path]:
        """Part files of recordings a crash cut short, oldest first."""
        return find_interrupted(self.folder)

    def finish_interrupted(self, part: Path) -> Recording:
        """Keep what an interrupted recording flushed to disk as ``<name>.wav``."""
        return finalize_interrupted(part, self.key)

    def destroy(self, name: str) -> None:
        """Delete a stored file so that no readable audio is left (see security.erase)."""
        destroy_file(self.path(name))
