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


def test_the_catalog_lists_speech_models_then_llms():
    from models.catalog import ASR_MODELS, LLM_MODELS, all_entries
    from models.llm_catalog import ENTRIES

    ids = [e.id for e in all_entries()]
    assert ids == [e.id for e in ASR_MODELS] + [e.id for e in ENTRIES]
    assert LLM_MODELS == ENTRIES and len(set(ids)) == len(ids)
    assert get_entry("base").kind == "asr" and get_entry("smollm2-135m").kind == "llm"


def test_the_model_cache_loads_once_and_keeps_one_llm():
    from models import cache

    calls: list[str] = []

    def loader(name: str):
        return lambda: calls.append(name) or name

    try:
        assert cache.cached("test-a", 1, loader("one")) == "one"
        assert cache.cached("test-a", 1, loader("again")) == "one"  # cached: not loaded again
        cache.cached("test-a", 2, loader("two"))
        assert sorted(cache.loaded("test-a")) == [1, 2]
        cache.cached("test-a", 3, loader("three"), keep_one=True)
        assert cache.loaded("test-a") == [3]
        with pytest.raises(RuntimeError):
            cache.cached("test-a", 4, lambda: (_ for _ in ()).throw(RuntimeError("bad")))
        assert 4 not in cache.loaded("test-a")  # a failed load leaves nothing behind
        assert calls == ["one", "two", "three"]
        cache.clear("test-a")
        assert cache.loaded("test-a") == []
    finally:
        cache.clear("test-a")


def test_a_speech_model_id_needs_a_model_store_but_a_folder_does_not(models_root):
    from scribe.speech.transcriber import resolve_model_path

    with pytest.raises(ModelUnavailableError, match="no model store folder"):
        resolve_model_path("tiny.en")
    folder = resolve_model_path("tiny.en", models_root)
    assert folder == ModelStore(models_root).folder("tiny.en")
    assert resolve_model_path(str(folder)) == folder  # a folder works without a store
