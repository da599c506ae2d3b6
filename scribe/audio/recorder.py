"""Records the microphone to a crash-safe file that grows on disk while the visit goes on.

Threads: PortAudio's callback only copies each block into a queue and updates the level; a writer
thread drains the queue to ``<name>.pcm.part`` and fsyncs it at least every ``flush_interval_s``
(0.5 s), so a crash or kill -9 loses at most about a second. ``stop()`` fixes the WAV header in place
and renames the file to ``<name>.wav`` (format: see :mod:`scribe.audio.partfile`).

A live transcriber reads the growing audio with :meth:`Recorder.read_audio` (float32 mono, the
array faster-whisper accepts), or reads ``partial_path`` itself: a 44-byte header, then int16 PCM,
of which the first ``frames_written`` frames are complete.
"""

from __future__ import annotations

import errno
import json
import math
import os
import queue
import shutil
import threading
import time
import uuid
from collections.abc import Callable
from datetime import datetime, timezone
from enum import Enum
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from scribe.audio.devices import load_sounddevice, resolve_input_device
from scribe.audio.partfile import (
    PART_HEADER_BYTES,
    PART_SUFFIX,
    SAMPLE_BYTES,
    SIDECAR_SUFFIX,
    finalize_part,
    wav_header,
)
from scribe.domain import Recording
from scribe.errors import AudioDeviceError, AudioFileError, DiskFullError, ScribeError
from scribe.security import crypto

__all__ = ["ChunkWriter", "PcmFileWriter", "Recorder", "RecorderState", "SOUND_DBFS"]

SOUND_DBFS = -50.0
"""A block louder than this counts as sound for :attr:`Recorder.seconds_since_sound`."""
_FLOOR_DBFS = -60.0  # level 0.0; 0 dBFS is level 1.0

DEVICE_LOST = "The microphone stopped responding; the recording was saved up to that point."
DISK_FULL = "The disk is full; the recording was saved up to that point. Free some space."
_CANNOT_OPEN = (
    "The microphone could not be opened; check it is connected and not used by another app."
)
_CANNOT_WRITE = (
    "The recording could not be written to disk; check that the audio folder is writable."
)

NO_ROOM = ("The disk is nearly full: less than a minute of recording would fit; free some space "
           "before recording.")
MIN_FREE_S = 60.0
"""Recording does not start with room for less than this much audio (plus the database's margin)."""
DB_MARGIN_BYTES = 1024 * 1024

_STOP = object()
_LOST = object()


class RecorderState(str, Enum):
    IDLE = "idle"
    RECORDING = "recording"
    PAUSED = "paused"
    ENDED = "ended"  # capture ended on its own (see Recorder.error); stop() returns the audio
    STOPPED = "stopped"


class ChunkWriter(Protocol):
    """Where the writer thread puts audio; an encrypting writer (AES-GCM chunks) fits here too."""

    def write(self, data: bytes) -> None: ...

    def flush(self) -> None:
        """Make everything written so far durable on disk."""

    def close(self) -> None: ...


class PcmFileWriter:
    """Plain part file: the header is written and fsynced at creation, then raw PCM appended."""

    def __init__(self, path: Path, header: bytes) -> None:
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
        self._fd = os.open(path, flags, 0o600)
        try:
            self.write(header)
            self.flush()
        except OSError:
            os.close(self._fd)
            raise

    def write(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            written = os.write(self._fd, view)
            view = view[written:]

    def flush(self) -> None:
        os.fsync(self._fd)

    def close(self) -> None:
        os.close(self._fd)


def _write_error(exc: OSError) -> ScribeError:
    if exc.errno in (errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)):
        return DiskFullError(DISK_FULL)
    return AudioFileError(_CANNOT_WRITE)


