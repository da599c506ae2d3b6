"""The one cache of loaded models in a process: speech, speaker voice, LLM.

Loading a model costs seconds and hundreds of MB, so each is loaded once and kept while the
process lives. Every loader in Scribe goes through :func:`cached`; a *family* (``"whisper"``,
``"voice"``, ``"llm"``) can be limited to one loaded model at a time (an LLM takes gigabytes), and
:func:`clear` drops models (tests, and a re-imported model that must be read again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

__all__ = ["cached", "clear", "loaded"]

T = TypeVar("T")

_models: dict[tuple[str, Hashable], Any] = {}
_lock = threading.RLock()


def cached(family: str, key: Hashable, load: Callable[[], T], *, keep_one: bool = False) -> T:
    """The model of ``family`` under ``key``, loaded by ``load()`` the first time.

    Args:
        keep_one: drop the family's other models before loading this one (one LLM in memory).

    The lock is held while loading, so two threads asking for the same model load it once; an
    exception from ``load`` leaves nothing cached.
    """
    with _lock:
        full = (family, key)
        if full in _models:
            return _models[full]
        if keep_one:
            for k in [k for k in _models if k[0] == family]:
                del _models[k]
        model = load()
        _models[full] = model
        return model


def loaded(family: str | None = None) -> list[Hashable]:
    """The keys of the models loaded now (of one family, or all as ``(family, key)``)."""
    with _lock:
        if family is None:
            return list(_models)
        return [k for f, k in _models if f == family]


def clear(family: str | None = None) -> None:
    """Forget loaded models (of one family, or all)."""
    with _lock:
        for k in [k for k in _models if family is None or k[0] == family]:
            del _models[k]
