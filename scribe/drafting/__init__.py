"""Drafting: turn a transcript into a note draft through an engine behind the ``Drafter`` interface."""

from __future__ import annotations

from pathlib import Path

from models.llm_import import installed_llms
from models.store import ModelStore
from scribe.drafting.base import Drafter, ProgressFn
from scribe.drafting.templates import Template, available_templates, load_template

__all__ = [
    "Drafter",
    "ProgressFn",
    "Template",
    "available_templates",
    "get_drafter",
    "llm_installed",
    "load_template",
]


def llm_installed(models_root: Path | None = None) -> bool:
    """Whether an LLM sits verified in the model store at ``models_root`` (what ``auto`` looks
    for); without a store folder there is none."""
    if models_root is None:
        return False
    return next(installed_llms(ModelStore(Path(models_root))), None) is not None


def get_drafter(engine: str = "offline", models_root: Path | None = None) -> Drafter:
    """Return the drafting engine by name: ``offline`` (default, no LLM), ``llm`` or ``auto``.

    ``auto`` is the LLM engine when an LLM is installed in the model store at ``models_root``,
    else the offline one. ``llm:ID`` picks an installed LLM by catalog id (or a model folder path).
    ``models_root`` is the only place LLMs are looked for (None: only a folder path works).
    """
    from scribe.errors import ScribeError

    if engine == "auto":
        engine = "llm" if llm_installed(models_root) else "offline"
    if engine == "offline":
        from scribe.drafting.offline.drafter import OfflineDrafter

        return OfflineDrafter()
    if engine == "llm" or engine.startswith("llm:"):
        from scribe.drafting.llm import LlmDrafter, LlmOptions

        model = engine.split(":", 1)[1] if ":" in engine else None
        return LlmDrafter(LlmOptions(model=model), models_root)
    raise ScribeError(f"Unknown drafting engine '{engine}'. Use offline, llm or auto.")