class Recorder:
    """One recording from one microphone. Make a new Recorder for each recording.

    Args:
        out_dir: folder for the audio files (created if missing).
        device: PortAudio device index or name (fragment); None = system default.
        stream_factory: builds the input stream (default ``sounddevice.InputStream``); tests pass
            a fake that calls ``callback(indata, frames, time, status)`` with int16 blocks.
        encounter_id: stored in the sidecar; also the default file name.
        key: the data key: audio is written as AES-GCM chunks (and read back) with it; None writes
            plain PCM (:class:`PcmFileWriter`), for tests and tools only.
        writer_factory: ``(path, header) -> ChunkWriter``; overrides the writer ``key`` chooses
            (tests inject faults through it).
        stall_timeout_s: no block for this long means the microphone is gone.
        capture_samplerate: rate to open the device at when it differs from ``samplerate``
            (audio is resampled to ``samplerate`` on the writer thread). None: ``samplerate``,
            or for a real device that refuses it, the device's own default rate.
    """

    def __init__(
        self,
        out_dir: Path,
        device: int | str | None = None,
        samplerate: int = 16000,
        channels: int = 1,
        stream_factory: Callable[..., Any] | None = None,
        *,
        key: bytes | None = None,
        encounter_id: str | None = None,
        name: str | None = None,
        writer_factory: Callable[[Path, bytes], ChunkWriter] | None = None,
        flush_interval_s: float = 0.5,
        stall_timeout_s: float = 5.0,
        blocksize: int = 0,
        capture_samplerate: int | None = None,
    ) -> None:
        self.out_dir = Path(out_dir)
        self.device = device
        self.samplerate = int(samplerate)
        self.channels = int(channels)
        self.capture_samplerate = int(capture_samplerate or samplerate)
        self.encounter_id = encounter_id
        self._stream_factory = stream_factory
        self._key = key
        default = crypto.writer_factory(key) if key is not None else PcmFileWriter
        self._writer_factory = writer_factory or default
        self._name = name or encounter_id or uuid.uuid4().hex
        self._flush_interval_s = flush_interval_s
        self._stall_timeout_s = stall_timeout_s
        self._blocksize = blocksize
        self._frame_bytes = self.channels * SAMPLE_BYTES

        self._state = RecorderState.IDLE
        self._error: ScribeError | None = None
        self._queue: queue.SimpleQueue[Any] = queue.SimpleQueue()
        self._stream: Any = None
        self._stream_lock = threading.Lock()
        self._file_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._done = threading.Event()
        self._stop_requested = False
        self._part: Path | None = None
        self._meta: dict[str, Any] = {}
        self._recording: Recording | None = None
        self._finalize_error: ScribeError | None = None
        # Written by the audio callback, read by the UI timer (plain attribute writes; GIL-safe).
        self._level = 0.0
        self._peak = 0.0  # loudest block since the UI last took it
        self._frames_captured = 0
        self._last_sound_frame = 0
        self._last_block_at = 0.0
        self._frames_written = 0
        self._resampler: _Resampler | None = None

    # ---- what the UI polls -------------------------------------------------------------------
    @property
    def state(self) -> RecorderState:
        return self._state

    @property
    def error(self) -> ScribeError | None:
        """Why the recording ended on its own (microphone gone, disk full), else None."""
        return self._error

    @property
    def level(self) -> float:
        """Loudness of the last block, 0..1 (-60 dBFS..0 dBFS); 0 unless recording."""
        return self._level if self._state is RecorderState.RECORDING else 0.0

    def take_peak(self) -> float:
        """Loudest block since the last call, 0..1; 0 unless recording.

        A meter polled every 50 ms that shows only the last block misses a word spoken between
        polls (and a busy machine polls late); the peak since the last poll does not.
        """
        peak, self._peak = self._peak, 0.0
        return peak if self._state is RecorderState.RECORDING else 0.0

    @property
    def elapsed_s(self) -> float:
        """Seconds of audio recorded, pauses excluded."""
        return self._frames_captured / self.capture_samplerate

    @property
    def seconds_since_sound(self) -> float:
        """Recorded seconds since the last block louder than SOUND_DBFS (drives a 'no sound' hint)."""
        return (self._frames_captured - self._last_sound_frame) / self.capture_samplerate

    @property
    def frames_written(self) -> int:
        """Frames handed to the OS in the part file (readable by another file handle)."""
        return self._frames_written

    @property
    def partial_path(self) -> Path | None:
        """The growing part file while recording; None before start and after finishing."""
        return None if self._recording is not None else self._part

    def wait_ended(self, timeout: float | None = None) -> bool:
        """Block until the writer has finished (after stop() or after an error ended it)."""
        return self._done.wait(timeout)

    # ---- control ----------------------------------------------------------------------------
    def start(self) -> None:
        if self._state is not RecorderState.IDLE:
            raise RuntimeError("A Recorder records once; make a new one.")
        factory, device = self._stream_factory, self.device
        if factory is None:
            sd = load_sounddevice()
            chosen = resolve_input_device(self.device)
            device, factory = chosen.index, sd.InputStream
            if self.capture_samplerate == self.samplerate and not self._device_accepts(sd, device):
                self.capture_samplerate = int(chosen.default_samplerate or 48000)
        if self.capture_samplerate != self.samplerate:
            self._resampler = _Resampler(self.capture_samplerate, self.samplerate, self.channels)
        try:
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self._check_room()
            self._part = self._claim_part()
            writer = self._writer_factory(
                self._part, wav_header(self.samplerate, self.channels, None)
            )
        except OSError as exc:
            raise _write_error(exc) from exc
        try:
            self._write_sidecar(self._part)
            self._last_block_at = time.monotonic()
            self._stream = factory(
                samplerate=self.capture_samplerate,
                channels=self.channels,
                dtype="int16",
                device=device,
                blocksize=self._blocksize,
                latency="high",
                callback=self._on_block,
                finished_callback=self._on_finished,
            )
            self._state = RecorderState.RECORDING
            self._stream.start()
        except Exception as exc:
            self._state = RecorderState.IDLE
            self._close_stream()
            self._discard(writer)
            if isinstance(exc, OSError) and exc.errno is not None:
                raise _write_error(exc) from exc
            raise AudioDeviceError(_CANNOT_OPEN) from exc
        self._thread = threading.Thread(
            target=self._drain, args=(writer,), name="scribe-recorder-writer", daemon=True
        )
        self._thread.start()

    def pause(self) -> None:
        if self._state is RecorderState.RECORDING:
            self._state = RecorderState.PAUSED

    def resume(self) -> None:
        if self._state is RecorderState.PAUSED:
            self._state = RecorderState.RECORDING

    def stop(self) -> Recording:
        """End the recording and return the finished WAV (also after an error ended it)."""
        if self._thread is None:
            raise RuntimeError("The recorder was never started.")
        if not self._done.is_set():
            self._stop_requested = True
            self._close_stream()  # no callback runs after this, so _STOP comes after every block
            self._queue.put(_STOP)
        self._thread.join()
        if self._recording is None:
            raise self._finalize_error or AudioFileError(_CANNOT_WRITE)
        return self._recording

    def read_audio(self, start_frame: int = 0, end_frame: int | None = None) -> np.ndarray:
        """Recorded audio as float32 mono in [-1, 1], up to what is written so far."""
        with self._file_lock:
            path = Path(self._recording.path) if self._recording else self._part
            if path is None:
                return np.zeros(0, dtype=np.float32)
            end = (
                self._frames_written if end_frame is None else min(end_frame, self._frames_written)
            )
            count = max(0, end - start_frame)
            offset = PART_HEADER_BYTES + start_frame * self._frame_bytes
            if crypto.is_encrypted(path):  # decrypts only the chunks in range (issue 5)
                raw = crypto.read_range(path, offset, count * self._frame_bytes, self._key)
            else:
                with open(path, "rb") as f:
                    f.seek(offset)
                    raw = f.read(count * self._frame_bytes)
        samples = np.frombuffer(raw[: len(raw) - len(raw) % self._frame_bytes], dtype="<i2")
        audio = samples.astype(np.float32) / 32768.0
        if self.channels > 1:
            audio = audio.reshape(-1, self.channels).mean(axis=1)
        return audio

    # ---- audio thread -----------------------------------------------------------------------
    def _on_block(self, indata: Any, frames: int, time_info: Any, status: Any) -> None:
        """PortAudio callback: copy the block and update the level; nothing else (no I/O)."""
        self._last_block_at = time.monotonic()
        if self._state is not RecorderState.RECORDING:
            return
        block = np.asarray(indata)
        self._queue.put(block.tobytes())
        x = block.astype(np.float32)
        rms = math.sqrt(float(np.mean(x * x))) / 32768.0 if x.size else 0.0
        dbfs = 20.0 * math.log10(rms) if rms > 0 else -120.0
        self._level = min(1.0, max(0.0, (dbfs - _FLOOR_DBFS) / -_FLOOR_DBFS))
        self._peak = max(self._peak, self._level)
        self._frames_captured += frames
        if dbfs > SOUND_DBFS:
            self._last_sound_frame = self._frames_captured

    def _on_finished(self) -> None:
        if not self._stop_requested:
            self._queue.put(_LOST)

    # ---- writer thread ----------------------------------------------------------------------
    def _write(self, writer: ChunkWriter, block: bytes) -> None:
        data = self._resampler.convert(block) if self._resampler else block
        writer.write(data)
        self._frames_written += len(data) // self._frame_bytes

    def _drain(self, writer: ChunkWriter) -> None:
        fault: ScribeError | None = None
        last_flush = time.monotonic()
        dirty = False
        try:
            while True:
                try:
                    item = self._queue.get(timeout=0.1)
                except queue.Empty:
                    item = None
                if item is _STOP:
                    if self._resampler:
                        tail = self._resampler.finish()
                        writer.write(tail)
                        self._frames_written += len(tail) // self._frame_bytes
                    break
                if item is _LOST:
                    fault = AudioDeviceError(DEVICE_LOST)
                    break
                if item is not None:
                    self._write(writer, item)
                    dirty = True
                now = time.monotonic()
                if dirty and now - last_flush >= self._flush_interval_s:
                    writer.flush()
                    dirty, last_flush = False, now
                if item is None and not self._stop_requested and self._stream_lost(now):
                    fault = AudioDeviceError(DEVICE_LOST)
                    break
            if fault is not None:  # the device is gone: keep the blocks it delivered before
                self._close_stream()
                self._write_pending(writer)
        except OSError as exc:
            fault = _write_error(exc)
        self._finish(writer, fault)

    def _write_pending(self, writer: ChunkWriter) -> None:
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                return
            if isinstance(item, bytes):
                self._write(writer, item)

    def _stream_lost(self, now: float) -> bool:
        if not getattr(self._stream, "active", True):
            return True
        return now - self._last_block_at > self._stall_timeout_s

    def _finish(self, writer: ChunkWriter, fault: ScribeError | None) -> None:
        if fault is not None:
            self._error = fault
            self._close_stream()
        try:
            writer.flush()
        except OSError:
            pass  # a full disk keeps what already reached it
        try:
            writer.close()
        except OSError:
            pass
        assert self._part is not None
        with self._file_lock:
            try:
                self._recording = finalize_part(self._part, self._meta, self._key)
                self._frames_written = int(round(self._recording.duration_s * self.samplerate))
            except OSError as exc:
                # The part file stays; scribe.audio.partfile finds it on the next start.
                self._finalize_error = _write_error(exc)
        self._state = RecorderState.ENDED if fault is not None else RecorderState.STOPPED
        self._done.set()

    # ---- helpers ----------------------------------------------------------------------------
    def _check_room(self) -> None:
        """Refuse to start on a disk that cannot hold a minute of audio and the visit's row: a
        recording that fills the disk in its first seconds leaves nothing worth keeping."""
        need = int(MIN_FREE_S * self.samplerate * self._frame_bytes) + DB_MARGIN_BYTES
        try:
            free = shutil.disk_usage(self.out_dir).free
        except OSError:
            return  # the write that follows says what is wrong
        if free < need:
            raise DiskFullError(NO_ROOM)

    def _device_accepts(self, sd: Any, device: int) -> bool:
        try:
            sd.check_input_settings(
                device=device, samplerate=self.samplerate, channels=self.channels, dtype="int16"
            )
        except Exception:  # noqa: BLE001 - PortAudioError or ValueError: rate not supported
            return False
        return True

    def _close_stream(self) -> None:
        with self._stream_lock:
            stream, self._stream = self._stream, None
        if stream is None:
            return
        for action in (stream.stop, stream.close):
            try:
                action()
            except Exception:  # noqa: BLE001 - a vanished device may fail to stop; it is closed
                pass

    def _claim_part(self) -> Path:
        stem, n = self._name, 1
        while any(
            (self.out_dir / (stem + suffix)).exists()
            for suffix in (PART_SUFFIX, SIDECAR_SUFFIX, ".wav")
        ):
            n += 1
            stem = f"{self._name}-{n}"
        return self.out_dir / (stem + PART_SUFFIX)

    def _write_sidecar(self, part: Path) -> None:
        self._meta = {
            "format": "scribe-pcm-part/1",
            "samplerate": self.samplerate,
            "channels": self.channels,
            "sample_format": "int16le",
            "header_bytes": PART_HEADER_BYTES,
            "started_at": datetime.now(timezone.utc).isoformat(),
            "encounter_id": self.encounter_id,
        }
        sidecar = part.with_name(part.name[: -len(PART_SUFFIX)] + SIDECAR_SUFFIX)
        tmp = sidecar.with_name(sidecar.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as f:
            json.dump(self._meta, f)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, sidecar)

    def _discard(self, writer: ChunkWriter) -> None:
        try:
            writer.close()
        except OSError:
            pass
        if self._part is not None:
            for path in (
                self._part,
                self._part.with_name(self._part.name[: -len(PART_SUFFIX)] + SIDECAR_SUFFIX),
            ):
                path.unlink(missing_ok=True)
        self._part = None


class _Resampler:
    """Streaming int16 resampler (libswresample through PyAV, which faster-whisper already needs)."""

    def __init__(self, src_rate: int, dst_rate: int, channels: int) -> None:
        import av

        if channels not in (1, 2):
            raise AudioDeviceError(_CANNOT_OPEN)
        self._av = av
        self._src_rate = src_rate
        self._layout = "mono" if channels == 1 else "stereo"
        self._resampler = av.AudioResampler(format="s16", layout=self._layout, rate=dst_rate)

    def _run(self, frame: Any) -> bytes:
        return b"".join(f.to_ndarray().tobytes() for f in self._resampler.resample(frame))

    def convert(self, block: bytes) -> bytes:
        samples = np.frombuffer(block, dtype="<i2").reshape(1, -1)  # packed s16: one plane
        frame = self._av.AudioFrame.from_ndarray(samples, format="s16", layout=self._layout)
        frame.sample_rate = self._src_rate
        return self._run(frame)

    def finish(self) -> bytes:
        """The samples still inside the filter."""
        return self._run(None)
