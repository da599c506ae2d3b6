"""A microphone that plays a recording: what the benches record a visit from.

:class:`FileStream` stands in for ``sounddevice.InputStream`` (the only part of the app's path a
bench cannot have: a person speaking into a microphone). It calls the recorder's PortAudio-style
callback with int16 blocks, paced at ``speed`` × real time (1 = real time, as a visit happens;
0 = as fast as the recorder takes them), then keeps delivering silence, as an open microphone
does, until the recorder stops it (or, with ``loop``, plays the recording again: screenshots of a
visit in progress). The app's tests and the screenshot script record from it too.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16000


class FileStream:
    def __init__(self, audio: np.ndarray, callback, finished_callback=None, blocksize: int = 0,
                 speed: float = 1.0, loop: bool = False, **_kw) -> None:
        pcm = np.clip(np.asarray(audio, dtype=np.float32), -1.0, 1.0)
        self.data = (pcm * 32767).astype(np.int16).reshape(-1, 1)
        self.callback = callback
        self.block = blocksize or 1600  # 0.1 s
        self.speed = speed
        self.loop = loop
        self.active = False
        self.started_at = 0.0  # perf_counter when the first block was delivered
        self.fed_all = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="bench-mic")

    def start(self) -> None:
        self.active = True
        self._thread.start()

    def audio_time(self) -> float:
        """Seconds of the recording delivered by now (the "audio clock" of a live visit)."""
        if not self.started_at:
            return 0.0
        elapsed = (time.perf_counter() - self.started_at) * (self.speed or float("inf"))
        return min(elapsed, len(self.data) / SAMPLE_RATE)

    def _run(self) -> None:
        self.started_at = time.perf_counter()
        played = 0  # frames delivered, over every pass of a loop
        while True:
            for i in range(0, len(self.data), self.block):
                if self.speed > 0:
                    due = self.started_at + played / SAMPLE_RATE / self.speed
                    if self._stop.wait(max(0.0, due - time.perf_counter())):
                        return
                elif self._stop.is_set():
                    return
                chunk = self.data[i:i + self.block]
                self.callback(chunk, len(chunk), None, None)
                played += len(chunk)
            self.fed_all.set()
            if not self.loop:
                break
        quiet = np.zeros((self.block, 1), dtype=np.int16)
        while not self._stop.wait(self.block / SAMPLE_RATE):
            self.callback(quiet, self.block, None, None)

    def stop(self) -> None:
        self._stop.set()
        self.active = False
        if self._thread.is_alive() and threading.current_thread() is not self._thread:
            self._thread.join()

    def close(self) -> None:
        self.stop()


class FileMicrophone:
    """A ``stream_factory`` for :class:`scribe.audio.recorder.Recorder` that plays ``audio``;
    every stream it opens is kept in ``streams`` (the last in ``stream``)."""

    def __init__(self, audio: np.ndarray, speed: float = 1.0, loop: bool = False) -> None:
        self.audio = audio
        self.speed = speed
        self.loop = loop
        self.streams: list[FileStream] = []

    @classmethod
    def from_file(cls, path: Path, speed: float = 1.0, loop: bool = False) -> FileMicrophone:
        data, sr = sf.read(str(path), dtype="float32", always_2d=True)
        if sr != SAMPLE_RATE:
            raise ValueError(f"{path.name} is {sr} Hz; the bench microphone plays 16 kHz clips")
        return cls(data[:, 0], speed, loop)

    @property
    def stream(self) -> FileStream | None:
        return self.streams[-1] if self.streams else None

    def __call__(self, **kw) -> FileStream:
        for own in ("speed", "loop"):
            kw.pop(own, None)
        stream = FileStream(self.audio, speed=self.speed, loop=self.loop, **kw)
        self.streams.append(stream)
        return stream
