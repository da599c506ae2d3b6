"""The encrypted store: SQLCipher database, passphrase, locked and corrupt files, bad input."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import numpy as np
import pytest

from scribe.audio.files import load_audio
from scribe.cli import main
from scribe.domain import Status
from scribe.errors import AudioFileError, AuthError, StoreError
from scribe.security import crypto
from scribe.security.profile import Profile
from scribe.store.secure import connect
from scribe.visit.engines import Engines
from scribe.visit.pipeline import note_from_file
from scribe.visit.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent


def cli(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_fresh_home_is_initialized_encrypted_with_the_env_passphrase(scribe_home, capsys):
    assert cli(capsys, "list")[0] == 0
    profile = Profile.load(scribe_home)
    assert profile is not None and profile.check("test passphrase")
    assert not profile.check("another passphrase")
    head = (scribe_home / "scribe.db").read_bytes()[:16]
    assert head != b"SQLite format 3\x00"
    import sqlite3

    with pytest.raises(sqlite3.DatabaseError):  # plain SQLite sees noise
        sqlite3.connect(scribe_home / "scribe.db").execute("SELECT * FROM sqlite_master").fetchall()


def test_wrong_passphrase_is_one_clear_line_and_changes_nothing(scribe_home, capsys,
                                                                 monkeypatch):
    ws = Workspace.open(scribe_home, actor="test")
    ws.store.create_encounter("Visit", Status.RECORDING, consent=True)
    n = ws.store.verify_audit().events
    ws.close()
    before = (scribe_home / "scribe.db").read_bytes()
    monkeypatch.setenv("SCRIBE_PASSPHRASE", "not the passphrase")
    code, out, err = cli(capsys, "list")
    assert code == 1 and out == ""
    assert err == "scribe: The passphrase is wrong; try again.\n"
    assert (scribe_home / "scribe.db").read_bytes() == before
    monkeypatch.setenv("SCRIBE_PASSPHRASE", "test passphrase")
    ws = Workspace.open(scribe_home, actor="test")
    # The locked database could not record the failure; the next sign-in writes it, then itself.
    events = ws.store.audit_events()
    assert [(e.action, e.detail.split(" at ")[0]) for e in events[n:]] == [
        ("sign-in failed", "sign-in"), ("unlocked", "sign-in")]
    assert ws.store.verify_audit().ok
    ws.close()


def test_no_passphrase_without_a_terminal_is_a_clear_error(scribe_home, monkeypatch):
    monkeypatch.delenv("SCRIBE_PASSPHRASE")
    run = subprocess.run([sys.executable, "-m", "scribe", "list"], cwd=ROOT, text=True,
                         capture_output=True, stdin=subprocess.DEVNULL)
    assert run.returncode == 1
    assert run.stderr.strip() == (
        "scribe: No passphrase was given; set SCRIBE_PASSPHRASE or run scribe in a terminal to "
        "type it."
    )
    assert not (scribe_home / "profile.json").exists()


def test_signing_confirms_the_passphrase(workspace):
    workspace.confirm("test passphrase")
    with pytest.raises(AuthError, match="not signed"):
        workspace.confirm("test passphrase ")


def test_short_passphrase_is_refused_at_creation(tmp_path):
    with pytest.raises(AuthError, match="at least 12"):
        Profile.create(tmp_path, "Dr A", "MD", "short")


def test_corrupt_database_is_a_clear_error(scribe_home, capsys):
    Workspace.open(scribe_home, actor="test").close()
    db = scribe_home / "scribe.db"
    raw = bytearray(db.read_bytes())
    raw[100:200] = bytes(100)
    db.write_bytes(bytes(raw))
    code, _, err = cli(capsys, "list")
    assert code == 1
    assert err == ("scribe: The Scribe database is damaged or not a Scribe database; restore it "
                   "from backup.\n")


def test_locked_database_gives_a_clear_message_and_no_half_made_visit(scribe_home, clip,
                                                                     models_root):
    ws = Workspace.open(scribe_home, actor="test", timeout=0.2)
    holder = connect(scribe_home / "scribe.db", ws.key)
    holder.execute("BEGIN IMMEDIATE")  # another program holds the write lock
    try:
        with pytest.raises(StoreError, match="in use by another program"):
            note_from_file(ws, clip("hello.wav"), Engines(model="tiny.en", models_root=models_root))
    finally:
        holder.rollback()
        holder.close()
    assert ws.store.list(include_discarded=True) == []
    assert list(ws.store.audio_dir.iterdir()) == []
    ws.close()


@pytest.mark.parametrize("kind", ["empty", "non-audio", "truncated"])
def test_bad_audio_into_the_encrypted_store_leaves_nothing(workspace, tmp_path, clip, kind,
                                                           models_root):
    files = {"empty": b"", "non-audio": b"not audio at all\n" * 100,
             "truncated": clip("hello.wav").read_bytes()[:30000]}
    path = tmp_path / f"bad-{kind}.wav"
    path.write_bytes(files[kind])
    with pytest.raises(AudioFileError):
        note_from_file(workspace, path, Engines(model="tiny.en", models_root=models_root))
    assert workspace.store.list(include_discarded=True) == []
    assert list(workspace.store.audio_dir.iterdir()) == []


def test_damaged_encrypted_audio_is_a_clear_error(workspace, clip):
    dest = workspace.vault.store_copy(clip("hello.wav"), "x.wav")
    assert dest.read_bytes().startswith(crypto.MAGIC)
    raw = bytearray(dest.read_bytes())
    raw[5000] ^= 0xFF
    dest.write_bytes(bytes(raw))
    with pytest.raises(AudioFileError, match="damaged or was changed"):
        workspace.vault.load("x.wav")
    with pytest.raises(AudioFileError, match="damaged or was changed"):
        load_audio(dest, workspace.key)


@pytest.mark.slow
def test_very_long_recording_imports_encrypted_and_transcribes(workspace, tmp_path, models_root):
    """Forty minutes (77 MB of WAV): encrypted in chunks, decrypted in memory, VAD skips silence."""
    path = tmp_path / "long.wav"
    sr, minutes = 16000, 40
    tone = (np.sin(2 * np.pi * 440 * np.arange(sr) / sr) * 3000).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sr)
        silence = np.zeros(sr * 60, dtype="<i2").tobytes()
        for _ in range(minutes):
            w.writeframes(silence)
        w.writeframes(tone.tobytes())
    tiny = Engines(model="tiny.en", models_root=models_root)
    enc = note_from_file(workspace, path, tiny, label="long")
    assert enc.status == Status.IN_REVIEW
    assert enc.duration_s == pytest.approx(minutes * 60 + 1, abs=0.1)
    stored = workspace.store.audio_dir / enc.audio_file
    assert stored.read_bytes()[:8] == crypto.MAGIC


def test_an_install_from_before_encryption_is_encrypted_at_first_sign_in(scribe_home, clip,
                                                                          capsys):
    from scribe.store.store import Store

    old = Store.open(scribe_home / "scribe.db", actor="app")  # v0.1: plain SQLite + plain WAV
    enc = old.create_encounter("Visit of Zebulon Quartermaine", Status.TRANSCRIBING)
    wav = old.audio_dir / f"{enc.id}.wav"
    wav.write_bytes(clip("hello.wav").read_bytes())
    old.set_audio(enc.id, wav.name, 3.6)
    old.close()

    code, out, _ = cli(capsys, "list")
    assert code == 0 and enc.id in out and "Zebulon" in out
    raw = b"".join(p.read_bytes() for p in scribe_home.rglob("*") if p.is_file())
    assert b"SQLite format 3" not in raw and b"RIFF" not in raw and b"Zebulon" not in raw
    ws = Workspace.open(scribe_home, actor="test")
    try:
        assert ws.vault.load(wav.name).size > 16000
    finally:
        ws.close()
    assert cli(capsys, "audit", "verify")[0] == 0
    assert sorted(p.name for p in (scribe_home / "audio").iterdir()) == [wav.name]
