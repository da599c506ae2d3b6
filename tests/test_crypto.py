"""Chunked AES-GCM audio files and passphrase key wrapping."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from scribe.audio.files import load_audio
from scribe.audio.partfile import finalize_interrupted, find_interrupted, wav_header
from scribe.audio.recorder import Recorder
from scribe.errors import AudioFileError, AuthError
from scribe.security import crypto
from tests.audio_stack import DATA, FakeMicrophone, read_wav

KEY = bytes(range(32))


def test_wrapped_key_opens_only_with_its_passphrase():
    key = crypto.new_data_key()
    wrapped = crypto.wrap_key(key, "correct horse")
    assert crypto.unwrap_key(wrapped, "correct horse") == key
    with pytest.raises(AuthError, match="passphrase is wrong"):
        crypto.unwrap_key(wrapped, "wrong horse")


def test_round_trip_in_chunks_and_no_plaintext_on_disk(tmp_path):
    path = tmp_path / "a.enc"
    data = os.urandom(10) + b"RIFF planted phrase" * 1000
    w = crypto.EncryptedWriter(path, KEY, b"HEADER")
    for i in range(0, len(data), 777):
        w.write(data[i:i + 777])
        if i % 3000 == 0:
            w.flush()
    w.close()
    assert w.chunks > 3
    raw = path.read_bytes()
    assert b"RIFF" not in raw and b"planted" not in raw and b"HEADER" not in raw
    assert crypto.read_plaintext(path, KEY) == b"HEADER" + data
    with pytest.raises(AudioFileError):
        crypto.read_plaintext(path, bytes(32))  # another key


def _chunk_offsets(raw: bytes) -> list[int]:
    pos, out = len(crypto.MAGIC) + 16, []
    while pos < len(raw):
        out.append(pos)
        pos += 4 + 12 + int.from_bytes(raw[pos:pos + 4], "big")
    return out


def _written(tmp_path, n: int = 4):
    path = tmp_path / "b.enc"
    w = crypto.EncryptedWriter(path, KEY)
    for i in range(n):
        w.write(bytes([i]) * 100)
        w.flush()
    w.close()
    return path, path.read_bytes()


def test_reordered_dropped_or_truncated_chunks_are_detected(tmp_path):
    path, raw = _written(tmp_path)
    offs = _chunk_offsets(raw)  # 4 data chunks + final
    a, b = raw[offs[0]:offs[1]], raw[offs[1]:offs[2]]
    variants = {
        "swapped": raw[:offs[0]] + b + a + raw[offs[2]:],
        "dropped": raw[:offs[1]] + raw[offs[2]:],
        "truncated": raw[:offs[-1]],  # the final chunk is gone
        "flipped": raw[:offs[2] + 20] + bytes([raw[offs[2] + 20] ^ 1]) + raw[offs[2] + 21:],
    }
    for name, bad in variants.items():
        path.write_bytes(bad)
        with pytest.raises(AudioFileError, match="damaged"):
            crypto.read_plaintext(path, KEY)
        assert name


def test_torn_last_chunk_is_dropped_when_recovering(tmp_path):
    path, raw = _written(tmp_path)
    offs = _chunk_offsets(raw)
    path.write_bytes(raw[:offs[3] + 30])  # the 4th chunk half-written, no final chunk
    assert crypto.read_plaintext(path, KEY, partial_ok=True) == b"".join(
        bytes([i]) * 100 for i in range(3))
    assert crypto.seal_part(path, KEY) == 300
    assert len(crypto.read_plaintext(path, KEY)) == 300  # now a finished file


def test_recorder_writes_encrypted_audio_that_load_audio_decodes(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = Recorder(tmp_path, stream_factory=mic.factory, encounter_id="e1", key=KEY)
    rec.start()
    mic.feed()
    recording = rec.stop()
    raw = Path(recording.path).read_bytes()
    assert b"RIFF" not in raw and raw.startswith(crypto.MAGIC)
    audio = load_audio(recording.path, KEY)
    expected = read_wav(DATA / "hello.wav")[0][:, 0].astype(np.float32) / 32768.0
    np.testing.assert_allclose(audio, expected, atol=1e-4)
    assert recording.duration_s == pytest.approx(len(expected) / 16000)
    with pytest.raises(AuthError, match="locked"):
        load_audio(recording.path)  # no key given: nothing is decrypted


def test_interrupted_encrypted_recording_is_recovered(tmp_path):
    samples = read_wav(DATA / "hello.wav")[0][:, 0]
    part = tmp_path / "e2.pcm.part"
    w = crypto.EncryptedWriter(part, KEY, wav_header(16000, 1, None))
    w.write(samples[:16000].tobytes())
    w.flush()  # what the recorder makes durable each interval
    w.write(samples[16000:].tobytes())  # never flushed: the process dies here
    os.close(w._fd)
    with open(part, "ab") as f:
        f.write(b"\x00\x00\x01")  # a torn chunk start
    (tmp_path / "e2.json").write_text(
        '{"samplerate": 16000, "channels": 1, "encounter_id": "e2"}')
    [found] = find_interrupted(tmp_path)
    recording = finalize_interrupted(found, KEY)
    assert recording.duration_s == pytest.approx(1.0)
    assert load_audio(recording.path, KEY).size == 16000
    assert crypto.read_plaintext(Path(recording.path), KEY)  # now a finished file


def test_recorder_with_a_key_encrypts_and_reads_its_growing_file(tmp_path):
    samples = read_wav(DATA / "hello.wav")[0]
    mic = FakeMicrophone(samples, blocksize=800)
    rec = Recorder(tmp_path, stream_factory=mic.factory, key=KEY)
    rec.start()
    mic.feed(16000)
    part = rec.partial_path
    assert part.read_bytes().startswith(crypto.MAGIC)
    rec.stop()
    got = rec.read_audio(8000, 12000)
    np.testing.assert_allclose(got, samples[8000:12000, 0] / 32768.0, atol=1e-6)
    path = Path(rec._recording.path)
    raw = crypto.read_plaintext(path, KEY)
    for start, n in [(0, 10), (44, 3000), (1000, 20000), (30000, 10**6)]:
        assert crypto.read_range(path, start, n, KEY) == raw[start:start + n]


def test_recorder_without_a_key_writes_plain_pcm(tmp_path):
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = Recorder(tmp_path, stream_factory=mic.factory, encounter_id="e3")
    rec.start()
    mic.feed()
    recording = rec.stop()
    assert Path(recording.path).read_bytes()[:4] == b"RIFF"  # tools and tests only, never the app


def test_the_app_wraps_keys_at_full_cost_and_a_key_opens_with_the_cost_it_records(monkeypatch):
    monkeypatch.undo()  # the suite's cheaper profiles (tests/conftest.py) do not apply here
    assert crypto.SCRYPT_N == 1 << 15  # ~32 MiB and ~0.1 s a guess for an attacker
    key = crypto.new_data_key()
    full = crypto.wrap_key(key, "correct horse battery")
    assert full["n"] == 1 << 15
    monkeypatch.setattr(crypto, "SCRYPT_N", 1 << 12)
    cheap = crypto.wrap_key(key, "correct horse battery")
    assert cheap["n"] == 1 << 12
    # Either opens whatever the module's current cost: the stored one is used.
    assert crypto.unwrap_key(full, "correct horse battery") == key
    assert crypto.unwrap_key(cheap, "correct horse battery") == key
