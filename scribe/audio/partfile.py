"""The on-disk format of a recording in progress, and recovery of one cut short by a crash.

While recording, ``<name>.pcm.part`` holds a 44-byte WAV header whose sizes are placeholders,
followed by raw little-endian int16 PCM (interleaved when stereo); ``<name>.json`` beside it holds
samplerate, channels, started_at and the encounter id. Finishing a recording (normally, or after a
crash) fixes the header sizes in place and renames the file to ``<name>.wav``: no copy, so it also
works on a full disk.
"""

from __future__ import annotations

import json
import os
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scribe.domain import Recording
from scribe.errors import AudioFileError
from scribe.paths import sync_folder
from scribe.security import crypto

__all__ = [
    "PART_HEADER_BYTES",
    "PART_SUFFIX",
    "SIDECAR_SUFFIX",
    "Recovery",
    "find_interrupted",
    "finalize_interrupted",
    "recover_part",
    "read_sidecar",
    "sidecar_path",
    "wav_header",
    "wav_path",
]

PART_SUFFIX = ".pcm.part"
SIDECAR_SUFFIX = ".json"
PART_HEADER_BYTES = 44
SAMPLE_BYTES = 2  # int16
_PLACEHOLDER = 0xFFFFFFFF  # "unknown length", as streaming WAV writers do
_MAX_DATA = 0xFFFFFFFF - 36


def wav_header(samplerate: int, channels: int, data_bytes: int | None) -> bytes:
    """A canonical 44-byte PCM int16 WAV header; ``None`` writes placeholder sizes."""
    block_align = channels * SAMPLE_BYTES
    if data_bytes is None:
        riff_size = data_size = _PLACEHOLDER
    else:
        data_size = min(data_bytes, _MAX_DATA)
        riff_size = 36 + data_size
    return struct.pack(
        "<4sI4s4sIHHIIHH4sI",
        b"RIFF",
        riff_size,
        b"WAVE",
        b"fmt ",
        16,
        1,
        channels,
        samplerate,
        samplerate * block_align,
        block_align,
        8 * SAMPLE_BYTES,
        b"data",
        data_size,
    )


def _stem(part: Path) -> str:
    return part.name[: -len(PART_SUFFIX)]


def sidecar_path(part: Path) -> Path:
    return part.with_name(_stem(part) + SIDECAR_SUFFIX)


def wav_path(part: Path) -> Path:
    return part.with_name(_stem(part) + ".wav")


def read_sidecar(part: Path) -> dict[str, Any]:
    """The JSON written beside a part file; AudioFileError if missing or unreadable."""
    try:
        meta = json.loads(sidecar_path(part).read_text(encoding="utf-8"))
        int(meta["samplerate"])
        int(meta["channels"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise AudioFileError(
            f"The details of interrupted recording {_stem(part)} are unreadable; "
            "its audio cannot be recovered automatically."
        ) from exc
    return dict(meta)


def find_interrupted(audio_dir: Path) -> list[Path]:
    """Part files with a sidecar that were never finished, oldest first.

    Call at start-up, before any new recording starts in ``audio_dir``.
    """
    if not audio_dir.is_dir():
        return []
    parts = [
        p
        for p in audio_dir.iterdir()
        if p.name.endswith(PART_SUFFIX) and p.is_file() and sidecar_path(p).is_file()
    ]
    return sorted(parts, key=lambda p: (p.stat().st_mtime, p.name))


@dataclass(frozen=True)
class Recovery:
    """An interrupted recording kept as ``<name>.wav``; ``damaged``: it was cut at a damaged chunk
    (everything before the damage is in ``recording``, the rest could not be read)."""

    recording: Recording
    damaged: bool = False


def finalize_part(part: Path, meta: Mapping[str, Any], key: bytes | None = None) -> Recording:
    """Turn a part file into ``<name>.wav`` in place (drop a torn last frame, fix the header).

    ``key``: the data key of an encrypted part file (sealed in place with it).
    """
    return _finish(part, meta, key).recording


def _finish(part: Path, meta: Mapping[str, Any], key: bytes | None) -> Recovery:
    samplerate, channels = int(meta["samplerate"]), int(meta["channels"])
    frame_bytes = channels * SAMPLE_BYTES
    damaged = False
    # Encrypted part files are sealed in place instead; their header keeps placeholder sizes,
    # which scribe.audio.files fixes in memory when it decrypts. A damaged chunk cuts the
    # recording there: every intact chunk before it is kept (crypto.seal_intact).
    if crypto.is_encrypted(part):
        sealed = crypto.seal_intact(part, key)
        data, damaged = max(0, sealed.plaintext_bytes - PART_HEADER_BYTES), sealed.damaged
        data -= data % frame_bytes
    else:
        data = _fix_plain_part(part, samplerate, channels, frame_bytes)
    target = wav_path(part)
    os.replace(part, target)
    sidecar_path(part).unlink(missing_ok=True)
    sync_folder(part.parent)
    frames = data // frame_bytes
    recording = Recording(
        path=str(target),
        duration_s=frames / samplerate,
        samplerate=samplerate,
        channels=channels,
    )
    return Recovery(recording, damaged)


def _fix_plain_part(part: Path, samplerate: int, channels: int, frame_bytes: int) -> int:
    with open(part, "r+b") as f:
        size = f.seek(0, os.SEEK_END)
        data = max(0, size - PART_HEADER_BYTES)
        data -= data % frame_bytes
        f.truncate(PART_HEADER_BYTES + data)
        f.seek(0)
        f.write(wav_header(samplerate, channels, data))
        f.flush()
        os.fsync(f.fileno())
    return data


def finalize_interrupted(part: Path, key: bytes | None = None) -> Recording:
    """Recover what an interrupted recording flushed to disk as ``<name>.wav``; remove the parts."""
    return recover_part(part, key).recording


def recover_part(part: Path, key: bytes | None = None) -> Recovery:
    """:func:`finalize_interrupted`, saying whether the recording was cut at a damaged chunk."""
    meta = read_sidecar(part)
    try:
        return _finish(part, meta, key)
    except OSError as exc:
        raise AudioFileError(
            f"Interrupted recording {_stem(part)} could not be recovered; "
            "check that the audio folder is writable."
        ) from exc
