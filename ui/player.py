"""Plays a visit's audio from a given time with sounddevice (double-click on a transcript segment).

Reading and decoding happen on a short-lived thread so the UI never waits on the disk; errors come
back through a queued signal as one sentence.
"""

from __future__ import annotations

import threading
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Signal

from scribe.errors import AudioDeviceError, ScribeError

MAX_SECONDS = 120.0
"""How much audio one double-click plays (enough to hear a sentence in context)."""


def read_clip(path: Path, start_s: float, seconds: float = MAX_SECONDS,
              key: bytes | None = None) -> tuple[np.ndarray, int]:
    """Audio from ``start_s`` for up to ``seconds``: WAV/FLAC/MP3 by seeking, others (and
    Scribe's encrypted recordings, with ``key``) by decoding in memory."""
    try:
        import soundfile as sf

        with sf.SoundFile(str(path)) as f:
            sr = f.samplerate
            f.seek(min(int(start_s * sr), f.frames))
            return f.read(int(seconds * sr), dtype="float32"), sr
    except Exception:  # noqa: BLE001 - formats libsndfile lacks (m4a) are decoded below
        pass
    from scribe.audio.files import SAMPLE_RATE, load_audio

    audio = load_audio(path, key)
    start = int(start_s * SAMPLE_RATE)
    return audio[start:start + int(seconds * SAMPLE_RATE)], SAMPLE_RATE


class Player(QObject):
    failed = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._generation = 0
        self._played = False

    def play(self, path: Path, start_s: float, key: bytes | None = None) -> None:
        self._generation += 1
        self._played = True
        gen = self._generation
        threading.Thread(target=self._run, args=(path, start_s, gen, key), daemon=True,
                         name="scribe-player").start()

    def _run(self, path: Path, start_s: float, gen: int, key: bytes | None) -> None:
        try:
            data, sr = read_clip(path, start_s, key=key)
            if gen != self._generation:
                return  # a newer double-click won
            from scribe.audio.devices import load_sounddevice

            sd = load_sounddevice()
            sd.stop()
            sd.play(data, sr)
        except ScribeError as e:
            self.failed.emit(e.message)
        except Exception:  # noqa: BLE001 - PortAudio raises its own error types
            self.failed.emit(AudioDeviceError(
                "The audio could not be played; check the speakers or headphones.").message)

    def stop(self) -> None:
        self._generation += 1
        if not self._played:
            return  # never load the audio system just to stop nothing
        try:
            from scribe.audio.devices import load_sounddevice

            load_sounddevice().stop()
        except Exception:  # noqa: BLE001 - nothing playing, or no audio system at all
            pass
