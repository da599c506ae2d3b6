"""The audio vault: every stored recording is ciphertext under the key it was given, and only it."""

from __future__ import annotations

import os

import numpy as np
import pytest

from scribe.audio.files import load_audio
from scribe.audio.partfile import wav_header
from scribe.audio.vault import AudioVault
from scribe.errors import AudioFileError, AuthError
from scribe.security import crypto
from scribe.visit.pipeline import prepare_import
from tests.audio_stack import DATA, FakeMicrophone, read_wav

KEY = bytes(range(32))
HEADERS = (b"RIFF", b"WAVE")


def _expected(name: str = "hello.wav") -> np.ndarray:
    return read_wav(DATA / name)[0][:, 0].astype(np.float32) / 32768.0


def test_a_vault_with_a_key_stores_an_imported_clip_as_ciphertext_that_load_decodes(tmp_path):
    vault = AudioVault(tmp_path, KEY)
    assert vault.encrypted
    dest = vault.store_copy(DATA / "hello.wav", "v1.wav")
    assert dest == tmp_path / "v1.wav"
    raw = dest.read_bytes()
    assert raw.startswith(crypto.MAGIC)
    assert not any(h in raw for h in HEADERS)  # what a copy of the disk shows: noise
    np.testing.assert_allclose(vault.load("v1.wav"), _expected(), atol=1e-4)
    np.testing.assert_allclose(vault.load(dest), _expected(), atol=1e-4)  # by path as well
    with pytest.raises(AuthError):
        load_audio(dest)  # without the key nothing is decrypted
    with pytest.raises(AudioFileError, match="damaged"):
        AudioVault(tmp_path, bytes(32)).load("v1.wav")  # another clinician's key
    vault.destroy("v1.wav")
    assert list(tmp_path.iterdir()) == []


def test_a_vault_without_a_key_refuses_nothing_but_stores_plain(tmp_path):
    vault = AudioVault(tmp_path, None)
    assert not vault.encrypted
    dest = vault.store_copy(DATA / "hello.wav", "sub/../v2.wav")  # folders in a name are ignored
    assert dest == tmp_path / "v2.wav"
    assert dest.read_bytes() == (DATA / "hello.wav").read_bytes()
    np.testing.assert_allclose(vault.load("v2.wav"), _expected(), atol=1e-4)
    vault.destroy("v2.wav")
    assert list(tmp_path.iterdir()) == []


def test_a_recorder_from_the_vault_writes_ciphertext(tmp_path):
    vault = AudioVault(tmp_path, KEY)
    mic = FakeMicrophone.from_wav(DATA / "hello.wav")
    rec = vault.recorder(encounter_id="e1", stream_factory=mic.factory)
    rec.start()
    mic.feed(16000)
    assert rec.partial_path.read_bytes().startswith(crypto.MAGIC)  # encrypted while growing
    mic.feed()
    recording = rec.stop()
    raw = vault.path("e1.wav").read_bytes()
    assert recording.path == str(vault.path("e1.wav"))
    assert raw.startswith(crypto.MAGIC) and not any(h in raw for h in HEADERS)
    np.testing.assert_allclose(vault.load("e1.wav"), _expected(), atol=1e-4)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["e1.wav"]


def test_an_interrupted_vault_recording_is_finished_with_the_vault_key(tmp_path):
    vault = AudioVault(tmp_path, KEY)
    samples = read_wav(DATA / "hello.wav")[0][:, 0]
    part = vault.path("e2.pcm.part")
    w = crypto.EncryptedWriter(part, KEY, wav_header(16000, 1, None))
    w.write(samples[:16000].tobytes())
    w.flush()  # what the recorder made durable before the process died
    os.close(w._fd)  # killed: no final chunk
    (tmp_path / "e2.json").write_text('{"samplerate": 16000, "channels": 1, "encounter_id": "e2"}')
    assert vault.interrupted() == [part]
    recording = vault.finish_interrupted(part)
    assert recording.duration_s == pytest.approx(1.0)
    assert vault.path("e2.wav").read_bytes().startswith(crypto.MAGIC)
    assert vault.load("e2.wav").size == 16000
    assert vault.interrupted() == [] and sorted(p.name for p in tmp_path.iterdir()) == ["e2.wav"]


def test_the_workspace_vault_encrypts_an_import_with_the_clinicians_key(workspace):
    assert workspace.vault.key == workspace.key and workspace.key is not None
    imported = prepare_import(workspace.vault, DATA / "hello.wav")
    assert imported.path.parent == workspace.store.audio_dir
    raw = imported.path.read_bytes()
    assert raw.startswith(crypto.MAGIC) and not any(h in raw for h in HEADERS)
    np.testing.assert_allclose(workspace.vault.load(imported.path.name), imported.audio, atol=1e-4)
