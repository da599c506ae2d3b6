"""Reading audio files for import: validation with clear errors, decoding to 16 kHz mono float32."""

from __future__ import annotations

import io
import struct
from pathlib import Path

import numpy as np

from scribe.errors import AudioFileError
from scribe.security.crypto import is_encrypted, read_plaintext

SAMPLE_RATE = 16000
SUPPORTED = (".wav", ".mp3", ".m4a", ".flac", ".ogg", ".webm")


def check_wav_complete(path: Path) -> None:
    """Raise if a RIFF/WAVE file declares more audio data than it holds (a truncated file)."""
    size = path.stat().st_size
    with path.open("rb") as f:
        head = f.read(12)
        if len(head) < 12 or head[:4] != b"RIFF" or head[8:12] != b"WAVE":
            return  # not a RIFF WAV; the decoder decides
        pos = 12
        while pos + 8 <= size:
            f.seek(pos)
            cid, clen = struct.unpack("<4sI", f.read(8))
            if cid == b"data":
                if clen in (0, 0xFFFFFFFF):  # streaming writers leave the size open
                    return
                if pos + 8 + clen > size:
                    raise AudioFileError(
                        f"{path.name} is truncated (the file ends before its audio does); "
                        "copy it again from its source."
                    )
                return
            pos += 8 + clen + (clen & 1)
        raise AudioFileError(f"{path.name} is a WAV file with no audio data.")


def fix_streaming_wav(data: bytes) -> bytes:
    """Fill in the sizes of a canonical 44-byte WAV header left open by a streaming writer."""
    if len(data) < 44 or data[:4] != b"RIFF" or data[36:40] != b"data":
        return data
    if struct.unpack_from("<I", data, 40)[0] != 0xFFFFFFFF:
        return data
    size = min(len(data) - 44, 0xFFFFFFFF - 36)
    return data[:4] + struct.pack("<I", 36 + size) + data[8:40] + struct.pack("<I", size) + data[44:]


def load_audio(path: str | Path, key: bytes | None = None) -> np.ndarray:
    """Decode any supported file to 16 kHz mono float32; every failure is an AudioFileError.

    ``key``: the data key, for a file Scribe stored encrypted (the workspace's vault passes it).
    """
    p = Path(path)
    if not p.is_file():
        raise AudioFileError(f"Audio file not found: {p.name}.")
    if p.stat().st_size == 0:
        raise AudioFileError(f"{p.name} is empty; there is no audio to transcribe.")
    source: str | io.BytesIO = str(p)
    if is_encrypted(p):  # decrypted in memory only, never to a temp file (issue 5)
        source = io.BytesIO(fix_streaming_wav(read_plaintext(p, key)))
    else:
        check_wav_complete(p)
    from faster_whisper.audio import decode_audio

    try:
        audio = decode_audio(source, sampling_rate=SAMPLE_RATE)
    except Exception:  # PyAV raises many types for non-audio input
        raise AudioFileError(
            f"{p.name} could not be read as audio; use a WAV, MP3, M4A or FLAC recording."
        ) from None
    if audio.size == 0:
        raise AudioFileError(f"{p.name} contains no audio.")
    return audio.astype(np.float32, copy=False)


def duration_s(audio: np.ndarray) -> float:
    return float(audio.shape[0]) / SAMPLE_RATE
