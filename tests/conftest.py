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
    yield home
    from scribe import crypto

    crypto.set_active_key(None)  # the CLI signs in per process; tests share one


@pytest.fixture
def clip():
    """Path to a committed speech clip in tests/data."""

    def get(name: str) -> Path:
        path = DATA / name
        assert path.is_file(), f"missing test clip {name}; run tests/data/make_clips.sh"
        return path

    return get
