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
    check_complete(p.name, source, duration_s(audio))
    return audio.astype(np.float32, copy=False)


def clock(seconds: float) -> str:
    """``m:ss`` (rounded down), as the visit list shows a duration."""
    whole = int(seconds)
    return f"{whole // 60}:{whole % 60:02d}"


TRUNCATION_SLACK_S = 0.5
"""Declared and decoded lengths may differ this much (encoder padding, frame rounding)."""


def check_complete(name: str, source: str | io.BytesIO, decoded_s: float) -> None:
    """Raise when a compressed file declares more audio than it holds (a copy cut short).

    Only a length the file itself records counts: FLAC's STREAMINFO sample count, an MP3's
    Xing/Info/VBRI header, an MP4/M4A's track duration. A length guessed from the bit rate (an MP3
    without a header) cannot tell a short file from a cut one, so it is not used.
    """
    declared = declared_duration_s(source)
    if declared is not None and declared - decoded_s > max(TRUNCATION_SLACK_S, 0.02 * declared):
        raise AudioFileError(
            f"{name} is cut short: it holds {clock(decoded_s)} of the {clock(declared)} it "
            "declares; copy it again from its source."
        )


def declared_duration_s(source: str | io.BytesIO) -> float | None:
    """The duration the container records for its audio, in seconds, or None when it records
    none it can be trusted for (see :func:`check_complete`)."""
    import av

    try:
        if isinstance(source, io.BytesIO):
            source.seek(0)
            head = source.read(_HEAD_BYTES)
            source.seek(0)
        else:
            with open(source, "rb") as f:
                head = f.read(_HEAD_BYTES)
        with av.open(source, metadata_errors="ignore") as container:
            fmt = set(container.format.name.split(","))
            streams = container.streams.audio
            if not streams:
                return None
            stream = streams[0]
            if "flac" in fmt or "mp4" in fmt or "mov" in fmt or ("mp3" in fmt and _has_vbr_header(head)):
                if stream.duration is not None and stream.time_base is not None:
                    return float(stream.duration * stream.time_base)
                if container.duration is not None:
                    return container.duration / 1_000_000  # AV_TIME_BASE
            return None
    except Exception:  # noqa: BLE001 - the decoder already accepted it; no declared length then
        return None
    finally:
        if isinstance(source, io.BytesIO):
            source.seek(0)


_HEAD_BYTES = 256 * 1024


def _has_vbr_header(head: bytes) -> bool:
    """True when the first MP3 frame (after any ID3v2 tag) carries a Xing/Info/VBRI header."""
    pos = 0
    if head[:3] == b"ID3" and len(head) >= 10:
        size = (head[6] & 0x7F) << 21 | (head[7] & 0x7F) << 14 | (head[8] & 0x7F) << 7 | head[9] & 0x7F
        pos = 10 + size + (10 if head[5] & 0x10 else 0)
    frame = head[pos : pos + 200]
    return any(tag in frame for tag in (b"Xing", b"Info", b"VBRI"))


def duration_s(audio: np.ndarray) -> float:
    return float(audio.shape[0]) / SAMPLE_RATE
