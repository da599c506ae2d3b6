"""Bundled models are assembled and verified; a mismatch is an error, never a silent load."""

from __future__ import annotations

import shutil

import pytest

from models.catalog import get_entry
from models.store import ModelStore, sha256_file
from scribe.errors import ModelUnavailableError


def test_bundled_tiny_model_installs_and_matches_catalog_hash(tmp_path):
    store = ModelStore(tmp_path)
    folder = store.path("tiny.en")
    assert sha256_file(folder / "model.bin") == get_entry("tiny.en").sha256
    assert {"config.json", "tokenizer.json", "vocabulary.txt"} <= {p.name for p in folder.iterdir()}
    assert "tiny.en" in store.installed()


def test_base_model_joins_its_two_parts_to_the_published_hash(models_root):
    folder = ModelStore(models_root).path("base")
    assert sha256_file(folder / "model.bin") == (
        "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
    )


def test_corrupted_model_is_refused(tmp_path):
    store = ModelStore(tmp_path)
    weights = store.path("tiny.en") / "model.bin"
    with weights.open("r+b") as f:
        f.seek(1000)
        f.write(b"\x00corrupt\x00")
    with pytest.raises(ModelUnavailableError, match="checksum"):
        store.path("tiny.en")


def test_missing_model_says_how_to_get_it(tmp_path):
    with pytest.raises(ModelUnavailableError, match="import"):
        ModelStore(tmp_path).path("small.en")


def test_import_folder_verifies_against_catalog(tmp_path):
    store = ModelStore(tmp_path / "store")
    src = tmp_path / "tiny-copy"
    shutil.copytree(ModelStore(tmp_path / "other").path("tiny.en"), src)
    assert store.import_folder(src, "tiny.en") == "tiny.en"
    with (src / "model.bin").open("r+b") as f:
        f.write(b"garbage")
    with pytest.raises(ModelUnavailableError, match="checksum"):
        ModelStore(tmp_path / "store2").import_folder(src, "tiny.en")
