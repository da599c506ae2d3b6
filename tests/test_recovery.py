"""Recovery of a recording whose process died: kill -9 loses at most the last second."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from scribe.audio.partfile import finalize_interrupted, find_interrupted, wav_header
from scribe.errors import AudioFileError
from tests.audio_stack import DATA, read_wav

ROOT = Path(__file__).resolve().parent.parent
SR = 16000

# A recording process fed in real time (50 ms blocks) from a looped clip; after each block it
# prints how many seconds the recorder has captured so far.
CHILD = textwrap.dedent(
    """
    import sys, time
    import numpy as np
    from pathlib import Path
    from scribe.audio.recorder import Recorder
    from tests.audio_stack import DATA, FakeMicrophone, read_wav

    samples = np.tile(read_wav(DATA / "hello.wav")[0], (10, 1))
    mic = FakeMicrophone(samples, blocksize=800)
    rec = Recorder(Path(sys.argv[1]), stream_factory=mic.factory, encounter_id="visit42")
    rec.start()
    t0 = time.monotonic()
    while mic.remaining:
        mic.feed(800)
        print(f"{rec.elapsed_s:.3f}", flush=True)
        time.sleep(max(0.0, t0 + rec.elapsed_s - time.monotonic()))  # the device's clock
    """
)


@pytest.mark.parametrize("kill_after_s", [2.5])
def test_kill_9_while_recording_loses_at_most_a_second(tmp_path, kill_after_s):
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(tmp_path)],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        stdout=subprocess.PIPE,
        text=True,
    )
    captured = 0.0
    try:
        assert child.stdout is not None
        for line in child.stdout:
            captured = float(line)
            if captured >= kill_after_s:
                break
        child.send_signal(signal.SIGKILL)
    finally:
        child.kill()
        child.wait(timeout=10)
    assert child.returncode == -signal.SIGKILL
    assert captured >= kill_after_s

    parts = find_interrupted(tmp_path)
    assert [p.name for p in parts] == ["visit42.pcm.part"]
    recording = finalize_interrupted(parts[0])

    print(f"captured {captured:.3f} s at kill, recovered {recording.duration_s:.3f} s")
    assert recording.duration_s >= captured - 1.0
    assert Path(recording.path).name == "visit42.wav"
    out, sr = read_wav(Path(recording.path))
    source = np.tile(read_wav(DATA / "hello.wav")[0], (10, 1))
    assert sr == SR
    np.testing.assert_array_equal(out, source[: len(out)])
    assert find_interrupted(tmp_path) == []
    assert sorted(p.name for p in tmp_path.iterdir()) == ["visit42.wav"]


def make_part(folder: Path, name: str, pcm: bytes, sidecar: dict | None) -> Path:
    part = folder / f"{name}.pcm.part"
    part.write_bytes(wav_header(SR, 1, None) + pcm)
    if sidecar is not None:
        (folder / f"{name}.json").write_text(json.dumps(sidecar))
    return part


def test_torn_last_frame_is_dropped(tmp_path):
    samples = np.arange(-500, 500, dtype="<i2")
    part = make_part(tmp_path, "a", samples.tobytes() + b"\x07", {"samplerate": SR, "channels": 1})
    recording = finalize_interrupted(part)
    out, _ = read_wav(Path(recording.path))
    np.testing.assert_array_equal(out[:, 0], samples)
    assert recording.duration_s == pytest.approx(1000 / SR)


def test_torn_stereo_frame_is_dropped(tmp_path):
    frames = np.arange(200, dtype="<i2").reshape(100, 2)
    part = make_part(
        tmp_path, "s", frames.tobytes() + b"\x01\x00", {"samplerate": SR, "channels": 2}
    )
    out, _ = read_wav(Path(finalize_interrupted(part).path))
    np.testing.assert_array_equal(out, frames)


def test_only_unfinished_parts_with_a_sidecar_are_found(tmp_path):
    good = make_part(tmp_path, "good", b"\x00\x00" * 10, {"samplerate": SR, "channels": 1})
    make_part(tmp_path, "orphan", b"\x00\x00" * 10, None)
    (tmp_path / "done.wav").write_bytes(wav_header(SR, 1, 0))
    assert find_interrupted(tmp_path) == [good]
    assert find_interrupted(tmp_path / "missing") == []


def test_unreadable_sidecar_is_a_clear_error(tmp_path):
    part = make_part(tmp_path, "bad", b"\x00\x00", None)
    (tmp_path / "bad.json").write_text("{not json")
    with pytest.raises(AudioFileError, match="cannot be recovered"):
        finalize_interrupted(part)
    assert part.exists()  # nothing destroyed
