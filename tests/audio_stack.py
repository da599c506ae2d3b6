"""Audio test helpers: a fake microphone fed from a file, and a real PulseAudio → PortAudio stack.

``pulse_source`` starts a private PulseAudio daemon with a null sink whose monitor is the default
source, points PortAudio (through the ALSA ``pulse`` device) at it, and lets a test play a clip into
it. Under ``CI=true`` a missing piece fails the test; elsewhere it skips with the reason.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pytest

DATA = Path(__file__).parent / "data"
SINK = "scribe_test_sink"


def read_wav(path: Path) -> tuple[np.ndarray, int]:
    """int16 samples (frames x channels) and samplerate of a 16-bit WAV."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2, path
        raw = w.readframes(w.getnframes())
        return np.frombuffer(raw, dtype="<i2").reshape(-1, w.getnchannels()), w.getframerate()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``condition`` until true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.02)


# ---- fake microphone ---------------------------------------------------------------------------
class FakeStream:
    """Stands in for ``sounddevice.InputStream``; the test pushes blocks through the callback."""

    def __init__(self, mic: FakeMicrophone, **kwargs: Any) -> None:
        self.mic = mic
        self.kwargs = kwargs
        self.callback = kwargs["callback"]
        self.finished_callback = kwargs.get("finished_callback")
        self.active = False
        self.closed = False

    def start(self) -> None:
        if self.mic.fail_on_start:
            raise RuntimeError("fake PortAudio error")
        self.active = True

    def stop(self) -> None:
        was_active, self.active = self.active, False
        if was_active and self.finished_callback:
            self.finished_callback()

    def close(self) -> None:
        self.active = False
        self.closed = True


@dataclass
class FakeMicrophone:
    """Plays ``samples`` (int16, frames x channels) through the recorder's callback on demand."""

    samples: np.ndarray
    blocksize: int = 800
    fail_on_start: bool = False
    position: int = 0
    stream: FakeStream | None = field(default=None, repr=False)

    @classmethod
    def from_wav(cls, path: Path, **kwargs: Any) -> FakeMicrophone:
        return cls(read_wav(path)[0], **kwargs)

    def factory(self, **kwargs: Any) -> FakeStream:
        self.stream = FakeStream(self, **kwargs)
        return self.stream

    @property
    def remaining(self) -> int:
        return len(self.samples) - self.position

    def feed(self, frames: int | None = None) -> int:
        """Deliver the next ``frames`` (default: all the rest) in blocks; returns frames fed."""
        assert self.stream is not None and self.stream.active, "stream not started"
        end = (
            len(self.samples) if frames is None else min(len(self.samples), self.position + frames)
        )
        start = self.position
        while self.position < end:
            block = self.samples[self.position : min(end, self.position + self.blocksize)]
            self.stream.callback(block, len(block), None, None)
            self.position += len(block)
        return end - start

    def unplug(self) -> None:
        """The device vanishes: PortAudio ends the stream and calls finished_callback."""
        assert self.stream is not None
        self.stream.active = False
        if self.stream.finished_callback:
            self.stream.finished_callback()


# ---- real audio stack --------------------------------------------------------------------------
def _missing(reason: str) -> None:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"audio stack unavailable under CI: {reason}")
    pytest.skip(f"audio stack unavailable: {reason}")


@dataclass
class PulseSource:
    """A running private PulseAudio with a null sink; its monitor is the capture device."""

    server: str
    device: str = "pulse"  # the ALSA device PortAudio lists, routed to PULSE_SERVER
    env: dict[str, str] = field(default_factory=dict)

    def play(self, clip: Path) -> subprocess.Popen[bytes]:
        """Start playing ``clip`` into the sink (what the virtual microphone 'hears')."""
        return subprocess.Popen(
            ["paplay", f"--device={SINK}", str(clip)],
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )


def _reinit_portaudio() -> Any:
    import sounddevice as sd

    sd._terminate()  # PortAudio reads PULSE_SERVER and the device list only at initialisation
    sd._initialize()
    return sd


@pytest.fixture
def pulse_source() -> Iterator[PulseSource]:
    for tool in ("pulseaudio", "pactl", "paplay"):
        if shutil.which(tool) is None:
            _missing(f"'{tool}' is not installed (apt-get install pulseaudio pulseaudio-utils)")
    try:
        import sounddevice  # noqa: F401
    except OSError:
        _missing("PortAudio is not installed (apt-get install libportaudio2)")
    root = Path(tempfile.mkdtemp(prefix="scribe-pulse-"))
    for sub in ("run/pulse", "home", "config", "state"):
        (root / sub).mkdir(parents=True)
    socket = root / "run" / "native"
    env = dict(
        os.environ,
        HOME=str(root / "home"),
        XDG_RUNTIME_DIR=str(root / "run"),
        PULSE_RUNTIME_PATH=str(root / "run" / "pulse"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_STATE_HOME=str(root / "state"),
        PULSE_SERVER=f"unix:{socket}",
    )
    log = open(root / "pulseaudio.log", "wb")  # noqa: SIM115 - closed in teardown
    daemon = subprocess.Popen(
        [
            "pulseaudio",
            "-n",
            "--daemonize=no",
            "--exit-idle-time=-1",
            "--disallow-exit",
            "--system=false",
            "--disable-shm=true",
            "--use-pid-file=false",
            "-L",
            f"module-native-protocol-unix auth-anonymous=1 socket={socket}",
            "-L",
            f"module-null-sink sink_name={SINK} rate=16000 channels=1",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    old_server = os.environ.get("PULSE_SERVER")
    try:
        deadline = time.monotonic() + 15
        while True:
            ok = subprocess.run(["pactl", "info"], env=env, capture_output=True).returncode == 0
            if ok:
                break
            if daemon.poll() is not None or time.monotonic() > deadline:
                tail = (root / "pulseaudio.log").read_text(errors="replace")[-800:]
                _missing(f"the PulseAudio daemon did not start: {tail}")
            time.sleep(0.05)
        subprocess.run(["pactl", "set-default-source", f"{SINK}.monitor"], env=env, check=True)
        os.environ["PULSE_SERVER"] = env["PULSE_SERVER"]
        sd = _reinit_portaudio()
        names = [d["name"] for d in sd.query_devices() if d["max_input_channels"] > 0]
        if "pulse" not in names:
            _missing(
                "PortAudio has no 'pulse' ALSA input (apt-get install libasound2-plugins); "
                f"inputs: {names}"
            )
        yield PulseSource(server=env["PULSE_SERVER"], env=env)
    finally:
        if old_server is None:
            os.environ.pop("PULSE_SERVER", None)
        else:
            os.environ["PULSE_SERVER"] = old_server
        daemon.terminate()
        try:
            daemon.wait(timeout=10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait()
        log.close()
        try:
            _reinit_portaudio()
        except OSError:
            pass
        shutil.rmtree(root, ignore_errors=True)
