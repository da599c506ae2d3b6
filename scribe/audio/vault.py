"""The audio vault: the folder of visit recordings and the key that seals them.

Every recording and imported file is stored encrypted with the signed-in clinician's data key (AES-GCM
chunks, :mod:`scribe.security.crypto`); the vault is the one object that holds that key for audio,
passed explicitly (a workspace owns one), instead of a key kept in a module global. A vault with no
key stores plain files: tests and tools only, never the app.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from scribe.audio.files import load_audio
from scribe.audio.partfile import Recovery, find_interrupted, recover_part
from scribe.audio.recorder import Recorder
from scribe.domain import Recording
from scribe.errors import AudioFileError
from scribe.security.crypto import (
    audio_file_id,
    can_open,
    encrypt_file,
    is_encrypted,
    reseal,
    seal_intact,
)
from scribe.security.erase import destroy_file

__all__ = ["NOT_OPENED", "SWAPPED", "AudioVault"]

NOT_OPENED = ("{name} is a Scribe audio file that the signed-in clinician's key does not open; "
              "import the original recording instead.")

SWAPPED = ("The audio file of this visit was replaced or moved; restore it from backup (it was "
           "not transcribed, so no other recording's words reach this visit).")


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
        """Copy ``src`` into the vault as ``name`` (encrypted when the vault has a key).

        A file that is already a Scribe audio file (a recovered visit's, say) is decrypted with the
        vault's key and its plaintext sealed again under a new file id: never encrypted twice. One
        the key does not open is refused (:data:`NOT_OPENED`).
        """
        src = Path(src)
        dest = self.path(name)
        if is_encrypted(src):
            self._reseal(src, dest)
        elif self.key is not None:
            encrypt_file(src, dest, self.key)
        else:
            try:
                shutil.copyfile(src, dest)
                if os.name == "posix":  # private to the user (Windows has no POSIX modes)
                    os.chmod(dest, 0o600)
            except BaseException:
                dest.unlink(missing_ok=True)
                raise
        return dest

    def load_import(self, src: Path) -> np.ndarray:
        """Decode a file about to be imported: a plain one as it is, a Scribe audio file with the
        vault's key (one it does not open is refused with :data:`NOT_OPENED`)."""
        src = Path(src)
        if not is_encrypted(src):
            return load_audio(src)
        if self.key is None or not can_open(src, self.key):
            raise AudioFileError(NOT_OPENED.format(name=src.name))
        return load_audio(src, self.key)

    def _reseal(self, src: Path, dest: Path) -> None:
        if self.key is None or not can_open(src, self.key):
            raise AudioFileError(NOT_OPENED.format(name=src.name))
        reseal(src, dest, self.key, self.key)  # a new visit's copy: a fresh file id

    def load(self, name_or_path: str | Path, audio_id: str | None = None) -> np.ndarray:
        """A stored recording decoded to 16 kHz mono float32 (decrypted in memory only).

        ``audio_id``: the file id the visit's row was bound to when its audio was set
        (``Encounter.audio_id``); a file with another id is another visit's (swapped or moved),
        and is refused before a word of it is decoded.
        """
        p = Path(name_or_path)
        path = p if p.is_absolute() else self.path(str(p))
        if audio_id is not None and path.is_file() and audio_file_id(path) != audio_id:
            raise AudioFileError(SWAPPED)
        return load_audio(path, self.key)

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
        return self.recover_interrupted(part).recording

    def recover_interrupted(self, part: Path) -> Recovery:
        """:meth:`finish_interrupted`, saying whether the recording was cut at a damaged chunk
        (every intact chunk before the damage is kept)."""
        return recover_part(part, self.key)

    def salvage(self, name: str) -> bool:
        """Keep the intact start of a stored file that fails to load (a damaged chunk), in place.

        Only when the user asks: the damaged rest is cut off for good. The file keeps its id (it
        stays bound to its visit). Returns whether anything was cut; an intact file is untouched.
        """
        path = self.path(name)
        if self.key is None or not is_encrypted(path):
            return False  # a plain file has no chunks to check; the decoder reads what it can
        return seal_intact(path, self.key).damaged

    def destroy(self, name: str) -> None:
        """Delete a stored file so that no readable audio is left (see security.erase)."""
        destroy_file(self.path(name))
